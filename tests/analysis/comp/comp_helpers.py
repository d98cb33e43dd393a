"""Small hand-made comp inputs: one or two reps, a few deals, a quarterly quota."""

from __future__ import annotations

import copy

import pandas as pd

from salesops.analysis.comp.engine import CompInputs
from salesops.analysis.comp.plans import parse_plan
from salesops.data.schema import TABLES, conform, empty_frame
from salesops.data.store import Dataset

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


def tiny_dataset() -> Dataset:
    """Two AE reps with quarterly quotas of 100,000 from 2025Q1 to 2026Q4: r1 hired 2024-01-01,
    r2 hired 2026-04-01 (in ramp Apr-Jun 2026); deals as listed in ``TINY_DEALS``; no history."""
    reps = pd.DataFrame({"rep_id": ["r1", "r2"], "name": ["Ann", "Bo"], "manager": "M",
                         "team": ["T1", "T2"], "region": "EMEA", "role": "AE",
                         "hire_date": pd.to_datetime(["2024-01-01", "2026-04-01"]),
                         "termination_date": pd.NaT})
    quarters = pd.period_range("2025Q1", "2026Q4", freq="Q")
    quotas = pd.DataFrame([{"rep_id": r, "period_start": q.start_time,
                            "period_end": q.end_time.normalize(), "quota_amount": 100000.0}
                           for r in ("r1", "r2") for q in quarters])
    opps = pd.DataFrame(TINY_DEALS, columns=["opportunity_id", "rep_id", "amount", "close_date",
                                             "status"])
    opps["close_date"] = pd.to_datetime(opps["close_date"])
    opps = opps.assign(account_id=[f"a{i}" for i in range(len(opps))], product="Core",
                       created_date=opps["close_date"] - pd.Timedelta(days=30),
                       stage=opps["status"].map({"won": "Closed Won", "lost": "Closed Lost",
                                                 "open": "Proposal"}),
                       forecast_category=None, probability=None)
    accounts = pd.DataFrame({"account_id": opps["account_id"], "name": opps["account_id"],
                             "segment": "SMB", "industry": "Tech", "region": "EMEA"})
    tables = {"reps": reps, "quotas": quotas, "opportunities": opps, "accounts": accounts,
              "stage_history": empty_frame(TABLES["stage_history"])}
    return Dataset(**{n: conform(f, TABLES[n]) for n, f in tables.items()})


#: (opportunity_id, rep_id, amount, close_date, status): r1 books 60,000 in 2025Q1 and 2025Q2
#: and 120,000 in 2026Q1; r2 books 20,000 in 2026Q2; two open deals, one without an amount.
TINY_DEALS = [
    ("o1", "r1", 60000.0, "2025-02-10", "won"),
    ("o2", "r1", 60000.0, "2025-05-10", "won"),
    ("o3", "r1", 120000.0, "2026-02-10", "won"),
    ("o4", "r2", 20000.0, "2026-05-10", "won"),
    ("o5", "r1", 5000.0, "2025-03-01", "lost"),
    ("o6", "r2", 30000.0, "2026-07-15", "open"),
    ("o7", "r2", None, "2026-07-20", "open"),
]
