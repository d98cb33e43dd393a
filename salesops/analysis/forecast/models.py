"""Candidate forecasting models on one series, each fitted once (``fitted.Fitted``): seasonal
naive, Naive2, SES, damped Holt, Theta, Optimised Theta, CES, automatic ETS, the seasonal
ETS(A,N,A), ETS(A,Ad,A) and ETS(M,Ad,M), and automatic ARIMA; and the one registry of them
(``MODELS``, fitted by ``fit_model``).

Seasonality is handled once per series, as in the M3/M4 benchmarks (``seasonality``): the
non-seasonal models forecast the seasonally adjusted series (in logs when it is positive), and
the indices are put back on the forecasts (``Adjusted``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.signal import lfilter
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.forecasting.theta import ThetaModel
from statsmodels.tsa.stattools import kpss

from salesops.analysis.forecast import ces, optimised_theta
from salesops.analysis.forecast.fitted import Combination, Fitted, ModelForecast, combine
from salesops.analysis.forecast.intervals import LEVELS, Intervals
from salesops.analysis.forecast.seasonality import (
    Seasonality,
    acf_seasonal,
    is_seasonal,
    seasonality,
)

__all__ = ["LEVELS", "MODELS", "Combination", "Fitted", "ModelForecast", "Seasonality",
           "acf_seasonal", "adjusted_forecast", "combine", "ets_auto", "fit_model", "is_seasonal",
           "seasonal_naive", "seasonality"]


def _quiet(fn: Callable) -> Callable:
    """Run a statsmodels fit with its convergence chatter silenced (results are checked)."""
    def wrapper(*args, **kwargs):
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)
    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def _flat(x: np.ndarray) -> bool:
    return bool(np.ptp(x) <= 1e-9 * np.max(np.abs(x)))


# -- fitted models ------------------------------------------------------------------------

@dataclass(frozen=True)
class NaiveFit(Fitted):
    """Last value carried forward; random-walk intervals."""

    last: float
    sigma: float
    name: str = "naive2"

    def forecast(self, h: int) -> np.ndarray:
        return np.full(h, self.last)

    def sd(self, h: int) -> np.ndarray:
        return self.sigma * np.sqrt(np.arange(1, h + 1))


def fit_naive(x: np.ndarray, name: str = "naive2") -> NaiveFit:
    """Naive (random walk) fit: sigma is the spread of the one-step differences."""
    return NaiveFit(float(x[-1]), float(np.std(np.diff(x))) if len(x) > 1 else 0.0, name)


@dataclass(frozen=True)
class SeasonalNaiveFit(Fitted):
    """The same period last season (last value if the series is shorter than a season)."""

    last_season: np.ndarray
    sigma: float
    name: str = "seasonal_naive"

    def forecast(self, h: int) -> np.ndarray:
        return self.last_season[np.arange(h) % len(self.last_season)]

    def sd(self, h: int) -> np.ndarray:
        return self.sigma * np.sqrt(np.arange(h) // len(self.last_season) + 1)


def fit_seasonal_naive(y: np.ndarray, m: int) -> SeasonalNaiveFit:
    """Seasonal naive at lag ``m`` (lag 1 when shorter than a season)."""
    lag = m if len(y) >= m else 1
    resid = y[lag:] - y[:-lag]
    return SeasonalNaiveFit(y[len(y) - lag:].copy(), float(np.std(resid)) if len(resid) > 1 else 0.0)


@dataclass(frozen=True)
class EtsFit(Fitted):
    """A statsmodels ETS results object: intervals from its prediction (simulated when the
    error is multiplicative)."""

    results: Any
    name: str

    @_quiet
    def forecast(self, h: int) -> np.ndarray:
        return np.asarray(self.results.forecast(h), dtype=float)

    @_quiet
    def intervals(self, mean: np.ndarray, levels: Sequence[int]) -> Intervals:
        n = int(self.results.nobs)
        pred = self.results.get_prediction(start=n, end=n + len(mean) - 1, simulate_repetitions=200,
                                           rng=np.random.default_rng(0))
        out: Intervals = {}
        for level in levels:
            frame = pred.summary_frame(alpha=1 - level / 100)
            out[level] = (frame["pi_lower"].to_numpy(float), frame["pi_upper"].to_numpy(float))
        return out


@_quiet
def _ets(x: np.ndarray, name: str, trend: str | None, damped: bool) -> EtsFit:
    return EtsFit(ETSModel(pd.Series(x), error="add", trend=trend, damped_trend=damped).fit(disp=False),
                  name)


def fit_ses(x: np.ndarray) -> EtsFit:
    """Simple exponential smoothing, ETS(A,N,N)."""
    return _ets(x, "ses", None, False)


def fit_holt_damped(x: np.ndarray) -> EtsFit:
    """Holt's linear trend with damping, ETS(A,Ad,N)."""
    return _ets(x, "holt_damped", "add", True)


@dataclass(frozen=True)
class ThetaFit(Fitted):
    """statsmodels Theta results, with the error variance of its ``prediction_intervals``,
    sigma²·(1 + (h-1)·(1 + (alpha-1)²)), and sigma² the variance of the one-step errors of
    its IMA(1,1) form at the fitted b0 and alpha (``theta_sigma2``)."""

    results: Any
    sigma2: float
    name: str = "theta"

    @_quiet
    def forecast(self, h: int) -> np.ndarray:
        return np.asarray(self.results.forecast(h), dtype=float)

    def sd(self, h: int) -> np.ndarray:
        alpha = float(self.results.params.iloc[1])
        return np.sqrt((1 + np.arange(h) * (1 + (alpha - 1) ** 2)) * self.sigma2)


def theta_sigma2(x: np.ndarray, b0: float, alpha: float) -> float:
    """Mean squared one-step error of x_t = x_{t-1} + b0 + (alpha - 1)·e_{t-1} + e_t, from e_0 = 0.

    statsmodels estimates it by refitting that model as a SARIMAX, which cost a fifth of the
    report's forecasting time; the fitted b0 and alpha give it by one linear recursion.
    """
    e = lfilter([1.0], [1.0, alpha - 1.0], np.diff(x) - b0)
    return float(np.mean(e ** 2))


@_quiet
def fit_theta(x: np.ndarray) -> Fitted:
    """The Theta method (Assimakopoulos & Nikolopoulos; SES with half the linear drift).

    A flat series (e.g. a perfectly seasonal one once adjusted) has no drift: its last value
    is carried forward, as statsmodels would otherwise extrapolate a 0/0 drift estimate.
    """
    if _flat(x):
        return fit_naive(x, "theta")
    results = ThetaModel(x, deseasonalize=False).fit()
    b0, alpha = (float(v) for v in results.params)
    return ThetaFit(results, theta_sigma2(x, b0, alpha))


ETS_TRENDS: tuple[tuple[str | None, bool], ...] = ((None, False), ("add", False), ("add", True))


@_quiet
def fit_ets_auto(y: np.ndarray, m: int) -> EtsFit:
    """ETS on the raw series, form chosen by AICc: error (A/M) x trend (none/A/damped) x
    seasonal (none, or A/M when the series tests seasonal by the lag-m autocorrelation, as in
    the M4 benchmarks). Multiplicative forms need strictly positive data; additive error with
    multiplicative seasonality is excluded."""
    positive = bool(np.all(y > 0))
    seasonal_forms: list[str | None] = [None]
    if acf_seasonal(y, m):
        seasonal_forms += ["add", "mul"] if positive else ["add"]
    best, best_ic = None, np.inf
    for error in ("add", "mul") if positive else ("add",):
        for trend, damped in ETS_TRENDS:
            for season in seasonal_forms:
                if error == "add" and season == "mul":
                    continue
                if trend is not None and len(y) < 8:
                    continue
                fit = ETSModel(pd.Series(y), error=error, trend=trend, damped_trend=damped, seasonal=season,
                               seasonal_periods=m if season else None).fit(disp=False)
                if np.isfinite(fit.aicc) and fit.aicc < best_ic:
                    best, best_ic = fit, fit.aicc
    if best is None:
        raise ValueError("no ETS form could be fitted")
    return EtsFit(best, "ets")


@_quiet
def fit_ets_form(y: np.ndarray, season: Seasonality, error: str, trend: str | None,
                 damped: bool, name: str) -> EtsFit:
    """One seasonal ETS form on the raw series, at ``season``'s period, with error and
    seasonality both ``error`` ("add" or "mul"). ValueError when the form does not apply: a
    series without seasonality, or a multiplicative form on one with a value <= 0."""
    if season.kind == "none":
        raise ValueError(f"{name} needs a seasonal series")
    if error == "mul" and not np.all(y > 0):
        raise ValueError(f"{name} needs a positive series")
    model = ETSModel(pd.Series(y), error=error, trend=trend, damped_trend=damped, seasonal=error,
                     seasonal_periods=season.period)
    return EtsFit(model.fit(disp=False), name)


OBSERVATIONS_PER_PARAMETER = 3
ARIMA_ORDERS: tuple[tuple[int, int], ...] = (
    (0, 0), (1, 0), (0, 1), (1, 1), (2, 0), (0, 2), (2, 1), (1, 2), (2, 2),
)


def _differences(x: np.ndarray, max_d: int = 2) -> int:
    """Order of differencing by repeated KPSS tests at 5% (as in auto.arima)."""
    d = 0
    while d < max_d and len(x) > 10:
        if np.ptp(x) == 0 or kpss(x, regression="c", nlags="auto")[1] >= 0.05:
            break
        x = np.diff(x)
        d += 1
    return d


@dataclass(frozen=True)
class ArimaFit(Fitted):
    """statsmodels ARIMA results on the standardised series, forecasts scaled back."""

    results: Any
    centre: float
    spread: float
    name: str = "arima"

    @_quiet
    def forecast(self, h: int) -> np.ndarray:
        return np.asarray(self.results.forecast(h), dtype=float) * self.spread + self.centre

    @_quiet
    def predict(self, h: int, levels: Sequence[int] = LEVELS) -> ModelForecast:
        pred = self.results.get_forecast(h)
        mean = np.asarray(pred.predicted_mean, dtype=float) * self.spread + self.centre
        out: Intervals = {}
        for level in levels:
            ci = np.asarray(pred.conf_int(alpha=1 - level / 100), dtype=float) * self.spread + self.centre
            out[level] = (ci[:, 0], ci[:, 1])
        return ModelForecast(self.name, mean, out)


@_quiet
def fit_arima(x: np.ndarray) -> Fitted:
    """Non-seasonal ARIMA(p,d,q), p,q <= 2, d by KPSS, a constant only when d = 0; by AICc;
    naive when no order fits.

    Orders need ``OBSERVATIONS_PER_PARAMETER`` differenced values per parameter (p + q, the
    constant, the variance): on a dozen quarters, 5 parameters only chase noise. No drift for
    differenced series: on the M3 monthly series a drift term made ARIMA's 18-month forecasts
    markedly worse (sMAPE 15.1 against 14.2 without). The series is standardised for the fit
    (ARIMA is unchanged by it; the optimiser converges faster on small log values).
    """
    centre, spread = float(np.mean(x)), float(np.std(x)) or 1.0
    z = (x - centre) / spread
    d = _differences(z)
    trend = "c" if d == 0 else "n"
    best, best_ic = None, np.inf
    for p, q in ARIMA_ORDERS:
        if OBSERVATIONS_PER_PARAMETER * (p + q + 2) > len(z) - d:
            continue
        # the parameter covariance is never used (forecast intervals come from the state)
        fit = ARIMA(z, order=(p, d, q), trend=trend).fit(cov_type="none")
        if np.isfinite(fit.aicc) and fit.aicc < best_ic:
            best, best_ic = fit, fit.aicc
    return fit_naive(x, "arima") if best is None else ArimaFit(best, centre, spread)


#: Models fitted on the seasonally adjusted series: name -> fit(x).
ADJUSTED_MODELS: dict[str, Callable[[np.ndarray], Fitted]] = {
    "naive2": fit_naive,
    "ses": fit_ses,
    "holt_damped": fit_holt_damped,
    "theta": fit_theta,
    "ces": ces.fit,
    "arima": fit_arima,
    "otm": optimised_theta.fit,
}
#: Scales a model on the adjusted series can work on: logs (when the adjusted series is
#: strictly positive, the default) or the series' own.
SCALES = ("log", "raw")


@dataclass(frozen=True)
class Adjusted(Fitted):
    """A model fitted on the seasonally adjusted series (in logs when ``logs``); its forecasts
    and bounds transformed back and re-seasonalised from position ``start``.

    Logs make growth and noise proportional to the level, as bookings behave. Back-transformed
    point forecasts are medians; interval bounds stay exact quantiles (exp is monotone).
    """

    inner: Fitted
    season: Seasonality
    logs: bool
    start: int
    name: str

    def _back(self, values: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):  # an overflow is caught as a non-finite forecast
            return self.season.restore(np.exp(values) if self.logs else values, self.start)

    def forecast(self, h: int) -> np.ndarray:
        return self._back(self.inner.forecast(h))

    def predict(self, h: int, levels: Sequence[int] = LEVELS) -> ModelForecast:
        fc = self.inner.predict(h, levels)
        return ModelForecast(self.name, self._back(fc.mean),
                             {lv: (self._back(lo), self._back(hi)) for lv, (lo, hi) in fc.intervals.items()})


def fit_adjusted(name: str, y: np.ndarray, season: Seasonality, scale: str = "log") -> Adjusted:
    """Fit one of ``ADJUSTED_MODELS`` on ``y`` seasonally adjusted by ``season``, in logs when
    ``scale`` is "log" and the adjusted series is strictly positive."""
    if name not in ADJUSTED_MODELS:
        raise ValueError(f"unknown model {name!r} (known: {', '.join(MODELS)})")
    x = season.adjust(y)
    logs = scale == "log" and bool(np.all(x > 0))
    label = name if scale == "log" else f"{name}.{scale}"
    return Adjusted(ADJUSTED_MODELS[name](np.log(x) if logs else x), season, logs, len(y), label)


#: The one registry of candidates: name -> fit(y, m, season, scale) -> Fitted. ``season`` is
#: the series' seasonality (``seasonality``); ETS models its own, at the period found there;
#: ``scale`` only matters to the models on the adjusted series.
MODELS: dict[str, Callable[[np.ndarray, int, Seasonality, str], Fitted]] = {
    "seasonal_naive": lambda y, m, season, scale: fit_seasonal_naive(y, m),
    **{name: (lambda y, m, season, scale, name=name: fit_adjusted(name, y, season, scale))
       for name in ADJUSTED_MODELS},
    "ets": lambda y, m, season, scale: fit_ets_auto(
        y, season.period if season.kind != "none" else m),
    "ets_ana": lambda y, m, season, scale: fit_ets_form(y, season, "add", None, False, "ets_ana"),
    "ets_aada": lambda y, m, season, scale: fit_ets_form(y, season, "add", "add", True, "ets_aada"),
    "ets_madm": lambda y, m, season, scale: fit_ets_form(y, season, "mul", "add", True, "ets_madm"),
}


def fit_model(spec: str, y: np.ndarray, m: int, season: Seasonality | None = None) -> Fitted:
    """Fit candidate ``spec`` once on ``y`` (season length ``m``; ``season`` defaults to
    ``seasonality(y, m)``): a name of ``MODELS``, for a model on the adjusted series
    optionally with its scale ("arima.raw"; logs by default)."""
    name, _, scale = spec.partition(".")
    if name not in MODELS or (scale and (scale not in SCALES or name not in ADJUSTED_MODELS)):
        raise ValueError(f"unknown model {spec!r} (known: {', '.join(MODELS)}; a model on the "
                         f"adjusted series may add .log or .raw)")
    y = np.asarray(y, dtype=float)
    return MODELS[name](y, m, seasonality(y, m) if season is None else season, scale or "log")


# -- one-call forecasts (fit, then predict) ---------------------------------------------------

def seasonal_naive(y: np.ndarray, h: int, m: int, levels: Sequence[int] = LEVELS) -> ModelForecast:
    """Seasonal naive forecast of ``h`` periods."""
    return fit_seasonal_naive(np.asarray(y, dtype=float), m).predict(h, levels)


def ets_auto(y: np.ndarray, h: int, m: int, levels: Sequence[int] = LEVELS) -> ModelForecast:
    """Automatic ETS forecast of ``h`` periods (``fit_ets_auto``)."""
    return fit_ets_auto(np.asarray(y, dtype=float), m).predict(h, levels)


def adjusted_forecast(
    name: str, y: np.ndarray, h: int, season: Seasonality, levels: Sequence[int] = LEVELS
) -> ModelForecast:
    """Forecast of ``h`` periods with one of ``ADJUSTED_MODELS`` (``fit_adjusted``)."""
    return fit_adjusted(name, np.asarray(y, dtype=float), season).predict(h, levels)
