"""Reconciliation: make the parts' forecasts (e.g. regions) add up to the total's.

Weighted least squares on the two-level hierarchy (total = sum of parts), with each
forecast weighted by its variance (taken from its 80% interval): the reconciled total is a
variance-weighted average of the total's own forecast and the sum of the parts, and the
gap is shared among the parts in proportion to their variances, so the noisiest series
move most. Intervals are shifted with their point forecast (their widths are kept).
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


def _shift(fc: ModelForecast, delta: np.ndarray) -> ModelForecast:
    return ModelForecast(fc.name, fc.mean + delta,
                         {lv: (lo + delta, hi + delta) for lv, (lo, hi) in fc.intervals.items()})


def reconcile(
    total: ModelForecast, parts: dict[str, ModelForecast]
) -> tuple[ModelForecast, dict[str, ModelForecast]]:
    """Reconciled total and parts: the parts' point forecasts add up to the total's exactly."""
    if not parts:
        return total, {}
    names = list(parts)
    d_total, d_parts = wls_adjustments(
        total.mean, np.array([parts[n].mean for n in names]),
        interval_variance(total), np.array([interval_variance(parts[n]) for n in names]),
    )
    return _shift(total, d_total), {n: _shift(parts[n], d) for n, d in zip(names, d_parts, strict=True)}
