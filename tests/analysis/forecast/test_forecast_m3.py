"""benchmarks/forecast_m3.py, the M3 alias of forecast_bench.py, on a handful of synthetic
series in the M3 file layout."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "forecast_m3.py"


def load_script():
    spec = importlib.util.spec_from_file_location("forecast_m3", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
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
    captured = capsys.readouterr()
    out = captured.out
    assert "3 series, horizon 18, season 12" in out
    for name in ("default", "theta", "ets", "arima", "ces", "holt_damped", "naive2", "seasonal_naive",
                 "sm_theta", "sm_ets"):
        assert name in out
    assert out.strip().splitlines()[-1].startswith("default: smape=")
    assert "M3 published monthly sMAPE" in captured.err


def test_missing_file_exits_with_message(tmp_path, capsys):
    assert load_script().main([str(tmp_path / "absent.csv")]) == 2
    assert "not found" in capsys.readouterr().err
