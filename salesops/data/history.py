"""Deal history: the state each deal had on a past day, rebuilt from ``opportunity_history``.

The history has one row per change of a deal, carrying the new value of each field that
changed (unchanged fields may be empty). A deal's state at the end of day ``d`` is, field by
field, the last non-empty value among its rows with ``changed_at < d + 1 day``. Everything is
vectorised: one sort of the history, a per-field forward fill and one binary search on a packed
(deal, day) key answer any number of (deal, day) questions at once. See docs/pipeline-inspection.md.
"""

from __future__ import annotations

import weakref
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


def _deal_codes(ids: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """A code per row in order of first appearance (a history sorted by id keeps its order),
    and the id of each code. Ids sorted (as loaded): codes from the runs of equal ids, checked
    strictly increasing from run to run; otherwise a dictionary encoding."""
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks()
    if len(ids) > 1:
        new = np.ones(len(ids), dtype=np.int64)
        new[1:] = pc.not_equal(ids[1:], ids[:-1]).fill_null(True).to_numpy(zero_copy_only=False)
        heads = ids.filter(pa.array(new.astype(bool)))
        if len(heads) < 2 or pc.all(pc.greater(heads[1:], heads[:-1])).as_py():
            return np.cumsum(new) - 1, heads
    encoded = pc.dictionary_encode(ids)
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), encoded.dictionary


class _Prepared:
    """The history sorted once by (deal code, changed_at), with per-field arrays computed on
    first use. Kept for the last few histories seen, so the analyses of one report share one
    sort (they never modify a history in place)."""

    def __init__(self, history: pd.DataFrame) -> None:
        code, deals = _deal_codes(pa.array(history["opportunity_id"]).cast(pa.large_string()))
        t = history["changed_at"].to_numpy("datetime64[ns]").view(np.int64)
        frame = history
        if len(code) > 1:
            dc = np.diff(code)
            if not ((dc > 0) | ((dc == 0) & (np.diff(t) >= 0))).all():
                order = np.lexsort((t, code))
                code, t, frame = code[order], t[order], history.iloc[order]
        self.frame = frame.reset_index(drop=True)
        self.code, self.t, self.deals = code, t, deals
        self.day = t // _DAY
        # (code, day) packed in one non-decreasing key
        self.d0 = int(self.day.min()) if len(t) else 0
        self.span = (int(self.day.max()) - self.d0 + 2) if len(t) else 2
        self.key = code * self.span + (self.day - self.d0 + 1)
        self._fields: dict[str, tuple] = {}

    def codes_of(self, ids: pd.Series) -> np.ndarray:
        """The code of each id (-1: no history)."""
        found = pc.index_in(pa.array(ids.astype("string")).cast(pa.large_string()),
                            value_set=self.deals)
        return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)

    def field(self, f: str) -> tuple:
        """(values, last, first): the field's values (numpy, or codes and labels for text),
        each row's last non-empty row of its deal at or before it (-1: none), and each deal
        code's first non-empty row (-1: none)."""
        if f not in self._fields:
            col = self.frame[f]
            valid = col.notna().to_numpy(bool)
            n = len(valid)
            last = np.maximum.accumulate(np.where(valid, np.arange(n), -1))
            last = np.where((last >= 0) & (self.code[np.maximum(last, 0)] == self.code), last, -1)
            rows = np.flatnonzero(valid)
            vc = self.code[rows]
            head = np.r_[True, vc[1:] != vc[:-1]] if len(vc) else np.zeros(0, bool)
            first = np.full(len(self.deals), -1, dtype=np.int64)
            first[vc[head]] = rows[head]
            if _DTYPES[f] == "string":
                encoded = pc.dictionary_encode(pa.array(col.astype("string")))
                if isinstance(encoded, pa.ChunkedArray):
                    encoded = encoded.combine_chunks()
                values = _Text(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
                               .astype(np.int32), encoded.dictionary)
            else:
                kind = _DTYPES[f]
                values = col.to_numpy(kind, na_value=np.datetime64("NaT") if kind.startswith(
                    "datetime") else np.nan)
            self._fields[f] = (values, last, first)
        return self._fields[f]


@dataclass(frozen=True)
class _Text:
    """A text column as integer codes (-1: empty) into ``labels``."""

    codes: np.ndarray
    labels: pa.Array


_CACHE: list[tuple[weakref.ref, _Prepared]] = []
_CACHE_SIZE = 2


def _prepared(history: pd.DataFrame) -> _Prepared:
    """The prepared form of ``history``, from the cache when it is the same frame."""
    for ref, prepared in _CACHE:
        if ref() is history and len(prepared.code) == len(history):
            return prepared
    prepared = _Prepared(history)
    _CACHE[:] = [(weakref.ref(history, _forget), prepared), *_CACHE[:_CACHE_SIZE - 1]]
    return prepared


def _forget(ref: weakref.ref) -> None:
    """Drop a history's prepared form once the history itself is gone."""
    _CACHE[:] = [entry for entry in _CACHE if entry[0] is not ref]


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
    h = _prepared(history)
    q_code = h.codes_of(ids)
    # the last key <= the query's is the deal's last row by the end of that day, valid if it
    # belongs to the same deal
    q_key = q_code * h.span + np.clip(q_day - h.d0 + 1, 0, h.span - 1)
    pos = np.searchsorted(h.key, q_key, "right") - 1
    pick = np.maximum(pos, 0)
    found = (q_code >= 0) & (pos >= 0) & (h.code[pick] == q_code)
    out = {}
    for f in fields:
        values, last, first = h.field(f)
        src = np.where(found, last[pick], -1)
        if before == "first":
            src = np.where((src < 0) & (q_code >= 0), first[np.maximum(q_code, 0)], src)
        out[f] = _take(values, src, _DTYPES[f])
    frame = pd.DataFrame(out)
    frame["recorded"] = found
    return frame


def _take(values: np.ndarray | _Text, src: np.ndarray, dtype: str) -> pd.Series:
    """``values[src]`` (missing where src is -1), in the canonical dtype."""
    hit = src >= 0
    if dtype == "string":
        codes = values.codes[np.where(hit, src, 0)]
        taken = pa.DictionaryArray.from_arrays(pa.array(codes, mask=~hit | (codes < 0)),
                                               values.labels)
        return pd.Series(pd.array(taken.cast(pa.large_string()), dtype="string"))
    taken = values[np.where(hit, src, 0)]
    taken[~hit] = np.datetime64("NaT") if dtype.startswith("datetime") else np.nan
    return pd.Series(taken)


def timeline(history: pd.DataFrame, fields: Sequence[str] = FIELDS) -> pd.DataFrame:
    """The history as a sequence of states: rows sorted by (deal, changed_at), each field
    forward-filled within the deal (its state after the change), ``until`` the deal's next
    change (NaT after its last) and ``deal`` an integer code per deal (rows of a deal adjacent)."""
    h = _prepared(history)
    changed = h.t.view("datetime64[ns]")
    out = {"opportunity_id": h.frame["opportunity_id"], "deal": h.code, "changed_at": changed}
    same_next = np.append(h.code[1:] == h.code[:-1], False)[:len(h.code)]
    until = np.append(changed[1:], np.datetime64("NaT", "ns"))[:len(h.code)]
    out["until"] = np.where(same_next, until, np.datetime64("NaT"))
    for f in fields:
        values, last, _ = h.field(f)
        out[f] = _take(values, last, _DTYPES[f])
    return pd.DataFrame(out)


def stage_history_from(history: pd.DataFrame) -> pd.DataFrame:
    """Canonical stage_history from an opportunity history: one row per change of stage (a value
    differing from the deal's previous non-empty stage), entered on the day of the change."""
    columns = ["opportunity_id", "stage", "entered_date"]
    if history is None or history.empty:
        return pd.DataFrame({"opportunity_id": pd.Series(dtype="string"),
                             "stage": pd.Series(dtype="string"),
                             "entered_date": pd.Series(dtype="datetime64[ns]")})
    h = _prepared(history)
    values, _, _ = h.field("stage")
    rows = np.flatnonzero(h.frame["stage"].notna().to_numpy(bool))
    code = h.code[rows]
    stage = values.codes[rows]
    changed = np.ones(len(code), dtype=bool)
    changed[1:] = (code[1:] != code[:-1]) | (stage[1:] != stage[:-1])
    picked = h.frame.iloc[rows[changed]]
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
    h = _prepared(history)
    values, _, _ = h.field("close_date")
    rows = ~np.isnat(values)
    code = h.code[rows]
    close = values[rows]
    if calendar is not None:
        close = calendar.period_start(pd.Series(close), "quarter").to_numpy("datetime64[ns]")
    later = np.zeros(len(code), dtype=bool)
    later[1:] = (code[1:] == code[:-1]) & (close[1:] > close[:-1])
    counts = np.bincount(code[later], minlength=len(h.deals))
    return pd.Series(counts.astype(np.int64), name="pushes",
                     index=pd.Index(pd.array(h.deals, dtype="string"), name="opportunity_id"))
