"""Hand-made planning results for the presentation tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.analysis.comp.plans import parse_plan
from salesops.analysis.planning.account_book import AccountBook
from salesops.analysis.planning.assignment import Balance, TerritoryPlan
from salesops.analysis.planning.attrition import Attrition
from salesops.analysis.planning.capacity import CapacityPlan, Productivity
from salesops.analysis.planning.plan_comp import PlanComp, quantiles
from salesops.analysis.planning.quotas import Allocation
from salesops.analysis.planning.ramp_profile import RampProfile
from salesops.data.periods import FiscalCalendar, Period

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


def capacity_result(target: float | None = 1_000_000.0) -> CapacityPlan:
    """Two plan-year months (the whole year, for the test's sake) of 10 reps on roll, 8 and 9
    effective, at 50,000 per ramped rep-month: capacity (8 + 9) x 50,000 = 850,000."""
    by_month = pd.DataFrame({"month": pd.to_datetime(["2026-12-01", "2027-01-01", "2027-02-01"]),
                             "in_plan_year": [False, True, True], "headcount": [10.0, 10.0, 10.0],
                             "ramping": [2.0, 2.0, 1.0], "effective_headcount": [8.0, 8.0, 9.0],
                             "leavers": 0.1, "backfills": 0.0, "new_hires": 0.0,
                             "capacity": [400_000.0, 400_000.0, 450_000.0]})
    hires = pd.DataFrame({"hire_month": pd.to_datetime(["2027-01-01", "2027-02-01",
                                                        "2027-03-01", "2027-12-01"]),
                          "capacity_per_hire": [60_000.0, 50_000.0, 40_000.0, 1_000.0],
                          "hires": [3.0, 3.0, 4.0, 150.0], "hires_at_low": [5.0, 6.0, 8.0, 300.0]})
    ramp = RampProfile((0.25, 0.5, 1.0), "history", (4, 4, 3))
    attrition = Attrition(0.01, "history", 3, 300.0,
                          Period("trailing", pd.Timestamp("2024-12-02"), pd.Timestamp("2026-12-01"),
                                 "24 months to 2026-12-01"))
    productivity = Productivity(50_000.0, 0.0, 40_000.0, 120_000.0, 20_000.0, 45_000.0, 90_000.0,
                                100, 10, pd.Timestamp("2025-12-01"), pd.Timestamp("2026-11-01"),
                                pd.Series(dtype=float))
    return CapacityPlan(YEAR, by_month, 850_000.0, 800_000.0, 900_000.0, target, hires, ramp,
                        attrition, productivity, pd.DataFrame({
                            "rep_id": ["r1", "r2"], "name": ["Ann <i>", None], "region": "EMEA",
                            "team": "T1", "hire_date": pd.to_datetime(["2020-01-15", None]),
                            "tenure_month": [84.0, None], "ramp": [1.0, 1.0],
                            "plan_effective_months": [12.0, 12.0]}))


def allocation(method: str, target: float, quotas: dict[str, tuple[str, float]]) -> Allocation:
    """An allocation of 15% over-assignment: rep -> (team, quota)."""
    reps = pd.DataFrame([{"rep_id": r, "region": "EMEA", "team": team, "effective_months": 12.0,
                          "rate": q / 12, "rate_source": "own", "weight": q,
                          "quota_cents": round(q * 100), "quota": q}
                         for r, (team, q) in quotas.items()])
    by_team = reps.groupby(["region", "team"], as_index=False).agg(
        reps=("rep_id", "size"), effective_months=("effective_months", "sum"),
        quota_cents=("quota_cents", "sum"), quota=("quota", "sum"))
    return Allocation(method, target, 0.15, reps, by_team.drop(columns="team"), by_team)


def territory_result() -> tuple[TerritoryPlan, AccountBook]:
    """Three territories of reps r1-r3: potential 150K / 100K / 50K today (+50%, 0, -50% of the
    100K average), 105K / 100K / 95K rebalanced; 4 accounts moved with 30K of bookings."""
    def table(potential):
        return pd.DataFrame({"territory": ["r1", "r2", "r3"], "rep_id": ["r1", "r2", "r3"],
                             "region": "EMEA", "accounts": 10, "workload": 10.0,
                             "potential": potential, "target": 100_000.0,
                             "deviation": [p / 100_000 - 1 for p in potential]})
    before, after = table([150_000.0, 100_000.0, 50_000.0]), table([105_000.0, 100_000.0, 95_000.0])
    moves = pd.DataFrame({"account_id": ["a1"], "segment": "SMB", "region": "EMEA",
                          "from_territory": ["r1"], "from_rep": ["r1"], "to_territory": ["r3"],
                          "to_rep": ["r3"], "potential": [20_000.0], "trailing_bookings": [30_000.0]})
    plan = TerritoryPlan("solver", "optimal", pd.DataFrame(), before, after,
                         Balance(3, 150_000.0, 50_000.0, 1.0, 0.5, 0.2, 0.4),
                         Balance(3, 105_000.0, 95_000.0, 0.1, 0.05, 0.1, 0.04), moves, 4, 2,
                         30_000.0, 0.5, 0.05, 0.10, True)
    book = AccountBook(pd.DataFrame(), pd.DataFrame(), "the territories table",
                       pd.Timestamp("2026-12-01"), 12)
    return plan, book
