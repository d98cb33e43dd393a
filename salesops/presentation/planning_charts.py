"""Planning report charts in the house style: next year's comp payout over the simulated years."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from salesops.analysis.planning.plan_comp import PlanComp
from salesops.presentation.formatting import money
from salesops.presentation.style import (
    BAD,
    GOOD,
    MAX_WIDTH,
    PRIMARY,
    count_axis,
    legend_outside,
    money_axis,
    new_figure,
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
