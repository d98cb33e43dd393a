"""Performance review charts (house style, each returns a Figure) and report tables (Stylers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from salesops.analysis.performance.leaderboard import AttainmentDistribution
from salesops.presentation.style import BAD, GOOD, NEUTRAL, PRIMARY, new_figure, percent_axis
from salesops.presentation.tables import styled_table


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
    shown = [c for c in ROLLUP_COLUMNS if c in table.columns and table[c].notna().any()]
    out = table[[level, *shown]].sort_values("bookings", ascending=False).reset_index(drop=True)
    headers = {level: level.replace("_", " ").title(), **{c: ROLLUP_COLUMNS[c][0] for c in shown}}
    att = out["attainment"]
    return styled_table(
        out.rename(columns=headers), {headers[c]: ROLLUP_COLUMNS[c][1] for c in shown},
        currency=currency, caption=caption,
        good={"Attainment": att >= 1.0}, bad={"Attainment": att < 0.5},
    )
