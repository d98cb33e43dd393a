import numpy as np
import pandas as pd
import pytest

from salesops.analysis.forecast.bookings import forecast_bookings
from salesops.analysis.forecast.series import TOTAL
from salesops.data.periods import FiscalCalendar

CAL = FiscalCalendar(1)


def test_region_forecasts_add_up_to_total():
    rng = np.random.default_rng(0)
    index = pd.date_range("2023-01-01", periods=14, freq="QS")
    history = pd.DataFrame({
        "EMEA": 100 + rng.normal(0, 10, 14), "APAC": 50 + np.arange(14) * 2.0,
        "Americas": np.r_[np.zeros(10), [5.0, 0.0, 0.0, 3.0]],  # intermittent: degrades
    }, index=index)
    result = forecast_bookings(history, CAL, "quarter", 3, pd.Timestamp("2026-07-10"), origins=1)
    fc = result.forecasts.pivot(index="period", columns="series", values="forecast")
    assert list(fc.index) == ["FY2026 Q3", "FY2026 Q4", "FY2027 Q1"]
    assert fc[["EMEA", "APAC", "Americas"]].sum(axis=1).to_numpy() == pytest.approx(
        fc[TOTAL].to_numpy())
    reasons = result.reasons().set_index("series")["reason"]
    assert "intermittent" in reasons["Americas"]
    assert not result.forecasts.isna().any().any()


def test_total_only_history_is_forecast_from_its_own_values():
    # no dimension: the single TOTAL column is the history (it used to be summed from no
    # members, i.e. replaced by zeros, so the monthly report's quarterly summary showed $0)
    index = pd.date_range("2023-01-01", periods=12, freq="QS")
    history = pd.DataFrame({TOTAL: np.full(12, 100.0)}, index=index)
    result = forecast_bookings(history, CAL, "quarter", 2, pd.Timestamp("2026-01-10"), origins=1)
    assert result.history[TOTAL].tolist() == [100.0] * 12
    assert result.forecasts["forecast"].to_numpy() == pytest.approx([100.0, 100.0])
    assert (result.forecasts["series"] == TOTAL).all()


def test_monthly_bookings_use_the_quarter_end_pattern():
    rng = np.random.default_rng(1)
    index = pd.date_range("2024-01-01", periods=21, freq="MS")  # under 2 years: no yearly test
    history = pd.DataFrame({TOTAL: np.tile([1.0, 1.5, 4.0], 7) * 100 * (1 + rng.normal(0, 0.05, 21))},
                           index=index)
    result = forecast_bookings(history, CAL, "month", 3, pd.Timestamp("2026-07-10"), origins=1)
    assert "every 3 periods" in result.reasons()["reason"].iloc[0]
    july, august, september = result.forecasts["forecast"]
    assert september > 2 * july and september > 2 * august  # September closes the quarter


def test_best_selection_uses_each_series_backtest_winner():
    rng = np.random.default_rng(0)
    index = pd.date_range("2023-01-01", periods=14, freq="QS")
    history = pd.DataFrame({"EMEA": 100 + rng.normal(0, 10, 14), "APAC": 50 + np.arange(14) * 2.0},
                           index=index)
    result = forecast_bookings(history, CAL, "quarter", 2, pd.Timestamp("2026-07-10"), origins=2,
                               select="best")
    for name, res in result.results.items():
        scores = res.backtest.set_index("model")["mase"]
        assert res.method == scores.loc[list(res.candidates)].idxmin(), name
        assert res.reason.startswith("lowest backtest MASE")


def test_next_periods_start_after_a_period_that_ends_on_as_of():
    from salesops.analysis.forecast.bookings import next_periods
    # Mar 31 ends Q1: Q1 is history, the forecast starts with Q2; a day earlier Q1 is current
    assert [p.label for p in next_periods(CAL, pd.Timestamp("2026-03-31"), "quarter", 2)] == [
        "FY2026 Q2", "FY2026 Q3"]
    assert [p.label for p in next_periods(CAL, pd.Timestamp("2026-03-30"), "quarter", 1)] == [
        "FY2026 Q1"]
    # leap day ends February 2024
    assert next_periods(CAL, pd.Timestamp("2024-02-29"), "month", 1)[0].label == "2024-03"
