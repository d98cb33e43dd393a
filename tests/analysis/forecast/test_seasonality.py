import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.analysis.forecast.seasonality import acf_seasonal, is_seasonal, seasonality

PATTERN = 1 + 0.25 * np.sin(2 * np.pi * np.arange(12) / 12 + 1.0)  # peaks +-25%


def three_years(seed: int, noise: float = 0.05, pattern: np.ndarray = PATTERN) -> np.ndarray:
    """36 months of growing sales with a yearly pattern and multiplicative noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(36)
    return (100 + 2 * t) * pattern[t % 12] * (1 + rng.normal(0, noise, 36))


def test_yearly_pattern_in_three_years_is_detected():
    # the M4 autocorrelation test cannot see it: 36 values give r12 <= 24/36 while the
    # pattern's own r1..r11 widen the limit; the F-test on the monthly changes can
    detected = [is_seasonal(three_years(seed), 12) for seed in range(50)]
    assert np.mean(detected) >= 0.95
    assert not any(acf_seasonal(three_years(seed), 12) for seed in range(10))
    season = seasonality(three_years(0), 12)
    assert season.kind == "multiplicative" and season.period == 12
    assert np.argmax(season.indices) == np.argmax(PATTERN)


def non_seasonal(kind: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(36)
    if kind == "white":
        return 100 * (1 + rng.normal(0, 0.1, 36))
    if kind == "trend":
        return (100 + 2 * t) * (1 + rng.normal(0, 0.1, 36))
    return 100 * np.exp(np.cumsum(rng.normal(0, 0.05, 36)))  # random walk


@pytest.mark.parametrize("kind, limit", [("white", 0.16), ("trend", 0.16), ("random_walk", 0.09)])
def test_false_positive_rate_of_non_seasonal_controls(kind, limit):
    # measured over 500 series each (docs/forecasting.md): white noise 12.2%, trend 11.0%,
    # random walk 5.0% (changes of white noise are negatively autocorrelated, which the
    # analysis of variance does not assume); here 200 series each
    rate = np.mean([is_seasonal(non_seasonal(kind, seed), 12) for seed in range(200)])
    assert rate <= limit


def test_f_test_oracle():
    # y = 1, 2, 1, 2, 1, 2 (m = 2, not all positive logs: they are, so changes of the logs)
    # changes d = +l, -l, +l, -l, +l with l = log 2, at positions 1, 0, 1, 0, 1:
    # within each position no spread, between them 2l: seasonal
    assert is_seasonal(np.array([1.0, 2, 1, 2, 1, 2]), 2)
    # y = 0, 1, 3, 4, 6 (a zero: changes on the series' scale) with m = 2:
    # changes 1, 2, 1, 2 at positions 1, 0, 1, 0; means 1.5 overall, 1 and 2 per position
    # total SS = 4·0.25 = 1, within SS = 0, between = 1 -> F infinite: seasonal
    assert is_seasonal(np.array([0.0, 1, 3, 4, 6]), 2)
    # y = 0, 1, 3, 4, 6, 8 with m = 2: changes 1, 2, 1, 2, 2 at positions 1, 0, 1, 0, 1
    # position 0: 2, 2 (mean 2, SS 0); position 1: 1, 1, 2 (mean 4/3, SS 2/3)
    # total: mean 8/5, SS = 2·0.6² + 3·0.4² = 1.2; between = 1.2 - 2/3 = 8/15
    # F = (8/15 / 1) / ((2/3) / (5 - 2)) = 2.4 on (1, 3) degrees of freedom, p = 0.219
    from scipy import stats
    assert stats.f.sf(2.4, 1, 3) == pytest.approx(0.219, abs=1e-3)
    assert not is_seasonal(np.array([0.0, 1, 3, 4, 6, 8]), 2)  # not at 5%
    assert is_seasonal(np.array([0.0, 1, 3, 4, 6, 8]), 2, alpha=0.25)
    assert not is_seasonal(np.array([0.0, 1, 3, 4, 6, 8]), 2, alpha=0.2)


def test_needs_two_seasons_and_a_varying_series():
    assert not is_seasonal(three_years(0)[:23], 12)
    assert not is_seasonal(np.ones(40), 12)
    assert not is_seasonal(three_years(0), 1)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.floats(1e-3, 1e6))
def test_detection_does_not_depend_on_the_scale(seed, scale):
    y = three_years(seed, noise=0.15)
    assert is_seasonal(y * scale, 12) == is_seasonal(y, 12)
