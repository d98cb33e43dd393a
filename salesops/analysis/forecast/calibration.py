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

#: Fixed factor on the half-widths per level.
WIDTH_FACTORS: dict[int, float] = {80: 1.0, 95: 1.0}
#: Weight of the fixed factor against a series' own backtest, in backtest points (None: the
#: backtest is not used).
PRIOR_POINTS: float | None = None
#: A series' own factor is kept within these bounds.
SERIES_FACTOR_BOUNDS = (0.5, 3.0)


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


def factors(backtest: Sequence[tuple[np.ndarray, ModelForecast]], levels: Sequence[int],
            prior: float | None = PRIOR_POINTS) -> dict[int, float]:
    """Factor per level: ``WIDTH_FACTORS`` times, with a ``prior``, the series' own factor from
    its ``backtest`` (actual values and the forecast made before them, per origin)."""
    out = {lv: WIDTH_FACTORS.get(lv, 1.0) for lv in levels}
    if prior is None or not backtest:
        return out
    for lv in levels:
        usable = [needed_ratios(a, scale(fc, {lv: out[lv]}), lv) for a, fc in backtest
                  if lv in fc.intervals]
        if usable:
            out[lv] *= series_factor(np.concatenate(usable), lv, prior)
    return out
