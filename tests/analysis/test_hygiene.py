import pandas as pd
import pytest

from salesops.analysis.hygiene import hygiene_by_rep, hygiene_issues, hygiene_summary, open_as_of
from salesops.data.stages import load_catalogue

T = pd.Timestamp
CAT = load_catalogue()
AS_OF = T("2026-06-30")


def frames():
    opps = pd.DataFrame({
        "opportunity_id": ["A", "B", "C", "D", "E"],
        "rep_id": ["R1", "R1", "R2", "R2", "R1"],
        "amount": [100.0, 200.0, 0.0, 400.0, 50.0],
        "created_date": [T("2026-01-01"), T("2026-05-01"), T("2026-06-01"), T("2026-02-01"),
                         T("2026-01-01")],
        "close_date": [T("2026-06-20"), T("2026-08-31"), T("2026-07-15"), T("2026-09-30"),
                       T("2026-03-01")],
        "stage": ["Proposal", "Discovery", "Prospecting", "Qualification", "Closed Won"],
        "status": ["open", "open", "open", "open", "won"],
        "forecast_category": ["commit", None, "pipeline", "best_case", None],
        "probability": [0.4, 0.2, 0.05, 0.1, 1.0],
    })
    hist = pd.DataFrame({
        "opportunity_id": ["A", "A", "B", "C", "D", "D", "E", "E"],
        "stage": ["Prospecting", "Proposal", "Discovery", "Prospecting", "Prospecting",
                  "Qualification", "Prospecting", "Closed Won"],
        "entered_date": [T("2026-01-01"), T("2026-06-10"), T("2026-05-01"), T("2026-06-01"),
                         T("2026-02-01"), T("2026-03-01"), T("2026-01-01"), T("2026-03-01")],
    })
    reps = pd.DataFrame({"rep_id": ["R1", "R2"], "name": ["Ann", "Bo"], "team": ["T1", "T2"]})
    return opps, hist, reps


def test_each_check_with_hand_computed_days():
    opps, hist, _ = frames()
    issues = hygiene_issues(open_as_of(opps, hist, CAT, AS_OF), opps, AS_OF, stale_days=60)
    got = {(r.opportunity_id, r.check): r.days for r in issues.itertuples()}
    # A: expected close 2026-06-20 -> 10 days past due on 2026-06-30.
    # D: last stage change 2026-03-01 -> 121 days (Mar 30 + Apr 30 + May 31 + Jun 30) > 60: stale.
    # B: open today with no forecast category. C: amount 0. E is won: never flagged.
    assert set(got) == {("A", "past_due"), ("D", "stale"), ("B", "no_forecast_category"),
                        ("C", "no_amount")}
    assert got[("A", "past_due")] == 10 and got[("D", "stale")] == 121


def test_summary_and_rep_table():
    opps, hist, reps = frames()
    open_deals = open_as_of(opps, hist, CAT, AS_OF)
    issues = hygiene_issues(open_deals, opps, AS_OF, stale_days=60)
    summary = hygiene_summary(issues, open_deals).set_index("check")
    # 4 open deals worth 100 + 200 + 0 + 400 = 700; stale D is 400 of it.
    assert summary.loc["stale", "deals"] == 1
    assert summary.loc["stale", "value_share"] == pytest.approx(400 / 700)
    assert summary.loc["past_due", "deal_share"] == pytest.approx(1 / 4)
    by_rep = hygiene_by_rep(issues, open_deals, reps).set_index("rep_id")
    # R1: A (100, past due) and B (200, no category) flagged of 300 open -> 100%.
    assert by_rep.loc["R1", ["open_deals", "past_due", "no_forecast_category"]].tolist() == [2, 1, 1]
    assert by_rep.loc["R1", "flagged_share"] == pytest.approx(1.0)
    # R2: C (0, no amount) and D (400, stale) -> flagged 400 of 400.
    assert by_rep.loc["R2", "flagged_value"] == 400 and by_rep.index[0] == "R2"


def test_past_snapshot_does_not_blame_unknown_forecast_categories():
    opps, hist, _ = frames()
    # On 2026-02-15, E (won 2026-03-01) was open; its category then is unknown, not missing.
    day = T("2026-02-15")
    issues = hygiene_issues(open_as_of(opps, hist, CAT, day), opps, day, stale_days=30)
    assert "E" not in set(issues.loc[issues["check"] == "no_forecast_category", "opportunity_id"])
    # E entered Prospecting on 2026-01-01: 45 days without change by 2026-02-15.
    assert issues.loc[(issues.opportunity_id == "E") & (issues.check == "stale"), "days"].item() == 45


def test_no_open_deals_gives_empty_frames():
    opps, hist, reps = frames()
    open_deals = open_as_of(opps, hist, CAT, T("2025-01-01"))
    issues = hygiene_issues(open_deals, opps, T("2025-01-01"))
    assert issues.empty and list(issues.columns)[-2:] == ["check", "days"]
    assert hygiene_summary(issues, open_deals)["deal_share"].isna().all()
