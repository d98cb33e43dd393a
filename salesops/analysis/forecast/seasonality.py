"""Seasonality of one series: whether it repeats every ``m`` periods, and its seasonal indices.

Two tests, either of which makes a series seasonal: the M3/M4 benchmarks' 90% test of the
lag-``m`` autocorrelation, and an F-test of the position in the season on the detrended values
(one-way analysis of variance). The autocorrelation test cannot see a yearly pattern in three
years of monthly data: with 36 values the lag-12 autocorrelation is at most 24/36 and the
pattern's own autocorrelations at lags 1-11 widen its limit beyond that. The F-test can.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.tsa.stattools import acf

#: Significance level of the F-test (false-positive rate measured in docs/forecasting.md).
F_TEST_ALPHA = 0.01


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


def f_test_seasonal(y: np.ndarray, m: int, alpha: float = F_TEST_ALPHA) -> bool:
    """F-test at level ``alpha`` that the detrended values (log ratio to the centred moving
    average when positive, else the difference) differ by position in the season; needs two
    detrended values per position (3 full seasons for an even ``m``)."""
    if m <= 1 or len(y) < 2 * m or _flat(y):
        return False
    offset, detrended = _detrend(y, m)
    if len(detrended) < 2 * m:
        return False
    if np.all(y > 0):
        detrended = np.log(detrended)
    positions = (offset + np.arange(len(detrended))) % m
    groups = [detrended[positions == i] for i in range(m)]
    means = np.array([g.mean() for g in groups])
    between = sum(len(g) * (mu - detrended.mean()) ** 2 for g, mu in zip(groups, means, strict=True))
    within = sum(float(((g - mu) ** 2).sum()) for g, mu in zip(groups, means, strict=True))
    df_between, df_within = m - 1, len(detrended) - m
    if within <= 1e-12 * max(between, 1e-300):
        return bool(between > 0)
    f = (between / df_between) / (within / df_within)
    return bool(stats.f.sf(f, df_between, df_within) < alpha)


def is_seasonal(y: np.ndarray, m: int) -> bool:
    """Seasonal at period ``m`` by either test (module docstring)."""
    return acf_seasonal(y, m) or f_test_seasonal(y, m)


def seasonality(y: np.ndarray, m: int, also: Sequence[int] = ()) -> Seasonality:
    """Classical-decomposition seasonal indices if the series tests seasonal at ``m``; else at
    the first of the shorter periods ``also`` at which its detrended values test seasonal;
    else none.

    ``also`` lets monthly bookings use their quarter-end pattern (period 3) when two years are
    too few for the yearly tests (docs/forecasting.md). Those shorter lags are tested with the
    autocorrelation after removing the trend: a trending series is autocorrelated at every
    short lag.
    """
    if is_seasonal(y, m):
        return _indices(y, m)
    for period in also:
        _, detrended = _detrend(y, period)
        if detrended.size and acf_seasonal(detrended, period):
            return _indices(y, period)
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


def _indices(y: np.ndarray, m: int) -> Seasonality:
    """Classical decomposition: mean detrended value per position in the season, normalised."""
    offset, detrended = _detrend(y, m)
    positions = (offset + np.arange(len(detrended))) % m
    idx = np.array([detrended[positions == i].mean() for i in range(m)])
    if np.all(y > 0):
        return Seasonality(m, "multiplicative", idx / idx.mean())
    return Seasonality(m, "additive", idx - idx.mean())
