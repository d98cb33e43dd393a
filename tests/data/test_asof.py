import numpy as np
import pandas as pd

from salesops.data.asof import open_stages_on, snapshot
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


def test_open_stages_on_many_dates_at_once():
    _, hist = frames()
    ids = pd.Series(["W", "W", "W", "L", "O", "F"])
    dates = pd.DatetimeIndex(["2025-12-31", "2026-02-28", "2026-03-10", "2026-02-28",
                              "2026-03-01", "2026-04-10"])
    got = open_stages_on(hist, CAT, ids, np.arange(6), dates).tolist()
    # W: nothing yet -> first open stage; Proposal by Feb 28; on Mar 10 it was already won, so
    # "open on that date" falls back to the first open stage. L lost on Feb 20: fallback too.
    # O entered Proposal on Mar 1 (the same day counts). F still in Prospecting on Apr 10.
    assert got == ["Prospecting", "Proposal", "Prospecting", "Prospecting", "Proposal",
                   "Prospecting"]


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
