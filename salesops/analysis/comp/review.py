"""The plan evaluation behind notebooks/comp_plan_evaluation.ipynb, in one call per plan."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from salesops.analysis.comp.credits import seeded_cancellations
from salesops.analysis.comp.engine import CompInputs, CompResult, run_plan
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
from salesops.analysis.performance.scope import prepare
from salesops.data.asof import snapshot
from salesops.data.periods import parse_date
from salesops.data.store import Dataset


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


def comp_inputs(dataset: Dataset, as_of: str | pd.Timestamp | None, scope: str | None = None,
                cancellations_share: float = 0.0, cancellations_seed: int = 0) -> CompInputs:
    """Engine inputs as known on ``as_of`` within ``scope``; optionally a seeded cancellations
    scenario (``cancellations_share`` of won deals cancelled) to show clawbacks."""
    as_of = parse_date(as_of, name="as_of")
    scoped = prepare(dataset, as_of, scope)
    opps = dataset.opportunities.loc[dataset.opportunities["rep_id"].isin(scoped.reps["rep_id"])]
    opps = snapshot(opps, dataset.stage_history, dataset.catalogue, as_of)
    adjustments = None
    if cancellations_share > 0:
        adjustments = seeded_cancellations(opps, cancellations_seed, cancellations_share)
        adjustments = adjustments.loc[adjustments["date"] <= as_of]
    return CompInputs(scoped.reps, scoped.quotas, opps, dataset.calendar, adjustments=adjustments)


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
