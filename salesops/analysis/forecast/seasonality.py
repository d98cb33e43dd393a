"""Seasonality of one series: whether it repeats every ``m`` periods, and its seasonal indices.

A series is seasonal when its period-on-period changes differ by position in the season (an
F-test at 5%, ``is_seasonal``), chosen on the benchmark sets (docs/forecasting.md). The M3/M4
benchmarks' test of the lag-``m`` autocorrelation (``acf_seasonal``) cannot see a yearly pattern
in three years of monthly data: with 36 values the lag-12 autocorrelation is at most 24/36 and
the pattern's own autocorrelations at lags 1-11 widen its limit beyond that. It still decides
the seasonal forms of automatic ETS and the shorter sub-seasonal patterns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.tsa.stattools import acf

#: Significance level of the F-test (false-positive rate measured in docs/forecasting.md).
F_TEST_ALPHA = 0.05


@dataclass(frozen=True)
class Seasonality:
    """Seasonal indices of a series: ``indices[i]`` applies to positions t with t % period == i."""

    period: int
    kind: str  # "none", "multiplicative" or "additive"
    indices: np.ndarray

    def _tile(self, start: int, n: int) -> np.ndarray:
        return self.indices[(start + np.arange(n)) % self.period]

    def adjust(self, y: np.ndarray) -> np.ndarray:
        """The seasonally adjusted series."""
        s = self._tile(0, len(y))
        return y / s if self.kind == "multiplicative" else y - s

    def restore(self, values: np.ndarray, start: int) -> np.ndarray:
        """Put the seasonality back on adjusted values that begin at position ``start``."""
        s = self._tile(start, len(values))
        return values * s if self.kind == "multiplicative" else values + s


def _flat(y: np.ndarray) -> bool:
    return bool(np.ptp(y) <= 1e-9 * np.max(np.abs(y)))


def acf_seasonal(y: np.ndarray, m: int) -> bool:
    """90% test of the lag-``m`` autocorrelation (Theta / M4 benchmark rule); needs 2 full years."""
    if m <= 1 or len(y) < 2 * m or _flat(y):
        return False
    r = acf(y, nlags=m, fft=False)[1:]
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(r[: m - 1] ** 2)) / len(y))
    return bool(abs(r[m - 1]) > limit)


def is_seasonal(y: np.ndarray, m: int, alpha: float = F_TEST_ALPHA) -> bool:
    """Whether the series repeats every ``m`` periods: F-test at level ``alpha`` that its
    period-on-period changes (of the logs when it is positive) differ by position in the
    season (one-way analysis of variance; a change sits at the position of its later value);
    needs 2 full seasons."""
    if m <= 1 or len(y) < 2 * m or _flat(y):
        return False
    d = np.diff(np.log(y) if np.all(y > 0) else y)
    positions = np.arange(1, len(y)) % m
    total = float(((d - d.mean()) ** 2).sum())
    within = sum(float(((d[positions == i] - d[positions == i].mean()) ** 2).sum())
                 for i in range(m))
    if within <= 0:
        return total > 0
    f = ((total - within) / (m - 1)) / (within / (len(d) - m))
    return bool(stats.f.sf(f, m - 1, len(d) - m) < alpha)


def seasonality(y: np.ndarray, m: int, also: Sequence[int] = ()) -> Seasonality:
    """Classical-decomposition seasonal indices if the series tests seasonal at ``m``; else at
    the first of the shorter periods ``also`` at which its detrended values test seasonal;
    else none.

    ``also`` lets monthly bookings use their quarter-end pattern (period 3) when the yearly
    test does not find a pattern (docs/forecasting.md). Those shorter lags are tested with the
    autocorrelation after removing the trend: a trending series is autocorrelated at every
    short lag.
    """
    if is_seasonal(y, m):
        return classical_indices(y, m)
    for period in also:
        _, detrended = _detrend(y, period)
        if detrended.size and acf_seasonal(detrended, period):
            return classical_indices(y, period)
    return no_seasonality(m)


def no_seasonality(m: int) -> Seasonality:
    """The seasonality of a series without a pattern (adjusting and restoring change nothing)."""
    return Seasonality(max(m, 1), "none", np.zeros(max(m, 1)))


def _detrend(y: np.ndarray, m: int) -> tuple[int, np.ndarray]:
    """(offset, y over its centred moving average, or minus it when y is not all positive)."""
    weights = np.r_[0.5, np.ones(m - 1), 0.5] / m if m % 2 == 0 else np.ones(m) / m
    if len(y) < len(weights):
        return 0, y[:0]
    trend = np.convolve(y, weights, mode="valid")
    offset = (len(weights) - 1) // 2
    part = y[offset: offset + len(trend)]
    return offset, part / trend if np.all(y > 0) else part - trend


def classical_indices(y: np.ndarray, m: int) -> Seasonality:
    """Classical decomposition: mean detrended value per position in the season, normalised
    (multiplicative for a positive series, else additive); needs ``m`` + 1 values."""
    offset, detrended = _detrend(y, m)
    positions = (offset + np.arange(len(detrended))) % m
    idx = np.array([detrended[positions == i].mean() for i in range(m)])
    if np.all(y > 0):
        return Seasonality(m, "multiplicative", idx / idx.mean())
    return Seasonality(m, "additive", idx - idx.mean())
