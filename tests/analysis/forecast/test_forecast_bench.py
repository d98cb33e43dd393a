"""benchmarks/forecast_bench.py: metric arithmetic on a hand-made file, data errors, and the
tourism competition's seasonal naive MAPE when ../shared/datasets is present."""

import importlib.util
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "benchmarks" / "forecast_bench.py"
DATASETS = ROOT.parent / "shared" / "datasets"


def load_script():
    spec = importlib.util.spec_from_file_location("forecast_bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def write(path, series, horizon=2):
    rows = [{"series_id": sid, "category": "TEST", "horizon": horizon, "start_year": 2000,
             "start_period": 1, "t": i + 1, "value": v}
            for sid, values in series.items() for i, v in enumerate(values)]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


# A: train 10 20 12 22, test 11 24; B: train 1 2 4 4, test 4 8 (horizon 2)
HAND_MADE = {"A": [10, 20, 12, 22, 11, 24], "B": [1, 2, 4, 4, 4, 8]}


def test_metric_arithmetic_on_two_hand_made_series(tmp_path):
    bench = load_script()
    series = bench.load(write(tmp_path / "two.csv", HAND_MADE))
    assert [s.series_id for s in series] == ["A", "B"]
    assert series[0].train.tolist() == [10, 20, 12, 22] and series[0].test.tolist() == [11, 24]
    results = [bench.evaluate((s, 2, ("seasonal_naive",), False)) for s in series]
    a, b = (r["seasonal_naive"] for r in results)
    # A: seasonal naive (lag 2) forecasts 12 22; errors 1 2; in-sample lag-2 errors 2 2
    assert a["smape"] == pytest.approx((200 * 1 / 23 + 200 * 2 / 46) / 2)  # 8.696
    assert a["mape"] == pytest.approx((100 / 11 + 100 * 2 / 24) / 2)  # 8.712
    assert a["mase"] == pytest.approx(1.5 / 2)
    # A's residuals 2 2 have no spread: zero-width intervals at 12 22 miss 11 and 24
    assert a["cov80"] == 0 and a["cov95"] == 0
    # B: forecasts 4 4; errors 0 4; in-sample lag-2 errors 3 2 (scale 2.5, sd 0.5)
    assert b["smape"] == pytest.approx((0 + 200 * 4 / 12) / 2)  # 33.333
    assert b["mape"] == pytest.approx((0 + 100 * 4 / 8) / 2)  # 25
    assert b["mase"] == pytest.approx(2 / 2.5)
    assert b["cov80"] == 0.5 and b["cov95"] == 0.5  # 4 inside 4 +- 0.64 (0.98), 8 outside
    row = bench.summary_table(results).loc["seasonal_naive"]
    assert row["sMAPE"] == pytest.approx(21.01449, abs=1e-5)
    assert row["MAPE"] == pytest.approx(16.85606, abs=1e-5)
    assert row["MASE"] == pytest.approx(0.775)
    assert row["cov80"] == pytest.approx(25.0) and row["cov95"] == pytest.approx(25.0)
    assert row["sMAPE sel"] == pytest.approx(a["smape"]) and row["MASE held"] == pytest.approx(0.8)


def test_season_one_is_naive_with_lag_one_scale(tmp_path):
    bench = load_script()
    s = bench.load(write(tmp_path / "two.csv", HAND_MADE))[0]
    r = bench.evaluate((s, 1, ("seasonal_naive",), False))["seasonal_naive"]
    # naive forecasts 22 22; errors 11 2 (MAE 6.5); lag-1 in-sample errors 10 8 10
    assert r["mase"] == pytest.approx(6.5 / (28 / 3))
    assert r["mape"] == pytest.approx((100 * 11 / 11 + 100 * 2 / 24) / 2)


def test_short_keeps_the_last_training_values(tmp_path):
    bench = load_script()
    s = bench.load(write(tmp_path / "two.csv", HAND_MADE), short=3)[0]
    assert s.train.tolist() == [20, 12, 22] and s.test.tolist() == [11, 24]


def test_every_method_and_the_last_line(tmp_path, capsys):
    rng = np.random.default_rng(0)
    t = np.arange(1, 49)
    series = {f"Q{k}": (100 + k * t) * (1 + 0.2 * np.sin(2 * np.pi * t / 4)) + rng.normal(0, 3, 48)
              for k in range(3)}
    path = write(tmp_path / "q.csv", series, horizon=8)
    assert load_script().main([str(path), "--season", "4", "--workers", "1", "--short", "12"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert "3 series, horizon 8, season 4, training values 12-12" in lines[0]
    for name in ("default", "seasonal_naive", "naive2", "sm_theta", "sm_ets",
                 "sf_ets", "sf_theta", "sf_arima", "sf_ces"):
        assert any(line.startswith(name) for line in lines[1:-1])
    assert re.fullmatch(r"default: smape=\d+\.\d\d mase=\d+\.\d{3} cov80=\d+\.\d "
                        r"cov95=\d+\.\d seconds=\d+\.\d", lines[-1])


@pytest.mark.parametrize("name", ["sf_ets", "sf_theta", "sf_arima"])
def test_statsforecast_models_continue_a_straight_line(name):
    # y = 10 + 2t for t = 1..24 (last value 58): the next four are 60 62 64 66
    fc = load_script().SINGLE[name](10 + 2 * np.arange(1, 25.0), 4, 1)
    assert fc.mean == pytest.approx([60, 62, 64, 66], abs=0.05)
    assert set(fc.intervals) == {80, 95}


@pytest.mark.parametrize("name", ["sf_ets", "sf_theta", "sf_arima", "sf_ces"])
def test_statsforecast_models_repeat_a_quarterly_pattern(name):
    # 10 20 30 40 six times plus noise of sd 0.5: next year 10 20 30 40 (within 1, two sd),
    # 95% bounds outside the 80% ones
    train = np.tile([10.0, 20, 30, 40], 6) + np.random.default_rng(0).normal(0, 0.5, 24)
    fc = load_script().SINGLE[name](train, 4, 4)
    assert fc.mean == pytest.approx([10, 20, 30, 40], abs=1.0)
    (lo80, hi80), (lo95, hi95) = fc.intervals[80], fc.intervals[95]
    assert np.all(lo95 <= lo80) and np.all(lo80 <= fc.mean) and np.all(fc.mean <= hi80)
    assert np.all(hi80 <= hi95)


@pytest.mark.parametrize("content, message", [
    (None, "data file not found"),
    ("series_id,t,value\nA,1,2\n", "missing column(s) horizon"),
    ("series_id,horizon,t,value\nA,2,1,x\n", "column value has a missing or non-numeric value"),
    ("series_id,horizon,t,value\nA,2,1,1\nA,2,2,1\nA,2,3,1\n", "series A has 3 values"),
])
def test_data_errors_name_the_file(tmp_path, capsys, content, message):
    path = tmp_path / "data.csv"
    if content is not None:
        path.write_text(content)
    assert load_script().main([str(path), "--season", "4"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and message in err


@pytest.mark.skipif(not DATASETS.is_dir(), reason=f"{DATASETS} (tourism data) not present")
@pytest.mark.parametrize("name, season, expected", [
    ("monthly", 12, 22.56), ("quarterly", 4, 16.46), ("yearly", 1, 23.61),
])
def test_tourism_seasonal_naive_mape_is_reproduced(name, season, expected):
    bench = load_script()
    path = DATASETS / f"tourism_{name}.csv"
    if not path.is_file():
        pytest.skip(f"{path} not present")
    results = [bench.evaluate((s, season, ("seasonal_naive",), False)) for s in bench.load(path)]
    assert round(bench.summary_table(results).loc["seasonal_naive", "MAPE"], 2) == expected


def test_naive2_follows_the_m_competition_autocorrelation_test():
    bench = load_script()
    pattern = np.array([0.8, 1.0, 1.2, 1.0])
    # 6 years of a level 100 with an exact quarterly pattern: the lag-4 autocorrelation test
    # says seasonal, the adjusted series is 100 throughout, so Naive2 repeats 80 100 120 100
    exact = 100 * np.tile(pattern, 6)
    np.testing.assert_allclose(bench.naive2(exact, 4, 4).mean, [80, 100, 120, 100])
    # 36 months with a +-25% yearly pattern: the package's F-test finds it, the 90% lag-12
    # autocorrelation test cannot, so Naive2 is plain naive (the last value, 12 times)
    t = np.arange(36)
    y = (100 + 2 * t) * (1 + 0.25 * np.sin(2 * np.pi * t / 12 + 1.0))
    np.testing.assert_allclose(bench.naive2(y, 12, 12).mean, np.full(12, y[-1]))
