import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.analysis.forecast.calls import (
    accuracy_of,
    bias_of,
    call_scores,
    corrected_calls,
    habit,
    rep_calls,
)
from salesops.data.periods import FiscalCalendar
from salesops.data.schema import OPPORTUNITIES, OPPORTUNITY_HISTORY, conform

CAL = FiscalCalendar(1)
AS_OF = pd.Timestamp("2026-07-01")  # FY2026 Q1 (Jan-Mar) and Q2 (Apr-Jun) are complete


def opp(oid, rep, created, close, stage, status, amount, category):
    return {"opportunity_id": oid, "rep_id": rep, "account_id": "A1", "product": "P",
            "amount": amount, "created_date": created, "close_date": close, "stage": stage,
            "status": status, "forecast_category": category, "probability": None}


def change(oid, at, amount=None, close=None, stage=None, category=None):
    return {"opportunity_id": oid, "changed_at": at, "amount": amount, "close_date": close,
            "stage": stage, "forecast_category": category, "probability": None}


@pytest.fixture
def two_quarters():
    """Rep R1 over FY2026 Q1 and Q2; R2 calls a deal that does not close."""
    opps = pd.DataFrame([
        opp("D1", "R1", "2026-01-02", "2026-02-01", "Closed Won", "won", 100.0, "closed"),
        opp("D2", "R1", "2026-01-05", "2026-05-10", "Closed Won", "won", 60.0, "closed"),
        opp("D3", "R1", "2026-04-01", "2026-06-01", "Closed Lost", "lost", 40.0, "omitted"),
        opp("D4", "R2", "2026-04-01", "2026-08-01", "Proposal", "open", 30.0, "commit"),
    ])
    history = pd.DataFrame([
        change("D1", "2026-01-02", 80.0, "2026-02-20", "Prospecting", "pipeline"),
        change("D1", "2026-01-10", category="commit"),
        change("D1", "2026-01-20", amount=100.0),
        change("D1", "2026-02-01", close="2026-02-01", stage="Closed Won", category="closed"),
        change("D2", "2026-01-05", 50.0, "2026-03-15", "Proposal", "commit"),
        change("D2", "2026-03-10", close="2026-04-20"),  # slips out of Q1
        change("D2", "2026-05-01", amount=60.0),
        change("D2", "2026-05-10", close="2026-05-10", stage="Closed Won", category="closed"),
        change("D3", "2026-04-01", 40.0, "2026-06-30", "Prospecting", "best_case"),
        change("D3", "2026-06-01", stage="Closed Lost", category="omitted"),
        change("D4", "2026-04-01", 30.0, "2026-06-15", "Proposal", "commit"),
        change("D4", "2026-06-10", close="2026-08-01"),  # slips out of Q2
    ])
    return conform(opps, OPPORTUNITIES), conform(history, OPPORTUNITY_HISTORY)


def test_calls_at_day_15_45_75_against_what_was_won(two_quarters):
    opps, history = two_quarters
    scores = call_scores(opps, history, None, CAL, AS_OF, quarters=2)
    got = scores.calls.set_index(["quarter", "rep_id", "day"])
    r1 = got.xs("R1", level="rep_id")
    # Q1 (won: D1 $100). Day 15 = Jan 15: D1 open in commit at $80 closing Feb 20, D2 commit
    # $50 closing Mar 15 -> commit 80 + 50 = 130. Day 45 = Feb 14: D1 won $100, D2 still in
    # Q1 -> 150. Day 75 = Mar 16: D2 pushed to Apr 20 on Mar 10 -> 100.
    q1 = r1.loc["FY2026 Q1"]
    assert q1["on"].tolist() == list(pd.to_datetime(["2026-01-15", "2026-02-14", "2026-03-16"]))
    assert q1["commit"].tolist() == [130.0, 150.0, 100.0]
    assert q1["best_case"].tolist() == [130.0, 150.0, 100.0]
    assert (q1["actual"] == 100.0).all()
    # accuracy 1 - |130 - 100| / 100 = 0.7, 1 - 50/100 = 0.5, 1 - 0 = 1; bias 0.3, 0.5, 0
    assert q1["accuracy"].tolist() == pytest.approx([0.7, 0.5, 1.0])
    assert q1["bias"].tolist() == pytest.approx([0.3, 0.5, 0.0])
    # Q2 (won: D2 $60). Day 15 = Apr 15: D2 commit $50 closing Apr 20; D3 best case $40 ->
    # commit 50, best case 90. Day 45 = May 15: D2 won $60 (revised May 1), D3 still best
    # case -> 60 and 100. Day 75 = Jun 14: D3 lost Jun 1 -> 60 and 60.
    q2 = r1.loc["FY2026 Q2"]
    assert q2["commit"].tolist() == [50.0, 60.0, 60.0]
    assert q2["best_case"].tolist() == [90.0, 100.0, 60.0]
    # 1 - |50 - 60| / 60 = 5/6, bias (50 - 60) / 60 = -1/6
    assert q2["accuracy"].tolist() == pytest.approx([5 / 6, 1.0, 1.0])
    assert q2["bias"].tolist() == pytest.approx([-1 / 6, 0.0, 0.0])
    # R2 committed $30 in Q2 and closed nothing: accuracy and bias undefined, not divided;
    # on Jun 14 the deal had been pushed out (Jun 10) and the rep had no call left: no row
    r2 = got.xs("R2", level="rep_id").loc["FY2026 Q2"]
    assert r2.index.tolist() == [15, 45] and (r2["commit"] == 30.0).all()
    assert r2["accuracy"].isna().all() and r2["bias"].isna().all()
    reps = scores.at(45).set_index("rep_id")
    assert reps.loc["R1", "quarters"] == 2 and reps.loc["R2", "quarters"] == 0
    assert reps.loc["R1", "mean_accuracy"] == pytest.approx((0.5 + 1.0) / 2)
    assert reps.loc["R1", "median_bias"] == pytest.approx((0.5 + 0.0) / 2)
    assert set(reps["habit"]) == {"too few quarters"}


def test_team_calls_add_up_the_reps(two_quarters):
    opps, history = two_quarters
    team = call_scores(opps, history, None, CAL, AS_OF, quarters=2).team(15).set_index("quarter")
    # Q2 day 15: R1 50 + R2 30 = 80 against R1's 60 won
    assert team.loc["FY2026 Q2", ["commit", "actual"]].tolist() == [80.0, 60.0]
    assert team.loc["FY2026 Q1", ["commit", "actual"]].tolist() == [130.0, 100.0]
    # too few earlier quarters to correct anyone: the corrected call is the raw call
    assert (team["corrected"] == team["commit"]).all() and (team["reps_corrected"] == 0).all()


def test_accuracy_and_bias_edge_cases():
    call = pd.Series([0.0, 200.0, 50.0, 10.0])
    actual = pd.Series([100.0, 100.0, 0.0, 0.0])
    # nothing called of 100 won: accuracy 0, bias -100%; twice the actual: accuracy
    # 1 - 100/100 = 0, bias +100%; nothing won: undefined either way
    assert accuracy_of(call, actual).tolist()[:2] == [0.0, 0.0]
    assert bias_of(call, actual).tolist()[:2] == [-1.0, 1.0]
    assert accuracy_of(call, actual)[2:].isna().all() and bias_of(call, actual)[2:].isna().all()
    # 1 - |300 - 100| / 100 = -1, floored at 0; 1 - |150 - 100| / 100 = 0.5
    assert accuracy_of(pd.Series([300.0, 150.0]), pd.Series([100.0, 100.0])).tolist() == [0.0, 0.5]


@pytest.mark.parametrize(("biases", "label"), [
    ([-0.2, -0.3], "too few quarters"),
    ([-0.2, np.nan, -0.3], "too few quarters"),  # a quarter with nothing won does not count
    ([-0.2, -0.3, -0.15, 0.05], "sandbagger"),  # 3 of 4 more than 10% under
    ([0.4, 0.2, 0.5], "optimist"),
    ([0.05, -0.1, 0.08, 0.3], "on target"),  # 3 of 4 within 10%
    ([0.2, -0.2, 0.05, 0.0], "mixed"),  # 1 over, 1 under, 2 within: no side has 3 of 4
])
def test_habit_needs_three_quarters_and_three_in_four_on_one_side(biases, label):
    assert habit(pd.Series(biases, dtype=float)) == label


def calls_frame(commits: list[float], actuals: list[float]) -> pd.DataFrame:
    n = len(commits)
    frame = pd.DataFrame({"rep_id": "R1", "day": 15,
                          "start": pd.date_range("2025-01-01", periods=n, freq="QS"),
                          "commit": commits, "actual": actuals})
    return frame.assign(bias=bias_of(frame["commit"], frame["actual"]))


def test_corrected_call_uses_earlier_quarters_only_pooled():
    out = corrected_calls(calls_frame([130, 150, 100, 50, 240, 60], [100, 100, 100, 0, 200, 50]))
    # quarters 1-3 have fewer than 3 earlier measured quarters: raw call
    assert out["corrected"].tolist()[:3] == [130, 150, 100]
    assert out["past_bias"][:3].isna().all()
    # quarter 4 won nothing (not measured); its call is corrected by quarters 1-3: called
    # 130 + 150 + 100 = 380 against 300 won -> bias 380 / 300 - 1 = 0.2667 -> 50 / (380 / 300)
    assert out["past_bias"].iloc[3] == pytest.approx(380 / 300 - 1)
    assert out["corrected"].iloc[3] == pytest.approx(50 * 300 / 380)
    # quarter 5: quarter 4 adds nothing -> 240 * 300 / 380; quarter 6: + (240, 200) ->
    # 60 * 500 / 620
    assert out["corrected"].iloc[4] == pytest.approx(240 * 300 / 380)
    assert out["corrected"].iloc[5] == pytest.approx(60 * 500 / 620)
    assert out["past_quarters"].tolist() == [0, 1, 2, 3, 3, 4]


def test_a_correction_at_most_doubles_or_halves_a_call():
    # a sandbagger: called 10 + 10 + 10 = 30 of 100 + 100 + 100 = 300 won -> factor 300 / 30 = 10,
    # held at 2: 40 -> 80; an optimist: 900 called of 300 won -> 1/3, held at 1/2: 90 -> 45
    low = corrected_calls(calls_frame([10, 10, 10, 40], [100, 100, 100, 90]))
    assert low["past_bias"].iloc[3] == pytest.approx(30 / 300 - 1)
    assert low["corrected"].iloc[3] == pytest.approx(80)
    high = corrected_calls(calls_frame([300, 300, 300, 90], [100, 100, 100, 90]))
    assert high["corrected"].iloc[3] == pytest.approx(45)


def test_a_rep_who_called_nothing_is_not_corrected():
    out = corrected_calls(calls_frame([0, 0, 0, 80], [100, 50, 70, 90]))
    assert pd.isna(out["past_bias"].iloc[3]) and out["corrected"].iloc[3] == 80


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1e6), st.sampled_from([0.0, 50.0, 1e3, 1e6])),
                min_size=2, max_size=10),
       st.integers(1, 9), st.floats(0, 1e6), st.floats(0, 1e6))
def test_corrected_calls_never_look_ahead(quarters, cut, call, won):
    """Changing a quarter's call and what was won (and every later one's) leaves every earlier
    correction, and that quarter's own, as it was."""
    cut = min(cut, len(quarters) - 1)
    commits, actuals = (list(x) for x in zip(*quarters, strict=True))
    before = corrected_calls(calls_frame(commits, actuals))
    later = len(quarters) - cut
    after = corrected_calls(calls_frame(commits[:cut] + [call] * later,
                                        actuals[:cut] + [won] * later))
    cols = ["past_bias", "past_quarters"]
    pd.testing.assert_frame_equal(before[cols].iloc[:cut + 1], after[cols].iloc[:cut + 1])
    pd.testing.assert_series_equal(before["corrected"].iloc[:cut], after["corrected"].iloc[:cut])


def test_this_quarters_calls_beside_the_model_with_names_and_leavers():
    q4 = CAL.period(pd.Timestamp("2026-11-27"), "quarter")
    known = conform(pd.DataFrame([
        opp("A1", "A", "2026-09-01", "2026-12-01", "Proposal", "open", 100.0, "commit"),
        opp("A2", "A", "2026-09-01", "2026-12-15", "Proposal", "open", 50.0, "best_case"),
        opp("A3", "A", "2026-09-01", "2026-10-20", "Closed Won", "won", 30.0, "closed"),
        opp("B1", "B", "2026-09-01", "2026-12-20", "Proposal", "open", 80.0, "pipeline"),
        opp("B2", "B", "2026-09-01", "2027-02-01", "Proposal", "open", 40.0, "commit"),
    ]), OPPORTUNITIES)
    expected = known.loc[known["status"] == "open"].assign(
        **{f"expected_{q4.label}": [60.0, 20.0, 10.0, 0.0]})
    reps = pd.DataFrame({"rep_id": ["A", "B"], "name": ["Ann", "Bo"],
                         "termination_date": pd.to_datetime([None, "2026-11-20"])})
    got = rep_calls(known, expected, q4, pd.Timestamp("2026-11-27"), reps).set_index("rep_id")
    # A: won 30 + commit 100 = 130; best case 130 + 50 = 180; model 30 booked + 60 + 20 = 110
    assert got.loc["A"].drop("left").to_dict() == {
        "name": "Ann", "commit": 130.0, "best_case": 180.0, "model_expected": 110.0,
        "commit_vs_model": 20.0}
    assert pd.isna(got.loc["A", "left"]) and got.loc["B", "left"] == pd.Timestamp("2026-11-20")
    # B's commit closes next quarter: commit 0, model 10 -> -10; A sorted first
    assert got.loc["B", "commit_vs_model"] == -10.0 and got.index.tolist() == ["A", "B"]


def test_this_quarters_commit_corrected_by_past_bias():
    from salesops.analysis.forecast.calls import CallScores
    q4 = CAL.period(pd.Timestamp("2026-11-27"), "quarter")  # day 58 of FY2026 Q4
    past = calls_frame([100, 150, 250], [80, 120, 200]).assign(
        quarter=["Q1", "Q2", "Q3"], day=45)
    scores = CallScores(past, pd.DataFrame())
    known = conform(pd.DataFrame([
        opp("R", "R1", "2026-09-01", "2026-12-01", "Proposal", "open", 125.0, "commit")]),
        OPPORTUNITIES)
    expected = known.assign(**{f"expected_{q4.label}": [50.0]})
    got = rep_calls(known, expected, q4, pd.Timestamp("2026-11-27"), scores=scores).iloc[0]
    # on day 58 the latest call day passed is 45: called 500 against 400 won -> bias 0.25 ->
    # 125 / (1 + 0.25) = 100
    assert got["bias_day"] == 45 and got["corrected"] == pytest.approx(100.0)


def test_rep_left_from_the_roster_as_known_on_the_report_date():
    from salesops.analysis.forecast.calls import rep_left
    roster = pd.DataFrame({"rep_id": ["R1", "R2"], "name": ["Ann", "Bo"],
                           "termination_date": pd.to_datetime(["2026-09-12", None])})
    got = rep_left(pd.Series(["R2", "R1", "R9"]), roster)
    assert pd.isna(got[0]) and got[1] == pd.Timestamp("2026-09-12") and pd.isna(got[2])
    assert rep_left(pd.Series(["R1"])).isna().all()


def test_rep_names_from_the_roster_else_the_owner_id():
    from salesops.analysis.forecast.calls import rep_names
    ids = pd.Series(["R1", "R2"])
    roster = pd.DataFrame({"rep_id": ["R1", "R2"], "name": ["Ann", None]})
    assert rep_names(ids, roster).tolist() == ["Ann", "R2"]
    assert rep_names(ids).tolist() == ["R1", "R2"]
