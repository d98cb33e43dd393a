"""Array helpers for the comp engine: a linear-time stable ordering of integer keys, a fast
gather of fixed-width string ids, and whole-cent allocation that adds up exactly."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

_DIGIT = 16  # numpy sorts 16-bit integers stably with a radix sort
_MASK = (1 << _DIGIT) - 1


def stable_order(*keys: np.ndarray) -> np.ndarray:
    """Stable argsort by ``keys`` (most significant first) of non-negative integers.

    The same order as ``np.lexsort`` (or, for one key, ``np.argsort(key, kind="stable")``),
    several times faster on a million keys: keys and row number packed in one int64 and sorted
    when they fit, else LSD radix passes over 16-bit digits, O(n) each. One nearly sorted key
    (a few long sorted runs) goes to numpy's timsort, linear on it.
    """
    keys = tuple(np.asarray(k) for k in keys)
    n = keys[0].size
    if len(keys) == 1 and n > 1:
        descents = np.count_nonzero(keys[0][1:] < keys[0][:-1])
        if not descents:
            return np.arange(n)
        if descents < n // 64:
            return np.argsort(keys[0], kind="stable")
    if n and min(int(k.min()) for k in keys) < 0:
        raise ValueError("stable_order: keys must be non-negative")
    packed = _packed_order(keys, n)
    if packed is not None:
        return packed
    order = None
    for key in reversed(keys):
        top, shift = int(key.max()) if n else 0, 0
        while True:
            part = key if order is None else np.take(key, order)
            digit = (part if top <= _MASK else (part >> shift) & _MASK).astype(np.uint16)
            step = np.argsort(digit, kind="stable")
            order = step if order is None else np.take(order, step)
            shift += _DIGIT
            if not top >> shift:
                break
    return order if order is not None else np.arange(n)


def _packed_order(keys: tuple[np.ndarray, ...], n: int) -> np.ndarray | None:
    """Stable order by sorting one int64 per row packing its keys above its row number.

    The packed values are unique, so numpy's (vectorised, unstable) sort gives the stable
    order, about twice as fast as two radix passes; None when the bits do not fit in 63.
    """
    if not n:
        return None
    index_bits = max(int(n - 1).bit_length(), 1)
    widths = [int(k.max()).bit_length() for k in keys]
    if sum(widths) + index_bits > 63:
        return None
    packed, part, shift = np.arange(n, dtype=np.int64), np.empty(n, np.int64), index_bits
    for key, width in zip(reversed(keys), reversed(widths), strict=True):
        np.left_shift(key, shift, out=part, dtype=np.int64, casting="unsafe")  # fits: checked
        packed |= part
        shift += width
    packed.sort()
    return np.bitwise_and(packed, (1 << index_bits) - 1, out=packed)


def take_strings(values: pd.api.extensions.ExtensionArray, indices: np.ndarray
                 ) -> pd.api.extensions.ExtensionArray:
    """``values.take(indices, allow_fill=True)`` (-1 = missing) for an array of strings.

    Ids of one fixed width (CRM ids usually are) are gathered as fixed-size byte records with
    numpy, several times faster on a million scattered indices than a string take.
    """
    fixed = _fixed_width_bytes(values)
    if fixed is None:
        return values.take(indices, allow_fill=True)
    records, width = fixed
    valid = indices >= 0
    data = np.take(records, np.where(valid, indices, 0))
    n = indices.size
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
    mask = None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))
    out = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data), mask)
    return type(values)(pa.chunked_array([out]), dtype=values.dtype)


def _fixed_width_bytes(values: object) -> tuple[np.ndarray, int] | None:
    """(records as ``S{width}``, width) of a pyarrow-backed string array without missing values
    whose strings all have one byte length; None otherwise."""
    chunked = getattr(values, "_pa_array", None)
    if not isinstance(chunked, pa.ChunkedArray) or not pa.types.is_large_string(chunked.type):
        return None
    arr = chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0)
    if len(arr) == 0 or arr.null_count:
        return None
    _, offset_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(offset_buf, np.int64, len(arr) + 1, arr.offset * 8)
    width = int(offsets[1] - offsets[0])
    if width == 0 or np.any(np.diff(offsets) != width):
        return None
    raw = np.frombuffer(data_buf, np.uint8, offsets[-1] - offsets[0], int(offsets[0]))
    return raw.view(f"S{width}"), width


def allocate_cents(total: int, weights: Sequence[int]) -> np.ndarray:
    """``total`` cents split in proportion to integer ``weights`` (>= 0; all zero: equal parts)
    by largest remainder: whole cents that sum exactly to ``total``, each within a cent of its
    exact share (ties go to the earlier weight)."""
    w = [int(x) for x in weights]
    if any(x < 0 for x in w):
        raise ValueError("allocate_cents: weights must be >= 0")
    if not w:
        return np.zeros(0, np.int64)
    if not any(w):
        w = [1] * len(w)
    whole, total = sum(w), int(total)
    parts = [total * x // whole for x in w]  # exact integer floor of each share
    rest = [total * x % whole for x in w]
    for i in sorted(range(len(w)), key=lambda i: -rest[i])[:total - sum(parts)]:
        parts[i] += 1
    return np.array(parts, dtype=np.int64)
