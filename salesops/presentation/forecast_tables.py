"""Forecast report tables: readable headers, formatted figures, escaped text (via
``tables.report_table``); one function per table of notebooks/forecast.ipynb."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML
from pandas.io.formats.style import Styler

from salesops.analysis.forecast.auto import COMBINATION
from salesops.presentation.html import paragraphs
from salesops.presentation.tables import report_table

MODEL_NAMES = {
    "seasonal_naive": "Seasonal naive", "naive2": "Naive", "ses": "SES", "holt_damped": "Damped Holt",
    "theta": "Theta", "ces": "CES", "ets": "ETS", "arima": "ARIMA", "zero": "Zero",
    "constant": "Constant", "mean": "Mean of history",
}
MODEL_NAMES["combination"] = f"Combination ({', '.join(MODEL_NAMES[m] for m in COMBINATION)})"
M = "money_compact"
INTERVALS = {"lower80": ("80% low", M), "upper80": ("80% high", M),
             "lower95": ("95% low", M), "upper95": ("95% high", M)}


def _named(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    """Model codes (holt_damped, ...) in ``cols`` shown by their names; unknown codes as is."""
    return df.assign(**{c: df[c].map(lambda v: MODEL_NAMES.get(v, v)) for c in cols
                        if c in df.columns})


def summary_table(summary: pd.DataFrame, currency: str = "USD") -> Styler:
    """This quarter and the next two: headline forecast and range, both forecasts, quota, gap."""
    return report_table(summary, {
        "period": ("Quarter", None), "forecast": ("Forecast", M), "low": ("Range low", M),
        "high": ("Range high", M), "pipeline": ("Pipeline forecast", M),
        "time_series": ("Time-series forecast", M), "booked": ("Booked", M),
        "quota": ("Quota", M), "gap": ("Short of quota", M), "still_to_close": ("Still to close", M),
        "coverage": ("Coverage (x)", "float"), "coverage_needed": ("Coverage needed (x)", "float"),
    }, currency, "This quarter and the next two",
        bad={"gap": summary["gap"] > 0} if "gap" in summary.columns else None)


def series_table(forecasts: pd.DataFrame, currency: str = "USD") -> Styler:
    """Reconciled time-series forecast per series and period, with 80% and 95% ranges."""
    return report_table(_named(forecasts, "method"), {
        "series": ("Series", None), "period": ("Period", None), "forecast": ("Forecast", M),
        **INTERVALS, "method": ("Method", None),
    }, currency, "Forecast by series (reconciled)")


def model_table(models: pd.DataFrame) -> Styler:
    """Backtest scores of every candidate per series; the model used is highlighted."""
    return report_table(_named(models, "model"), {
        "series": ("Series", None), "model": ("Model", None), "smape": ("sMAPE (%)", "float"),
        "mape": ("MAPE (%)", "float"), "mase": ("MASE", "float"), "bias": ("Bias (%)", "float"),
        "origins": ("Origins", "int"),
    }, caption="Backtest accuracy per series and model (model used highlighted)",
        good={"model": models["chosen"].astype(bool)})


def reasons_table(reasons: pd.DataFrame) -> Styler:
    """The method used for each series and why."""
    return report_table(_named(reasons, "method"), {
        "series": ("Series", None), "method": ("Method", None), "reason": ("Why", None),
    }, caption="Method used for each series, and why")


def pipeline_table(periods: pd.DataFrame, currency: str = "USD") -> Styler:
    """Pipeline forecast per quarter: its build-up and the Monte Carlo range."""
    return report_table(periods, {
        "period": ("Quarter", None), "booked": ("Booked", M),
        "open_expected": ("Expected from open deals", M), "run_rate": ("Run-rate (new deals)", M),
        "expected": ("Expected total", M), "p10": ("P10", M), "p50": ("P50", M), "p90": ("P90", M),
    }, currency, "Pipeline forecast: expected value and Monte Carlo range")


def crm_table(crm: pd.DataFrame, currency: str = "USD") -> Styler:
    """The CRM's own view per quarter beside the model, quota and pipeline coverage."""
    return report_table(crm, {
        "period": ("Quarter", None), "booked": ("Booked", M), "crm_weighted": ("CRM weighted", M),
        "commit": ("Commit", M), "best_case": ("Best case", M),
        "open_pipeline": ("Open pipeline", M), "model_expected": ("Model expected", M),
        "quota": ("Quota", M), "gap_to_quota": ("Still to close", M),
        "coverage": ("Coverage (x)", "float"), "coverage_needed": ("Coverage needed (x)", "float"),
    }, currency, "CRM view, quota and coverage")


def accuracy_table(accuracy: pd.DataFrame, currency: str = "USD") -> Styler:
    """Past quarters: both forecasts made on day 15 against what closed, with % errors."""
    return report_table(accuracy, {
        "period": ("Quarter", None), "actual": ("Actual", M),
        "pipeline": ("Pipeline forecast", M), "pipeline_p10": ("Pipeline P10", M),
        "pipeline_p90": ("Pipeline P90", M), "pipeline_pct_error": ("Pipeline error", "pct"),
        "time_series": ("Time-series forecast", M), "ts_lower80": ("Time-series 80% low", M),
        "ts_upper80": ("Time-series 80% high", M),
        "time_series_pct_error": ("Time-series error", "pct"),
    }, currency, "Forecast made on day 15 vs actual, per quarter")


def rep_bias_table(bias: pd.DataFrame, currency: str = "USD", top: int = 15) -> Styler:
    """The ``top`` reps by staging bias; optimistic in red, sandbagging in green."""
    shown = bias.head(top)
    return report_table(shown, {
        "name": ("Rep", None), "snapshots": ("Quarters", "int"), "deals": ("Deals", "int"),
        "expected": ("Model expected", M), "actual": ("Actual", M), "bias": ("Bias", "pct"),
        "call": ("Call", None),
    }, currency, "Rep staging bias (most optimistic first)",
        good={"call": shown["call"] == "sandbagging"}, bad={"call": shown["call"] == "optimistic"})


def rep_calls_table(calls: pd.DataFrame, currency: str = "USD", top: int = 15) -> Styler:
    """The ``top`` reps by commit above the model: their calls vs the model's expected value."""
    return report_table(calls.head(top), {
        "name": ("Rep", None), "commit": ("Commit", M), "best_case": ("Best case", M),
        "model_expected": ("Model expected", M), "commit_vs_model": ("Commit above model", M),
    }, currency, "This quarter: reps' commit and best case vs the model's expected value")


def history_table(past: pd.DataFrame | None, currency: str = "USD") -> Styler | HTML:
    """Saved forecasts of completed periods vs actual (actual inside the 80% range in green,
    outside in red), or a note when there is none yet."""
    if past is None or past.empty:
        return paragraphs(["No saved forecast of a completed period yet: later runs will show "
                           "them here."])
    return report_table(_named(past, "method"), {
        "as_of": ("Forecast made", "date"), "series": ("Series", None), "period": ("Period", None),
        "method": ("Method", None), "forecast": ("Forecast", M), "lower80": ("80% low", M),
        "upper80": ("80% high", M), "actual": ("Actual", M), "error": ("Error", M),
    }, currency, "Saved forecasts vs actual",
        good={"actual": past["inside80"].astype(bool)}, bad={"actual": ~past["inside80"].astype(bool)})
