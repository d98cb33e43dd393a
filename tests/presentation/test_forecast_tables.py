import pandas as pd

from salesops.presentation import forecast_tables as ft

XSS = "<b>x</b>"


def html_of(table) -> str:
    return table.to_html() if hasattr(table, "to_html") else table.data


def test_summary_table_headers_formats_and_gap_highlight():
    summary = pd.DataFrame({
        "period": ["FY2026 Q4", "FY2027 Q1"], "forecast": [1.5e6, 2e6], "low": [1.2e6, 1.6e6],
        "high": [1.8e6, 2.4e6], "pipeline": [1.5e6, 2e6], "time_series": [1.4e6, 2.1e6],
        "booked": [5e5, 0.0], "quota": [2e6, 1.5e6], "gap": [5e5, -5e5],
        "still_to_close": [1.5e6, 1.5e6], "coverage": [2.345, 1.0], "coverage_needed": [3.0, None],
    })
    html = html_of(ft.summary_table(summary, "EUR"))
    for header in ("Quarter", "80% range low", "Time-series forecast", "Forecast vs quota",
                   "Coverage needed"):
        assert f">{header}<" in html
    assert "time_series" not in html and "coverage_needed" not in html
    assert "€1.5M" in html and ">2.3x<" in html and ">3.0x<" in html and "–" in html
    # the sign in words, as in the summary sentence (it was 'Short of quota: -€500.0K')
    assert ">€500K short of the €2M quota<" in html and ">€500K above the €1.5M quota<" in html
    assert "-€" not in html
    assert html.count("#fbe5e3") == 1  # only the quarter short of quota


def test_summary_table_names_the_headline_forecast_once():
    summary = pd.DataFrame({"period": ["FY2026 Q4"], "forecast": [1.5e6], "low": [1.2e6],
                            "high": [1.8e6], "pipeline": [1.5e6], "time_series": [1.4e6],
                            "booked": [5e5]})
    # 'Forecast' and 'Pipeline forecast' were the same column twice
    html = html_of(ft.summary_table(summary, headline="pipeline"))
    assert ">Forecast (pipeline)<" in html and ">Pipeline forecast<" not in html
    assert ">Time-series forecast<" in html and html.count("$1.5M") == 1


def test_series_and_model_tables_show_model_names_and_escape_text():
    fc = pd.DataFrame({"series": [XSS], "period_start": [pd.Timestamp("2026-10-01")],
                       "period": ["FY2026 Q4"], "forecast": [1000.0], "lower80": [900.0],
                       "upper80": [1100.0], "lower95": [800.0], "upper95": [1200.0],
                       "method": ["combination"]})
    html = html_of(ft.series_table(fc))
    assert "<b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert ">95% high<" in html and "$1.2K" in html and "period_start" not in html
    assert ">Combination<" in html  # auto.MODEL_NAMES; the reason column names the members
    models = pd.DataFrame({"series": ["Total", "Total"], "model": ["holt_damped", "combination"],
                           "smape": [15.43, 20.0], "mape": [13.6, 18.0], "mase": [1.118, 1.8],
                           "bias": [-14.94, -19.0], "origins": [3, 3], "chosen": [False, True]})
    html = html_of(ft.model_table(models))
    assert ">sMAPE (%)<" in html and ">Damped Holt<" in html and "15.4" in html and "-14.9" in html
    assert html.count("#e3f4ea") == 1 and "chosen" not in html


def test_reasons_pipeline_crm_tables_headers():
    html = html_of(ft.reasons_table(pd.DataFrame(
        {"series": ["Total"], "method": ["mean"], "reason": [XSS]})))
    assert ">Why<" in html and ">Mean of history<" in html and "&lt;b&gt;" in html
    periods = pd.DataFrame({"period": ["Q"], "start": [pd.Timestamp("2026-10-01")],
                            "end": [pd.Timestamp("2026-12-31")], "booked": [1e6],
                            "open_expected": [2e6], "expected": [3.5e6], "run_rate": [5e5],
                            "p10": [3e6], "p50": [3.5e6], "p90": [4e6]})
    html = html_of(ft.pipeline_table(periods))
    assert ">Expected from open deals<" in html and "$3.5M" in html and "2026-10-01" not in html
    crm = pd.DataFrame({"period": ["Q"], "booked": [1.0], "crm_weighted": [2.0], "commit": [None],
                        "best_case": [None], "open_pipeline": [3.0], "model_expected": [2.5],
                        "quota": [4.0], "gap_to_quota": [3.0], "coverage": [1.0],
                        "coverage_needed": [1.2]})
    html = html_of(ft.crm_table(crm))
    assert ">CRM weighted<" in html and ">Still to close<" in html and "gap_to_quota" not in html


def test_accuracy_table_percent_errors():
    acc = pd.DataFrame({"period": ["FY2026 Q3"], "as_of": [pd.Timestamp("2026-07-15")],
                        "actual": [1e6], "pipeline": [1.1e6], "pipeline_p10": [9e5],
                        "pipeline_p90": [1.3e6], "time_series": [8e5], "ts_lower80": [7e5],
                        "ts_upper80": [9e5], "ts_method": ["combination"],
                        "pipeline_error": [1e5], "time_series_error": [-2e5],
                        "pipeline_pct_error": [0.1], "time_series_pct_error": [-0.2]})
    html = html_of(ft.accuracy_table(acc))
    assert ">Pipeline error<" in html and "10%" in html and "-20%" in html
    assert "ts_method" not in html and "combination" not in html


def scores(n: int):
    """``n`` reps scored as call_scores sorts them (day 45): median bias 0.9, 0.8, ... down by
    0.1 a rep, then one rep with too few quarters (no bias); the first rep left in September
    2026; every rep also has day-15 rows, which the day-45 table leaves out."""
    from salesops.analysis.forecast.calls import CallScores
    bias = [round(0.9 - 0.1 * i, 1) for i in range(n - 1)] + [float("nan")]
    habits = ["optimist" if b > 0.1 else "sandbagger" if b < -0.1 else
              "too few quarters" if b != b else "on target" for b in bias]
    reps = pd.DataFrame({
        "rep_id": [f"R{i}" for i in range(n)], "name": [XSS] + [f"Rep {i}" for i in range(1, n)],
        "left": pd.to_datetime(["2026-09-12"] + [None] * (n - 1)), "day": 45,
        "quarters": [6] * (n - 1) + [1], "mean_accuracy": 0.8, "median_bias": bias,
        "under": 1, "over": 4, "within": 1, "habit": habits})
    return CallScores(pd.DataFrame(), pd.concat([reps.assign(day=15, name="Day 15"), reps],
                                                ignore_index=True))


def test_call_scores_show_both_ends_with_quarters_and_every_rep_expandable():
    html = html_of(ft.call_scores_table(scores(20)))
    shown, full = html.split("<details")
    assert ("Reps&#x27; commit calls on day 45 of past quarters vs what they won: the 5 reps at each "
            "end shown (most optimistic, most sandbagging); all 20 are in the expandable table "
            "below.") in shown
    assert "Most optimistic: 5 of 20 reps" in shown and "Most sandbagging: 5 of 20 reps" in shown
    # top: bias 90% .. 50% (reps 0-4); bottom, most sandbagging first: reps 18 (-90%) .. 14
    # (-50%); rep 19 has too few quarters and is no end; reps 5-13 only in the full table
    assert [f">Rep {i}<" in shown for i in (1, 4, 14, 18)] == [True] * 4
    assert shown.index(">Rep 18<") < shown.index(">Rep 14<")
    assert [f">Rep {i}<" in shown for i in (5, 13, 19)] == [False] * 3
    assert "All 20 reps</summary>" in full and all(f">Rep {i}<" in full for i in range(1, 20))
    assert ">Quarters measured<" in html and ">Quarters within 10%<" in html and "Day 15" not in html
    assert ">Median bias<" in html and ">90%<" in shown and ">-90%<" in shown
    # names escaped, a rep who left marked
    assert "&lt;b&gt;x&lt;/b&gt; (left 2026-09)" in shown and "<b>x" not in html
    assert "#fbe5e3" in shown  # optimists and sandbaggers in red


def test_a_short_call_scores_table_is_shown_whole():
    html = html_of(ft.call_scores_table(scores(6)))
    assert "<details" not in html and "at each end" not in html
    assert all(f">Rep {i}<" in html for i in range(1, 6)) and ">too few quarters<" in html


def test_a_rep_with_too_few_quarters_is_no_end():
    s = scores(20)
    reps = s.reps.copy()
    # rep 18 (-90%, the most sandbagging) had only 2 quarters: rep 13 (-40%) takes the end
    reps.loc[reps["rep_id"] == "R18", ["quarters", "habit"]] = [2, "too few quarters"]
    shown = html_of(ft.call_scores_table(type(s)(s.calls, reps))).split("<details")[0]
    assert ">Rep 18<" not in shown and ">Rep 13<" in shown


def test_rep_calls_both_ends_with_the_difference_in_words():
    calls = pd.DataFrame({"rep_id": [f"R{i}" for i in range(12)],
                          "name": [f"Rep {i}" for i in range(12)],
                          "left": pd.NaT, "commit": 1e5, "best_case": 2e5,
                          "model_expected": [1e5 - 1e4 * (i - 5) for i in range(12)],
                          "commit_vs_model": [1e4 * (i - 5) for i in range(12)][::-1]})
    html = html_of(ft.rep_calls_table(calls))
    assert ">Commit, bias-corrected<" not in html  # not scored: no corrected column
    html = html_of(ft.rep_calls_table(calls.assign(corrected=9e4)))
    assert ">Commit, bias-corrected<" in html and "$90K" in html
    assert ">Commit vs model<" in html and ">$60K above<" in html and ">$50K below<" in html
    assert ">on the model<" in html and "-$" not in html and "R1<" not in html
    assert "Commit most below the model: 5 of 12 reps" in html


def test_history_table_or_note():
    assert "No saved forecast" in html_of(ft.history_table(None))
    past = pd.DataFrame({"as_of": [pd.Timestamp("2026-08-27")], "series": ["Total"],
                         "period": ["FY2026 Q3"], "method": ["ets"], "forecast": [10.0],
                         "lower80": [8.0], "upper80": [12.0], "actual": [13.0], "error": [-3.0],
                         "inside80": [False]})
    html = html_of(ft.history_table(past))
    assert ">Forecast made<" in html and "2026-08-27" in html and ">ETS<" in html
    assert html.count("#fbe5e3") == 1 and "inside80" not in html


def test_summary_table_without_quotas_has_no_quota_headers():
    summary = pd.DataFrame({"period": ["FY2026 Q4"], "forecast": [1.5e6], "low": [1.2e6],
                            "high": [1.8e6], "time_series": [1.5e6], "booked": [5e5]})
    html = html_of(ft.summary_table(summary))
    assert ">Time-series forecast<" in html and ">Booked<" in html
    for header in ("Quota", "Forecast vs quota", "Still to close", "Pipeline forecast"):
        assert f">{header}<" not in html
    assert "#fbe5e3" not in html  # nothing highlighted as short of quota
