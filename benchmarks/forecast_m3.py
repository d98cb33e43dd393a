"""M3 monthly benchmark of the package's automatic forecasting method.

Runs every candidate model, the default combination and Naive2 on the 1,428 monthly M3
series (test period: the last 18 values) and prints sMAPE (M3 definition) and MASE per
method, the wall time and the time per series. The sMAPE is also given on two halves: the
series at odd positions in id order (1st, 3rd, ...), on which the default combination was
chosen, and the held-out even positions. Usage:

    python benchmarks/forecast_m3.py [path/to/m3_monthly.csv] [--every N] [--workers N] [--coverage]

``--coverage`` measures instead how often the test values fall inside the default forecast's
80% and 95% prediction intervals.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread per worker process: no oversubscription

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from salesops.analysis.forecast.auto import COMBINATION, auto_forecast  # noqa: E402
from salesops.analysis.forecast.metrics import mase, smape  # noqa: E402
from salesops.analysis.forecast.models import adjusted_forecast, seasonality  # noqa: E402

HORIZON = 18
SEASON = 12
DEFAULT_PATH = Path("..") / "shared" / "datasets" / "m3_monthly.csv"
PUBLISHED = "M3 published monthly sMAPE: Theta 13.85, ForecastPro 13.86, B-J automatic 14.81, Naive2 16.91"


def load_series(path: Path, every: int = 1) -> list[np.ndarray]:
    """The M3 monthly series in id order (every ``every``-th), values in time order."""
    frame = pd.read_csv(path, usecols=["series_id", "t", "value"])
    groups = frame.sort_values(["series_id", "t"]).groupby("series_id", sort=True)["value"]
    return [g.to_numpy(float) for _, g in groups][::every]


def evaluate(y: np.ndarray) -> dict[str, tuple[float, float]]:
    """(sMAPE, MASE) of every method on one series."""
    train, test = y[:-HORIZON], y[-HORIZON:]
    result = auto_forecast(train, HORIZON, SEASON, levels=(), origins=0)
    forecasts = {name: fc.mean for name, fc in result.candidates.items()}
    forecasts["naive2"] = adjusted_forecast("naive2", train, HORIZON, seasonality(train, SEASON),
                                            ()).mean
    forecasts[f"default ({result.method})"] = result.forecast.mean
    return {k: (smape(test, f), mase(test, f, train, SEASON)) for k, f in forecasts.items()}


def coverage(y: np.ndarray) -> dict[int, float]:
    """Share of the test values inside the default forecast's 80% and 95% intervals."""
    train, test = y[:-HORIZON], y[-HORIZON:]
    fc = auto_forecast(train, HORIZON, SEASON, levels=(80, 95), origins=0, models=COMBINATION).forecast
    return {lv: float(np.mean((test >= lo) & (test <= hi))) for lv, (lo, hi) in fc.intervals.items()}


def summary_table(results: list[dict[str, tuple[float, float]]]) -> pd.DataFrame:
    """Mean sMAPE and MASE per method, sMAPE as a ratio to Naive2 (the baseline of the same
    run), and sMAPE on the selection and held-out halves."""
    chosen_on = np.arange(len(results)) % 2 == 0  # 1st, 3rd, ... series (0-based even)
    rows = {}
    for name in results[0]:
        smapes = np.array([r[name][0] for r in results])
        rows[name] = {"sMAPE": smapes.mean(), "MASE": np.mean([r[name][1] for r in results]),
                      "sMAPE selection half": smapes[chosen_on].mean(),
                      "sMAPE held-out half": smapes[~chosen_on].mean() if (~chosen_on).any() else np.nan}
    table = pd.DataFrame(rows).T.sort_values("sMAPE")
    if "naive2" in table.index:
        table.insert(1, "sMAPE / Naive2", table["sMAPE"] / table.loc["naive2", "sMAPE"])
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH), help="m3_monthly.csv")
    parser.add_argument("--every", type=int, default=1, help="use every N-th series (subset)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--coverage", action="store_true",
                        help="instead: share of test values inside the default's 80%%/95%% intervals")
    args = parser.parse_args(argv)
    path = Path(args.path)
    if not path.is_file():
        print(f"M3 monthly data not found at {path}; pass the path to m3_monthly.csv "
              "(columns series_id, category, horizon, start_year, start_period, t, value).",
              file=sys.stderr)
        return 2
    series = load_series(path, args.every)
    start = time.perf_counter()
    task = coverage if args.coverage else evaluate
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as pool:
            results = list(pool.map(task, series, chunksize=8))
    else:
        results = [task(y) for y in series]
    wall = time.perf_counter() - start
    if args.coverage:
        for level in (80, 95):
            print(f"{level}% intervals of the default: {np.mean([r[level] for r in results]):.1%} "
                  f"of {len(series)} x {HORIZON} test values inside (nominal {level}%)")
        print(f"wall time {wall:.1f} s")
        return 0
    table = summary_table(results)
    print(f"M3 monthly: {len(series)} series, horizon {HORIZON}, {args.workers} worker(s)")
    print(table.round(3).to_string())
    print(f"wall time {wall:.1f} s; {wall / len(series):.3f} s per series "
          f"({wall * args.workers / len(series):.3f} CPU-s per series)")
    print(PUBLISHED)
    return 0


if __name__ == "__main__":
    sys.exit(main())
