"""The review on the hand-made dataset thinned as real exports arrive (salesops.data.thin.thin):
what each thin case still computes, against hand arithmetic, and which sections it leaves out.

As of 2026-03-31 (FY2026 Q1 complete). Q1 won: O1 60 + O2 50 (Ann), O4 100 + O7 (no amount)
(Bob), O8 30 (Dee) = 240; lost: O3 40 (Ann), O5 100, O6 50 (Bob). Open on as_of: O9 (500, expected
2026-05-15) and O10 (999, won 2026-04-05, so still open then). The deals begin on 2025-10-01 (O11).
"""

import pandas as pd
import pytest
from perf_handmade import T, handmade_dataset

from salesops.analysis.performance.review import performance_review
from salesops.data.store import Contents, Dataset
from salesops.data.thin import thin
from salesops.presentation import narrative as n

AS_OF = "2026-03-31"
QUOTA_SECTIONS = {"attainment", "diagnosis", "consistency", "ramp"}
ROSTER_SECTIONS = {"rollups_by_region", "rollups_by_manager", "rollups_by_team", "tenure",
                   "consistency", "ramp", "turnover", "vacated_seats", "bottlenecks"}
QUOTA_WORDS = ("quota", "attainment", "coverage")


def review(**kwargs):
    return performance_review(thin(handmade_dataset(), **kwargs), AS_OF)


def unavailable(r) -> set[str]:
    return {name for name, av in r.sections.items() if not av}


def summary(r) -> str:
    return " ".join(n.performance_summary(r) + n.leaderboard_note(r))


def test_without_quotas_bookings_rates_and_a_bookings_leaderboard_remain():
    r = review(drop=("quotas",), roster=True)
    assert unavailable(r) == QUOTA_SECTIONS
    assert "no quotas table" in r.sections["attainment"].reason
    cur = r.headline.loc["current"]
    assert cur["bookings"] == 60 + 50 + 100 + 30
    assert cur["win_rate"] == pytest.approx(5 / 8)  # O1 O2 O4 O7 O8 won, O3 O5 O6 lost
    assert cur["avg_deal_size"] == 240 / 4  # O7 has no amount: 4 priced wins
    assert cur["median_cycle_days"] == 30  # O1 30, O2 89, O4 30, O7 10, O8 43 -> 30
    for frame in (r.headline, r.reps, r.trend, *r.rollups.values()):
        assert not {"quota", "attainment", "coverage", "quota_status"} & set(frame.columns)
    board = r.reps.set_index("rep_id")
    # by bookings: Ann 110, Bob 100, Cy 0; Dee left, Eve under 3 months; nobody "no quota"
    assert board.loc[["R1", "R2", "R3"], "rank"].tolist() == [1, 2, 3]
    assert board.loc["R4", "not_ranked"] == "left"
    assert board.loc["R5", "not_ranked"] == "under 3 months tenure"
    assert r.distribution is r.diagnosis is r.consistency is r.ramp is None
    assert r.trend.set_index("quarter")["bookings"].to_dict() == {"FY2025 Q4": 80,
                                                                   "FY2026 Q1": 240}
    assert {f.kind for f in r.findings} <= {"bottleneck", "seats", "attrition"}
    text = summary(r).lower()
    assert not any(word in text for word in QUOTA_WORDS), text
    assert "ranked by bookings" in text


def test_without_stage_history_no_funnel_but_win_rate_cycle_and_velocity():
    r = review(drop=("stage_history",), roster=True)
    assert unavailable(r) == {"funnel", "bottlenecks"}
    assert "no stage_history table" in r.sections["funnel"].reason
    assert r.funnel is None and not [f for f in r.findings if f.kind == "bottleneck"]
    ann = r.reps.set_index("rep_id").loc["R1"]
    assert ann["win_rate"] == pytest.approx(2 / 3) and ann["median_cycle_days"] == (30 + 89) / 2
    company = r.velocity.set_index("group").loc["All"]
    # window 2025-10-01 (first deal) to as_of: won O1 O2 O4 O7 O8 O11, lost O3 O5 O6 -> 6/9;
    # priced wins 60 + 50 + 100 + 30 + 80 = 320 / 5 = 64; won cycles 10 30 30 43 45 89 -> 36.5;
    # open on as_of: O9, O10 -> 2 x 6/9 x 64 / 36.5
    assert company["velocity_per_day"] == pytest.approx(2 * 6 / 9 * 64 / 36.5)
    assert r.trailing_window.start == T("2025-10-01")


def test_without_roster_no_rollups_ramp_turnover_and_no_tenure_rule():
    r = review(drop=(), roster=False)
    assert unavailable(r) == ROSTER_SECTIONS
    assert "derived from the deals' owner column" in r.sections["rollups_by_team"].reason
    assert r.rollups == {} and r.turnover is None and r.funnel.bottlenecks is None
    board = r.reps.set_index("rep_id")
    # employment unknown: listed reps own a Q1 deal (Ann, Bob, Dee via O8) - Cy's O12 comes later
    assert sorted(board.index) == ["R1", "R2", "R4"] and "tenure_months" not in board
    # unknown tenure excludes no one: 110/100, 100/200, 30/100 -> Ann 1, Bob 2, Dee 3
    assert board["rank"].tolist() == [1, 2, 3]
    assert board["attainment"].tolist() == pytest.approx([1.1, 0.5, 0.3])
    assert set(r.diagnosis.reps["peers"]) == {"company"}  # no teams: peers are everyone ranked
    assert r.velocity["group"].tolist() == ["All"]
    text = summary(r)
    assert "Tenure is unknown" in text and "Departures are unknown" in text


def test_open_deals_without_amount_count_but_are_never_zero():
    r = review(drop=(), roster=True, unknown_open_amounts=1.0)  # O9 and O12 lose their amount
    cur = r.headline.loc["current"]
    # next quarter: O9 (unknown) and O10 (999): 2 deals, 1 without amount, known value 999
    assert (cur["next_period_deals"], cur["next_period_without_amount"]) == (2, 1)
    assert cur["next_period_pipeline"] == 999
    ann = r.reps.set_index("rep_id").loc["R1"]
    # created in Q1: O1 60, O3 40, O9 (unknown), O10 999 -> 4 deals, 1099 known, 1 unknown
    assert (ann["deals_created"], ann["pipeline_created"], ann["created_without_amount"]) == (
        4, 60 + 40 + 999, 1)
    assert pd.isna(ann["pipeline_to_quota"])  # a lower bound is not a ratio
    text = " ".join(n.performance_summary(r))
    # next quarter's quota is not loaded: no coverage, no standard borrowed from another quarter
    assert ("2 open deals are expected to close in FY2026 Q2, 1 of them without an amount; the "
            "1 with one total $999; coverage cannot be computed: no quota is set for FY2026 Q2."
            ) in text
    assert r.coverage_next.unknown_amount == 1 and r.coverage_next.pipeline == 999
    assert not any(f.kind == "coverage" for f in r.findings)


def test_every_thin_case_at_once():
    r = review(drop=("quotas", "stage_history"), roster=False, unknown_open_amounts=1.0,
               drop_columns={"opportunities": ("account_id", "product")})
    assert unavailable(r) == QUOTA_SECTIONS | ROSTER_SECTIONS | {"funnel"}
    assert r.reps["rep_id"].tolist() == ["R1", "R2", "R4"]  # by bookings 110, 100, 30
    assert r.reps["rank"].tolist() == [1, 2, 3]
    assert r.headline.loc["current", "bookings"] == 240 and r.findings == []
    text = summary(r)
    assert not any(word in text.lower() for word in QUOTA_WORDS), text
    assert "1 of them without an amount; the 1 with one total $999." in text


def test_transactions_only_says_it_needs_deals_and_computes_nothing():
    tx = pd.DataFrame({"transaction_id": ["t1"], "date": [T("2026-01-05")], "amount": [10.0],
                       "region": ["EMEA"], "segment": [None], "product": [None],
                       "customer": [None]})
    base = handmade_dataset()
    empty = {name: getattr(base, name).iloc[0:0] for name in
             ("reps", "accounts", "quotas", "opportunities", "stage_history")}
    ds = Dataset(**empty, transactions=tx, contents=Contents(present=frozenset({"transactions"})))
    r = performance_review(ds, AS_OF)
    reason = ("The performance review cannot be shown: the data has no opportunities table; an "
              "opportunities (deals) table would enable it.")
    assert {av.reason for av in r.sections.values()} == {reason}
    assert r.headline is r.reps is r.trend is r.velocity is None and r.rollups == {}
    assert n.performance_summary(r) == [reason]


def test_a_single_quarter_of_history_is_not_a_trend_and_not_compared():
    r = performance_review(handmade_dataset(), "2025-12-31")  # deals begin 2025-10-01
    assert r.trend is None
    assert r.sections["trend"].reason == (
        "The quarterly trend cannot be shown: the data covers only 1 quarter (deals from "
        "2025-10-01); a trend needs at least 2.")
    assert not r.headline.loc["previous", "measured"] and not r.headline.loc["last_year",
                                                                             "measured"]
    assert not [f for f in r.findings if f.kind == "change"]
    assert n.performance_summary(r)[2] == (
        "Bookings cannot be compared with FY2025 Q3 or FY2024 Q4 (the deals begin on "
        "2025-10-01).")
