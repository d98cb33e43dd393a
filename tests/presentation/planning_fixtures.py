"""Hand-made planning results for the presentation tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.analysis.comp.plans import parse_plan
from salesops.analysis.planning.plan_comp import PlanComp, quantiles
from salesops.data.periods import FiscalCalendar

YEAR = FiscalCalendar(1).period(pd.Timestamp("2027-06-30"), "year")
PLAN = parse_plan({"plan": "AE plan", "ote": 120000, "pay_mix": {"base": 0.5, "variable": 0.5},
                   "payout_period": "month", "quota_period": "quarter",
                   "measures": [{"name": "bookings", "tiers": {
                       "method": "marginal", "basis": "amount",
                       "bands": [{"from": 0, "rate": 0.10}]}}]}, "plan.yaml")


def plan_comp_result() -> PlanComp:
    """Ten simulated years paying 100,000, 110,000, ... 190,000 on bookings of ten times that,
    a budget of 150,000 for 3 reps, 1 or 2 of them at quota."""
    payout = np.arange(100_000, 200_000, 10_000, dtype=float)
    by_draw = pd.DataFrame({"draw": range(10), "reps": 3, "bookings": payout * 10,
                            "payout": payout, "budget": 150_000.0,
                            "payout_vs_budget": payout / 150_000,
                            "cost_of_sales": 0.1, "at_quota": [1 / 3] * 5 + [2 / 3] * 5})
    by_rep = pd.DataFrame({"rep_id": ["r1", "r2", "r3"], "name": ["Ann <i>", "Bo", "Cy"],
                           "team": "T1", "region": "EMEA", "quota": [600_000.0, 500_000, 400_000],
                           "target_incentive": 50_000.0, "payout_p10": [50_000.0, 30_000, 10_000],
                           "payout_median": [60_000.0, 45_000, 20_000],
                           "payout_p90": [70_000.0, 55_000, 40_000],
                           "attainment_median": [1.1, 0.9, 0.5],
                           "bookings_median": [660_000.0, 450_000, 200_000]})
    return PlanComp(PLAN, YEAR, 10, 150_000.0, by_draw, by_rep, quantiles(by_draw["payout"]),
                    quantiles(by_draw["cost_of_sales"]), quantiles(by_draw["payout_vs_budget"]),
                    quantiles(by_draw["at_quota"]))
