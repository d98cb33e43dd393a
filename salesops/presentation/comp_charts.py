"""Compensation charts (house style, each returns a Figure) and the comp report tables."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from salesops.analysis.comp.engine import payout_at_attainment
from salesops.analysis.comp.evaluation import AT_QUOTA_NORM
from salesops.analysis.comp.plans import Plan
from salesops.analysis.comp.review import PlanReview
from salesops.analysis.comp.sensitivity import Sensitivity
from salesops.analysis.comp.whatif import WhatIf
from salesops.presentation.formatting import money, number, pct
from salesops.presentation.style import (
    BAD,
    GOOD,
    NEUTRAL,
    PALETTE,
    PRIMARY,
    apply_house_style,
    figure_height_for,
    money_axis,
    new_figure,
    percent_axis,
)
from salesops.presentation.tables import styled_table


def pay_curve(outcomes: pd.DataFrame, plans: list[Plan]) -> Figure:
    """Payout / target vs attainment: every rep as a dot, each plan's curve as a line."""
    fig, ax = new_figure(9, 4.8)
    top = max(2.0, float(np.nanquantile(outcomes["attainment"], 0.98)) if len(outcomes) else 2.0)
    grid = np.linspace(0, top, 241)
    for plan, color in zip(plans, PALETTE[1:], strict=False):
        on_target = float(plan.target_incentive) * {"month": 1, "quarter": 3,
                                                     "year": 12}[plan.quota_period] / 12
        ax.plot(grid, payout_at_attainment(plan, grid) / on_target, color=color, lw=2,
                label=f"{plan.name} (one full period)")
    ax.scatter(outcomes["attainment"].clip(upper=top), outcomes["payout_ratio"], color=PRIMARY,
               s=28, alpha=0.8, zorder=3, label="Reps (whole run)")
    ax.axvline(1.0, color=NEUTRAL, lw=1, ls="--")
    ax.axhline(1.0, color=NEUTRAL, lw=1, ls="--")
    percent_axis(ax, "x")
    percent_axis(ax, "y")
    ax.set_xlabel("Attainment (credit / quota)")
    ax.set_ylabel("Variable pay / target incentive")
    ax.set_title("Pay curve: payout against attainment")
    ax.legend(loc="upper left")
    return fig


def distributions(outcomes: pd.DataFrame) -> Figure:
    """Side by side: attainment and payout/target distributions with the 100% lines."""
    apply_house_style()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, col, title, color in ((axes[0], "attainment", "Attainment", PRIMARY),
                                  (axes[1], "payout_ratio", "Payout / target", PALETTE[1])):
        values = outcomes[col].dropna().clip(upper=3.0)
        sns.histplot(values, bins=np.arange(0, 3.125, 0.125), color=color, ax=ax)
        ax.axvline(1.0, color=GOOD, lw=2)
        percent_axis(ax, "x")
        ax.set_xlabel(f"{title} (last bar: 300% and above)")
        ax.set_ylabel("Reps (count)")
        ax.set_title(f"{title}: {(outcomes[col] >= 1).mean():.0%} of reps at 100% or more")
    return fig


def whatif_chart(whatif: WhatIf, currency: str = "USD") -> Figure:
    """Per-rep payout change under the alternative plan: winners green, losers red."""
    d = whatif.per_rep.sort_values("difference")
    fig, ax = new_figure(9, figure_height_for(len(d), per_row=0.22))
    colors = np.where(d["difference"] >= 0, GOOD, BAD)
    ax.barh(d["name"].astype(str), d["difference"], color=colors)
    ax.axvline(0, color=NEUTRAL, lw=1)
    money_axis(ax, currency, axis="x")
    ax.set_xlabel("Payout under the alternative minus payout under the current plan")
    ax.set_title(f"What-if: {whatif.winners} reps gain, {whatif.losers} lose")
    return fig


def sensitivity_chart(sim: Sensitivity, currency: str = "USD") -> Figure:
    """Distribution of next period's total payout with P10 / P50 / P90 marked."""
    fig, ax = new_figure(9, 4)
    sns.histplot(sim.totals, bins=40, color=PRIMARY, ax=ax)
    for (label, value), style in zip(sim.quantiles().items(), (":", "-", ":"), strict=True):
        ax.axvline(value, color=BAD, lw=1.5, ls=style)
        ax.annotate(label, (value, ax.get_ylim()[1] * 0.95), ha="center", color=BAD)
    money_axis(ax, currency, axis="x")
    ax.set_xlabel("Total variable pay next period (simulated)")
    ax.set_ylabel("Simulations (count)")
    ax.set_title("Sensitivity: next period's payout under attainment uncertainty")
    return fig


def cost_table(cost: pd.DataFrame, by: str = "team", currency: str = "USD") -> Styler:
    """Payout vs budget and cost of sales per group (overall last)."""
    cols = [by, "reps", "payout", "budget", "payout_vs_budget", "bookings", "cost_of_sales"]
    over = cost["payout_vs_budget"] > 1.1
    return styled_table(cost[cols], {"reps": "int", "payout": "money", "budget": "money",
                                     "payout_vs_budget": "pct", "bookings": "money",
                                     "cost_of_sales": "pct1"}, currency,
                        caption="Payout vs budget (on-target variable pay) and comp / bookings",
                        bad={"payout_vs_budget": over})


def whatif_table(whatif: WhatIf, currency: str = "USD", n: int = 5) -> Styler:
    """The biggest winners and losers."""
    d = whatif.per_rep
    rows = pd.concat([d.head(n), d.tail(n)]).drop_duplicates("rep_id")
    cols = ["name", "team", "attainment", "payout_base", "payout_alt", "difference"]
    return styled_table(rows[cols], {"attainment": "pct", "payout_base": "money",
                                     "payout_alt": "money", "difference": "money"}, currency,
                        caption=f"Biggest winners and losers (top and bottom {n})",
                        good={"difference": rows["difference"] > 0},
                        bad={"difference": rows["difference"] < 0})


def summary_sentences(current: PlanReview, alternative: PlanReview, whatif: WhatIf,
                      sim: Sensitivity, currency: str = "USD") -> list[str]:
    """Plain-language headline findings of the plan evaluation."""
    cost = current.cost.iloc[-1]
    d, p = current.distribution, current.p4p
    low, high = AT_QUOTA_NORM
    verdict = ("within" if low <= d.share_at_quota <= high else
               "below" if d.share_at_quota < low else "above")
    q = sim.quantiles()
    return [
        f"Under {current.plan.name}, {d.reps} reps earned {money(cost['payout'], currency)} of "
        f"variable pay against a budget of {money(cost['budget'], currency)} "
        f"({pct(cost['payout_vs_budget'])}), a cost of sales of {pct(cost['cost_of_sales'], 1)}.",
        f"{pct(d.share_at_quota)} of reps reached quota over the run ({verdict} the "
        f"{pct(low)}-{pct(high)} norm) and {pct(d.share_reaching_ote)} reached on-target pay.",
        f"Pay follows performance with a rank correlation of {number(p.rank_correlation, 2)}; "
        f"the top attainment quartile earned {number(p.top_to_bottom, 1)}x the payout/target of "
        "the bottom quartile.",
        f"{alternative.plan.name} would have cost {money(whatif.cost_alt, currency)} "
        f"({'+' if whatif.cost_difference >= 0 else '-'}"
        f"{money(abs(whatif.cost_difference), currency)}): {whatif.winners} reps gain, "
        f"{whatif.losers} lose; rank correlation {number(whatif.p4p_alt.rank_correlation, 2)}.",
        f"Next {current.plan.quota_period}'s variable pay is simulated at "
        f"{money(q['P50'], currency)} (P10 {money(q['P10'], currency)}, "
        f"P90 {money(q['P90'], currency)}).",
    ]
