"""Automatic forecasting of one series: candidates, rolling-origin backtest, choice, fallbacks.

The default forecast (``DEFAULT``) is a mean of members chosen by the kind of series (seasonal,
not seasonal, yearly), with calibrated intervals: on the benchmark sets (M3 monthly, tourism
monthly, quarterly and yearly, long and short) it beats every single model, and choosing a
model per series by its own backtest did worse (docs/benchmarks.md). Every candidate is still
backtested on the series' own history (rolling origin) and the scores reported;
``select="best"`` uses the model with the lowest backtest MASE instead. Series that are too
short, intermittent, all zero or gappy degrade to a simpler method, and the reason is returned
with the forecast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from salesops.analysis.forecast import backtest, calibration
from salesops.analysis.forecast.fitted import Fitted, ModelForecast, combine
from salesops.analysis.forecast.intervals import LEVELS, normal_intervals
from salesops.analysis.forecast.models import fit_model
from salesops.analysis.forecast.seasonality import Seasonality, seasonality

#: Candidate models (``models.MODELS``) fitted and backtested beside the default; seasonal
#: naive is always added.
CANDIDATES: tuple[str, ...] = ("ses", "holt_damped", "theta", "otm", "ces", "ets", "ets_ana",
                                "ets_aada", "ets_madm", "arima")


@dataclass(frozen=True)
class Recipe:
    """The default forecast: the members (``models.fit_model`` specs) combined for a seasonal
    series, a series without seasonality and a yearly one (season length 1), and how."""

    seasonal: tuple[str, ...]
    non_seasonal: tuple[str, ...]
    yearly: tuple[str, ...]
    how: str = "mean"

    def members(self, m: int, season: Seasonality) -> tuple[str, ...]:
        """The members for a series of season length ``m`` with seasonality ``season``."""
        if m <= 1:
            return self.yearly
        return self.seasonal if season.kind != "none" else self.non_seasonal

    @property
    def all_members(self) -> tuple[str, ...]:
        """Every member of any kind of series, once."""
        return tuple(dict.fromkeys((*self.seasonal, *self.non_seasonal, *self.yearly)))


#: The default, chosen on the selection halves of seven benchmark settings (docs/forecasting.md):
#: seasonal series: Optimised Theta and ARIMA on the logs of the adjusted series, ETS(A,Ad,A),
#: ETS(A,N,A) and (positive series) ETS(M,Ad,M) on the series; others: Optimised Theta, damped
#: Holt, CES and ARIMA on logs; yearly: Optimised Theta alone, on the series' own scale.
DEFAULT = Recipe(seasonal=("otm", "arima", "ets_aada", "ets_ana", "ets_madm"),
                 non_seasonal=("otm", "holt_damped", "ces", "arima"),
                 yearly=("otm.raw",))
#: Candidates to fit when only the default forecast is wanted (``models=COMBINATION``): none
#: beyond the default's members for the series.
COMBINATION: tuple[str, ...] = ()
SELECTIONS = ("combination", "best")
#: How reports and reasons name each method.
MODEL_NAMES = {
    "seasonal_naive": "Seasonal naive", "naive2": "Naive", "ses": "SES", "holt_damped": "Damped Holt",
    "theta": "Theta", "otm": "Optimised Theta", "otm.raw": "Optimised Theta (no logs)",
    "ces": "CES", "ets": "ETS", "ets_ana": "ETS(A,N,A)", "ets_aada": "ETS(A,Ad,A)",
    "ets_madm": "ETS(M,Ad,M)",
    "arima": "ARIMA", "zero": "Zero", "constant": "Constant", "mean": "Mean of history",
    "combination": "Combination",
}


def model_name(code: str) -> str:
    """The name of a method code ("holt_damped" -> "Damped Holt"); an unknown code as it is."""
    return MODEL_NAMES.get(code, code)
INTERMITTENT_ZERO_SHARE = 0.4


@dataclass(frozen=True)
class SeriesForecast:
    """The chosen forecast of one series, why it was chosen, and the evidence."""

    method: str
    forecast: ModelForecast
    reason: str
    candidates: dict[str, ModelForecast] = field(default_factory=dict)
    backtest: pd.DataFrame = field(default_factory=pd.DataFrame)
    failures: dict[str, str] = field(default_factory=dict)


def fit_candidates(
    y: np.ndarray, m: int, models: Sequence[str] = CANDIDATES, also_periods: Sequence[int] = (),
    recipe: Recipe = DEFAULT, season: Seasonality | None = None,
) -> tuple[dict[str, Fitted], dict[str, str], tuple[str, ...], Seasonality]:
    """Seasonal naive, the ``recipe``'s members for this series and the other ``models``, each
    fitted once (``models.fit_model``); the failures (model -> why: a model that raises is
    dropped and reported, never raised); the members; the series' seasonality.

    ``also_periods``: shorter seasonal periods tried when the series does not test seasonal at
    ``m``; ``season``: the series' seasonality when the caller has it already.
    """
    season = seasonality(y, m, also_periods) if season is None else season
    members = recipe.members(m, season)
    fits: dict[str, Fitted] = {}
    failures: dict[str, str] = {}
    for name in dict.fromkeys(("seasonal_naive", *members, *models)):
        try:
            fits[name] = fit_model(name, y, m, season)
        except Exception as exc:  # any fit failure drops the model and is reported
            failures[name] = f"fit failed ({type(exc).__name__}: {exc})"
    return fits, failures, members, season


def candidate_forecasts(
    y: np.ndarray, h: int, m: int, levels: Sequence[int] = LEVELS,
    models: Sequence[str] = CANDIDATES, recipe: Recipe = DEFAULT, also_periods: Sequence[int] = (),
    season: Seasonality | None = None,
) -> tuple[dict[str, ModelForecast], dict[str, str]]:
    """Forecasts of every candidate (``fit_candidates``) plus the ``recipe``'s combination of
    the members that forecast, and the failures (model -> why).

    A model whose forecast raises or is not finite is dropped, never passed on as NaN.
    """
    fits, failures, members, _ = fit_candidates(y, m, models, also_periods, recipe, season)
    out: dict[str, ModelForecast] = {}
    for name, fitted in fits.items():
        try:
            fc = fitted.predict(h, levels)
        except Exception as exc:  # as for fits
            failures[name] = f"forecast failed ({type(exc).__name__}: {exc})"
            continue
        if not _finite(fc):
            failures[name] = "non-finite forecast"
            continue
        out[name] = fc
    usable = [out[n] for n in members if n in out]
    if usable:
        out["combination"] = combine(usable, how=recipe.how)
    return out, failures


def _finite(fc: ModelForecast) -> bool:
    arrays = [fc.mean, *(b for pair in fc.intervals.values() for b in pair)]
    return all(np.all(np.isfinite(a)) for a in arrays)


def choose(summary: pd.DataFrame, select: str = "combination",
           members: Sequence[str] = ()) -> tuple[str, str]:
    """The model to use given backtest scores (``summarise`` output), and the reason in words
    (naming the combination's ``members``)."""
    if select not in SELECTIONS:
        raise ValueError(f"select must be one of {', '.join(SELECTIONS)}, got {select!r}")
    scores = summary.set_index("model")["mase"] if not summary.empty else pd.Series(dtype=float)
    if select == "best" and not scores.empty:
        best = scores.idxmin()
        return best, f"lowest backtest MASE ({scores[best]:.2f})"
    default = "default combination" + (f" of {_listed(members)}" if members else "")
    if "combination" not in scores.index:
        return "combination", f"{default} (no backtest)"
    singles = scores.drop("combination")
    note = (f"; best single model {model_name(singles.idxmin())} {singles.min():.2f}"
            if len(singles) else "")
    return "combination", f"{default} (backtest MASE {scores['combination']:.2f}{note})"


def _listed(members: Sequence[str]) -> str:
    """"A, B and C" of the members' names (each once)."""
    names = list(dict.fromkeys(model_name(m) for m in members))
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _fallback(name: str, mean: np.ndarray, sd: np.ndarray, levels: Sequence[int]) -> ModelForecast:
    return ModelForecast(name, mean, normal_intervals(mean, sd, levels))


def _fill_gaps(y: np.ndarray) -> tuple[np.ndarray, str]:
    """Drop leading/trailing missing values and interpolate interior ones, saying so."""
    missing = np.isnan(y)
    if not missing.any():
        return y, ""
    if missing.all():
        return y[:0], f"all {len(y)} values missing"
    first, last = np.flatnonzero(~missing)[[0, -1]]
    trimmed = pd.Series(y[first: last + 1]).interpolate().to_numpy()
    n = int(missing.sum())
    return trimmed, (f"{n} missing {'value' if n == 1 else 'values'} dropped at the ends or "
                     "interpolated")


def simple_forecast(y: np.ndarray, h: int, levels: Sequence[int] = LEVELS) -> SeriesForecast | None:
    """The degraded forecast for an empty, all-zero, constant, very short or intermittent series,
    else None."""
    n = len(y)
    if n == 0:
        zero = np.zeros(h)
        return SeriesForecast("zero", _fallback("zero", zero, zero, levels), "no history")
    if np.all(y == 0):
        zero = np.zeros(h)
        return SeriesForecast("zero", _fallback("zero", zero, zero, levels),
                              f"no bookings in any of the {n} periods: forecasting zero")
    if np.ptp(y) == 0:  # model fits on a constant are degenerate (Theta's drift is 0/0)
        return SeriesForecast("constant", _fallback("constant", np.full(h, y[0]), np.zeros(h), levels),
                              f"the same value in all {n} periods: forecasting it")
    if n < 4:
        sd = np.full(h, np.std(y))
        return SeriesForecast("mean", _fallback("mean", np.full(h, y.mean()), sd, levels),
                              f"only {n} {'period' if n == 1 else 'periods'} of history: "
                              "forecasting their mean")
    zero_share = float(np.mean(y == 0))
    if zero_share >= INTERMITTENT_ZERO_SHARE:
        sd = np.full(h, np.std(y, ddof=1))
        return SeriesForecast(
            "mean", _fallback("mean", np.full(h, y.mean()), sd, levels),
            f"intermittent ({zero_share:.0%} of periods without bookings): forecasting the "
            "average rate",
        )
    return None


def auto_forecast(
    y: Sequence[float], h: int, m: int, *, levels: Sequence[int] = LEVELS, origins: int = 3,
    min_history: int | None = None, nonnegative: bool = True, select: str = "combination",
    models: Sequence[str] = CANDIDATES, also_periods: Sequence[int] = (),
) -> SeriesForecast:
    """Forecast ``h`` periods of one series with the automatic method (see module docstring).

    ``origins`` is the number of backtest origins (0 skips the backtest); ``min_history``
    (default: 2 seasons, at least 8) is the training length the backtest needs; ``models``
    the candidates fitted (``COMBINATION`` when only the default forecast is wanted);
    ``also_periods`` shorter seasonal periods to try when the series is not seasonal at ``m``.
    """
    raw = np.asarray(y, dtype=float)
    series, gap_note = _fill_gaps(raw)
    result = simple_forecast(series, h, levels)
    if result is None:
        result = _backtested(series, h, m, levels, origins, min_history or max(2 * m, 8), select,
                             models, tuple(also_periods))
    if gap_note:
        result = SeriesForecast(result.method, result.forecast, f"{result.reason}; {gap_note}",
                                result.candidates, result.backtest, result.failures)
    return _sane(result, recent_level(series, m), nonnegative)


def _backtested(y: np.ndarray, h: int, m: int, levels: Sequence[int], origins: int,
                min_history: int, select: str, models: Sequence[str],
                also: tuple[int, ...]) -> SeriesForecast:
    season = seasonality(y, m, also)
    candidates, failures = candidate_forecasts(y, h, m, levels, models, also_periods=also,
                                               season=season)
    members = DEFAULT.members(m, season)
    note = (f"; no yearly pattern, so the one repeating every {season.period} periods is used"
            if season.kind != "none" and season.period != m else "")
    if origins == 0 or len(y) < min_history + 1:
        if origins == 0:
            method, reason = _available(*choose(pd.DataFrame(), select, members), candidates,
                                        pd.DataFrame())
        else:
            method = "combination" if "combination" in candidates else "seasonal_naive"
            reason = (f"only {len(y)} periods of history (backtest needs {min_history + 1}): "
                      f"using {model_name(method)} without backtest")
        return SeriesForecast(method, _calibrated(method, candidates[method], m, len(y), season,
                                                  [], levels),
                              reason + note, candidates, pd.DataFrame(), failures)
    backtest_levels = levels if calibration.PRIOR_POINTS is not None else ()
    runs = backtest.rolling_forecasts(
        y, h, lambda hist, hh: candidate_forecasts(hist, hh, m, backtest_levels, models,
                                                   also_periods=also)[0],
        count=origins, min_train=min_history,
    )
    summary = backtest.summarise(backtest.score_runs(runs, y, m))
    fitted = summary.loc[summary["model"].isin(list(candidates))]
    method, reason = _available(*choose(fitted, select, members), candidates, fitted)
    own = [(a, fcs[method]) for _, a, fcs in runs if method in fcs]
    return SeriesForecast(method, _calibrated(method, candidates[method], m, len(y), season, own,
                                              levels),
                          reason + note, candidates, summary, failures)


def _calibrated(method: str, fc: ModelForecast, m: int, n: int, season: Seasonality,
                runs: list[tuple[np.ndarray, ModelForecast]], levels: Sequence[int]) -> ModelForecast:
    """The default combination's intervals calibrated (``calibration``); other methods as made
    (the factors were chosen for the combination)."""
    if method != "combination":
        return fc
    seasonal = season.kind != "none"
    return calibration.scale(fc, calibration.factors(m, n, seasonal, runs, levels))


def _available(method: str, reason: str, candidates: dict[str, ModelForecast],
               summary: pd.DataFrame) -> tuple[str, str]:
    """``method`` if it was fitted; else the best-scoring fitted model (or the first fitted
    one), with the reason saying so. Candidates always hold at least the seasonal naive."""
    if method in candidates:
        return method, reason
    scored = summary.loc[summary["model"].isin(list(candidates))] if len(summary) else summary
    fallback = (scored.set_index("model")["mase"].idxmin() if len(scored)
                else next(iter(candidates)))
    return fallback, f"{model_name(method)} could not be fitted: using {model_name(fallback)}"


#: Interval bounds lie at most this many times the series' recent level (``recent_level``)
#: from the point forecast: a short or erratic history otherwise gave ranges tens of times
#: mean sales (log-scale intervals grow exponentially with the horizon).
MAX_SPREAD = 2.0


def recent_level(y: np.ndarray, m: int) -> float:
    """Mean absolute value of the last season (at least the last 4 periods) of ``y``."""
    return float(np.mean(np.abs(y[-max(m, 4):]))) if len(y) else 0.0


def bounded(fc: ModelForecast, level: float, nonnegative: bool) -> ModelForecast:
    """``fc`` with every bound within ``MAX_SPREAD`` x ``level`` of its point forecast and,
    when ``nonnegative`` (bookings cannot be negative), forecasts and bounds floored at zero."""
    floor = 0.0 if nonnegative else -np.inf
    mean = np.maximum(fc.mean, floor)
    spread = MAX_SPREAD * level
    return ModelForecast(fc.name, mean, {
        lv: (np.maximum(np.maximum(lo, mean - spread), floor),
             np.minimum(np.maximum(hi, floor), mean + spread))
        for lv, (lo, hi) in fc.intervals.items()})


def _sane(result: SeriesForecast, level: float, nonnegative: bool) -> SeriesForecast:
    """``bounded`` applied to the chosen forecast and every candidate."""
    return SeriesForecast(result.method, bounded(result.forecast, level, nonnegative), result.reason,
                          {k: bounded(v, level, nonnegative) for k, v in result.candidates.items()},
                          result.backtest, result.failures)
