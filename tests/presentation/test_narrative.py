"""Every generated sentence, one test per branch: no quota, no comparable period, a single period of
history, unknown amounts, singular and plural counts. Expected texts are written out in full."""

import math
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from salesops.analysis.performance.leaderboard import AttainmentDistribution
from salesops.analysis.performance.ramp import Turnover
from salesops.analysis.performance.review import Finding, performance_review
from salesops.data.coverage import Coverage
from salesops.data.periods import Period
from salesops.data.requirements import Availability
from salesops.data.thin import thin
from salesops.presentation import narrative as n

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis" / "performance"))
from perf_handmade import T, handmade_dataset  # noqa: E402


@pytest.fixture(scope="module")
def q1():
    """FY2026 Q1 complete: bookings 240 of a 500 quota (see perf_handmade.py)."""
    return performance_review(handmade_dataset(), "2026-03-31")


def with_current(review, **values):
    """The review with values of its current headline row replaced."""
    head = review.headline.copy()
    for col, value in values.items():
        head.loc["current", col] = value
    return replace(review, headline=head)


def without(review, *names):
    sections = dict(review.sections)
    for name in names:
        sections[name] = Availability(False, f"{name} is missing.")
    return replace(review, sections=sections)


# -- generic phrases -------------------------------------------------------------------------
def test_show_every_kind_and_missing():
    assert n.show(1_234_567, "money") == "$1.2M" and n.show(0.534, "pct") == "53%"
    assert n.show(1234, "count") == "1,234" and n.show(47.2, "days") == "47 days"
    assert n.show(math.nan, "days") == "–" and n.show(2.25, "number") == "2.2"
    with pytest.raises(ValueError, match="unknown value kind"):
        n.show(1, "euros")


def test_change_phrases_ratios_in_points_and_values_in_percent():
    assert n.change(0.52, 0.37, "pct") == "up 15 pts"
    assert n.change(0.36, 0.37, "pct") == "down 1 pt"
    assert n.change(0.371, 0.37, "pct") == "unchanged"
    # the points between the shown percentages: 49.6% and 48.2% show as 50% and 48% -> 2 pts
    # (the old phrase rounded the raw 1.4-point difference: "up 1 pt" next to 50% and 48%)
    assert n.change(0.496, 0.482, "pct") == "up 2 pts"
    assert n.change(90, 100, "money") == "down 10%" and n.change(130, 100) == "up 30%"
    assert n.change(100.2, 100, "money") == "unchanged"
    assert n.change(5, 0, "money") is None and n.change(math.nan, 1) is None


def test_versus_shares_and_bands():
    assert n.versus(0.5, math.nan, "Q3", "pct") == "no comparable figure for Q3"
    assert n.versus(1.2e6, 1e6, "Q3", "money") == "up 20% on Q3 ($1M)"
    assert n.share_phrase(0, 0) == "no reps"
    assert n.share_phrase(4, 26, "ranked reps") == "4 of 26 ranked reps (15%)"
    band, what = (0.6, 0.7), "a healthy plan reaches"
    assert n.band_phrase(0.65, band, what) == "within the 60-70% a healthy plan reaches"
    assert n.band_phrase(0.2, band, what) == "below the 60-70% a healthy plan reaches"
    assert n.band_phrase(0.9, band, what) == "above the 60-70% a healthy plan reaches"
    assert n.band_phrase(math.nan, band, what) == (
        "not comparable with the 60-70% a healthy plan reaches")


def test_sentence_and_joins():
    assert n.sentence("team x lost") == "Team x lost." and n.sentence("why?") == "Why?"
    assert n.sentence("  ") == ""
    assert n.join_clauses([]) == "" and n.join_clauses(["a"]) == "a"
    assert n.join_clauses(["a", "b", "c"]) == "a, b and c"
    assert n.join_or(["a"]) == "a" and n.join_or(["a", "b"]) == "a or b"
    assert n.join_or(["a", "b", "c"]) == "a, b or c"


# -- headline and comparisons ----------------------------------------------------------------
def test_headline_with_quota_complete_and_running(q1):
    assert n.headline_sentence(q1) == (
        "Company, FY2026 Q1: bookings $240 against a $500 quota, 48% attainment.")
    running = performance_review(handmade_dataset(), "2026-02-15")
    # Q1 to 2026-02-15: 46 of 90 days = 51%; won O1 60 (Ann) + O8 30 (Dee); quota 500
    assert n.headline_sentence(running) == (
        "Company, FY2026 Q1 to date (51% of the quarter elapsed on 2026-02-15): bookings $90 "
        "against a $500 quota, 18% attainment.")


def test_headline_with_zero_or_missing_quota(q1):
    zero = with_current(q1, quota_status="zero")
    assert n.headline_sentence(zero) == (
        "Company, FY2026 Q1: bookings $240; the period's quota is zero, so attainment is not "
        "computed.")
    unset = with_current(q1, quota_status="missing")
    assert n.headline_sentence(unset) == (
        "Company, FY2026 Q1: bookings $240; no quota is set for the period, so attainment is not "
        "computed.")


def test_headline_without_quotas_table_never_names_quota(q1):
    r = without(q1, "attainment")
    assert n.headline_sentence(r) == "Company, FY2026 Q1: bookings $240 from 5 won deals."
    one = with_current(r, won_deals=1)
    assert n.headline_sentence(one).endswith("from 1 won deal.")
    none = with_current(r, won_deals=0, bookings=0.0)
    assert n.headline_sentence(none) == "Company, FY2026 Q1: bookings $0: no deal won yet."


def test_comparison_all_some_and_none_comparable():
    refs = [("Q4", 0.2, "no quota was set then"), ("Q1", 0.3, "no quota was set then")]
    assert n.comparison_sentence("Attainment is", 0.48, refs, "pct") == (
        "Attainment is up 28 pts on Q4 (20%) and up 18 pts on Q1 (30%).")
    some = [("Q4", 80.0, "nothing was booked then"),
            ("Q1", math.nan, "the deals begin on 2025-10-01")]
    assert n.comparison_sentence("Bookings are", 240.0, some, "money") == (
        "Bookings are up 200% on Q4 ($80); Q1 cannot be compared (the deals begin on "
        "2025-10-01).")
    same = [("Q3", math.nan, "the deals begin on 2025-10-01"),
            ("Q4", math.nan, "the deals begin on 2025-10-01")]
    assert n.comparison_sentence("Bookings are", 80.0, same, "money") == (
        "Bookings cannot be compared with Q3 or Q4 (the deals begin on 2025-10-01).")
    mixed = [("Q4", 0.0, "nothing was booked then"), ("Q1", math.nan, "the deals begin on X")]
    assert n.comparison_sentence("Bookings are", 10.0, mixed, "money") == (
        "Bookings cannot be compared with Q4 (nothing was booked then) or Q1 (the deals begin "
        "on X).")


def test_summary_compares_only_measured_periods(q1):
    lines = n.performance_summary(q1)
    # Q4 2025 counted over Q1's 90 days: O11 80 of a 400 quota = 20%; Q1 2025 precedes the deals
    assert lines[1] == ("Attainment is up 28 pts on FY2025 Q4 (20%); FY2025 Q1 cannot be "
                        "compared (the deals begin on 2025-10-01).")
    assert lines[2] == ("Bookings are up 200% on FY2025 Q4 ($80); FY2025 Q1 cannot be compared "
                        "(the deals begin on 2025-10-01).")
    only_last_year = n.performance_summary(q1, "last_year")
    assert only_last_year[1] == ("Attainment cannot be compared with FY2025 Q1 (the deals "
                                 "begin on 2025-10-01).")


def test_summary_when_no_deal_is_known_yet():
    r = performance_review(handmade_dataset(), "2025-09-30")  # first deal created 2025-10-01
    lines = n.performance_summary(r)
    assert lines[1] == ("Bookings cannot be compared with FY2025 Q2 or FY2024 Q3 (no deals "
                        "then).")
    assert "nan" not in " ".join(lines).lower()


def test_summary_without_deals_is_the_one_sentence(q1):
    r = without(q1, "deals")
    assert n.performance_summary(r) == ["deals is missing."]


def test_summary_without_quotas_mentions_no_quota_anywhere():
    r = performance_review(thin(handmade_dataset(), drop=("quotas",), roster=True), "2026-03-31")
    text = " ".join(n.performance_summary(r)).lower()
    assert "quota" not in text and "attainment" not in text and "coverage" not in text


# -- outcomes, distribution, pipeline ----------------------------------------------------------
def test_outcome_sentence_branches(q1):
    cur = q1.headline.loc["current"]
    # Q1 closed: 5 won, 3 lost; priced wins 60 + 50 + 100 + 30 = 240 / 4; cycles 10 30 30 43 89
    assert n.outcome_sentence(cur) == (
        "Win rate 62% of 8 closed deals, average won deal $60, median sales cycle 30 days.")
    lost_only = cur.copy()
    lost_only[["won_deals", "lost_deals", "win_rate"]] = [0, 1, 0.0]
    assert n.outcome_sentence(lost_only) == (
        "Win rate 0% of 1 closed deal; no deal won yet, so deal size and cycle are not known.")
    nothing = cur.copy()
    nothing[["won_deals", "lost_deals"]] = [0, 0]
    assert n.outcome_sentence(nothing) == (
        "No deal has closed in the period yet, so win rate, deal size and cycle are not known.")


def dist(ranked, at, pace, elapsed):
    return AttainmentDistribution(ranked, at, at / ranked if ranked else math.nan, pace,
                                  pace / ranked if ranked else math.nan, 0.5, elapsed, (0.6, 0.7))


def test_distribution_sentence_branches():
    assert n.distribution_sentence(dist(3, 1, 2, 1.0)) == (
        "1 of 3 ranked reps (33%) finished at or above quota, below the 60-70% a healthy plan "
        "reaches.")
    assert n.distribution_sentence(dist(10, 2, 7, 0.5)) == (
        "2 of 10 ranked reps (20%) are already at or above quota and 7 of 10 reps (70%) are on "
        "pace for it, within the 60-70% a healthy plan reaches.")
    assert n.distribution_sentence(dist(0, 0, 0, 1.0)) == (
        "No rep qualifies for ranking against quota in the period, so the share at quota is not "
        "known.")


def coverage(ratio=1.5, needed=1.6, deals=2, unknown=0, quota=1000.0):
    """FY2026 Q2 coverage: ``ratio`` of the $1,000 still to close, ``needed`` at a conversion
    measured over 4 quarters (NaN: not measurable)."""
    measurable = needed == needed
    return Coverage("FY2026 Q2", pipeline=ratio * 1000, deals=deals, unknown_amount=unknown,
                    quota=quota, booked=0.0, to_close=quota, ratio=ratio,
                    conversion=1 / needed if measurable else math.nan,
                    periods_measured=4 if measurable else 1, needed=needed)


def with_coverage(review, cov=None, **values):
    return replace(with_current(review, **values), coverage_next=cov)


@pytest.mark.parametrize(("values", "cov", "text"), [
    # open on as_of, closing in Q2: O9 500 + O10 999
    ({}, coverage(1.499, 1.6),
     "2 open deals worth $1.5K are expected to close in FY2026 Q2; coverage 1.5x of the $1K "
     "still to close, against 1.6x needed at the usual conversion (62% of such pipeline closed "
     "over the last 4 quarters)."),
    ({"next_period_without_amount": 1, "next_period_pipeline": 999.0}, coverage(0.999, unknown=1),
     "2 open deals are expected to close in FY2026 Q2, 1 of them without an amount; the 1 with "
     "one total $999; coverage 1.0x of the $1K still to close, against 1.6x needed at the usual "
     "conversion (62% of such pipeline closed over the last 4 quarters); known amounts only: 1 "
     "of the 2 open deals has no amount."),
    ({"next_period_without_amount": 2, "next_period_pipeline": 0.0},
     coverage(math.nan, unknown=2),
     "2 open deals are expected to close in FY2026 Q2, none with an amount, so their value is "
     "unknown; coverage cannot be computed: none of the 2 open deals expected in FY2026 Q2 has "
     "an amount."),
    ({}, coverage(1.499, math.nan),
     "2 open deals worth $1.5K are expected to close in FY2026 Q2; coverage 1.5x of the $1K "
     "still to close, and the usual conversion cannot be measured: fewer than 2 past quarters."),
])
def test_pipeline_sentence_states_coverage_against_the_standard(q1, values, cov, text):
    assert n.pipeline_sentence(with_coverage(q1, cov, **values)) == text


def test_pipeline_sentence_no_deal_single_deal_and_no_quotas(q1):
    assert n.pipeline_sentence(with_current(q1, next_period_deals=0)) == (
        "No open deal is expected to close in FY2026 Q2.")
    single = with_current(q1, next_period_deals=1, next_period_pipeline=500.0)
    assert n.pipeline_sentence(single) == (
        "1 open deal worth $500 is expected to close in FY2026 Q2; coverage cannot be computed: "
        "no quota is set for FY2026 Q2.")  # the hand-made data has no Q2 quota
    assert n.pipeline_sentence(with_coverage(without(q1, "attainment"))) == (
        "2 open deals worth $1.5K are expected to close in FY2026 Q2.")


def test_undated_sentence():
    assert n.undated_sentence(1) == (
        "1 open deal has no expected close date, so it is in no period's pipeline.")
    assert n.undated_sentence(12) == (
        "12 open deals have no expected close date, so they are in no period's pipeline.")


# -- findings ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("finding", "text"), [
    (Finding("pace", "Company", 0.42, 0.63, 0.3),
     "Company has booked 42% of quota with 63% of the period gone."),
    (Finding("change", "attainment", 0.48, 0.2, 0.28, "FY2025 Q4"),
     "Attainment is up 28 pts on FY2025 Q4 (20%)."),
    (Finding("reps_at_quota", "Company", 0.59, 0.6, 0.01),
     "Only 59% of ranked reps are at or on pace for quota, 1 pt under the 60% floor of a "
     "healthy plan."),
    (Finding("team", "T2", 0.0, 0.48, 0.48, "Company"),
     "T2 is at 0% attainment, 48 pts below Company (48%)."),
    # 7% and 50% shown: 43 pts (the old sentence rounded the raw 42.2-point gap: 42)
    (Finding("team", "T2", 0.074, 0.496, 0.422, "Company"),
     "T2 is at 7% attainment, 43 pts below Company (50%)."),
    (Finding("bottleneck", "Team X", 0.48, 0.33, 0.15, "Proposal"),
     "Team X loses 48% of deals at Proposal, 15 points worse than the company."),
    (Finding("seats", "T1", 1, 4, 0.25), "1 recently vacated seat still open (T1)."),
    (Finding("seats", "T1, T2", 2, 4, 0.5), "2 recently vacated seats still open (T1, T2)."),
    (Finding("attrition", "Company", 0.19, 0.15, 0.04),
     "Attrition over the last 12 months is 19% of average headcount."),
])
def test_finding_sentences(finding, text):
    assert n.finding_sentence(finding) == text


def test_coverage_finding_states_the_measured_standard():
    f = Finding("coverage", "FY2026 Q2", 1.1, 1.6, 1 - 1.1 / 1.6)
    assert n.finding_sentence(f, "USD", coverage(1.1, 1.6)) == (
        "FY2026 Q2 pipeline has coverage 1.1x of the $1K still to close, against 1.6x needed at "
        "the usual conversion (62% of such pipeline closed over the last 4 quarters).")


def test_unknown_finding_kind_is_an_error():
    with pytest.raises(ValueError, match="unknown finding kind"):
        n.finding_sentence(Finding("weather", "x", 1, 1, 1))


def test_summary_lists_risks_only_when_there_are_some(q1):
    assert n.performance_summary(q1)[-1].startswith("Biggest risks and changes: T2 is at 0%")
    assert not any(line.startswith("Biggest") for line in
                   n.performance_summary(replace(q1, findings=[])))


def test_summary_adds_undated_open_deals(q1):
    lines = n.performance_summary(replace(q1, undated_open_deals=3))
    assert "3 open deals have no expected close date, so they are in no period's pipeline." in lines


# -- leaderboard, funnel, people ---------------------------------------------------------------
def test_leaderboard_note_by_attainment_and_by_bookings(q1):
    assert n.leaderboard_note(q1) == [
        "Reps are ranked by attainment: active reps past the minimum tenure with a quota; the "
        "others are listed last with the reason."]
    r = performance_review(thin(handmade_dataset(), drop=("quotas",), roster=True), "2026-03-31")
    assert n.leaderboard_note(r) == ["Reps are ranked by bookings in the period."]


def test_leaderboard_note_without_hire_or_termination_dates():
    derived = performance_review(thin(handmade_dataset(), drop=(), roster=False), "2026-03-31")
    assert n.leaderboard_note(derived)[1:] == [
        "Tenure is unknown (the data has no hire dates), so no rep is left out of the ranking "
        "for short tenure.",
        "Departures are unknown (the data has no termination dates), so a rep is listed when "
        "they own a deal created or closed in the period, or one still open."]
    ds = thin(handmade_dataset(), drop=(), roster=True, drop_columns={"reps": ("termination_date",)})
    hired = performance_review(ds, "2026-03-31")
    assert n.leaderboard_note(hired)[1:] == [
        "Departures are unknown (the data has no termination dates), so a rep who left may still "
        "be listed."]


def test_bottleneck_sentences_worse_better_and_in_line():
    b = pd.DataFrame({"group": ["Team X", "Team Y", "Team Z", "Team W"],
                      "stage": ["Proposal", "Discovery", "Negotiation", "Proposal"],
                      "loss_rate": [0.48, 0.20, 0.30, 0.306],
                      "company_loss_rate": [0.33, 0.21, 0.298, 0.214]})
    b["gap"] = b["loss_rate"] - b["company_loss_rate"]
    assert n.bottleneck_sentences(b) == [
        "Team X loses 48% of deals at Proposal, 15 points worse than the company.",
        "Team Y loses 20% of deals at Discovery, 1 point better than the company.",
        "Team Z loses 30% of deals at Negotiation, in line with the company.",
        # 31% against the company's 21%: 10 points (the raw gap 9.2 rounded to 9)
        "Team W loses 31% of deals at Proposal, 10 points worse than the company."]


def test_consistency_sentence_branches():
    labels = ["consistently good"] * 2 + ["volatile", "too new to judge"]
    assert n.consistency_sentence(pd.DataFrame({"label": labels})) == (
        "Of 3 reps with enough history: 2 consistently good and 1 volatile.")
    assert n.consistency_sentence(pd.DataFrame({"label": ["mixed"]})) == (
        "Of 1 rep with enough history: 1 mixed.")
    assert n.consistency_sentence(pd.DataFrame({"label": ["too new to judge"]})) == (
        "No rep has enough history to judge consistency yet (2 periods with quota and 6 months "
        "observed).")


def test_ramp_sentence_branches():
    rule = "(3-month average at 80% of a steady quota)"
    months = pd.Series([4.0, 10.0, 16.0, math.nan])
    assert n.ramp_sentence(months) == (
        f"3 of 4 hires observed from their first month (75%) reached productivity {rule}, after "
        "a median of 10 months.")
    assert n.ramp_sentence(pd.Series([1.0])).endswith("after a median of 1 month.")
    assert n.ramp_sentence(pd.Series([4.0, 5.0])).endswith("after a median of 4.5 months.")
    assert n.ramp_sentence(pd.Series([math.nan, math.nan])) == (
        f"None of the 2 hires observed from their first month has reached productivity yet "
        f"{rule}.")
    assert n.ramp_sentence(pd.Series([], dtype=float)) == (
        "No hire was observed from their first month, so ramp is not known.")


def turnover(hires, leavers, rate, start=26, end=27):
    window = Period("trailing", T("2025-11-28"), T("2026-11-27"), "12 months to 2026-11-27")
    return Turnover(window, start, end, hires, leavers, rate, None, None)


def test_turnover_sentence_branches():
    assert n.turnover_sentence(turnover(6, 5, 0.19)) == (
        "Over 12 months to 2026-11-27: 6 hires, 5 leavers, attrition 19% of average headcount; "
        "headcount 26 -> 27.")
    assert n.turnover_sentence(turnover(1, 1, 0.04)).startswith(
        "Over 12 months to 2026-11-27: 1 hire, 1 leaver,")
    assert n.turnover_sentence(turnover(0, 0, math.nan, 0, 0)) == (
        "Over 12 months to 2026-11-27: 0 hires, 0 leavers, attrition cannot be computed (no "
        "headcount); headcount 0 -> 0.")


def test_seats_sentence_branches():
    def seats(*open_flags):
        return pd.DataFrame({"open": list(open_flags)}, dtype=bool)
    assert n.seats_sentence(seats()) == "No seat was vacated in the last 180 days."
    assert n.seats_sentence(seats(False)) == (
        "The 1 seat vacated in the last 180 days has been backfilled.")
    assert n.seats_sentence(seats(False, False)) == (
        "All 2 seats vacated in the last 180 days have been backfilled.")
    assert n.seats_sentence(seats(True, False, False)) == (
        "1 of 3 seats vacated in the last 180 days is still open.")
    assert n.seats_sentence(seats(True, True)) == (
        "2 of 2 seats vacated in the last 180 days are still open.")


# -- diagnosis and headline ------------------------------------------------------------------
def diagnosis(too_new, tenure_known=True):
    from salesops.analysis.performance.diagnosis import Diagnosis
    return Diagnosis(pd.DataFrame(), pd.DataFrame(too_new), 0.8, 6, tenure_known)


def test_diagnosis_sentences_name_who_is_left_out_and_why():
    lines = n.diagnosis_sentences(diagnosis({"name": ["Aisha Costa", "Yara Quist"],
                                             "tenure_months": [3, 4],
                                             "attainment": [0.0, 0.104]}), "12 months to X")
    assert lines == [
        "Ranked reps below 80% attainment over 12 months to X with at least 6 months in the job, "
        "each with the driver furthest below their peers: the median of the other ranked reps "
        "of their team (of every other ranked rep in scope when the team has fewer than 3 "
        "others).",
        "Aisha Costa (3 months, 0%) and Yara Quist (4 months, 10%) are below the bar but not "
        "diagnosed: under 6 months in the job, still ramping."]
    one = n.diagnosis_sentences(diagnosis({"name": ["Eve"], "tenure_months": [1],
                                           "attainment": [0.2]}), "W")
    assert one[1] == ("Eve (1 month, 20%) is below the bar but not diagnosed: under 6 months in "
                      "the job, still ramping.")
    assert len(n.diagnosis_sentences(diagnosis({"name": []}), "W")) == 1
    unknown = n.diagnosis_sentences(diagnosis({}, tenure_known=False), "W")
    assert "with at least" not in unknown[0] and unknown[1] == (
        "Tenure is unknown (the data has no hire dates), so no rep is left out for short tenure.")


def test_headline_items_use_the_report_figures(q1):
    items = {h.key: h for h in n.headline_items(q1)}
    assert list(items) == ["bookings", "quota", "attainment", "reps_at_quota", "coverage_next",
                           "coverage_needed_next"]
    assert (items["bookings"].value, items["bookings"].text) == (240, "$240")
    assert (items["quota"].text, items["attainment"].text) == ("$500", "48%")
    # ranked: Ann 110%, Bob 50%, Cy 0% -> 1 of 3, as the summary says
    assert items["reps_at_quota"].text == "1 of 3 (33%)"
    assert items["reps_at_quota"].value == pytest.approx(1 / 3)
    assert (items["coverage_next"].value, items["coverage_next"].text) == (None, "–")
    assert items["coverage_next"].period == "FY2026 Q2" and items["bookings"].period == "FY2026 Q1"
    assert [h.key for h in n.headline_items(without(q1, "attainment"))] == ["bookings"]
    assert n.headline_items(without(q1, "deals")) == []
