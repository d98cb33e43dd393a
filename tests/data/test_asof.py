import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.data.asof import open_stages_on, snapshot, snapshots
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


def history():
    """W: amount 80 -> 100 on Mar 1, expected close Feb 28 -> Mar 31 on Feb 15 (at 10:30, with
    Proposal and best case), won Mar 10. O: 60 closing May 31 in Prospecting, Proposal on Mar 1,
    70 closing Jun 30 on Apr 1. L: Prospecting, lost Feb 20. F has no history."""
    t = pd.Timestamp
    rows = [
        ("W", t("2026-01-01"), 80.0, t("2026-02-28"), "Prospecting", "pipeline", 0.1),
        ("W", t("2026-02-15 10:30"), None, t("2026-03-31"), "Proposal", "best_case", None),
        ("W", t("2026-03-01"), 100.0, None, None, None, None),
        ("W", t("2026-03-10"), None, None, "Closed Won", "closed", 1.0),
        ("L", t("2026-01-05"), 50.0, t("2026-02-20"), "Prospecting", "pipeline", None),
        ("L", t("2026-02-20"), None, None, "Closed Lost", "omitted", 0.0),
        ("O", t("2026-02-01"), 60.0, t("2026-05-31"), "Prospecting", "pipeline", None),
        ("O", t("2026-03-01"), None, None, "Proposal", "commit", None),
        ("O", t("2026-04-01"), 70.0, t("2026-06-30"), None, None, None),
    ]
    return pd.DataFrame(rows, columns=["opportunity_id", "changed_at", "amount", "close_date",
                                       "stage", "forecast_category", "probability"])


COLS = ["status", "amount", "close_date", "stage", "forecast_category", "probability"]


def test_snapshot_with_history_gives_open_deals_their_values_then():
    opps, hist = frames()
    snap = snapshot(opps, hist, CAT, T("2026-02-28"), history=history()).set_index(
        "opportunity_id")
    # W (won Mar 10) was open: 80 (100 only from Mar 1), expected Mar 31, Proposal and best
    # case since Feb 15; its probability 0.1, recorded on Jan 1, is the last one known
    assert snap.loc["W", COLS].tolist() == ["open", 80.0, T("2026-03-31"), "Proposal",
                                            "best_case", 0.1]
    # L closed on Feb 20, before as_of: its final state, whatever the history says
    assert snap.loc["L", COLS].tolist() == opps.set_index("opportunity_id").loc["L", COLS].tolist()
    # O still open today: 60 expected May 31 in Prospecting, pipeline; no probability
    # recorded: today's 0.4
    assert snap.loc["O", COLS].tolist() == ["open", 60.0, T("2026-05-31"), "Prospecting",
                                            "pipeline", 0.4]


def test_current_snapshot_keeps_values_the_history_does_not_change_later():
    """current=True (a dataset or a view and its whole history): a still-open deal's field that
    no later row changes keeps today's value, so a history that lags the export (built from
    last night's snapshots) cannot overwrite it; fields changed later are rewound as before."""
    opps, hist = frames()
    opps.loc[opps["opportunity_id"] == "O", "amount"] = 75.0  # export newer than the history
    # Apr 15: O's last recorded change is Apr 1 (70, Jun 30): nothing later, so today's 75 and
    # today's stage/category stand; without current the lagging 70 would win
    now = snapshot(opps, hist, CAT, T("2026-04-15"), history=history(), current=True)
    assert now.set_index("opportunity_id").loc["O", "amount"] == 75.0
    lagging = snapshot(opps, hist, CAT, T("2026-04-15"), history=history())
    assert lagging.set_index("opportunity_id").loc["O", "amount"] == 70.0
    # Feb 28: O's amount and close date change later (Apr 1), so they are rewound (60, May 31);
    # its stage and category change later too (Mar 1): Prospecting, pipeline; W (closed later)
    # is rewound whatever the flag
    then = snapshot(opps, hist, CAT, T("2026-02-28"), history=history(), current=True)
    plain = snapshot(opps, hist, CAT, T("2026-02-28"), history=history())
    pd.testing.assert_frame_equal(then, plain)
    assert then.set_index("opportunity_id").loc["O", COLS].tolist() == [
        "open", 60.0, T("2026-05-31"), "Prospecting", "pipeline", 0.4]


def test_snapshot_with_history_counts_a_change_made_during_the_day():
    opps, hist = frames()
    snap = snapshot(opps, hist, CAT, T("2026-02-15"), history=history()).set_index(
        "opportunity_id")
    # W's change at 10:30 on Feb 15 is known at the end of that day
    assert snap.loc["W", ["close_date", "stage"]].tolist() == [T("2026-03-31"), "Proposal"]
    before = snapshot(opps, hist, CAT, T("2026-02-14"), history=history())
    assert before.set_index("opportunity_id").loc["W", "close_date"] == T("2026-02-28")


def test_snapshot_with_history_keeps_what_it_does_not_record():
    opps, hist = frames()
    # F (created Apr 1, won Apr 20) has no history: open on Apr 10 as without history
    # (Prospecting from the stage history, its default probability, no category, 30)
    # O on Apr 10: 70 expected Jun 30 (Apr 1), Proposal and commit (Mar 1)
    got = snapshot(opps, hist, CAT, T("2026-04-10"), history=history()).set_index(
        "opportunity_id")
    plain = snapshot(opps, hist, CAT, T("2026-04-10")).set_index("opportunity_id")
    pd.testing.assert_series_equal(got.loc["F"], plain.loc["F"])
    assert got.loc["F", ["status", "amount", "stage"]].tolist() == ["open", 30.0, "Prospecting"]
    assert got.loc["O", COLS].tolist() == ["open", 70.0, T("2026-06-30"), "Proposal", "commit",
                                           0.4]
    # W won on Mar 10: closed by as_of, final state
    pd.testing.assert_series_equal(got.loc["W"], opps.set_index("opportunity_id").loc["W"])


def test_snapshot_with_history_before_a_deal_history_starts_takes_its_first_values():
    opps, hist = frames()
    late = history().assign(changed_at=lambda h: h["changed_at"].where(
        h["opportunity_id"] != "O", h["changed_at"] + pd.Timedelta(days=40)))
    # O's rows now start Mar 13: on Feb 28 it takes its first recorded values (60, May 31,
    # Prospecting, pipeline)
    snap = snapshot(opps, hist, CAT, T("2026-02-28"), history=late).set_index("opportunity_id")
    assert snap.loc["O", COLS].tolist() == ["open", 60.0, T("2026-05-31"), "Prospecting",
                                            "pipeline", 0.4]


def test_snapshot_with_history_never_puts_an_open_deal_in_a_closed_stage():
    opps, hist = frames()
    # O's history says Closed Lost on Feb 10 and Prospecting again on Feb 20 (reopened): open
    # on Feb 12 it sits in the first open stage, like open_stages_on; the 'closed' category
    # is not an open deal's state either: today's (commit) stays
    extra = pd.DataFrame([("O", T("2026-02-10"), None, None, "Closed Lost", "closed", None),
                          ("O", T("2026-02-20"), None, None, "Prospecting", None, None)],
                         columns=history().columns)
    hist_o = pd.concat([history(), extra]).sort_values(["opportunity_id", "changed_at"],
                                                       kind="stable")
    snap = snapshot(opps, hist, CAT, T("2026-02-12"), history=hist_o).set_index(
        "opportunity_id")
    assert snap.loc["O", ["stage", "forecast_category"]].tolist() == ["Prospecting", "commit"]


def test_snapshot_with_an_empty_history_is_the_plain_snapshot():
    opps, hist = frames()
    for day in ("2026-02-28", "2026-04-10", "2026-12-31"):
        pd.testing.assert_frame_equal(
            snapshot(opps, hist, CAT, T(day), history=history().iloc[:0]),
            snapshot(opps, hist, CAT, T(day)))


def test_snapshots_at_many_dates_are_each_dates_snapshot():
    opps, hist = frames()
    days = [T("2025-12-31"), T("2026-02-15"), T("2026-02-28"), T("2026-04-10"), T("2026-12-31")]
    for changes in (None, history()):
        got = snapshots(opps, hist, CAT, days, history=changes)
        assert len(got) == len(days)
        for day, frame in zip(days, got, strict=True):
            pd.testing.assert_frame_equal(frame, snapshot(opps, hist, CAT, day, history=changes))
    assert snapshots(opps, hist, CAT, []) == []


changes = st.lists(st.tuples(
    st.sampled_from(["W", "L", "O", "F"]), st.integers(0, 400),
    st.one_of(st.none(), st.floats(0, 1000, allow_nan=False)),
    st.one_of(st.none(), st.integers(0, 400)),
    st.one_of(st.none(), st.sampled_from(["Prospecting", "Proposal", "Closed Won", "Closed Lost"])),
    st.one_of(st.none(), st.sampled_from(["pipeline", "best_case", "commit", "closed"]))),
    max_size=25)


@settings(max_examples=40, deadline=None)
@given(rows=changes, day=st.integers(0, 400))
def test_snapshot_with_any_history_only_rewinds_deals_open_then(rows, day):
    opps, hist = frames()
    start = T("2026-01-01")
    history = pd.DataFrame(
        [(i, start + pd.Timedelta(days=d), a, None if c is None else start + pd.Timedelta(days=c),
          s, f, None) for i, d, a, c, s, f in rows],
        columns=["opportunity_id", "changed_at", "amount", "close_date", "stage",
                 "forecast_category", "probability"]).astype({"amount": float})
    as_of = start + pd.Timedelta(days=day)
    got = snapshot(opps, hist, CAT, as_of, history=history)
    plain = snapshot(opps, hist, CAT, as_of)
    # the same deals, with the same status; closed ones untouched; open ones never in a
    # closed stage or the 'closed' category, and with the last amount known by then if any
    assert got["opportunity_id"].tolist() == plain["opportunity_id"].tolist()
    assert got["status"].tolist() == plain["status"].tolist()
    closed = (plain["status"] != "open").to_numpy()
    pd.testing.assert_frame_equal(got.loc[closed], plain.loc[closed])
    open_ = got.loc[~closed]
    assert (CAT.status_of(open_["stage"]) == "open").all()
    assert not open_["forecast_category"].eq("closed").fillna(False).any()
    for _, deal in open_.iterrows():
        mine = history.loc[(history["opportunity_id"] == deal["opportunity_id"])
                           & history["amount"].notna()].sort_values("changed_at", kind="stable")
        known = mine.loc[mine["changed_at"] <= as_of]
        if len(known):
            assert deal["amount"] == known["amount"].iloc[-1]
