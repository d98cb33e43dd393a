import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesops.analysis.forecast.calibration import (
    WIDTH_FACTORS,
    factors,
    kind,
    needed_ratios,
    scale,
    series_factor,
)
from salesops.analysis.forecast.fitted import ModelForecast


def fc(lo=80.0, mean=100.0, hi=120.0, n=1):
    return ModelForecast("x", np.full(n, mean), {80: (np.full(n, lo), np.full(n, hi))})


def test_scale_oracle():
    # each side about the forecast: 100 - 1.5·(100 - 80) = 70, 100 + 1.5·(130 - 100) = 145
    scaled = scale(fc(hi=130.0), {80: 1.5})
    assert scaled.intervals[80][0].tolist() == [70.0] and scaled.intervals[80][1].tolist() == [145.0]
    assert scaled.mean.tolist() == [100.0]
    assert scale(fc(), {95: 2.0}).intervals[80][1].tolist() == [120.0]  # no factor for 80: as is


def test_needed_ratios_oracle():
    # forecast 100, 80% interval 80-120: 110 needed 10/20 = 0.5 of the upper side, 60 needed
    # 40/20 = 2 of the lower side, an exact forecast 0
    ratios = needed_ratios(np.array([110.0, 60, 100]), fc(n=3), 80)
    assert ratios.tolist() == [0.5, 2.0, 0.0]


def test_series_factor_oracle():
    # 80% quantile of 0, 0.5, 1, 2 (linear): position 0.8·3 = 2.4 -> 1 + 0.4·(2 - 1) = 1.4;
    # 4 points against a prior of 4: weight 4/8, exp(0.5·log 1.4) = sqrt(1.4)
    assert series_factor(np.array([0.5, 2, 0, 1]), 80, prior=4) == pytest.approx(np.sqrt(1.4))
    assert series_factor(np.array([]), 80, prior=4) == 1.0
    assert series_factor(np.array([100.0] * 4), 80, prior=0) == pytest.approx(3.0)  # capped


def test_kinds():
    # short: at most 3 seasons (12 months x 3 = 36; quarters 4 x 3 = 12; years: 3 x 4 = 12)
    assert [kind(12, 36, True), kind(12, 37, True), kind(4, 12, True), kind(4, 13, True)] == [
        "ms", "ml", "qs", "ql"]
    assert [kind(1, 12, True), kind(1, 30, False), kind(12, 30, False), kind(4, 40, False)] == [
        "ys", "yl", "ns", "nl"]  # yearly whatever the test; not seasonal pooled over frequencies
    assert kind(7, 21, True) == "ms" and kind(6, 30, True) == "ql"  # monthly rows above 6


def test_factors_without_a_prior_are_the_fixed_ones():
    backtest = [(np.array([200.0]), fc())]
    fixed = WIDTH_FACTORS["ql"][80]
    assert factors(4, 40, True, backtest, (80,), prior=None) == {80: fixed}
    assert factors(4, 40, True, backtest, (50,), prior=None) == {50: 1.0}  # a level without one
    # with a prior of 0 the series' own need counts in full: 100/20 = 5, capped at 3
    assert factors(4, 40, True, backtest, (80,), prior=0)[80] == pytest.approx(3.0 * fixed)


@given(st.floats(1, 5), st.floats(-1e6, 1e6), st.floats(0, 1e6), st.floats(0, 1e6))
def test_widening_keeps_the_original_interval_inside(k, mean, below, above):
    original = fc(mean - below, mean, mean + above)
    lo, hi = scale(original, {80: k}).intervals[80]
    assert lo[0] <= original.intervals[80][0][0] + 1e-6 and hi[0] >= original.intervals[80][1][0] - 1e-6
