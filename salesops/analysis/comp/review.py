"""The plan evaluation behind notebooks/comp_plan_evaluation.ipynb, in one call.

Each section declares once (the ``Needs`` below) what it needs from the data; ``evaluate``
carries an ``Availability`` per section so the report shows one plain sentence instead of a number
the data cannot support: no quota-based payout without quotas, no ramp guarantee from a guessed
hire date, no clawbacks from cancellations the tool would invent on real data.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from salesops.analysis.comp.credits import seeded_cancellations
from salesops.analysis.comp.engine import CompInputs, CompResult, eligible_reps, run_plan
from salesops.analysis.comp.evaluation import (
    Distribution,
    PayForPerformance,
    cost_of_sales,
    distribution,
    pay_for_performance,
    quota_realism,
    rep_outcomes,
    windfalls,
)
from salesops.analysis.comp.plans import Plan, load_plan
from salesops.analysis.comp.sensitivity import Sensitivity, simulate_next_period
from salesops.analysis.comp.statements import Featured, featured_statement
from salesops.analysis.comp.whatif import WhatIf, compare
from salesops.data.asof import employed_during
from salesops.data.periods import parse_date
from salesops.data.requirements import AVAILABLE, Availability, Needs
from salesops.data.scope import Scope, scoped_view
from salesops.data.store import Dataset

#: The whole evaluation: reps paid on their won deals (without a roster, reps are the owners).
EVALUATION = Needs("The comp plan evaluation (it needs deals and the reps who own them)",
                   tables=("opportunities", "reps"))
#: Sections that read attainment of quota.
PAY_CURVE = Needs("The pay curve (payout against attainment of quota)", tables=("quotas",))
DISTRIBUTIONS = Needs("The attainment distribution", tables=("quotas",))
PAY_FOR_PERFORMANCE = Needs("Pay for performance (payout against attainment of quota)",
                            tables=("quotas",))
QUOTA_REALISM = Needs("Quota realism", tables=("quotas",))
NEXT_PERIOD = Needs("Next period's payout range (drawn from attainment of quota)",
                    tables=("quotas",))
#: The plan's payout when a measure pays on quota (Plan.quota_measures).
PLAN_QUOTAS = Needs("", tables=("quotas",))
#: The new-hire ramp guarantee and first-months draws count months from the hire date.
RAMP = Needs("The new-hire ramp guarantee (never paid from a guessed hire date)",
             columns={"reps": ("hire_date",)})
#: Targets prorated for joiners and leavers (without them every rep is on the plan all run).
TENURE = Needs("Budgets prorated for joiners and leavers",
               columns={"reps": ("hire_date", "termination_date")})
#: A plan's ``applies_to.role`` reads the roster's role.
ROLE = Needs("The plan's role filter", columns={"reps": ("role",)})

SECTIONS = ("cost", "pay_curve", "distributions", "p4p", "windfalls", "quota_realism", "whatif",
            "sensitivity", "clawbacks", "statement")
#: Complete quota periods of history the next-period range needs (one spread needs two).
MIN_PERIODS = 2
#: Reps with attainment a rank correlation needs.
MIN_RANKED_REPS = 3


@dataclass(frozen=True)
class PlanReview:
    """One plan run on the history, with every evaluation the notebook shows."""

    plan: Plan
    result: CompResult
    outcomes: pd.DataFrame
    cost: pd.DataFrame
    distribution: Distribution
    p4p: PayForPerformance
    windfalls: pd.DataFrame
    rep_periods: pd.DataFrame  # complete rep x quota periods (attainment)
    misset_quotas: pd.DataFrame


@dataclass(frozen=True)
class CompEvaluation:
    """The current plan, the alternative and next period, with an Availability per section
    (``SECTIONS``) and the caveats (one sentence each) the summary must show."""

    start: pd.Timestamp
    end: pd.Timestamp
    available: Availability  # the current plan can be evaluated on this data
    sections: dict[str, Availability]
    notes: tuple[str, ...]
    inputs: CompInputs | None = None
    current: PlanReview | None = None
    alternative: PlanReview | None = None
    whatif: WhatIf | None = None
    sim: Sensitivity | None = None
    featured: Featured | None = None  # the statement the report shows, and why
    open_unknown_amounts: int = 0  # open deals in scope whose amount is unknown

    @property
    def plans(self) -> list[Plan]:
        """The plans that were run (current first)."""
        return [r.plan for r in (self.current, self.alternative) if r is not None]


def comp_inputs(dataset: Dataset, as_of: str | pd.Timestamp | None,
                scope: str | Scope | None = None, cancellations_share: float = 0.0,
                cancellations_seed: int = 0) -> CompInputs:
    """Engine inputs from ``scoped_view(dataset, as_of, scope)`` (the deals of its reps);
    optionally a seeded cancellations scenario (``cancellations_share`` of won deals cancelled)
    to show clawbacks."""
    view = scoped_view(dataset, as_of, scope)
    opps = view.deals.loc[view.deals["rep_id"].isin(view.reps["rep_id"])].reset_index(drop=True)
    adjustments = None
    if cancellations_share > 0:
        adjustments = seeded_cancellations(opps, cancellations_seed, cancellations_share)
        adjustments = adjustments.loc[adjustments["date"] <= view.as_of]
    return CompInputs(view.reps, view.quotas, opps, view.calendar, adjustments=adjustments)


def default_range(dataset: Dataset, as_of: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """From the start of the previous fiscal year to ``as_of``: one complete year plus YTD."""
    year = dataset.calendar.period(as_of, "year")
    return dataset.calendar.previous(year).start, as_of


def review_plan(plan: Plan | str, inputs: CompInputs, start: str | pd.Timestamp,
                end: str | pd.Timestamp, budget: float | None = None) -> PlanReview:
    """Run ``plan`` (a Plan, a plan file path or a built-in plan name) and evaluate it."""
    plan = plan if isinstance(plan, Plan) else load_plan(plan)
    end = pd.Timestamp(end)
    result = run_plan(plan, inputs, start, end)
    outcomes = rep_outcomes(result, inputs.reps)
    complete, misset = quota_realism(result, inputs.reps, end)
    return PlanReview(plan, result, outcomes, cost_of_sales(outcomes, "team", budget),
                      distribution(outcomes), pay_for_performance(outcomes), windfalls(outcomes),
                      complete, misset)


def plan_availability(plan: Plan, dataset: Dataset) -> Availability:
    """Whether ``plan`` can pay on this data: a plan whose measures pay on quota needs quotas."""
    if not plan.quota_measures:
        return AVAILABLE
    names = " and ".join(f"'{m}'" for m in plan.quota_measures)
    whose = (f"whose measure {names} pays" if len(plan.quota_measures) == 1
             else f"whose measures {names} pay")
    what = f"Payouts under {plan.name}, {whose} on attainment of quota,"
    return dataclasses.replace(PLAN_QUOTAS, what=what).check(dataset)


def applicable(plan: Plan, dataset: Dataset) -> tuple[Plan, str | None]:
    """``plan`` as it can apply to this roster, and the sentence saying what was not applied: a
    role filter is dropped when the roster has no role column."""
    if plan.role is None or ROLE.check(dataset):
        return plan, None
    return dataclasses.replace(plan, role=None), (
        f"The roster has no 'role' column, so {plan.name} is applied to every rep, not only to "
        f"role {plan.role}.")


def _ramp_note(plan: Plan, dataset: Dataset, reps: pd.DataFrame) -> str | None:
    """The sentence saying whose ramp guarantee is not paid because the hire date is unknown."""
    if plan.ramp is None or plan.ramp.guarantee <= 0:
        return None
    av = RAMP.check(dataset)
    if not av:
        return av.reason
    unknown = int(reps["hire_date"].isna().sum())
    if not unknown:
        return None
    return (f"{unknown:,} of {len(reps):,} reps have no hire date: no ramp guarantee is paid "
            "to them.")


def _quota_coverage(plan: Plan, inputs: CompInputs, start: pd.Timestamp,
                    end: pd.Timestamp) -> tuple[CompInputs, str | None]:
    """A plan paying on quota leaves out the reps on it, employed in the run, who have no quota
    overlapping the run (their payout would be a silent $0), and says how many."""
    if not plan.quota_measures:
        return inputs, None
    q = inputs.quotas
    covered = q.loc[(q["period_end"] >= start) & (q["period_start"] <= end), "rep_id"]
    reps = inputs.reps
    on_plan = reps["rep_id"].isin(eligible_reps(plan, reps, inputs.assignments)["rep_id"])
    on_plan &= employed_during(reps, start, end)
    lacking = on_plan & ~reps["rep_id"].isin(covered)
    if not lacking.any():
        return inputs, None
    kept = dataclasses.replace(inputs, reps=reps.loc[~lacking].reset_index(drop=True))
    return kept, (f"{int(lacking.sum()):,} of {int(on_plan.sum()):,} reps on {plan.name} have no "
                  "quota in the run and are left out (the plan pays on quota).")


def _history(rep_periods: pd.DataFrame, quota_period: str) -> Availability:
    """Enough complete quota periods to draw next period from (``MIN_PERIODS``)."""
    k = rep_periods["quota_period"].nunique()
    if k >= MIN_PERIODS:
        return AVAILABLE
    unit = quota_period if k == 1 else f"{quota_period}s"
    return Availability.missing(f"Next {quota_period}'s payout range cannot be shown: not enough "
                                f"history ({k} complete {unit} on the plan; the range needs "
                                f"{MIN_PERIODS}).")


def _ranked(outcomes: pd.DataFrame) -> Availability:
    """Enough reps with attainment and payout to rank (``MIN_RANKED_REPS``)."""
    k = int(outcomes[["attainment", "payout_ratio"]].notna().all(axis=1).sum())
    if k >= MIN_RANKED_REPS:
        return AVAILABLE
    return Availability.missing(f"Pay for performance cannot be shown: it ranks at least "
                                f"{MIN_RANKED_REPS} reps with attainment and a target, the run "
                                f"has {k}.")


def _clawbacks(plan: Plan, inputs: CompInputs) -> Availability:
    if plan.clawback is None:
        return Availability.missing(f"{plan.name} has no clawback rule.")
    if inputs.adjustments is None:
        return Availability.missing(
            "Clawbacks cannot be shown: the data has no cancellations or refunds (the "
            "cancellations scenario runs on the built-in sample only).")
    return AVAILABLE


def _not_shown(reason: Availability) -> dict[str, Availability]:
    short = Availability.missing("Not shown: the plan cannot be evaluated on this data (see the "
                                 "summary).")
    return {name: short for name in SECTIONS} if not reason else {}


def evaluate(dataset: Dataset, as_of: str | pd.Timestamp | None, plan: Plan | str = "current",
             alternative: Plan | str = "steeper_accelerator",
             period: tuple[str | None, str | None] = (None, None),
             scope: str | Scope | None = None,
             budget: float | None = None, sample: bool = False, cancellations_share: float = 0.0,
             cancellations_seed: int = 0, n_simulations: int = 2000,
             seed: int = 0) -> CompEvaluation:
    """Both plans on the history in [period] (default: previous fiscal year to ``as_of``) and
    next period's range, each section with its Availability. The cancellations scenario runs only
    on the built-in ``sample``: real data gets no invented clawbacks. Everything is read from
    ``scoped_view(dataset, as_of, scope)``."""
    dataset = scoped_view(dataset, as_of, scope)
    start, end = default_range(dataset, dataset.as_of)
    start = parse_date(period[0], name="period_start") if period[0] else start
    end = parse_date(period[1], name="period_end") if period[1] else end
    current, other = (p if isinstance(p, Plan) else load_plan(p) for p in (plan, alternative))
    base = EVALUATION.check(dataset)
    if not base:
        return CompEvaluation(start, end, base, _not_shown(base), ())
    current, role_note = applicable(current, dataset)
    other, _ = applicable(other, dataset)
    inputs = comp_inputs(dataset, dataset.as_of, None, cancellations_share if sample else 0.0,
                         cancellations_seed)
    opps = inputs.opportunities
    unknown = int(((opps["status"] == "open") & opps["amount"].isna()).sum())
    tenure = TENURE.check(dataset)
    notes = tuple(n for n in (role_note, _ramp_note(current, dataset, inputs.reps),
                              None if tenure else tenure.reason) if n)
    av = plan_availability(current, dataset)
    if av and not len(inputs.reps):
        av = Availability.missing(f"{current.name} cannot be evaluated: no rep is in scope.")
    if not av:
        return CompEvaluation(start, end, av, _not_shown(av), notes, inputs,
                              open_unknown_amounts=unknown)
    inputs, coverage_note = _quota_coverage(current, inputs, start, end)
    notes = (*notes, coverage_note) if coverage_note else notes
    review = review_plan(current, inputs, start, end, budget)
    if review.outcomes.empty:
        av = Availability.missing(f"No rep is on {current.name} in the run.")
        return CompEvaluation(start, end, av, _not_shown(av), notes, inputs,
                              open_unknown_amounts=unknown)
    alt_av = plan_availability(other, dataset)
    alt = review_plan(other, inputs, start, end, budget) if alt_av else None
    whatif = compare(review.outcomes, alt.outcomes) if alt is not None else None
    if whatif is not None and not (whatif.winners or whatif.losers):
        alt_av = Availability.missing(f"{other.name} pays every rep the same as {current.name} "
                                      "(within 1 unit of currency): there is nothing to compare.")
    sections = {
        "cost": AVAILABLE, "windfalls": AVAILABLE,
        "pay_curve": PAY_CURVE.check(dataset), "distributions": DISTRIBUTIONS.check(dataset),
        "p4p": PAY_FOR_PERFORMANCE.check(dataset) and _ranked(review.outcomes),
        "quota_realism": QUOTA_REALISM.check(dataset),
        "whatif": alt_av,
        "sensitivity": NEXT_PERIOD.check(dataset) and _history(review.rep_periods,
                                                               current.quota_period),
        "clawbacks": _clawbacks(current, inputs),
    }
    featured = featured_statement(review.result, inputs.reps, end)
    sections["statement"] = AVAILABLE if featured is not None else Availability.missing(
        "No statement: no rep had a statement line in the run.")
    sim = (simulate_next_period(current, review.rep_periods, n_simulations, seed)
           if sections["sensitivity"] else None)
    return CompEvaluation(start, end, av, sections, notes, inputs, review, alt,
                          whatif if alt_av else None, sim, featured, unknown)
