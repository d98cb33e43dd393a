"""Fiscal calendar and as-of logic: the one place that knows what a month, quarter or year is.

Fiscal years are named after the calendar year in which they end (a fiscal year starting in
February 2026 is FY2027 when the start month is February). With start month 1 the fiscal
year equals the calendar year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

FREQS = ("month", "quarter", "year")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def parse_date(value: str | dt.date | pd.Timestamp | None, *, name: str = "date") -> pd.Timestamp:
    """Parse an ISO date (or ``None``/"today" for today) into a normalised Timestamp."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "today")):
        return pd.Timestamp(dt.date.today())
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ValueError(f"{name} must be an ISO date like 2026-03-31, got {value!r}") from None
    if pd.isna(ts):
        raise ValueError(f"{name} must be an ISO date like 2026-03-31, got {value!r}")
    return ts.normalize().tz_localize(None) if ts.tzinfo else ts.normalize()


@dataclass(frozen=True)
class Period:
    """A fiscal period: inclusive first and last day, and a human label."""

    freq: str
    start: pd.Timestamp
    end: pd.Timestamp
    label: str

    def contains(self, dates: pd.Series) -> pd.Series:
        """Boolean mask: which dates fall inside the period (both ends inclusive)."""
        return (dates >= self.start) & (dates <= self.end)

    @property
    def days(self) -> int:
        return int((self.end - self.start).days) + 1


@dataclass(frozen=True)
class FiscalCalendar:
    """Fiscal calendar defined by the month the fiscal year starts in (1 = January)."""

    start_month: int = 1

    def __post_init__(self) -> None:
        if not 1 <= int(self.start_month) <= 12:
            raise ValueError(f"fiscal year start month must be 1-12, got {self.start_month}")

    # -- pandas frequency codes -------------------------------------------------------------
    @property
    def _year_end_month(self) -> str:
        return _MONTHS[(self.start_month - 2) % 12]

    def _pandas_freq(self, freq: str) -> str:
        if freq == "month":
            return "M"
        if freq == "quarter":
            return f"Q-{self._year_end_month}"
        if freq == "year":
            return f"Y-{self._year_end_month}"
        raise ValueError(f"period must be one of {', '.join(FREQS)}, got {freq!r}")

    # -- scalar API ---------------------------------------------------------------------------
    def fiscal_year(self, date: pd.Timestamp) -> int:
        """Fiscal year (named by the calendar year it ends in) of a date."""
        return int(pd.Timestamp(date).to_period(self._pandas_freq("year")).qyear)

    def period(self, date: str | pd.Timestamp, freq: str) -> Period:
        """The fiscal period of ``freq`` containing ``date``."""
        p = pd.Timestamp(date).to_period(self._pandas_freq(freq))
        return self._from_pandas(p, freq)

    def shift(self, period: Period, n: int) -> Period:
        """The period ``n`` steps after (negative: before) ``period``."""
        p = period.start.to_period(self._pandas_freq(period.freq)) + n
        return self._from_pandas(p, period.freq)

    def previous(self, period: Period) -> Period:
        return self.shift(period, -1)

    def same_period_last_year(self, period: Period) -> Period:
        steps = {"month": 12, "quarter": 4, "year": 1}[period.freq]
        return self.shift(period, -steps)

    def periods_between(self, start: pd.Timestamp, end: pd.Timestamp, freq: str) -> list[Period]:
        """All periods of ``freq`` overlapping [start, end], in order."""
        first = pd.Timestamp(start).to_period(self._pandas_freq(freq))
        last = pd.Timestamp(end).to_period(self._pandas_freq(freq))
        return [self._from_pandas(first + i, freq) for i in range((last - first).n + 1)]

    def last_n(self, as_of: pd.Timestamp, freq: str, n: int) -> list[Period]:
        """The ``n`` periods ending with the one containing ``as_of``, oldest first."""
        current = self.period(as_of, freq)
        return [self.shift(current, -k) for k in range(n - 1, -1, -1)]

    # -- vectorised API -------------------------------------------------------------------------
    def period_start(self, dates: pd.Series, freq: str) -> pd.Series:
        """First day of the fiscal period of ``freq`` containing each date (NaT stays NaT)."""
        periods = pd.Series(dates).dt.to_period(self._pandas_freq(freq))
        return periods.dt.start_time.dt.normalize()

    def period_label(self, dates: pd.Series, freq: str) -> pd.Series:
        """Label of the fiscal period containing each date, e.g. 'FY2026 Q3'."""
        periods = pd.Series(dates).dt.to_period(self._pandas_freq(freq))
        return periods.map(lambda p: self._label(p, freq) if not pd.isna(p) else None)

    # -- helpers ------------------------------------------------------------------------------
    def _label(self, p: pd.Period, freq: str) -> str:
        if freq == "month":
            return p.strftime("%Y-%m")
        if freq == "quarter":
            return f"FY{p.qyear} Q{p.quarter}"
        return f"FY{p.qyear}"

    def _from_pandas(self, p: pd.Period, freq: str) -> Period:
        return Period(
            freq=freq,
            start=p.start_time.normalize(),
            end=p.end_time.normalize(),
            label=self._label(p, freq),
        )


def elapsed_fraction(period: Period, as_of: pd.Timestamp) -> float:
    """Share of the period's days that have passed as of ``as_of`` (0 before it, 1 after it)."""
    if as_of < period.start:
        return 0.0
    if as_of >= period.end:
        return 1.0
    return ((as_of - period.start).days + 1) / period.days
