"""Accuracy tracking: backtest the pipeline and time-series forecasts on past as-of snapshots
(beside the reps' commit calls made then, raw and bias-corrected: ``forecast.calls``), and saved
forecasts compared with what actually closed.

Snapshots are rebuilt from ``stage_history`` and, when the data has one, the
``opportunity_history`` (``salesops.data.asof.snapshot``): on day 15 of each past quarter, only
what was known then is used to forecast that quarter (docs/forecasting.md, "Accuracy tracking").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.analysis.forecast.auto import CANDIDATES, COMBINATION, auto_forecast
from salesops.analysis.forecast.pipeline import pipeline_forecast
from salesops.analysis.forecast.series import (
    TOTAL,
    booked_in,
    bookings_by_period,
    current_period,
    enough_history,
    season_length,
)
from salesops.data.asof import snapshot
from salesops.data.periods import FiscalCalendar, Period
from salesops.data.requirements import Needs
from salesops.data.stages import StageCatalogue

#: What the pipeline forecast's backtest needs: past snapshots are rebuilt from the stage history.
PIPELINE_BACKTEST_NEEDS = Needs("The pipeline forecast's accuracy on past quarters",
                                tables=("opportunities", "stage_history"))
SNAPSHOT_COLUMNS = ["period", "as_of", "actual", "time_series", "ts_lower80", "ts_upper80",
                    "ts_method"]
PIPELINE_COLUMNS = ["period", "pipeline", "pipeline_p10", "pipeline_p90"]
CALL_COLUMNS = ["period", "commit_call", "corrected_call"]


def snapshot_dates(calendar: FiscalCalendar, as_of: pd.Timestamp, count: int,
                   day: int = 15) -> list[tuple[pd.Timestamp, Period]]:
    """(day ``day`` of the quarter, that quarter) for the ``count`` quarters complete at the
    end of as_of."""
    current = current_period(calendar, as_of, "quarter")
    quarters = [calendar.shift(current, -k) for k in range(count, 0, -1)]
    return [(q.start + pd.Timedelta(days=day - 1), q) for q in quarters]


def time_series_snapshots(
    events: pd.DataFrame, calendar: FiscalCalendar, as_of: pd.Timestamp, count: int = 6,
    day: int = 15, select: str = "combination",
) -> pd.DataFrame:
    """Per past quarter: what was booked (``booking_events``) and the time-series forecast
    made on its day ``day`` from the quarters complete then; a snapshot with fewer than
    ``MIN_PERIODS`` quarters of history has no forecast (NaN: not measured)."""
    default = select == "combination"  # only its members are needed, and no backtest
    rows = []
    for date, quarter in snapshot_dates(calendar, pd.Timestamp(as_of), count, day):
        series = bookings_by_period(events, calendar, "quarter", date)[TOTAL].to_numpy(float)
        row = {"period": quarter.label, "as_of": date,
               "actual": booked_in(events, quarter, quarter.end), "time_series": np.nan,
               "ts_lower80": np.nan, "ts_upper80": np.nan, "ts_method": None}
        if enough_history(len(series), "quarter"):
            ts = auto_forecast(series, 1, season_length("quarter"), levels=(80,), select=select,
                               origins=0 if default else 3,
                               models=COMBINATION if default else CANDIDATES)
            row.update(time_series=float(ts.forecast.mean[0]),
                       ts_lower80=float(ts.forecast.intervals[80][0][0]),
                       ts_upper80=float(ts.forecast.intervals[80][1][0]), ts_method=ts.method)
        rows.append(row)
    return pd.DataFrame(rows, columns=SNAPSHOT_COLUMNS)


def pipeline_snapshots(
    opportunities: pd.DataFrame, stage_history: pd.DataFrame, catalogue: StageCatalogue,
    calendar: FiscalCalendar, as_of: pd.Timestamp, count: int = 6, day: int = 15,
    sims: int = 2000, seed: int = 0, history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per past quarter, the pipeline forecast made on its day ``day`` from the deals as known
    then (``snapshot``: with ``history``, the opportunity history, each deal's amount, close date,
    stage and category of that day; the model trained on the changes known then too)."""
    quarters = []
    for date, quarter in snapshot_dates(calendar, pd.Timestamp(as_of), count, day):
        stages = stage_history.loc[stage_history["entered_date"] <= date]
        changes = (history.loc[history["changed_at"] < date + pd.Timedelta(days=1)]
                   if history is not None else None)  # known by then: no look-ahead
        known = snapshot(opportunities, stages, catalogue, date, history=changes)
        row = pipeline_forecast(known, stages, catalogue, [quarter], date, sims=sims,
                                seed=seed, history=changes).periods.iloc[0]
        quarters.append({"period": quarter.label, "pipeline": row["expected"],
                         "pipeline_p10": row["p10"], "pipeline_p90": row["p90"]})
    return pd.DataFrame(quarters, columns=PIPELINE_COLUMNS)


def call_snapshots(team: pd.DataFrame) -> pd.DataFrame:
    """The reps' commit calls added up per past quarter (``CallScores.team`` of the snapshot
    day), raw and bias-corrected; the corrected call only where at least one rep's call was
    corrected (else it is the raw call again: not a measurement of the correction)."""
    return pd.DataFrame({"period": team["quarter"], "commit_call": team["commit"],
                         "corrected_call": team["corrected"].where(team["reps_corrected"] > 0)},
                        columns=CALL_COLUMNS)


def accuracy_table(time_series: pd.DataFrame, pipeline: pd.DataFrame | None = None,
                   calls: pd.DataFrame | None = None) -> pd.DataFrame:
    """Snapshots of the forecasts made (the pipeline's only when ``pipeline`` is given, the reps'
    commit calls only when ``calls``: ``call_snapshots``), with the error and % error of each;
    a % error is NaN (not measured) when nothing closed or no forecast was made."""
    table = time_series
    for extra in (pipeline, calls):
        if extra is not None:
            table = table.merge(extra, on="period", how="left")
    actual = table["actual"].where(table["actual"] > 0)
    for name in ("pipeline", "time_series", "commit_call", "corrected_call"):
        if name in table.columns:
            table[name] = table[name].astype(float)
            table[f"{name}_error"] = table[name] - table["actual"]
            table[f"{name}_pct_error"] = table[f"{name}_error"] / actual
    return table


def measured(table: pd.DataFrame, name: str) -> int:
    """How many snapshots of forecast ``name`` were actually measured (a % error exists)."""
    column = f"{name}_pct_error"
    return int(table[column].notna().sum()) if column in table.columns else 0


def mean_abs_error(table: pd.DataFrame, name: str, like: str | None = None) -> float:
    """Mean absolute % error of forecast ``name`` over its measured snapshots (with ``like``:
    only those where forecast ``like`` was measured too, to compare the two); NaN if none."""
    if not measured(table, name) or (like is not None and not measured(table, like)):
        return np.nan
    errors = table[f"{name}_pct_error"]
    if like is not None:
        errors = errors.where(table[f"{like}_pct_error"].notna())
    return float(errors.abs().mean())


def forecast_vs_actual(history: pd.DataFrame, bookings: pd.DataFrame) -> pd.DataFrame:
    """Saved forecasts (``salesops.data.forecast_history``) of completed periods joined to the
    actual bookings of that series and period (``bookings``: wide, from bookings_by_period)."""
    actual = bookings.stack().rename("actual").reset_index()
    actual.columns = ["period_start", "series", "actual"]
    actual["series"] = actual["series"].astype("string")
    merged = history.merge(actual, on=["period_start", "series"], how="inner")
    merged["error"] = merged["forecast"] - merged["actual"]
    merged["inside80"] = (merged["actual"] >= merged["lower80"]) & (
        merged["actual"] <= merged["upper80"])
    return merged.sort_values(["period_start", "as_of"]).reset_index(drop=True)
