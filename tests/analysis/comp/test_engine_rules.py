"""Engine rules on tiny hand-computed cases (arithmetic in the comments; amounts in cents)."""

from __future__ import annotations

import pandas as pd

from salesops.analysis.comp.engine import run_plan
from salesops.analysis.comp.statements import statements, totals_reconcile

Q1 = ("2026-01-01", "2026-03-31")
RETRO = {"method": "retroactive", "basis": "attainment", "bands": [
    {"from": 0, "to": 1.0, "rate": 0.05}, {"from": 1.0, "rate": 0.08}]}


def _by_period(res):
    return res.periods.set_index("period_label")["total_cents"].to_dict()


def test_retroactive_tier_uplifts_earlier_credit(make_plan, make_inputs):
    plan = make_plan(tiers=RETRO)
    deals = [("o1", "r1", 80000, "2026-01-10"), ("o2", "r1", 40000, "2026-02-10")]
    res = run_plan(plan, make_inputs(deals, quota=100000), *Q1)
    # Jan: 80,000 * 5% = 4,000. Feb: 40,000 * 8% = 3,200 plus uplift 80,000 * (8% - 5%) = 2,400
    # total 9,600 = 120,000 * 8%: the whole amount at the reached tier's rate
    assert _by_period(res) == {"2026-01": 400000, "2026-02": 560000, "2026-03": 0}
    uplift = res.lines[res.lines["kind"] == "retro_uplift"]
    assert uplift[["opportunity_id", "amount_cents"]].values.tolist() == [["o2", 240000]]


def test_threshold_holds_then_releases_or_forfeits(make_plan, make_inputs):
    plan = make_plan(measure={"threshold": 0.5}, tiers={"basis": "attainment", "bands": [
        {"from": 0, "rate": 0.10}]})
    deals = [("o1", "r1", 30000, "2026-01-10"), ("o2", "r1", 30000, "2026-03-05"),
             ("o3", "r1", 20000, "2026-04-10")]
    res = run_plan(plan, make_inputs(deals, quota=100000), "2026-01-01", "2026-06-30")
    # Q1: 30% in Jan (held), 60% in March: both deals paid in March, 6,000
    # Q2: 20% never reaches 50%: the line stays at 0 with a note
    assert _by_period(res) == {"2026-01": 0, "2026-02": 0, "2026-03": 600000, "2026-04": 0,
                               "2026-05": 0, "2026-06": 0}
    o3 = res.lines[res.lines["opportunity_id"] == "o3"]
    assert o3["amount_cents"].tolist() == [0] and "threshold" in o3["note"].iloc[0]


def test_target_incentive_rates_and_cap(make_plan, make_inputs):
    plan = make_plan(cap={"multiple_of_target": 2}, tiers={
        "basis": "attainment", "rate_unit": "target_incentive",
        "bands": [{"from": 0, "to": 1.0, "rate": 1.0}, {"from": 1.0, "rate": 2.0}]})
    res = run_plan(plan, make_inputs([("o1", "r1", 180000, "2026-02-01")], quota=100000), *Q1)
    # TI per quarter = 120,000 * 50% / 4 = 15,000. 100% * 1.0 * 15,000 = 15,000, then
    # 80% * 2.0 * 15,000 = 24,000: 39,000 earned, capped at 2 x 15,000 = 30,000 (cap line -9,000)
    lines = res.lines.groupby("kind", observed=True)["amount_cents"].sum()
    assert lines["commission"] == 3900000 and lines["cap"] == -900000
    assert res.periods["total_cents"].sum() == 3000000


def test_split_credit(make_plan, make_inputs):
    splits = pd.DataFrame({"opportunity_id": ["o1", "o1"], "rep_id": ["r1", "r2"],
                           "share": [0.6, 0.4]})
    inputs = make_inputs([("o1", "r1", 10000, "2026-01-15")], reps=("r1", "r2"), splits=splits)
    res = run_plan(make_plan(), inputs, *Q1)
    # 10% of 6,000 and of 4,000
    got = res.lines.groupby("rep_id", observed=True)["amount_cents"].sum().to_dict()
    assert got == {"r1": 60000, "r2": 40000}


def test_partial_refund_and_window(make_plan, make_inputs):
    plan = make_plan(clawback={"window_days": 60})
    adj = pd.DataFrame({"opportunity_id": ["o1", "o2"], "date": ["2026-02-15", "2026-03-30"],
                        "kind": ["refund", "cancelled"], "amount": [2500, 1000]})
    deals = [("o1", "r1", 10000, "2026-01-15"), ("o2", "r1", 1000, "2026-01-20")]
    res = run_plan(plan, make_inputs(deals, adjustments=adj), *Q1)
    # o1: 2,500 of 10,000 refunded after 31 days: 25% of its 1,000 commission = -250 in February
    # o2: cancelled after 69 days, outside the 60-day window: kept, listed as ignored
    claw = res.lines[res.lines["kind"] == "clawback"]
    assert claw[["opportunity_id", "period_label", "amount_cents"]].values.tolist() == [
        ["o1", "2026-02", -25000]]
    assert res.ignored_adjustments["reason"].tolist() == ["outside the 60-day window"]


def test_reversal_that_reduces_attainment(make_plan, make_inputs):
    plan = make_plan(clawback={"window_days": 90, "affects_attainment": True}, tiers={
        "basis": "attainment", "bands": [{"from": 0, "to": 1.0, "rate": 0.05},
                                         {"from": 1.0, "rate": 0.10}]})
    adj = pd.DataFrame({"opportunity_id": ["o2"], "date": ["2026-03-01"], "kind": ["cancelled"],
                        "amount": [40000]})
    deals = [("o1", "r1", 80000, "2026-01-10"), ("o2", "r1", 40000, "2026-02-10")]
    res = run_plan(plan, make_inputs(deals, quota=100000, adjustments=adj), *Q1)
    # Feb: 20,000*5% + 20,000*10% = 3,000. March: credit -40,000 takes 120k back to 80k:
    # -20,000*10% - 20,000*5% = -3,000; attainment falls to 80%
    assert _by_period(res) == {"2026-01": 400000, "2026-02": 300000, "2026-03": -300000}
    assert res.attainment["credit"].tolist() == [80000.0]


def test_non_recoverable_draw_and_ramp_guarantee(make_plan, make_inputs):
    plan = make_plan(draw={"amount": 1000, "recoverable": False, "months": 2},
                     ramp={"months": 1, "guarantee": 800})
    deals = [("o1", "r1", 5000, "2026-01-10"), ("o2", "r1", 5000, "2026-02-10"),
             ("o3", "r1", 5000, "2026-03-10")]
    res = run_plan(plan, make_inputs(deals, hire="2026-01-01"), *Q1)
    p = res.periods.set_index("period_label")
    # Jan: earned 500, guarantee tops up to 800 (+300), draw tops up to 1,000 (+200)
    # Feb: earned 500, draw +500 (non-recoverable, no balance). Mar: past the draw's 2 months
    assert p["guarantee_cents"].tolist() == [30000, 0, 0]
    assert p["draw_cents"].tolist() == [20000, 50000, 0]
    assert p["total_cents"].tolist() == [100000, 100000, 50000]
    assert p["draw_balance_cents"].tolist() == [0, 0, 0]


def test_recoverable_draw_is_recovered_from_later_earnings(make_plan, make_inputs):
    plan = make_plan(draw={"amount": 1000, "recoverable": True, "months": 1})
    deals = [("o1", "r1", 4000, "2026-01-10"), ("o2", "r1", 15000, "2026-02-10")]
    res = run_plan(plan, make_inputs(deals, hire="2026-01-01"), *Q1)
    p = res.periods
    # Jan: earned 400, draw +600 (balance 600). Feb: earned 1,500, recovery -600 (balance 0)
    assert p["draw_recovery_cents"].tolist() == [0, -60000, 0]
    assert p["total_cents"].tolist() == [100000, 90000, 0]
    assert p["draw_balance_cents"].tolist() == [60000, 0, 0]


def test_proration_for_a_mid_quarter_joiner(make_plan, make_inputs):
    plan = make_plan(proration={"quota": True}, tiers={
        "basis": "attainment", "rate_unit": "target_incentive",
        "bands": [{"from": 0, "rate": 1.0}]})
    inputs = make_inputs([("o1", "r1", 50000, "2026-03-10")], quota=90000, hire="2026-02-01")
    res = run_plan(plan, inputs, *Q1)
    # On board Feb+Mar: quota 30,000 * 2 = 60,000 (each month 1/3 of 90,000); TI = 5,000 * 2
    # = 10,000. 50,000 / 60,000 = 83.3%: 83.33% * 10,000 = 8,333.33
    assert res.attainment["quota"].tolist() == [60000.0]
    assert res.periods["target_incentive_cents"].sum() == 1000000
    assert res.lines["amount_cents"].sum() == 833333


def test_plan_change_mid_period_splits_by_assignment(make_plan, make_inputs):
    assignments = pd.DataFrame({"rep_id": ["r1"], "start_date": ["2026-02-01"],
                                "end_date": [None]})
    deals = [("o1", "r1", 1000, "2026-01-15"), ("o2", "r1", 2000, "2026-02-15")]
    res = run_plan(make_plan(), make_inputs(deals, assignments=assignments), *Q1)
    # only February's deal is under this plan (10% of 2,000); January's is reported outside
    assert res.lines["amount_cents"].sum() == 20000
    assert res.outside_window["opportunity_id"].tolist() == ["o1"]


def test_annual_true_up_pays_the_difference(make_plan, make_inputs):
    plan = make_plan(true_up={"enabled": True}, measure={"threshold": 1.0}, tiers={
        "basis": "attainment", "bands": [{"from": 0, "rate": 0.10}]})
    deals = [("o1", "r1", 90000, f"2026-{m:02d}-10") for m in (2, 5, 8)]
    deals = [(f"o{i}", *d[1:]) for i, d in enumerate(deals)] + [("o9", "r1", 130000,
                                                                  "2026-11-10")]
    res = run_plan(plan, make_inputs(deals, quota=100000), "2026-01-01", "2026-12-31")
    # Quarters 1-3 miss the 100% threshold (90%): nothing paid; Q4 130%: 13,000 paid.
    # Year: 400,000 of 400,000 = 100% reaches the threshold: 40,000 earned - 13,000 paid
    # = 27,000 true-up in December
    up = res.lines[res.lines["kind"] == "true_up"]
    assert up[["period_label", "amount_cents"]].values.tolist() == [["2026-12", 2700000]]


def test_new_logo_count_measure(make_plan, make_inputs):
    plan = make_plan(measure={"credit": "count", "new_logo_only": True, "quota": {"fixed": 2}},
                     tiers={"basis": "attainment", "rate_unit": "target_incentive",
                            "bands": [{"from": 0, "rate": 0.2}]})
    inputs = make_inputs([("o1", "r1", 500, "2026-01-10"), ("o2", "r1", 700, "2026-02-10")])
    inputs.opportunities.loc[1, "account_id"] = "a0"  # second deal: same account, not new
    res = run_plan(plan, inputs, *Q1)
    # 1 new logo of 2 = 50% attainment * 0.2 * TI 15,000 = 1,500
    assert res.lines["amount_cents"].sum() == 150000
    assert res.attainment["credit"].tolist() == [1.0]


def test_statements_sum_their_lines(make_plan, make_inputs):
    plan = make_plan(tiers=RETRO, spifs=[{"name": "s", "start": "2026-01-01",
                                          "end": "2026-12-31", "amount_per_deal": 100}])
    deals = [("o1", "r1", 80000, "2026-01-10"), ("o2", "r1", 40000, "2026-02-10")]
    res = run_plan(plan, make_inputs(deals, quota=100000), *Q1)
    assert totals_reconcile(res)
    reps = make_inputs(deals).reps
    stmts = list(statements(res, reps))
    assert [s.total_cents for s in stmts] == [s.lines["amount_cents"].sum() for s in stmts]
    assert stmts[1].by_kind.to_dict() == {"commission": 320000, "retro_uplift": 240000,
                                          "spif": 10000}
