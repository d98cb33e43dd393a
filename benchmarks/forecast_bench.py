"""Forecast benchmark on any data set in the long format, every method scored in the same run.

Reads ``series_id, category, horizon, start_year, start_period, t, value`` (the last
``horizon`` values of each series are its test period; the horizon comes from the file) and
scores the package's default forecaster (``salesops.analysis.forecast.auto.auto_forecast``,
the code the report runs, here without backtest), seasonal naive, Naive2 (naive on the
seasonally adjusted series, classical multiplicative decomposition when the 90% lag-M
autocorrelation test says seasonal), statsmodels Theta and automatic ETS, and statsforecast's
AutoETS, AutoTheta, AutoARIMA and AutoCES (season length M, as shipped; benchmark-only, see
benchmarks/requirements.txt). Metrics per method:
sMAPE (M3 definition), MAPE, MASE (in-sample seasonal naive scale at lag M, lag 1 when M = 1),
80% / 95% interval coverage, seconds spent in the method (summed over worker processes), and
sMAPE / MASE on the selection half (1st, 3rd, ... series in id order) and the held-out half.
The last line printed is exactly ``default: smape=X mase=Y cov80=Z cov95=W seconds=S``
(coverage in percent). Usage:

    python benchmarks/forecast_bench.py DATA.csv --season M [--short N] [--every N]
        [--workers N] [--methods a,b,...] [--candidates]

``--short N`` scores only the last N training values of each series before its test period.
``--candidates`` adds every candidate model of the package (ses, damped Holt, Theta, CES, ETS,
ARIMA on the adjusted series) to the table. The data sets live in ``../shared/datasets``
(pass the path; the product never needs them).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread per worker process: no oversubscription

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from statsmodels.tsa.forecasting.theta import ThetaModel  # noqa: E402

from salesops.analysis.forecast.auto import CANDIDATES, COMBINATION, auto_forecast  # noqa: E402
from salesops.analysis.forecast.metrics import mape, mase, smape  # noqa: E402
from salesops.analysis.forecast.models import (  # noqa: E402
    ModelForecast,
    adjusted_forecast,
    ets_auto,
    seasonal_naive,
)
from salesops.analysis.forecast.seasonality import (  # noqa: E402
    acf_seasonal,
    classical_indices,
    no_seasonality,
)

COLUMNS = ("series_id", "category", "horizon", "start_year", "start_period", "t", "value")
LEVELS = (80, 95)
STATSFORECAST = {"sf_ets": "AutoETS", "sf_theta": "AutoTheta", "sf_arima": "AutoARIMA",
                 "sf_ces": "AutoCES"}
METHODS = ("default", "seasonal_naive", "naive2", "sm_theta", "sm_ets", *STATSFORECAST)


class DataError(ValueError):
    """The data file is missing or not in the long format."""


@dataclass(frozen=True)
class Series:
    """One series split into its training values (after ``--short``) and test period."""

    series_id: str
    train: np.ndarray
    test: np.ndarray


def load(path: Path, short: int | None = None, every: int = 1) -> list[Series]:
    """The series of a long-format file in id order (every ``every``-th), training values cut
    to the last ``short`` ones; ``DataError`` naming the file when it is missing or malformed."""
    if not path.is_file():
        raise DataError(f"{path}: data file not found; pass the path to a long-format CSV "
                        f"(columns {', '.join(COLUMNS)}), e.g. ../shared/datasets/tourism_quarterly.csv")
    try:
        frame = pd.read_csv(path)
    except Exception as exc:
        raise DataError(f"{path}: not a readable CSV ({type(exc).__name__}: {exc})") from exc
    missing = [c for c in ("series_id", "horizon", "t", "value") if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)} "
                        f"(expected {', '.join(COLUMNS)})")
    if frame.empty:
        raise DataError(f"{path}: no rows")
    for col in ("horizon", "t", "value"):
        numeric = pd.to_numeric(frame[col], errors="coerce")
        bad = numeric.isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"{path}: column {col} has a missing or non-numeric value "
                            f"(series {frame['series_id'].iloc[row]}, data row {row + 1})")
        frame[col] = numeric
    frame = frame.sort_values(["series_id", "t"], kind="stable")
    out = []
    for sid, g in frame.groupby("series_id", sort=True):
        horizons = g["horizon"].unique()
        if len(horizons) != 1 or horizons[0] < 1 or horizons[0] != int(horizons[0]):
            raise DataError(f"{path}: series {sid} has horizon {sorted(horizons)}; "
                            "expected one positive integer per series")
        h = int(horizons[0])
        if g["t"].duplicated().any():
            raise DataError(f"{path}: series {sid} repeats a value of t")
        y = g["value"].to_numpy(float)
        if len(y) < h + 2:
            raise DataError(f"{path}: series {sid} has {len(y)} values, fewer than its "
                            f"horizon {h} + 2 training values")
        train, test = y[:-h], y[-h:]
        if short is not None:
            train = train[-short:]
        out.append(Series(str(sid), train, test))
    return out[::every]


# -- methods: (train, h, m) -> {name: ModelForecast} --------------------------------------------

def default_forecasts(train: np.ndarray, h: int, m: int,
                      candidates: bool = False) -> dict[str, ModelForecast]:
    """The package's default forecast (and with ``candidates`` every candidate model) exactly
    as ``auto_forecast`` makes it, without backtest."""
    result = auto_forecast(train, h, m, levels=LEVELS, origins=0,
                           models=CANDIDATES if candidates else COMBINATION)
    out = {"default": result.forecast}
    if candidates:
        out.update({k: v for k, v in result.candidates.items()
                    if k not in ("seasonal_naive", result.method)})
    return out


def naive2(train: np.ndarray, h: int, m: int) -> ModelForecast:
    """M-competition Naive2: naive on the seasonally adjusted series (classical
    decomposition, multiplicative for positive data, when the 90% lag-m autocorrelation test
    says seasonal; not the package's own seasonality test)."""
    season = classical_indices(train, m) if acf_seasonal(train, m) else no_seasonality(m)
    return adjusted_forecast("naive2", train, h, season, LEVELS)


def sm_theta(train: np.ndarray, h: int, m: int) -> ModelForecast:
    """statsmodels' ThetaModel as shipped: its own seasonality test and multiplicative
    deseasonalisation (off when m = 1 or the series has fewer than two seasons)."""
    deseason = m > 1 and len(train) >= 2 * m
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        fit = ThetaModel(train, period=m if deseason else 1, deseasonalize=deseason).fit()
        mean = np.asarray(fit.forecast(h), dtype=float)
        intervals = {}
        for level in LEVELS:
            frame = fit.prediction_intervals(h, alpha=1 - level / 100)
            intervals[level] = (frame["lower"].to_numpy(float), frame["upper"].to_numpy(float))
    return ModelForecast("sm_theta", mean, intervals)


def sm_ets(train: np.ndarray, h: int, m: int) -> ModelForecast:
    """statsmodels ETS on the raw series, form chosen by AICc (the package's ``ets_auto``)."""
    return ets_auto(train, h, m, LEVELS)


def statsforecast_model(name: str) -> Callable[[np.ndarray, int, int], ModelForecast]:
    """statsforecast's automatic model ``STATSFORECAST[name]`` with season length m, as shipped
    (its own model selection and intervals)."""
    def forecast(train: np.ndarray, h: int, m: int) -> ModelForecast:
        try:
            from statsforecast import models
        except ImportError as exc:  # benchmark-only dependency
            raise SystemExit("statsforecast is not installed: pip install --no-deps -r "
                             "benchmarks/requirements.txt (or leave out the sf_ methods)") from exc
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            out = getattr(models, STATSFORECAST[name])(season_length=m).forecast(
                y=np.asarray(train, dtype=float), h=h, level=list(LEVELS))
        return ModelForecast(name, np.asarray(out["mean"], dtype=float),
                             {lv: (np.asarray(out[f"lo-{lv}"], dtype=float),
                                   np.asarray(out[f"hi-{lv}"], dtype=float)) for lv in LEVELS})
    return forecast


SINGLE = {"seasonal_naive": lambda y, h, m: seasonal_naive(y, h, m, LEVELS),
          "naive2": naive2, "sm_theta": sm_theta, "sm_ets": sm_ets,
          **{name: statsforecast_model(name) for name in STATSFORECAST}}


def scores(actual: np.ndarray, fc: ModelForecast, train: np.ndarray, m: int) -> dict[str, float]:
    """sMAPE, MAPE, MASE and the share of test values inside each interval (NaN if none)."""
    out = {"smape": smape(actual, fc.mean), "mape": mape(actual, fc.mean),
           "mase": mase(actual, fc.mean, train, m)}
    for level in LEVELS:
        if level in fc.intervals:
            lo, hi = fc.intervals[level]
            out[f"cov{level}"] = float(np.mean((actual >= lo) & (actual <= hi)))
        else:
            out[f"cov{level}"] = float("nan")
    return out


def evaluate(task: tuple[Series, int, tuple[str, ...], bool]) -> dict[str, dict[str, float]]:
    """Scores of every method on one series; a method that fails scores as seasonal naive and
    is counted (``failed`` = 1)."""
    s, m, methods, candidates = task
    h = len(s.test)
    out: dict[str, dict[str, float]] = {}
    fallback = seasonal_naive(s.train, h, m, LEVELS)
    for name in methods:
        start = time.perf_counter()
        failed = 0.0
        try:
            fcs = default_forecasts(s.train, h, m, candidates) if name == "default" else {
                name: SINGLE[name](s.train, h, m)}
            if not all(np.all(np.isfinite(f.mean)) for f in fcs.values()):
                raise ValueError("non-finite forecast")
        except Exception:  # scored as seasonal naive, and counted
            fcs, failed = {name: fallback}, 1.0
        seconds = time.perf_counter() - start
        for key, fc in fcs.items():
            row = scores(s.test, fc, s.train, m)
            row["seconds"] = seconds if key == name else float("nan")
            row["failed"] = failed
            out[key] = row
    return out


def summary_table(results: list[dict[str, dict[str, float]]]) -> pd.DataFrame:
    """Mean of every metric per method (coverage in percent, seconds summed), and sMAPE / MASE
    on the selection half (1st, 3rd, ... series) and the held-out half."""
    chosen_on = np.arange(len(results)) % 2 == 0
    rows = {}
    for name in results[0]:
        per = pd.DataFrame([r[name] for r in results])
        rows[name] = {
            "sMAPE": per["smape"].mean(), "MAPE": per["mape"].mean(), "MASE": per["mase"].mean(),
            "cov80": 100 * per["cov80"].mean(), "cov95": 100 * per["cov95"].mean(),
            "seconds": per["seconds"].sum(min_count=1), "failed": int(per["failed"].sum()),
            "sMAPE sel": per["smape"][chosen_on].mean(), "sMAPE held": per["smape"][~chosen_on].mean(),
            "MASE sel": per["mase"][chosen_on].mean(), "MASE held": per["mase"][~chosen_on].mean(),
        }
    return pd.DataFrame(rows).T.sort_values("MASE")


def default_line(table: pd.DataFrame) -> str:
    row = table.loc["default"]
    return (f"default: smape={row['sMAPE']:.2f} mase={row['MASE']:.3f} cov80={row['cov80']:.1f} "
            f"cov95={row['cov95']:.1f} seconds={row['seconds']:.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="long-format CSV, e.g. ../shared/datasets/tourism_quarterly.csv")
    parser.add_argument("--season", type=int, required=True, help="seasonal period M (1 = none)")
    parser.add_argument("--short", type=int, default=None,
                        help="score only the last N training values of each series")
    parser.add_argument("--every", type=int, default=1, help="use every N-th series (subset)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--methods", default=",".join(METHODS),
                        help=f"comma-separated subset of {','.join(METHODS)}")
    parser.add_argument("--candidates", action="store_true",
                        help="also score every candidate model of the package")
    args = parser.parse_args(argv)
    methods = tuple(x for x in args.methods.split(",") if x)
    unknown = [x for x in methods if x not in METHODS]
    if unknown or not methods:
        parser.error(f"unknown method(s) {', '.join(unknown) or '(none)'}; known: {', '.join(METHODS)}")
    if args.season < 1 or (args.short is not None and args.short < 2) or args.every < 1:
        parser.error("--season and --every must be >= 1, --short >= 2")
    try:
        series = load(Path(args.path), args.short, args.every)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    tasks = [(s, args.season, methods, args.candidates) for s in series]
    start = time.perf_counter()
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as pool:
            results = list(pool.map(evaluate, tasks, chunksize=4))
    else:
        results = [evaluate(t) for t in tasks]
    wall = time.perf_counter() - start
    table = summary_table(results)
    horizons = sorted({len(s.test) for s in series})
    lengths = [len(s.train) for s in series]
    print(f"{Path(args.path).name}: {len(series)} series, horizon {'/'.join(map(str, horizons))}, "
          f"season {args.season}, training values {min(lengths)}-{max(lengths)} "
          f"(median {int(np.median(lengths))})" + (f", --short {args.short}" if args.short else "")
          + f"; {args.workers} worker(s), wall time {wall:.1f} s")
    print(table.round(3).to_string())
    if "default" in table.index:
        print(default_line(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
