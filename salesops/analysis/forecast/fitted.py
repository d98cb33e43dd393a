"""The one model protocol: a model fitted once to a series forecasts any horizon with intervals.

Every candidate (``registry.MODELS``) returns a ``Fitted``: ``forecast(h)`` gives the point
forecasts and ``predict(h, levels)`` a ``ModelForecast`` with central prediction intervals,
the shape of a statsmodels results object's ``forecast`` / ``get_forecast``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from salesops.analysis.forecast.intervals import LEVELS, Intervals, normal_intervals


@dataclass(frozen=True)
class ModelForecast:
    """Point forecasts and prediction intervals (level -> (lower, upper)) of one model."""

    name: str
    mean: np.ndarray
    intervals: Intervals


class Fitted:
    """A fitted model. Subclasses give ``forecast`` and either ``sd`` (normal intervals) or
    ``intervals``."""

    name: str = "model"

    def forecast(self, h: int) -> np.ndarray:
        """Point forecasts of the next ``h`` periods."""
        raise NotImplementedError

    def sd(self, h: int) -> np.ndarray:
        """Standard deviations of the 1..h-step forecast errors."""
        raise NotImplementedError

    def intervals(self, mean: np.ndarray, levels: Sequence[int]) -> Intervals:
        """Central ``levels``% intervals around the point forecasts ``mean``."""
        return normal_intervals(mean, self.sd(len(mean)), levels)

    def predict(self, h: int, levels: Sequence[int] = LEVELS) -> ModelForecast:
        """Point forecasts and intervals of the next ``h`` periods."""
        mean = self.forecast(h)
        return ModelForecast(self.name, mean, self.intervals(mean, levels) if levels else {})


AGGREGATES = {"mean": np.mean, "median": np.median}


def combine(forecasts: Sequence[ModelForecast], name: str = "combination",
            how: str = "mean") -> ModelForecast:
    """Equal-weight combination of point forecasts and, by averaging quantiles, of intervals."""
    agg = AGGREGATES[how]
    mean = agg([f.mean for f in forecasts], axis=0)
    levels = set.intersection(*(set(f.intervals) for f in forecasts))
    intervals = {
        lv: (agg([f.intervals[lv][0] for f in forecasts], axis=0),
             agg([f.intervals[lv][1] for f in forecasts], axis=0))
        for lv in sorted(levels)
    }
    return ModelForecast(name, mean, intervals)


@dataclass(frozen=True)
class Combination(Fitted):
    """Fitted members combined point by point and bound by bound (``combine``)."""

    members: tuple[Fitted, ...]
    how: str = "mean"
    name: str = "combination"

    def forecast(self, h: int) -> np.ndarray:
        return AGGREGATES[self.how]([m.forecast(h) for m in self.members], axis=0)

    def predict(self, h: int, levels: Sequence[int] = LEVELS) -> ModelForecast:
        return combine([m.predict(h, levels) for m in self.members], self.name, self.how)
