"""The planning report's generated sentences and its headline numbers for the cover. Every
figure is formatted as the report's tables and tiles show it."""

from __future__ import annotations

from salesops.analysis.planning.plan_comp import PlanComp, Range
from salesops.presentation import formatting
from salesops.presentation.formatting import money, pct, plural
from salesops.presentation.headline import Headline, as_value


def _money(v: float, currency: str) -> str:
    return money(v, currency, compact=True)


def range_phrase(r: Range, fmt) -> str:
    """'between $1.8M and $2.1M in 8 years of 10' (the P10 and P90, as ``fmt`` shows them), or
    '$1.8M in at least 8 years of 10' when both show the same figure."""
    low, high = fmt(r.p10), fmt(r.p90)
    if low == high:
        return f"{low} in at least 8 years of 10"
    return f"between {low} and {high} in 8 years of 10"


def comp_tiles(pc: PlanComp, currency: str = "USD") -> list[tuple[str, str]]:
    """The plan year's variable pay (P10, median, P90), its budget and the median cost of sales."""
    r = pc.payout
    return [("P10: 1 simulated year in 10 below", _money(r.p10, currency)),
            ("Median variable pay", _money(r.median, currency)),
            ("P90: 1 simulated year in 10 above", _money(r.p90, currency)),
            ("Budget (on-target variable pay)", _money(pc.budget, currency)),
            ("Cost of sales, median year", pct(pc.cost_of_sales.median, 1))]


def comp_sentences(pc: PlanComp, currency: str = "USD") -> list[str]:
    """What next year's plan costs under the planned quotas: the median year's variable pay and
    its range against the budget, the cost of sales and the share of reps at quota."""
    r, reps = pc.payout, int(pc.by_draw["reps"].iloc[0]) if len(pc.by_draw) else 0
    out = [f"Under {pc.plan.name}, {pc.year.label}'s variable pay on the planned quotas is "
           f"{_money(r.median, currency)} in the median of {plural(pc.draws, 'simulated year')}, "
           f"{range_phrase(r, lambda v: _money(v, currency))} (P10 to P90), against a budget of "
           f"{_money(pc.budget, currency)} (the on-target variable pay of "
           f"{plural(reps, 'rep')} on the plan): {pct(pc.payout_vs_budget.median)} of budget "
           "in the median year."]
    c = pc.cost_of_sales
    if not formatting.missing(c.median):
        out.append(f"Cost of sales (variable pay / credited bookings): {pct(c.median, 1)} in the "
                   f"median year, {range_phrase(c, lambda v: pct(v, 1))}.")
    a = pc.at_quota
    if not formatting.missing(a.median):
        out.append(f"Reps on the plan at or above their annual quota: {pct(a.median)} in the "
                   f"median year, {range_phrase(a, pct)}.")
    return out


def comp_headline(pc: PlanComp, currency: str = "USD") -> list[Headline]:
    """The cover's comp numbers: the median year's variable pay (its range in the note) and
    cost of sales."""
    r, period = pc.payout, pc.year.label
    return [Headline("comp_payout", "Variable pay next year", as_value(r.median),
                     _money(r.median, currency), period,
                     f"80% range {_money(r.p10, currency)} to {_money(r.p90, currency)}; budget "
                     f"{_money(pc.budget, currency)}"),
            Headline("comp_cost_of_sales", "Cost of sales next year",
                     as_value(pc.cost_of_sales.median), pct(pc.cost_of_sales.median, 1), period,
                     "variable pay / credited bookings, median year")]
