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


def test_nonnegative_oracle_holds_a_part_at_zero():
    from salesops.analysis.forecast.reconcile import nonnegative_adjustments
    # total 10 (variance 1), parts a = 30 (1), b = 5 (3): gap 10 - 35 = -25, denominator 5
    # plain WLS: total +5, a -5, b -15 -> b = -10 < 0, so b is held at 0 (shift -5) and the
    # rest solved again: gap 10 - 30 = -20, denominator 1 + 1 = 2 -> total +10, a -10
    # result: a = 20, b = 0, total = 20 = 20 + 0
    d_total, d_parts = nonnegative_adjustments(np.array([10.0]), np.array([[30.0], [5.0]]),
                                               np.array([1.0]), np.array([[1.0], [3.0]]))
    assert d_parts.ravel().tolist() == [-10.0, -5.0]
    assert d_total.tolist() == [10.0]


def test_reconciled_bounds_never_negative():
    # b's 80% interval is 5 +- 20: shifted by -5 its lower bound would be -20, floored at 0
    total, parts = reconcile(fc([10.0], 1.2816), {"a": fc([30.0], 1.2816), "b": fc([5.0], 20)})
    for f in (total, *parts.values()):
        assert np.all(f.mean >= 0)
        for lo, hi in f.intervals.values():
            assert np.all(lo >= 0) and np.all(hi >= lo)
    assert parts["a"].mean + parts["b"].mean == pytest.approx(total.mean)


@given(st.lists(st.floats(0, 1e6), min_size=2, max_size=5), st.floats(0, 1e6),
       st.lists(st.floats(0, 1e6), min_size=5, max_size=5))
def test_nonnegative_series_stay_nonnegative_and_coherent(parts, total, widths):
    pieces = {f"r{i}": fc([p, p / 2], widths[i]) for i, p in enumerate(parts)}
    new_total, new_parts = reconcile(fc([total, total], widths[-1]), pieces)
    summed = np.sum([p.mean for p in new_parts.values()], axis=0)
    assert summed == pytest.approx(new_total.mean, rel=1e-9, abs=1e-6)
    for f in (new_total, *new_parts.values()):
        assert np.all(f.mean >= 0) and all(np.all(lo >= 0) for lo, _ in f.intervals.values())
