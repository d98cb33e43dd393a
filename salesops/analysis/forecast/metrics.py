"""Forecast accuracy metrics: sMAPE, MAPE, MASE and bias, on plain arrays.

Definitions follow the M3 competition (sMAPE) and Hyndman & Koehler (MASE). Edge cases
(zero actuals, a constant history) are defined explicitly rather than left to NaN.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _pair(actual: ArrayLike, forecast: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    if y.shape != f.shape:
        raise ValueError(f"actual and forecast differ in shape: {y.shape} vs {f.shape}")
    if y.size == 0:
        raise ValueError("cannot score an empty forecast")
    return y, f


def smape(actual: ArrayLike, forecast: ArrayLike) -> float:
    """M3 sMAPE in percent: mean of 200*|y-f|/(|y|+|f|); a point with y = f = 0 scores 0."""
    y, f = _pair(actual, forecast)
    denom = np.abs(y) + np.abs(f)
    terms = np.divide(200.0 * np.abs(y - f), denom, out=np.zeros_like(y), where=denom > 0)
    return float(terms.mean())


def mape(actual: ArrayLike, forecast: ArrayLike) -> float:
    """MAPE in percent over the points with a non-zero actual; NaN if every actual is zero."""
    y, f = _pair(actual, forecast)
    keep = y != 0
    if not keep.any():
        return float("nan")
    return float(np.mean(100.0 * np.abs(y[keep] - f[keep]) / np.abs(y[keep])))


def mase_scale(history: ArrayLike, m: int = 1) -> float:
    """In-sample mean absolute seasonal-naive error (lag ``m``; lag 1 if history is too short)."""
    x = np.asarray(history, dtype=float)
    x = x[~np.isnan(x)]
    lag = m if x.size > m else 1
    if x.size <= lag:
        return float("nan")
    return float(np.mean(np.abs(x[lag:] - x[:-lag])))


def mase(actual: ArrayLike, forecast: ArrayLike, history: ArrayLike, m: int = 1) -> float:
    """Mean absolute error scaled by the in-sample seasonal-naive error of ``history``.

    A constant history has scale 0: MASE is then 0 for a perfect forecast and inf otherwise.
    """
    y, f = _pair(actual, forecast)
    mae = float(np.mean(np.abs(y - f)))
    scale = mase_scale(history, m)
    if scale == 0:
        return 0.0 if mae == 0 else float("inf")
    return mae / scale


def bias(actual: ArrayLike, forecast: ArrayLike) -> float:
    """Relative bias in percent: 100 * sum(f - y) / sum(|y|); > 0 means over-forecasting.

    NaN when every actual is zero (no scale to express the bias against).
    """
    y, f = _pair(actual, forecast)
    total = np.abs(y).sum()
    if total == 0:
        return float("nan")
    return float(100.0 * (f - y).sum() / total)
