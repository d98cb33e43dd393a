"""Bookings time series: booked amount per fiscal period, per dimension, from either source.

Bookings are the amounts of won deals dated by close date, or (bookings-only path) the
transactions dated by their date; ``booking_events`` puts both in one shape. A series runs
from the first full period after the earliest recorded event (a won or lost close, or a
transaction) to the last period complete at the end of ``as_of``; periods without a booking
are real zeros, not gaps.
"""

from __future__ import annotations

import pandas as pd

from salesops.data.periods import FiscalCalendar, Period
from salesops.data.requirements import AVAILABLE, Availability
from salesops.data.schema import TRANSACTION_DIMENSIONS
from salesops.data.store import Dataset

SEASON_LENGTH = {"month": 12, "quarter": 4}
TOTAL = "Total"
#: Fewest complete periods a time-series forecast is made from (fewer: "not enough history").
MIN_PERIODS = 4


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


def current_period(calendar: FiscalCalendar, as_of: pd.Timestamp, freq: str) -> Period:
    """The first period not complete at the end of ``as_of``: the one containing it, or the
    next one when ``as_of`` is its last day (Feb 29, Mar 31: that period is history, in full)."""
    period = calendar.period(as_of, freq)
    return calendar.shift(period, 1) if period.end <= pd.Timestamp(as_of) else period


def booking_events(opportunities: pd.DataFrame | None = None,
                   transactions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Dated events of one source, with their other columns: ``date``, ``amount`` and ``booked``.

    Opportunities: every closed deal at its close date (``booked`` if won; lost deals only mark
    where the history starts). Transactions: every row, booked. Pass exactly one source.
    """
    if (opportunities is None) == (transactions is None):
        raise ValueError("booking_events needs exactly one source: opportunities or transactions")
    if transactions is not None:
        return transactions.assign(booked=True)
    closed = opportunities.loc[opportunities["status"] != "open"]
    return closed.assign(date=closed["close_date"], booked=closed["status"] == "won")


def history_range(
    events: pd.DataFrame, calendar: FiscalCalendar, freq: str, as_of: pd.Timestamp
) -> pd.DatetimeIndex:
    """Starts of the periods with complete history: first full period from the earliest event
    (``booking_events``), to the last period complete at the end of ``as_of``."""
    last = calendar.previous(current_period(calendar, as_of, freq)).start
    first_date = events.loc[events["date"] <= as_of, "date"].min()
    if pd.isna(first_date):
        return pd.DatetimeIndex([])
    first = calendar.period(first_date, freq)
    if first.start < first_date:
        first = calendar.shift(first, 1)
    periods = calendar.periods_between(first.start, last, freq) if first.start <= last else []
    return pd.DatetimeIndex([p.start for p in periods])


def bookings_by_period(
    events: pd.DataFrame, calendar: FiscalCalendar, freq: str, as_of: pd.Timestamp,
    dimension: str | None = None,
) -> pd.DataFrame:
    """Booked amount per complete period (rows, by period start) and dimension value (columns),
    from ``booking_events`` of either source.

    Without a dimension the single column is ``TOTAL``. Periods without a booking are zeros.
    """
    season_length(freq)
    index = history_range(events, calendar, freq, as_of)
    won = events.loc[events["booked"].astype(bool)]
    won = won.assign(period_start=calendar.period_start(won["date"], freq))
    won = won.loc[won["period_start"].isin(index)]
    key = won[dimension].astype(str) if dimension else pd.Series(TOTAL, index=won.index)
    table = won.groupby([won["period_start"], key])["amount"].sum().unstack(fill_value=0.0)
    members = sorted(events[dimension].dropna().astype(str).unique()) if dimension else [TOTAL]
    table = table.reindex(index=index, columns=members, fill_value=0.0).astype(float)
    table.index.name = "period_start"
    table.columns.name = dimension or None
    return table


def booked_in(events: pd.DataFrame, period: Period, as_of: pd.Timestamp) -> float:
    """Amount booked inside ``period`` by the end of ``as_of``."""
    mask = events["booked"].astype(bool) & period.contains(events["date"]) & (
        events["date"] <= as_of)
    return float(events.loc[mask, "amount"].sum())


def enough_history(periods: int, freq: str, what: str = "The time-series forecast") -> Availability:
    """Available with at least ``MIN_PERIODS`` complete periods, else the sentence saying so."""
    if periods >= MIN_PERIODS:
        return AVAILABLE
    unit = freq if periods == 1 else f"{freq}s"
    return Availability.missing(f"{what} cannot be shown: not enough history ({periods} {unit}; "
                                f"a forecast needs {MIN_PERIODS}).")


#: Columns a deal can be split by: its own, its owner's (roster) and its account's.
DEAL_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "opportunities": ("product",), "reps": ("region", "team", "manager"),
    "accounts": ("segment", "industry", "region"),
}


def bookings_only(dataset: Dataset) -> bool:
    """Whether the dataset is a transactions table without deals (the bookings-only path)."""
    return "opportunities" not in dataset.present and "transactions" in dataset.present


def dimensions(dataset: Dataset) -> list[str]:
    """The dimensions this dataset can split bookings by: columns it has, with a value."""
    sources = ({"transactions": TRANSACTION_DIMENSIONS} if bookings_only(dataset)
               else DEAL_DIMENSIONS)
    out: list[str] = []
    for table, columns in sources.items():
        frame = getattr(dataset, table)
        out += [c for c in columns if c not in out and dataset.has(table, c)
                and frame[c].notna().any()]
    return out


def dimension_availability(dataset: Dataset, dimension: str) -> Availability:
    """Available if the data can split bookings by ``dimension``, else the sentence naming the
    dimensions it can split by."""
    known = dimensions(dataset)
    if dimension in known:
        return AVAILABLE
    source = "transactions" if bookings_only(dataset) else "deals, their reps or accounts"
    others = f"available: {', '.join(known)}" if known else "it has no dimension to split by"
    return Availability.missing(f"The forecast by {dimension} cannot be shown: the {source} "
                                f"have no {dimension} values; {others}.")


def tagged(frame: pd.DataFrame, dataset: Dataset, dimension: str) -> pd.DataFrame:
    """``frame`` (deals or transactions) with a ``dimension`` column taken only from the tables
    that really hold it (``attach_dimension``)."""
    def source(table: str) -> pd.DataFrame | None:
        return getattr(dataset, table) if dataset.has(table, dimension) else None
    return attach_dimension(frame, dimension, source("reps"), source("accounts"))


#: Most members of a dimension forecast one by one; the rest are forecast together as OTHER.
MAX_MEMBERS = 12
OTHER = "Other"


def largest_members(events: pd.DataFrame, dimension: str,
                    limit: int = MAX_MEMBERS) -> tuple[pd.DataFrame, int]:
    """``events`` with the members of ``dimension`` beyond the ``limit - 1`` largest by booked
    amount relabelled ``OTHER`` (none when there are at most ``limit``), and how many were."""
    booked = events.loc[events["booked"].astype(bool)].groupby(
        events[dimension].astype(str))["amount"].sum()
    members = events[dimension].dropna().astype(str).unique()
    if len(members) <= limit:
        return events, 0
    keep = set(booked.sort_values(ascending=False, kind="stable").index[: limit - 1])
    label = events[dimension].astype(str)
    grouped = label.where(label.isin(keep) | events[dimension].isna(), OTHER)
    return events.assign(**{dimension: grouped.where(events[dimension].notna())}), \
        len(members) - len(keep)
