"""Bookings time series built from opportunities: won amount per fiscal period, per dimension.

Bookings are the amounts of won deals, dated by close date. A series runs from the first
full period after the earliest recorded close (won or lost) to the last period completed
before ``as_of``; periods without a won deal are real zeros, not gaps.
"""

from __future__ import annotations

import pandas as pd

from salesops.data.periods import FiscalCalendar

SEASON_LENGTH = {"month": 12, "quarter": 4}
TOTAL = "Total"


#: Shorter patterns tried when a series is not seasonal over a year: monthly bookings peak in
#: the last month of each quarter, and two or three years are often too few for the yearly test.
SUB_SEASONS: dict[str, tuple[int, ...]] = {"month": (3,), "quarter": ()}


def season_length(freq: str) -> int:
    """Periods per year of a forecasting frequency (12 for months, 4 for quarters)."""
    if freq not in SEASON_LENGTH:
        raise ValueError(f"frequency must be one of {', '.join(SEASON_LENGTH)}, got {freq!r}")
    return SEASON_LENGTH[freq]


def attach_dimension(
    opportunities: pd.DataFrame, dimension: str, reps: pd.DataFrame | None = None,
    accounts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Opportunities with a ``dimension`` column: their own, else the rep's, else the account's.

    Region comes from the owning rep (``reps.region``) since quotas and territories are per rep.
    """
    if dimension in opportunities.columns:
        return opportunities
    for table, key in ((reps, "rep_id"), (accounts, "account_id")):
        if table is not None and dimension in table.columns and dimension != key:
            lookup = table.set_index(key)[dimension]
            values = opportunities[key].map(lookup).fillna("(unassigned)")
            return opportunities.assign(**{dimension: values})
    raise ValueError(
        f"unknown dimension {dimension!r}: not a column of opportunities, reps or accounts"
    )


def parse_scope(scope: str | None) -> tuple[str, str] | None:
    """'region=EMEA' -> ('region', 'EMEA'); None or '' -> None."""
    if scope is None or not str(scope).strip():
        return None
    column, sep, value = str(scope).partition("=")
    if not sep or not column.strip() or not value.strip():
        raise ValueError(f"scope must look like 'region=EMEA', got {scope!r}")
    return column.strip(), value.strip()


def apply_scope(
    opportunities: pd.DataFrame, scope: str | None, reps: pd.DataFrame | None = None,
    accounts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Only the opportunities inside ``scope`` (e.g. 'region=EMEA'); all of them for None."""
    parsed = parse_scope(scope)
    if parsed is None:
        return opportunities
    column, value = parsed
    tagged = attach_dimension(opportunities, column, reps, accounts)
    known = sorted(tagged[column].dropna().astype(str).unique())
    if value not in known:
        raise ValueError(f"scope {scope!r} matches nothing (known {column}: {', '.join(known)})")
    return opportunities.loc[(tagged[column] == value).to_numpy()]


def history_range(
    opportunities: pd.DataFrame, calendar: FiscalCalendar, freq: str, as_of: pd.Timestamp
) -> pd.DatetimeIndex:
    """Starts of the periods with complete history: first full period from the earliest close
    of a closed deal, to the last period that ended before ``as_of``."""
    current = calendar.period(as_of, freq)
    last = calendar.previous(current).start
    closed = opportunities.loc[opportunities["status"] != "open", "close_date"]
    first_date = closed.loc[closed <= as_of].min()
    if pd.isna(first_date):
        return pd.DatetimeIndex([])
    first = calendar.period(first_date, freq)
    if first.start < first_date:
        first = calendar.shift(first, 1)
    periods = calendar.periods_between(first.start, last, freq) if first.start <= last else []
    return pd.DatetimeIndex([p.start for p in periods])


def bookings_by_period(
    opportunities: pd.DataFrame, calendar: FiscalCalendar, freq: str, as_of: pd.Timestamp,
    dimension: str | None = None,
) -> pd.DataFrame:
    """Won amount per complete period (rows, by period start) and dimension value (columns).

    Without a dimension the single column is ``TOTAL``. Missing periods are zeros.
    """
    season_length(freq)
    index = history_range(opportunities, calendar, freq, as_of)
    won = opportunities.loc[opportunities["status"] == "won"]
    won = won.assign(period_start=calendar.period_start(won["close_date"], freq))
    won = won.loc[won["period_start"].isin(index)]
    key = won[dimension].astype(str) if dimension else pd.Series(TOTAL, index=won.index)
    table = won.groupby([won["period_start"], key])["amount"].sum().unstack(fill_value=0.0)
    if dimension:
        members = sorted(opportunities[dimension].dropna().astype(str).unique())
    else:
        members = [TOTAL]
    table = table.reindex(index=index, columns=members, fill_value=0.0).astype(float)
    table.index.name = "period_start"
    table.columns.name = dimension or None
    return table
