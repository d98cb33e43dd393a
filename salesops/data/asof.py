"""As-of snapshots: the opportunities table and the roster as they were known on a past date.

Rebuilt from ``stage_history``: deals created after the date do not exist yet, deals closed
after it are still open, and each open deal sits in the last stage it had entered by then.
With an ``opportunity_history`` the deals open then also take the amount, expected close date,
stage, forecast category and probability they had then (``past_states``); without one, amounts
and close dates are today's values. Reps hired
after the date do not exist yet and terminations after it are unknown (``roster_as_of``); the
roster keeps no history of moves between regions, managers or teams.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salesops.data.history import FIELDS, states_on
from salesops.data.stages import StageCatalogue


def open_stages_on(history: pd.DataFrame, catalogue: StageCatalogue, ids: pd.Series,
                   deal: np.ndarray, dates: pd.DatetimeIndex) -> np.ndarray:
    """Stage of deal ``ids[deal[i]]`` on ``dates[i]``, for many pairs at once: the last stage
    entered by then (same-day ties: the later catalogue stage), or the first open stage if it
    has none yet or it was already a closed stage (the deal was open then, so that stage is
    not its state on that date). Vectorised: one sort of the history for all pairs."""
    deals = pd.Index(ids.unique())
    h_code = deals.get_indexer(history["opportunity_id"])
    h = history.loc[h_code >= 0]
    h_code = h_code[h_code >= 0]
    if h.empty:
        return np.full(len(deal), catalogue.open_stages[0], dtype=object)
    entered = h["entered_date"].to_numpy("datetime64[ns]").view(np.int64)
    codes, names = pd.factorize(h["stage"])  # catalogue look-ups once per distinct stage
    names = pd.Series(names.to_numpy(object))
    rank = np.r_[catalogue.order_of(names).fillna(-1).to_numpy(float), -1.0][codes]
    order = np.lexsort((rank, entered, h_code))
    h_code, entered, codes = h_code[order], entered[order], codes[order]
    stage = np.r_[names.to_numpy(object), None][codes]
    is_open = np.r_[(catalogue.status_of(names) == "open").fillna(False).to_numpy(bool), False][codes]
    q_code = deals.get_indexer(ids)[deal]
    q_day = dates.to_numpy("datetime64[ns]").view(np.int64)
    # (deal code, date rank) packed in one sorted integer key; the last key <= the query's
    # is the latest entry by that date, valid if it belongs to the same deal
    days = np.unique(np.r_[entered, q_day])
    h_key = h_code * len(days) + np.searchsorted(days, entered)
    pos = np.searchsorted(h_key, q_code * len(days) + np.searchsorted(days, q_day), "right") - 1
    pick = np.maximum(pos, 0)
    found = (pos >= 0) & (h_code[pick] == q_code)
    return np.where(found & is_open[pick], stage[pick], catalogue.open_stages[0])


def past_states(history: pd.DataFrame, catalogue: StageCatalogue, ids: pd.Series,
                dates: pd.Timestamp | pd.DatetimeIndex,
                fields: tuple[str, ...] = FIELDS) -> pd.DataFrame:
    """``states_on(history, ids, dates, fields, before="first")`` for deals open on their date:
    a closed stage is not an open deal's state, so it becomes the first open stage (as in
    ``open_stages_on``); a 'closed' forecast category is missing (NA), like a field the history
    never records, where the caller keeps its own value."""
    mine = history.loc[positions(history["opportunity_id"], pd.Series(ids).unique()) >= 0]
    then = states_on(mine, ids, dates, fields=fields, before="first")  # a smaller sort: faster
    if "stage" in fields:
        closed = catalogue.status_of(then["stage"]).isin(["won", "lost"]).to_numpy(bool)
        then.loc[closed, "stage"] = catalogue.open_stages[0]
    if "forecast_category" in fields:
        closed = then["forecast_category"].eq("closed").fillna(False).to_numpy(bool)
        then.loc[closed, "forecast_category"] = pd.NA
    return then


def snapshot(
    opportunities: pd.DataFrame,
    stage_history: pd.DataFrame,
    catalogue: StageCatalogue,
    as_of: pd.Timestamp,
    history: pd.DataFrame | None = None,
    current: bool = False,
) -> pd.DataFrame:
    """Opportunities as known at the end of ``as_of``: existence, stage, status, probability.

    Deals closed on or before ``as_of`` keep their final status. Deals closed later are open,
    in their last stage entered by ``as_of`` (the first open stage if history has none), with
    the catalogue's default probability and an unknown forecast category. With a non-empty
    ``history`` (opportunity_history) every deal open then takes the values it had then
    (``past_states``); a value the history lacks stays as above. ``current``: the history is
    whole and ``opportunities`` is the state at its end (a dataset, or a view with its own
    history), so a field of a still-open deal that the history does not change after ``as_of``
    keeps its value: faster, and a history lagging the export cannot overwrite newer values.
    """
    return snapshots(opportunities, stage_history, catalogue, [as_of], history, current)[0]


def snapshots(
    opportunities: pd.DataFrame,
    stage_history: pd.DataFrame,
    catalogue: StageCatalogue,
    dates: Sequence[pd.Timestamp],
    history: pd.DataFrame | None = None,
    current: bool = False,
) -> list[pd.DataFrame]:
    """``snapshot`` at each of ``dates``, computed at once: one stage look-up and one history
    look-up for every (deal, date) pair (the pipeline at many past dates, e.g. in coverage).
    Only the columns ``opportunities`` has are rebuilt: without stage and probability columns
    no stage is looked up (coverage needs amounts, close dates and status only)."""
    dates = [pd.Timestamp(d) for d in dates]
    if not dates:
        return []
    created = opportunities["created_date"]
    parts = [opportunities.loc[created <= d] for d in dates]
    sizes = [len(p) for p in parts]
    known = pd.concat(parts, ignore_index=True)
    on = np.repeat(np.array([d.to_datetime64() for d in dates], dtype="datetime64[ns]"), sizes)
    closed_later = ((known["status"] != "open").to_numpy(bool)
                    & (known["close_date"].to_numpy("datetime64[ns]") > on))
    if closed_later.any():
        known.loc[closed_later, "status"] = "open"
        if "stage" in known.columns or "probability" in known.columns:
            ids = known.loc[closed_later, "opportunity_id"]
            past_stage = pd.Series(open_stages_on(
                stage_history, catalogue, ids, np.arange(len(ids)),
                pd.DatetimeIndex(on[closed_later])), index=ids.index)
            if "stage" in known.columns:
                known.loc[closed_later, "stage"] = past_stage.astype(known["stage"].dtype)
            if "probability" in known.columns:
                known.loc[closed_later, "probability"] = catalogue.probability_of(past_stage)
        if "forecast_category" in known.columns:
            known.loc[closed_later, "forecast_category"] = pd.NA
    if history is not None and len(history) and (known["status"] == "open").any():
        _rewind(known, history, catalogue, on, closed_later, current)
    if len(dates) == 1:
        return [known]
    bounds = np.cumsum([0, *sizes])
    return [known.iloc[a:b].reset_index(drop=True) for a, b in zip(bounds[:-1], bounds[1:],
                                                                  strict=True)]


def _rewind(known: pd.DataFrame, history: pd.DataFrame, catalogue: StageCatalogue,
            on: np.ndarray, closed_later: np.ndarray, current: bool = False) -> None:
    """In place: each row of ``known`` open at the end of its date ``on`` takes the history's
    values then; a reopened deal (``closed_later``) without a recorded probability takes its
    stage's default. ``current`` (see ``snapshot``): a still-open deal's field unchanged after
    its date keeps its value, and deals with no change after it are not looked up at all."""
    is_open = (known["status"] == "open").to_numpy(bool)
    fields = tuple(f for f in FIELDS if f in known.columns)
    later = None
    if current:
        later = _changed_later(history, known["opportunity_id"], on, fields)
        is_open = is_open & (closed_later | np.logical_or.reduce([later[f] for f in fields]))
    rows = np.flatnonzero(is_open)
    if not len(rows):
        return
    then = past_states(history, catalogue, known["opportunity_id"].iloc[rows],
                       pd.DatetimeIndex(on[rows]), fields)
    if later is not None:
        keep = ~closed_later[rows]
        for f in fields:
            then[f] = then[f].where(~keep | later[f][rows])
    if "probability" in fields and "stage" in fields:
        reopened = closed_later[rows] & then["probability"].isna().to_numpy()
        default = catalogue.probability_of(then["stage"].astype(object))
        then["probability"] = then["probability"].where(~reopened, default)
    for f in fields:
        known[f] = _overlay(known[f], rows, then[f])


def _changed_later(history: pd.DataFrame, ids: pd.Series, on: np.ndarray,
                   fields: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Per field: whether deal ``ids[i]``'s history changes that field after the end of day
    ``on[i]``; only the rows after the earliest day are read (none at all for today's view)."""
    end_of_day = on.astype("datetime64[ns]") + np.timedelta64(1, "D")
    after = history.loc[history["changed_at"].to_numpy("datetime64[ns]") >= end_of_day.min()]
    out = {}
    for f in fields:
        last = after.loc[after[f].notna()].groupby("opportunity_id", observed=True)[
            "changed_at"].max()
        pos = positions(ids, pd.Series(last.index))
        when = last.to_numpy("datetime64[ns]")[np.maximum(pos, 0)] if len(last) else end_of_day
        out[f] = (pos >= 0) & (when >= end_of_day)
    return out


def _overlay(column: pd.Series, rows: np.ndarray, values: pd.Series) -> pd.Series:
    """``column`` with the non-missing ``values`` written at positions ``rows`` (one take over
    both, fast for Arrow strings too)."""
    hit = values.notna().to_numpy(bool)
    take = np.arange(len(column))
    take[rows[hit]] = len(column) + np.flatnonzero(hit)
    both = pd.concat([column, values.astype(column.dtype)], ignore_index=True)
    return pd.Series(both.array.take(take), index=column.index, name=column.name)


def roster_as_of(reps: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Reps hired on or before ``as_of`` (an unknown hire date counts as before); terminations
    after ``as_of`` are not known yet."""
    known = reps.loc[reps["hire_date"].isna() | (reps["hire_date"] <= as_of)].copy()
    known["termination_date"] = known["termination_date"].where(
        known["termination_date"] <= as_of
    )
    return known.reset_index(drop=True)


def employed_during(reps: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Mask of reps employed on at least one day of [start, end]."""
    left = reps["termination_date"].isna() | (reps["termination_date"] >= start)
    return (reps["hire_date"].isna() | (reps["hire_date"] <= end)) & left


def tenure_months(hire_date: pd.Series, on: pd.Timestamp) -> pd.Series:
    """Completed months between hire and ``on`` (0 during the first month; NaN: hire unknown)."""
    months = (on.year - hire_date.dt.year) * 12 + (on.month - hire_date.dt.month)
    return (months - (on.day < hire_date.dt.day).astype(int)).clip(lower=0)


def positions(values: pd.Series, keys: pd.Series) -> np.ndarray:
    """Position of each of ``values`` in ``keys`` (-1 where absent); Arrow hash join, fast on
    millions of string ids."""
    as_text = pa.large_string()
    found = pc.index_in(pa.array(values).cast(as_text), value_set=pa.array(keys).cast(as_text))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
