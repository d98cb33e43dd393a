"""Planning report charts in the house style: headcount by month, seasonality, next year's comp
payout over the simulated years, simulated attainment by rep, territory balance today and
rebalanced."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from salesops.analysis.planning.assignment import TerritoryPlan
from salesops.analysis.planning.capacity import CapacityPlan
from salesops.analysis.planning.phasing import Seasonality
from salesops.analysis.planning.plan_comp import PlanComp
from salesops.analysis.planning.realism import Realism
from salesops.data.periods import FiscalCalendar
from salesops.presentation.formatting import money, pct
from salesops.presentation.style import (
    ACCENT,
    BAD,
    GOOD,
    MAX_WIDTH,
    NEUTRAL,
    PRIMARY,
    count_axis,
    figure_height_for,
    legend_outside,
    money_axis,
    new_figure,
    percent_axis,
    period_axis,
)


def comp_range_chart(pc: PlanComp, currency: str = "USD") -> Figure:
    """The plan year's total variable pay in each simulated year (a histogram) with the P10,
    median and P90 and the budget marked, each in the key with its figure."""
    fig, ax = new_figure(MAX_WIDTH, 4.5)
    payout = pc.by_draw["payout"].to_numpy(float)
    ax.hist(payout, bins=min(40, max(5, len(payout) // 5)), color=PRIMARY, edgecolor="white",
            label="Simulated years")
    r = pc.payout
    for value, style, what in ((r.p10, ":", "P10, 1 year in 10 below"),
                               (r.median, "-", "Median"),
                               (r.p90, "--", "P90, 1 year in 10 above")):
        ax.axvline(value, color=BAD, lw=2, ls=style,
                   label=f"{what}: {money(value, currency, compact=True)}")
    if np.isfinite(pc.budget) and pc.budget > 0:
        ax.axvline(pc.budget, color=GOOD, lw=2.5,
                   label=f"Budget: {money(pc.budget, currency, compact=True)}")
    money_axis(ax, currency, axis="x")
    count_axis(ax)
    ax.set_xlabel(f"Total variable pay, {pc.year.label} (simulated)")
    ax.set_ylabel("Simulated years")
    ax.set_title(f"{pc.year.label} variable pay under the planned quotas")
    legend_outside(ax, "below", ncol=1)
    plt.close(fig)
    return fig


def headcount_chart(cp: CapacityPlan) -> Figure:
    """Expected reps on roll and effective reps (ramp-weighted) in each month of the plan year."""
    rows = cp.by_month.loc[cp.by_month["in_plan_year"]]
    fig, ax = new_figure(MAX_WIDTH, 4.0)
    x = np.arange(len(rows))
    ax.bar(x, rows["effective_headcount"], color=PRIMARY, label="Effective reps (ramp-weighted)")
    ax.plot(x, rows["headcount"], color=ACCENT, lw=2.5, marker="o", label="Reps on roll")
    period_axis(ax, rows["month"].dt.strftime("%Y-%m").tolist())
    ax.set_ylim(0, max(float(rows["headcount"].max()), 1.0) * 1.1)
    ax.set_ylabel("Reps (expected)")
    ax.set_title(f"Headcount by month, {cp.year.label}")
    legend_outside(ax, "below", ncol=1)
    plt.close(fig)
    return fig


def seasonality_chart(season: Seasonality, calendar: FiscalCalendar) -> Figure:
    """The seasonal index of each fiscal month (1 = an average month) the quotas are phased by."""
    fig, ax = new_figure(MAX_WIDTH, 3.8)
    names = [pd.Timestamp(2000, (calendar.start_month - 1 + m - 1) % 12 + 1, 1).strftime("%b")
             for m in season.factor.index]
    x = np.arange(len(names))
    ax.bar(x, season.factor.to_numpy(float), color=PRIMARY, label="Seasonal index")
    ax.axhline(1.0, color=NEUTRAL, lw=1.5, ls="--", label="An average month")
    ax.set_xticks(x, names)
    percent_axis(ax)
    ax.set_ylabel("Share of an average month")
    ax.set_title(f"Seasonality over {season.months_used} months of bookings")
    legend_outside(ax, "below", ncol=2)
    plt.close(fig)
    return fig


def balance_chart(tp: TerritoryPlan, names: pd.Series | None = None) -> Figure:
    """Each territory's potential against its average (deviation), today and rebalanced, with
    the tolerance band; territories ordered by today's deviation. ``names``: a label per
    territory (default its name)."""
    before = tp.before.set_index("territory")["deviation"]
    after = tp.after.set_index("territory")["deviation"].reindex(before.index)
    order = before.sort_values(kind="stable").index
    labels = (names.reindex(order) if names is not None else pd.Series(order, index=order))
    fig, ax = new_figure(MAX_WIDTH, figure_height_for(len(order), per_row=0.36, minimum=3.5))
    y = np.arange(len(order))
    ax.barh(y + 0.2, before[order].to_numpy(float), height=0.4, color=NEUTRAL, label="Today")
    ax.barh(y - 0.2, after[order].to_numpy(float), height=0.4, color=PRIMARY, label="Rebalanced")
    ax.axvspan(-tp.tolerance, tp.tolerance, color=GOOD, alpha=0.15,
               label=f"Within {pct(tp.tolerance)} of the average")
    ax.axvline(0, color="#333333", lw=1)
    ax.set_yticks(y, labels.astype(str).tolist())
    ax.grid(axis="y", visible=False)
    percent_axis(ax, "x")
    ax.set_xlabel("Potential against the average territory")
    ax.set_title("Territory balance on potential")
    legend_outside(ax, "below", ncol=1)
    plt.close(fig)
    return fig


def realism_chart(real: Realism, names: pd.Series | None = None, limit: int = 30) -> Figure:
    """Each rep's simulated attainment of the annual quota: P10 to P90 as a bar, the median as a
    dot, 100% marked; the ``limit`` reps least likely to reach quota when there are more
    (``names``: a label per rep_id, default the id)."""
    reps = real.reps.loc[real.reps["quota"] > 0].head(limit).iloc[::-1]
    labels = [str(names.get(r, r)) if names is not None else str(r) for r in reps["rep_id"]]
    low, mid, high = (reps[c].to_numpy(float) / reps["quota"].to_numpy(float)
                      for c in ("bookings_p10", "bookings_median", "bookings_p90"))
    fig, ax = new_figure(MAX_WIDTH, figure_height_for(len(reps), per_row=0.34, minimum=3.5))
    y = np.arange(len(reps))
    ax.barh(y, high - low, left=low, height=0.5, color=PRIMARY, alpha=0.45,
            label="P10 to P90 of the simulated years")
    ax.scatter(mid, y, color=PRIMARY, zorder=3, label="Median year")
    ax.axvline(1.0, color=BAD, lw=2, label="Quota (100%)")
    ax.set_xlim(0, max(float(np.nanmax(high)) if len(high) else 0.0, 1.0) * 1.05)
    ax.set_yticks(y, labels)
    ax.grid(axis="y", visible=False)
    percent_axis(ax, "x")
    ax.set_xlabel("Simulated bookings / annual quota")
    cut = len(real.reps) > len(reps)
    ax.set_title("Simulated attainment by rep" + (f", the {len(reps)} least likely" if cut else ""))
    legend_outside(ax, "below", ncol=1)
    plt.close(fig)
    return fig
