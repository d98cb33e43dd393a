"""The full set of performance review metrics in one call (the notebook and the benchmark use it)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from salesops.analysis.performance.leaderboard import (
    AttainmentDistribution,
    attainment_distribution,
    leaderboard,
)
from salesops.analysis.performance.rollups import performance_table
from salesops.analysis.performance.scope import SCOPE_LEVELS, ReviewData, prepare, to_date
from salesops.data.periods import FREQS, Period, elapsed_fraction, parse_date
from salesops.data.store import Dataset

COMPARE_TO = ("previous", "last_year")


@dataclass(frozen=True)
class ReviewPeriods:
    """The reviewed period, the periods it is compared with, and the next one.

    Comparisons count deals over the same number of days (``days``) as have elapsed in the
    current period on ``as_of``, against their full quota.
    """

    current: Period
    previous: Period
    last_year: Period
    next: Period
    days: int
    elapsed: float

    @classmethod
    def build(cls, data: ReviewData, freq: str) -> ReviewPeriods:
        if freq not in FREQS:
            raise ValueError(f"period must be one of {', '.join(FREQS)}, got {freq!r}")
        cal = data.calendar
        current = cal.period(data.as_of, freq)
        return cls(
            current=current,
            previous=cal.previous(current),
            last_year=cal.same_period_last_year(current),
            next=cal.shift(current, 1),
            days=(min(current.end, data.as_of) - current.start).days + 1,
            elapsed=elapsed_fraction(current, data.as_of),
        )


@dataclass
class PerformanceReview:
    """Every table and figure of the performance review, computed as of ``data.as_of``."""

    data: ReviewData
    periods: ReviewPeriods
    headline: pd.DataFrame  # one row per compared period: current, previous, last_year
    reps: pd.DataFrame  # leaderboard: rep performance table with rank, quartile, at_quota
    distribution: AttainmentDistribution
    rollups: dict[str, pd.DataFrame]


def headline(data: ReviewData, periods: ReviewPeriods) -> pd.DataFrame:
    """Scope totals for the current period and its comparisons (same elapsed days)."""
    frames = []
    for name in ("current", *COMPARE_TO):
        period = getattr(periods, name)
        nxt = periods.next if name == "current" else None
        frames.append(performance_table(data, period, None, nxt, periods.days).assign(
            compared=name, period=period.label, through=to_date(period, periods.days).end))
    out = pd.concat(frames).set_index("compared").drop(columns="scope")
    return out


def performance_review(
    dataset: Dataset, as_of: str | pd.Timestamp | None = None, period: str = "quarter",
    scope: str | None = None, min_tenure_months: int = 3,
) -> PerformanceReview:
    """Compute the review for ``scope`` and ``period`` (month/quarter/year) as of ``as_of``."""
    data = prepare(dataset, parse_date(as_of, name="as_of"), scope)
    periods = ReviewPeriods.build(data, period)
    reps = performance_table(data, periods.current, "rep_id", periods.next, periods.days)
    board = leaderboard(reps, min_tenure_months)
    return PerformanceReview(
        data=data,
        periods=periods,
        headline=headline(data, periods),
        reps=board,
        distribution=attainment_distribution(board, periods.elapsed),
        rollups={level: performance_table(data, periods.current, level, periods.next)
                 for level in SCOPE_LEVELS},
    )
