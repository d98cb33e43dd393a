"""The forecast report's summary table: headline choice, gaps, and quarters without quota."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from salesops.analysis.forecast.report import build_forecast_report, build_summary
from salesops.analysis.forecast.series import TOTAL
from salesops.data.builtin import ensure_sample_dataset
from salesops.data.store import load_dataset


def test_summary_gaps_and_a_quarter_without_quota():
    ts = SimpleNamespace(forecasts=pd.DataFrame({
        "series": [TOTAL, TOTAL], "period": ["Q1", "Q2"], "forecast": [90.0, 95.0],
        "lower80": [80.0, 82.0], "upper80": [100.0, 110.0]}))
    pipe = SimpleNamespace(periods=pd.DataFrame({
        "period": ["Q1", "Q2"], "expected": [120.0, 60.0], "p10": [100.0, 40.0],
        "p90": [140.0, 80.0]}))
    crm = pd.DataFrame({"period": ["Q1", "Q2"], "booked": [50.0, 0.0], "quota": [150.0, 0.0],
                        "gap_to_quota": [100.0, 0.0], "coverage": [2.0, 1.0],
                        "coverage_needed": [3.0, 1.7]})
    out = build_summary(ts, pipe, crm, headline="pipeline").set_index("period")
    # Q1: pipeline headline 120 (P10 100, P90 140); short of the 150 quota by 150 - 120 = 30.
    assert out.loc["Q1", ["forecast", "low", "high", "gap", "still_to_close"]].tolist() == [
        120.0, 100.0, 140.0, 30.0, 100.0]
    assert out.loc["Q1", "time_series"] == 90.0
    # Q2 has no quota yet: quota, gap, still to close and coverage needed are missing, not 0.
    assert np.isnan(out.loc["Q2", ["quota", "gap", "still_to_close", "coverage_needed"]]
                    .astype(float)).all()
    ts_out = build_summary(ts, pipe, crm, headline="time_series").set_index("period")
    assert ts_out.loc["Q1", ["forecast", "low", "high", "gap"]].tolist() == [90.0, 80.0, 100.0, 60.0]


def test_unknown_selection_is_refused_before_any_work():
    with pytest.raises(ValueError, match="selection must be one of combination, best, got 'top'"):
        build_forecast_report(None, pd.Timestamp("2026-01-01"), select="top")


def test_best_selection_reaches_todays_forecast_and_the_snapshots():
    data = load_dataset(ensure_sample_dataset())
    report = build_forecast_report(data, pd.Timestamp("2026-11-27"), horizon=3, dimension=None,
                                   snapshots=2, sims=200, select="best")
    assert all(r.reason.startswith("lowest backtest MASE") for r in report.bookings.results.values())
    assert len(report.accuracy) == 2 and report.accuracy["time_series"].notna().all()
