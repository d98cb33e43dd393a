"""Deal states on past days, derived stage history and push counts (salesops.data.history)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.data.history import (
    FIELDS,
    history_start,
    pushes,
    stage_history_from,
    states_on,
)
from salesops.data.periods import FiscalCalendar

T = pd.Timestamp


def frame(rows: list[tuple]) -> pd.DataFrame:
    """A canonical opportunity_history from (id, changed_at, amount, close, stage, cat, prob)."""
    df = pd.DataFrame(rows, columns=["opportunity_id", "changed_at", *FIELDS])
    return df.astype({"opportunity_id": "string", "changed_at": "datetime64[ns]",
                      "amount": "float64", "close_date": "datetime64[ns]", "stage": "string",
                      "forecast_category": "string", "probability": "float64"})


HISTORY = frame([
    # D1: created 1 Mar with 100, close 31 Mar; amount to 150 on 5 Mar (other fields empty);
    # commit at 14:30 on 10 Mar, close pushed to 30 Apr the same evening
    ("D1", T("2026-03-01"), 100.0, T("2026-03-31"), "Discovery", "pipeline", 0.1),
    ("D1", T("2026-03-05"), 150.0, None, None, None, None),
    ("D1", T("2026-03-10 14:30"), None, None, "Proposal", "commit", 0.6),
    ("D1", T("2026-03-10 18:00"), None, T("2026-04-30"), None, None, None),
    # D2 starts later (2 Mar) and is given out of order
    ("D2", T("2026-03-04"), 80.0, None, None, None, None),
    ("D2", T("2026-03-02"), 50.0, T("2026-06-30"), "Discovery", None, None),
])


def test_state_is_the_last_non_empty_value_known_at_the_end_of_the_day():
    got = states_on(HISTORY, pd.Series(["D1", "D1", "D1", "D2", "D2", "D9"]),
                    pd.DatetimeIndex(["2026-03-04", "2026-03-05", "2026-03-10",
                                      "2026-03-03", "2026-03-04", "2026-03-04"]))
    # D1 on 4 Mar: only the 1 Mar row -> 100; on 5 Mar: 150 (the 5 Mar row has no close date,
    # so the close date stays 31 Mar); on 10 Mar both 10 Mar rows are known (< 11 Mar 00:00)
    assert got["amount"].tolist()[:3] == [100.0, 150.0, 150.0]
    assert got["close_date"].tolist()[:3] == [T("2026-03-31"), T("2026-03-31"), T("2026-04-30")]
    assert got["forecast_category"].tolist()[:3] == ["pipeline", "pipeline", "commit"]
    # D2 (rows out of order): on 3 Mar the 2 Mar row (50); on 4 Mar the 4 Mar row (80)
    assert got["amount"].tolist()[3:5] == [50.0, 80.0]
    assert got["forecast_category"].isna().tolist()[3:5] == [True, True]
    # D9 has no history at all
    assert got["recorded"].tolist() == [True, True, True, True, True, False]
    assert got["amount"].isna().tolist()[5]
    assert list(got.columns) == [*FIELDS, "recorded"]
    assert str(got["stage"].dtype) == "string" and got["close_date"].dtype == "datetime64[ns]"


def test_before_first_gives_the_first_recorded_value_before_the_history_starts():
    ids = pd.Series(["D1", "D2"])
    missing = states_on(HISTORY, ids, T("2026-02-15"))
    first = states_on(HISTORY, ids, T("2026-02-15"), before="first")
    assert missing["amount"].isna().all() and not missing["recorded"].any()
    # the deals' first rows: D1 100 (1 Mar), D2 50 (2 Mar, the earlier of its two rows)
    assert first["amount"].tolist() == [100.0, 50.0]
    assert first["stage"].tolist() == ["Discovery", "Discovery"]
    assert not first["recorded"].any()
    # D2 on 3 Mar has no category yet and never records one: missing either way
    assert states_on(HISTORY, pd.Series(["D2"]), T("2026-03-03"),
                     before="first")["forecast_category"].isna().all()


def test_fields_subset_and_history_start():
    got = states_on(HISTORY, np.array(["D1"]), T("2026-03-31"), fields=("amount",))
    assert list(got.columns) == ["amount", "recorded"] and got["amount"].tolist() == [150.0]
    assert history_start(HISTORY) == T("2026-03-01")
    assert history_start(HISTORY.iloc[:0]) is None


def test_stage_history_keeps_only_changes_of_stage():
    h = frame([
        ("A", T("2026-01-01"), 1.0, None, "Discovery", None, None),
        ("A", T("2026-01-03"), 2.0, None, "Discovery", None, None),   # same stage: no change
        ("A", T("2026-01-05 09:00"), None, None, None, "commit", None),  # no stage: skipped
        ("A", T("2026-01-07 16:00"), None, None, "Proposal", None, None),
        ("A", T("2026-01-09"), None, None, "Discovery", None, None),   # back: a change
    ])
    got = stage_history_from(h)
    assert got["stage"].tolist() == ["Discovery", "Proposal", "Discovery"]
    assert got["entered_date"].tolist() == [T("2026-01-01"), T("2026-01-07"), T("2026-01-09")]


def test_pushes_count_moves_to_a_later_date():
    h = frame([
        ("A", T("2026-01-01"), None, T("2026-03-31"), None, None, None),  # first: not a push
        ("A", T("2026-01-10"), None, T("2026-03-15"), None, None, None),  # pulled in
        ("A", T("2026-01-20"), None, T("2026-03-20"), None, None, None),  # push 1 (same quarter)
        ("A", T("2026-01-25"), 5.0, None, None, None, None),              # no close date
        ("A", T("2026-02-01"), None, T("2026-05-10"), None, None, None),  # push 2 (to Q2)
        ("B", T("2026-01-01"), None, T("2026-02-01"), None, None, None),
    ])
    assert pushes(h).to_dict() == {"A": 2, "B": 0}
    # by quarter: only 20 Mar -> 10 May moves to a later quarter
    assert pushes(h, FiscalCalendar()).to_dict() == {"A": 1, "B": 0}


def reference(history: pd.DataFrame, deal: str, day: pd.Timestamp, before: str) -> dict:
    """Plain per-deal loop: the last non-empty value of each field by the end of ``day``."""
    rows = history[history["opportunity_id"] == deal].sort_values("changed_at", kind="stable")
    known = rows[rows["changed_at"] < day + pd.Timedelta(days=1)]
    out = {"recorded": len(known) > 0}
    for f in FIELDS:
        seen = [v for v in known[f] if not pd.isna(v)]
        every = [v for v in rows[f] if not pd.isna(v)]
        out[f] = seen[-1] if seen else (every[0] if before == "first" and every else None)
    return out


rows = st.tuples(
    st.sampled_from(["a", "b", "c", "d"]),
    st.integers(0, 40 * 24),   # hours after 1 Jan
    st.one_of(st.none(), st.integers(0, 500).map(float)),
    st.one_of(st.none(), st.integers(0, 90)),
    st.one_of(st.none(), st.sampled_from(["Discovery", "Proposal"])),
    st.one_of(st.none(), st.sampled_from(["pipeline", "best_case", "commit"])),
    st.one_of(st.none(), st.sampled_from([0.1, 0.5])),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(rows, min_size=1, max_size=25, unique_by=lambda r: (r[0], r[1])),
       st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d", "z"]), st.integers(-2, 45)),
                min_size=1, max_size=12),
       st.sampled_from(["missing", "first"]))
def test_states_on_matches_a_per_deal_loop(raw, queries, before):
    base = T("2026-01-01")
    history = frame([(d, base + pd.Timedelta(hours=h), a,
                      None if c is None else base + pd.Timedelta(days=c), s, f, p)
                     for d, h, a, c, s, f, p in raw])
    ids = pd.Series([q[0] for q in queries])
    days = pd.DatetimeIndex([base + pd.Timedelta(days=q[1]) for q in queries])
    got = states_on(history, ids, days, before=before)
    for i, (deal, day) in enumerate(zip(ids, days, strict=True)):
        want = reference(history, deal, day, before)
        assert got.at[i, "recorded"] == want["recorded"]
        for f in FIELDS:
            value = got.at[i, f]
            assert (pd.isna(value) and want[f] is None) or value == want[f], (deal, day, f)
