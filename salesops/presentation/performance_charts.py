"""Performance review charts (house style, each returns a Figure) and report tables (Stylers).

A chart or table with nothing to show returns the sentence saying so instead. ``section`` makes
one report section one HTML block: its charts, tables and sentences when the data supports it,
else the one sentence saying what is missing. Columns the data does not have (quota without a
quotas table, team without a roster) are left out, never shown empty.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import HTML
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from pandas.io.formats.style import Styler

from salesops.analysis.performance.leaderboard import (
    AttainmentDistribution,
    RepsAtQuota,
    ranked_by,
)
from salesops.presentation.narrative import reps_at_quota_text
from salesops.presentation.sections import figure_html, show
from salesops.presentation.style import (
    BAD,
    GOOD,
    NEUTRAL,
    PALETTE,
    PRIMARY,
    count_axis,
    figure_height_for,
    money_axis,
    new_figure,
    percent_axis,
)
from salesops.presentation.tables import limited, report_table

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
    return show(review.sections[name], lambda: HTML(_html(render())))


def _html(item: Any) -> str:
    """HTML of a sentence (escaped), figure (embedded PNG, then closed), table or HTML block."""
    if item is None:
        return ""
    if isinstance(item, list | tuple):
        return "".join(_html(i) for i in item)
    if isinstance(item, str):
        return f"<p>{html.escape(item)}</p>"
    if isinstance(item, Figure):
        return figure_html(item)
    if isinstance(item, Styler):
        return item.to_html()
    if isinstance(item, HTML):
        return item.data
    raise TypeError(f"cannot show a {type(item).__name__} in a report section")


def attainment_histogram(board: pd.DataFrame, dist: AttainmentDistribution) -> Figure | str:
    """Distribution of ranked reps' attainment with the quota line (and the pace line mid-period);
    the sentence instead with no ranked rep."""
    ranked = board.loc[board["rank"].notna(), "attainment"].astype(float)
    if ranked.empty:
        return NO_RANKED_REP
    fig, ax = new_figure(9, 4)
    top = max(2.0, float(np.ceil(ranked.quantile(0.95) * 4) / 4))
    bins = np.arange(0, top + 0.25, 0.125)
    sns.histplot(ranked.clip(upper=top), bins=bins, color=PRIMARY, ax=ax)
    ax.axvline(1.0, color=GOOD, lw=2, label="Quota (100%)")
    if dist.elapsed < 1:
        ax.axvline(dist.elapsed, color=NEUTRAL, lw=1.5, ls="--",
                   label=f"On pace ({dist.elapsed:.0%} of period elapsed)")
    ax.axvline(dist.median_attainment, color=BAD, lw=1.5, ls=":", label="Median rep")
    ax.legend(loc="upper right")
    percent_axis(ax, "x")
    ax.set_xlabel("Attainment (bookings / quota, %; last bar includes everything above)")
    ax.set_ylabel("Reps (count)")
    count_axis(ax)
    ax.set_title(f"Attainment distribution: {dist.at_quota} of {dist.ranked_reps} ranked reps "
                 "at quota")
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


def with_departures(table: pd.DataFrame) -> pd.DataFrame:
    """Rep names marked "(left 2026-09)" where the roster gives a termination date."""
    if "termination_date" not in table or "name" not in table:
        return table
    left = pd.to_datetime(table["termination_date"])
    marks = (" (left " + left.dt.strftime("%Y-%m") + ")").where(left.notna(), "")
    return table.assign(name=table["name"].astype(str) + marks)


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
    one manager (saying so), else by manager and by team; the team bookings chart."""
    levels = ("region", "team") if review.one_manager_per_team else ("region", "manager", "team")
    blocks = []
    for level in levels:
        merged = level == "team" and review.one_manager_per_team
        caption = "By team and manager" if merged else f"By {level}"
        blocks.append(section(review, f"rollups_by_{level}", lambda level=level, merged=merged,
                              caption=caption: [
            "Each team has one manager, so the team and manager rollups are one table."
            if merged else None,
            rollup_table(review.rollups[level], level, currency, caption=caption),
            bookings_chart(review.rollups[level], level, currency) if level == "team" else None]))
    return HTML("".join(b.data for b in blocks))


def leaderboard_chart(board: pd.DataFrame, currency: str = "USD", max_bars: int = 60
                      ) -> Figure | str:
    """Horizontal bars of ranked reps' attainment (or bookings without quotas), best on top, one
    readable row per rep; the sentence instead with no ranked rep.

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
    fig, ax = new_figure(9, figure_height_for(len(ys) + (n > max_bars)))
    teams = shown["team"] if "team" in shown else [None] * len(shown)
    labels = [f"{int(r)}. {name}" + (f" ({team})" if team is not None else "")
              for r, name, team in zip(shown["rank"], shown["name"], teams, strict=True)]
    if metric == "attainment":
        colors = [GOOD if a >= 1 else BAD if a < 0.5 else PRIMARY for a in shown["attainment"]]
        ax.barh(ys, shown["attainment"].clip(upper=3), color=colors)
        ax.axvline(1.0, color=NEUTRAL, lw=1.5, ls="--")
        percent_axis(ax, "x")
        ax.set_xlabel("Attainment (bookings / quota, %; bars capped at 300%)")
        note = " (green: at quota, red: under 50%)"
    else:
        ax.barh(ys, shown["bookings"], color=PRIMARY)
        money_axis(ax, currency, "x")
        ax.set_xlabel(f"Bookings ({currency})")
        note = " by bookings"
    ax.set_yticks(ys, labels, fontsize=8 if len(ys) > 40 else 10)
    if n > max_bars:
        ax.text(0.01, half, f"... {n - max_bars} reps in between ...", va="center",
                transform=ax.get_yaxis_transform(), color=NEUTRAL, fontsize=9)
    ax.invert_yaxis()
    scope = f"top and bottom {half} of {n} ranked reps" if n > max_bars else f"{n} ranked reps"
    ax.set_title(f"Rep leaderboard, {scope}{note}")
    ax.margins(y=0.01)
    return fig


def bookings_chart(table: pd.DataFrame, level: str, currency: str = "USD") -> Figure | str:
    """Bars of bookings per ``level`` value (e.g. team), beside quota when the table has it; the
    sentence instead with no row."""
    if table.empty:
        return f"No {level} has deals in the period, so there is nothing to chart."
    data = table.sort_values("bookings", ascending=False)
    measures = ["bookings", "quota"] if "quota" in data else ["bookings"]
    long = data.melt(id_vars=level, value_vars=measures, var_name="measure", value_name="amount")
    long["measure"] = long["measure"].str.title()
    fig, ax = new_figure(9, figure_height_for(len(data), per_row=0.55))
    sns.barplot(long, y=level, x="amount", hue="measure", ax=ax,
                palette=[PRIMARY, NEUTRAL][:len(measures)], orient="h")
    money_axis(ax, currency, "x")
    ax.set_xlabel(f"Amount ({currency})")
    ax.set_ylabel("")
    ax.set_title(f"Bookings vs quota by {level}" if "quota" in data else f"Bookings by {level}")
    ax.legend(title="")
    return fig


def consistency_chart(table: pd.DataFrame) -> Figure | str:
    """Share of recent periods at quota vs monthly volatility (CV), coloured by label; the
    sentence instead when no rep has both."""
    data = table.dropna(subset=["cv", "share_at_quota"])
    if data.empty:
        return "No rep has both periods with quota and months observed yet, so nothing to chart."
    fig, ax = new_figure(9, 4.5)
    sns.scatterplot(data, x="cv", y="share_at_quota", hue="label", ax=ax, s=60, alpha=0.8,
                    palette={"consistently good": GOOD, "consistently weak": BAD,
                             "volatile": PALETTE[2], "mixed": NEUTRAL,
                             "too new to judge": PALETTE[6]})
    percent_axis(ax, "y")
    ax.set_xlabel("Coefficient of variation of monthly bookings (std / mean)")
    ax.set_ylabel("Periods at quota (% of recent periods)")
    ax.set_title("Consistency: how often at quota vs how lumpy")
    ax.legend(title="", loc="best")
    return fig


def ramp_chart(cohort: pd.DataFrame, new_hires: pd.DataFrame) -> Figure | str:
    """Cohort ramp curve (median, interquartile band) with each new hire's months on top; the
    sentence instead with no cohort month."""
    if cohort.empty:
        return "No hire was observed from their first month, so there is no ramp curve."
    fig, ax = new_figure(9, 4.5)
    ax.fill_between(cohort["tenure_month"], cohort["p25"], cohort["p75"], color=NEUTRAL,
                    alpha=0.2, label="Cohort middle 50%")
    ax.plot(cohort["tenure_month"], cohort["median"], color=PRIMARY, lw=2.5, label="Cohort median")
    for i, (name, rows) in enumerate(new_hires.groupby("name", sort=True)):
        ax.plot(rows["tenure_month"], rows["ramp_attainment_3m"], marker="o", lw=1,
                color=PALETTE[(i + 2) % len(PALETTE)], label=name)
    percent_axis(ax, "y")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Tenure month (1 = month of hire)")
    ax.set_ylabel("Bookings / steady monthly quota\n(3-month average, %)")
    ax.set_title("Ramp: new hires against the cohort curve")
    ax.legend(loc="upper left", fontsize=8, ncol=2)
    return fig


NO_CLOSED_DEAL = "No deal closed in the window, so there is no funnel to chart."


def loss_heatmap(conversion_by_group: pd.DataFrame) -> Figure | str:
    """Team x stage loss rates, annotated; darker = more deals lost at that stage; the sentence
    instead when no deal reached a stage."""
    if conversion_by_group.empty or not conversion_by_group["reached"].any():
        return NO_CLOSED_DEAL
    grid = conversion_by_group.pivot(index="group", columns="stage", values="loss_rate")
    grid = grid[[s for s in conversion_by_group["stage"].unique()]].astype(float)
    fig, ax = new_figure(9, figure_height_for(len(grid), per_row=0.45))
    sns.heatmap(grid, annot=True, fmt=".0%", cmap="Reds", cbar_kws={"label": "Loss rate (%)"},
                ax=ax)
    ax.set_xlabel("Stage (share of deals reaching it that were lost there)")
    ax.set_ylabel("")
    ax.set_title("Where deals are lost, by team")
    return fig


def stage_time_chart(times: pd.DataFrame) -> Figure | str:
    """Median and 90th percentile days in each open stage; the sentence instead with no exit."""
    if times.empty:
        return "No deal left a stage in the window, so there is no time in stage to chart."
    long = times.melt(id_vars="stage", value_vars=["median_days", "p90_days"], var_name="stat",
                      value_name="days")
    long["stat"] = long["stat"].map({"median_days": "Median", "p90_days": "90th percentile"})
    fig, ax = new_figure(9, 3.8)
    sns.barplot(long, x="stage", y="days", hue="stat", ax=ax, palette=[PRIMARY, NEUTRAL])
    ax.set_xlabel("")
    ax.set_ylabel("Days in stage")
    ax.set_title("Time in stage")
    ax.legend(title="")
    return fig


def trend_chart(trend: pd.DataFrame, currency: str = "USD") -> Figure | str:
    """Bookings (and quota) bars with win rate (and attainment and share of reps at quota, when
    there are quotas), by quarter; the sentence instead with no quarter."""
    if trend.empty:
        return "No quarter is covered by the deals, so there is no trend to chart."
    quota = "quota" in trend
    fig, top = new_figure(10, 6.5)
    fig.delaxes(top)
    top, bottom = fig.subplots(2, 1, sharex=True)
    x = np.arange(len(trend))
    labels = [q.replace(" ", "\n") + ("*" if not done else "")
              for q, done in zip(trend["quarter"], trend["complete"], strict=True)]
    width = 0.4 if quota else 0.6
    top.bar(x - (0.2 if quota else 0), trend["bookings"], width=width, color=PRIMARY,
            label="Bookings")
    if quota:
        top.bar(x + 0.2, trend["quota"], width=width, color=NEUTRAL, label="Quota")
        bottom.plot(x, trend["attainment"], marker="o", color=PRIMARY, label="Attainment")
        bottom.plot(x, trend["share_at_quota"], marker="s", color=GOOD, label="Reps at quota")
    money_axis(top, currency)
    top.set_ylabel(f"Amount ({currency})")
    top.set_title("Last quarters (* = to date)")
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    bottom.plot(x, trend["win_rate"], marker="^", color=PALETTE[2], label="Win rate (count)")
    percent_axis(bottom)
    bottom.set_ylabel("Percent")
    bottom.set_xticks(x, labels)
    bottom.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


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

    return limited(with_departures(board), render, noun="reps", order=f"rank ({by})")


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

    return limited(with_departures(table), render, noun="reps", order="attainment, lowest first")


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

    return limited(with_departures(data), render, noun="reps",
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
