"""Complex exponential smoothing (CES; Svetunkov, Kourentzes & Ord 2022), non-seasonal form.

CES smooths the series and a second, "information potential" component together with one
complex smoothing constant a0 + i·a1. It has no explicit trend: the pair of states follows
level and local direction, so it bends between a level and a trend model as the data ask.
It is used on the seasonally adjusted series like the other models and adds a model of a
different kind to the default combination (docs/forecasting.md).

State space form, states v = (level l, potential c), error e_t = y_t - l_{t-1}:
    l_t = l_{t-1} - (1 - a1)·c_{t-1} + (a0 - a1)·e_t
    c_t = l_{t-1} + (1 - a0)·c_{t-1} + (a0 + a1)·e_t
Parameters (a0, a1, l0, c0) minimise the sum of squared one-step errors, subject to the
discount matrix having all eigenvalues inside the unit circle (a forecastable model).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.signal import lfilter

from salesops.analysis.forecast.fitted import Fitted

START = (1.3, 1.0)  # (a0, a1) starting values, as in the authors' implementation
PARAMETERS = 4  # a0, a1 and the two initial states


@dataclass(frozen=True)
class CesFit(Fitted):
    """Fitted CES: smoothing constants, states after the last observation, residual sd."""

    a0: float
    a1: float
    state: np.ndarray
    sigma: float
    name: str = "ces"

    def forecast(self, h: int) -> np.ndarray:
        """Point forecasts: the level of the states propagated without errors."""
        transition = _transition(self.a0, self.a1)
        v, out = self.state.copy(), np.empty(h)
        for i in range(h):
            out[i] = v[0]
            v = transition @ v
        return out

    def sd(self, h: int) -> np.ndarray:
        """Forecast-error standard deviations: sigma·sqrt(sum of squared impulse weights)."""
        transition, g = _transition(self.a0, self.a1), _persistence(self.a0, self.a1)
        weights, v = np.empty(h), g.copy()
        weights[0] = 1.0
        for i in range(1, h):
            weights[i] = v[0]
            v = transition @ v
        return self.sigma * np.sqrt(np.cumsum(weights ** 2))


def _transition(a0: float, a1: float) -> np.ndarray:
    return np.array([[1.0, -(1.0 - a1)], [1.0, 1.0 - a0]])


def _persistence(a0: float, a1: float) -> np.ndarray:
    return np.array([a0 - a1, a0 + a1])


def _discount(a0: float, a1: float) -> np.ndarray:
    """D = F - g·w' with w = (1, 0): the states follow v_t = D·v_{t-1} + g·y_t."""
    d = _transition(a0, a1)
    d[:, 0] -= _persistence(a0, a1)
    return d


def _trace_det(d: np.ndarray) -> tuple[float, float]:
    """Trace and determinant of a 2x2 matrix: the coefficients of its characteristic polynomial."""
    return d[0, 0] + d[1, 1], d[0, 0] * d[1, 1] - d[0, 1] * d[1, 0]


def one_step(params: Sequence[float], y: np.ndarray) -> np.ndarray:
    """One-step-ahead fitted values l_{t-1} for t = 1..n, computed as a linear filter.

    The level is a second-order linear recursion in the data, so the states need no Python
    loop: fitted = [g1·q + (d12·g2 - d22·g1)·q²] / det(I - D·q) applied to y, plus the decay
    of the initial states (q is the lag operator).
    """
    a0, a1, l0, c0 = params
    d, g = _discount(a0, a1), _persistence(a0, a1)
    trace, det = _trace_det(d)
    denominator = [1.0, -trace, det]
    from_data = lfilter([0.0, g[0], d[0, 1] * g[1] - d[1, 1] * g[0]], denominator, y)
    start = np.zeros(len(y))
    start[0] = l0
    if len(y) > 1:
        start[1] = d[0, 0] * l0 + d[0, 1] * c0 - trace * l0
    return from_data + lfilter([1.0], denominator, start)


def forecastable(a0: float, a1: float) -> bool:
    """Both eigenvalues of D inside the unit circle: for z² - tr·z + det that is
    |det| < 1 and |tr| < 1 + det (the Schur-Cohn conditions for a quadratic)."""
    trace, det = _trace_det(_discount(a0, a1))
    return abs(det) < 1 and abs(trace) < 1 + det


def _final_state(params: Sequence[float], y: np.ndarray) -> np.ndarray:
    a0, a1, l0, c0 = params
    d, g = _discount(a0, a1), _persistence(a0, a1)
    v = np.array([l0, c0], dtype=float)
    for value in y:
        v = d @ v + g * value
    return v


def fit(x: np.ndarray) -> CesFit:
    """Least-squares CES fit (on the series scaled to mean absolute value 1, for the optimiser)."""
    scale = float(np.mean(np.abs(x))) or 1.0
    y = np.asarray(x, dtype=float) / scale

    def sse(params: np.ndarray) -> float:
        if not forecastable(params[0], params[1]):
            return 1e10
        e = y - one_step(params, y)
        return float(e @ e)

    opt = minimize(sse, np.array([*START, y[0], y[0]]), method="Nelder-Mead",
                   options={"maxiter": 2000, "xatol": 1e-6, "fatol": 1e-10})
    if opt.fun >= 1e10:
        raise ValueError("no forecastable CES parameters found")
    a0, a1 = float(opt.x[0]), float(opt.x[1])
    dof = max(len(y) - PARAMETERS, 1)
    return CesFit(a0, a1, _final_state(opt.x, y) * scale, float(np.sqrt(opt.fun / dof)) * scale)

