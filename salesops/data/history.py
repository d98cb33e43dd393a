"""Deal history: the state each deal had on a past day, rebuilt from ``opportunity_history``.

The history has one row per change of a deal, carrying the new value of each field that
changed (unchanged fields may be empty). A deal's state at the end of day ``d`` is, field by
field, the last non-empty value among its rows with ``changed_at < d + 1 day``. Everything is
vectorised: one sort of the history, a per-field forward fill and one binary search on a packed
(deal, day) key answer any number of (deal, day) questions at once. See docs/pipeline-inspection.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from salesops.data.periods import FiscalCalendar
    from salesops.data.store import Dataset

#: The fields a history row may carry (the new value after the change).
FIELDS: tuple[str, ...] = ("amount", "close_date", "stage", "forecast_category", "probability")
_DTYPES = {"amount": "float64", "close_date": "datetime64[ns]", "stage": "string",
           "forecast_category": "string", "probability": "float64"}
_DAY = 86_400_000_000_000  # nanoseconds


def has_history(dataset: Dataset) -> bool:
    """Whether the dataset has a non-empty opportunity history."""
    history = getattr(dataset, "opportunity_history", None)
    return history is not None and len(history) > 0 and "opportunity_history" in dataset.present


def history_start(history: pd.DataFrame) -> pd.Timestamp | None:
    """The first day the history records (None when it is empty)."""
    if history is None or history.empty:
        return None
    return pd.Timestamp(history["changed_at"].min()).normalize()


@dataclass(frozen=True)
class _Sorted:
    """The history sorted by (deal code, changed_at), with the codes' deal ids."""

    frame: pd.DataFrame
    code: np.ndarray      # int64 deal code per row, non-decreasing
    day: np.ndarray       # int64 day number of changed_at (days since the epoch)
    deals: pa.Array       # deal id of each code

    def first_rows(self, q_code: np.ndarray) -> np.ndarray:
        """Index of each code's first row (len(frame) for codes with no row)."""
        return np.searchsorted(self.code, q_code, "left")


def _sorted(history: pd.DataFrame) -> _Sorted:
    """Deal codes in order of first appearance (a history sorted by id keeps its order), then
    one stable sort by (code, changed_at) unless the rows are in that order already."""
    encoded = pc.dictionary_encode(pa.array(history["opportunity_id"]).cast(pa.large_string()))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    code = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    t = history["changed_at"].to_numpy("datetime64[ns]").view(np.int64)
    frame = history
    if len(code) > 1:
        dc = np.diff(code)
        if not ((dc > 0) | ((dc == 0) & (np.diff(t) >= 0))).all():
            order = np.lexsort((t, code))
            code, t, frame = code[order], t[order], history.iloc[order]
    return _Sorted(frame.reset_index(drop=True), code, t // _DAY, encoded.dictionary)


def _last_valid(valid: np.ndarray) -> np.ndarray:
    """For each row, the index of the last row at or before it where ``valid`` (-1 if none)."""
    return np.maximum.accumulate(np.where(valid, np.arange(len(valid)), -1))


def _next_valid(valid: np.ndarray) -> np.ndarray:
    """For each row, the index of the first row at or after it where ``valid`` (n if none)."""
    n = len(valid)
    idx = np.where(valid, np.arange(n), n)
    return np.minimum.accumulate(idx[::-1])[::-1]


def _day_numbers(dates: pd.Timestamp | pd.DatetimeIndex, n: int) -> np.ndarray:
    """Day number (days since the epoch) of each query date, one per id."""
    if isinstance(dates, (pd.Timestamp, np.datetime64, str)) or np.ndim(dates) == 0:
        day = pd.Timestamp(dates).normalize().value // _DAY
        return np.full(n, day, dtype=np.int64)
    values = pd.DatetimeIndex(dates).normalize().to_numpy("datetime64[ns]").view(np.int64)
    if len(values) != n:
        raise ValueError(f"states_on: {len(values)} dates for {n} ids")
    return values // _DAY


def states_on(history: pd.DataFrame, ids: pd.Series | np.ndarray,
              dates: pd.Timestamp | pd.DatetimeIndex, fields: Sequence[str] = FIELDS,
              before: str = "missing") -> pd.DataFrame:
    """Row i: deal ``ids[i]``'s last non-empty value of each field known at the end of
    ``dates[i]`` (one date for all or one per id); ``before="first"`` fills a field not yet
    recorded with the deal's first recorded value. Column ``recorded``: the deal had a row by then."""
    if before not in ("missing", "first"):
        raise ValueError(f"before must be 'missing' or 'first', got {before!r}")
    unknown = [f for f in fields if f not in FIELDS]
    if unknown:
        raise ValueError(f"states_on: unknown fields {unknown}; choose from {FIELDS}")
    ids = pd.Series(ids).reset_index(drop=True)
    n = len(ids)
    q_day = _day_numbers(dates, n)
    if history is None or history.empty or n == 0:
        out = pd.DataFrame({f: pd.Series(pd.NA if _DTYPES[f] == "string" else None,
                                         index=range(n), dtype=_DTYPES[f]) for f in fields})
        out["recorded"] = np.zeros(n, dtype=bool)
        return out
    s = _sorted(history)
    q_code = pc.index_in(pa.array(ids.astype("string")).cast(pa.large_string()),
                         value_set=s.deals).fill_null(-1).to_numpy(zero_copy_only=False)
    q_code = q_code.astype(np.int64)
    # (code, day) packed in one non-decreasing key; the last key <= the query's is the deal's
    # last row by the end of that day, valid if it belongs to the same deal
    d0 = int(s.day.min())
    span = int(s.day.max()) - d0 + 2
    key = s.code * span + (s.day - d0 + 1)
    q_key = q_code * span + np.clip(q_day - d0 + 1, 0, span - 1)
    pos = np.searchsorted(key, q_key, "right") - 1
    pick = np.maximum(pos, 0)
    found = (q_code >= 0) & (pos >= 0) & (s.code[pick] == q_code)
    first = s.first_rows(np.maximum(q_code, 0)) if before == "first" else None
    out = {}
    for f in fields:
        col = s.frame[f]
        valid = col.notna().to_numpy(bool)
        last = _last_valid(valid)[pick]
        ok = found & (last >= 0) & (s.code[np.maximum(last, 0)] == q_code)
        src = np.where(ok, last, -1)
        if first is not None:
            nxt = _next_valid(valid)[np.minimum(first, len(valid) - 1)]
            has_first = (q_code >= 0) & (nxt < len(valid)) & (s.code[np.minimum(nxt, len(valid) - 1)]
                                                              == q_code)
            src = np.where(ok, src, np.where(has_first, nxt, -1))
        out[f] = _take(col, src, _DTYPES[f])
    frame = pd.DataFrame(out)
    frame["recorded"] = found
    return frame


def _take(col: pd.Series, src: np.ndarray, dtype: str) -> pd.Series:
    """``col[src]`` (missing where src is -1), in the canonical dtype."""
    hit = src >= 0
    if dtype == "string":
        values = pa.array(col.astype("string")).take(pa.array(np.where(hit, src, 0)))
        values = pc.if_else(pa.array(hit), values, pa.scalar(None, values.type))
        return pd.Series(pd.array(values, dtype="string"))
    values = col.to_numpy(dtype=("datetime64[ns]" if dtype.startswith("datetime") else "float64"),
                          na_value=(np.datetime64("NaT") if dtype.startswith("datetime") else np.nan))
    taken = values[np.where(hit, src, 0)]
    taken[~hit] = np.datetime64("NaT") if dtype.startswith("datetime") else np.nan
    return pd.Series(taken).astype(dtype)


def timeline(history: pd.DataFrame, fields: Sequence[str] = FIELDS) -> pd.DataFrame:
    """The history as a sequence of states: rows sorted by (deal, changed_at), each field
    forward-filled within the deal (its state after the change), ``until`` the deal's next
    change (NaT after its last) and ``deal`` an integer code per deal (rows of a deal adjacent)."""
    s = _sorted(history)
    out = {"opportunity_id": s.frame["opportunity_id"], "deal": s.code,
           "changed_at": s.frame["changed_at"].to_numpy("datetime64[ns]")}
    same_next = np.append(s.code[1:] == s.code[:-1], False)[:len(s.code)]
    until = np.append(out["changed_at"][1:], np.datetime64("NaT", "ns"))[:len(s.code)]
    out["until"] = np.where(same_next, until, np.datetime64("NaT"))
    for f in fields:
        last = _last_valid(s.frame[f].notna().to_numpy(bool))
        src = np.where((last >= 0) & (s.code[np.maximum(last, 0)] == s.code), last, -1)
        out[f] = _take(s.frame[f], src, _DTYPES[f])
    return pd.DataFrame(out)


def stage_history_from(history: pd.DataFrame) -> pd.DataFrame:
    """Canonical stage_history from an opportunity history: one row per change of stage (a value
    differing from the deal's previous non-empty stage), entered on the day of the change."""
    columns = ["opportunity_id", "stage", "entered_date"]
    if history is None or history.empty:
        return pd.DataFrame({"opportunity_id": pd.Series(dtype="string"),
                             "stage": pd.Series(dtype="string"),
                             "entered_date": pd.Series(dtype="datetime64[ns]")})
    s = _sorted(history)
    rows = s.frame["stage"].notna().to_numpy(bool)
    code = s.code[rows]
    stage = s.frame["stage"].astype("string")[rows].reset_index(drop=True)
    changed = np.ones(len(code), dtype=bool)
    changed[1:] = (code[1:] != code[:-1]) | (stage.to_numpy(object)[1:] != stage.to_numpy(object)[:-1])
    picked = s.frame.loc[rows].reset_index(drop=True).loc[changed]
    out = pd.DataFrame({
        "opportunity_id": picked["opportunity_id"].astype("string"),
        "stage": picked["stage"].astype("string"),
        "entered_date": pd.to_datetime(picked["changed_at"]).dt.normalize().astype("datetime64[ns]"),
    })
    # the canonical key (deal, stage, day): a stage re-entered on the same day counts once
    return out.drop_duplicates(columns).reset_index(drop=True)


def pushes(history: pd.DataFrame, calendar: FiscalCalendar | None = None) -> pd.Series:
    """Per opportunity_id: how many times its close date changed to a later date than its
    previous recorded one (with ``calendar``: to a later fiscal quarter)."""
    if history is None or history.empty:
        return pd.Series(dtype="int64", name="pushes", index=pd.Index([], dtype="string",
                                                                       name="opportunity_id"))
    s = _sorted(history)
    rows = s.frame["close_date"].notna().to_numpy(bool)
    code = s.code[rows]
    close = s.frame["close_date"].to_numpy("datetime64[ns]")[rows]
    if calendar is not None:
        close = calendar.period_start(pd.Series(close), "quarter").to_numpy("datetime64[ns]")
    later = np.zeros(len(code), dtype=bool)
    later[1:] = (code[1:] == code[:-1]) & (close[1:] > close[:-1])
    counts = np.bincount(code[later], minlength=len(s.deals))
    return pd.Series(counts.astype(np.int64), name="pushes",
                     index=pd.Index(pd.array(s.deals, dtype="string"), name="opportunity_id"))
