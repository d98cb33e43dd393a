"""Forecast report tables: readable headers, formatted figures, escaped text (via
``tables.report_table``); one function per table of notebooks/forecast.ipynb."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML
from pandas.io.formats.style import Styler

from salesops.analysis.forecast.auto import MODEL_NAMES
from salesops.analysis.forecast.calls import HABIT_DAY, ON_TARGET, CallScores
from salesops.presentation import formatting
from salesops.presentation.html import paragraphs
from salesops.presentation.tables import both_ends, departed, report_table

M = "money_compact"
HEADLINES = {"pipeline": "pipeline", "time_series": "time series"}
INTERVALS = {"lower80": ("80% low", M), "upper80": ("80% high", M),
             "lower95": ("95% low", M), "upper95": ("95% high", M)}


def _named(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    """Model codes (holt_damped, ...) in ``cols`` shown by their names; unknown codes as is."""
    return df.assign(**{c: df[c].map(lambda v: MODEL_NAMES.get(v, v)) for c in cols
                        if c in df.columns})


def summary_table(summary: pd.DataFrame, currency: str = "USD",
                  headline: str | None = None) -> Styler:
    """This quarter and the next two: headline forecast and 80% range, the other forecast,
    booked, the forecast against quota (``formatting.versus``), still to close and coverage.
    ``headline`` ("pipeline" or "time_series"): the forecast leading, named in its header and
    not repeated in a column of its own."""
    shown = summary.drop(columns=[headline] if headline in summary.columns else [])
    if "quota" in summary.columns:
        shown = shown.assign(vs_quota=[formatting.versus(f, q, currency) for f, q in
                                       zip(summary["forecast"], summary["quota"], strict=True)])
    lead = f"Forecast ({HEADLINES[headline]})" if headline in HEADLINES else "Forecast"
    return report_table(shown, {
        "period": ("Quarter", None), "forecast": (lead, M), "low": ("80% range low", M),
        "high": ("80% range high", M), "pipeline": ("Pipeline forecast", M),
        "time_series": ("Time-series forecast", M), "booked": ("Booked", M),
        "quota": ("Quota", M), "vs_quota": ("Forecast vs quota", None),
        "still_to_close": ("Still to close", M), "coverage": ("Coverage", "ratio"),
        "coverage_needed": ("Coverage needed", "ratio"),
    }, currency, "This quarter and the next two",
        bad={"vs_quota": summary["gap"] > 0} if "gap" in summary.columns else None)


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
        "coverage": ("Coverage", "ratio"), "coverage_needed": ("Coverage needed", "ratio"),
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
        "commit_call": ("Reps' commit", M), "commit_call_pct_error": ("Commit error", "pct"),
        "corrected_call": ("Commit, bias-corrected", M),
        "corrected_call_pct_error": ("Corrected commit error", "pct"),
    }, currency, "Forecast made on day 15 vs actual, per quarter")


def call_scores_table(scores: CallScores, currency: str = "USD", day: int = HABIT_DAY,
                      ends: int = 5) -> HTML:
    """Reps' past commit calls made on ``day`` of the quarter against what they won, both ends:
    the ``ends`` most optimistic (highest median bias) and the ``ends`` most sandbagging among
    the reps with a habit, with the quarters each figure rests on, and every rep in an
    expandable table."""
    def render(rows: pd.DataFrame, caption: str) -> Styler:
        return report_table(departed(rows), {
            "name": ("Rep", None), "quarters": ("Quarters measured", "int"),
            "mean_accuracy": ("Mean accuracy", "pct"), "median_bias": ("Median bias", "pct"),
            "over": ("Quarters over", "int"), "under": ("Quarters under", "int"),
            "within": (f"Quarters within {formatting.pct(ON_TARGET)}", "int"),
            "habit": ("Habit", None),
        }, currency, caption, good={"habit": rows["habit"] == "on target"},
            bad={"habit": rows["habit"].isin(["optimist", "sandbagger"])})
    rows = scores.at(day)  # a rep with too few quarters is listed, never an end
    rows = rows.assign(ranked=rows["median_bias"].where(rows["habit"] != "too few quarters"))
    return both_ends(rows.sort_values("ranked", ascending=False, na_position="last"), "ranked",
                     render, ends,
                     ("Most optimistic", "Most sandbagging"),
                     f"Reps' commit calls on day {day} of past quarters vs what they won")


def rep_calls_table(calls: pd.DataFrame, currency: str = "USD", ends: int = 5) -> HTML:
    """This quarter's commit calls against the model (and corrected by each rep's past bias,
    when scored), both ends: the ``ends`` reps calling most above the model and the ``ends``
    most below, and every rep in an expandable table."""
    def versus_model(v: float) -> str:
        if formatting.missing(v) or formatting.shown_money(v) == 0:
            return "–" if formatting.missing(v) else "on the model"
        side = "above" if v > 0 else "below"
        return f"{formatting.money(abs(v), currency, compact=True)} {side}"

    def render(rows: pd.DataFrame, caption: str) -> Styler:
        return report_table(departed(rows), {
            "name": ("Rep", None), "commit": ("Commit", M), "best_case": ("Best case", M),
            "corrected": ("Commit, bias-corrected", M),
            "model_expected": ("Model expected", M), "commit_vs_model": ("Commit vs model",
                                                                         versus_model),
        }, currency, caption)
    return both_ends(calls, "commit_vs_model", render, ends,
                     ("Commit most above the model", "Commit most below the model"),
                     "This quarter: reps' commit and best case vs the model's expected value")


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
