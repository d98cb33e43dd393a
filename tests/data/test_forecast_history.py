from pathlib import Path

import pandas as pd
import pytest

from salesops.data.forecast_history import (
    HISTORY_COLUMNS,
    history_path,
    load_forecast_history,
    save_forecasts,
)


def rows(as_of, value, period="FY2026 Q4"):
    return pd.DataFrame([{
        "as_of": as_of, "series": "Total", "period": period, "period_start": "2026-10-01",
        "method": "combination", "forecast": value, "lower80": value - 1, "upper80": value + 1,
        "lower95": value - 2, "upper95": value + 2,
    }])


def test_missing_file_is_empty(tmp_path):
    history = load_forecast_history(tmp_path / "none.csv")
    assert history.empty and list(history.columns) == HISTORY_COLUMNS


def test_append_is_idempotent_and_replaces_same_key(tmp_path):
    path = tmp_path / "reports" / "forecast_history.csv"
    save_forecasts(path, rows("2026-10-15", 10.0))
    save_forecasts(path, rows("2026-11-15", 12.0))
    save_forecasts(path, rows("2026-11-15", 13.0))  # same as_of+series+period: replaces
    history = load_forecast_history(path)
    assert len(history) == 2
    assert history["forecast"].tolist() == [10.0, 13.0]
    assert history["as_of"].tolist() == [pd.Timestamp("2026-10-15"), pd.Timestamp("2026-11-15")]


def test_bad_file_names_missing_columns(tmp_path):
    path = tmp_path / "forecast_history.csv"
    path.write_text("as_of,series\n2026-01-01,Total\n")
    with pytest.raises(ValueError, match="forecast_history.csv.*lacks columns"):
        load_forecast_history(path)


def test_history_path_defaults_beside_the_reports(tmp_path):
    assert history_path(None, tmp_path) == tmp_path / "forecast_history.csv"
    assert history_path(None, "../reports") == Path("../reports/forecast_history.csv")
    assert history_path(None, None) is None


def test_history_path_empty_means_do_not_save(tmp_path):
    assert history_path("", tmp_path) is None
    assert history_path("  ", tmp_path) is None


def test_history_path_relative_inside_reports_dir_absolute_as_given(tmp_path):
    assert history_path("fc/hist.csv", tmp_path) == tmp_path / "fc" / "hist.csv"
    assert history_path(tmp_path / "x.csv", "/elsewhere") == tmp_path / "x.csv"
    assert history_path("hist.csv", None) == Path("hist.csv")
