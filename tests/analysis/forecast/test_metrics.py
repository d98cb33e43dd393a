import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesops.analysis.forecast.metrics import bias, mape, mase, mase_scale, smape


def test_smape_oracle():
    # |100-110| -> 200*10/210 = 9.5238; |50-40| -> 200*10/90 = 22.2222; 0 vs 0 -> 0
    assert smape([100, 50, 0], [110, 40, 0]) == pytest.approx((2000 / 210 + 2000 / 90 + 0) / 3)


def test_mape_skips_zero_actuals():
    # 10/100 = 10%, 10/50 = 20%; the zero actual is skipped
    assert mape([100, 50, 0], [110, 40, 5]) == pytest.approx(15.0)
    assert math.isnan(mape([0, 0], [1, 2]))


def test_mase_oracle():
    history = [10, 12, 14, 13]  # lag-1 abs diffs 2, 2, 1 -> scale 5/3
    # errors |15-14| = 1, |13-16| = 3 -> MAE 2 -> MASE 2 / (5/3) = 1.2
    assert mase([15, 13], [14, 16], history, m=1) == pytest.approx(1.2)


def test_mase_seasonal_scale_and_short_history():
    history = [1, 2, 3, 5, 7, 9]  # lag 3: |5-1|,|7-2|,|9-3| = 4,5,6 -> 5
    assert mase_scale(history, 3) == pytest.approx(5.0)
    assert mase_scale([1, 3], 12) == pytest.approx(2.0)  # too short for lag 12: lag 1


def test_mase_constant_history():
    assert mase([5, 5], [5, 5], [5, 5, 5]) == 0.0
    assert mase([5, 6], [5, 5], [5, 5, 5]) == math.inf


def test_bias_oracle():
    # (110-100) + (40-50) + (70-50) = 20 over 200 -> +10%
    assert bias([100, 50, 50], [110, 40, 70]) == pytest.approx(10.0)
    assert math.isnan(bias([0, 0], [1, 1]))


def test_shape_mismatch_and_empty():
    with pytest.raises(ValueError, match="shape"):
        smape([1, 2], [1])
    with pytest.raises(ValueError, match="empty"):
        smape([], [])


@given(st.lists(st.floats(0.1, 1e6), min_size=1, max_size=20),
       st.lists(st.floats(0.1, 1e6), min_size=1, max_size=20))
def test_smape_bounded_and_symmetric(a, b):
    n = min(len(a), len(b))
    y, f = np.array(a[:n]), np.array(b[:n])
    s = smape(y, f)
    assert 0 <= s <= 200
    assert s == pytest.approx(smape(f, y))
