"""Memoised model fits: the same history is fitted once per process."""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

FIT_CACHE_SIZE = 64


def fit_cache(fn: Callable) -> Callable:
    """Memoise a fit on the exact values of the series and the other arguments. Fits are
    deterministic, so a backtest origin and a past snapshot with the same history (or a
    rerun) share one fit; forecasts are then drawn from it for any horizon and levels."""
    @functools.lru_cache(maxsize=FIT_CACHE_SIZE)
    def cached(data: bytes, *args):
        return fn(np.frombuffer(data).copy(), *args)

    @functools.wraps(fn)
    def wrapper(x: np.ndarray, *args):
        return cached(np.ascontiguousarray(x, dtype=float).tobytes(), *args)
    wrapper.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    wrapper.cache_info = cached.cache_info  # type: ignore[attr-defined]
    return wrapper
