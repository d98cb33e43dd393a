import numpy as np
import pytest

from salesops.analysis.forecast.optimised_theta import OtmFit, fit, solve, trend_line


def test_trend_line_oracle():
    # y = 1 + 2t at t = 1..4: 3, 5, 7, 9 -> intercept 1, slope 2
    # B = 6·(2·mean(t·y) - 5·mean(y)) / (16 - 1) = 6·(2·(3 + 10 + 21 + 36)/4 - 5·6) / 15
    #   = 6·(35 - 30) / 15 = 2; A = mean(y) - 5·B/2 = 6 - 5 = 1
    assert trend_line(np.array([3.0, 5, 7, 9])) == pytest.approx((1.0, 2.0))


def test_without_the_trend_it_is_simple_exponential_smoothing():
    # w = 0: mu_t = l_{t-1}; level l_t = 0.5·y_t + 0.5·l_{t-1} from l0 = 10 over y = 12, 8:
    # l1 = 0.5·12 + 0.5·10 = 11, l2 = 0.5·8 + 0.5·11 = 9.5: every forecast 9.5
    otm = OtmFit(alpha=0.5, l0=10.0, w=0.0, mse=4.0, x=np.array([12.0, 8]), a=0.0, b=0.0, scale=1.0)
    assert otm.forecast(3).tolist() == [9.5, 9.5, 9.5]
    # sd = sqrt(mse)·sqrt(1 + alpha²·(h - 1)) = 2·sqrt(1, 1.25, 1.5)
    assert otm.sd(3) == pytest.approx(2 * np.sqrt([1.0, 1.25, 1.5]))
    assert otm.predict(3).name == "otm"


def test_solve_one_step_errors_oracle():
    # y = 3, 5 (x scaled as given), A = 1, B = 2, alpha = 0.5, one step (t = 1):
    # level without l0: 0.5·3 = 1.5; l0's weight 0.5; trend term g = 0.5·1 + (1 - 0.25)/0.5·2 = 3.5
    # target 5 - 1.5 = 3.5 = 0.5·l0 + 3.5·w: least squares (minimum norm) leaves no error
    sse, l0, w = solve(0.5, np.array([3.0, 5]), 1.0, 2.0)
    assert sse == pytest.approx(0.0, abs=1e-12)
    assert 0.5 * l0 + 3.5 * w == pytest.approx(3.5) and 0 <= w <= 1


def test_follows_a_trend_and_is_deterministic():
    t = np.arange(40.0)
    y = 100 + 3 * t + np.random.default_rng(1).normal(0, 2, 40)
    first, second = fit(y), fit(y)
    assert first.forecast(4) == pytest.approx(second.forecast(4))
    assert first.forecast(1)[0] == pytest.approx(100 + 3 * 40, rel=0.03)
    assert np.all(np.diff(first.forecast(6)) > 0)
    assert 0 <= first.w <= 1 and 0.1 <= first.alpha <= 0.99
