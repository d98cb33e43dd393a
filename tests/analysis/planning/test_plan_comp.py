"""Comp under the planned quotas on a hand-made team: the drawn months rebuilt into plan-year
deals, and the payout, cost of sales and share at quota of each draw with their range."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.analysis.comp.plans import load_plan, parse_plan
from salesops.analysis.planning.plan_comp import plan_comp, plan_year_deals, quantiles
from salesops.data.periods import FiscalCalendar

CAL = FiscalCalendar(1)
YEAR = CAL.period(pd.Timestamp("2027-06-30"), "year")  # FY2027: 2027-01-01 to 2027-12-31
#: 10% of every deal; OTE 120,000 half variable: a target incentive of 60,000 a year.
FLAT = parse_plan({"plan": "Flat 10%", "applies_to": {"role": "AE"}, "ote": 120000,
                   "pay_mix": {"base": 0.5, "variable": 0.5}, "payout_period": "month",
                   "quota_period": "quarter",
                   "measures": [{"name": "bookings", "tiers": {
                       "method": "marginal", "basis": "amount",
                       "bands": [{"from": 0, "rate": 0.10}]}}]}, "flat.yaml")

REPS = pd.DataFrame({"rep_id": ["r1", "r2", "s1"], "name": ["Ann", "Bo", "Sam"],
                     "manager": "M", "team": ["T1", "T2", "T1"], "region": "EMEA",
                     "role": ["AE", "AE", "SDR"],
                     "hire_date": pd.Timestamp("2020-01-01"), "termination_date": pd.NaT})
DEALS = pd.DataFrame([
    ("d1", "r1", 1000.0, "2026-01-15", "won"), ("d2", "r1", 500.0, "2026-01-31", "won"),
    ("d3", "r1", 2000.0, "2026-02-10", "won"), ("d4", "r1", 9999.0, "2026-02-11", "lost"),
    ("d5", "r2", 4000.0, "2026-03-05", "won"), ("d6", "r2", np.nan, "2026-03-06", "open"),
    ("d7", "s1", 8000.0, "2026-01-05", "won")],
    columns=["opportunity_id", "rep_id", "amount", "close_date", "status"]).assign(
    close_date=lambda d: pd.to_datetime(d["close_date"]), account_id="a1", product="Core")
#: draw 0: r1 gets Jan then Feb 2026, r2 Mar 2026 in January; draw 1: r1 gets Feb then Jan,
#: r2 Jan 2026 (when r2 won nothing); s1 (an SDR, not on the AE plan) and a rep absent from
#: the roster are drawn too.
DRAWS = pd.DataFrame([
    (0, "r1", "2027-01-01", "2026-01-01"), (0, "r1", "2027-02-01", "2026-02-01"),
    (0, "r2", "2027-01-01", "2026-03-01"), (0, "s1", "2027-01-01", "2026-01-01"),
    (1, "r1", "2027-01-01", "2026-02-01"), (1, "r1", "2027-02-01", "2026-01-01"),
    (1, "r2", "2027-02-01", "2026-01-01"), (1, "ghost", "2027-01-01", "2026-01-01")],
    columns=["draw", "rep_id", "plan_month", "source_month"]).assign(
    plan_month=lambda d: pd.to_datetime(d["plan_month"]),
    source_month=lambda d: pd.to_datetime(d["source_month"]))
#: 1,000 a quarter for each rep: 4,000 for the year.
QUOTAS = pd.DataFrame([{"rep_id": r, "period_start": q.start, "period_end": q.end,
                        "quota_amount": 1000.0}
                       for r in ("r1", "r2", "s1") for q in CAL.periods_between(
                           YEAR.start, YEAR.end, "quarter")])


def test_drawn_months_become_plan_year_deals_on_the_same_day_of_the_month():
    moved = plan_year_deals(DEALS, DRAWS)
    got = {(r.rep_id, r.source_opportunity_id): (r.close_date.strftime("%Y-%m-%d"), r.amount)
           for r in moved.itertuples()}
    assert got == {
        # draw 0: r1's January deals (d1, d2) in January, February's (d3) in February; r2's
        # March deal (d5) in January; the lost d4 and the open d6 without an amount are not moved
        ("r1#0", "d1"): ("2027-01-15", 1000.0), ("r1#0", "d2"): ("2027-01-31", 500.0),
        ("r1#0", "d3"): ("2027-02-10", 2000.0), ("r2#0", "d5"): ("2027-01-05", 4000.0),
        ("s1#0", "d7"): ("2027-01-05", 8000.0),
        # draw 1: d2 closed on 31 January lands on 28 February 2027, the month's last day
        ("r1#1", "d3"): ("2027-01-10", 2000.0), ("r1#1", "d1"): ("2027-02-15", 1000.0),
        ("r1#1", "d2"): ("2027-02-28", 500.0)}
    assert moved["opportunity_id"].is_unique and (moved["status"] == "won").all()
    assert set(moved["account_id"]) == {"a1#0", "a1#1"}  # a draw's accounts are its own


def test_a_month_drawn_from_another_rep_is_credited_to_the_drawn_rep():
    # r2 has too little history of their own: plan month March 2027 repeats r1's February 2026
    draws = pd.DataFrame({"draw": [5], "rep_id": ["r2"], "plan_month": [pd.Timestamp("2027-03-01")],
                          "source_rep_id": ["r1"], "source_month": [pd.Timestamp("2026-02-01")]})
    moved = plan_year_deals(DEALS, draws)
    # r1's won deal d3 (2,000 on 10 February) becomes r2's on 10 March; the lost d4 stays out
    assert moved[["rep_id", "source_opportunity_id", "amount"]].values.tolist() == [
        ["r2#5", "d3", 2000.0]]
    assert moved["close_date"].tolist() == [pd.Timestamp("2027-03-10")]


def test_each_draw_is_paid_through_the_plan_and_the_range_is_over_the_draws():
    pc = plan_comp(FLAT, REPS, QUOTAS, DEALS, DRAWS, YEAR, CAL)
    d = pc.by_draw.set_index("draw")
    # only r1 and r2 are on the AE plan (s1 is an SDR, 'ghost' is not in the roster)
    assert d["reps"].tolist() == [2, 2]
    # draw 0: r1 1,000 + 500 + 2,000 = 3,500, r2 4,000: 7,500 booked, 10% = 750 paid
    # draw 1: r1 2,000 + 1,000 + 500 = 3,500, r2 nothing: 3,500 booked, 350 paid
    assert d["bookings"].tolist() == [7500.0, 3500.0]
    assert d["payout"].tolist() == [750.0, 350.0]
    assert d["cost_of_sales"].tolist() == pytest.approx([0.10, 0.10])
    # budget: 2 reps x 60,000 of target incentive, the whole year employed = 120,000
    assert pc.budget == 120_000 and d["budget"].tolist() == [120_000, 120_000]
    assert d["payout_vs_budget"].tolist() == pytest.approx([750 / 120_000, 350 / 120_000])
    # P10 = 350 + 0.1 x (750 - 350) = 390, median = (350 + 750) / 2 = 550, P90 = 350 + 0.9 x 400
    assert (pc.payout.p10, pc.payout.median, pc.payout.p90) == pytest.approx((390, 550, 710))
    assert pc.draws == 2 and pc.year == YEAR


def test_share_at_quota_per_draw_and_per_rep_figures():
    pc = plan_comp(FLAT, REPS, QUOTAS, DEALS, DRAWS, YEAR, CAL)
    # annual quota 4 x 1,000 = 4,000: draw 0 r1 3,500 / 4,000 = 87.5% (short), r2 4,000 / 4,000
    # = 100% (at quota): 1 of 2; draw 1 r1 87.5%, r2 0%: 0 of 2
    assert pc.by_draw["at_quota"].tolist() == [0.5, 0.0]
    # range of [0.5, 0]: P10 0.05, median 0.25, P90 0.45
    assert (pc.at_quota.p10, pc.at_quota.median, pc.at_quota.p90) == pytest.approx(
        (0.05, 0.25, 0.45))
    reps = pc.by_rep.set_index("rep_id")
    assert reps.loc["r1", "quota"] == 4000 and reps.loc["r1", "payout_median"] == 350
    # r2 paid 400 (draw 0) and 0 (draw 1): P10 40, median 200, P90 360
    assert reps.loc["r2", ["payout_p10", "payout_median", "payout_p90"]].tolist() == \
        pytest.approx([40, 200, 360])
    assert reps.loc["r2", "attainment_median"] == pytest.approx(0.5)  # (1.0 + 0) / 2
    assert reps.index.tolist() == ["r1", "r2"]  # highest median payout first


def test_a_given_budget_replaces_the_on_target_pay():
    pc = plan_comp(FLAT, REPS, QUOTAS, DEALS, DRAWS, YEAR, CAL, budget=1000)
    # 750 / 1,000 and 350 / 1,000
    assert pc.by_draw["payout_vs_budget"].tolist() == pytest.approx([0.75, 0.35])
    assert pc.budget == 1000


def test_bad_draws_name_the_row_and_column():
    with pytest.raises(ValueError, match="draws: no column 'source_month'"):
        plan_year_deals(DEALS, DRAWS.drop(columns="source_month"))
    bad = DRAWS.assign(plan_month=DRAWS["plan_month"].where(DRAWS.index != 2,
                                                            pd.Timestamp("2027-01-15")))
    with pytest.raises(ValueError, match="draws: row 2, column 'plan_month': must be the first"):
        plan_year_deals(DEALS, bad)


def test_quantiles_of_nothing_are_missing_not_zero():
    r = quantiles(pd.Series([np.nan, np.nan]))
    assert all(np.isnan(v) for v in (r.p10, r.median, r.p90))


months = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 11), st.integers(0, 23)),
                  min_size=1, max_size=30)


@settings(max_examples=40, deadline=None)
@given(months)
def test_every_drawn_deal_lands_in_its_plan_month_and_no_amount_is_lost(picks):
    draws = pd.DataFrame([(d, "r1", pd.Timestamp("2027-01-01") + pd.DateOffset(months=m),
                           pd.Timestamp("2025-01-01") + pd.DateOffset(months=s))
                          for d, m, s in picks],
                         columns=["draw", "rep_id", "plan_month", "source_month"])
    days = pd.date_range("2025-01-01", "2026-12-31", freq="7D")
    deals = pd.DataFrame({"opportunity_id": [f"o{i}" for i in range(len(days))], "rep_id": "r1",
                          "amount": np.arange(len(days)) + 1.0, "close_date": days,
                          "status": "won", "account_id": "a", "product": "Core"})
    moved = plan_year_deals(deals, draws)
    assert (moved["close_date"].dt.to_period("M").dt.to_timestamp()
            == moved["opportunity_id"].str.rpartition(":")[2].map(pd.Timestamp)).all()
    month = deals["close_date"].dt.to_period("M").dt.to_timestamp()
    expected = sum(deals.loc[month == s, "amount"].sum() for s in draws["source_month"])
    assert moved["amount"].sum() == pytest.approx(expected)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["r1", "r2"]), st.integers(0, 11),
                          st.integers(0, 2)), min_size=1, max_size=25, unique_by=lambda t: t[:3]))
def test_one_combined_run_pays_each_draw_as_its_own_run_would(picks):
    # the shipped plan (threshold, accelerator, true-up, ramp guarantee) on a quota of 1,000 a
    # quarter: running every draw at once must not let draws touch each other
    plan = load_plan("current")
    draws = pd.DataFrame([(d, r, pd.Timestamp("2027-01-01") + pd.DateOffset(months=m),
                           pd.Timestamp("2026-01-01") + pd.DateOffset(months=s))
                          for d, r, m, s in picks],
                         columns=["draw", "rep_id", "plan_month", "source_month"])
    together = plan_comp(plan, REPS, QUOTAS, DEALS, draws, YEAR, CAL).by_draw.set_index("draw")
    for d, alone in draws.groupby("draw"):
        single = plan_comp(plan, REPS, QUOTAS, DEALS, alone, YEAR, CAL).by_draw.iloc[0]
        assert together.loc[d, "payout"] == pytest.approx(single["payout"], abs=0.005)
        assert together.loc[d, "bookings"] == pytest.approx(single["bookings"], abs=0.005)
