"""The engine's array helpers: radix ordering equals numpy's stable sort."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.analysis.comp.arrays import stable_order

keys = st.lists(st.integers(0, 2**40), max_size=300)


@settings(max_examples=80, deadline=None)
@given(keys, st.sampled_from([1, 7, 2**16, 2**40]))
def test_stable_order_is_numpys_stable_argsort(values, modulus):
    key = np.array(values, np.int64) % modulus  # small moduli: many ties, one radix pass
    assert (stable_order(key) == np.argsort(key, kind="stable")).all()


def test_stable_order_on_sorted_and_nearly_sorted_keys():
    rng = np.random.default_rng(3)
    run = np.sort(rng.integers(0, 5000, 10_000))
    for key in (run, np.concatenate([run, rng.integers(0, 5000, 50)]), run[::-1].copy()):
        assert (stable_order(key) == np.argsort(key, kind="stable")).all()
