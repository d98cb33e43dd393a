import numpy as np
import pytest

from salesops.analysis.forecast.ces import CesFit, fit, forecastable, one_step


def loop_one_step(params, y):
    """The CES recursion written out literally (see the module docstring)."""
    a0, a1, level, potential = params
    out = []
    for value in y:
        out.append(level)
        e = value - level
        level, potential = (level - (1 - a1) * potential + (a0 - a1) * e,
                            level + (1 - a0) * potential + (a0 + a1) * e)
    return np.array(out)


def test_one_step_oracle_by_hand():
    # a0 = 1, a1 = 1 (so l_t = l_{t-1} + 0·c + 0·e, c_t = l_{t-1} + 0·c + 2e), l0 = 10, c0 = 4
    # t=1: fitted 10, e = 12 - 10 = 2 -> l1 = 10, c1 = 10 + 4 = 14
    # t=2: fitted 10, e = 8 - 10 = -2 -> l2 = 10 ...: the level never moves when a0 = a1 = 1
    assert one_step([1.0, 1.0, 10.0, 4.0], np.array([12.0, 8.0, 11.0])).tolist() == [10, 10, 10]
    # a0 = 1.5, a1 = 1, l0 = 10, c0 = 0, y = (12, 12)
    # t=1: fitted 10, e = 2 -> l1 = 10 - 0·0 + 0.5·2 = 11, c1 = 10 + (-0.5)·0 + 2.5·2 = 15
    # t=2: fitted 11
    assert one_step([1.5, 1.0, 10.0, 0.0], np.array([12.0, 12.0])) == pytest.approx([10, 11])


@pytest.mark.parametrize("params", [(1.3, 1.0, 5.0, 5.0), (1.1, 0.8, -2.0, 3.0), (1.6, 1.2, 0.0, 1.0)])
def test_linear_filter_matches_the_recursion(params):
    y = np.random.default_rng(0).normal(10, 3, 40)
    assert np.allclose(one_step(params, y), loop_one_step(params, y))


def test_forecast_and_intervals_oracle():
    # a0 = a1 = 1: F = [[1, 0], [1, 0]], g = (0, 2); state (7, 3) -> level stays 7
    result = CesFit(1.0, 1.0, np.array([7.0, 3.0]), 2.0)
    assert result.forecast(3).tolist() == [7, 7, 7]
    # impulse weights: 1, w'g = 0, w'Fg = 0 -> sd = 2, 2, 2
    assert result.sd(3).tolist() == [2, 2, 2]
    # a0 = 1.5, a1 = 1: F = [[1, 0], [1, -0.5]], g = (0.5, 2.5)
    # weights 1, 0.5, w'F g = 0.5 -> sd = 1·sqrt(1), sqrt(1.25), sqrt(1.5)
    result = CesFit(1.5, 1.0, np.array([0.0, 0.0]), 1.0)
    assert result.sd(3) == pytest.approx(np.sqrt([1, 1.25, 1.5]))


def test_follows_a_trend_and_a_level():
    t = np.arange(60.0)
    noise = np.random.default_rng(3).normal(0, 1, 60)
    trend = fit(100 + 2 * t + noise).forecast(6)
    assert trend[0] == pytest.approx(220, abs=6) and trend[-1] > trend[0]  # still rising
    fc = fit(50 + noise).predict(6, (80, 95))
    level, intervals = fc.mean, fc.intervals
    assert fc.name == "ces"
    assert np.allclose(level, 50, atol=1.5)
    lo80, hi80 = intervals[80]
    lo95, hi95 = intervals[95]
    assert np.all(lo95 < lo80) and np.all(lo80 < level) and np.all(hi80 < hi95)


def test_fitted_model_is_forecastable_and_deterministic():
    y = 20 + np.random.default_rng(5).normal(0, 2, 30).cumsum()
    first, second = fit(y), fit(y)
    assert (first.a0, first.a1, first.sigma) == (second.a0, second.a1, second.sigma)
    assert np.array_equal(first.state, second.state)
    d = np.array([[1 - (first.a0 - first.a1), -(1 - first.a1)],
                  [1 - (first.a0 + first.a1), 1 - first.a0]])
    assert np.max(np.abs(np.linalg.eigvals(d))) < 1


@pytest.mark.parametrize("a0, a1", [(1.3, 1.0), (1.0, 1.0), (2.5, 1.0), (0.2, 3.0), (1.9, 0.1), (0.5, 0.5)])
def test_forecastable_matches_the_eigenvalues(a0, a1):
    d = np.array([[1 - (a0 - a1), -(1 - a1)], [1 - (a0 + a1), 1 - a0]])
    assert forecastable(a0, a1) == (np.max(np.abs(np.linalg.eigvals(d))) < 1)
