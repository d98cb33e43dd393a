"""Rolling-origin backtests: refit on the history up to each origin, score the next periods.

Models are judged on forecasts they did not see (out of sample), never on in-sample fit.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from salesops.analysis.forecast import metrics
from salesops.analysis.forecast.fitted import ModelForecast

SCORES = ("smape", "mape", "mase", "bias")


def origins(n: int, h: int, count: int, min_train: int) -> list[int]:
    """Training lengths (cut points) of up to ``count`` origins, latest first, one period apart.

    Each origin leaves ``h`` periods to score (fewer when the history is short, at least 1).
    """
    horizon = max(1, min(h, n - min_train))
    cuts = [n - horizon - i for i in range(count)]
    return [c for c in cuts if c >= min_train]


def score(forecast: ModelForecast, actual: np.ndarray, history: np.ndarray, m: int) -> dict:
    """All accuracy scores of one forecast against the actuals that followed it."""
    mean = forecast.mean[: len(actual)]
    return {
        "smape": metrics.smape(actual, mean),
        "mape": metrics.mape(actual, mean),
        "mase": metrics.mase(actual, mean, history, m),
        "bias": metrics.bias(actual, mean),
    }


Run = tuple[int, np.ndarray, dict[str, ModelForecast]]  # (cut, actual values, forecasts)


def rolling_forecasts(
    y: np.ndarray, h: int, forecaster: Callable[[np.ndarray, int], dict[str, ModelForecast]],
    count: int = 3, min_train: int = 8,
) -> list[Run]:
    """At each origin (``origins``): the cut, the actual values after it and the forecasts
    ``forecaster(history, horizon)`` made from the history before it."""
    y = np.asarray(y, dtype=float)
    runs = []
    for cut in origins(len(y), h, count, min_train):
        history, actual = y[:cut], y[cut: cut + h]
        runs.append((cut, actual, forecaster(history, len(actual))))
    return runs


def score_runs(runs: list[Run], y: np.ndarray, m: int) -> pd.DataFrame:
    """Scores of every model at every origin of ``runs``: one row per (origin, model)."""
    rows = [{"origin": cut, "model": name, **score(fc, actual, np.asarray(y, float)[:cut], m)}
            for cut, actual, forecasts in runs for name, fc in forecasts.items()]
    return pd.DataFrame(rows, columns=["origin", "model", *SCORES])


def rolling_origin(
    y: np.ndarray, h: int, m: int,
    forecaster: Callable[[np.ndarray, int], dict[str, ModelForecast]],
    count: int = 3, min_train: int = 8,
) -> pd.DataFrame:
    """Scores of every model at every origin: one row per (origin, model).

    ``forecaster(history, horizon)`` returns the candidate forecasts for one origin.
    """
    return score_runs(rolling_forecasts(y, h, forecaster, count, min_train), y, m)


def summarise(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean score per model over the origins (plus the number of origins), best MASE first."""
    if scores.empty:
        return pd.DataFrame(columns=["model", *SCORES, "origins"])
    summary = scores.groupby("model", sort=False)[list(SCORES)].mean()
    summary["origins"] = scores.groupby("model", sort=False)["origin"].nunique()
    return summary.sort_values(["mase", "smape"]).reset_index()
