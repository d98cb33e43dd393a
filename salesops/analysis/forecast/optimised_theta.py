"""Optimised Theta (OTM; Fiorucci, Pellegrini, Louzada, Petropoulos & Koehler 2016), in numpy
and scipy: the Theta method with theta (the weight of the trend line) and the smoothing
constant estimated from the data instead of fixed at theta = 2.

State space form (their eq. 3-6): the one-step forecast is
    mu_t = l_{t-1} + (1 - 1/theta)·[(1 - alpha)^(t-1)·A + (1 - (1 - alpha)^t)/alpha·B]
    l_t = alpha·y_t + (1 - alpha)·l_{t-1}
with (A, B) the intercept and slope of the least-squares line through y_1..y_n. For a given
alpha the fitted values are linear in (l0, w = 1 - 1/theta), so those come from least squares
(w within [0, 1]) and alpha from a grid refined by a bounded scalar search. Forecasts iterate
the same update with y replaced by mu. Intervals: normal, variance mse·(1 + alpha²·(h - 1)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.signal import lfilter

from salesops.analysis.forecast.fitted import Fitted

ALPHA_GRID = np.linspace(0.1, 0.99, 30)


def trend_line(y: np.ndarray) -> tuple[float, float]:
    """(A, B): intercept and slope of the least-squares line through y_1..y_n (t = 1..n)."""
    n = len(y)
    t = np.arange(1, n + 1, dtype=float)
    b = 6 * (2 * np.mean(t * y) - (1 + n) * np.mean(y)) / (n ** 2 - 1)
    return float(np.mean(y) - (n + 1) * b / 2), float(b)


def solve(alpha: float, y: np.ndarray, a: float, b: float) -> tuple[float, float, float]:
    """(sum of squared one-step errors, l0, w) at smoothing constant ``alpha``."""
    t = np.arange(1, len(y), dtype=float)
    level = lfilter([alpha], [1, -(1 - alpha)], y)[:-1]  # the level without l0, t = 1..n-1
    c = (1 - alpha) ** t  # l0's weight in the level
    g = (1 - alpha) ** t * a + (1 - (1 - alpha) ** (t + 1)) / alpha * b
    target = y[1:] - level
    (l0, w), *_ = np.linalg.lstsq(np.column_stack([c, g]), target, rcond=None)
    if not 0 <= w <= 1:
        w = min(max(w, 0.0), 1.0)
        l0 = float(c @ (target - w * g) / (c @ c))
    e = target - l0 * c - w * g
    return float(e @ e), float(l0), float(w)


@dataclass(frozen=True)
class OtmFit(Fitted):
    """A fitted OTM on the series scaled to mean absolute value 1 (``x``)."""

    alpha: float
    l0: float
    w: float
    mse: float
    x: np.ndarray
    a: float
    b: float
    scale: float
    name: str = "otm"

    def forecast(self, h: int) -> np.ndarray:
        alpha, n = self.alpha, len(self.x)
        level = lfilter([alpha], [1, -(1 - alpha)], self.x, zi=[(1 - alpha) * self.l0])[0][-1]
        out = np.empty(h)
        for i in range(h):
            t = n + i
            out[i] = level + self.w * ((1 - alpha) ** t * self.a
                                       + (1 - (1 - alpha) ** (t + 1)) / alpha * self.b)
            level = alpha * out[i] + (1 - alpha) * level
        return out * self.scale

    def sd(self, h: int) -> np.ndarray:
        return np.sqrt(self.mse) * np.sqrt(1 + self.alpha ** 2 * np.arange(h)) * self.scale


def fit(y: np.ndarray) -> OtmFit:
    """Least-squares OTM fit on the one-step errors."""
    scale = float(np.mean(np.abs(y))) or 1.0
    x = np.asarray(y, dtype=float) / scale
    a, b = trend_line(x)
    grid = [solve(alpha, x, a, b)[0] for alpha in ALPHA_GRID]
    i = int(np.argmin(grid))
    lo, hi = ALPHA_GRID[max(i - 1, 0)], ALPHA_GRID[min(i + 1, len(ALPHA_GRID) - 1)]
    refined = minimize_scalar(lambda al: solve(al, x, a, b)[0], bounds=(lo, hi),
                              method="bounded", options={"xatol": 1e-4})
    alpha = float(refined.x) if refined.fun <= grid[i] else float(ALPHA_GRID[i])
    sse, l0, w = solve(alpha, x, a, b)
    return OtmFit(alpha, l0, w, sse / max(len(x) - 1, 1), x, a, b, scale)
