"""Pipeline movement: reasons, the bridge and its identity (salesops.analysis.inspection.movement)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.analysis.inspection.movement import (
    REASONS,
    default_windows,
    largest_moves,
    movement,
)
from salesops.data.history import FIELDS
from salesops.data.periods import FiscalCalendar

T = pd.Timestamp
Q4 = FiscalCalendar().period("2026-11-15", "quarter")  # 1 Oct - 31 Dec 2026
START, END = T("2026-11-23"), T("2026-11-30")


def opps(rows: list[tuple]) -> pd.DataFrame:
    """Opportunities from (id, rep, amount, created, close, status, category)."""
    df = pd.DataFrame(rows, columns=["opportunity_id", "rep_id", "amount", "created_date",
                                     "close_date", "status", "forecast_category"])
    df["account_id"] = "acct-" + df["opportunity_id"]
    df["stage"] = df["status"].map({"open": "Discovery", "won": "Closed Won", "lost": "Closed Lost"})
    return df.astype({"opportunity_id": "string", "rep_id": "string", "account_id": "string",
                      "amount": "float64", "created_date": "datetime64[ns]",
                      "close_date": "datetime64[ns]", "status": "string",
                      "forecast_category": "string", "stage": "string"})


def hist(rows: list[tuple]) -> pd.DataFrame:
    """History from (id, changed_at, amount, close_date, category); stage/probability empty."""
    df = pd.DataFrame([(d, t, a, c, None, f, None) for d, t, a, c, f in rows],
                      columns=["opportunity_id", "changed_at", *FIELDS])
    return df.astype({"opportunity_id": "string", "changed_at": "datetime64[ns]",
                      "amount": "float64", "close_date": "datetime64[ns]", "stage": "string",
                      "forecast_category": "string", "probability": "float64"})


OPPS = opps([
    ("P", "r1", 100.0, "2026-09-01", "2027-02-01", "open", "pipeline"),
    ("P2", "r1", 10.0, "2026-09-01", "2026-12-20", "open", "pipeline"),
    ("A", "r1", 180.0, "2026-09-01", "2026-12-15", "open", "commit"),
    ("CW", "r2", 300.0, "2026-11-25", "2026-11-27", "won", "closed"),
    ("K", "r2", 50.0, "2026-09-01", "2026-12-20", "open", "pipeline"),
    ("K2", "r2", 30.0, "2026-09-01", "2026-12-20", "open", "best_case"),
    ("W", "r1", 400.0, "2026-09-01", "2026-11-26", "won", "closed"),
    ("L", "r2", 70.0, "2026-09-01", "2026-11-29", "lost", "closed"),
    ("N", "r1", 60.0, "2026-11-24", "2026-12-31", "open", "pipeline"),
    ("U", "r2", 130.0, "2026-09-01", "2026-12-05", "open", "pipeline"),
    ("PI", "r1", 500.0, "2026-10-01", "2026-12-01", "open", "pipeline"),
    ("PO", "r2", 120.0, "2026-09-01", "2027-01-05", "open", "pipeline"),
    ("X", "r1", None, "2026-09-01", "2026-12-12", "open", "pipeline"),    # amount unknown
    ("OLD", "r1", 999.0, "2026-09-01", "2026-10-15", "won", "closed"),    # closed before start
])
HIST = hist([
    # P: out of Q4 at start (15 Jan), pulled in to 10 Dec on 25 Nov, pushed to 1 Feb on 28 Nov
    ("P", "2026-09-01", 100.0, "2027-01-15", "pipeline"),
    ("P", "2026-11-25", None, "2026-12-10", None),
    ("P", "2026-11-28", None, "2027-02-01", None),
    # P2: in Q4 at start (5 Dec), pushed to 10 Jan on 24 Nov, pulled back to 20 Dec on 27 Nov
    ("P2", "2026-09-01", 10.0, "2026-12-05", "pipeline"),
    ("P2", "2026-11-24", None, "2027-01-10", None),
    ("P2", "2026-11-27", None, "2026-12-20", None),
    # A: 200 at start, 250 on 24 Nov, 180 on 26 Nov
    ("A", "2026-09-01", 200.0, "2026-12-15", "commit"),
    ("A", "2026-11-24", 250.0, None, None),
    ("A", "2026-11-26", 180.0, None, None),
    ("CW", "2026-11-25", 300.0, "2026-12-20", "pipeline"),
    ("CW", "2026-11-27", None, "2026-11-27", "closed"),
    # K: pipeline -> commit (24 Nov) -> pipeline (26 Nov); K2: best_case -> commit -> pipeline
    ("K", "2026-09-01", 50.0, "2026-12-20", "pipeline"),
    ("K", "2026-11-24", None, None, "commit"),
    ("K", "2026-11-26", None, None, "pipeline"),
    ("K2", "2026-09-01", 30.0, "2026-12-20", "pipeline"),
    ("K2", "2026-11-24", None, None, "commit"),
    ("K2", "2026-11-26", None, None, "best_case"),
    ("W", "2026-09-01", 400.0, "2026-12-01", "commit"),
    ("L", "2026-09-01", 70.0, "2026-12-01", "pipeline"),
    ("N", "2026-11-24", 60.0, "2026-12-31", "pipeline"),
    ("U", "2026-09-01", 90.0, "2026-12-05", "pipeline"),
    ("U", "2026-11-25", 130.0, None, None),
    ("PI", "2026-10-01", 500.0, "2027-02-15", "pipeline"),
    ("PI", "2026-11-25", None, "2026-12-01", None),
    ("PO", "2026-09-01", 120.0, "2026-12-10", "pipeline"),
    ("PO", "2026-11-29", None, "2027-01-05", None),
])


def step(m, name: str) -> tuple[float, int]:
    row = m.bridge.set_index("step").loc[name]
    return row["amount"], row["deals"]


def test_each_deal_gets_one_ranked_reason():
    m = movement(OPPS, HIST, START, END, Q4)
    reasons = dict(zip(m.deals["opportunity_id"], m.deals["reason"], strict=True))
    # P was out of Q4 on 23 Nov and again on 30 Nov: in neither pipeline, not listed
    assert "P" not in reasons and "OLD" not in reasons
    assert reasons == {
        "P2": "no_change",          # pushed and pulled back: 5 Dec -> 20 Dec, both in Q4
        "A": "amount_down",         # 200 -> 250 -> 180: change 180 - 200 = -20
        "CW": "created",            # created 25 Nov and won 27 Nov: change 0
        "K": "no_change",           # pipeline -> commit -> pipeline
        "K2": "category_changed",   # pipeline -> commit -> best_case
        "W": "won", "L": "lost",
        "N": "created", "U": "amount_up", "PI": "pulled_in", "PO": "pushed_out",
        "X": "no_change",           # amount unknown at both dates
    }
    change = dict(zip(m.deals["opportunity_id"], m.deals["change"], strict=True))
    assert change["A"] == 180 - 200 and change["CW"] == 0 and change["U"] == 130 - 90
    assert change["W"] == -400 and change["PI"] == 500 and change["PO"] == -120
    assert m.unknown_amount == 1                       # X
    assert (m.created_and_won, m.created_and_won_amount) == (1, 300.0)


def test_bridge_adds_up():
    m = movement(OPPS, HIST, START, END, Q4)
    # start: P2 10 + A 200 + K 50 + K2 30 + W 400 + L 70 + U 90 + PO 120 + X 0 = 970 (9 deals)
    assert step(m, "start") == (970.0, 9)
    assert step(m, "created") == (60.0, 2)             # N 60; CW created and won: 0
    assert step(m, "pulled_in") == (500.0, 1)
    assert step(m, "increased") == (40.0, 1)           # U 90 -> 130
    assert step(m, "won") == (-400.0, 1)
    assert step(m, "lost") == (-70.0, 1)
    assert step(m, "pushed_out") == (-120.0, 1)
    assert step(m, "decreased") == (-20.0, 1)          # A 200 -> 180
    # end: P2 10 + A 180 + K 50 + K2 30 + N 60 + U 130 + PI 500 + X 0 = 960 (8 deals)
    # = 970 + 60 + 500 + 40 - 400 - 70 - 120 - 20
    assert step(m, "end") == (960.0, 8)
    assert m.bridge["step"].tolist() == ["start", "created", "pulled_in", "increased", "won",
                                         "lost", "pushed_out", "decreased", "end"]


def test_largest_moves_and_windows():
    top = largest_moves(movement(OPPS, HIST, START, END, Q4), n=3)
    # |change|: PI 500, W 400, PO 120 (then N 60, U 40, L 70 ...)
    assert top["opportunity_id"].tolist() == ["PI", "W", "PO"]
    assert top["account_id"].tolist() == ["acct-PI", "acct-W", "acct-PO"]
    windows = default_windows(FiscalCalendar(), T("2026-11-30"))
    assert windows == [("Last 7 days", T("2026-11-23"), T("2026-11-30")),
                       ("Since quarter start", T("2026-09-30"), T("2026-11-30"))]


def test_deal_without_history_keeps_todays_values():
    m = movement(OPPS, HIST.iloc[:0], START, END, Q4)
    # no history: today's amounts and close dates at both dates, so only creations and closes
    # move: N created +60, W won -400, L lost -70, CW created and won 0
    assert step(m, "created") == (60.0, 2) and step(m, "won") == (-400.0, 1)
    assert step(m, "pulled_in") == (0.0, 0) and step(m, "pushed_out") == (0.0, 0)


DEALS = st.lists(st.tuples(
    st.sampled_from(["r1", "r2", "r3"]),
    st.one_of(st.none(), st.integers(0, 10_000).map(lambda c: c / 100)),  # amount, cents
    st.integers(0, 120),                                 # created: days after 1 Sep
    st.integers(0, 200),                                 # close: days after 1 Sep
    st.sampled_from(["open", "won", "lost"]),
    st.lists(st.tuples(st.integers(0, 120), st.one_of(st.none(), st.integers(0, 99_999)
                                                      .map(lambda c: c / 100)),
                       st.one_of(st.none(), st.integers(0, 200)),
                       st.one_of(st.none(), st.sampled_from(["pipeline", "commit"]))),
             max_size=5),
), min_size=1, max_size=25)


@settings(max_examples=50, deadline=None)
@given(DEALS, st.integers(0, 100), st.integers(0, 30))
def test_bridge_identity_on_every_scope(raw, start_day, length):
    base = T("2026-09-01")
    day = lambda k: base + pd.Timedelta(days=k)  # noqa: E731
    o = opps([(f"d{i}", rep, amount, day(created), day(max(close, created)), status, None)
              for i, (rep, amount, created, close, status, _) in enumerate(raw)])
    h = hist([(f"d{i}", day(created + t), a, None if c is None else day(c), f)
              for i, (_, _, created, _, _, changes) in enumerate(raw)
              for t, a, c, f in {t: (t, a, c, f) for t, a, c, f in changes}.values()])
    start, end = day(start_day), day(start_day + length)
    company = movement(o, h, start, end, Q4)
    total = np.zeros(len(company.bridge), dtype=np.int64)
    for scope in (None, "r1", "r2", "r3"):
        part = o if scope is None else o.loc[o["rep_id"] == scope]
        m = movement(part, h, start, end, Q4)
        cents = m.bridge.set_index("step")["cents"]
        # start + created + pulled in + increased + won + lost + pushed out + decreased = end
        assert cents.drop(["start", "end"]).sum() + cents["start"] == cents["end"]
        assert m.deals["reason"].isin(REASONS).all()
        assert m.deals["opportunity_id"].is_unique
        if scope is not None:
            total += m.bridge["cents"].to_numpy()
    # the reps' bridges add up to the company's, step by step
    assert total.tolist() == company.bridge["cents"].tolist()
