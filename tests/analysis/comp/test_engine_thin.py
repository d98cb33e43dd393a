"""The engine on what real exports lack: unknown hire dates; targets that add up to the cent."""

from __future__ import annotations

import pandas as pd

from salesops.analysis.comp.engine import run_plan

Q1 = ("2026-01-01", "2026-03-31")
TI_RATE = {"basis": "attainment", "rate_unit": "target_incentive",
           "bands": [{"from": 0, "rate": 1.0}]}


def _unknown_hire(inputs):
    reps = inputs.reps.assign(hire_date=pd.NaT)
    return type(inputs)(reps, inputs.quotas, inputs.opportunities)


def test_unknown_hire_date_pays_no_ramp_guarantee_and_no_first_months_draw(make_plan,
                                                                            make_inputs):
    plan = make_plan(ramp={"months": 3, "guarantee": 4000},
                     draw={"amount": 1000, "recoverable": False, "months": 2})
    deals = [("o1", "r1", 5000, "2026-01-10")]
    known = run_plan(plan, make_inputs(deals, hire="2026-01-01"), *Q1)
    unknown = run_plan(plan, _unknown_hire(make_inputs(deals)), *Q1)
    # hired 2026-01-01: Jan earns 5,000 x 10% = 500, topped up to 4,000 (+3,500); Feb and Mar
    # earn 0, topped up to 4,000 each: 3,500 + 4,000 + 4,000 = 11,500 of guarantees
    assert known.periods["guarantee_cents"].sum() == 1150000
    # no hire date: no ramp and no 'first 2 months' draw from a guessed date; only the 500 earned
    assert unknown.periods["guarantee_cents"].sum() == 0
    assert unknown.periods["draw_cents"].sum() == 0
    assert unknown.periods["total_cents"].tolist() == [50000, 0, 0]


def test_unknown_hire_date_is_on_the_plan_for_the_whole_run(make_plan, make_inputs):
    plan = make_plan(tiers=TI_RATE)
    inputs = _unknown_hire(make_inputs([("o1", "r1", 50000, "2026-03-10")], quota=100000))
    res = run_plan(plan, inputs, *Q1)
    # whole quarter on the plan: quota 100,000 (not prorated away); TI 60,000 / 4 = 15,000;
    # 50% attainment pays 50% x 15,000 = 7,500
    assert res.attainment["quota"].tolist() == [100000.0]
    assert res.attainment["active_share"].tolist() == [1.0]
    assert res.lines["amount_cents"].sum() == 750000


def test_monthly_targets_add_up_to_the_year_to_the_cent(make_plan, make_inputs):
    plan = make_plan(ote=100000)  # TI 50,000 a year: 4,166.666... a month
    res = run_plan(plan, make_inputs([("o1", "r1", 1000, "2026-01-10")]), "2026-01-01",
                   "2026-12-31")
    ti = res.periods["target_incentive_cents"]
    # running totals rounded: 416,667 / 833,333 / 1,250,000 -> months 416,667, 416,666, 416,667
    assert ti.tolist()[:3] == [416667, 416666, 416667]
    assert ti.sum() == 5000000  # 12 months are exactly 50,000.00, not 12 x 4,166.67 = 50,000.04
    assert ti.groupby(res.periods["period"].dt.quarter).sum().tolist() == [1250000] * 4


def test_below_threshold_in_a_quarter_still_running_is_held_not_lost(make_plan, make_inputs):
    plan = make_plan(measure={"threshold": 0.5}, tiers={"basis": "attainment", "bands": [
        {"from": 0, "rate": 0.10}]})
    deals = [("o1", "r1", 20000, "2026-04-10")]
    # 20,000 / 100,000 = 20% < 50%: 0 paid either way; the note depends on whether Q2 is over
    ended = run_plan(plan, make_inputs(deals), "2026-04-01", "2026-06-30")
    running = run_plan(plan, make_inputs(deals), "2026-04-01", "2026-05-15")
    assert ended.lines["amount_cents"].tolist() == running.lines["amount_cents"].tolist() == [0]
    assert ended.lines["note"].iloc[0] == "not paid: attainment below the 50% threshold"
    assert running.lines["note"].iloc[0] == (
        "held: below the 50% threshold so far (the quota period is in progress)")
