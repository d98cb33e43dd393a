import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesops.analysis.forecast.models import ModelForecast
from salesops.analysis.forecast.reconcile import reconcile, wls_adjustments


def test_wls_oracle():
    # total 100, parts 30 + 50 = 80: gap 20; variances total 2, parts 1 and 1 -> denom 4
    d_total, d_parts = wls_adjustments(np.array([100.0]), np.array([[30.0], [50.0]]),
                                       np.array([2.0]), np.array([[1.0], [1.0]]))
    assert d_total.tolist() == [-10.0]  # -2 * 20 / 4
    assert d_parts.ravel().tolist() == [5.0, 5.0]  # 1 * 20 / 4 each -> 35 + 55 = 90 = 100 - 10


def fc(values, half_width):
    v = np.asarray(values, float)
    return ModelForecast("x", v, {80: (v - half_width, v + half_width)})


@given(st.lists(st.floats(0, 1e6), min_size=2, max_size=5), st.floats(0, 1e6),
       st.lists(st.floats(0, 1e4), min_size=5, max_size=5))
def test_parts_sum_to_total(parts, total, widths):
    pieces = {f"r{i}": fc([p, p * 2], widths[i]) for i, p in enumerate(parts)}
    new_total, new_parts = reconcile(fc([total, total], widths[-1]), pieces)
    summed = np.sum([p.mean for p in new_parts.values()], axis=0)
    assert summed == pytest.approx(new_total.mean, rel=1e-9, abs=1e-6)


def test_interval_width_kept():
    total, parts = reconcile(fc([100.0], 10), {"a": fc([30.0], 5), "b": fc([50.0], 5)})
    lo, hi = parts["a"].intervals[80]
    assert (hi - lo)[0] == pytest.approx(10.0)
