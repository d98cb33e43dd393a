import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from IPython.display import HTML  # noqa: E402

from salesops.analysis.forecast.pipeline import PipelineForecast  # noqa: E402
from salesops.data.coverage import Coverage  # noqa: E402
from salesops.data.requirements import AVAILABLE, Availability  # noqa: E402
from salesops.presentation.forecast_charts import (  # noqa: E402
    accuracy_chart,
    accuracy_sentence,
    fan_chart,
    headline_items,
    members_sentences,
    notes,
    pipeline_sentences,
    summary_sentences,
    waterfall_chart,
)
from salesops.presentation.style import BAD  # noqa: E402


def drawn(fig):
    """Draw ``fig`` so that tick labels and layout are final."""
    fig.canvas.draw()
    return fig


def tick_texts(axis) -> list[str]:
    return [t.get_text() for t in axis.get_ticklabels() if t.get_text()]


def keyed_colours(fig) -> set[str]:
    """Colours (hex) of the figure-level legends' entries (patches' fill, lines' colour)."""
    out = set()
    for legend in fig.legends:
        for handle in legend.legend_handles:
            for get in ("get_facecolor", "get_color"):
                colours = matplotlib.colors.to_rgba_array(getattr(handle, get, lambda: [])())
                if len(colours) and colours[0][3] > 0:
                    out.add(matplotlib.colors.to_hex(colours[0], keep_alpha=False))
                    break
    return out


def test_fan_chart_fiscal_periods_money_axis_and_key_below():
    history = pd.Series([10e6, 12e6, 11e6], index=["FY2026 Q1", "FY2026 Q2", "FY2026 Q3"])
    fc = pd.DataFrame({"period_start": pd.to_datetime(["2026-10-01", "2027-01-01"]),
                       "period": ["FY2026 Q4", "FY2027 Q1"],
                       "forecast": [12e6, 13e6], "lower80": [10e6, 10e6], "upper80": [14e6, 16e6],
                       "lower95": [9e6, 8e6], "upper95": [15e6, 18e6]})
    fig = drawn(fan_chart(history, fc, "Bookings <script>"))
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Bookings <script>"
    assert len(ax.lines) == 2 and len(ax.collections) == 2
    forecast_line = ax.lines[1]
    assert list(forecast_line.get_ydata()) == [11e6, 12e6, 13e6]  # joined to the last actual
    # the tables' fiscal quarters on the axis (it showed calendar months), money on the other
    assert tick_texts(ax.xaxis) == ["FY2026 Q1", "FY2026 Q2", "FY2026 Q3", "FY2026 Q4",
                                    "FY2027 Q1"]
    # a long history is labelled every few quarters (the latest always), never overlapping
    long = pd.Series(np.full(16, 10e6), index=[f"FY{2022 + i // 4} Q{i % 4 + 1}" for i in range(16)])
    fig_long = drawn(fan_chart(long, fc, "Bookings"))
    assert tick_texts(fig_long.axes[0].xaxis) == ["FY2022 Q2", "FY2023 Q2", "FY2024 Q2",
                                                  "FY2025 Q2", "FY2027 Q1"]
    plt.close(fig_long)
    assert all(t.startswith("$") for t in tick_texts(ax.yaxis))
    # the key is below the chart, never over the data, and names every series
    assert ax.get_legend() is None and len(fig.legends) == 1
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "Actual", "95% range", "80% range", "Forecast"]
    plt.close(fig)


def test_waterfall_bars_stack_to_total_with_their_amounts_and_every_colour_keyed():
    steps = pd.DataFrame({"step": ["Booked", "Commit", "Run-rate"], "amount": [5e6, 3e6, 2e6]})
    fig = drawn(waterfall_chart(steps, "Q4", quota=12e6))
    ax = fig.axes[0]
    bars = sorted(ax.patches, key=lambda b: b.get_x())
    assert [b.get_y() for b in bars] == [0.0, 5e6, 8e6, 0.0]
    assert bars[-1].get_height() == 10e6
    # each bar says its amount, inside the plot (the old chart had no value labels)
    assert [t.get_text() for t in ax.texts] == ["$5M", "$3M", "$2M", "$10M"]
    top = ax.get_ylim()[1]
    assert all(t.get_position()[1] < top for t in ax.texts)
    # every colour in the key (it keyed only the quota line), the key off the data
    assert ax.get_legend() is None
    bar_colours = {matplotlib.colors.to_hex(b.get_facecolor(), keep_alpha=False) for b in bars}
    assert bar_colours | {matplotlib.colors.to_hex(BAD)} == keyed_colours(fig)
    assert {t.get_text() for t in fig.legends[0].get_texts()} == {
        "Booked", "Expected to add", "Expected total", "Quota $12M"}
    plt.close(fig)


def test_accuracy_chart_two_panels_fiscal_quarters_key_below():
    table = pd.DataFrame({
        "period": ["FY2026 Q1", "FY2026 Q2"], "actual": [10.0, 12.0], "pipeline": [11.0, 11.0],
        "pipeline_p10": [9.0, 9.5], "pipeline_p90": [13.0, 12.5], "time_series": [9.0, 13.0],
        "pipeline_pct_error": [0.1, -0.083], "time_series_pct_error": [-0.1, 0.083],
    })
    fig = drawn(accuracy_chart(table))
    top, bottom = fig.axes
    assert tick_texts(bottom.xaxis) == ["FY2026\nQ1", "FY2026\nQ2"]
    assert top.get_legend() is None and len(fig.legends) == 1  # it sat over the bars
    assert all(t.endswith("%") for t in tick_texts(bottom.yaxis))
    bar_colours = {matplotlib.colors.to_hex(b.get_facecolor(), keep_alpha=False)
                   for ax in fig.axes for b in ax.patches}
    assert bar_colours <= keyed_colours(fig)
    plt.close(fig)


# -- charts with nothing to draw, and figures as images ------------------------------------------

def test_accuracy_chart_time_series_only_and_nothing_measured():
    table = pd.DataFrame({
        "period": ["Q1", "Q2"], "actual": [10.0, 12.0], "pipeline": [np.nan, np.nan],
        "pipeline_p10": [np.nan] * 2, "pipeline_p90": [np.nan] * 2, "time_series": [9.0, 13.0],
        "pipeline_pct_error": [np.nan] * 2, "time_series_pct_error": [-0.1, 0.083],
    })
    fig = accuracy_chart(table)
    # actual and time series only: 2 + 2 bars on top, 2 error bars below, no P10-P90 range
    assert len(fig.axes[0].patches) == 4 and len(fig.axes[1].patches) == 2
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "Actual", "Time-series forecast"]
    plt.close(fig)
    none = accuracy_chart(table.assign(time_series_pct_error=np.nan))
    assert isinstance(none, HTML) and "No past quarter was measured" in none.data


def test_empty_waterfall_and_fan_chart_are_sentences():
    steps = pd.DataFrame({"step": ["Booked", "Commit"], "amount": [0.0, 0.0]})
    out = waterfall_chart(steps, "FY2026 Q4")
    assert isinstance(out, HTML)
    assert "FY2026 Q4: nothing booked, no open deal and no run-rate, so nothing to chart." in out.data
    empty = fan_chart(pd.Series(dtype=float), pd.DataFrame(columns=["period_start", "forecast"]),
                      "Bookings")
    assert "Bookings: no bookings history and no forecast to chart." in empty.data


# -- generated sentences, one test per branch -------------------------------------------------

def summary_row(**kw):
    row = {"period": "FY2026 Q4", "forecast": 1.5e6, "low": 1.2e6, "high": 1.8e6,
           "booked": 5e5, "quota": 2e6, "gap": 5e5, "still_to_close": 1.5e6, "coverage": 2.0,
           "coverage_needed": 3.0}
    row.update(kw)
    return pd.DataFrame([row])


def accuracy_rows(pipeline, time_series):
    return pd.DataFrame({"pipeline_pct_error": pipeline, "time_series_pct_error": time_series})


MEASURED_BOTH = accuracy_rows([0.1, -0.3], [0.2, 0.0])


def cover(**kw) -> Coverage:
    """FY2026 Q4's coverage as data.coverage reports it: $3M open against $1.5M still to close
    (2.0x), 40% of such pipeline closed over the last 4 quarters (2.5x needed)."""
    c = dict(period="FY2026 Q4", pipeline=3e6, deals=30, unknown_amount=0, quota=2e6,
             booked=5e5, to_close=1.5e6, ratio=2.0, conversion=0.4, periods_measured=4,
             needed=2.5)
    c.update(kw)
    return Coverage(**c)


def test_summary_short_of_quota_with_coverage_against_the_usual_conversion():
    out = summary_sentences(summary_row(), MEASURED_BOTH, "pipeline", coverage=[cover()])
    assert out[0] == ("FY2026 Q4: forecast $1.5M (80% range $1.2M to $1.8M), $500K short of "
                      "the $2M quota; $500K booked, coverage 2.0x of the $1.5M still to close, "
                      "against 2.5x needed at the usual conversion (40% of such pipeline closed "
                      "over the last 4 quarters).")


def test_a_forecast_above_quota_on_thin_coverage_says_what_it_counts_on():
    # the forecast said "$2.3M above quota" while coverage was 1.1x against 2.5x needed
    row = summary_row(forecast=2.3e6, gap=-3e5, run_rate=9e5)
    thin = cover(ratio=1.1, needed=2.5)
    out = summary_sentences(row, MEASURED_BOTH, "pipeline", coverage=[thin])
    assert out[0].startswith("FY2026 Q4: forecast $2.3M (80% range $1.2M to $1.8M), $300K above "
                             "the $2M quota, counting $900K from deals not created yet; $500K "
                             "booked, coverage 1.1x of the $1.5M still to close, against 2.5x")
    enough = summary_sentences(row, MEASURED_BOTH, "pipeline", coverage=[cover(ratio=3.0)])
    assert "counting" not in enough[0]


def test_summary_without_a_usual_conversion_says_it_cannot_be_measured():
    out = summary_sentences(summary_row(), MEASURED_BOTH, "pipeline",
                            coverage=[cover(conversion=np.nan, needed=np.nan, periods_measured=1)])
    assert out[0].endswith("coverage 2.0x of the $1.5M still to close, and the usual conversion "
                           "cannot be measured: fewer than 2 past quarters.")


def test_summary_above_quota_is_never_a_negative_shortfall():
    # the old table said 'Short of quota: -$3.0M' for a forecast above quota
    row = summary_row(forecast=2.3e6, gap=-3e5, still_to_close=0.0)
    out = summary_sentences(row, MEASURED_BOTH, "pipeline",
                            coverage=[cover(booked=2e6, to_close=0.0, ratio=np.nan)])
    assert out[0] == ("FY2026 Q4: forecast $2.3M (80% range $1.2M to $1.8M), $300K above the "
                      "$2M quota; nothing is left to close: $2M booked of the $2M quota.")
    assert "-$" not in out[0]


def test_summary_quarter_without_quota_yet():
    out = summary_sentences(summary_row(quota=np.nan, gap=np.nan), MEASURED_BOTH, "pipeline")
    assert out[0] == "FY2026 Q4: forecast $1.5M (80% range $1.2M to $1.8M); no quota set yet."


def test_summary_without_quotas_in_the_data_says_nothing_per_quarter():
    row = summary_row().drop(columns=["quota", "gap", "still_to_close", "coverage",
                                      "coverage_needed"])
    out = summary_sentences(row, MEASURED_BOTH, "time_series")
    assert out[0] == "FY2026 Q4: forecast $1.5M (80% range $1.2M to $1.8M)."


def test_headline_items_are_the_agreed_keys_from_data_coverage():
    summary = pd.concat([summary_row(), summary_row(period="FY2027 Q1")], ignore_index=True)
    nxt = cover(period="FY2027 Q1", booked=0.0, to_close=2e6, ratio=1.14)
    items = {i.key: i for i in headline_items(summary, [cover(), nxt])}
    assert list(items) == ["forecast", "forecast_low", "forecast_high", "bookings", "quota",
                           "coverage_next", "coverage_needed_next"]
    assert [(items[k].value, items[k].text, items[k].period)
            for k in ("forecast", "forecast_low", "forecast_high", "bookings", "quota")] == [
        (1.5e6, "$1.5M", "FY2026 Q4"), (1.2e6, "$1.2M", "FY2026 Q4"),
        (1.8e6, "$1.8M", "FY2026 Q4"), (5e5, "$500K", "FY2026 Q4"), (2e6, "$2M", "FY2026 Q4")]
    cov, needed = items["coverage_next"], items["coverage_needed_next"]
    assert (cov.value, cov.text, cov.period, cov.note) == (
        1.14, "1.1x", "FY2027 Q1", "of the $2M still to close")
    assert (needed.value, needed.text) == (2.5, "2.5x")
    assert needed.note == "at the usual conversion: " + nxt.basis  # the 2.5x is not said twice
    assert items["forecast"].note == "80% range $1.2M to $1.8M"  # the cover folds the bounds in
    # without quotas in the data: the forecast and its range only
    assert [i.key for i in headline_items(summary, [])] == ["forecast", "forecast_low",
                                                           "forecast_high"]


def test_summary_with_no_quarter_has_no_headline_sentence():
    assert summary_sentences(summary_row().iloc[:0], MEASURED_BOTH, "pipeline") == []


def test_accuracy_sentence_both_measured_equally():
    # pipeline |0.1| and |-0.3| -> 20%; time series |0.2| and 0 -> 10%
    assert accuracy_sentence(MEASURED_BOTH, "time_series") == (
        "The headline figure is the time-series forecast: over the last 2 quarters measured, "
        "forecasts made on day 15 missed by 20% (pipeline) and 10% (time series) on average.")


def test_accuracy_sentence_counts_only_measured_quarters():
    # six snapshots, but the time series was measured in one of them only
    table = accuracy_rows([0.1] * 6, [np.nan] * 5 + [0.94])
    assert accuracy_sentence(table, "pipeline") == (
        "The headline figure is the pipeline forecast: forecasts made on day 15 missed by 10% "
        "(pipeline, over 6 quarters measured) and 94% (time series, over 1 quarter measured) on "
        "average.")


def test_accuracy_sentence_one_forecast_measured():
    table = accuracy_rows([np.nan], [0.25])
    assert accuracy_sentence(table, "time_series") == (
        "The headline figure is the time-series forecast: forecasts made on day 15 missed by 25% "
        "(time series, over 1 quarter measured) on average.")


def test_accuracy_sentence_nothing_measured():
    assert accuracy_sentence(accuracy_rows([np.nan], [np.nan]), "pipeline") == (
        "The headline figure is the pipeline forecast; no past quarter could be measured to "
        "judge it.")
    assert accuracy_sentence(pd.DataFrame(), "time_series").endswith("could be measured to judge it.")


def pipeline(probabilities="history", amounts=0, closes=0):
    return PipelineForecast(pd.Timestamp("2026-11-27"), pd.DataFrame(), pd.DataFrame(),
                            pd.DataFrame(), probabilities, amounts, closes)


@pytest.mark.parametrize("source, start", [
    ("history", "Win probabilities are learned from how past deals progressed"),
    ("crm", "Win probabilities are the CRM's probability column (the stage's default where a "
            "deal has none): the data has no stage history"),
    ("catalogue", "Win probabilities are the stage catalogue's default per stage: the data has "
                  "no stage history to learn them from and no CRM probability column."),
])
def test_pipeline_sentence_names_its_probabilities(source, start):
    out = pipeline_sentences(pipeline(source))
    assert len(out) == 1 and out[0].startswith(start)


@pytest.mark.parametrize("n, amount, close", [
    (1234, "1,234 open deals have no amount: they are counted as deals but left out of the "
           "pipeline value (their value is unknown).",
     "1,234 open deals have no expected close date: they are left out of the CRM view's quarters "
     "(their quarter is unknown); the model still values them by their stage's usual timing."),
    (1, "1 open deal has no amount: it is counted as a deal but left out of the pipeline value "
        "(its value is unknown).",
     "1 open deal has no expected close date: it is left out of the CRM view's quarters (its "
     "quarter is unknown); the model still values it by its stage's usual timing."),
])
def test_pipeline_sentences_unknown_amounts_and_close_dates(n, amount, close):
    assert pipeline_sentences(pipeline(amounts=n, closes=n))[1:] == [amount, close]
    assert pipeline_sentences(pipeline(amounts=n))[1:] == [amount]
    assert pipeline_sentences(pipeline(closes=n))[1:] == [close]


def test_notes_only_for_unavailable_sections():
    missing = Availability.missing("Quota cannot be shown: no quotas table.")
    assert notes(AVAILABLE, missing) == ["Quota cannot be shown: no quotas table."]
    assert notes(AVAILABLE) == []


def test_waterfall_keeps_a_quota_above_the_bars_in_view():
    steps = pd.DataFrame({"step": ["Booked", "Commit"], "amount": [5.0, 3.0]})
    fig = waterfall_chart(steps, "Q4", quota=20.0)
    assert fig.axes[0].get_ylim()[1] >= 20.0 * 1.05
    plt.close(fig)


def test_members_sentence_only_when_some_were_grouped():
    assert members_sentences("customer", 2389) == [
        "The forecast by customer shows its 11 largest members by bookings one by one; the other "
        "2,389 are forecast together as 'Other'."]
    assert members_sentences("region", 0) == [] and members_sentences(None, 0) == []


def test_correction_sentence_says_whether_the_bias_correction_helped():
    from salesops.analysis.forecast.accuracy import accuracy_table, call_snapshots
    from salesops.presentation.forecast_charts import correction_sentences

    def table(corrected, reps_corrected=(1, 1, 1)):
        team = pd.DataFrame({"quarter": ["Q1", "Q2", "Q3"], "commit": [50.0, 160.0, 70.0],
                             "corrected": corrected, "reps_corrected": list(reps_corrected)})
        ts = pd.DataFrame({"period": ["Q1", "Q2", "Q3"], "actual": [100.0, 200.0, 100.0]})
        return accuracy_table(ts, calls=call_snapshots(team))

    # raw: |-50%|, |-20%|, |-30%| -> 33%; corrected: 10%, 0%, 20% -> 10%
    [said] = correction_sentences(table([90.0, 200.0, 120.0]))
    assert said == ("The reps' commit calls on day 15, added up, missed by 33% on average over 3 "
                    "quarters; corrected by each rep's bias in earlier quarters they missed by "
                    "10%: the correction helped.")
    # corrected only in Q2 and Q3: both compared there, raw (20% + 30%) / 2 = 25% vs 60%
    [said] = correction_sentences(table([0.0, 80.0, 140.0], (0, 1, 1)), day=45)
    assert "day 45" in said and "25% on average over 2 quarters" in said
    assert said.endswith("missed by 50%: the correction did not help.")
    [said] = correction_sentences(table([50.0, 160.0, 70.0]))
    assert said.endswith("the correction made no difference.")
    [said] = correction_sentences(table([50.0, 160.0, 70.0], (0, 0, 0)))
    assert said.startswith("No past quarter's commit calls could be corrected")
    assert correction_sentences(accuracy_table(pd.DataFrame({"period": ["Q1"],
                                                             "actual": [1.0]}))) == []
