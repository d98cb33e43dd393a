"""Forecast charts in the house style (fan chart, pipeline waterfall, accuracy history) and
the executive-summary sentences."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from salesops.presentation import formatting
from salesops.presentation.style import BAD, GOOD, NEUTRAL, PALETTE, PRIMARY, money_axis, new_figure


def fan_chart(history: pd.Series, forecast: pd.DataFrame, title: str,
              currency: str = "USD") -> Figure:
    """Actual bookings then the forecast with its 80% and 95% bands.

    ``history``: bookings indexed by period start; ``forecast``: rows with period_start,
    forecast, lower80, upper80, lower95, upper95.
    """
    fig, ax = new_figure()
    ax.plot(history.index, history.to_numpy(), color=PRIMARY, marker="o", ms=3, label="Actual")
    f = forecast.sort_values("period_start")
    x = pd.DatetimeIndex(f["period_start"])
    if len(history):  # join the last actual to the first forecast point
        x = x.insert(0, history.index[-1])
        last = history.iloc[-1]
        cols = {c: np.r_[last, f[c].to_numpy(float)] for c in
                ("forecast", "lower80", "upper80", "lower95", "upper95")}
    else:
        cols = {c: f[c].to_numpy(float) for c in
                ("forecast", "lower80", "upper80", "lower95", "upper95")}
    ax.fill_between(x, cols["lower95"], cols["upper95"], color=PALETTE[1], alpha=0.15,
                    label="95% range")
    ax.fill_between(x, cols["lower80"], cols["upper80"], color=PALETTE[1], alpha=0.3,
                    label="80% range")
    ax.plot(x, cols["forecast"], color=PALETTE[2], lw=2, ls="--", label="Forecast")
    ax.set_title(title)
    ax.set_ylim(bottom=0)
    money_axis(ax, currency)
    ax.legend(loc="upper left")
    return fig


def waterfall_chart(steps: pd.DataFrame, title: str, quota: float | None = None,
                    currency: str = "USD") -> Figure:
    """Floating bars adding up the pipeline forecast (steps: step, amount), with the total
    and, if given, the quota as a line."""
    fig, ax = new_figure()
    amounts = steps["amount"].to_numpy(float)
    bottoms = np.r_[0, np.cumsum(amounts)[:-1]]
    labels = [*steps["step"].astype(str), "Expected total"]
    colors = [PRIMARY] + [PALETTE[1]] * (len(amounts) - 1) + [PALETTE[2]]
    ax.bar(labels, np.r_[amounts, amounts.sum()], bottom=np.r_[bottoms, 0], color=colors)
    if quota is not None and quota > 0:
        ax.axhline(quota, color=BAD, ls="--", lw=1.5, label="Quota")
        ax.legend(loc="upper left")
    ax.set_title(title)
    money_axis(ax, currency)
    ax.tick_params(axis="x", rotation=20)
    return fig


def accuracy_chart(table: pd.DataFrame, currency: str = "USD") -> Figure:
    """Past quarters: actual bookings vs the pipeline and time-series forecasts made on the
    snapshot day, with the pipeline's P10-P90 range, and the % error of each below."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6.5), sharex=True,
                                      gridspec_kw={"height_ratios": [2, 1]})
    x = np.arange(len(table))
    width = 0.27
    top.bar(x - width, table["actual"], width, color=PRIMARY, label="Actual")
    top.bar(x, table["pipeline"], width, color=PALETTE[1], label="Pipeline forecast")
    top.errorbar(x, table["pipeline"], yerr=[table["pipeline"] - table["pipeline_p10"],
                                              table["pipeline_p90"] - table["pipeline"]],
                 fmt="none", ecolor=NEUTRAL, capsize=3, label="Pipeline P10-P90")
    top.bar(x + width, table["time_series"], width, color=PALETTE[2], label="Time-series forecast")
    top.set_title("Forecasts made on day 15 of each quarter vs what closed")
    money_axis(top, currency)
    top.legend(loc="upper left", ncol=2, fontsize=9)
    for name, color, offset in (("pipeline", PALETTE[1], -width / 2),
                                ("time_series", PALETTE[2], width / 2)):
        err = table[f"{name}_pct_error"].to_numpy(float)
        bottom.bar(x + offset, err, width, color=color)
    bottom.axhline(0, color=GOOD, lw=1)
    bottom.set_ylabel("Error vs actual")
    bottom.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _p: f"{v:+.0%}"))
    bottom.set_xticks(x, table["period"].astype(str))
    fig.tight_layout()
    return fig


def summary_sentences(summary: pd.DataFrame, accuracy: pd.DataFrame, headline: str,
                      currency: str = "USD") -> list[str]:
    """Executive summary: one sentence per quarter, then which forecast leads and why."""
    def m(v: float) -> str:
        return formatting.money(v, currency, compact=True)

    out = []
    for _, r in summary.iterrows():
        text = f"{r['period']}: forecast {m(r['forecast'])} (range {m(r['low'])} to {m(r['high'])})"
        if pd.notna(r["gap"]):
            side = "short of" if r["gap"] > 0 else "above"
            text += f", {m(abs(r['gap']))} {side} the {m(r['quota'])} quota"
            if r["still_to_close"] > 0:
                text += (f"; {m(r['booked'])} booked, {m(r['still_to_close'])} still to close "
                         f"with {formatting.number(r['coverage'])}x pipeline coverage "
                         f"({formatting.number(r['coverage_needed'])}x needed at the usual "
                         "conversion)")
        else:
            text += "; no quota set yet"
        out.append(text + ".")
    if not accuracy.empty:
        err = {k: np.nanmean(np.abs(accuracy[f"{k}_pct_error"])) for k in ("pipeline", "time_series")}
        name = "pipeline" if headline == "pipeline" else "time-series"
        out.append(
            f"The headline figure is the {name} forecast: over the last {len(accuracy)} quarters, "
            f"forecasts made on day 15 missed by {formatting.pct(err['pipeline'])} (pipeline) and "
            f"{formatting.pct(err['time_series'])} (time series) on average."
        )
    return out
