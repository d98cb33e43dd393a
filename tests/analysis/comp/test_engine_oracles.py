"""The issue's worked examples, reproduced through the engine exactly (amounts in cents)."""

from __future__ import annotations

import pandas as pd

from salesops.analysis.comp.engine import run_plan

PER_DEAL_BANDS = [{"from": 0, "to": 1000, "rate": 0.01}, {"from": 1000, "to": 3000, "rate": 0.02},
                  {"from": 3000, "to": 8000, "rate": 0.03},
                  {"from": 8000, "to": 20000, "rate": 0.05}]


def test_marginal_tiers_per_transaction(make_plan, make_inputs):
    plan = make_plan(tiers={"method": "marginal", "basis": "amount", "scope": "deal",
                            "bands": PER_DEAL_BANDS})
    amounts = [200, 300, 1500, 1200, 2000, 4500]
    deals = [(f"o{i}", "r1", a, "2026-02-10") for i, a in enumerate(amounts)]
    lines = run_plan(plan, make_inputs(deals), "2026-01-01", "2026-03-31").lines
    per_deal = lines.groupby("opportunity_id")["amount_cents"].sum()
    # 200*1%=2; 300*1%=3; 1000*1%+500*2%=20; 1000*1%+200*2%=14; 1000*1%+1000*2%=30;
    # 1000*1%+2000*2%+1500*3% = 10+40+45 = 95
    assert per_deal.tolist() == [200, 300, 2000, 1400, 3000, 9500]
    assert lines["amount_cents"].sum() == 16400  # 164.00


def test_marginal_rates_on_cumulative_bookings(make_plan, make_inputs):
    plan = make_plan(tiers={"method": "marginal", "basis": "amount", "bands": [
        {"from": 0, "to": 50000, "rate": 0.05}, {"from": 50000, "to": 100000, "rate": 0.06},
        {"from": 100000, "rate": 0.07}]})
    deals = [("o1", "r1", 60000, "2026-01-15"), ("o2", "r1", 42000, "2026-02-20")]
    res = run_plan(plan, make_inputs(deals), "2026-01-01", "2026-03-31")
    # 50,000*5% + 50,000*6% + 2,000*7% = 2,500 + 3,000 + 140 = 5,640
    assert res.lines["amount_cents"].sum() == 564000
    slices = res.lines.groupby("tier", sort=False)["amount_cents"].sum()
    assert slices.to_dict() == {"0-50,000": 250000, "50,000-100,000": 300000, "100,000-": 14000}
    # paid as earned: January 2,500 + 10,000*6% = 3,100; February 40,000*6% + 2,000*7% = 2,540
    assert res.periods.set_index("period_label")["total_cents"].to_dict() == {
        "2026-01": 310000, "2026-02": 254000, "2026-03": 0}


def test_quota_accelerators(make_plan, make_inputs):
    plan = make_plan(quota_period="quarter", tiers={"method": "marginal", "basis": "attainment",
                                                    "bands": [
        {"from": 0, "to": 1.0, "rate": 0.05}, {"from": 1.0, "to": 1.25, "rate": 0.06},
        {"from": 1.25, "rate": 0.07}]})
    deals = [("o1", "r1", 150000, "2026-03-10")]
    res = run_plan(plan, make_inputs(deals, quota=100000), "2026-01-01", "2026-03-31")
    # 100,000*5% + 25,000*6% + 25,000*7% = 5,000 + 1,500 + 1,750 = 8,250
    assert res.lines["amount_cents"].tolist() == [500000, 150000, 175000]
    assert res.attainment["attainment"].tolist() == [1.5]


def test_blended_rate(make_plan, make_inputs):
    plan = make_plan(tiers={"method": "marginal", "basis": "amount", "bands": [
        {"from": 0, "to": 1000, "rate": 0.01}, {"from": 1000, "to": 5000, "rate": 0.02}]})
    res = run_plan(plan, make_inputs([("o1", "r1", 2500, "2026-01-05")]), "2026-01-01",
                   "2026-01-31")
    total = res.lines["amount_cents"].sum()
    # 1,000*1% + 1,500*2% = 10 + 30 = 40: an effective 40 / 2,500 = 1.6%
    assert total == 4000
    assert total / 100 / 2500 == 0.016


def test_recoverable_draw(make_plan, make_inputs):
    plan = make_plan(draw={"amount": 1000, "recoverable": True})
    deals = [("o1", "r1", 5000, "2026-01-10"), ("o2", "r1", 7000, "2026-02-10"),
             ("o3", "r1", 4000, "2026-03-10")]
    res = run_plan(plan, make_inputs(deals), "2026-01-01", "2026-03-31")
    p = res.periods
    # earnings 10% of 5,000 / 7,000 / 4,000 = 500 / 700 / 400; the draw tops each up to 1,000
    assert p["commission_cents"].tolist() == [50000, 70000, 40000]
    assert p["total_cents"].tolist() == [100000, 100000, 100000]
    # balance 500; 500 + 300 = 800; 800 + 600 = 1,400
    assert p["draw_balance_cents"].tolist() == [50000, 80000, 140000]


def test_spif_clawed_back_when_deal_cancelled(make_plan, make_inputs):
    plan = make_plan(spifs=[{"name": "June push", "products": ["Core"], "start": "2026-06-01",
                             "end": "2026-06-30", "amount_per_deal": 500}],
                     clawback={"window_days": 120})
    adjustments = pd.DataFrame({"opportunity_id": ["o1"], "date": ["2026-08-12"],
                                "kind": ["cancelled"], "amount": [10000]})
    inputs = make_inputs([("o1", "r1", 10000, "2026-06-15")], adjustments=adjustments)
    res = run_plan(plan, inputs, "2026-06-01", "2026-08-31")
    spif = res.lines[res.lines["kind"] == "spif"]
    claw = res.lines[(res.lines["kind"] == "clawback") & (res.lines["measure"].isna())]
    assert spif[["period_label", "amount_cents"]].values.tolist() == [["2026-06", 50000]]
    assert claw[["period_label", "amount_cents"]].values.tolist() == [["2026-08", -50000]]
    # the commission (10% of 10,000 = 1,000) is reversed in August too; attainment unchanged
    by_period = res.periods.set_index("period_label")["total_cents"].to_dict()
    # (the run starts with the quarter, so April and May appear with nothing in them)
    assert by_period == {"2026-04": 0, "2026-05": 0, "2026-06": 150000, "2026-07": 0,
                         "2026-08": -150000}
    assert res.attainment.loc[res.attainment["quota_period_label"] == "FY2026 Q2",
                              "credit"].tolist() == [10000.0]
