import pandas as pd
import pytest

from salesops.analysis.forecast.accuracy import forecast_vs_actual, rep_bias, snapshot_dates
from salesops.data.periods import FiscalCalendar

CAL = FiscalCalendar(1)


def test_snapshot_dates_day_15_of_past_quarters():
    dates = snapshot_dates(CAL, pd.Timestamp("2026-11-27"), 2)
    assert [(d.strftime("%Y-%m-%d"), q.label) for d, q in dates] == [
        ("2026-04-15", "FY2026 Q2"), ("2026-07-15", "FY2026 Q3")]


def test_rep_bias_relative_to_team():
    rows = pd.DataFrame({
        "rep_id": ["A", "A", "B", "C"], "period": ["Q1", "Q2", "Q1", "Q1"],
        "deals": [1, 1, 2, 1], "expected": [50.0, 50.0, 100.0, 0.0],
        "actual": [100.0, 20.0, 40.0, 0.0],
    })
    table = rep_bias(rows).set_index("rep_id")
    # team: actual 160 / expected 200 = 0.8. A: 120/100 = 1.2 -> bias 1 - 1.2/0.8 = -0.5
    assert table.loc["A", "bias"] == pytest.approx(-0.5)
    assert table.loc["A", "call"] == "sandbagging"
    # B: 40/100 = 0.4 -> 1 - 0.4/0.8 = 0.5 -> optimistic
    assert table.loc["B", "bias"] == pytest.approx(0.5) and table.loc["B", "call"] == "optimistic"
    assert table.loc["C", "call"] == "no pipeline"
    assert table.loc["A", "snapshots"] == 2
    assert table["left"].isna().all()  # no roster: nobody is known to have left


def test_rep_left_from_the_roster_as_known_on_the_report_date():
    from salesops.analysis.forecast.accuracy import rep_left
    roster = pd.DataFrame({"rep_id": ["R1", "R2"], "name": ["Ann", "Bo"],
                           "termination_date": pd.to_datetime(["2026-09-12", None])})
    got = rep_left(pd.Series(["R2", "R1", "R9"]), roster)
    assert pd.isna(got[0]) and got[1] == pd.Timestamp("2026-09-12") and pd.isna(got[2])
    assert rep_left(pd.Series(["R1"])).isna().all()


def test_forecast_vs_actual_joins_completed_periods():
    history = pd.DataFrame({
        "as_of": pd.to_datetime(["2026-01-15", "2026-01-15"]), "series": ["Total", "Total"],
        "period": ["FY2026 Q1", "FY2026 Q2"],
        "period_start": pd.to_datetime(["2026-01-01", "2026-04-01"]), "method": ["c", "c"],
        "forecast": [100.0, 120.0], "lower80": [90.0, 100.0], "upper80": [110.0, 140.0],
        "lower95": [80.0, 90.0], "upper95": [120.0, 150.0],
    }).astype({"series": "string"})
    bookings = pd.DataFrame({"Total": [112.0]}, index=pd.to_datetime(["2026-01-01"]))
    bookings.index.name = "period_start"
    out = forecast_vs_actual(history, bookings)
    assert len(out) == 1  # Q2 has no actual yet
    assert out.loc[0, "error"] == pytest.approx(-12.0) and not out.loc[0, "inside80"]


def test_rep_calls_commit_and_best_case_vs_model_with_names():
    from salesops.analysis.forecast.accuracy import rep_calls
    q4 = CAL.period(pd.Timestamp("2026-11-27"), "quarter")
    deals = pd.DataFrame({
        "rep_id": ["A", "A", "B", "B"],
        "forecast_category": ["commit", "best_case", "pipeline", "commit"],
        "amount": [100.0, 50.0, 80.0, 40.0],
        "close_date": pd.to_datetime(["2026-12-01", "2026-12-15", "2026-12-20", "2027-02-01"]),
        f"expected_{q4.label}": [60.0, 20.0, 10.0, 0.0],
    })
    reps = pd.DataFrame({"rep_id": ["A", "B"], "name": ["Ann", "Bo"],
                         "termination_date": pd.to_datetime([None, "2026-11-20"])})
    got = rep_calls(deals, q4, pd.Timestamp("2026-11-27"), reps).set_index("rep_id")
    # B's commit closes next quarter: out. A: commit 100, best case 100 + 50, model 60 + 20
    assert got.loc["A"].drop("left").to_dict() == {
        "name": "Ann", "commit": 100.0, "best_case": 150.0, "model_expected": 80.0,
        "commit_vs_model": 20.0}
    # the roster's termination date, to mark a rep who left (Ann is still employed)
    assert pd.isna(got.loc["A", "left"]) and got.loc["B", "left"] == pd.Timestamp("2026-11-20")
    # B: no commit (0), best case 0, model 10 -> commit - model = -10; A sorted first
    assert got.loc["B", "commit_vs_model"] == -10.0 and got.index.tolist() == ["A", "B"]


def test_accuracy_table_measures_only_what_was_forecast_and_closed():
    from salesops.analysis.forecast.accuracy import accuracy_table, mean_abs_error, measured
    ts = pd.DataFrame({"period": ["Q1", "Q2", "Q3"], "actual": [100.0, 0.0, 200.0],
                       "time_series": [110.0, 50.0, float("nan")]})
    pipe = pd.DataFrame({"period": ["Q1", "Q2", "Q3"], "pipeline": [90.0, 10.0, 180.0]})
    table = accuracy_table(ts, pipe).set_index("period")
    # Q1: (110 - 100) / 100 = +10%, (90 - 100) / 100 = -10%; Q2: nothing closed, not measured;
    # Q3: no time-series forecast (too little history then), pipeline (180 - 200) / 200 = -10%
    assert table.loc["Q1", "time_series_pct_error"] == pytest.approx(0.1)
    assert table.loc["Q1", "pipeline_pct_error"] == pytest.approx(-0.1)
    assert table.loc["Q2", ["time_series_pct_error", "pipeline_pct_error"]].isna().all()
    assert pd.isna(table.loc["Q3", "time_series_pct_error"])
    assert measured(table, "time_series") == 1 and measured(table, "pipeline") == 2
    assert mean_abs_error(table, "pipeline") == pytest.approx(0.1)  # (|-0.1| + |-0.1|) / 2
    only_ts = accuracy_table(ts)
    assert "pipeline" not in only_ts.columns and measured(only_ts, "pipeline") == 0
    assert pd.isna(mean_abs_error(only_ts, "pipeline"))


def test_snapshot_dates_when_as_of_ends_a_quarter():
    # Mar 31 ends Q1: Q1 is complete, so it is the last quarter backtested
    dates = snapshot_dates(CAL, pd.Timestamp("2026-03-31"), 2)
    assert [q.label for _, q in dates] == ["FY2025 Q4", "FY2026 Q1"]


def test_rep_names_from_the_roster_else_the_owner_id():
    from salesops.analysis.forecast.accuracy import rep_names
    ids = pd.Series(["R1", "R2"])
    roster = pd.DataFrame({"rep_id": ["R1", "R2"], "name": ["Ann", None]})
    assert rep_names(ids, roster).tolist() == ["Ann", "R2"]
    assert rep_names(ids).tolist() == ["R1", "R2"]
