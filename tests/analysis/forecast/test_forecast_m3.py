"""The M3 benchmark script on a handful of synthetic series in the M3 file layout."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "forecast_m3.py"


def load_script():
    spec = importlib.util.spec_from_file_location("forecast_m3", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_on_a_handful_of_series(tmp_path, capsys):
    rng = np.random.default_rng(0)
    rows = []
    for k in range(3):
        t = np.arange(1, 61)
        values = (100 + k * t) * (1 + 0.2 * np.sin(2 * np.pi * t / 12)) + rng.normal(0, 3, 60)
        rows += [{"series_id": f"N{k}", "category": "MICRO", "horizon": 18, "start_year": 1990,
                  "start_period": 1, "t": i, "value": v} for i, v in zip(t, values, strict=True)]
    path = tmp_path / "m3.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    assert load_script().main([str(path), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "3 series" in out
    for name in ("combination", "theta", "ets", "arima", "naive2", "seasonal_naive"):
        assert name in out


def test_missing_file_exits_with_message(tmp_path, capsys):
    assert load_script().main([str(tmp_path / "absent.csv")]) == 2
    assert "not found" in capsys.readouterr().err


def test_summary_table_halves():
    # series 1 and 3 (positions 0, 2) form the selection half, series 2 the held-out half
    results = [{"a": (10.0, 1.0)}, {"a": (20.0, 2.0)}, {"a": (30.0, 0.0)}]
    row = load_script().summary_table(results).loc["a"]
    assert row["sMAPE"] == 20.0 and row["MASE"] == 1.0
    assert row["sMAPE selection half"] == 20.0  # (10 + 30) / 2
    assert row["sMAPE held-out half"] == 20.0
    results[1]["a"] = (5.0, 2.0)
    assert load_script().summary_table(results).loc["a", "sMAPE held-out half"] == 5.0


def test_summary_table_ratio_to_naive2():
    results = [{"naive2": (20.0, 1.0), "theta": (15.0, 0.8)}, {"naive2": (10.0, 1.0), "theta": (9.0, 0.8)}]
    table = load_script().summary_table(results)
    assert table.loc["theta", "sMAPE / Naive2"] == 12.0 / 15.0  # mean 12 over mean 15
    assert table.loc["naive2", "sMAPE / Naive2"] == 1.0


def test_coverage_mode_on_a_handful_of_series(tmp_path, capsys):
    rng = np.random.default_rng(1)
    t = np.arange(1, 61)
    rows = [{"series_id": f"N{k}", "category": "MICRO", "horizon": 18, "start_year": 1990,
             "start_period": 1, "t": i, "value": v}
            for k in range(2) for i, v in zip(t, 100 + t + rng.normal(0, 2, 60), strict=True)]
    path = tmp_path / "m3.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    assert load_script().main([str(path), "--workers", "1", "--coverage"]) == 0
    out = capsys.readouterr().out
    assert "80% intervals of the default" in out and "of 2 x 18 test values inside" in out
