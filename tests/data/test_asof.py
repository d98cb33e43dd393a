import pandas as pd

from salesops.data.asof import snapshot, stage_as_of
from salesops.data.stages import load_catalogue

T = pd.Timestamp
CAT = load_catalogue()


def frames():
    opps = pd.DataFrame({
        "opportunity_id": ["W", "L", "O", "F"],
        "rep_id": ["R1"] * 4,
        "stage": ["Closed Won", "Closed Lost", "Proposal", "Closed Won"],
        "status": ["won", "lost", "open", "won"],
        "created_date": [T("2026-01-01"), T("2026-01-05"), T("2026-02-01"), T("2026-04-01")],
        "close_date": [T("2026-03-10"), T("2026-02-20"), T("2026-06-30"), T("2026-04-20")],
        "forecast_category": [None, None, "commit", None],
        "probability": [1.0, 0.0, 0.4, 1.0],
        "amount": [100.0, 50.0, 70.0, 30.0],
    })
    hist = pd.DataFrame({
        "opportunity_id": ["W", "W", "W", "L", "L", "O", "O", "F", "F"],
        "stage": ["Prospecting", "Proposal", "Closed Won", "Prospecting", "Closed Lost",
                  "Prospecting", "Proposal", "Prospecting", "Closed Won"],
        "entered_date": [T("2026-01-01"), T("2026-02-15"), T("2026-03-10"), T("2026-01-05"),
                         T("2026-02-20"), T("2026-02-01"), T("2026-03-01"), T("2026-04-01"),
                         T("2026-04-20")],
    })
    return opps, hist


def test_stage_as_of_takes_last_stage_entered():
    _, hist = frames()
    stages = stage_as_of(hist, CAT, T("2026-02-28"))
    assert stages.to_dict() == {"W": "Proposal", "L": "Closed Lost", "O": "Prospecting"}


def test_snapshot_reopens_deals_closed_later_and_hides_future_deals():
    opps, hist = frames()
    snap = snapshot(opps, hist, CAT, T("2026-02-28")).set_index("opportunity_id")
    assert sorted(snap.index) == ["L", "O", "W"]  # F created in April does not exist yet
    assert snap.loc["W", ["stage", "status"]].tolist() == ["Proposal", "open"]
    assert snap.loc["W", "probability"] == 0.4  # catalogue default for Proposal
    assert pd.isna(snap.loc["W", "forecast_category"])
    assert snap.loc["L", "status"] == "lost"  # closed before as_of: final state kept
    assert snap.loc["O", "forecast_category"] == "commit"  # still open today: unchanged


def test_snapshot_after_everything_is_the_current_table():
    opps, hist = frames()
    snap = snapshot(opps, hist, CAT, T("2026-12-31"))
    pd.testing.assert_frame_equal(snap, opps)
