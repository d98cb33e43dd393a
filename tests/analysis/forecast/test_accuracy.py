import pandas as pd
import pytest

from salesops.analysis.forecast.accuracy import forecast_vs_actual, snapshot_dates
from salesops.data.periods import FiscalCalendar

CAL = FiscalCalendar(1)


def test_snapshot_dates_day_15_of_past_quarters():
    dates = snapshot_dates(CAL, pd.Timestamp("2026-11-27"), 2)
    assert [(d.strftime("%Y-%m-%d"), q.label) for d, q in dates] == [
        ("2026-04-15", "FY2026 Q2"), ("2026-07-15", "FY2026 Q3")]


def test_forecast_vs_actual_joins_completed_periods():
    history = pd.DataFrame({
        "as_of": pd.to_datetime(["2026-01-15", "2026-01-15"]), "series": ["Total", "Total"],
        "period": ["FY2026 Q1", "FY2026 Q2"],
        "period_start": pd.to_datetime(["2026-01-01", "2026-04-01"]), "method": ["c", "c"],
        "forecast": [100.0, 120.0], "lower80": [90.0, 100.0], "upper80": [110.0, 140.0],
        "lower95": [80.0, 90.0], "upper95": [120.0, 150.0],
    }).astype({"series": "string"})
    bookings = pd.DataFrame({"Total": [112.0]}, index=pd.to_datetime(["2026-01-01"]))
    bookings.index.name = "period_start"
    out = forecast_vs_actual(history, bookings)
    assert len(out) == 1  # Q2 has no actual yet
    assert out.loc[0, "error"] == pytest.approx(-12.0) and not out.loc[0, "inside80"]


def test_accuracy_table_measures_only_what_was_forecast_and_closed():
    from salesops.analysis.forecast.accuracy import accuracy_table, mean_abs_error, measured
    ts = pd.DataFrame({"period": ["Q1", "Q2", "Q3"], "actual": [100.0, 0.0, 200.0],
                       "time_series": [110.0, 50.0, float("nan")]})
    pipe = pd.DataFrame({"period": ["Q1", "Q2", "Q3"], "pipeline": [90.0, 10.0, 180.0]})
    table = accuracy_table(ts, pipe).set_index("period")
    # Q1: (110 - 100) / 100 = +10%, (90 - 100) / 100 = -10%; Q2: nothing closed, not measured;
    # Q3: no time-series forecast (too little history then), pipeline (180 - 200) / 200 = -10%
    assert table.loc["Q1", "time_series_pct_error"] == pytest.approx(0.1)
    assert table.loc["Q1", "pipeline_pct_error"] == pytest.approx(-0.1)
    assert table.loc["Q2", ["time_series_pct_error", "pipeline_pct_error"]].isna().all()
    assert pd.isna(table.loc["Q3", "time_series_pct_error"])
    assert measured(table, "time_series") == 1 and measured(table, "pipeline") == 2
    assert mean_abs_error(table, "pipeline") == pytest.approx(0.1)  # (|-0.1| + |-0.1|) / 2
    only_ts = accuracy_table(ts)
    assert "pipeline" not in only_ts.columns and measured(only_ts, "pipeline") == 0
    assert pd.isna(mean_abs_error(only_ts, "pipeline"))


def test_snapshot_dates_when_as_of_ends_a_quarter():
    # Mar 31 ends Q1: Q1 is complete, so it is the last quarter backtested
    dates = snapshot_dates(CAL, pd.Timestamp("2026-03-31"), 2)
    assert [q.label for _, q in dates] == ["FY2025 Q4", "FY2026 Q1"]


def test_reps_commit_calls_beside_the_forecasts_and_compared_on_the_same_quarters():
    from salesops.analysis.forecast.accuracy import accuracy_table, call_snapshots, mean_abs_error
    ts = pd.DataFrame({"period": ["Q1", "Q2", "Q3"], "actual": [100.0, 200.0, 100.0],
                       "time_series": [110.0, 190.0, 100.0]})
    team = pd.DataFrame({"quarter": ["Q1", "Q2", "Q3"], "commit": [130.0, 260.0, 80.0],
                         "corrected": [130.0, 220.0, 90.0], "reps_corrected": [0, 2, 1]})
    table = accuracy_table(ts, calls=call_snapshots(team)).set_index("period")
    # Q1: nobody corrected, so the corrected call is not measured there
    assert pd.isna(table.loc["Q1", "corrected_call"])
    # raw: +30%, +30%, -20%; corrected (Q2, Q3): +10%, -10%
    assert table["commit_call_pct_error"].tolist() == pytest.approx([0.3, 0.3, -0.2])
    assert mean_abs_error(table.reset_index(), "corrected_call") == pytest.approx(0.1)
    assert mean_abs_error(table.reset_index(), "commit_call") == pytest.approx(0.8 / 3)
    # on the quarters both were measured: (0.3 + 0.2) / 2 = 0.25
    assert mean_abs_error(table.reset_index(), "commit_call", like="corrected_call") == \
        pytest.approx(0.25)
