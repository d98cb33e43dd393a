"""Everything the forecast report shows, computed in one call from a dataset and parameters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.analysis.forecast import accuracy
from salesops.analysis.forecast.auto import SELECTIONS
from salesops.analysis.forecast.bookings import BookingsForecast, forecast_bookings, next_periods
from salesops.analysis.forecast.crm_view import crm_view, waterfall
from salesops.analysis.forecast.pipeline import PipelineForecast, pipeline_forecast
from salesops.analysis.forecast.series import (
    TOTAL,
    apply_scope,
    attach_dimension,
    bookings_by_period,
    parse_scope,
)
from salesops.data.store import Dataset

SUMMARY_QUARTERS = 3  # this quarter and the next two


@dataclass(frozen=True)
class ForecastReport:
    """Inputs and results of one forecast report run."""

    as_of: pd.Timestamp
    frequency: str
    bookings: BookingsForecast  # by ``frequency`` and dimension
    quarterly: BookingsForecast  # company (or scope) total by quarter, for the summary
    pipeline: PipelineForecast
    crm: pd.DataFrame
    accuracy: pd.DataFrame
    rep_bias: pd.DataFrame
    rep_calls: pd.DataFrame
    summary: pd.DataFrame
    headline: str  # "pipeline" or "time_series": the forecast the summary leads with

    def waterfall(self) -> pd.DataFrame:
        """Steps of this quarter's pipeline forecast (booked, commit, best case, ...)."""
        return waterfall(self.pipeline.deals, self.pipeline.periods.iloc[0])

    def history_rows(self) -> pd.DataFrame:
        """This run's forecasts in the forecast-history layout (salesops.data.forecast_history)."""
        rows = self.bookings.forecasts.assign(as_of=self.as_of)
        return rows[["as_of", "series", "period", "period_start", "method", "forecast",
                     "lower80", "upper80", "lower95", "upper95"]]


def headline_method(table: pd.DataFrame) -> str:
    """'pipeline' or 'time_series': whichever had the lower mean absolute % error on the past
    snapshots (pipeline when there is no history to judge)."""
    if table.empty:
        return "pipeline"
    errors = {m: np.nanmean(np.abs(table[f"{m}_pct_error"])) for m in ("pipeline", "time_series")}
    if np.isnan(errors["time_series"]) or errors["pipeline"] <= errors["time_series"]:
        return "pipeline"
    return "time_series"


def build_summary(quarterly: BookingsForecast, pipeline: PipelineForecast, crm: pd.DataFrame,
                  headline: str) -> pd.DataFrame:
    """This quarter and the next two: both forecasts, the headline one, quota and gaps."""
    ts = quarterly.forecasts.loc[quarterly.forecasts["series"] == TOTAL].set_index("period")
    pipe = pipeline.periods.set_index("period")
    rows = []
    for _, c in crm.iterrows():
        p = c["period"]
        if headline == "pipeline":
            value, low, high = pipe.loc[p, "expected"], pipe.loc[p, "p10"], pipe.loc[p, "p90"]
        else:
            value, low, high = ts.loc[p, "forecast"], ts.loc[p, "lower80"], ts.loc[p, "upper80"]
        has_quota = c["quota"] > 0  # no quota set yet: shown as missing, never as $0
        rows.append({
            "period": p, "forecast": value, "low": low, "high": high,
            "pipeline": pipe.loc[p, "expected"], "time_series": ts.loc[p, "forecast"],
            "booked": c["booked"], "quota": c["quota"] if has_quota else np.nan,
            "gap": c["quota"] - value if has_quota else np.nan,
            "still_to_close": c["gap_to_quota"] if has_quota else np.nan,
            "coverage": c["coverage"],
            "coverage_needed": c["coverage_needed"] if has_quota else np.nan,
        })
    return pd.DataFrame(rows)


def build_forecast_report(
    dataset: Dataset, as_of: pd.Timestamp, horizon: int = 4, frequency: str = "quarter",
    dimension: str | None = "region", scope: str | None = None, origins: int = 3,
    snapshots: int = 6, sims: int = 2000, seed: int = 0, select: str = "combination",
) -> ForecastReport:
    """Time-series, pipeline and accuracy results for the report (see docs/forecasting.md).

    ``select``: "combination" (the default forecast) or "best" (per series, the candidate
    with the lowest backtest MASE), for today's forecasts and the past snapshots alike.
    """
    if select not in SELECTIONS:
        raise ValueError(f"selection must be one of {', '.join(SELECTIONS)}, got {select!r}")
    as_of = pd.Timestamp(as_of)
    cal = dataset.calendar
    opps = apply_scope(dataset.opportunities, scope, dataset.reps, dataset.accounts)
    ids = opps["opportunity_id"]
    history = dataset.stage_history.loc[dataset.stage_history["opportunity_id"].isin(ids)]
    if dimension:
        opps = attach_dimension(opps, dimension, dataset.reps, dataset.accounts)
    by_dim = bookings_by_period(opps, cal, frequency, as_of, dimension)
    bookings = forecast_bookings(by_dim, cal, frequency, horizon, as_of, origins, select)
    if frequency == "quarter" and horizon >= SUMMARY_QUARTERS:
        quarterly = bookings
    else:
        total = bookings_by_period(opps, cal, "quarter", as_of)
        quarterly = forecast_bookings(total, cal, "quarter", SUMMARY_QUARTERS, as_of, origins,
                                      select)
    quarters = next_periods(cal, as_of, "quarter", SUMMARY_QUARTERS)
    pipe = pipeline_forecast(opps, history, dataset.catalogue, quarters, as_of, sims, seed)
    scoped = parse_scope(scope)
    rep_ids = opps["rep_id"].drop_duplicates() if scoped else None
    crm = crm_view(opps, dataset.quotas, quarters, as_of, pipe.periods, rep_ids)
    acc, rep_rows = accuracy.backtest_snapshots(opps, history, dataset.catalogue, cal, as_of,
                                                snapshots, sims=sims, seed=seed, select=select)
    headline = headline_method(acc)
    return ForecastReport(
        as_of=as_of, frequency=frequency, bookings=bookings, quarterly=quarterly, pipeline=pipe,
        crm=crm, accuracy=acc, rep_bias=accuracy.rep_bias(rep_rows, dataset.reps),
        rep_calls=accuracy.rep_calls(pipe.deals, quarters[0], as_of, dataset.reps),
        summary=build_summary(quarterly, pipe, crm, headline), headline=headline,
    )
