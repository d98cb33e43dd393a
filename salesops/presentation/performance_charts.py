"""Performance review charts (house style, each returns a Figure) and report tables (Stylers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from salesops.analysis.performance.leaderboard import AttainmentDistribution
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
from salesops.presentation.tables import report_table, styled_table


def attainment_histogram(board: pd.DataFrame, dist: AttainmentDistribution) -> Figure:
    """Distribution of ranked reps' attainment with the quota line (and the pace line mid-period)."""
    ranked = board.loc[board["rank"].notna(), "attainment"].astype(float)
    fig, ax = new_figure(9, 4)
    if ranked.empty:
        ax.text(0.5, 0.5, "No ranked reps in this period", ha="center", va="center",
                transform=ax.transAxes)
    else:
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
    "coverage": ("Next-period coverage", "float"),
}


def rollup_table(table: pd.DataFrame, level: str, currency: str = "USD", caption: str | None = None):
    """Escaped, formatted rollup (one row per ``level`` value); attainment >= 100% in green, < 50% red."""
    shown = [c for c in ROLLUP_COLUMNS if c in table.columns
             and (c != "coverage" or table[c].notna().any())]  # coverage needs next quota
    out = table[[level, *shown]].sort_values("bookings", ascending=False).reset_index(drop=True)
    headers = {level: level.replace("_", " ").title(), **{c: ROLLUP_COLUMNS[c][0] for c in shown}}
    att = out["attainment"]
    return styled_table(
        out.rename(columns=headers), {headers[c]: ROLLUP_COLUMNS[c][1] for c in shown},
        currency=currency, caption=caption,
        good={"Attainment": att >= 1.0}, bad={"Attainment": att < 0.5},
    )


def leaderboard_chart(board: pd.DataFrame, currency: str = "USD", max_bars: int = 60) -> Figure:
    """Horizontal bars of ranked reps' attainment, best on top, one readable row per rep.

    With more than ``max_bars`` ranked reps, the top and bottom ``max_bars // 2`` are shown
    around a gap row naming how many are left out.
    """
    ranked = board.loc[board["rank"].notna()].sort_values("attainment", ascending=False)
    n, half = len(ranked), max_bars // 2
    shown = ranked if n <= max_bars else pd.concat([ranked.head(half), ranked.tail(half)])
    ys = np.arange(len(shown)) if n <= max_bars else np.r_[np.arange(half), np.arange(half) + half + 1]
    fig, ax = new_figure(9, figure_height_for(len(ys) + (n > max_bars)))
    labels = [f"{int(r)}. {name} ({team})" for r, name, team in zip(
        shown["rank"], shown["name"], shown["team"], strict=True)]
    colors = [GOOD if a >= 1 else BAD if a < 0.5 else PRIMARY for a in shown["attainment"]]
    ax.barh(ys, shown["attainment"].clip(upper=3), color=colors)
    ax.set_yticks(ys, labels, fontsize=8 if len(ys) > 40 else 10)
    if n > max_bars:
        ax.text(0.01, half, f"... {n - max_bars} reps in between ...", va="center",
                transform=ax.get_yaxis_transform(), color=NEUTRAL, fontsize=9)
    ax.invert_yaxis()
    ax.axvline(1.0, color=NEUTRAL, lw=1.5, ls="--")
    percent_axis(ax, "x")
    ax.set_xlabel("Attainment (bookings / quota, %; bars capped at 300%)")
    scope = f"top and bottom {half} of {n} ranked reps" if n > max_bars else f"{n} ranked reps"
    ax.set_title(f"Rep leaderboard, {scope} (green: at quota, red: under 50%)")
    ax.margins(y=0.01)
    return fig


def bookings_vs_quota(table: pd.DataFrame, level: str, currency: str = "USD") -> Figure:
    """Grouped bars of bookings and quota per ``level`` value (e.g. team)."""
    data = table.sort_values("bookings", ascending=False)
    long = data.melt(id_vars=level, value_vars=["bookings", "quota"], var_name="measure",
                     value_name="amount")
    long["measure"] = long["measure"].str.title()
    fig, ax = new_figure(9, figure_height_for(len(data), per_row=0.55))
    sns.barplot(long, y=level, x="amount", hue="measure", ax=ax,
                palette=[PRIMARY, NEUTRAL], orient="h")
    money_axis(ax, currency, "x")
    ax.set_xlabel(f"Amount ({currency})")
    ax.set_ylabel("")
    ax.set_title(f"Bookings vs quota by {level}")
    ax.legend(title="")
    return fig


def consistency_chart(table: pd.DataFrame) -> Figure:
    """Share of recent periods at quota vs monthly volatility (CV), coloured by label."""
    data = table.dropna(subset=["cv", "share_at_quota"])
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


def ramp_chart(cohort: pd.DataFrame, new_hires: pd.DataFrame) -> Figure:
    """Cohort ramp curve (median, interquartile band) with each new hire's months on top."""
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


def loss_heatmap(conversion_by_group: pd.DataFrame) -> Figure:
    """Team x stage loss rates, annotated; darker = more deals lost at that stage."""
    grid = conversion_by_group.pivot(index="group", columns="stage", values="loss_rate")
    grid = grid[[s for s in conversion_by_group["stage"].unique()]]
    fig, ax = new_figure(9, figure_height_for(len(grid), per_row=0.45))
    sns.heatmap(grid, annot=True, fmt=".0%", cmap="Reds", cbar_kws={"label": "Loss rate (%)"},
                ax=ax)
    ax.set_xlabel("Stage (share of deals reaching it that were lost there)")
    ax.set_ylabel("")
    ax.set_title("Where deals are lost, by team")
    return fig


def stage_time_chart(times: pd.DataFrame) -> Figure:
    """Median and 90th percentile days in each open stage."""
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


def trend_chart(trend: pd.DataFrame, currency: str = "USD") -> Figure:
    """Bookings vs quota bars with attainment and share of reps at quota, by quarter."""
    fig, top = new_figure(10, 6.5)
    fig.delaxes(top)
    top, bottom = fig.subplots(2, 1, sharex=True)
    x = np.arange(len(trend))
    labels = [q.replace(" ", "\n") + ("*" if not done else "")
              for q, done in zip(trend["quarter"], trend["complete"], strict=True)]
    top.bar(x - 0.2, trend["bookings"], width=0.4, color=PRIMARY, label="Bookings")
    top.bar(x + 0.2, trend["quota"], width=0.4, color=NEUTRAL, label="Quota")
    money_axis(top, currency)
    top.set_ylabel(f"Amount ({currency})")
    top.set_title("Last quarters (* = to date)")
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    bottom.plot(x, trend["attainment"], marker="o", color=PRIMARY, label="Attainment")
    bottom.plot(x, trend["share_at_quota"], marker="s", color=GOOD, label="Reps at quota")
    bottom.plot(x, trend["win_rate"], marker="^", color=PALETTE[2], label="Win rate (count)")
    percent_axis(bottom)
    bottom.set_ylabel("Percent")
    bottom.set_xticks(x, labels)
    bottom.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


# -- report tables -------------------------------------------------------------------------------
def headline_table(headline: pd.DataFrame, currency: str = "USD",
                   compare_to: tuple[str, ...] = ("previous", "last_year")):
    """Current period vs the ``compare_to`` periods (same number of days)."""
    data = headline.loc[["current", *compare_to]].reset_index()
    data["compared"] = data["compared"].map({"current": "This period", "previous": "Previous period",
                                             "last_year": "Same period last year"})
    cols = {"compared": ("", None), "period": ("Period", None), "through": ("Through", "date"),
            **{c: ROLLUP_COLUMNS[c] for c in ("bookings", "quota", "attainment", "win_rate",
                                               "avg_deal_size", "median_cycle_days",
                                               "pipeline_created")}}
    return report_table(data, cols, currency, "Headline vs comparison periods (to the same day)")


def leaderboard_table(board: pd.DataFrame, currency: str = "USD"):
    """Ranked reps with quartile; unranked reps listed last with the reason."""
    cols = {"rank": ("Rank", "int"), "quartile": ("Quartile", "int"), "name": ("Rep", None),
            "team": ("Team", None), "bookings": ("Bookings", "money"), "quota": ("Quota", "money"),
            "attainment": ("Attainment", "pct"), "win_rate": ("Win rate", "pct"),
            "tenure_months": ("Tenure (months)", "int"), "not_ranked": ("Not ranked because", None)}
    att = board["attainment"]
    return report_table(board, cols, currency, "Leaderboard, period to date",
                        good={"attainment": att >= 1}, bad={"attainment": att < 0.5})


def diagnosis_table(diagnosis: pd.DataFrame, currency: str = "USD"):
    """Reps below the threshold with their driver and the peer medians it is judged against."""
    cols = {"name": ("Rep", None), "team": ("Team", None), "attainment": ("Attainment (12 mo)", "pct"),
            "driver": ("Main driver", None), "driver_gap": ("Gap to peers", "pct"),
            "pipeline_to_quota": ("Pipeline / quota", "float"),
            "peer_pipeline_to_quota": ("Peer pipeline / quota", "float"), "win_rate": ("Win rate", "pct"),
            "peer_win_rate": ("Peer win rate", "pct"), "avg_deal_size": ("Avg deal", "money"),
            "peer_avg_deal_size": ("Peer avg deal", "money"),
            "median_cycle_days": ("Cycle (days)", "int"),
            "peer_median_cycle_days": ("Peer cycle (days)", "int"), "peers": ("Peer group", None)}
    return report_table(diagnosis, cols, currency, "Diagnosis of reps below the bar (trailing 12 months)",
                        bad={"driver_gap": diagnosis["driver_gap"] >= 0.25})


def consistency_table(table: pd.DataFrame):
    """Reps by consistency label with periods at quota and monthly CV."""
    order = {"consistently good": 0, "consistently weak": 1, "volatile": 2, "mixed": 3}
    data = table.loc[table["label"].isin(order)].sort_values(
        ["label", "share_at_quota"], key=lambda c: c.map(order) if c.name == "label" else -c)
    cols = {"name": ("Rep", None), "team": ("Team", None), "label": ("Pattern", None),
            "periods_at_quota": ("Periods at quota", "int"),
            "periods_with_quota": ("of periods", "int"), "cv": ("Monthly CV", "float"),
            "monthly_mean": ("Avg monthly bookings", "money")}
    return report_table(data, cols, caption="Consistency over recent periods",
                        good={"label": data["label"] == "consistently good"},
                        bad={"label": data["label"] == "consistently weak"})


def vacated_table(vacated: pd.DataFrame):
    """Recently vacated seats and whether a hire has backfilled them."""
    cols = {"name": ("Left", None), "team": ("Team", None), "manager": ("Manager", None),
            "termination_date": ("Last day", "date"), "backfilled_by": ("Backfilled by", None)}
    return report_table(vacated, cols, caption="Recently vacated seats",
                        bad={"backfilled_by": vacated["open"]})


def funnel_table(conversion: pd.DataFrame, times: pd.DataFrame):
    """Company stage conversion with loss rate and time in stage."""
    data = conversion.merge(times[["stage", "median_days", "p90_days"]], on="stage", how="left")
    cols = {"stage": ("Stage", None), "reached": ("Deals reached", "int"),
            "conversion": ("Converted to next", "pct"), "next_stage": ("Next stage", None),
            "loss_rate": ("Lost here", "pct"), "median_days": ("Median days", "int"),
            "p90_days": ("90th pct days", "int")}
    return report_table(data, cols, caption="Funnel (deals closed in the last 12 months)")


def trend_table(trend: pd.DataFrame, currency: str = "USD"):
    """Headline metrics by quarter."""
    cols = {"quarter": ("Quarter", None), **{c: ROLLUP_COLUMNS[c] for c in (
        "bookings", "quota", "attainment")}, "share_at_quota": ("Reps at quota", "pct"),
        "win_rate": ("Win rate", "pct"), "avg_deal_size": ("Avg deal size", "money"),
        "median_cycle_days": ("Median cycle (days)", "int"),
        "pipeline_created": ("Pipeline created", "money")}
    return report_table(trend, cols, currency, "Quarterly trend (last row to date if running)")


def velocity_table(velocity: pd.DataFrame, currency: str = "USD"):
    """Pipeline velocity per team and for the scope (money per day)."""
    cols = {"group": ("Team", None), "open_deals": ("Open deals", "int"),
            "win_rate": ("Win rate", "pct"), "avg_deal_size": ("Avg deal size", "money"),
            "cycle_days": ("Median cycle (days)", "int"),
            "velocity_per_day": (f"Velocity ({currency}/day)", "money")}
    return report_table(velocity, cols, currency,
                        "Pipeline velocity = open deals x win rate x deal size / cycle")
