"""Slippage, deals pushed often and category transitions (salesops.analysis.inspection.slippage)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_movement import hist, opps

from salesops.analysis.inspection.slippage import (
    category_transitions,
    pushed_often,
    slippage,
)
from salesops.data.periods import FiscalCalendar

T = pd.Timestamp
AS_OF = T("2026-11-30")
REPS = pd.DataFrame({"rep_id": ["r1", "r2"], "name": ["Ann", "Bo"], "team": ["East", "West"]})


def test_slippage_counts_deals_committed_to_a_quarter_that_did_not_close_in_it():
    o = opps([
        ("S1", "r1", 1.0, "2026-07-01", "2026-08-15", "won", "closed"),
        ("S2", "r1", 1.0, "2026-07-01", "2026-10-15", "won", "closed"),
        ("S3", "r2", 1.0, "2026-05-01", "2026-09-30", "open", "commit"),
        ("S4", "r2", 1.0, "2026-07-01", "2026-08-01", "won", "closed"),
        ("S5", "r2", 1.0, "2026-05-01", "2026-06-20", "won", "closed"),
        ("S6", "r1", 1.0, "2026-06-10", "2026-08-10", "won", "closed"),
        ("S7", "r2", 1.0, "2026-07-01", "2026-09-10", "lost", "closed"),
        ("S8", "r1", 1.0, "2026-09-01", "2026-10-20", "open", "commit"),
        ("S9", "r1", 1.0, "2026-07-01", "2026-08-20", "open", "commit"),
    ])
    h = hist([
        ("S1", "2026-07-10", 1.0, "2026-08-15", "commit"),            # Q3, won in it
        ("S2", "2026-08-01", 1.0, "2026-09-20", "commit"),            # Q3 ...
        ("S2", "2026-09-25", None, "2026-10-15", None),               # ... pushed: slipped
        ("S3", "2026-06-01", 1.0, "2026-09-30", "commit"),            # commit into Q3, still open
        ("S4", "2026-07-01", 1.0, "2026-08-01", "pipeline"),          # never commit
        ("S5", "2026-05-01", 1.0, "2026-06-20", "commit"),            # Q2, won in it
        ("S6", "2026-06-10", 1.0, "2026-06-28", "commit"),            # Q2 ...
        ("S6", "2026-06-25", None, "2026-08-10", None),               # ... pushed to Q3, won
        ("S7", "2026-07-01", 1.0, "2026-09-10", "commit"),            # Q3, lost in it
        ("S8", "2026-09-01", 1.0, "2026-10-20", "commit"),            # close date in Q4
        ("S9", "2026-07-01", 1.0, "2026-08-20", "pipeline"),
        ("S9", "2026-10-02", None, None, "commit"),                   # commit only after Q3
    ])
    s = slippage(o, h, REPS, FiscalCalendar(), AS_OF, quarters=2)
    assert s.quarters == ("FY2026 Q2", "FY2026 Q3")
    by_q = s.deals.groupby("quarter")["opportunity_id"].apply(sorted).to_dict()
    # Q2: S5 and S6 (commit with close 28 Jun from 10 to 25 Jun); Q3: S1, S2, S3, S6, S7
    assert by_q == {"FY2026 Q2": ["S5", "S6"], "FY2026 Q3": ["S1", "S2", "S3", "S6", "S7"]}
    slipped = s.deals.loc[s.deals["slipped"], ["quarter", "opportunity_id"]].values.tolist()
    assert sorted(slipped) == [["FY2026 Q2", "S6"], ["FY2026 Q3", "S2"], ["FY2026 Q3", "S3"]]
    # overall 3 of 7; Ann (r1): S1, S2, S6 x2 -> 2 of 4; Bo (r2): S3, S5, S7 -> 1 of 3
    assert s.overall[["committed", "slipped"]].iloc[0].tolist() == [7, 3]
    assert s.overall["share"].iloc[0] == pytest.approx(3 / 7)
    rep = s.by_rep.set_index("rep_id")
    assert rep.loc["r1", ["name", "team", "committed", "slipped"]].tolist() == ["Ann", "East", 4, 2]
    assert rep.loc["r2", "share"] == pytest.approx(1 / 3)
    assert s.by_team.set_index("team")["committed"].to_dict() == {"East": 4, "West": 3}


def test_pushed_often_win_rate_against_the_rest():
    o = opps([
        ("P1", "r1", 100.0, "2026-01-01", "2026-04-30", "won", "closed"),
        ("P2", "r1", 80.0, "2026-01-01", "2026-05-30", "lost", "closed"),
        ("P3", "r1", 200.0, "2026-01-01", "2026-03-15", "won", "closed"),
        ("P4", "r1", 70.0, "2026-01-01", "2026-03-01", "lost", "closed"),
        ("P5", "r1", 50.0, "2026-01-01", "2026-04-01", "won", "closed"),
        ("P6", "r1", 90.0, "2026-01-01", "2027-01-31", "open", "pipeline"),
    ])
    pushes = {"P1": ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"],        # 3 pushes
              "P2": ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-30"],
              "P3": ["2026-02-28", "2026-03-15"],                                    # 1
              "P5": ["2026-01-31", "2026-02-28", "2026-04-01"],                      # 2 ...
              "P6": ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-30"]}
    rows = [(d, T("2026-01-01") + pd.Timedelta(days=k), None, c, None)
            for d, dates in pushes.items() for k, c in enumerate(dates)]
    rows.append(("P5", "2026-12-05", None, "2026-12-31", None))  # ... a third after as_of
    got = pushed_often(o, hist(rows), AS_OF).set_index("deals")
    # pushed 3+: P1 (won 100) and P2 (lost); the rest: P3 (won 200), P4 (lost, no history),
    # P5 (won 50; its third push is not known by as_of); P6 is still open
    assert got.loc["Pushed 3+ times", ["closed", "won", "won_amount"]].tolist() == [2, 1, 100.0]
    assert got.loc["Pushed 3+ times", "win_rate"] == pytest.approx(1 / 2)
    assert got.loc["The rest", ["closed", "won", "won_amount"]].tolist() == [3, 2, 250.0]
    assert got.loc["The rest", "win_rate"] == pytest.approx(2 / 3)


def test_category_transition_matrix():
    o = opps([
        ("T1", "r1", 10.0, "2026-09-01", "2026-12-20", "open", "commit"),
        ("T2", "r1", 20.0, "2026-09-01", "2026-11-20", "won", "closed"),
        ("T3", "r1", 30.0, "2026-09-01", "2026-12-20", "open", "commit"),
        ("T4", "r1", 40.0, "2026-09-01", "2026-11-15", "lost", "closed"),
        ("T5", "r1", 5.0, "2026-09-01", "2026-12-20", "open", "pipeline"),
        ("T6", "r1", 1.0, "2026-11-10", "2026-12-20", "open", "pipeline"),   # created later
        ("T7", "r1", 1.0, "2026-09-01", "2026-10-20", "won", "closed"),      # closed before
    ])
    h = hist([
        ("T1", "2026-09-01", 10.0, "2026-12-20", "pipeline"),
        ("T1", "2026-11-12", None, None, "commit"),
        ("T2", "2026-09-01", 20.0, "2026-11-20", "commit"),
        ("T3", "2026-09-01", 30.0, "2026-12-20", "commit"),
        ("T3", "2026-11-05", None, None, "pipeline"),
        ("T3", "2026-11-25", None, None, "commit"),                          # back and forth
        ("T4", "2026-09-01", 40.0, "2026-11-15", "best_case"),
        ("T5", "2026-09-01", 5.0, "2026-12-20", "pipeline"),
    ])
    got = category_transitions(o, h, T("2026-11-01"), T("2026-11-30"))
    assert got.index.tolist() == ["pipeline", "best_case", "commit"]
    assert got["deals"].columns.tolist() == ["pipeline", "best_case", "commit", "won", "lost"]
    # pipeline: T5 stays, T1 -> commit; best_case: T4 lost; commit: T3 back to commit, T2 won
    assert got["deals"].to_numpy().tolist() == [[1, 0, 1, 0, 0], [0, 0, 0, 0, 1], [0, 0, 1, 1, 0]]
    assert got["amount"].loc["commit"].tolist() == [0.0, 0.0, 30.0, 20.0, 0.0]
    assert int(np.asarray(got["deals"]).sum()) == 5                          # T1 to T5
