"""Everything the forecast report shows, computed in one call from a dataset and parameters.

Every figure is as known at the end of ``as_of``: deals from the as-of snapshot
(``salesops.data.asof.snapshot``: created later, absent; closed later, still open) and the stage
history cut at ``as_of``. Each section carries an ``Availability``: what the data cannot support
is left out with one sentence (docs/forecasting.md, "Thin data").
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from salesops.analysis.forecast import accuracy, calls
from salesops.analysis.forecast.auto import SELECTIONS
from salesops.analysis.forecast.bookings import BookingsForecast, forecast_bookings, next_periods
from salesops.analysis.forecast.crm_view import (
    CATEGORY_COLUMNS,
    CATEGORY_NEEDS,
    CRM_NEEDS,
    PROBABILITY_COLUMNS,
    QUOTA_COLUMNS,
    QUOTA_NEEDS,
    categories_availability,
    crm_view,
    waterfall,
)
from salesops.analysis.forecast.pipeline import (
    CRM_PROBABILITY_NEEDS,
    PIPELINE_NEEDS,
    PipelineForecast,
    pipeline_forecast,
    probability_source,
)
from salesops.analysis.forecast.series import (
    MIN_PERIODS,
    TOTAL,
    booked_in,
    booking_events,
    bookings_by_period,
    bookings_only,
    dimension_availability,
    enough_history,
    largest_members,
    tagged,
)
from salesops.data.coverage import Coverage, coverages
from salesops.data.history import has_history
from salesops.data.periods import FiscalCalendar, Period
from salesops.data.requirements import AVAILABLE, Availability
from salesops.data.scope import Scope, ScopedView, scoped_view
from salesops.data.store import Dataset

SUMMARY_QUARTERS = 3  # this quarter and the next two
#: Report sections, each with an Availability in ``ForecastReport.availability``.
SECTIONS = ("summary", "time_series", "dimension", "pipeline", "crm", "quota", "categories",
            "crm_probability", "accuracy", "pipeline_accuracy", "call_scores", "rep_calls")
#: Past quarters the reps' calls are scored on, at least (more earlier quarters make the
#: habits and the bias corrections of the backtested quarters firmer).
CALL_QUARTERS = 8


@dataclass(frozen=True)
class ForecastReport:
    """Inputs and results of one forecast report run; a section the data cannot support is
    None (or empty) and its ``availability`` says why."""

    as_of: pd.Timestamp
    frequency: str
    dimension: str | None  # the split used (None: total only)
    bookings: BookingsForecast | None  # by ``frequency`` and dimension
    quarterly: BookingsForecast | None  # company (or scope) total by quarter, for the summary
    pipeline: PipelineForecast | None
    crm: pd.DataFrame | None
    accuracy: pd.DataFrame
    call_scores: calls.CallScores | None  # reps' past calls scored (needs the deal history)
    rep_calls: pd.DataFrame | None  # this quarter's calls beside the model
    summary: pd.DataFrame
    headline: str  # "pipeline" or "time_series": the forecast the summary leads with
    availability: dict[str, Availability] = field(default_factory=dict)
    other_members: int = 0  # members of the dimension forecast together as series.OTHER
    coverage: tuple[Coverage, ...] = ()  # per summary quarter (data.coverage); () without quotas
    calendar: FiscalCalendar = field(default_factory=FiscalCalendar)  # the dataset's fiscal year
    warnings: tuple[str, ...] = ()  # Python warnings raised while computing (never shown)

    def waterfall(self) -> pd.DataFrame:
        """Steps of this quarter's pipeline forecast (booked, commit, best case, ...)."""
        return waterfall(self.pipeline.deals, self.pipeline.periods.iloc[0],
                         bool(self.availability.get("categories", True)))

    def call_correction(self) -> tuple[int, pd.DataFrame] | None:
        """The call day this quarter's calls are corrected on, and on that day of past quarters
        the reps' calls added up, as made and corrected, against what was won (None without
        scored calls)."""
        if self.call_scores is None:
            return None
        quarter = self.calendar.period(self.pipeline.periods["start"].iloc[0], "quarter")
        day = calls.latest_call_day(quarter, self.as_of)
        return day, self.call_scores.history(day)

    def total_history(self) -> pd.Series:
        """Bookings of the total (or scope) per complete period, indexed by the fiscal period
        label ("FY2026 Q3"), as the tables name periods."""
        history = self.bookings.history[TOTAL]
        labels = self.calendar.period_label(history.index.to_series(), self.frequency)
        return pd.Series(history.to_numpy(), index=pd.Index(labels.to_numpy(), name="period"),
                         name=TOTAL)

    def total_forecast(self) -> pd.DataFrame:
        """The time-series forecast of the total (or scope), per period."""
        return self.bookings.forecasts.loc[self.bookings.forecasts["series"] == TOTAL]

    def history_rows(self) -> pd.DataFrame:
        """This run's forecasts in the forecast-history layout (salesops.data.forecast_history);
        none without a time-series forecast."""
        columns = ["as_of", "series", "period", "period_start", "method", "forecast",
                   "lower80", "upper80", "lower95", "upper95"]
        if self.bookings is None:
            return pd.DataFrame(columns=columns)
        return self.bookings.forecasts.assign(as_of=self.as_of)[columns]


def headline_method(table: pd.DataFrame, has_pipeline: bool = True,
                    has_time_series: bool = True) -> str:
    """'pipeline' or 'time_series': whichever had the lower mean absolute % error over the
    measured snapshots (pipeline when there is no measurement to judge), among those made."""
    if not has_pipeline or not has_time_series:
        return "pipeline" if has_pipeline else "time_series"
    errors = {m: accuracy.mean_abs_error(table, m) if len(table) else np.nan
              for m in ("pipeline", "time_series")}
    if np.isnan(errors["time_series"]) or errors["pipeline"] <= errors["time_series"]:
        return "pipeline"
    return "time_series"


def build_summary(periods: list[str], booked: pd.Series, time_series: pd.DataFrame | None,
                  pipeline: pd.DataFrame | None, crm: pd.DataFrame | None,
                  headline: str) -> pd.DataFrame:
    """This quarter and the next two: the headline forecast and its range, both forecasts,
    booked, and (when ``crm`` has quotas) quota and gaps. ``time_series``: quarterly TOTAL
    forecasts; ``pipeline``: the pipeline forecast's periods; either may be None."""
    ts = time_series.set_index("period") if time_series is not None else None
    pipe = pipeline.set_index("period") if pipeline is not None else None
    quotas = crm.set_index("period") if crm is not None and "quota" in crm.columns else None
    rows = []
    for p in periods:
        if headline == "pipeline":
            value, low, high = pipe.loc[p, "expected"], pipe.loc[p, "p10"], pipe.loc[p, "p90"]
        else:
            value, low, high = ts.loc[p, "forecast"], ts.loc[p, "lower80"], ts.loc[p, "upper80"]
        row = {"period": p, "forecast": value, "low": low, "high": high}
        if pipe is not None:
            row["pipeline"] = pipe.loc[p, "expected"]
            row["run_rate"] = pipe.loc[p, "run_rate"]  # from deals not created yet
        if ts is not None:
            row["time_series"] = ts.loc[p, "forecast"]
        row["booked"] = booked[p]
        if quotas is not None:
            c = quotas.loc[p]
            has_quota = c["quota"] > 0  # no quota set yet: shown as missing, never as $0
            row.update({
                "quota": c["quota"] if has_quota else np.nan,
                "gap": c["quota"] - value if has_quota else np.nan,
                "still_to_close": c["gap_to_quota"] if has_quota else np.nan,
                "coverage": c["coverage"],
                "coverage_needed": c["coverage_needed"],  # the same value as the CRM view's
            })
        rows.append(row)
    return pd.DataFrame(rows)


def build_forecast_report(
    dataset: Dataset, as_of: pd.Timestamp, horizon: int = 4, frequency: str = "quarter",
    dimension: str | None = "region", scope: str | Scope | None = None, origins: int = 3,
    snapshots: int = 6, sims: int = 2000, seed: int = 0, select: str = "combination",
) -> ForecastReport:
    """Time-series, pipeline and accuracy results for the report (see docs/forecasting.md),
    as known at the end of ``as_of`` within ``scope`` (``salesops.data.scope.scoped_view``; a
    view may be passed as ``dataset``), from deals or (bookings-only) transactions.

    ``select``: "combination" (the default forecast) or "best" (per series, the candidate
    with the lowest backtest MASE), for today's forecasts and the past snapshots alike.
    Python warnings raised by the models are captured in ``ForecastReport.warnings``.
    """
    if select not in SELECTIONS:
        raise ValueError(f"selection must be one of {', '.join(SELECTIONS)}, got {select!r}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = _build(scoped_view(dataset, as_of, scope), horizon, frequency, dimension,
                        origins, snapshots, sims, seed, select)
    messages = dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught)
    return replace(report, warnings=tuple(messages))


def _build(dataset: ScopedView, horizon: int, frequency: str, dimension: str | None,
           origins: int, snapshots: int, sims: int, seed: int, select: str) -> ForecastReport:
    cal, as_of = dataset.calendar, dataset.as_of
    deals = not bookings_only(dataset)
    known = dataset.deals if deals else dataset.transactions
    history = dataset.stage_history
    av = dict.fromkeys(SECTIONS, AVAILABLE)
    av["dimension"] = dimension_availability(dataset, dimension) if dimension else AVAILABLE
    split = dimension if dimension and av["dimension"] else None
    frame = tagged(known, dataset, split) if split else known
    if split:
        av["dimension"] = one_member_availability(frame[split], split, dataset.scope)
        split = split if av["dimension"] else None
    events = booking_events(opportunities=frame) if deals else booking_events(transactions=frame)
    others = 0
    if split:
        events, others = largest_members(events, split)

    by_dim = bookings_by_period(events, cal, frequency, as_of, split)
    av["time_series"] = enough_history(len(by_dim), frequency)
    bookings = (forecast_bookings(by_dim, cal, frequency, horizon, as_of, origins, select)
                if av["time_series"] else None)
    total = by_dim if frequency == "quarter" else bookings_by_period(events, cal, "quarter", as_of)
    quarters_known = enough_history(len(total), "quarter", "The forecast summary")
    quarterly = None
    if frequency == "quarter" and horizon >= SUMMARY_QUARTERS:
        quarterly = bookings
    elif quarters_known:
        quarterly = forecast_bookings(total, cal, "quarter", SUMMARY_QUARTERS, as_of, origins,
                                      select)

    quarters = next_periods(cal, as_of, "quarter", SUMMARY_QUARTERS)
    pipe = crm = scores = rep_calls = pipe_snaps = call_snaps = None
    covers: tuple[Coverage, ...] = ()
    deal_history = dataset.opportunity_history if has_history(dataset) else None
    av["pipeline"] = PIPELINE_NEEDS.check(dataset)
    av["crm"] = CRM_NEEDS.check(dataset)
    av["quota"] = QUOTA_NEEDS.check(dataset)
    av["pipeline_accuracy"] = accuracy.PIPELINE_BACKTEST_NEEDS.check(dataset)
    av["call_scores"] = calls.CALLS_NEEDS.check(dataset)
    if deals and av["pipeline"]:
        open_deals = known.loc[known["status"] == "open"]
        av["categories"] = av["rep_calls"] = categories_availability(dataset, open_deals)
        av["crm_probability"] = CRM_PROBABILITY_NEEDS.check(dataset)
        pipe = pipeline_forecast(known, history, dataset.catalogue, quarters, as_of, sims, seed,
                                 probabilities=probability_source(dataset, open_deals),
                                 history=deal_history)
        covers = coverages(dataset, quarters, as_of)
        crm = _without(crm_view(known, covers, quarters, as_of, pipe.periods), av)
        roster = dataset.reps if dataset.has("reps", "name") else None
        if av["call_scores"]:
            scores = calls.call_scores(known, deal_history, roster, cal, as_of,
                                       max(snapshots, CALL_QUARTERS))
            call_snaps = accuracy.call_snapshots(scores.team(calls.CALL_DAYS[0]))
        if av["rep_calls"]:
            rep_calls = calls.rep_calls(known, pipe.deals, quarters[0], as_of, roster, scores)
        if av["pipeline_accuracy"]:
            pipe_snaps = accuracy.pipeline_snapshots(
                known, history, dataset.catalogue, cal, as_of, snapshots, sims=sims, seed=seed,
                history=deal_history)
    else:
        av["categories"] = av["rep_calls"] = CATEGORY_NEEDS.check(dataset)
        av["crm_probability"] = CRM_PROBABILITY_NEEDS.check(dataset)
    ts_snaps = accuracy.time_series_snapshots(events, cal, as_of, snapshots, select=select)
    acc = accuracy.accuracy_table(ts_snaps, pipe_snaps, call_snaps)
    av["accuracy"] = _accuracy_availability(acc, snapshots)

    ts_quarters = None
    if quarterly is not None:
        ts_quarters = quarterly.forecasts.loc[quarterly.forecasts["series"] == TOTAL]
    headline = headline_method(acc, pipe is not None, ts_quarters is not None)
    labels = [q.label for q in quarters]
    if pipe is None and ts_quarters is None:
        av["summary"] = quarters_known
        summary = pd.DataFrame(columns=["period", "forecast", "low", "high"])
    else:
        summary = build_summary(labels, _booked(events, quarters, as_of), ts_quarters,
                                pipe.periods if pipe is not None else None, crm, headline)
    return ForecastReport(
        as_of=as_of, frequency=frequency, dimension=split, bookings=bookings,
        quarterly=quarterly, pipeline=pipe, crm=crm, accuracy=acc, call_scores=scores,
        rep_calls=rep_calls, summary=summary, headline=headline, availability=av,
        other_members=others, coverage=covers if av["quota"] else (), calendar=cal,
    )


def one_member_availability(members: pd.Series, dimension: str, scope: Scope) -> Availability:
    """Not available when ``members`` (the deals' or transactions' ``dimension`` values) has
    at most one value: a split into one member would repeat the total."""
    values = members.dropna().astype(str).unique()
    if len(values) > 1:
        return AVAILABLE
    where = "The company" if scope.is_company else scope.label
    has = f"has one {dimension} ({values[0]})" if len(values) else f"has no {dimension} values"
    return Availability.missing(f"The forecast is not split by {dimension}: {where} {has}, so "
                                "the total is its only forecast.")


def _without(crm: pd.DataFrame, av: dict[str, Availability]) -> pd.DataFrame:
    """The CRM view without the columns the data cannot support (quotas, categories, the CRM's
    probabilities)."""
    drop = [*(QUOTA_COLUMNS if not av["quota"] else ()),
            *(CATEGORY_COLUMNS if not av["categories"] else ()),
            *(PROBABILITY_COLUMNS if not av["crm_probability"] else ())]
    return crm.drop(columns=[c for c in drop if c in crm.columns])


def _booked(events: pd.DataFrame, periods: list[Period], as_of: pd.Timestamp) -> pd.Series:
    """Amount booked by the end of ``as_of`` in each period, by label."""
    return pd.Series({p.label: booked_in(events, p, as_of) for p in periods})


def _accuracy_availability(table: pd.DataFrame, snapshots: int) -> Availability:
    """Available when at least one past quarter was measured by either forecast."""
    if accuracy.measured(table, "pipeline") or accuracy.measured(table, "time_series"):
        return AVAILABLE
    return Availability.missing(
        f"Forecast accuracy cannot be shown: none of the last {snapshots} quarters could be "
        f"measured (a forecast made then needs {MIN_PERIODS} complete quarters before it, or "
        "a stage history for the pipeline forecast, and bookings in the quarter).")

