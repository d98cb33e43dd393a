"""Evaluation, what-if and sensitivity on hand-made outcomes and a tiny run."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.analysis.comp.engine import run_plan
from salesops.analysis.comp.evaluation import (
    cost_of_sales,
    distribution,
    pay_for_performance,
    quota_realism,
    rep_outcomes,
    windfalls,
)
from salesops.analysis.comp.sensitivity import simulate_next_period
from salesops.analysis.comp.whatif import compare


def _outcomes():
    return pd.DataFrame({
        "rep_id": ["a", "b", "c", "d"], "name": ["A", "B", "C", "D"],
        "team": ["T1", "T1", "T2", "T2"], "left": pd.NaT, "attainment": [0.5, 0.9, 1.1, 2.0],
        "target_incentive": [100.0] * 4, "payout": [40.0, 90.0, 120.0, 300.0],
        "payout_ratio": [0.4, 0.9, 1.2, 3.0], "bookings": [1000.0, 2000.0, 3000.0, 4000.0],
        "top_deal_cents": [0, 0, 0, 25000], "target_incentive_cents": [10000] * 4,
        "payout_cents": [4000, 9000, 12000, 30000]})


def test_cost_of_sales_by_team_and_overall():
    cost = cost_of_sales(_outcomes()).set_index("team")
    # T1: 130 paid / 200 budget = 65%; 130 / 3,000 bookings = 4.33%. All: 550 / 400, 550 / 10,000
    assert cost.loc["T1", "payout_vs_budget"] == 0.65
    assert np.isclose(cost.loc["T1", "cost_of_sales"], 130 / 3000)
    assert cost.loc["All", "payout"] == 550 and cost.loc["All", "cost_of_sales"] == 0.055
    assert cost.loc["All", "reps"] == 4
    # a given overall budget of 800 is split in proportion to targets: T2 gets 400
    assert cost_of_sales(_outcomes(), budget=800).set_index("team").loc["T2", "budget"] == 400


def test_a_budget_split_adds_up_to_the_cent():
    outcomes = _outcomes().assign(team=["T1", "T2", "T3", "T3"])
    cost = cost_of_sales(outcomes, budget=1000).set_index("team")
    # targets 100 / 100 / 200 of 400: exact shares of 100,000 cents are 25,000 / 25,000 / 50,000
    assert cost["budget_cents"].to_dict() == {"T1": 25000, "T2": 25000, "T3": 50000,
                                              "All": 100000}
    # 1,000.01 = 100,001 cents: 25,000.25 / 25,000.25 / 50,000.5 -> floors 100,000, one cent
    # left goes to the largest remainder (T3's .5): 25,000 + 25,000 + 50,001 = 100,001
    odd = cost_of_sales(outcomes, budget=1000.01).set_index("team")["budget_cents"]
    assert odd.to_dict() == {"T1": 25000, "T2": 25000, "T3": 50001, "All": 100001}


def test_cost_without_teams_shows_only_the_overall_row():
    cost = cost_of_sales(_outcomes().assign(team=None))
    # no rep has a team: only 'All', 4 reps, 550 paid of a 400 budget
    assert cost["team"].tolist() == ["All"]
    assert (cost.loc[0, "reps"], cost.loc[0, "payout"], cost.loc[0, "budget"]) == (4, 550, 400)
    some = cost_of_sales(_outcomes().assign(team=["T1", None, "T2", None])).set_index("team")
    assert some.loc["(no team)", "payout_cents"] == 9000 + 30000


def test_distribution_and_pay_for_performance():
    d = distribution(_outcomes())
    assert (d.share_at_quota, d.share_reaching_ote) == (0.5, 0.5)
    p = pay_for_performance(_outcomes())
    # ranks agree exactly; top quartile (d) 3.0 vs bottom quartile (a) 0.4
    assert p.rank_correlation == 1.0 and p.top_to_bottom == 3.0 / 0.4


def test_windfall_needs_one_deal_to_carry_the_rep():
    w = windfalls(_outcomes())
    # d: paid 3x target; without its 250 deal it would be at 50 <= 100 target
    assert w["rep_id"].tolist() == ["d"] and w["top_deal_payout"].tolist() == [250.0]


def test_whatif_winners_losers_and_cost():
    base = _outcomes()
    alt = base.assign(payout=[30.0, 90.0, 130.0, 350.0])
    w = compare(base, alt)
    assert (w.winners, w.losers, w.cost_difference) == (2, 1, 50.0)
    assert w.per_rep["rep_id"].tolist()[0] == "d"


def test_rep_outcomes_from_a_run(make_plan, make_inputs):
    deals = [("o1", "r1", 50000, "2026-01-10"), ("o2", "r1", 30000, "2026-02-10")]
    inputs = make_inputs(deals, quota=100000)
    out = rep_outcomes(run_plan(make_plan(), inputs, "2026-01-01", "2026-03-31"), inputs.reps)
    # 10% of 80,000 = 8,000 against TI 120,000 * 50% / 4 = 15,000; attainment 80%
    row = out.iloc[0]
    assert (row["payout"], row["target_incentive"], row["attainment"]) == (8000, 15000, 0.8)
    assert row["top_deal_cents"] == 500000


def test_sensitivity_is_seeded_and_ordered(make_plan):
    plan = make_plan(tiers={"basis": "attainment", "rate_unit": "target_incentive",
                            "bands": [{"from": 0, "rate": 1.0}]})
    hist = pd.DataFrame({"rep_id": ["a"] * 4 + ["b"] * 4, "quota_period": list(range(4)) * 2,
                         "quota": 100000.0, "attainment": [0.8, 1.0, 1.2, 1.0, 0.5, 0.6, 0.4,
                                                            0.5]})
    one, two = (simulate_next_period(plan, hist, 500, seed=3) for _ in range(2))
    assert np.array_equal(one.totals, two.totals)
    q = one.quantiles()
    assert q["P10"] < q["P50"] < q["P90"]
    # linear plan: median payout of rep a near its geometric-mean attainment * 15,000
    a = one.per_rep.set_index("rep_id").loc["a"]
    assert abs(a["payout_p50"] - a["mean_attainment"] * 15000) < 1500


def test_quota_realism_direction_follows_history_and_result(make_plan, make_inputs):
    # Four reps book 100,000 in each of 2025Q1-Q3 against a 100,000 quota; their 2025Q4 quota
    # and bookings differ. Prior average = (100,000 * 3) / 3 = 100,000 for every rep.
    q4 = {"hi_missed": (300000, 50000), "hi_reached": (300000, 400000),
          "lo_reached": (40000, 120000), "lo_missed": (40000, 20000)}
    deals = [(f"{r}{m}", r, 100000, f"2025-{m:02d}-10") for r in q4 for m in (2, 5, 8)]
    deals += [(f"{r}q4", r, booked, "2025-11-10") for r, (_, booked) in q4.items()]
    inputs = make_inputs(deals, reps=tuple(q4))
    is_q4 = inputs.quotas["period_start"] == pd.Timestamp("2025-10-01")
    inputs.quotas.loc[is_q4, "quota_amount"] = inputs.quotas.loc[is_q4, "rep_id"].map(
        {r: quota for r, (quota, _) in q4.items()})
    result = run_plan(make_plan(), inputs, "2025-01-01", "2025-12-31")
    complete, misset = quota_realism(result, inputs.reps, pd.Timestamp("2025-12-31"))
    assert len(complete) == 16  # 4 reps x 4 complete quarters
    looks = misset.set_index("rep_id")["looks"].to_dict()
    # hi_missed: quota 300,000 = 3.0x history (> 2x), booked 50,000 = 17%: too high.
    # lo_reached: quota 40,000 = 0.4x history (< 0.5x), booked 120,000 = 300%: too low.
    # hi_reached booked 400,000 = 133% of a 3.0x quota: the rep beat it, not "too high";
    # lo_missed booked 20,000 = 50% of a 0.4x quota: not "too low".
    assert looks == {"hi_missed": "too high", "lo_reached": "too low"}
    row = misset.set_index("rep_id").loc["hi_missed"]
    assert (row["quota_to_history"], row["history_bookings"], row["attainment"]) == (
        3.0, 100000, 0.5 / 3)
