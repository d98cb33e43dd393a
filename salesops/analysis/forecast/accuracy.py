"""Accuracy tracking: backtest the pipeline and time-series forecasts on past as-of snapshots,
per-rep bias, and saved forecasts compared with what actually closed.

Snapshots are rebuilt from ``stage_history`` (``salesops.data.asof.snapshot``): on day 15 of
each past quarter, only what was known then is used to forecast that quarter. The limits
of that reconstruction (today's amounts, no history of close dates or forecast categories)
are described in docs/forecasting.md.
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

BIAS_THRESHOLD = 0.2


#: What the pipeline forecast's backtest (and the rep bias drawn from it) needs: past snapshots
#: are rebuilt from the stage history.
PIPELINE_BACKTEST_NEEDS = Needs("The pipeline forecast's accuracy on past quarters",
                                tables=("opportunities", "stage_history"))
REP_BIAS_NEEDS = Needs("Rep staging bias", tables=("opportunities", "stage_history"))
SNAPSHOT_COLUMNS = ["period", "as_of", "actual", "time_series", "ts_lower80", "ts_upper80",
                    "ts_method"]
PIPELINE_COLUMNS = ["period", "pipeline", "pipeline_p10", "pipeline_p90"]
REP_ROW_COLUMNS = ["rep_id", "deals", "expected", "actual", "period"]


def snapshot_dates(calendar: FiscalCalendar, as_of: pd.Timestamp, count: int,
                   day: int = 15) -> list[tuple[pd.Timestamp, Period]]:
    """(day ``day`` of the quarter, that quarter) for the ``count`` quarters complete at the
    end of as_of."""
    current = current_period(calendar, as_of, "quarter")
    quarters = [calendar.shift(current, -k) for k in range(count, 0, -1)]
    return [(q.start + pd.Timedelta(days=day - 1), q) for q in quarters]


def _won_in(opportunities: pd.DataFrame, period: Period) -> pd.Series:
    return (opportunities["status"] == "won") & period.contains(opportunities["close_date"])


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
    sims: int = 2000, seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per past quarter, the pipeline forecast made on its day ``day`` from the deals as known
    then (``snapshot``); and per (snapshot, rep): the model's expected bookings from the rep's
    open deals vs what those deals actually booked in the quarter."""
    quarters, reps = [], []
    for date, quarter in snapshot_dates(calendar, pd.Timestamp(as_of), count, day):
        history = stage_history.loc[stage_history["entered_date"] <= date]
        known = snapshot(opportunities, history, catalogue, date)
        pf = pipeline_forecast(known, history, catalogue, [quarter], date, sims=sims, seed=seed)
        row = pf.periods.iloc[0]
        quarters.append({"period": quarter.label, "pipeline": row["expected"],
                         "pipeline_p10": row["p10"], "pipeline_p90": row["p90"]})
        deals = pf.deals[["opportunity_id", "rep_id", f"expected_{quarter.label}"]].rename(
            columns={f"expected_{quarter.label}": "expected"})
        won = opportunities.loc[_won_in(opportunities, quarter), ["opportunity_id", "amount"]]
        deals = deals.merge(won, on="opportunity_id", how="left").fillna({"amount": 0.0})
        per_rep = deals.groupby("rep_id").agg(deals=("opportunity_id", "size"),
                                              expected=("expected", "sum"),
                                              actual=("amount", "sum")).reset_index()
        reps.append(per_rep.assign(period=quarter.label))
    rep_rows = (pd.concat(reps, ignore_index=True) if reps
                else pd.DataFrame(columns=REP_ROW_COLUMNS))
    return pd.DataFrame(quarters, columns=PIPELINE_COLUMNS), rep_rows


def accuracy_table(time_series: pd.DataFrame, pipeline: pd.DataFrame | None = None) -> pd.DataFrame:
    """Snapshots of the forecasts made (the pipeline's only when ``pipeline`` is given), with
    the error and % error of each; a % error is NaN (not measured) when nothing closed or no
    forecast was made."""
    table = time_series if pipeline is None else time_series.merge(pipeline, on="period",
                                                                   how="left")
    actual = table["actual"].where(table["actual"] > 0)
    for name in ("pipeline", "time_series") if pipeline is not None else ("time_series",):
        table[name] = table[name].astype(float)
        table[f"{name}_error"] = table[name] - table["actual"]
        table[f"{name}_pct_error"] = table[f"{name}_error"] / actual
    return table


def measured(table: pd.DataFrame, name: str) -> int:
    """How many snapshots of forecast ``name`` were actually measured (a % error exists)."""
    column = f"{name}_pct_error"
    return int(table[column].notna().sum()) if column in table.columns else 0


def mean_abs_error(table: pd.DataFrame, name: str) -> float:
    """Mean absolute % error of forecast ``name`` over its measured snapshots (NaN if none)."""
    return float(table[f"{name}_pct_error"].abs().mean()) if measured(table, name) else np.nan


def rep_names(rep_ids: pd.Series, reps: pd.DataFrame | None = None) -> pd.Series:
    """Each rep's name from the roster ``reps``; the owner id where the roster has none (or
    there is no roster)."""
    ids = rep_ids.astype(str)
    if reps is None:
        return ids
    return ids.map(reps.assign(rep_id=reps["rep_id"].astype(str)).set_index("rep_id")["name"]
                   ).fillna(ids).astype(str)


def rep_left(rep_ids: pd.Series, reps: pd.DataFrame | None = None) -> pd.Series:
    """Each rep's termination date from the roster ``reps`` as known on the report's date
    (``data.asof.roster_as_of``); NaT while employed, or without a roster."""
    if reps is None or "termination_date" not in reps.columns:
        return pd.Series(pd.NaT, index=rep_ids.index, dtype="datetime64[ns]")
    left = reps.assign(rep_id=reps["rep_id"].astype(str)).set_index("rep_id")["termination_date"]
    return rep_ids.astype(str).map(left[~left.index.duplicated()]).astype("datetime64[ns]")


def rep_bias(rep_rows: pd.DataFrame, reps: pd.DataFrame | None = None,
             threshold: float = BIAS_THRESHOLD) -> pd.DataFrame:
    """Per rep over all snapshots: how their open deals converted against the model, relative
    to the team: bias = 1 - (actual / expected) / (team actual / team expected).

    Positive: the rep's deals were staged more advanced than they turned out (optimistic);
    negative: they closed more than their stages suggested (sandbagging). Relative to the team
    so that the model's own overall bias does not colour every rep.
    """
    agg = rep_rows.groupby("rep_id").agg(snapshots=("period", "nunique"), deals=("deals", "sum"),
                                         expected=("expected", "sum"),
                                         actual=("actual", "sum")).reset_index()
    team = agg["actual"].sum() / agg["expected"].sum() if agg["expected"].sum() > 0 else np.nan
    ratio = agg["actual"] / agg["expected"].where(agg["expected"] > 0)
    agg["bias"] = 1 - ratio / team if team and team > 0 else np.nan
    agg["call"] = np.select([agg["bias"] > threshold, agg["bias"] < -threshold],
                            ["optimistic", "sandbagging"], "in line")
    agg.loc[agg["bias"].isna(), "call"] = "no pipeline"
    agg.insert(1, "name", rep_names(agg["rep_id"], reps))
    agg.insert(2, "left", rep_left(agg["rep_id"], reps))
    return agg.sort_values("bias", ascending=False, na_position="last").reset_index(drop=True)


def rep_calls(deals: pd.DataFrame, period: Period, as_of: pd.Timestamp,
              reps: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per rep, this period: the CRM commit and best-case calls beside the model's expected
    value of the same deals (forward-looking: reps' categories have no history to score);
    names from ``reps`` (``rep_names``)."""
    in_period = period.contains(deals["close_date"]) | (deals["close_date"] < as_of)
    d = deals.loc[in_period]
    cat = d["forecast_category"]
    out = pd.DataFrame({
        "commit": d["amount"].where(cat == "commit", 0.0),
        "best_case": d["amount"].where(cat.isin(["commit", "best_case"]), 0.0),
        "model_expected": d[f"expected_{period.label}"],
        "rep_id": d["rep_id"],
    }).groupby("rep_id").sum().reset_index()
    out["commit_vs_model"] = out["commit"] - out["model_expected"]
    out.insert(1, "name", rep_names(out["rep_id"], reps))
    out.insert(2, "left", rep_left(out["rep_id"], reps))
    return out.sort_values("commit_vs_model", ascending=False).reset_index(drop=True)


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
