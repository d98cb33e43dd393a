"""Tier arithmetic on integer money: slicing cumulative credit over bands and rounding rates.

All amounts are int64 cents (or centi-units for count measures). Bands are half-open
[lower, upper): reaching a bound exactly puts you in the band above it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from salesops.analysis.comp.plans import RATE_SCALE

#: A band with no upper bound is stored with this sentinel (larger than any realistic total).
OPEN = np.int64(2**62)


def round_half_away(numerator: np.ndarray, denominator: int) -> np.ndarray:
    """Exact ``numerator / denominator`` rounded half away from zero (half-up for positives)."""
    numerator = np.asarray(numerator, dtype=np.int64)
    sign = np.where(numerator < 0, -1, 1)
    return sign * ((np.abs(numerator) + denominator // 2) // denominator)


def round_cents(values: np.ndarray) -> np.ndarray:
    """Float cents rounded half away from zero; a 1e-6 cent nudge absorbs binary fractions."""
    values = np.asarray(values, dtype=np.float64)
    if values.size and values.min() >= 0:  # nothing to sign: three passes instead of five
        out = values + 0.5
        out += 1e-6
        return np.floor(out, out=out).astype(np.int64)
    out = np.abs(values, out=np.empty_like(values))
    out += 0.5
    out += 1e-6
    np.floor(out, out=out)
    np.copysign(out, values, out=out)  # in place: five passes, no temporaries
    return out.astype(np.int64)


def slices(before: np.ndarray, after: np.ndarray, lower: np.ndarray,
           upper: np.ndarray) -> np.ndarray:
    """Part of the move from ``before`` to ``after`` that falls in each band: shape (n, bands).

    ``lower``/``upper`` are (n, bands) or (bands,); a fall (negative move) gives negative slices.
    """
    b, a = before[:, None], after[:, None]
    return np.clip(a, lower, upper) - np.clip(b, lower, upper)


def band_of(values: np.ndarray, lower: Sequence[np.ndarray | int]) -> np.ndarray:
    """Index of the band each value falls in; ``lower`` holds each band's lower bound (a scalar
    or one per value). Bands are contiguous from 0, so values below 0 count as band 0."""
    band = np.zeros(np.shape(values), np.int8)  # plans have a handful of bands
    for bound in lower[1:]:
        band += values >= bound
    return band


def value_commission(credit: np.ndarray, rate_ppm: np.ndarray) -> np.ndarray:
    """Commission in cents of ``credit`` cents at a rate given in parts per million, rounded."""
    return round_half_away(np.asarray(credit, np.int64) * rate_ppm, RATE_SCALE)


def group_cumsum(values: np.ndarray, group_start: np.ndarray) -> np.ndarray:
    """Running total of ``values`` restarting where ``group_start`` is True (rows pre-sorted)."""
    total = np.cumsum(values)
    first = np.flatnonzero(group_start)
    before_group = (total - values)[first]
    return total - np.repeat(before_group, np.diff(first, append=values.size))
