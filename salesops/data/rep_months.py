"""Rep-months: one row per rep and complete month employed, with that month's won bookings.

The shared base of capacity and quota planning. A deal books in the month of its
``close_date``; months run from the one holding the first closed deal (the deals cover nothing
before it) to the last month that ended on or before ``as_of``. The roster is as known on
``as_of`` (``roster_as_of``): an unknown hire date counts as employed from the first month, with
unknown tenure (NaN, never 0). Tenure month 1 is the month of hire.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.data.asof import positions, roster_as_of
from salesops.data.periods import FiscalCalendar

#: Roster columns carried onto each rep-month when the roster has them.
ROSTER_COLUMNS = ("name", "region", "team", "manager")
REP_MONTH_COLUMNS = ("rep_id", "month", "bookings", "won_deals", "employed_days", "full",
                     "tenure_month", *ROSTER_COLUMNS)


def month_index(dates: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Months since year 0 (month arithmetic: tenure, months between dates); NaT gives NaN."""
    dates = pd.DatetimeIndex(dates)
    index = dates.year.to_numpy(float) * 12 + dates.month.to_numpy(float) - 1
    return np.where(dates.isna(), np.nan, index)


def covered_months(deals: pd.DataFrame, as_of: pd.Timestamp,
                   calendar: FiscalCalendar | None = None) -> pd.DatetimeIndex:
    """First days of the complete months the deals cover up to ``as_of``: from the month of the
    first closed deal to the last month ending on or before ``as_of`` (empty if none)."""
    calendar = calendar or FiscalCalendar()
    closed = deals.loc[(deals["status"] != "open") & (deals["close_date"] <= as_of), "close_date"]
    if closed.empty:
        return pd.DatetimeIndex([])
    months = calendar.periods_between(closed.min(), as_of, "month")
    return pd.DatetimeIndex([p.start for p in months if p.end <= as_of])


def rep_months(reps: pd.DataFrame, deals: pd.DataFrame, as_of: pd.Timestamp,
               calendar: FiscalCalendar | None = None) -> pd.DataFrame:
    """Rep x complete month employed (at least one day), oldest month first per rep.

    Columns ``REP_MONTH_COLUMNS`` (roster columns only when ``reps`` has them): bookings (won
    amount closed that month), won_deals, employed_days, full (employed every day of the month),
    tenure_month (1 = hire month; NaN: hire date unknown). Deals of reps not on the roster, or
    closed in a month the rep was employed on no day of, are not counted.
    """
    as_of = pd.Timestamp(as_of)
    missing = [c for c in ("rep_id", "amount", "close_date", "status") if c not in deals.columns]
    if missing:
        raise ValueError(f"rep_months: the opportunities table has no {', '.join(missing)} column")
    reps = _with_dates(reps)
    for table, frame, column in (("opportunities", deals, "close_date"),
                                 ("reps", reps, "hire_date"), ("reps", reps, "termination_date")):
        if not pd.api.types.is_datetime64_any_dtype(frame[column]):
            raise ValueError(f"rep_months: {table}.{column} must hold dates, got "
                             f"{frame[column].dtype} (load the tables through salesops ingest)")
    months = covered_months(deals, as_of, calendar)
    roster = roster_as_of(reps, as_of)
    shown = [c for c in ROSTER_COLUMNS if c in roster.columns]
    if roster.empty or months.empty:
        return _empty(shown)
    starts = months.to_numpy("datetime64[ns]")
    ends = (months + pd.offsets.MonthEnd(0)).to_numpy("datetime64[ns]")
    hire = roster["hire_date"].to_numpy("datetime64[ns]")[:, None]
    term = roster["termination_date"].to_numpy("datetime64[ns]")[:, None]
    first = np.where(np.isnat(hire), starts[None, :], np.maximum(hire, starts[None, :]))
    last = np.where(np.isnat(term), ends[None, :], np.minimum(term, ends[None, :]))
    days = ((last - first) / np.timedelta64(1, "D")).astype(np.int64) + 1
    length = ((ends - starts) / np.timedelta64(1, "D")).astype(np.int64) + 1
    rep, month = np.nonzero(days > 0)
    out = pd.DataFrame({
        "rep_id": roster["rep_id"].astype(str).to_numpy()[rep],
        "month": months[month],
        "employed_days": days[rep, month],
        "full": days[rep, month] == length[month],
        "tenure_month": (month_index(months)[month]
                         - month_index(roster["hire_date"])[rep] + 1),
    })
    booked = _bookings(deals, roster["rep_id"].astype(str), months, as_of)
    key = pd.MultiIndex.from_arrays([out["rep_id"], out["month"]])
    out.insert(2, "bookings", booked["bookings"].reindex(key, fill_value=0.0).to_numpy())
    out.insert(3, "won_deals", booked["won_deals"].reindex(key, fill_value=0).to_numpy(np.int64))
    for column in shown:
        out[column] = roster[column].to_numpy()[rep]
    return out[[c for c in REP_MONTH_COLUMNS if c in out.columns]]


def _with_dates(reps: pd.DataFrame) -> pd.DataFrame:
    """The roster with hire and termination date columns (all unknown when it has none)."""
    if "rep_id" not in reps.columns:
        raise ValueError("rep_months: the reps table has no rep_id column")
    dates = {c: pd.Series(pd.NaT, index=reps.index, dtype="datetime64[ns]")
             for c in ("hire_date", "termination_date") if c not in reps.columns}
    return reps.assign(**dates) if dates else reps


def _bookings(deals: pd.DataFrame, rep_ids: pd.Series, months: pd.DatetimeIndex,
              as_of: pd.Timestamp) -> pd.DataFrame:
    """Won amount and won deals per (rep_id, month start) over ``months``."""
    end = months[-1] + pd.offsets.MonthEnd(0)
    won = deals.loc[(deals["status"] == "won") & (deals["close_date"] >= months[0])
                    & (deals["close_date"] <= min(end, as_of)), ["rep_id", "amount", "close_date"]]
    won = won.loc[positions(won["rep_id"], rep_ids) >= 0]
    month = won["close_date"].dt.to_period("M").dt.start_time.rename("month")
    frame = pd.DataFrame({"bookings": won["amount"].astype(float).to_numpy(),
                          "won_deals": np.ones(len(won), dtype=np.int64)}, index=won.index)
    return frame.groupby([won["rep_id"].astype(str).rename("rep_id"), month]).sum()


def _empty(shown: list[str]) -> pd.DataFrame:
    columns = [c for c in REP_MONTH_COLUMNS if c not in ROSTER_COLUMNS or c in shown]
    frame = pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
    return frame.astype({"rep_id": object, "month": "datetime64[ns]", "won_deals": np.int64,
                         "employed_days": np.int64, "full": bool})
