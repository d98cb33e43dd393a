"""The engine's array helpers: radix ordering equals numpy's stable sort; the string gather
equals pandas' take; whole-cent allocation adds up exactly."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.analysis.comp.arrays import allocate_cents, stable_order, take_strings

keys = st.lists(st.integers(0, 2**40), max_size=300)


@settings(max_examples=80, deadline=None)
@given(keys, st.sampled_from([1, 7, 2**16, 2**40]))
def test_stable_order_is_numpys_stable_argsort(values, modulus):
    key = np.array(values, np.int64) % modulus  # small moduli: many ties, one radix pass
    assert (stable_order(key) == np.argsort(key, kind="stable")).all()



@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2**60), st.integers(0, 400)), max_size=300),
       st.sampled_from([3, 2**11, 2**60]))
def test_stable_order_of_two_keys_is_lexsort(pairs, modulus):
    """Narrow keys take the packed sort; 2**60-wide ones (with the day) the radix passes."""
    group = np.array([p[0] for p in pairs], np.int64) % modulus
    day = np.array([p[1] for p in pairs], np.int32)
    assert (stable_order(group, day) == np.lexsort((day, group))).all()

def test_stable_order_on_sorted_and_nearly_sorted_keys():
    rng = np.random.default_rng(3)
    run = np.sort(rng.integers(0, 5000, 10_000))
    for key in (run, np.concatenate([run, rng.integers(0, 5000, 50)]), run[::-1].copy()):
        assert (stable_order(key) == np.argsort(key, kind="stable")).all()


def test_take_strings_fixed_width_with_missing():
    ids = pd.Series(["o1", "o2", "o3", "o4"]).array[1:]  # a slice: the buffers start at "o2"
    out = take_strings(ids, np.array([2, -1, 0, 0], np.int32))
    assert out.dtype == ids.dtype
    assert pd.Series(out).tolist()[0::2] == ["o4", "o2"] and pd.isna(out[1]) and out[3] == "o2"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=3), min_size=1, max_size=30), st.booleans(), st.data())
def test_take_strings_is_pandas_take(words, same_width, data):
    if same_width:  # every string one byte length: the byte-record path
        words = [w.encode()[:1].decode(errors="ignore").ljust(2, "x") for w in words]
    values = pd.Series(words, dtype="str").array
    index = np.array(data.draw(st.lists(st.integers(-1, len(words) - 1), max_size=40)), np.int64)
    expected = values.take(index, allow_fill=True)
    assert pd.Series(take_strings(values, index)).equals(pd.Series(expected))


def test_allocate_cents_largest_remainder_oracle():
    # 100 cents in thirds: 33.33 each, floors 99, the one cent left to the first largest remainder
    assert allocate_cents(100, [1, 1, 1]).tolist() == [34, 33, 33]
    # 10 cents by 1:2:7 is exact; all-zero weights split equally; nothing to split
    assert allocate_cents(10, [1, 2, 7]).tolist() == [1, 2, 7]
    assert allocate_cents(5, [0, 0]).tolist() == [3, 2]
    assert allocate_cents(7, []).tolist() == []


@given(st.integers(-10**13, 10**13), st.lists(st.integers(0, 10**12), min_size=1, max_size=30))
def test_allocated_cents_sum_exactly_to_the_total(total, weights):
    parts = allocate_cents(total, weights)
    assert int(parts.sum()) == total
    whole = sum(weights) or len(weights)
    shares = [Fraction(total * (w if sum(weights) else 1), whole) for w in weights]
    assert all(abs(p - s) < 1 for p, s in zip(parts.tolist(), shares, strict=True))
