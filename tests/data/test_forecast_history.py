"""The forecast history: keyed by scope, frequency, dimension and data; locked, atomic writes."""

import multiprocessing
from pathlib import Path

import pandas as pd
import pytest

from salesops.data.forecast_history import (
    FORECAST_COLUMNS,
    HISTORY_COLUMNS,
    comparable,
    history_path,
    label_frequency,
    load_forecast_history,
    save_forecasts,
)

COMPANY = {"scope": None, "frequency": "quarter", "dimension": "region", "data_fingerprint": "f1"}


def rows(as_of, value, period="FY2026 Q4", series="Total"):
    return pd.DataFrame([{
        "as_of": as_of, "series": series, "period": period, "period_start": "2026-10-01",
        "method": "combination", "forecast": value, "lower80": value - 1, "upper80": value + 1,
        "lower95": value - 2, "upper95": value + 2,
    }])


def test_missing_file_is_empty(tmp_path):
    history = load_forecast_history(tmp_path / "none.csv")
    assert history.empty and list(history.columns) == HISTORY_COLUMNS


def test_append_is_idempotent_and_replaces_same_key(tmp_path):
    path = tmp_path / "reports" / "forecast_history.csv"
    save_forecasts(path, rows("2026-10-15", 10.0), **COMPANY)
    save_forecasts(path, rows("2026-11-15", 12.0), **COMPANY)
    save_forecasts(path, rows("2026-11-15", 13.0), **COMPANY)  # same key: replaces
    history = load_forecast_history(path)
    assert len(history) == 2
    assert history["forecast"].tolist() == [10.0, 13.0]
    assert history["as_of"].tolist() == [pd.Timestamp("2026-10-15"), pd.Timestamp("2026-11-15")]
    assert set(history["scope"]) == {"company"} and set(history["data_fingerprint"]) == {"f1"}


def test_a_scoped_run_does_not_replace_the_companys_total(tmp_path):
    path = tmp_path / "forecast_history.csv"
    save_forecasts(path, rows("2026-11-15", 100.0), **COMPANY)
    history = save_forecasts(path, rows("2026-11-15", 30.0), **{**COMPANY, "scope": "region=EMEA"})
    assert len(history) == 2
    assert comparable(history, None, "quarter", "region")["forecast"].tolist() == [100.0]
    assert comparable(history, "company", "quarter", "region")["forecast"].tolist() == [100.0]
    assert comparable(history, "region=EMEA", "quarter", "region")["forecast"].tolist() == [30.0]


def test_comparisons_read_only_rows_made_the_same_way_latest_data_first(tmp_path):
    path = tmp_path / "forecast_history.csv"
    save_forecasts(path, rows("2026-11-15", 100.0), **COMPANY)
    save_forecasts(path, rows("2026-11-15", 7.0, period="2026-11"),
                   **{**COMPANY, "frequency": "month"})
    save_forecasts(path, rows("2026-11-15", 55.0), **{**COMPANY, "dimension": "product"})
    # the same date re-run on corrected data: both kept, the later one is compared
    history = save_forecasts(path, rows("2026-11-15", 101.0), **{**COMPANY, "data_fingerprint": "f2"})
    assert len(history) == 4
    same = comparable(history, None, "quarter", "region")
    assert same["forecast"].tolist() == [101.0] and same["data_fingerprint"].tolist() == ["f2"]
    assert comparable(history, None, "month", "region")["forecast"].tolist() == [7.0]
    assert comparable(history, None, "quarter", "product")["forecast"].tolist() == [55.0]


def test_an_old_format_file_is_read_as_company_rows(tmp_path):
    path = tmp_path / "forecast_history.csv"
    old = pd.concat([rows("2026-10-15", 10.0), rows("2026-10-15", 3.0, period="2026-10")])
    old[FORECAST_COLUMNS].to_csv(path, index=False)  # as written before issue 10
    history = load_forecast_history(path)
    assert history["scope"].tolist() == ["company", "company"]
    assert history["frequency"].tolist() == ["quarter", "month"]
    assert comparable(history, None, "quarter", "region")["forecast"].tolist() == [10.0]
    # a new save keeps the old rows (now in the new format) beside the new ones
    history = save_forecasts(path, rows("2026-11-15", 12.0), **COMPANY)
    assert comparable(history, None, "quarter", "region")["forecast"].tolist() == [10.0, 12.0]


def _writer(path: str, offset: int, count: int) -> None:
    for i in range(count):
        day = pd.Timestamp("2026-01-01") + pd.Timedelta(days=offset + i)
        save_forecasts(path, rows(day.date().isoformat(), float(offset + i)), **COMPANY)


def test_parallel_writers_lose_no_rows(tmp_path):
    path = str(tmp_path / "forecast_history.csv")
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_writer, args=(path, offset, 15)) for offset in (0, 100)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
        assert writer.exitcode == 0
    history = load_forecast_history(path)
    assert sorted(history["forecast"]) == [float(i) for i in (*range(15), *range(100, 115))]
    assert [p.name for p in tmp_path.iterdir() if ".tmp" in p.name] == []


def test_bad_file_names_missing_columns_and_bad_labels(tmp_path):
    path = tmp_path / "forecast_history.csv"
    path.write_text("as_of,series\n2026-01-01,Total\n")
    with pytest.raises(ValueError, match="forecast_history.csv.*lacks columns"):
        load_forecast_history(path)
    assert label_frequency("FY2026") == "year"
    with pytest.raises(ValueError, match="'Q4 2026' is not a month, quarter or year label"):
        label_frequency("Q4 2026")


def test_history_path_defaults_to_the_audit_folder_only_under_salesops_run(tmp_path):
    assert history_path(None, tmp_path) == tmp_path / ".audit" / "forecast_history.csv"
    assert history_path(None, "../reports") == Path("../reports/.audit/forecast_history.csv")
    assert history_path(None, None) is None  # run by hand: nothing saved unless asked


def test_history_path_empty_means_do_not_save(tmp_path):
    assert history_path("", tmp_path) is None
    assert history_path("  ", tmp_path) is None


def test_history_path_relative_inside_reports_dir_absolute_as_given(tmp_path):
    assert history_path("fc/hist.csv", tmp_path) == tmp_path / "fc" / "hist.csv"
    assert history_path(tmp_path / "x.csv", "/elsewhere") == tmp_path / "x.csv"
    assert history_path("hist.csv", None) == Path("hist.csv")
