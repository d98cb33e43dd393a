"""Prediction-interval levels and normal intervals, shared by every forecasting model."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

LEVELS: tuple[int, ...] = (80, 95)
Intervals = dict[int, tuple[np.ndarray, np.ndarray]]


def normal_intervals(mean: np.ndarray, sd: np.ndarray, levels: Sequence[int]) -> Intervals:
    """Central ``level``% intervals of normal forecast errors with standard deviations ``sd``."""
    out: Intervals = {}
    for level in levels:
        z = stats.norm.ppf(0.5 + level / 200)
        out[level] = (mean - z * sd, mean + z * sd)
    return out
