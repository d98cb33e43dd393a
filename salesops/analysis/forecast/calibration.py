"""Calibrated prediction intervals: each side of an interval scaled about the point forecast.

The models' own intervals leave out the uncertainty of the seasonal indices and of the model
form, so they are too narrow on some kinds of series and too wide on others. Two factors per
level widen (above 1) or narrow them: a fixed one, ``WIDTH_FACTORS``, chosen on the selection
halves of the benchmark sets (docs/forecasting.md), and, when the series was backtested, its
own, from how far the actual values fell outside the intervals at the rolling origins, shrunk
towards 1 by ``PRIOR_POINTS`` pseudo-observations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from salesops.analysis.forecast.fitted import ModelForecast

#: Fixed factor on the half-widths of the default combination per kind of series (``kind``) and
#: level, chosen on the selection halves of the benchmark sets so that 80% and 95% of their
#: actual values fall inside (docs/forecasting.md). Yearly ones are large: Optimised Theta's
#: variance leaves out the uncertainty of the trend.
WIDTH_FACTORS: dict[str, dict[int, float]] = {
    "yl": {80: 1.85, 95: 2.17}, "ys": {80: 4.03, 95: 5.38},  # yearly (season length 1)
    "nl": {80: 1.04, 95: 1.10}, "ns": {80: 1.06, 95: 1.20},  # not seasonal, any frequency
    "ql": {80: 0.83, 95: 0.98}, "qs": {80: 1.01, 95: 1.47},  # seasonal quarterly
    "ml": {80: 0.89, 95: 1.01}, "ms": {80: 0.81, 95: 1.01},  # seasonal monthly
}
#: Seasonal series of another season length use the monthly factors above this one.
MONTHLY_FROM = 6
#: Weight of the fixed factor against a series' own backtest, in backtest points (None: the
#: backtest is not used).
PRIOR_POINTS: float | None = None
#: A series' own factor is kept within these bounds.
SERIES_FACTOR_BOUNDS = (0.5, 3.0)


def kind(m: int, n: int, seasonal: bool) -> str:
    """The kind of a series of season length ``m`` and ``n`` values: yearly (y, ``m`` <= 1),
    not seasonal (n), seasonal quarterly (q, ``m`` <= ``MONTHLY_FROM``) or monthly (m); and
    short (s: at most 3 seasons, at least 12 values) or long (l)."""
    branch = "y" if m <= 1 else "n" if not seasonal else "q" if m <= MONTHLY_FROM else "m"
    return f"{branch}{'s' if n <= 3 * max(m, 4) else 'l'}"


def fixed_factors(m: int, n: int, seasonal: bool, levels: Sequence[int]) -> dict[int, float]:
    """``WIDTH_FACTORS`` of the series' kind per level (1 for a level without one)."""
    table = WIDTH_FACTORS[kind(m, n, seasonal)]
    return {lv: table.get(lv, 1.0) for lv in levels}


def scale(fc: ModelForecast, factors: Mapping[int, float]) -> ModelForecast:
    """``fc`` with the distance of each bound from the point forecast multiplied by the level's
    factor (levels without one unchanged)."""
    def side(bound: np.ndarray, level: int) -> np.ndarray:
        return fc.mean + factors.get(level, 1.0) * (bound - fc.mean)
    return ModelForecast(fc.name, fc.mean, {lv: (side(lo, lv), side(hi, lv))
                                            for lv, (lo, hi) in fc.intervals.items()})


def needed_ratios(actual: np.ndarray, fc: ModelForecast, level: int) -> np.ndarray:
    """Per value, the factor the ``level``% interval's side facing it needed to just hold it
    (|actual - forecast| over that side's width; 0 for an exact forecast, inf for a zero width)."""
    lo, hi = (b[: len(actual)] for b in fc.intervals[level])
    mean = fc.mean[: len(actual)]
    width = np.where(actual >= mean, hi - mean, mean - lo)
    miss = np.abs(actual - mean)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(miss == 0, 0.0, miss / width)


def series_factor(ratios: np.ndarray, level: int, prior: float,
                  bounds: tuple[float, float] = SERIES_FACTOR_BOUNDS) -> float:
    """A series' own factor from its backtest ``ratios`` (``needed_ratios``): their ``level``%
    quantile, shrunk in logs towards 1 with ``prior`` pseudo-points and kept within ``bounds``."""
    if not len(ratios):
        return 1.0
    raw = float(np.clip(np.quantile(ratios, level / 100), *bounds))
    return float(np.exp(len(ratios) / (len(ratios) + prior) * np.log(raw)))


def factors(m: int, n: int, seasonal: bool, backtest: Sequence[tuple[np.ndarray, ModelForecast]],
            levels: Sequence[int], prior: float | None = PRIOR_POINTS) -> dict[int, float]:
    """Factor per level for a series of season length ``m``, ``n`` values and ``seasonal`` or
    not: ``fixed_factors`` times, with a ``prior``, the series' own factor from its
    ``backtest`` (actual values and the forecast made before them, per origin)."""
    out = fixed_factors(m, n, seasonal, levels)
    if prior is None or not backtest:
        return out
    for lv in levels:
        usable = [needed_ratios(a, scale(fc, {lv: out[lv]}), lv) for a, fc in backtest
                  if lv in fc.intervals]
        if usable:
            out[lv] *= series_factor(np.concatenate(usable), lv, prior)
    return out
