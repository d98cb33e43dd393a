"""The planning report's generated sentences and its headline numbers for the cover. Every
figure is formatted as the report's tables and tiles show it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from salesops.analysis.planning.account_book import AccountBook
from salesops.analysis.planning.assignment import TerritoryPlan
from salesops.analysis.planning.attrition import Attrition
from salesops.analysis.planning.capacity import CapacityPlan
from salesops.analysis.planning.phasing import Seasonality
from salesops.analysis.planning.plan_comp import PlanComp, Range
from salesops.analysis.planning.plan_review import PlanningReview, Target
from salesops.analysis.planning.quotas import Allocation
from salesops.analysis.planning.ramp_profile import RampProfile
from salesops.analysis.planning.realism import Realism
from salesops.data.periods import FiscalCalendar
from salesops.data.plan_output import PLAN_DIR
from salesops.presentation import formatting
from salesops.presentation.formatting import money, pct, plural
from salesops.presentation.headline import Headline, as_value

#: An allocation basis as a sentence names it.
BASIS_NAMES = {"even": "an even split", "prior_year": "each rep's bookings in the prior fiscal year",
               "trailing_12m": "each rep's bookings in the last 12 complete months",
               "potential": "the potential of each rep's territory"}


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


def target_sentence(t: Target, year: str, currency: str = "USD") -> str:
    """Where the plan year's target comes from: given, or last year's bookings grown."""
    if t.given:
        return f"The {year} target is {_money(t.amount, currency)} of bookings (as given)."
    if not t.known:
        return (f"No target was given, and the history holds only {t.months} of the 12 "
                f"complete months {t.first:%Y-%m} to {t.last:%Y-%m} a default target is taken "
                f"from: capacity is shown without a target.")
    return (f"No target was given: the {year} target is the {_money(t.base, currency)} booked in "
            f"the 12 complete months {t.first:%Y-%m} to {t.last:%Y-%m} plus {pct(t.growth)} "
            f"growth, {_money(t.amount, currency)}.")


def _plan_year_rows(cp: CapacityPlan):
    return cp.by_month.loc[cp.by_month["in_plan_year"]]


def capacity_sentence(cp: CapacityPlan, currency: str = "USD") -> str:
    """The year's capacity with its range, from how many reps and at what productivity, against
    the target (the difference of the figures shown)."""
    rows = _plan_year_rows(cp)
    text = (f"The team can book {_money(cp.capacity, currency)} in {cp.year.label} (P10 "
            f"{_money(cp.capacity_low, currency)} to P90 {_money(cp.capacity_high, currency)}): "
            f"{formatting.number(rows['headcount'].mean())} reps on roll on average, "
            f"{formatting.number(rows['effective_headcount'].mean())} once ramp is counted, at "
            f"{_money(cp.productivity.mean, currency)} per ramped rep-month")
    if cp.target is None:
        return text + "."
    # a coverage just short of (or above) the target never reads as exactly 100%
    digits = 1 if pct(cp.coverage) == "100%" and cp.capacity != cp.target else 0
    return (f"{text}; that is {formatting.versus(cp.capacity, cp.target, currency, 'target')} "
            f"({pct(cp.coverage, digits)} of it).")


def hires_sentence(cp: CapacityPlan) -> str | None:
    """The hires that close the gap if they start in the plan year's first month, and how the
    count grows when they start later (None without a target)."""
    h = cp.hires_needed
    if cp.target is None or h.empty:
        return None
    first = h.iloc[0]
    if first["hires"] == 0:
        low = ("" if first["hires_at_low"] == 0 else
               f" ({plural(first['hires_at_low'], 'hire')} starting {first['hire_month']:%Y-%m} "
               "would close it at the P10 capacity)")
        return f"No hire beyond backfills is needed to reach the target at the expected capacity{low}."
    text = (f"Closing the gap takes {plural(first['hires'], 'more hire')} starting in "
            f"{first['hire_month']:%Y-%m} ({formatting.count(first['hires_at_low'])} at the P10 "
            "capacity)")
    later = h.loc[h["hire_month"] >= first["hire_month"] + pd.DateOffset(months=2)]
    if len(later):
        text += (f"; starting in {later.iloc[0]['hire_month']:%Y-%m}, "
                 f"{formatting.count(later.iloc[0]['hires'])}")
    return text + "."


def ramp_sentence(ramp: RampProfile) -> str:
    """How fast new hires ramp: the tenure months they reach half and all of a ramped rep's
    bookings, and what the profile was measured on."""
    shares = ramp.shares
    half = next((i + 1 for i, s in enumerate(shares) if s >= 0.5), None)
    full = next((i + 1 for i, s in enumerate(shares) if s >= 1.0), len(shares) + 1)
    measured = f"measured on {plural(ramp.hires[0] if ramp.hires else 0, 'new hire')}"
    source = {"given": "as given",
              "company": f"the company's profile, {measured}: too few hires in this audience"
              }.get(ramp.source, measured)
    half_text = f"half of a ramped rep's bookings in their month {half}" if half else \
        "less than half of a ramped rep's bookings within the profile"
    return (f"New hires reach {half_text} and all of it from month {full} (the hire month is month "
            f"1; {source}).")


def attrition_sentence(att: Attrition, backfill_months: int) -> str:
    """The attrition rate, where it comes from, and the backfill delay."""
    rate = (f"{pct(att.monthly_rate, 1)} of reps a month ({pct(att.annual_rate)} a year)")
    measured = (f"{plural(att.leavers, 'leaver')} over "
                f"{formatting.number(att.exposure_months)} rep-months employed in the "
                f"{att.window.label}") if att.source != "given" else ""
    source = {"given": "as given",
              "company": f"the company's rate, {measured}: too few leavers in this audience"
              }.get(att.source, measured)
    return (f"Attrition: {rate}, {source}; each leaver is backfilled "
            f"{plural(backfill_months, 'month')} later.")


def quotas_sentence(top: Allocation, bottom: Allocation, compared: pd.DataFrame,
                    currency: str = "USD") -> str:
    """The quota total, the basis it was allocated by, and what bottom-up would give, with the
    team asked the most beyond its capacity."""
    basis = BASIS_NAMES.get(top.method, top.method)
    text = (f"Quotas of {_money(top.total, currency)} (the {_money(top.target, currency)} target "
            f"plus {pct(top.over_assignment)} over-assignment) are allocated top-down by {basis} "
            f"to {plural(len(top.reps), 'rep')}; bottom-up from each rep's own capacity (plus the "
            f"same over-assignment) they would total {_money(bottom.total, currency)}")
    teams = compared.loc[compared["team"] != "Total"]
    if len(teams) < 2:  # one team (or none known): the totals already say it
        return text + "."
    most = teams.loc[teams["difference"].idxmax()]
    if most["difference"] <= 0:
        return text + "; no team is asked more than its capacity."
    return (f"{text}; {most['team']} is asked the most beyond its capacity, "
            f"{_money(most['difference'], currency)} ({pct(most['difference_share'])}) more.")


def phasing_sentence(season: Seasonality, quotas: pd.DataFrame, calendar: FiscalCalendar,
                     freq: str) -> str:
    """How the year's quotas are phased: by the measured seasonality (and the largest period's
    share) or evenly (the reason)."""
    if not season.measured:
        return season.reason
    totals = period_totals(quotas, calendar, freq)
    top = totals.loc[totals["quota"].idxmax()]
    return (f"Quotas are phased by {freq} with the seasonality measured over "
            f"{plural(season.months_used, 'month')} of bookings: {top['period']} carries "
            f"{pct(top['share'])} of the year.")


def period_totals(quotas: pd.DataFrame, calendar: FiscalCalendar, freq: str) -> pd.DataFrame:
    """The quotas table summed per period: period (label), start, quota, share of the year."""
    by = quotas.groupby("period_start", as_index=False)["quota_amount"].sum()
    by["period"] = calendar.period_label(by["period_start"], freq).to_numpy()
    by["share"] = by["quota_amount"] / by["quota_amount"].sum()
    return by.rename(columns={"quota_amount": "quota"})[["period", "period_start", "quota", "share"]]


def realism_sentence(real: Realism, flags: pd.DataFrame | None = None) -> str:
    """The share of reps expected at quota against the healthy band, and the quotas flagged
    high or low for their territory."""
    low, high = real.band
    text = (f"Simulated {plural(real.draws, 'time')} from each rep's own months, "
            f"{pct(real.share_at_quota)} of reps are expected to reach their annual quota (P10 "
            f"{pct(real.share_p10)} to P90 {pct(real.share_p90)}), {real.verdict} the "
            f"{pct(low)}-{pct(high)} a healthy plan reaches")
    if real.verdict != "within":
        lo, hi = real.band_scale
        text += (f"; quotas at {pct(lo)} to {pct(hi)} of these would put {pct(low)}-{pct(high)} "
                 "of reps at quota")
    if flags is not None and len(flags):
        n_high, n_low = int((flags["looks"] == "high").sum()), int((flags["looks"] == "low").sum())
        text += (f"; {plural(n_high, 'quota')} {'looks' if n_high == 1 else 'look'} high and "
                 f"{formatting.count(n_low)} low for the planned territory's potential")
    return text + "."


def summary_sentences(r: PlanningReview, currency: str = "USD") -> list[str]:
    """The executive summary: target, capacity and hires, quotas, realism, comp, territories,
    then the caveats; a section the data cannot support says so in its sentence."""
    out = [target_sentence(r.target, r.year.label, currency)] if r.target is not None else []
    s = r.sections
    if s["capacity"]:
        out += [capacity_sentence(r.capacity, currency)]
        out += [t for t in [hires_sentence(r.capacity)] if t]
    else:
        out.append(s["capacity"].reason)
    out.append(quotas_sentence(r.top, r.bottom, r.compared, currency) if s["quotas"]
               else s["quotas"].reason)
    if s["quotas"]:
        out.append(realism_sentence(r.realism, r.flags) if s["realism"] else s["realism"].reason)
        out.append(comp_sentences(r.comp, currency)[0] if s["comp"] else s["comp"].reason)
    out.append(territory_sentence(r.territories, r.book, currency) if s["territories"]
               else s["territories"].reason)
    return list(dict.fromkeys([*out, *r.notes]))  # a reason shared by sections is said once


def headline_items(r: PlanningReview, currency: str = "USD") -> list[Headline]:
    """The cover's numbers: capacity against the target, the quota total, the share of reps
    expected at quota, and next year's variable pay (each only when shown)."""
    period, items = r.year.label, []
    if r.sections["capacity"]:
        cp = r.capacity
        items.append(Headline("capacity", "Capacity", as_value(cp.capacity),
                              _money(cp.capacity, currency), period,
                              f"P10 {_money(cp.capacity_low, currency)} to P90 "
                              f"{_money(cp.capacity_high, currency)}"))
        if cp.target is not None:
            items.append(Headline("capacity_gap", "Capacity against target", as_value(cp.gap),
                                  formatting.versus(cp.capacity, cp.target, currency, "target"),
                                  period))
    if r.sections["quotas"]:
        items.append(Headline("quota_total", "Quotas", as_value(r.top.total),
                              _money(r.top.total, currency), period,
                              f"target plus {pct(r.top.over_assignment)} over-assignment"))
    if r.sections["quotas"] and r.sections["realism"]:
        low, high = r.realism.band
        items.append(Headline("expected_at_quota", "Reps expected at quota",
                              as_value(r.realism.share_at_quota), pct(r.realism.share_at_quota),
                              period, f"healthy: {pct(low)}-{pct(high)}"))
    if r.sections["quotas"] and r.sections["comp"]:
        items += comp_headline(r.comp, currency)
    if r.sections["territories"]:
        tp = r.territories
        items.append(Headline("accounts_moved", "Accounts moved to balance territories",
                              float(tp.accounts_moved), formatting.count(tp.accounts_moved),
                              period, f"{_money(tp.revenue_at_risk, currency)} of revenue at risk"))
    return items


def capacity_tiles(cp: CapacityPlan, currency: str = "USD") -> list[tuple[str, str]]:
    """The year's capacity (P10, expected, P90), the target, and a ramped rep-month's bookings
    (median and mean)."""
    tiles = [("Capacity, P10", _money(cp.capacity_low, currency)),
             ("Capacity, expected", _money(cp.capacity, currency)),
             ("Capacity, P90", _money(cp.capacity_high, currency))]
    if cp.target is not None:
        tiles.append(("Target", _money(cp.target, currency)))
    p = cp.productivity
    return [*tiles, ("Ramped rep-month, median", _money(p.median, currency)),
            ("Ramped rep-month, mean", _money(p.mean, currency))]


def written_sentence(paths: list, beside: bool = True) -> str | None:
    """Which planned tables were written, by file name (never a local path): beside the report
    (in its ``planning`` folder) or in the output folder given."""
    if not paths:
        return None
    names = " and ".join(f"{PLAN_DIR}/{Path(p).name}" if beside else Path(p).name for p in paths)
    where = "beside this report" if beside else "in the output folder"
    return f"The planned tables were written as {names} {where}, in the format salesops ingest reads."


def territory_sentence(tp: TerritoryPlan, book: AccountBook, currency: str = "USD") -> str:
    """The territories' balance on potential today and after rebalancing, the accounts moved,
    the revenue at risk and the unassigned accounts placed."""
    b, a = tp.balance_before, tp.balance_after
    within = "within each region, " if tp.within_region else ""
    work = (f" and {pct(tp.workload_tolerance)} on workload" if tp.workload_tolerance is not None
            else "")
    source = f"from {book.source}" if book.source.startswith("the ") else book.source
    text = (f"Territories, {source}: today the {plural(b.territories, 'territory', 'territories')}"
            f"' potential ranges from {_money(b.smallest, currency)} to "
            f"{_money(b.largest, currency)} (up to {pct(b.max_deviation)} off the average); "
            f"rebalanced {within}within {pct(tp.tolerance)} on potential{work}, it ranges from "
            f"{_money(a.smallest, currency)} to {_money(a.largest, currency)} (at most "
            f"{pct(a.max_deviation)} off), moving {plural(tp.accounts_moved, 'account')} that "
            f"booked {_money(tp.revenue_at_risk, currency)} in the last "
            f"{plural(book.trailing_months, 'month')} (the revenue at risk)")
    if tp.newly_assigned:
        text += f" and placing {plural(tp.newly_assigned, 'unassigned account')}"
    return text + "."
