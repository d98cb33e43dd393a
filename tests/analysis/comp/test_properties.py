"""Invariants: payout rises with attainment (unless a decelerator says so), never exceeds the cap,
and statement lines always sum to the totals."""

from __future__ import annotations

import numpy as np
from comp_helpers import inputs_from, plan_from
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.analysis.comp.engine import payout_at_attainment, run_plan
from salesops.analysis.comp.statements import totals_reconcile

rates = st.lists(st.integers(0, 300), min_size=1, max_size=4)
widths = st.lists(st.integers(10, 80), min_size=3, max_size=3)


def _plan(rate_list, width_list, method, cap=None, threshold=0):
    bounds = np.cumsum([0] + width_list[: len(rate_list) - 1]) / 100
    bands = [{"from": float(lo), "rate": r / 100} for lo, r in zip(bounds, rate_list, strict=False)]
    for band, nxt in zip(bands, bands[1:], strict=False):
        band["to"] = nxt["from"]
    extra = {"cap": {"multiple_of_target": cap}} if cap else {}
    return plan_from(measure={"threshold": threshold}, tiers={
        "method": method, "basis": "attainment", "rate_unit": "target_incentive",
        "bands": bands}, **extra)


@settings(max_examples=60, deadline=None)
@given(rates, widths, st.sampled_from(["marginal", "retroactive"]),
       st.sampled_from([0, 0.5]))
def test_payout_never_decreases_with_attainment(rate_list, width_list, method, threshold):
    if method == "retroactive":
        rate_list = sorted(rate_list)  # falling retroactive rates are a decelerator
    plan = _plan(rate_list, width_list, method, threshold=threshold)
    grid = np.linspace(0, 4, 401)
    assert (np.diff(payout_at_attainment(plan, grid)) >= 0).all()


def test_a_retroactive_decelerator_may_lower_payout():
    plan = _plan([100, 50], [100, 10, 10], "retroactive")
    low, high = payout_at_attainment(plan, np.array([0.99, 1.0]))
    assert high < low  # 99% at rate 1.0 pays more than 100% at rate 0.5: the plan says so


@settings(max_examples=60, deadline=None)
@given(rates, widths, st.sampled_from(["marginal", "retroactive"]),
       st.floats(0.5, 3.0).map(lambda x: round(x, 2)))
def test_payout_never_exceeds_the_cap(rate_list, width_list, method, cap):
    plan = _plan(rate_list, width_list, method, cap=cap)
    grid = np.linspace(0, 6, 301)
    ti_quarter = 120000 * 0.5 / 4
    assert (payout_at_attainment(plan, grid) <= cap * ti_quarter + 1e-9).all()


deals = st.lists(st.tuples(st.integers(1, 200_000), st.integers(0, 180)), min_size=1,
                 max_size=25)


@settings(max_examples=40, deadline=None)
@given(deals, rates, widths, st.sampled_from(["marginal", "retroactive"]),
       st.sampled_from([None, 1.5]), st.booleans())
def test_statement_lines_sum_to_totals_and_respect_the_cap(deal_list, rate_list, width_list,
                                                           method, cap, draw):
    plan = _plan(rate_list, width_list, method, cap=cap, threshold=0.25)
    if draw:
        plan = plan.__class__(**{**plan.__dict__, "draw": plan_from(draw={
            "amount": 2000, "recoverable": True}).draw})
    dates = np.datetime64("2026-01-01") + np.array([d for _, d in deal_list])
    rows = [(f"o{i}", "r1", a, str(d)) for i, ((a, _), d) in enumerate(zip(deal_list, dates,
                                                                          strict=True))]
    res = run_plan(plan, inputs_from(rows, quota=100000), "2026-01-01", "2026-06-30")
    assert totals_reconcile(res)
    lines = res.lines
    key = list(zip(lines["rep_id"].cat.codes, lines["period"], lines["kind"].cat.codes,
                   strict=True))
    assert key == sorted(key)  # lines in statement order: rep, period, kind
    incentive = res.lines[res.lines["kind"].isin(["commission", "retro_uplift", "cap"])]
    per_quarter = incentive.groupby(incentive["period"].dt.quarter)["amount_cents"].sum()
    if cap:
        assert (per_quarter <= round(cap * 15000 * 100)).all()
