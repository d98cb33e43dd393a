"""The evaluation on thin data: each section available or its one sentence, with hand oracles.

Tiny dataset (comp_helpers.tiny_dataset): r1 books 60,000 + 60,000 + 120,000 = 240,000 and r2
20,000 (hired 2026-04-01); as of 2026-06-30 the run is 2025-01-01 to 2026-06-30.
"""

from __future__ import annotations

import copy
import dataclasses

import pandas as pd
import pytest
from comp_helpers import BASE_PLAN, tiny_dataset

from salesops.analysis.comp.plans import parse_plan
from salesops.analysis.comp.review import SECTIONS, evaluate
from salesops.data.store import Contents
from salesops.data.thin import thin

AS_OF = "2026-06-30"
NO_QUOTAS = ("the data has no quotas table; a quotas table (quotas.csv) would enable it.")


def _flat(**changes):
    """10% of every booking, no quota needed (BASE_PLAN: OTE 120,000, 50% variable)."""
    doc = copy.deepcopy(BASE_PLAN)
    doc.update(changes)
    return parse_plan(doc, "flat.yaml")


def _run(dataset, plan=None, **kw):
    plan = plan or _flat()
    return evaluate(dataset, AS_OF, plan, kw.pop("alternative", plan), seed=1, **kw)


def test_full_data_every_section_available():
    ev = _run(tiny_dataset(), alternative="flat_commission")
    assert ev.available and all(ev.sections[s] for s in SECTIONS if s not in ("clawbacks", "p4p"))
    assert ev.notes == ()
    # two reps: no rank correlation to speak of
    assert ev.sections["p4p"].reason == (
        "Pay for performance cannot be shown: it ranks at least 3 reps with attainment and a "
        "target, the run has 2.")


def test_quota_plan_without_quotas_says_so_and_pays_nothing():
    ev = _run(thin(tiny_dataset(), drop=("quotas",), roster=True), plan="current")
    assert ev.available.reason == (
        "Payouts under AE plan (current), whose measure 'bookings' pays on attainment of quota, "
        "cannot be shown: " + NO_QUOTAS)
    assert ev.current is None and ev.sim is None  # no guarantee or any other payout computed
    assert {a.reason for a in ev.sections.values()} == {
        "Not shown: the plan cannot be evaluated on this data (see the summary)."}


def test_flat_commission_runs_without_quotas_and_quota_sections_say_why():
    ev = _run(thin(tiny_dataset(), drop=("quotas",), roster=True))
    cost = ev.current.cost.set_index("team")
    # 10% of 240,000 = 24,000 (r1) and of 20,000 = 2,000 (r2); bookings 260,000: 10% cost
    assert cost.loc["All", "payout_cents"] == 2600000
    # budget = TI 60,000 a year: r1 18 months = 90,000, r2 Apr-Jun 2026 = 15,000
    assert cost.loc["All", "budget_cents"] == 10500000
    assert cost.loc["All", "cost_of_sales"] == pytest.approx(0.10)
    assert ev.sections["cost"] and ev.sections["windfalls"] and ev.sections["statement"]
    assert ev.sections["pay_curve"].reason == (
        "The pay curve (payout against attainment of quota) cannot be shown: " + NO_QUOTAS)
    for name in ("distributions", "p4p", "quota_realism", "sensitivity"):
        assert ev.sections[name].reason.endswith(NO_QUOTAS)
    assert ev.sim is None


def test_shipped_flat_commission_runs_without_quotas():
    ev = _run(thin(tiny_dataset(), drop=("quotas",), roster=False), "flat_commission")
    # 8% of 240,000 = 19,200 (r1) and of 20,000 = 1,600 (r2): 20,800
    assert ev.available and ev.current.cost.iloc[-1]["payout_cents"] == 2080000


def test_reps_without_a_quota_are_left_out_of_a_quota_plan_and_counted():
    data = tiny_dataset()
    data = dataclasses.replace(data, quotas=data.quotas.loc[data.quotas["rep_id"] == "r1"])
    ev = _run(data, _flat(measures=[{**BASE_PLAN["measures"][0], "threshold": 0.5}]))
    # r2 has no quota: left out (not paid a silent 0); r1 alone: 240,000 booked against
    # 100,000 a quarter, every quarter with credit reaches 50% -> 10% of 240,000 = 24,000
    assert ev.notes == ("1 of 2 reps on Test plan have no quota in the run and are left out "
                        "(the plan pays on quota).",)
    assert ev.current.outcomes["rep_id"].tolist() == ["r1"]
    assert ev.current.cost.iloc[-1]["payout_cents"] == 2400000
    assert _run(data).notes == ()  # a flat rate on bookings needs no quota: r2 stays


def _ramped():
    return _flat(ramp={"months": 3, "guarantee": 1000})


def test_ramp_guarantee_only_from_a_known_hire_date():
    known = _run(tiny_dataset(), _ramped())
    # r2 hired 2026-04-01: Apr earns 0 (+1,000), May earns 2,000 (no top-up), Jun 0 (+1,000)
    assert known.current.result.periods["guarantee_cents"].sum() == 200000
    data = tiny_dataset()
    data.reps.loc[1, "hire_date"] = pd.NaT
    unknown = _run(data, _ramped())
    assert unknown.current.result.periods["guarantee_cents"].sum() == 0
    assert unknown.notes == ("1 of 2 reps have no hire date: no ramp guarantee is paid to them.",)


def test_roster_from_deal_owners_no_role_filter_no_guarantee():
    ev = _run(thin(tiny_dataset(), drop=(), roster=False), _ramped())
    assert ev.current.result.periods["guarantee_cents"].sum() == 0
    assert ev.notes == (
        "The roster has no 'role' column, so Test plan is applied to every rep, not only to "
        "role AE.",
        "The new-hire ramp guarantee (never paid from a guessed hire date) cannot be shown: the "
        "reps table (derived from the deals' owner column) has no 'hire_date' column; mapping "
        "'hire_date' at ingest would enable it.",
        "Budgets prorated for joiners and leavers cannot be shown: the reps table (derived from "
        "the deals' owner column) has no 'hire_date' and 'termination_date' columns; mapping "
        "'hire_date' and 'termination_date' at ingest would enable it.")
    # both owners on the plan for the whole run: 24,000 + 2,000 paid, TI 90,000 + 90,000
    cost = ev.current.cost.set_index("team")
    assert cost.index.tolist() == ["All"]
    assert (cost.loc["All", "payout_cents"], cost.loc["All", "budget_cents"]) == (2600000,
                                                                                  18000000)


def test_transactions_only_data_says_it_needs_deals_and_reps():
    data = tiny_dataset()
    data = dataclasses.replace(data, contents=Contents(frozenset({"transactions"})))
    ev = _run(data)
    assert ev.available.reason == (
        "The comp plan evaluation (it needs deals and the reps who own them) cannot be shown: the "
        "data has no opportunities table; an opportunities (deals) table would enable it.")
    assert ev.current is None and set(ev.sections) == set(SECTIONS)


def test_cancellations_scenario_runs_on_the_builtin_sample_only():
    plan = _flat(clawback={"window_days": 365})
    real = _run(tiny_dataset(), plan, cancellations_share=1.0)
    assert real.inputs.adjustments is None
    assert real.sections["clawbacks"].reason == (
        "Clawbacks cannot be shown: the data has no cancellations or refunds (the cancellations "
        "scenario runs on the built-in sample only).")
    sample = _run(tiny_dataset(), plan, sample=True, cancellations_share=1.0)
    # every won deal cancelled 1-120 days after closing; o4 (closed 2026-05-10) may fall after
    # as_of: at least o1-o3 are reversed
    assert {"o1", "o2", "o3"} <= set(sample.inputs.adjustments["opportunity_id"])
    assert sample.sections["clawbacks"]
    no_rule = _run(tiny_dataset(), sample=True, cancellations_share=1.0)
    assert no_rule.sections["clawbacks"].reason == "Test plan has no clawback rule."


def test_open_deals_without_amount_are_counted_not_zero():
    ev = _run(tiny_dataset())
    # o6 (30,000) and o7 (unknown) are open on 2026-06-30: one open deal without an amount
    assert ev.open_unknown_amounts == 1
    assert ev.sim is not None and ev.sim.totals.min() >= 0


def test_next_period_range_needs_two_complete_quarters():
    ev = evaluate(tiny_dataset(), "2025-05-15", _flat(), _flat())
    # run 2024-01-01 to 2025-05-15; quotas start 2025Q1: only 2025Q1 is complete with a quota
    assert ev.sections["sensitivity"].reason == (
        "Next quarter's payout range cannot be shown: not enough history (1 complete quarter "
        "on the plan; the range needs 2).")
    assert ev.sim is None
    assert evaluate(tiny_dataset(), "2025-07-01", _flat(), _flat()).sections["sensitivity"]


def test_an_alternative_paying_the_same_is_not_compared():
    ev = _run(tiny_dataset())  # the flat plan against itself
    assert ev.sections["whatif"].reason == (
        "Test plan pays every rep the same as Test plan (within 1 unit of currency): there is "
        "nothing to compare.")
    assert ev.whatif is None
    other = _run(tiny_dataset(), alternative=_flat(plan="Flat 20%", measures=[{
        "name": "bookings", "tiers": {"basis": "amount", "bands": [{"from": 0, "rate": 0.2}]}}]))
    # 20% instead of 10%: r1 24,000 -> 48,000, r2 2,000 -> 4,000: both gain, +26,000
    assert (other.whatif.winners, other.whatif.losers, other.whatif.cost_difference) == (
        2, 0, 26000.0)
