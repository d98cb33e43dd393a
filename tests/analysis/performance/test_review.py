import math

import pytest
from perf_handmade import T

from salesops.analysis.performance.consistency import consistency
from salesops.analysis.performance.ramp import cohort_curve, time_to_productivity, turnover
from salesops.analysis.performance.review import parse_compare_to, performance_review
from salesops.analysis.performance.scope import prepare
from salesops.analysis.performance.trend import quarterly_trend


def test_headline_compares_to_the_same_day_of_previous_and_last_year(dataset):
    r = performance_review(dataset, "2026-03-31")
    h = r.headline
    assert h.loc["current", "attainment"] == pytest.approx(240 / 500)
    # Q4 2025 counted over Q1's 90 days (2025-10-01..2025-12-29): O11 80 vs quota 4 x 100
    assert h.loc["previous", "bookings"] == 80 and h.loc["previous", "attainment"] == 0.2
    assert h.loc["last_year", "quota_status"] == "missing"
    assert r.periods.elapsed == 1.0


def test_period_with_no_closed_deals(dataset):
    r = performance_review(dataset, "2026-01-15")  # first close of Q1 is 2026-01-31
    cur = r.headline.loc["current"]
    assert cur["bookings"] == 0 and cur["won_deals"] == 0
    assert cur["win_rate"] != cur["win_rate"]  # NaN: unknown, not 0%


def test_compare_to_is_validated():
    assert parse_compare_to(None) == ("previous", "last_year")
    assert parse_compare_to("last_year") == ("last_year",)
    with pytest.raises(ValueError, match="compare_to"):
        parse_compare_to("yesterday")


def test_consistency_counts_periods_and_monthly_cv(dataset):
    data = prepare(dataset, T("2026-03-31"))
    c = consistency(data, "quarter", n_periods=2, months=3, min_months=3).set_index("rep_id")
    # Ann: Q4 0/100, Q1 110/100 -> 1 of 2; months 60, 0, 50: mean 36.67, pop std 26.25
    assert (c.loc["R1", "periods_at_quota"], c.loc["R1", "periods_with_quota"]) == (1, 2)
    assert c.loc["R1", "cv"] == pytest.approx(26.2467 / 36.6667, rel=1e-4)
    assert c.loc["R1", "label"] == "mixed"
    # Bob: months 0, 0, 100 -> cv = 47.14 / 33.33 = 1.414 -> volatile
    assert c.loc["R2", "cv"] == pytest.approx(2 ** 0.5) and c.loc["R2", "label"] == "volatile"
    # Cy: nothing booked, 0 of 2 periods -> consistently weak (cv undefined, never NaN label)
    assert c.loc["R3", "label"] == "consistently weak"
    assert "R4" not in c.index  # left


def test_turnover_attrition_and_open_seat(dataset):
    t = turnover(prepare(dataset, T("2026-03-31")))
    # on 2025-04-01: Ann, Bob, Cy (3); on 2026-03-31: Ann, Bob, Cy, Eve (4); Dee left
    assert (t.headcount_start, t.headcount_end, t.hires, t.leavers) == (3, 4, 2, 1)
    assert t.attrition_rate == pytest.approx(1 / 3.5)
    assert t.vacated["name"].tolist() == ["Dee"] and bool(t.vacated["open"].iloc[0])


def test_ramp_curve_and_time_to_productivity():
    import pandas as pd
    ramp = pd.DataFrame({"rep_id": ["a"] * 4 + ["b"] * 4, "tenure_month": [1, 2, 3, 4] * 2,
                         "ramp_attainment": [0.0, 0.6, 0.9, 1.2, 0.0, 0.1, 0.2, 0.3]})
    # a: 3-month means 0.5 (m3), 0.9 (m4) -> productive at month 4; b never
    months = time_to_productivity(ramp, level=0.8)
    assert months["a"] == 4 and pd.isna(months["b"])
    curve = cohort_curve(ramp, "ramp_attainment").set_index("tenure_month")
    assert curve.loc[2, "median"] == pytest.approx(0.35) and curve.loc[4, "reps"] == 2


def test_quarterly_trend(dataset):
    tr = quarterly_trend(prepare(dataset, T("2026-03-31")), 2).set_index("quarter")
    assert tr.loc["FY2025 Q4", "bookings"] == 80 and tr.loc["FY2025 Q4", "attainment"] == 0.2
    assert tr.loc["FY2026 Q1", "attainment"] == pytest.approx(240 / 500)
    # ranked reps (active, 3+ months, quota > 0): Ann 110%, Bob 50%, Cy 0% -> 1 of 3
    assert tr.loc["FY2026 Q1", "share_at_quota"] == pytest.approx(1 / 3)


def test_manager_with_one_rep_and_no_deals_runs_end_to_end(dataset):
    from salesops.presentation import narrative as n
    r = performance_review(dataset, "2026-02-15", scope="manager=Max")  # Eve not hired yet
    assert r.reps["name"].tolist() == ["Cy"]
    assert r.headline.loc["current", "bookings"] == 0
    assert r.diagnosis.reps["driver"].tolist() in ([], ["no single driver"], ["too little pipeline"])
    assert not r.sections["ramp"] and r.ramp is None  # Cy was hired before the deals begin
    assert "no rep was hired inside" in r.sections["ramp"].reason
    text = " ".join(n.performance_summary(r) + [
        n.consistency_sentence(r.consistency), n.turnover_sentence(r.turnover),
        n.seats_sentence(r.turnover.vacated)])
    assert "nan" not in text.lower()


def test_review_on_full_data_equals_review_on_data_as_recorded_then(dataset):
    """What the CRM held on 2026-02-15, written by hand: O7, O9, O10, O12 not created yet;
    O2, O4, O5, O6 still open (closed in March); Eve (hired 2026-03-01) not on the roster."""
    import pandas as pd
    from perf_handmade import handmade_dataset
    then = handmade_dataset()
    opps = then.opportunities
    opps = opps.loc[opps["opportunity_id"].isin(["O1", "O2", "O3", "O4", "O5", "O6", "O8", "O11"])]
    still_open = opps["opportunity_id"].isin(["O2", "O4", "O5", "O6"])
    opps = opps.assign(status=opps["status"].mask(still_open, "open"),
                       stage=opps["stage"].mask(still_open, "Prospecting"))
    then.opportunities = opps.reset_index(drop=True)
    then.stage_history = then.stage_history.loc[then.stage_history["entered_date"] <= T("2026-02-15")]
    then.reps = then.reps.loc[then.reps["rep_id"] != "R5"].reset_index(drop=True)
    cols = ["bookings", "quota", "attainment", "won_deals", "lost_deals", "win_rate",
            "pipeline_created", "next_period_pipeline"]
    now_view = performance_review(dataset, "2026-02-15")
    then_view = performance_review(then, "2026-02-15")
    pd.testing.assert_frame_equal(now_view.headline[cols], then_view.headline[cols])
    pd.testing.assert_frame_equal(now_view.reps[["rep_id", *cols, "rank"]],
                                  then_view.reps[["rep_id", *cols, "rank"]])
    assert now_view.headline.loc["current", "bookings"] == 60 + 30  # O1 (Ann) + O8 (Dee)


def test_findings_are_ranked_by_severity(dataset):
    r = performance_review(dataset, "2026-03-31")
    top = [(f.kind, round(f.severity, 4)) for f in r.findings[:3]]
    # team T2 at 0% vs scope 48%: 0.48; attainment vs previous 48% - 20%: 0.28;
    # ranked reps at quota 1 of 3 vs the 60% floor: 0.6 - 1/3 = 0.2667
    assert top == [("team", 0.48), ("change", 0.28), ("reps_at_quota", 0.2667)]
    rest = {f.kind: f.severity for f in r.findings[3:]}
    assert rest["seats"] == pytest.approx(1 / 4)  # Dee's seat open, headcount 4
    assert rest["attrition"] == pytest.approx(1 / 3.5 - 0.15)
    # next quarter's quota is not loaded: no coverage ratio, so no coverage finding (the old
    # review divided by this quarter's quota and compared with a fixed 3x)
    assert r.coverage_next.period == "FY2026 Q2" and math.isnan(r.coverage_next.ratio)
    assert "coverage" not in rest


def coverage_of(ratio, needed):
    """Next quarter's coverage with the given ratio and needed standard (other fields arbitrary)."""
    from salesops.data.coverage import Coverage
    conversion = 1 / needed if needed == needed else math.nan
    return Coverage("FY2026 Q2", pipeline=ratio * 1000, deals=3, unknown_amount=0, quota=1000,
                    booked=0, to_close=1000, ratio=ratio, conversion=conversion,
                    periods_measured=4 if needed == needed else 1, needed=needed)


@pytest.mark.parametrize(("ratio", "needed", "severity"), [
    (1.1, 1.6, 1 - 1.1 / 1.6),  # below the coverage needed at the usual conversion: a risk
    (1.1, 1.0, None),  # 1.1x against 1.0x needed: not a risk (the old 3x target called it one)
    (1.1, math.nan, None),  # no measurable standard: no risk claimed
])
def test_coverage_is_a_risk_only_below_the_measured_standard(dataset, ratio, needed, severity):
    from dataclasses import replace

    from salesops.analysis.performance.review import findings
    r = replace(performance_review(dataset, "2026-03-31"), coverage_next=coverage_of(ratio, needed))
    found = [f for f in findings(r) if f.kind == "coverage"]
    if severity is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0].severity == pytest.approx(severity)
        assert (found[0].value, found[0].reference) == (ratio, needed)


def eve_with_quota():
    """The hand-made data with Eve (hired 2026-03-01) given a 100 quota for Q1: on the roster with
    a quota, but not ranked (under 3 months tenure)."""
    from perf_handmade import handmade_dataset
    d = handmade_dataset()
    q = d.quotas
    d.quotas = q.assign(quota_amount=q["quota_amount"].mask(
        (q["rep_id"] == "R5") & (q["period_start"] == T("2026-01-01")), 100.0))
    return d


def test_trend_counts_reps_at_quota_as_the_summary_does():
    r = performance_review(eve_with_quota(), "2026-03-31", trend_quarters=2)
    last = r.trend.set_index("quarter").loc["FY2026 Q1"]
    # ranked: Ann 110%, Bob 50%, Cy 0% (Eve not ranked: 1 month tenure) -> 1 of 3 at quota;
    # the old trend counted every rep on the roster with a quota: 1 of 4 = 25%
    assert (last["reps_at_quota"], last["ranked_reps"]) == (1, 3)
    assert last["share_at_quota"] == pytest.approx(1 / 3)
    assert (r.distribution.at_quota, r.distribution.ranked_reps) == (1, 3)
    assert last["share_at_quota"] == r.distribution.share_at_quota


def test_one_manager_per_team_gives_one_rollup_with_both_columns(dataset):
    r = performance_review(dataset, "2026-03-31")
    # T1 is Mia's (Ann, Bob, Dee), T2 Max's (Cy, Eve): the two rollups are the same table
    assert r.one_manager_per_team and "manager" not in r.rollups
    teams = r.rollups["team"].set_index("team")
    assert teams["manager"].to_dict() == {"T1": "Mia", "T2": "Max"}
    assert teams.loc["T1", "bookings"] == 110 + 100 + 30


def test_teams_with_shared_managers_keep_both_rollups(dataset):
    reps = dataset.reps
    dataset.reps = reps.assign(manager=reps["manager"].mask(reps["rep_id"] == "R3", "Mia"))
    r = performance_review(dataset, "2026-03-31")  # T2 now has Mia (Cy) and Max (Eve)
    assert not r.one_manager_per_team and {"team", "manager"} <= r.rollups.keys()
    assert r.rollups["manager"].set_index("manager").loc["Mia", "bookings"] == 240
    assert "manager" not in r.rollups["team"]
