"""The plan in one call: the target's arithmetic, every section on the sample, and one sentence
per section the data cannot support (no deals, no roster, a thin export)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops.analysis.planning.plan_review import (
    SECTIONS,
    parse_hires,
    parse_ramp,
    plan_target,
    review,
)
from salesops.data.builtin import ensure_sample_dataset
from salesops.data.periods import FiscalCalendar
from salesops.data.store import load_dataset
from salesops.data.thin import thin

AS_OF = "2026-12-01"


@pytest.fixture(scope="module")
def sample():
    return load_dataset(ensure_sample_dataset(end=AS_OF))


@pytest.fixture(scope="module")
def plan(sample):
    return review(sample, AS_OF, draws=200, comp_draws=20)


def test_the_default_target_is_the_last_12_complete_months_grown():
    # as of 2026-12-01 the 12 complete months are 2025-12 to 2026-11; 2025-11 and 2026-12 are out
    months = pd.date_range("2025-11-01", "2026-12-01", freq="MS")
    booked = {"2025-11-01": 1000.0, "2025-12-01": 100.0, "2026-06-01": 200.0,
              "2026-11-01": 300.0, "2026-12-01": 5000.0}
    rm = pd.DataFrame({"month": months,
                       "bookings": [booked.get(f"{m:%Y-%m-%d}", 0.0) for m in months]})
    t = plan_target(rm, pd.Timestamp(AS_OF), FiscalCalendar(1), None, growth=0.10)
    # (100 + 200 + 300) x 1.10 = 660
    assert (t.base, t.amount, t.given) == (600.0, pytest.approx(660.0), False)
    assert (t.first, t.last) == (pd.Timestamp("2025-12-01"), pd.Timestamp("2026-11-01"))
    given = plan_target(rm, pd.Timestamp(AS_OF), FiscalCalendar(1), 75e6)
    assert (given.amount, given.given) == (75e6, True)


def test_on_the_sample_every_section_is_shown_and_the_pieces_agree(plan):
    assert all(plan.sections[name] for name in SECTIONS), plan.sections
    assert plan.year.label == "FY2027"
    # quotas are the target plus 15% over-assignment, to the cent, and the phased table sums to it
    assert plan.top.total == pytest.approx(round(plan.target.amount * 1.15, 2), abs=0.005)
    assert round(plan.quotas["quota_amount"].sum(), 2) == pytest.approx(plan.top.total, abs=0.005)
    assert set(plan.quotas["rep_id"]) == set(plan.top.reps["rep_id"])
    # the comp run pays the reps the quotas were set for, over the draws asked for
    assert set(plan.comp.by_rep["rep_id"]) == set(plan.top.reps["rep_id"])
    assert plan.comp.draws == 20 and plan.realism.draws == 200
    # the planned territories place every account exactly once
    assert plan.territories.assignment["account_id"].is_unique
    assert len(plan.territories.assignment) == len(plan.book.accounts)


def test_without_deals_every_section_says_so_once(sample):
    bare = thin(sample, drop=("opportunities", "quotas", "stage_history", "opportunity_history"),
                roster=True)
    r = review(bare, AS_OF, draws=10, comp_draws=2)
    reasons = {name: r.sections[name].reason for name in SECTIONS}
    assert not any(r.sections.values())
    assert set(reasons.values()) == {
        "The plan (it needs deals and the reps who own them) cannot be shown: the data has no "
        "opportunities table; an opportunities (deals) table would enable it."}
    assert r.quotas is None and r.comp is None and r.territories is None


def test_a_roster_from_deal_owners_sets_no_quotas_and_no_territories(sample):
    # a roster derived from deal owners lists everyone who ever sold: quotas and territories
    # would go to people who have left, so each section says what is missing instead
    r = review(thin(sample), AS_OF, draws=50, comp_draws=5)
    assert r.sections["quotas"].reason == (
        "Quota allocation cannot be shown: the reps table (derived from the deals' owner column) "
        "has no 'termination_date' column; mapping 'termination_date' at ingest would enable it.")
    assert r.sections["territories"].reason.startswith(
        "Territory planning cannot be shown: the reps table (derived from the deals' owner column)")
    assert not r.sections["realism"] and not r.sections["comp"]
    assert r.quotas is None and r.territories is None and not r.notes


def test_a_roster_without_hire_dates_plans_without_ramp_and_says_so(sample):
    r = review(thin(sample, roster=True, drop_columns={"reps": ("hire_date",)}), AS_OF, draws=50,
               comp_draws=5)
    assert "No hire dates: every rep counts as fully ramped and no quota is ramped." in r.notes
    assert r.sections["quotas"] and r.sections["comp"]
    # no hire date: every seat of the plan year is a whole ramped month
    assert np.allclose(r.seats["ramp"], 1.0)


def test_a_zero_target_is_a_sentence_not_a_zero_quota(sample):
    r = review(sample, AS_OF, target=0.0, draws=10, comp_draws=2)
    assert not r.sections["quotas"]
    assert r.sections["quotas"].reason.startswith("Quota allocation cannot be shown: the target "
                                                  "is zero")
    assert not r.sections["comp"] and r.quotas is None


def test_planned_hires_hold_seats_and_are_paid_but_are_not_written_for_ingest(sample):
    r = review(sample, AS_OF, hires={"2027-03": 2}, draws=50, comp_draws=5)
    hires = {"TBH-2027-03-1", "TBH-2027-03-2"}
    assert hires <= set(r.top.reps["rep_id"]) and hires <= set(r.quotas["rep_id"])
    # a seat from March: 10 months employed, ramping from tenure month 1
    first = r.seats.loc[r.seats["rep_id"] == "TBH-2027-03-1"]
    assert len(first) == 10 and first["tenure_month"].min() == 1
    assert hires <= set(r.comp.by_rep["rep_id"])  # paid from their start (ramp guarantee too)
    assert not set(r.quotas_table["rep_id"]) & hires  # no roster row yet: ingest would refuse it
    # fractional hires count for capacity but hold no quota, and the report says so
    half = review(sample, AS_OF, hires={"2027-03": 1.5}, draws=10, comp_draws=2)
    assert any(n.startswith("The planned hires hold no quota: planned hires must be whole")
               for n in half.notes)


def test_hires_and_ramp_given_as_text_as_salesops_run_passes_them():
    assert parse_hires('{"2027-02": 2}') == {"2027-02": 2}
    assert parse_hires("2027-02:2, 2027-04:1") == {"2027-02": 2.0, "2027-04": 1.0}
    assert parse_hires(None) is None and parse_hires(" ") is None
    with pytest.raises(ValueError, match="hires: expected month counts like 2027-02:2"):
        parse_hires("February")
    assert parse_ramp("[0.2, 0.5, 0.8]") == (0.2, 0.5, 0.8) == parse_ramp("0.2,0.5,0.8")
    with pytest.raises(ValueError, match="ramp: expected shares like 0.2,0.5,0.8"):
        parse_ramp("slow")


def test_too_short_a_history_gives_no_default_target_and_no_quota(sample):
    # 5 of the 12 months 2025-12 to 2026-11 in the history: no target is derived from them
    rm = pd.DataFrame({"month": pd.date_range("2026-07-01", "2026-11-01", freq="MS"),
                       "bookings": 100.0})
    t = plan_target(rm, pd.Timestamp(AS_OF), FiscalCalendar(1), None)
    assert (t.months, t.known, t.base) == (5, False, 500.0) and np.isnan(t.amount)
    # the sample starts in October 2023: as of 2024-03-01 it holds 5 complete months
    r = review(sample, "2024-03-01", draws=10, comp_draws=2)
    assert r.sections["quotas"].reason == (
        "Quota allocation cannot be shown: no target was given and the history holds 5 of the "
        "12 complete months (2023-03 to 2024-02) a default target is taken from; give a target.")
    assert not r.sections["comp"] and not r.sections["realism"]


def test_an_audience_with_too_few_hires_plans_with_the_company_ramp_profile(sample, plan):
    # Amir Yilmaz's team saw fewer than 3 hires from their hire month: its own profile cannot
    # be estimated, so capacity uses the company's (an aggregate that names nobody)
    own = review(sample, AS_OF, "manager=Amir Yilmaz", draws=20, comp_draws=2)
    assert own.sections["capacity"]
    assert own.capacity.ramp.source == "company"
    assert own.capacity.ramp.shares == plan.capacity.ramp.shares
    assert plan.capacity.ramp.source == "history"  # the company uses its own history


def test_an_audience_with_too_few_leavers_plans_with_the_company_attrition(sample, plan):
    # Amir Yilmaz's team lost nobody in the 24 months (0 < MIN_LEAVERS = 3): 0% a year would be
    # a claim four reps cannot support, so capacity uses the company's 6 leavers / 615.6 months
    own = review(sample, AS_OF, "manager=Amir Yilmaz", draws=20, comp_draws=2)
    att = own.capacity.attrition
    assert att.source == "company"
    assert (att.leavers, att.monthly_rate) == (plan.capacity.attrition.leavers,
                                               plan.capacity.attrition.monthly_rate)
    assert plan.capacity.attrition.source == "history" and plan.capacity.attrition.leavers >= 3
