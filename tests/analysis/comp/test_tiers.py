"""Tier arithmetic helpers: cent rounding."""

from __future__ import annotations

import numpy as np

from salesops.analysis.comp.tiers import round_cents


def test_round_cents_half_away_from_zero():
    # 2.5 -> 3, -2.5 -> -3, 1.49 -> 1, 0.4999995 + 0.5 + 1e-6 = 1.0000005 -> 1 (the nudge),
    # -0.0 -> 0
    values = np.array([2.5, -2.5, 1.49, 0.4999995, -0.0, 123456789.5])
    assert round_cents(values).tolist() == [3, -3, 1, 1, 0, 123456790]
    assert round_cents(np.float64(-1.5)) == -2
