"""Small hand-made comp inputs: one or two reps, a few deals, a quarterly quota."""

from __future__ import annotations

import copy

import pandas as pd

from salesops.analysis.comp.engine import CompInputs
from salesops.analysis.comp.plans import parse_plan

BASE_PLAN = {
    "plan": "Test plan",
    "applies_to": {"role": "AE"},
    "ote": 120000,
    "pay_mix": {"base": 0.5, "variable": 0.5},
    "payout_period": "month",
    "quota_period": "quarter",
    "measures": [{
        "name": "bookings",
        "tiers": {"method": "marginal", "basis": "amount",
                  "bands": [{"from": 0, "rate": 0.10}]},
    }],
}


def plan_from(**changes):
    """BASE_PLAN with top-level keys replaced (and ``tiers`` replacing the measure's tiers)."""
    doc = copy.deepcopy(BASE_PLAN)
    tiers = changes.pop("tiers", None)
    measure = changes.pop("measure", {})
    doc.update(changes)
    doc["measures"][0].update(measure)
    if tiers is not None:
        doc["measures"][0]["tiers"] = tiers
    return parse_plan(doc, "test.yaml")


def inputs_from(deals, quota=100000.0, reps=("r1",), hire="2025-01-01", termination=None,
                **extra) -> CompInputs:
    """Deals as (opportunity_id, rep_id, amount, close_date[, product]) tuples; all won."""
    rows = [d if len(d) == 5 else (*d, "Core") for d in deals]
    opps = pd.DataFrame(rows, columns=["opportunity_id", "rep_id", "amount", "close_date",
                                       "product"])
    opps["close_date"] = pd.to_datetime(opps["close_date"])
    opps = opps.assign(account_id=[f"a{i}" for i in range(len(opps))], status="won")
    rep_frame = pd.DataFrame({
        "rep_id": list(reps), "name": [f"Rep {r}" for r in reps], "manager": "M",
        "team": "T1", "region": "EMEA", "role": "AE",
        "hire_date": pd.Timestamp(hire), "termination_date": pd.Timestamp(termination)
        if termination else pd.NaT,
    })
    quarters = pd.period_range("2025Q1", "2026Q4", freq="Q")
    quotas = pd.DataFrame([
        {"rep_id": r, "period_start": q.start_time, "period_end": q.end_time.normalize(),
         "quota_amount": quota} for r in reps for q in quarters])
    return CompInputs(rep_frame, quotas, opps, **extra)
