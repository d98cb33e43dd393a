"""Reconciliation: make the parts' forecasts (e.g. regions) add up to the total's.

Weighted least squares on the two-level hierarchy (total = sum of parts), with each
forecast weighted by its variance (taken from its 80% interval): the reconciled total is a
variance-weighted average of the total's own forecast and the sum of the parts, and the
gap is shared among the parts in proportion to their variances, so the noisiest series
move most. Intervals are shifted with their point forecast (their widths are kept). For
non-negative series a part the correction would push below zero is held at zero and the gap
shared among the others, and shifted bounds are floored at zero.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from salesops.analysis.forecast.fitted import ModelForecast


def wls_adjustments(
    total: np.ndarray, parts: np.ndarray, total_var: np.ndarray, parts_var: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Shifts to add to the total (shape h) and to each part (shape k x h) so parts sum to total.

    Closed form of WLS reconciliation: with gap g = total - sum(parts) and variances w,
    part i moves by w_i * g / (w_total + sum w), the total by -w_total * g / (w_total + sum w).
    Zero variances everywhere fall back to equal weights (ordinary least squares).
    """
    total, parts = np.asarray(total, float), np.atleast_2d(np.asarray(parts, float))
    w_t, w_p = np.asarray(total_var, float), np.atleast_2d(np.asarray(parts_var, float))
    denom = w_t + w_p.sum(axis=0)
    flat = denom <= 0
    w_t = np.where(flat, 1.0, w_t)
    w_p = np.where(flat, 1.0, w_p)
    denom = w_t + w_p.sum(axis=0)
    gap = total - parts.sum(axis=0)
    return -w_t * gap / denom, w_p * gap / denom


def interval_variance(fc: ModelForecast) -> np.ndarray:
    """Forecast variance implied by the 80% interval (normal approximation); 1 if none."""
    if 80 not in fc.intervals:
        return np.ones_like(fc.mean)
    lo, hi = fc.intervals[80]
    z = stats.norm.ppf(0.9)
    return ((hi - lo) / (2 * z)) ** 2


def _shift(fc: ModelForecast, delta: np.ndarray, floor: bool) -> ModelForecast:
    def move(values: np.ndarray) -> np.ndarray:
        return np.maximum(values + delta, 0.0) if floor else values + delta
    return ModelForecast(fc.name, move(fc.mean),
                         {lv: (move(lo), move(hi)) for lv, (lo, hi) in fc.intervals.items()})


def nonnegative_adjustments(
    total: np.ndarray, parts: np.ndarray, total_var: np.ndarray, parts_var: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``wls_adjustments`` with every reconciled part and the total at least zero: a part the
    shift would push below zero is set to zero (its shift is minus its forecast) and the
    reconciliation repeated on the others, per period, until none is negative."""
    total, parts = np.asarray(total, float), np.atleast_2d(np.asarray(parts, float))
    w_t, w_p = np.asarray(total_var, float), np.atleast_2d(np.asarray(parts_var, float))
    d_total, d_parts = np.empty_like(total), np.empty_like(parts)
    for j in range(total.shape[0]):
        held = np.zeros(parts.shape[0], dtype=bool)
        while True:
            free = ~held
            dt, dp = wls_adjustments(total[j: j + 1], parts[free, j: j + 1], w_t[j: j + 1],
                                     w_p[free, j: j + 1])
            new = parts[free, j] + dp[:, 0]
            if np.all(new >= 0) or not free.any():
                break
            held[np.flatnonzero(free)[new < 0]] = True
        d_parts[held, j] = -parts[held, j]
        d_parts[free, j] = dp[:, 0]
        d_total[j] = parts[:, j].sum() + d_parts[:, j].sum() - total[j]
    return d_total, d_parts


def reconcile(
    total: ModelForecast, parts: dict[str, ModelForecast], nonnegative: bool = True,
) -> tuple[ModelForecast, dict[str, ModelForecast]]:
    """Reconciled total and parts: the parts' point forecasts add up to the total's exactly;
    with ``nonnegative`` (bookings) no reconciled forecast or bound is below zero."""
    if not parts:
        return total, {}
    names = list(parts)
    adjust = nonnegative_adjustments if nonnegative else wls_adjustments
    d_total, d_parts = adjust(
        total.mean, np.array([parts[n].mean for n in names]),
        interval_variance(total), np.array([interval_variance(parts[n]) for n in names]),
    )
    return (_shift(total, d_total, nonnegative),
            {n: _shift(parts[n], d, nonnegative) for n, d in zip(names, d_parts, strict=True)})
