"""Performance review charts (house style, each returns a Figure) and report tables (Stylers).

A chart or table with nothing to show returns the sentence saying so instead. ``section`` makes
one report section one HTML block: its charts, tables and sentences when the data supports it,
else the one sentence saying what is missing. Columns the data does not have (quota without a
quotas table, team without a roster) are left out, never shown empty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import HTML
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator
from pandas.io.formats.style import Styler

from salesops.analysis.performance.leaderboard import (
    AttainmentDistribution,
    RepsAtQuota,
    ranked_by,
)
from salesops.presentation import formatting
from salesops.presentation.narrative import reps_at_quota_text
from salesops.presentation.sections import block, show
from salesops.presentation.style import (
    ACCENT,
    BAD,
    GOOD,
    NEUTRAL,
    PALETTE,
    PRIMARY,
    bar_labels,
    count_axis,
    figure_height_for,
    legend_outside,
    money_axis,
    new_figure,
    percent_axis,
    period_axis,
)
from salesops.presentation.tables import departed, limited, report_table

if TYPE_CHECKING:
    from salesops.analysis.performance.diagnosis import Diagnosis
    from salesops.analysis.performance.review import PerformanceReview

NO_RANKED_REP = "No rep is ranked in this period, so there is nothing to chart."


def section(review: PerformanceReview, name: str, render: Callable[[], Any]) -> HTML:
    """Section ``name`` as one block: what ``render()`` returns (a sentence, figure, table, HTML
    or a list of them) when ``review.sections[name]`` is available, else its one sentence. With
    no deals at all only the summary section ('deals') says so; the others stay empty."""
    if name != "deals" and not review.sections["deals"]:
        return HTML("")
    return show(review.sections[name], lambda: block(render()))


def attainment_histogram(board: pd.DataFrame, dist: AttainmentDistribution) -> Figure | str:
    """Distribution of ranked reps' attainment with the quota line (and the pace line mid-period);
    the sentence instead with no ranked rep."""
    ranked = board.loc[board["rank"].notna(), "attainment"].astype(float)
    if ranked.empty:
        return NO_RANKED_REP
    fig, ax = new_figure(6.5, 4.2)
    top = max(2.0, float(np.ceil(ranked.quantile(0.95) * 4) / 4))
    bins = np.arange(0, top + 0.25, 0.125)
    ax.hist(ranked.clip(upper=top), bins=bins, color=PRIMARY, edgecolor="white", label="Reps")
    ax.axvline(1.0, color=GOOD, lw=2.5, label="Quota (100%)")
    if dist.elapsed < 1:
        ax.axvline(dist.elapsed, color=NEUTRAL, lw=2, ls="--",
                   label=f"On pace ({formatting.pct(dist.elapsed)} of period gone)")
    ax.axvline(dist.median_attainment, color=BAD, lw=2, ls=":", label="Median rep")
    percent_axis(ax, "x")
    ax.set_xlabel(f"Attainment (last bar: {formatting.pct(top)} and above)")
    ax.set_ylabel("Reps (count)")
    count_axis(ax)
    ax.set_title(f"Attainment: {dist.at_quota} of {dist.ranked_reps} ranked reps at quota")
    legend_outside(ax, "below", ncol=2)
    return fig


#: Rollup columns shown in reports: column -> (header, table format).
ROLLUP_COLUMNS = {
    "bookings": ("Bookings", "money"),
    "quota": ("Quota", "money"),
    "attainment": ("Attainment", "pct"),
    "win_rate": ("Win rate (count)", "pct"),
    "win_rate_value": ("Win rate (value)", "pct"),
    "avg_deal_size": ("Avg deal size", "money"),
    "median_cycle_days": ("Median cycle (days)", "int"),
    "pipeline_created": ("Pipeline created", "money"),
    "created_without_amount": ("Created without amount", "int"),
    "coverage": ("Next-period coverage", "ratio"),
}
#: Columns whose header says "(known amounts)" when the column of unknown amounts is not zero.
KNOWN_AMOUNTS = {"pipeline_created": "created_without_amount",
                 "coverage": "next_period_without_amount"}


def shown_columns(table: pd.DataFrame, columns: list[str] | tuple[str, ...]) -> list[str]:
    """The ``columns`` the table has, without coverage when no next quota is set and without the
    count of deals without amount when every deal has one."""
    return [c for c in columns if c in table.columns
            and (c not in ("coverage", "created_without_amount") or table[c].fillna(0).any())]


def column_specs(table: pd.DataFrame, columns: list[str] | tuple[str, ...]
                 ) -> dict[str, tuple[str, Any]]:
    """``ROLLUP_COLUMNS`` entries of the ``shown_columns``; a pipeline or coverage header says
    "(known amounts)" only when some amounts in the table are unknown."""
    specs = {}
    for c in shown_columns(table, columns):
        header, fmt = ROLLUP_COLUMNS[c]
        unknown = KNOWN_AMOUNTS.get(c)
        if unknown in table and table[unknown].fillna(0).any():
            header += " (known amounts)"
        specs[c] = (header, fmt)
    return specs


def _attainment_marks(table: pd.DataFrame, column: str) -> tuple[dict, dict]:
    """Good / bad highlight masks for an attainment column (none without one)."""
    if "attainment" not in table:
        return {}, {}
    att = table["attainment"].reset_index(drop=True)
    return {column: att >= 1.0}, {column: att < 0.5}


def rollup_table(table: pd.DataFrame, level: str, currency: str = "USD",
                 caption: str | None = None) -> HTML:
    """Escaped, formatted rollup (one row per ``level`` value, and the manager beside each team
    when the review merged them), largest bookings first, cut to the top 15 when longer;
    attainment >= 100% in green, < 50% red."""
    specs = column_specs(table, list(ROLLUP_COLUMNS))
    keys = [level, *(["manager"] if level != "manager" and "manager" in table else [])]
    out = table.sort_values("bookings", ascending=False).reset_index(drop=True)
    cols = {**{k: (k.replace("_", " ").title(), None) for k in keys}, **specs}

    def render(rows: pd.DataFrame) -> Styler:
        good, bad = _attainment_marks(rows, "attainment")
        return report_table(rows, cols, currency, caption, good=good, bad=bad)

    return limited(out, render, noun=f"{level}s", order="bookings")


def rollups(review: PerformanceReview, currency: str = "USD") -> HTML:
    """The rollup sections: by region, then by team and manager as one table when each team has
    one manager (saying so), else by manager and by team; the team bookings chart. A level with
    a single group (a region's own report by region) is one sentence: its table would repeat
    the headline."""
    levels = ("region", "team") if review.one_manager_per_team else ("region", "manager", "team")
    blocks = []
    for level in levels:
        merged = level == "team" and review.one_manager_per_team
        blocks.append(section(review, f"rollups_by_{level}",
                              lambda level=level, merged=merged: _rollup(review, level, merged,
                                                                         currency)))
    return HTML("".join(b.data for b in blocks))


def _rollup(review: PerformanceReview, level: str, merged: bool, currency: str) -> list:
    """One rollup level's sentence, table and (for teams) chart."""
    table = review.rollups[level]
    what = "team and manager" if merged else level
    if len(table) == 1:
        names = ", ".join(table.iloc[0][[level, "manager"] if merged else [level]].astype(str))
        return [f"{review.data.scope.label} has one {what} ({names}): its rollup is the "
                "headline above."]
    return ["Each team has one manager, so the team and manager rollups are one table."
            if merged else None,
            rollup_table(table, level, currency, caption=f"By {what}"),
            bookings_chart(table, level, currency) if level == "team" else None]


#: Leaderboard bar colours by attainment band, each named in the key.
BANDS = ((GOOD, "At or above quota"), (PRIMARY, "50% to 99%"), (BAD, "Under 50%"))


def leaderboard_chart(board: pd.DataFrame, currency: str = "USD", max_bars: int = 60
                      ) -> Figure | str:
    """Horizontal bars of ranked reps' attainment (or bookings without quotas), best on top, one
    readable row per rep, each bar labelled with its value; the sentence instead with no ranked
    rep.

    With more than ``max_bars`` ranked reps, the top and bottom ``max_bars // 2`` are shown
    around a gap row naming how many are left out.
    """
    metric = ranked_by(board)
    ranked = board.loc[board["rank"].notna()].sort_values(metric, ascending=False)
    if ranked.empty:
        return NO_RANKED_REP
    n, half = len(ranked), max_bars // 2
    shown = ranked if n <= max_bars else pd.concat([ranked.head(half), ranked.tail(half)])
    ys = np.arange(len(shown)) if n <= max_bars else np.r_[np.arange(half), np.arange(half) + half + 1]
    fig, ax = new_figure(6.5, figure_height_for(len(ys) + (n > max_bars)) + 1)
    labels = [f"{int(r)}. {name}" for r, name in zip(shown["rank"], shown["name"], strict=True)]
    if metric == "attainment":
        att = shown["attainment"].to_numpy(float)
        band = np.where(att >= 1, 0, np.where(att < 0.5, 2, 1))
        bars = ax.barh(ys, np.clip(att, 0, 3), color=[BANDS[b][0] for b in band])
        ax.axvline(1.0, color=NEUTRAL, lw=1.5, ls="--")
        for k in sorted(set(band)):  # the key: one entry per colour drawn
            ax.add_patch(Rectangle((0, 0), 0, 0, color=BANDS[k][0], label=BANDS[k][1]))
        ax.plot([], [], color=NEUTRAL, lw=1.5, ls="--", label="Quota")
        bar_labels(ax, bars, formatting.pct, fontsize=10)
        percent_axis(ax, "x")
        ax.set_xlabel("Attainment (bars capped at 300%)")
        what = "attainment"
    else:
        bars = ax.barh(ys, shown["bookings"], color=PRIMARY)
        bar_labels(ax, bars, lambda v: formatting.money(v, currency, compact=True), fontsize=11)
        money_axis(ax, currency, "x")
        ax.set_xlabel(f"Bookings ({currency})")
        what = "bookings"
    ax.set_yticks(ys, labels, fontsize=9 if len(ys) > 40 else 11)
    if n > max_bars:
        ax.text(0.01, half, f"... {n - max_bars} reps in between ...", va="center",
                transform=ax.get_yaxis_transform(), color=NEUTRAL, fontsize=11)
    ax.invert_yaxis()
    scope = f"top and bottom {half} of {n} ranked reps" if n > max_bars else f"{n} ranked reps"
    ax.set_title(f"Leaderboard by {what}, {scope}")
    ax.margins(y=0.01)
    legend_outside(ax, "below", ncol=2)
    return fig


def bookings_chart(table: pd.DataFrame, level: str, currency: str = "USD") -> Figure | str:
    """Bars of bookings per ``level`` value (e.g. team), beside quota when the table has it, each
    labelled with its amount; the sentence instead with no row."""
    if table.empty:
        return f"No {level} has deals in the period, so there is nothing to chart."
    data = table.sort_values("bookings", ascending=False)
    fig, ax = new_figure(6.5, figure_height_for(len(data), per_row=0.75) + 1)
    ys = np.arange(len(data))
    quota = "quota" in data
    height = 0.4 if quota else 0.7
    money = lambda v: formatting.money(v, currency, compact=True)  # noqa: E731
    bars = ax.barh(ys - (height / 2 if quota else 0), data["bookings"], height=height,
                   color=PRIMARY, label="Bookings")
    bar_labels(ax, bars, money, fontsize=11)
    if quota:
        bar_labels(ax, ax.barh(ys + height / 2, data["quota"], height=height, color=NEUTRAL,
                               label="Quota"), money, fontsize=11)
    ax.set_yticks(ys, data[level].astype(str))
    ax.invert_yaxis()
    money_axis(ax, currency, "x")
    ax.set_xlabel(f"Amount ({currency})")
    ax.set_title(f"Bookings vs quota by {level}" if quota else f"Bookings by {level}")
    legend_outside(ax, "below")
    return fig


#: Consistency labels: colour and marker, each named in the key.
PATTERNS = {"consistently good": (GOOD, "o"), "consistently weak": (BAD, "X"),
            "volatile": (ACCENT, "^"), "mixed": (NEUTRAL, "s"),
            "too new to judge": (PALETTE[4], "D")}


def consistency_chart(table: pd.DataFrame) -> Figure | str:
    """Share of recent periods at quota vs monthly volatility (CV), one colour and marker per
    label; the sentence instead when no rep has both."""
    data = table.dropna(subset=["cv", "share_at_quota"])
    if data.empty:
        return "No rep has both periods with quota and months observed yet, so nothing to chart."
    fig, ax = new_figure(6.5, 4.5)
    for label, (color, marker) in PATTERNS.items():
        rows = data.loc[data["label"] == label]
        if len(rows):
            ax.scatter(rows["cv"], rows["share_at_quota"], color=color, marker=marker, s=60,
                       alpha=0.85, label=label.capitalize())
    percent_axis(ax, "y")
    ax.set_xlabel("Monthly variation of bookings (CV)")
    ax.set_ylabel("Periods at quota")
    ax.set_title("Consistency: how often at quota vs how lumpy")
    legend_outside(ax, "below", ncol=3)
    return fig


def ramp_chart(cohort: pd.DataFrame, new_hires: pd.DataFrame) -> Figure | str:
    """Cohort ramp curve (median, interquartile band) with each new hire's months on top, one
    colour and marker per hire, all in the key; the sentence instead with no cohort month."""
    if cohort.empty:
        return "No hire was observed from their first month, so there is no ramp curve."
    fig, ax = new_figure(6.5, 4.8)
    ax.fill_between(cohort["tenure_month"], cohort["p25"], cohort["p75"], color=NEUTRAL,
                    alpha=0.25, label="Cohort middle 50%")
    ax.plot(cohort["tenure_month"], cohort["median"], color=PRIMARY, lw=3, label="Cohort median")
    colours = [c for c in PALETTE if c != PRIMARY]
    markers = "osD^vP*X"
    for i, (name, rows) in enumerate(departed(new_hires, left="termination_date").groupby("name", sort=True)):
        ax.plot(rows["tenure_month"], rows["ramp_attainment_3m"], lw=1.5,
                marker=markers[i // len(colours) % len(markers)],
                color=colours[i % len(colours)], label=name)
    percent_axis(ax, "y")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Month in the job (1 = month of hire)")
    ax.set_ylabel("Bookings / steady quota\n(3-month average)")
    ax.set_title("Ramp: new hires against the cohort")
    legend_outside(ax, "below", ncol=2)
    return fig


NO_CLOSED_DEAL = "No deal closed in the window, so there is no funnel to chart."


def loss_heatmap(conversion_by_group: pd.DataFrame) -> Figure | str:
    """Team x stage loss rates, annotated; darker = more deals lost at that stage; the sentence
    instead when no deal reached a stage."""
    if conversion_by_group.empty or not conversion_by_group["reached"].any():
        return NO_CLOSED_DEAL
    grid = conversion_by_group.pivot(index="group", columns="stage", values="loss_rate")
    grid = grid[[s for s in conversion_by_group["stage"].unique()]].astype(float)
    fig, ax = new_figure(6.5, figure_height_for(len(grid), per_row=0.5) + 1)
    sns.heatmap(grid, annot=True, fmt=".0%", cmap="Reds", cbar_kws={"label": "Lost at the stage"},
                ax=ax, annot_kws={"fontsize": 11})
    percent_axis(ax.collections[0].colorbar.ax, "y")
    ax.tick_params(axis="x", labelrotation=30)
    ax.set_xlabel("Stage (share of the deals reaching it that were lost there)")
    ax.set_ylabel("")
    ax.set_title("Where deals are lost, by team")
    return fig


def stage_time_chart(times: pd.DataFrame) -> Figure | str:
    """Median and 90th percentile days in each open stage, labelled; the sentence instead with
    no exit."""
    if times.empty:
        return "No deal left a stage in the window, so there is no time in stage to chart."
    fig, ax = new_figure(6.5, 4.2)
    x, width = np.arange(len(times)), 0.4
    days = lambda v: formatting.count(v)  # noqa: E731
    bar_labels(ax, ax.bar(x - width / 2, times["median_days"], width, color=PRIMARY,
                          label="Median"), days, fontsize=11)
    bar_labels(ax, ax.bar(x + width / 2, times["p90_days"], width, color=NEUTRAL,
                          label="90th percentile"), days, fontsize=11)
    ax.set_xticks(x, times["stage"].astype(str), rotation=20, ha="right")
    ax.set_ylabel("Days in stage")
    ax.set_title("Time in stage")
    legend_outside(ax, "below")
    return fig


def trend_chart(trend: pd.DataFrame, currency: str = "USD") -> list[Figure] | str:
    """By fiscal quarter: bookings (and quota) bars, then win rate (and attainment and ranked
    reps at quota, with quotas) lines; the sentence instead with no quarter."""
    if trend.empty:
        return "No quarter is covered by the deals, so there is no trend to chart."
    quota = "quota" in trend
    x = np.arange(len(trend))
    labels = [q.replace(" ", "\n") + ("*" if not done else "")
              for q, done in zip(trend["quarter"], trend["complete"], strict=True)]
    money_fig, top = new_figure(6.5, 4.0)
    width = 0.4 if quota else 0.6
    top.bar(x - (width / 2 if quota else 0), trend["bookings"], width=width, color=PRIMARY,
            label="Bookings")
    if quota:
        top.bar(x + width / 2, trend["quota"], width=width, color=NEUTRAL, label="Quota")
    money_axis(top, currency)
    top.set_ylabel(f"Amount ({currency})")
    top.set_title("Bookings by quarter (* = to date)" + (" vs quota" if quota else ""))
    period_axis(top, labels)
    top.tick_params(axis="x", labelsize=11)
    legend_outside(top, "below")
    rate_fig, bottom = new_figure(6.5, 4.0)
    if quota:
        bottom.plot(x, trend["attainment"], marker="o", lw=2, color=PRIMARY, label="Attainment")
        bottom.plot(x, trend["share_at_quota"], marker="s", lw=2, color=ACCENT,
                    label="Ranked reps at quota")
    bottom.plot(x, trend["win_rate"], marker="^", lw=2, color=GOOD, label="Win rate (count)")
    bottom.set_ylim(bottom=0)
    percent_axis(bottom)
    bottom.set_title("Rates by quarter (* = to date)")
    period_axis(bottom, labels)
    bottom.tick_params(axis="x", labelsize=11)
    legend_outside(bottom, "below")
    return [money_fig, rate_fig]


# -- report tables -------------------------------------------------------------------------------
def headline_table(headline: pd.DataFrame, currency: str = "USD",
                   compare_to: tuple[str, ...] = ("previous", "last_year")) -> Styler:
    """Current period vs the ``compare_to`` periods (same number of days) the deals cover."""
    rows = [n for n in ("current", *compare_to) if headline.loc[n, "measured"]]
    data = headline.loc[rows].reset_index()
    data["compared"] = data["compared"].map({"current": "This period", "previous": "Previous period",
                                             "last_year": "Same period last year"})
    cols = {"compared": ("", None), "period": ("Period", None), "through": ("Through", "date"),
            **column_specs(data, ("bookings", "quota", "attainment", "win_rate", "avg_deal_size",
                                  "median_cycle_days", "pipeline_created",
                                  "created_without_amount"))}
    return report_table(data, cols, currency, "Headline vs comparison periods (to the same day)")


def leaderboard_table(board: pd.DataFrame, currency: str = "USD") -> HTML | str:
    """Ranked reps with quartile, departed reps marked; unranked reps listed last with the
    reason; the top 15 with the whole table expandable when longer; the sentence instead with
    no rep."""
    if board.empty:
        return "No rep was employed or had a deal in the period."
    cols = {"rank": ("Rank", "int"), "quartile": ("Quartile", "int"), "name": ("Rep", None),
            "team": ("Team", None), "bookings": ("Bookings", "money"), "quota": ("Quota", "money"),
            "attainment": ("Attainment", "pct"), "win_rate": ("Win rate", "pct"),
            "tenure_months": ("Tenure (months)", "int"), "not_ranked": ("Not ranked because", None)}
    if not board["not_ranked"].astype(bool).any():
        del cols["not_ranked"]
    by = ranked_by(board)

    def render(rows: pd.DataFrame) -> Styler:
        marks = {"good": {"attainment": rows["attainment"] >= 1},
                 "bad": {"attainment": rows["attainment"] < 0.5}} if by == "attainment" else {}
        return report_table(rows, cols, currency, f"Leaderboard by {by}, period to date", **marks)

    return limited(departed(board, left="termination_date"), render, noun="reps", order=f"rank ({by})")


def diagnosis_table(diagnosis: Diagnosis, currency: str = "USD",
                    window: str = "trailing 12 months") -> HTML | str:
    """Reps diagnosed below the bar with their driver and the peer medians (without the rep) it
    is judged against; the sentence instead when no rep is diagnosed."""
    table = diagnosis.reps
    if table.empty:
        return f"No rep is diagnosed below the bar over {window}."
    cols = {"name": ("Rep", None), "team": ("Team", None), "attainment": ("Attainment", "pct"),
            "tenure_months": ("Tenure (months)", "int"),
            "driver": ("Main driver", None), "driver_gap": ("Gap to peers", "pct"),
            "pipeline_to_quota": ("Pipeline / quota", "ratio"),
            "peer_pipeline_to_quota": ("Peer pipeline / quota", "ratio"),
            "win_rate": ("Win rate", "pct"), "peer_win_rate": ("Peer win rate", "pct"),
            "avg_deal_size": ("Avg deal", "money"),
            "peer_avg_deal_size": ("Peer avg deal", "money"),
            "median_cycle_days": ("Cycle (days)", "int"),
            "peer_median_cycle_days": ("Peer cycle (days)", "int"), "peers": ("Peer group", None)}

    def render(rows: pd.DataFrame) -> Styler:
        return report_table(rows, cols, currency, f"Diagnosis of reps below the bar ({window})",
                            bad={"driver_gap": rows["driver_gap"] >= 0.25})

    return limited(departed(table, left="termination_date"), render, noun="reps",
                   order="attainment, lowest first")


def consistency_table(table: pd.DataFrame) -> HTML | str:
    """Reps by consistency label with periods at quota and monthly CV, departed reps marked; the
    sentence instead when no rep is judged yet."""
    order = {"consistently good": 0, "consistently weak": 1, "volatile": 2, "mixed": 3}
    data = table.loc[table["label"].isin(order)].sort_values(
        ["label", "share_at_quota"], key=lambda c: c.map(order) if c.name == "label" else -c)
    if data.empty:
        return "No rep has enough history to judge consistency yet."
    cols = {"name": ("Rep", None), "team": ("Team", None), "label": ("Pattern", None),
            "periods_at_quota": ("Periods at quota", "int"),
            "periods_with_quota": ("of periods", "int"),
            "cv": ("Monthly variation (CV)", "float"),
            "monthly_mean": ("Avg monthly bookings", "money")}

    def render(rows: pd.DataFrame) -> Styler:
        return report_table(rows, cols, caption="Consistency over recent periods",
                            good={"label": rows["label"] == "consistently good"},
                            bad={"label": rows["label"] == "consistently weak"})

    return limited(departed(data, left="termination_date"), render, noun="reps",
                   order="pattern (consistently good, weak, volatile, mixed)")


def vacated_table(vacated: pd.DataFrame) -> Styler | str:
    """Recently vacated seats and whether a hire has backfilled them; the sentence instead when
    no seat was vacated."""
    if vacated.empty:
        return "No seat was vacated recently."
    cols = {"name": ("Left", None), "team": ("Team", None), "manager": ("Manager", None),
            "termination_date": ("Last day", "date"), "backfilled_by": ("Backfilled by", None)}
    return report_table(vacated, cols, caption="Recently vacated seats",
                        bad={"backfilled_by": vacated["open"]})


def funnel_table(conversion: pd.DataFrame, times: pd.DataFrame) -> Styler | str:
    """Company stage conversion with loss rate and time in stage; the sentence instead when no
    deal closed in the window."""
    if conversion.empty or not conversion["reached"].any():
        return NO_CLOSED_DEAL
    data = conversion.merge(times[["stage", "median_days", "p90_days"]], on="stage", how="left")
    cols = {"stage": ("Stage", None), "reached": ("Deals reached", "int"),
            "conversion": ("Converted to next", "pct"), "next_stage": ("Next stage", None),
            "loss_rate": ("Lost here", "pct"), "median_days": ("Median days", "int"),
            "p90_days": ("90th pct days", "int")}
    return report_table(data, cols, caption="Funnel (deals closed in the last 12 months)")


def trend_table(trend: pd.DataFrame, currency: str = "USD") -> Styler:
    """Headline metrics by measured quarter (quota columns only with quotas); reps at quota as
    "2 of 26 (8%)" of the quarter's ranked reps."""
    data = trend
    if "share_at_quota" in trend:
        data = trend.assign(reps_at_quota_text=[
            reps_at_quota_text(RepsAtQuota(int(k), int(n)))
            for k, n in zip(trend["reps_at_quota"], trend["ranked_reps"], strict=True)])
    cols = {"quarter": ("Quarter", None), **column_specs(data, ("bookings", "quota", "attainment")),
            "reps_at_quota_text": ("Ranked reps at quota", None),
            "win_rate": ("Win rate", "pct"), "avg_deal_size": ("Avg deal size", "money"),
            "median_cycle_days": ("Median cycle (days)", "int"),
            **column_specs(data, ("pipeline_created", "created_without_amount"))}
    return report_table(data, cols, currency, "Quarterly trend (last row to date if running)")


def velocity_table(velocity: pd.DataFrame, currency: str = "USD") -> Styler:
    """Pipeline velocity per team (when the roster has teams) and for the scope (money per day)."""
    cols = {"group": ("Team" if len(velocity) > 1 else "Scope", None),
            "open_deals": ("Open deals", "int"), "win_rate": ("Win rate", "pct"),
            "avg_deal_size": ("Avg deal size", "money"),
            "cycle_days": ("Median cycle (days)", "int"),
            "velocity_per_day": (f"Velocity ({currency}/day)", "money")}
    return report_table(velocity, cols, currency,
                        "Pipeline velocity = open deals x win rate x deal size / cycle")
