"""Forecast charts in the house style (fan chart, pipeline waterfall, accuracy history) and
the report's generated sentences (executive summary, what the pipeline forecast rests on).

A chart with nothing to draw is replaced by a sentence (``paragraphs``); ``as_image`` turns a
figure into a PNG so that ``sections.show`` can display it once."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure

from salesops.analysis.forecast.accuracy import mean_abs_error, measured
from salesops.analysis.forecast.pipeline import PipelineForecast
from salesops.analysis.forecast.series import MAX_MEMBERS, OTHER
from salesops.data.coverage import Coverage
from salesops.data.requirements import Availability
from salesops.presentation import formatting
from salesops.presentation.headline import Headline, as_value, coverage_items
from salesops.presentation.html import paragraphs
from salesops.presentation.style import (
    ACCENT,
    BAD,
    GOOD,
    MAX_WIDTH,
    NEUTRAL,
    PALETTE,
    PRIMARY,
    bar_labels,
    legend_outside,
    money_axis,
    new_figure,
    percent_axis,
    period_axis,
)


def fan_chart(history: pd.Series, forecast: pd.DataFrame, title: str,
              currency: str = "USD") -> Figure | HTML:
    """Actual bookings then the forecast with its 80% and 95% ranges on a fiscal period axis;
    a sentence instead when there is neither.

    ``history``: bookings indexed by period label ("FY2026 Q3"); ``forecast``: rows with
    period_start, period, forecast, lower80, upper80, lower95, upper95.
    """
    if not len(history) and forecast.empty:
        return paragraphs([f"{title}: no bookings history and no forecast to chart."])
    fig, ax = new_figure()
    f = forecast.sort_values("period_start")
    n = len(history)
    ax.plot(np.arange(n), history.to_numpy(float), color=PRIMARY, marker="o", ms=3,
            label="Actual")
    x = np.arange(n, n + len(f))
    cols = {c: f[c].to_numpy(float) for c in ("forecast", "lower80", "upper80", "lower95",
                                              "upper95")}
    if n:  # join the last actual to the first forecast point
        x = np.r_[n - 1, x]
        cols = {c: np.r_[history.iloc[-1], v] for c, v in cols.items()}
    ax.fill_between(x, cols["lower95"], cols["upper95"], color=ACCENT, alpha=0.18,
                    label="95% range", lw=0)
    ax.fill_between(x, cols["lower80"], cols["upper80"], color=ACCENT, alpha=0.4,
                    label="80% range", lw=0)
    ax.plot(x, cols["forecast"], color=ACCENT, lw=2, ls="--", label="Forecast")
    ax.set_title(title)
    ax.set_ylim(bottom=0)
    money_axis(ax, currency)
    period_axis(ax, [*history.index.astype(str), *f["period"].astype(str)], most=5)
    legend_outside(ax, ncol=4)
    return fig


WATERFALL_COLOURS = {"booked": (PRIMARY, "Booked"), "step": (ACCENT, "Expected to add"),
                     "total": (GOOD, "Expected total")}


def waterfall_chart(steps: pd.DataFrame, title: str, quota: float | None = None,
                    currency: str = "USD") -> Figure | HTML:
    """Floating bars adding up the pipeline forecast (steps: step, amount), each labelled with
    its amount, the total and, if given, the quota as a line; every colour in the key; a
    sentence instead when every step is zero."""
    amounts = steps["amount"].to_numpy(float)
    if not np.any(amounts):
        return paragraphs([f"{title}: nothing booked, no open deal and no run-rate, so "
                           "nothing to chart."])
    fig, ax = new_figure(height=4.5)
    bottoms = np.r_[0, np.cumsum(amounts)[:-1], 0]
    kinds = ["booked"] + ["step"] * (len(amounts) - 1) + ["total"]
    labels = [textwrap.fill(t, 12) for t in [*steps["step"].astype(str), "Expected total"]]
    for kind, (colour, name) in WATERFALL_COLOURS.items():
        at = [i for i, k in enumerate(kinds) if k == kind]
        if not at:
            continue
        heights = np.r_[amounts, amounts.sum()][at]
        bars = ax.bar(at, heights, bottom=bottoms[at], color=colour, label=name)
        bar_labels(ax, bars, lambda v: formatting.money(v, currency, compact=True))
    if quota is not None and quota > 0:
        ax.axhline(quota, color=BAD, ls="--", lw=1.5,
                   label=f"Quota {formatting.money(quota, currency, compact=True)}")
        ax.set_ylim(top=max(ax.get_ylim()[1], quota * 1.08))  # the quota line stays in view
    ax.set_xticks(range(len(labels)), labels)
    ax.set_title(title)
    money_axis(ax, currency)
    legend_outside(ax, ncol=2)
    return fig


def accuracy_chart(table: pd.DataFrame, currency: str = "USD") -> Figure | HTML:
    """Past quarters: actual bookings vs the forecasts made on the snapshot day (pipeline with
    its P10-P90 range, time series; each only if it was made), and the % error of each below,
    on fiscal quarter axes with the key below both panels; a sentence instead when no quarter
    was measured."""
    made = [n for n in ("pipeline", "time_series") if measured(table, n)]
    if not made:
        return paragraphs(["No past quarter was measured: nothing to chart."])
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(MAX_WIDTH, 6.5), sharex=True,
                                      gridspec_kw={"height_ratios": [2, 1]},
                                      layout="constrained")
    x = np.arange(len(table))
    width = 0.8 / (len(made) + 1)
    offsets = {"actual": -width * len(made) / 2}
    offsets.update({n: offsets["actual"] + width * (i + 1) for i, n in enumerate(made)})
    colors = {"pipeline": ACCENT, "time_series": PALETTE[2]}
    labels = {"pipeline": "Pipeline forecast", "time_series": "Time-series forecast"}
    top.bar(x + offsets["actual"], table["actual"], width, color=PRIMARY, label="Actual")
    for name in made:
        top.bar(x + offsets[name], table[name], width, color=colors[name], label=labels[name])
        bottom.bar(x + offsets[name], table[f"{name}_pct_error"].to_numpy(float), width,
                   color=colors[name])
    if "pipeline" in made:
        top.errorbar(x + offsets["pipeline"], table["pipeline"],
                     yerr=[table["pipeline"] - table["pipeline_p10"],
                           table["pipeline_p90"] - table["pipeline"]],
                     fmt="none", ecolor="#000000", capsize=3, label="Pipeline P10-P90 range")
    top.set_title("Forecasts made on day 15 of each quarter vs what closed")
    money_axis(top, currency)
    bottom.axhline(0, color=NEUTRAL, lw=1)
    bottom.set_ylabel("Error vs actual")
    percent_axis(bottom)
    # "FY2025 Q2" on two lines: six quarters side by side fit a phone-width chart
    period_axis(bottom, table["period"].astype(str).str.replace(" ", "\n").tolist(),
                positions=x)
    handles, names = top.get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncol=2)
    return fig


def _quarters(n: int) -> str:
    return f"{n} quarter" if n == 1 else f"{n} quarters"


def _deals(n: int) -> str:
    return f"{formatting.count(n)} open deal" + ("" if n == 1 else "s")


def summary_sentences(summary: pd.DataFrame, accuracy: pd.DataFrame, headline: str,
                      currency: str = "USD", coverage: Sequence[Coverage] = ()) -> list[str]:
    """Executive summary: one sentence per quarter (against quota, with the coverage of what is
    still to close and the standard it is held to, only when the summary has quotas; a
    pipeline forecast above what the coverage supports says how much it counts from deals not
    created yet), then which forecast leads and how it did over the quarters measured."""
    def m(v: float) -> str:
        return formatting.money(v, currency, compact=True)

    covers = {c.period: c for c in coverage}
    out = []
    for _, r in summary.iterrows():
        text = (f"{r['period']}: forecast {m(r['forecast'])} (80% range {m(r['low'])} to "
                f"{m(r['high'])})")
        cov = covers.get(r["period"])
        if "quota" not in summary.columns:
            pass  # no quotas in the data: the report says so once, not per quarter
        elif pd.notna(r["quota"]):
            text += f", {formatting.versus(r['forecast'], r['quota'], currency)}"
            if headline == "pipeline" and _short_of_cover(cov) and r.get("run_rate", 0) > 0:
                text += f", counting {m(r['run_rate'])} from deals not created yet"
            if cov is not None and cov.to_close > 0:
                text += f"; {m(r['booked'])} booked, {formatting.coverage_text(cov, currency)}"
            elif cov is not None:
                text += f"; {formatting.coverage_text(cov, currency)}"
        else:
            text += "; no quota set yet"
        out.append(text + ".")
    if len(summary):
        out.append(accuracy_sentence(accuracy, headline))
    return out


def _short_of_cover(cov: Coverage | None) -> bool:
    """Whether the open pipeline covers less than the usual conversion needs."""
    return cov is not None and bool(cov.ratio < cov.needed)


def headline_items(summary: pd.DataFrame, coverage: Sequence[Coverage],
                   currency: str = "USD") -> list[Headline]:
    """The forecast's headline numbers for the cover (keys agreed across reports): this
    quarter's forecast and 80% range, bookings to date and quota, and next quarter's coverage
    and the coverage needed at the usual conversion; bookings, quota and coverage are
    ``data.coverage``'s figures, as in the performance review."""
    if summary.empty:
        return []
    now = summary.iloc[0]
    period = str(now["period"])

    def money(key: str, label: str, v: float, note: str = "") -> Headline:
        return Headline(key, label, as_value(v), formatting.money(v, currency, compact=True),
                        period, note)

    low, high = (formatting.money(now[k], currency, compact=True) for k in ("low", "high"))
    items = [money("forecast", "Forecast", now["forecast"], f"80% range {low} to {high}"),
             money("forecast_low", "Forecast, 80% range low", now["low"]),
             money("forecast_high", "Forecast, 80% range high", now["high"])]
    if not coverage:
        return items
    cur = coverage[0]
    items += [money("bookings", "Bookings", cur.booked, "to date"),
              money("quota", "Quota", cur.quota)]
    if len(coverage) > 1:
        items += coverage_items(coverage[1], currency)
    return items


def accuracy_sentence(accuracy: pd.DataFrame, headline: str) -> str:
    """Which forecast the summary leads with, and the mean absolute error of each forecast over
    the past quarters it was actually measured on (never over quarters it was not)."""
    name = "pipeline" if headline == "pipeline" else "time-series"
    counts = {k: measured(accuracy, k) for k in ("pipeline", "time_series")}
    errs = {k: formatting.pct(mean_abs_error(accuracy, k)) for k, n in counts.items() if n}
    lead = f"The headline figure is the {name} forecast"
    if not errs:
        return f"{lead}; no past quarter could be measured to judge it."
    if len(errs) == 2 and counts["pipeline"] == counts["time_series"]:
        return (f"{lead}: over the last {_quarters(counts['pipeline'])} measured, forecasts made "
                f"on day 15 missed by {errs['pipeline']} (pipeline) and {errs['time_series']} "
                "(time series) on average.")
    parts = [f"{errs[k]} ({k.replace('_', ' ')}, over {_quarters(counts[k])} measured)"
             for k in errs]
    return f"{lead}: forecasts made on day 15 missed by {' and '.join(parts)} on average."


def correction_sentences(accuracy: pd.DataFrame, day: int = 15) -> list[str]:
    """Whether correcting the reps' commit calls made on ``day`` by their past bias helped: both
    mean absolute errors over the same quarters, and the verdict the figures shown support
    (none without the reps' calls)."""
    if "corrected_call" not in accuracy.columns:
        return []
    n = measured(accuracy, "corrected_call")
    if not n:
        return ["No past quarter's commit calls could be corrected for the reps' bias: a "
                "rep's correction needs their calls of 3 earlier quarters."]
    raw = formatting.pct(mean_abs_error(accuracy, "commit_call", like="corrected_call"))
    fixed = formatting.pct(mean_abs_error(accuracy, "corrected_call"))
    verdict = ("made no difference" if raw == fixed else "helped" if
               mean_abs_error(accuracy, "corrected_call")
               < mean_abs_error(accuracy, "commit_call", like="corrected_call") else
               "did not help")
    return [f"The reps' commit calls on day {day}, added up, missed by {raw} on average over "
            f"{_quarters(n)}; corrected by each rep's bias in earlier quarters they missed by "
            f"{fixed}: the correction {verdict}."]


PROBABILITY_SENTENCES = {
    "history": "Win probabilities are learned from how past deals progressed through the stage "
               "history (by stage and deal age).",
    "crm": "Win probabilities are the CRM's probability column (the stage's default where a deal "
           "has none): the data has no stage history to learn them from.",
    "catalogue": "Win probabilities are the stage catalogue's default per stage: the data has no "
                 "stage history to learn them from and no CRM probability column.",
}


def pipeline_sentences(pipeline: PipelineForecast) -> list[str]:
    """What the pipeline forecast rests on: the source of its win probabilities, and the open
    deals it counts but cannot value (no amount) or place in a quarter (no close date)."""
    out = [PROBABILITY_SENTENCES[pipeline.probabilities]]
    for n, gap in ((pipeline.unknown_amounts, "amount"),
                   (pipeline.unknown_close_dates, "expected close date")):
        if not n:
            continue
        one = n == 1
        they, verb, their = ("it is", "has", "its") if one else ("they are", "have", "their")
        if gap == "amount":
            out.append(f"{_deals(n)} {verb} no amount: {they} counted as "
                       f"{'a deal' if one else 'deals'} but left out of the pipeline value "
                       f"({their} value is unknown).")
        else:
            out.append(f"{_deals(n)} {verb} no expected close date: {they} left out of the CRM "
                       f"view's quarters ({their} quarter is unknown); the model still values "
                       f"{'it' if one else 'them'} by {their} stage's usual timing.")
    return out


def notes(*sections: Availability) -> list[str]:
    """The sentences of the sections the data cannot support (none for available ones)."""
    return [av.reason for av in sections if not av]


def members_sentences(dimension: str | None, others: int) -> list[str]:
    """When a dimension has too many members to forecast one by one: how many were forecast
    together as 'Other' (``series.largest_members``); else nothing."""
    if not dimension or not others:
        return []
    return [f"The forecast by {dimension} shows its {MAX_MEMBERS - 1} largest members by bookings "
            f"one by one; the other {formatting.count(others)} are forecast together as "
            f"'{OTHER}'."]
