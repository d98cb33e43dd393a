"""The planning report's sentences and cover numbers: each figure as the tables show it."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
from planning_fixtures import (
    YEAR,
    allocation,
    capacity_result,
    plan_comp_result,
    territory_result,
)

from salesops.analysis.planning.attrition import Attrition
from salesops.analysis.planning.phasing import Seasonality
from salesops.analysis.planning.plan_review import PlanningReview, Target
from salesops.analysis.planning.quotas import side_by_side
from salesops.analysis.planning.ramp_profile import RampProfile
from salesops.analysis.planning.realism import Realism
from salesops.data.periods import FiscalCalendar, Period
from salesops.data.requirements import AVAILABLE, Availability
from salesops.presentation import planning_text as text
from salesops.presentation.planning_text import (
    attrition_sentence,
    capacity_sentence,
    comp_headline,
    comp_sentences,
    comp_tiles,
    headline_items,
    hires_sentence,
    phasing_sentence,
    quotas_sentence,
    ramp_sentence,
    realism_sentence,
    summary_sentences,
    target_sentence,
    territory_sentence,
)

CAL = FiscalCalendar(1)


def test_comp_sentences_give_the_median_year_its_range_budget_and_cost():
    said = comp_sentences(plan_comp_result())
    # payouts 100K..190K: P10 = 100K + 0.1 x 9 x 10K = 109K, median 145K, P90 = 100K + 0.9 x 90K
    # = 181K; 145K / 150K budget = 96.7% -> 97%
    assert said[0] == ("Under AE plan, FY2027's variable pay on the planned quotas is $145K in "
                       "the median of 10 simulated years, between $109K and $181K in 8 years of "
                       "10 (P10 to P90), against a budget of $150K (the on-target variable pay "
                       "of 3 reps on the plan): 97% of budget in the median year.")
    # every year costs 10% of bookings: P10 and P90 show the same figure
    assert said[1] == ("Cost of sales (variable pay / credited bookings): 10.0% in the median "
                       "year, 10.0% in at least 8 years of 10.")
    # at quota 1/3 in five years, 2/3 in five: median (1/3 + 2/3) / 2 = 50%, P10 33%, P90 67%
    assert said[2] == ("Reps on the plan at or above their annual quota: 50% in the median "
                       "year, between 33% and 67% in 8 years of 10.")


def test_comp_tiles_and_headline_show_the_same_figures():
    pc = plan_comp_result()
    assert comp_tiles(pc) == [("P10: 1 simulated year in 10 below", "$109K"),
                              ("Median variable pay", "$145K"),
                              ("P90: 1 simulated year in 10 above", "$181K"),
                              ("Budget (on-target variable pay)", "$150K"),
                              ("Cost of sales, median year", "10.0%")]
    payout, cost = comp_headline(pc)
    assert (payout.key, payout.text, payout.period, payout.value) == (
        "comp_payout", "$145K", "FY2027", 145_000)
    assert payout.note == "80% range $109K to $181K; budget $150K"
    assert (cost.key, cost.text) == ("comp_cost_of_sales", "10.0%")


def test_target_sentence_says_where_the_target_comes_from():
    grown = Target(690_000.0, False, 600_000.0, 0.15, pd.Timestamp("2025-12-01"),
                   pd.Timestamp("2026-11-01"))
    # 600K x 1.15 = 690K
    assert target_sentence(grown, "FY2027") == (
        "No target was given: the FY2027 target is the $600K booked in the 12 complete months "
        "2025-12 to 2026-11 plus 15% growth, $690K.")
    short = Target(float("nan"), False, 500.0, 0.15, pd.Timestamp("2025-12-01"),
                   pd.Timestamp("2026-11-01"), 5)
    assert target_sentence(short, "FY2027") == (
        "No target was given, and the history holds only 5 of the 12 complete months 2025-12 to "
        "2026-11 a default target is taken from: capacity is shown without a target.")
    assert target_sentence(Target(75e6, True), "FY2027") == \
        "The FY2027 target is $75M of bookings (as given)."


def test_capacity_hires_ramp_and_attrition_sentences():
    cp = capacity_result()
    # plan-year months: 10 reps on roll, (8 + 9) / 2 = 8.5 effective; 850K against 1M: 150K
    # short, 85% of it
    assert capacity_sentence(cp) == (
        "The team can book $850K in FY2027 (P10 $800K to P90 $900K): 10.0 reps on roll on "
        "average, 8.5 once ramp is counted, at $50K per ramped rep-month; that is $150K short of "
        "the $1M target (85% of it).")
    # 995K of 1M is 99.5%: shown with a decimal rather than as "100%" of a target it misses
    close = replace(cp, capacity=995_000.0)
    assert capacity_sentence(close).endswith("short of the $1M target (99.5% of it).")
    # the first start month's count, then the first start month 2 months or more later
    assert hires_sentence(cp) == ("Closing the gap takes 3 more hires starting in 2027-01 (5 at "
                                  "the P10 capacity); starting in 2027-03, 4.")
    assert hires_sentence(capacity_result(target=None)) is None
    met = replace(cp, hires_needed=cp.hires_needed.assign(hires=0.0, hires_at_low=[1.0, 1, 2, 9]))
    assert hires_sentence(met) == ("No hire beyond backfills is needed to reach the target at "
                                   "the expected capacity (1 hire starting 2027-01 would close "
                                   "it at the P10 capacity).")
    # shares 25%, 50%, 100%: half in month 2, all from month 3; 4 hires seen from month 1
    assert ramp_sentence(cp.ramp) == (
        "New hires reach half of a ramped rep's bookings in their month 2 and all of it from "
        "month 3 (the hire month is month 1; measured on 4 new hires).")
    # 1% a month: 1 - 0.99^12 = 11.4% a year
    assert attrition_sentence(cp.attrition, 2) == (
        "Attrition: 1.0% of reps a month (11% a year), 3 leavers over 300.0 rep-months employed "
        "in the 24 months to 2026-12-01; each leaver is backfilled 2 months later.")


def test_quotas_sentence_names_the_team_asked_most_beyond_its_capacity():
    top = allocation("trailing_12m", 1_043_478.26, {"r1": ("T1", 650_000.0),
                                                     "r2": ("T2", 550_000.0)})
    bottom = allocation("bottom-up", 956_521.74, {"r1": ("T1", 500_000.0),
                                                  "r2": ("T2", 600_000.0)})
    # T1: 650K - 500K = 150K, 30% of its bottom-up; T2: 550K - 600K = -50K
    assert quotas_sentence(top, bottom, side_by_side(top, bottom)) == (
        "Quotas of $1.2M (the $1M target plus 15% over-assignment) are allocated top-down by "
        "each rep's bookings in the last 12 complete months to 2 reps; bottom-up from each rep's "
        "own capacity (plus the same over-assignment) they would total $1.1M; T1 is asked the "
        "most beyond its capacity, $150K (30%) more.")


def test_period_totals_and_the_phasing_sentence():
    quotas = pd.DataFrame({"rep_id": ["r1", "r1", "r2"],
                           "period_start": pd.to_datetime(["2027-01-01", "2027-10-01",
                                                           "2027-01-01"]),
                           "quota_amount": [100.0, 300.0, 100.0]})
    totals = text.period_totals(quotas, CAL, "quarter")
    # Q1: 100 + 100 = 200 of 500 (40%); Q4: 300 (60%)
    assert totals[["period", "quota", "share"]].values.tolist() == [
        ["FY2027 Q1", 200.0, 0.4], ["FY2027 Q4", 300.0, 0.6]]
    season = Seasonality(pd.Series(1.0, index=range(1, 13)), 36, True)
    assert phasing_sentence(season, quotas, CAL, "quarter") == (
        "Quotas are phased by quarter with the seasonality measured over 36 months of "
        "bookings: FY2027 Q4 carries 60% of the year.")
    flat = Seasonality(pd.Series(1.0, index=range(1, 13)), 10, False, "Quotas are phased evenly.")
    assert phasing_sentence(flat, quotas, CAL, "quarter") == "Quotas are phased evenly."


def test_realism_and_territory_sentences():
    real = Realism(pd.DataFrame(), 0.6, 0.5, 0.7, (0.55, 0.70), 1000, (0.9, 1.1))
    flags = pd.DataFrame({"looks": ["high", "low", "low"]})
    assert realism_sentence(real, flags) == (
        "Simulated 1,000 times from each rep's own months, 60% of reps are expected to reach "
        "their annual quota (P10 50% to P90 70%), within the 55%-70% a healthy plan reaches; 1 "
        "quota looks high and 2 low for the planned territory's potential.")
    # below the band: the factors on every quota that would reach it are said
    low = replace(real, share_at_quota=0.3)
    assert realism_sentence(low).endswith(
        "30% of reps are expected to reach their annual quota (P10 50% to P90 70%), below the "
        "55%-70% a healthy plan reaches; quotas at 90% to 110% of these would put 55%-70% of "
        "reps at quota.")
    tp, book = territory_result()
    assert territory_sentence(tp, book) == (
        "Territories, from the territories table: today the 3 territories' potential ranges "
        "from $50K to $150K (up to 50% off the average); rebalanced within each region, within "
        "5% on potential and 10% on workload, it ranges from $95K to $105K (at most 5% off), "
        "moving 4 accounts that booked $30K in the last 12 months (the revenue at risk) and "
        "placing 2 unassigned accounts.")


def _review(**sections) -> PlanningReview:
    top = allocation("even", 1_000_000.0, {"r1": ("T1", 1_150_000.0)})
    tp, book = territory_result()
    real = Realism(pd.DataFrame(), 0.6, 0.5, 0.7, (0.55, 0.70), 1000, (0.9, 1.1))
    available = {name: sections.get(name, AVAILABLE) for name in
                 ("capacity", "quotas", "realism", "comp", "territories")}
    return PlanningReview(pd.Timestamp("2026-12-01"), YEAR, available, (),
                          Target(1_000_000.0, True), capacity_result(), None, top, top,
                          side_by_side(top, top), None, None, real, None, plan_comp_result(),
                          book, tp)


def test_headline_items_are_the_figures_the_report_shows():
    items = {h.key: h for h in headline_items(_review())}
    assert list(items) == ["capacity", "capacity_gap", "quota_total", "expected_at_quota",
                           "comp_payout", "comp_cost_of_sales", "accounts_moved"]
    assert (items["capacity"].text, items["capacity"].note) == ("$850K", "P10 $800K to P90 $900K")
    assert items["capacity_gap"].text == "$150K short of the $1M target"
    assert items["quota_total"].text == "$1.1M"  # 1,150,000 shows as $1.1M (one decimal)
    assert (items["expected_at_quota"].text, items["accounts_moved"].text) == ("60%", "4")
    assert {h.period for h in items.values()} == {"FY2027"}


def test_a_reason_shared_by_every_section_is_said_once():
    none = Availability.missing("The plan cannot be shown: no deals.")
    r = replace(_review(), sections=dict.fromkeys(
        ("capacity", "quotas", "realism", "comp", "territories"), none), target=None)
    assert summary_sentences(r) == ["The plan cannot be shown: no deals."]
    assert headline_items(r) == []


def test_the_ramp_sentence_says_when_an_audience_uses_the_company_profile():
    ramp = RampProfile((0.25, 0.5, 1.0), "company", hires=(17, 16, 12))
    assert ramp_sentence(ramp) == (
        "New hires reach half of a ramped rep's bookings in their month 2 and all of it from "
        "month 3 (the hire month is month 1; the company's profile, measured on 17 new hires: "
        "too few hires in this audience).")


def test_the_attrition_sentence_says_when_an_audience_uses_the_company_rate():
    # 6 leavers / 600 rep-months = 1.0% a month; 1 - 0.99^12 = 11.4% a year
    window = Period("trailing", pd.Timestamp("2024-12-02"), pd.Timestamp("2026-12-01"),
                    "24 months to 2026-12-01")
    att = Attrition(0.01, "company", 6, 600.0, window)
    assert attrition_sentence(att, 2) == (
        "Attrition: 1.0% of reps a month (11% a year), the company's rate, 6 leavers over 600.0 "
        "rep-months employed in the 24 months to 2026-12-01: too few leavers in this audience; "
        "each leaver is backfilled 2 months later.")
