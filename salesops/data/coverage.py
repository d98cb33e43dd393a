"""Pipeline coverage, defined once (the performance review and the forecast both use it).

Coverage of a period is its open pipeline (known amounts) over what is still to close of its
quota. The standard it is compared against is the coverage needed at the usual conversion: of
the pipeline open at the same point of each of the last complete periods (same offset from the
period's start) and expected to close in it, the share that closed won within it; needed =
1 / that share. With an opportunity history each past pipeline is what it was then (amounts and
expected close dates as of that point, so a deal that later slipped out of the period counts in
it); without one, close dates and amounts are today's values, so a deal that slipped out of a
past period is not in that period's pipeline.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.data.asof import snapshots
from salesops.data.periods import FiscalCalendar, Period
from salesops.data.quotas import quota_for_period
from salesops.data.store import Dataset

#: The columns coverage reads: snapshots rebuild only these (no stage look-up).
_COLUMNS = ["opportunity_id", "created_date", "close_date", "status", "amount"]


@dataclass(frozen=True)
class Coverage:
    """Coverage of one period as known on a date, and the coverage needed to close the gap at
    the usual conversion (see the module docstring). Missing figures are NaN, never 0."""

    period: str
    pipeline: float
    deals: int
    unknown_amount: int
    quota: float
    booked: float
    to_close: float
    ratio: float
    conversion: float
    periods_measured: int
    needed: float
    freq: str = "quarter"
    min_history: int = 2

    @property
    def standard(self) -> str:
        """'1.6x needed at the usual conversion (61% of such pipeline closed over the last 4
        quarters)', or why the usual conversion cannot be measured."""
        if math.isnan(self.needed):
            return self.basis
        # rounded as formatting.ratio rounds (data cannot import presentation)
        return f"{self.needed:.1f}x needed at the usual conversion ({self.basis})"

    @property
    def basis(self) -> str:
        """What the need rests on: '40% of such pipeline closed over the last 4 quarters', or
        why the usual conversion cannot be measured."""
        if math.isnan(self.needed):
            return (f"the usual conversion cannot be measured: fewer than "
                    f"{_plural(self.min_history, f'past {self.freq}')}")
        return (f"{self.conversion * 100:.0f}% of such pipeline closed over the last "
                f"{self._periods}")

    @property
    def _periods(self) -> str:
        n = self.periods_measured
        return self.freq if n == 1 else f"{n} {self.freq}s"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _in_pipeline(deals: pd.DataFrame, period: Period, on: pd.Timestamp) -> pd.Series:
    """Open deals expected to close in ``period``; when ``on`` is inside it, also those whose
    expected close date has already passed (overdue deals still count for the current period)."""
    is_open = deals["status"] == "open"
    if period.start <= on <= period.end:
        return is_open & (deals["close_date"] <= period.end)
    return is_open & period.contains(deals["close_date"])


def _measured_pasts(calendar: FiscalCalendar, period: Period, as_of: pd.Timestamp, history: int,
                    first: pd.Timestamp) -> list[Period]:
    """The last ``history`` complete periods before ``period`` whose point (the same offset from
    their start as ``as_of`` from ``period``'s) is on or after the first deal: before the data
    began nothing was known yet, so such a point is not a measurement."""
    complete = (p for p in (calendar.shift(period, -k) for k in itertools.count(1))
                if p.end <= as_of)
    offset = as_of - period.start
    return [p for p in itertools.islice(complete, history)
            if not pd.isna(first) and p.start + offset >= first]


def _conversion(deals: pd.DataFrame, pasts: list[Period], thens: list[pd.DataFrame],
                offset: pd.Timedelta) -> tuple[float, float, int]:
    """(won, pipeline, periods measured) over ``pasts`` (``thens``: the deals at each one's
    point): the known-amount pipeline open then (its amounts then), and how much of it closed
    won within that period (``deals``: as known on ``as_of``)."""
    ids = pd.Index(deals["opportunity_id"])
    won = total = 0.0
    measured = 0
    for past, then in zip(pasts, thens, strict=True):
        picked = then.loc[_in_pipeline(then, past, past.start + offset) & then["amount"].notna()]
        amount = float(picked["amount"].sum())
        if amount <= 0:
            continue
        outcome = deals.iloc[ids.get_indexer(picked["opportunity_id"])]
        closed_won = ((outcome["status"] == "won") & past.contains(outcome["close_date"])).to_numpy()
        won += float(picked["amount"].to_numpy()[closed_won].sum())
        total += amount
        measured += 1
    return won, total, measured


def coverage(dataset: Dataset, period: Period, as_of: pd.Timestamp, history: int = 4,
             min_history: int = 2) -> Coverage:
    """Coverage of ``period`` as known at the end of ``as_of``, with the coverage needed at the
    conversion of the last ``history`` complete periods (NaN with fewer than ``min_history``)."""
    return coverages(dataset, [period], as_of, history, min_history)[0]


def coverages(dataset: Dataset, periods: Sequence[Period], as_of: pd.Timestamp,
              history: int = 4, min_history: int = 2) -> tuple[Coverage, ...]:
    """``coverage`` of each of ``periods``, from one batch of snapshots (``as_of`` and every
    past point at once: the fast way for several periods)."""
    as_of = pd.Timestamp(as_of)
    opps = dataset.opportunities[_COLUMNS]
    first = opps["created_date"].loc[opps["created_date"] <= as_of].min()
    pasts = [_measured_pasts(dataset.calendar, p, as_of, history, first) for p in periods]
    points = [past.start + (as_of - p.start)
              for p, measured in zip(periods, pasts, strict=True) for past in measured]
    deals, *thens = snapshots(opps, dataset.stage_history, dataset.catalogue, [as_of, *points],
                              history=dataset.opportunity_history)
    ends = np.cumsum([len(m) for m in pasts])
    return tuple(_coverage(dataset, deals, p, as_of, measured, thens[end - len(measured):end],
                           min_history)
                 for p, measured, end in zip(periods, pasts, ends, strict=True))


def _coverage(dataset: Dataset, deals: pd.DataFrame, period: Period, as_of: pd.Timestamp,
              pasts: list[Period], thens: list[pd.DataFrame], min_history: int) -> Coverage:
    """``coverage`` of ``period`` from the deals as known on ``as_of`` and at the past points."""
    open_ = deals.loc[_in_pipeline(deals, period, as_of)]
    known = open_["amount"].notna()
    pipeline = float(open_.loc[known, "amount"].sum())
    quota = float(quota_for_period(dataset.quotas, period).sum())
    quota = quota if quota > 0 else math.nan  # no quota set: missing, never $0
    won = (deals["status"] == "won") & period.contains(deals["close_date"]) & (
        deals["close_date"] <= as_of)
    booked = float(deals.loc[won, "amount"].fillna(0.0).sum())
    to_close = max(quota - booked, 0.0) if not math.isnan(quota) else math.nan
    no_known = len(open_) > 0 and not known.any()
    ratio = pipeline / to_close if to_close > 0 and not no_known else math.nan
    closed, measured_amount, measured = _conversion(deals, pasts, thens, as_of - period.start)
    conversion = closed / measured_amount if measured >= min_history else math.nan
    return Coverage(
        period=period.label, pipeline=pipeline, deals=len(open_),
        unknown_amount=int((~known).sum()), quota=quota, booked=booked, to_close=to_close,
        ratio=ratio, conversion=conversion, periods_measured=measured,
        needed=1 / conversion if conversion > 0 else math.nan,
        freq=period.freq, min_history=min_history)
