import numpy as np
import pytest

from salesops.analysis.forecast.models import (
    ModelForecast,
    acf_seasonal,
    adjusted_forecast,
    combine,
    is_seasonal,
    seasonal_naive,
    seasonality,
)


def seasonal_series(n=60, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    pattern = np.array([1.0, 0.8, 1.3, 0.9, 0.8, 1.4, 0.9, 0.8, 1.3, 1.0, 0.9, 1.6])
    return (100 + t) * pattern[t % 12] * (1 + rng.normal(0, 0.02, n))


def test_seasonality_detected_and_indices_normalised():
    y = seasonal_series()
    assert is_seasonal(y, 12)
    s = seasonality(y, 12)
    assert s.kind == "multiplicative"
    assert s.indices.mean() == pytest.approx(1.0)
    assert s.indices[11] > s.indices[1]  # December peak above February
    assert np.allclose(s.restore(s.adjust(y), 0), y)


def test_no_seasonality_for_short_or_flat_series():
    assert not is_seasonal(np.arange(20.0), 12)  # fewer than 2 seasons
    assert seasonality(np.ones(40), 12).kind == "none"


def test_seasonal_naive_oracle():
    y = np.array([1.0, 2, 3, 4, 5, 6, 7, 8])
    fc = seasonal_naive(y, 6, 4)
    assert fc.mean.tolist() == [5, 6, 7, 8, 5, 6]
    lo, hi = fc.intervals[80]
    assert np.all(hi - lo == pytest.approx(0.0))  # seasonal differences are all 4: no spread


@pytest.mark.parametrize("name", ["naive2", "ses", "holt_damped", "theta", "ces", "arima"])
def test_adjusted_models_give_finite_ordered_intervals(name):
    y = seasonal_series()
    fc = adjusted_forecast(name, y, 12, seasonality(y, 12))
    assert fc.mean.shape == (12,) and np.all(np.isfinite(fc.mean))
    lo80, hi80 = fc.intervals[80]
    lo95, hi95 = fc.intervals[95]
    assert np.all(lo95 <= lo80 + 1e-9) and np.all(lo80 <= fc.mean + 1e-9)
    assert np.all(fc.mean <= hi80 + 1e-9) and np.all(hi80 <= hi95 + 1e-9)


def test_unknown_model():
    with pytest.raises(ValueError, match="unknown model"):
        adjusted_forecast("prophet", np.ones(30), 3, seasonality(np.ones(30), 12))


def test_combine_mean_and_median():
    a = ModelForecast("a", np.array([1.0, 2]), {80: (np.array([0.0, 1]), np.array([2.0, 3]))})
    b = ModelForecast("b", np.array([3.0, 4]), {80: (np.array([2.0, 3]), np.array([4.0, 5]))})
    c = ModelForecast("c", np.array([8.0, 9]), {80: (np.array([7.0, 8]), np.array([9.0, 10]))})
    mean = combine([a, b, c])
    assert mean.mean.tolist() == [4.0, 5.0]  # (1+3+8)/3, (2+4+9)/3
    assert mean.intervals[80][0].tolist() == [3.0, 4.0]
    assert combine([a, b, c], how="median").mean.tolist() == [3.0, 4.0]


def test_positive_series_are_modelled_in_logs():
    # Naive on logs: the point forecast is the last value and the interval log-normal: the
    # 80% bounds one step ahead are 100·exp(±1.2816·sd) with sd the spread of the
    # log-differences (±log 2), so the upper bound is further from 100 than the lower
    y = np.array([100.0, 200, 100, 200, 100])
    none = seasonality(y, 12)
    fc = adjusted_forecast("naive2", y, 1, none, (80,))
    lo, hi = fc.intervals[80]
    sd = np.std(np.diff(np.log(y)))
    assert fc.mean[0] == pytest.approx(100)
    assert lo[0] == pytest.approx(100 * np.exp(-1.2815516 * sd))
    assert hi[0] == pytest.approx(100 * np.exp(1.2815516 * sd))
    assert hi[0] - 100 > 100 - lo[0]


def test_series_with_zero_stay_on_their_scale():
    y = np.array([0.0, 200, 100, 200, 100])
    fc = adjusted_forecast("naive2", y, 1, seasonality(y, 12), (80,))
    lo, hi = fc.intervals[80]
    assert hi[0] - 100 == pytest.approx(100 - lo[0])  # symmetric normal interval


def test_exponential_growth_is_followed_in_logs():
    y = 100 * 1.03 ** np.arange(48)
    fc = adjusted_forecast("holt_damped", y, 6, seasonality(y, 12), ())
    assert fc.mean[0] == pytest.approx(100 * 1.03 ** 48, rel=0.01)


def test_theta_on_a_perfectly_seasonal_series_repeats_the_pattern():
    # adjusted, the series is flat (to rounding): Theta must not extrapolate a 0/0 drift
    y = np.tile([100.0, 150, 80, 120], 6)
    fc = adjusted_forecast("theta", y, 4, seasonality(y, 4), (80,))
    assert fc.mean == pytest.approx([100, 150, 80, 120])


@pytest.mark.filterwarnings("ignore::Warning")  # statsmodels convergence chatter on 8 points
def test_arima_orders_need_three_values_per_parameter():
    from salesops.analysis.forecast.models import ARIMA_ORDERS, fit_arima
    rng = np.random.default_rng(2)
    # 12 stationary values, d = 0: 3·(p + q + 2) <= 12 allows p + q <= 2 only
    short = fit_arima(50 + rng.normal(0, 1, 12)).results
    assert short.model.order[0] + short.model.order[2] <= 2
    # 8 values: only p = q = 0 (3·2 = 6 <= 8; 3·3 = 9 > 8)
    assert fit_arima(50 + rng.normal(0, 1, 8)).results.model.order[::2] == (0, 0)
    assert max(p + q for p, q in ARIMA_ORDERS) == 4  # 48 M3 values keep all: 3·6 = 18 <= 46


def quarter_end_months(n=30, seed=4):
    """Monthly bookings peaking in every third month (quarter ends), no yearly pattern."""
    rng = np.random.default_rng(seed)
    return np.tile([1.0, 1.5, 4.0], n // 3) * 100 * (1 + rng.normal(0, 0.05, n))


def test_seasonality_falls_back_to_a_shorter_period():
    y = quarter_end_months(21)
    assert seasonality(y, 12).kind == "none"  # 21 months: the yearly test needs 2 years
    s = seasonality(y, 12, also=(3,))
    assert (s.period, s.kind) == (3, "multiplicative")
    # indices near (1, 1.5, 4) / mean 2.1667 = (0.46, 0.69, 1.85)
    assert s.indices == pytest.approx([0.46, 0.69, 1.85], abs=0.04)
    # a trend is autocorrelated at every short lag, but has no pattern once detrended
    assert seasonality(5.0 + np.arange(21), 12, also=(3,)).kind == "none"
    # with 2.5 years the yearly test finds the pattern itself (it repeats every 12 months too)
    yearly = seasonality(quarter_end_months(), 12, also=(3,))
    assert yearly.period == 12 and np.all(yearly.indices[2::3] > 1.5)
    noisy_trend = 100 + 5.0 * np.arange(30) + np.random.default_rng(1).normal(0, 2, 30)
    assert acf_seasonal(noisy_trend, 3)  # the plain autocorrelation is fooled by the trend ...
    assert seasonality(noisy_trend, 12, also=(3,)).kind == "none"  # ... the detrended one not


@pytest.mark.filterwarnings("ignore::Warning")
@pytest.mark.parametrize("name", ["seasonal_naive", "naive2", "ses", "holt_damped", "theta", "otm",
                                  "ces", "arima", "ets", "ets_ana", "ets_aada", "ets_madm"])
def test_every_registered_model_is_fitted_once_and_forecasts_any_horizon(name):
    from salesops.analysis.forecast.models import MODELS, fit_model
    assert name in MODELS
    y = seasonal_series(48)
    fitted = fit_model(name, y, 12)
    long, short = fitted.predict(12), fitted.predict(3, (80,))
    assert long.name == name and np.allclose(fitted.forecast(12), long.mean)
    assert np.allclose(short.mean, long.mean[:3])  # one fit, any horizon
    assert set(short.intervals) == {80} and fitted.predict(2, ()).intervals == {}


def test_unknown_registered_model():
    from salesops.analysis.forecast.models import fit_model
    with pytest.raises(ValueError, match="unknown model 'prophet'"):
        fit_model("prophet", np.ones(30), 12)


def test_theta_sigma2_oracle():
    from salesops.analysis.forecast.models import theta_sigma2
    # x = 0, 1, 3, 4; b0 = 1, alpha = 0.5: differences less b0 are 0, 1, 0
    # e1 = 0 - (0.5 - 1)·0 = 0; e2 = 1 + 0.5·0 = 1; e3 = 0 + 0.5·1 = 0.5
    # sigma² = (0² + 1² + 0.5²) / 3 = 1.25 / 3
    assert theta_sigma2(np.array([0.0, 1, 3, 4]), 1.0, 0.5) == pytest.approx(1.25 / 3)


def test_theta_sigma2_close_to_statsmodels_refit():
    from statsmodels.tsa.forecasting.theta import ThetaModel

    from salesops.analysis.forecast.models import fit_theta
    x = np.log(100 + np.cumsum(np.random.default_rng(0).normal(1, 5, 40)))
    assert fit_theta(x).sigma2 == pytest.approx(
        ThetaModel(x, deseasonalize=False).fit().sigma2, rel=0.1)


def test_seasonal_ets_forms_need_a_seasonal_series():
    from salesops.analysis.forecast.models import fit_model
    flat_season = seasonality(np.linspace(10, 20, 30), 12)
    assert flat_season.kind == "none"
    with pytest.raises(ValueError, match="ets_ana needs a seasonal series"):
        fit_model("ets_ana", np.linspace(10, 20, 30), 12, flat_season)
    y = seasonal_series(48)
    forms = {name: fit_model(name, y, 12).results.model for name in ("ets_ana", "ets_aada", "ets_madm")}
    assert [(f.error, f.trend, f.damped_trend, f.seasonal) for f in forms.values()] == [
        ("add", None, False, "add"), ("add", "add", True, "add"), ("mul", "add", True, "mul")]
    with pytest.raises(ValueError, match="ets_madm needs a positive series"):
        fit_model("ets_madm", y - y.min(), 12)  # a zero in it
