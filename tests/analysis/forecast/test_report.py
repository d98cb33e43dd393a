"""The forecast report: the summary table, as-of truth (a past as_of equals a dataset cut at that
date), thin exports (each missing table or column leaves out exactly what needs it, with its
sentence) and the bookings-only path."""

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from salesops.analysis.forecast.bookings import next_periods
from salesops.analysis.forecast.report import build_forecast_report, build_summary
from salesops.analysis.forecast.series import TOTAL
from salesops.data.builtin import ensure_sample_dataset
from salesops.data.coverage import coverage
from salesops.data.schema import TABLES, conform, empty_frame
from salesops.data.scope import scoped_view
from salesops.data.store import Contents, Dataset, load_dataset
from salesops.data.thin import thin

AS_OF = pd.Timestamp("2026-11-27")
FAST = {"snapshots": 3, "sims": 300}


@pytest.fixture(scope="module")
def sample():
    return load_dataset(ensure_sample_dataset(end="2026-11-27"))


@pytest.fixture(scope="module")
def full(sample):
    return build_forecast_report(sample, AS_OF, **FAST)


def ts_rows():
    return pd.DataFrame({"series": [TOTAL, TOTAL], "period": ["Q1", "Q2"],
                         "forecast": [90.0, 95.0], "lower80": [80.0, 82.0],
                         "upper80": [100.0, 110.0]})


def pipe_rows():
    return pd.DataFrame({"period": ["Q1", "Q2"], "expected": [120.0, 60.0], "p10": [100.0, 40.0],
                         "p90": [140.0, 80.0], "run_rate": [10.0, 45.0]})


def test_summary_gaps_and_a_quarter_without_quota():
    crm = pd.DataFrame({"period": ["Q1", "Q2"], "booked": [50.0, 0.0], "quota": [150.0, np.nan],
                        "gap_to_quota": [100.0, np.nan], "coverage": [2.0, np.nan],
                        "coverage_needed": [3.0, 1.7]})
    booked = pd.Series({"Q1": 50.0, "Q2": 0.0})
    out = build_summary(["Q1", "Q2"], booked, ts_rows(), pipe_rows(), crm,
                        headline="pipeline").set_index("period")
    # Q1: pipeline headline 120 (P10 100, P90 140); short of the 150 quota by 150 - 120 = 30.
    assert out.loc["Q1", ["forecast", "low", "high", "gap", "still_to_close"]].tolist() == [
        120.0, 100.0, 140.0, 30.0, 100.0]
    assert out.loc["Q1", ["time_series", "booked"]].tolist() == [90.0, 50.0]
    assert out["run_rate"].tolist() == [10.0, 45.0]  # from deals not created yet
    # Q2 has no quota yet: quota, gap and still to close are missing, not 0; the coverage
    # needed at the usual conversion is the CRM view's 1.7 (it was '–' here and 1.5 there)
    assert np.isnan(out.loc["Q2", ["quota", "gap", "still_to_close"]].astype(float)).all()
    assert out.loc["Q2", "coverage_needed"] == 1.7
    ts_out = build_summary(["Q1", "Q2"], booked, ts_rows(), pipe_rows(), crm,
                           headline="time_series").set_index("period")
    assert ts_out.loc["Q1", ["forecast", "low", "high", "gap"]].tolist() == [90.0, 80.0, 100.0, 60.0]


def test_summary_without_quotas_or_pipeline_has_no_such_columns():
    booked = pd.Series({"Q1": 50.0, "Q2": 0.0})
    out = build_summary(["Q1", "Q2"], booked, ts_rows(), None, None, headline="time_series")
    assert out.columns.tolist() == ["period", "forecast", "low", "high", "time_series", "booked"]
    assert out["forecast"].tolist() == [90.0, 95.0]
    no_quota = pd.DataFrame({"period": ["Q1", "Q2"], "booked": [50.0, 0.0]})
    out = build_summary(["Q1", "Q2"], booked, None, pipe_rows(), no_quota, headline="pipeline")
    assert "quota" not in out.columns and out["forecast"].tolist() == [120.0, 60.0]


def test_unknown_selection_is_refused_before_any_work():
    with pytest.raises(ValueError, match="selection must be one of combination, best, got 'top'"):
        build_forecast_report(None, pd.Timestamp("2026-01-01"), select="top")


def test_best_selection_reaches_todays_forecast_and_the_snapshots(sample):
    report = build_forecast_report(sample, AS_OF, horizon=3, dimension=None, snapshots=2,
                                   sims=200, select="best")
    assert all(r.reason.startswith("lowest backtest MASE") for r in report.bookings.results.values())
    assert len(report.accuracy) == 2 and report.accuracy["time_series"].notna().all()


# -- as of: a past date equals a dataset cut at that date -------------------------------------

def cut_at(data: Dataset, as_of: pd.Timestamp) -> Dataset:
    """The dataset as an export made on ``as_of`` would have held it, built here by hand:
    deals created later dropped, deals closed later reopened in the last open stage they had
    entered (same-day ties: the later catalogue stage; none: the first open stage) with that
    stage's default probability and no category, stage history after ``as_of`` dropped; with an
    opportunity history, its changes after ``as_of`` dropped and the deals open then rewound to
    the values they had (``_rewound``)."""
    cat = data.catalogue
    opps = data.opportunities.loc[data.opportunities["created_date"] <= as_of].copy()
    hist = data.stage_history.loc[(data.stage_history["entered_date"] <= as_of)
                                  & data.stage_history["opportunity_id"].isin(
                                      opps["opportunity_id"])]
    later = (opps["status"] != "open") & (opps["close_date"] > as_of)
    order = {s.name: i for i, s in enumerate(cat.stages)}
    last = (hist.assign(rank=hist["stage"].astype(str).map(order))
            .sort_values(["opportunity_id", "entered_date", "rank"])
            .groupby("opportunity_id")["stage"].last().astype(str))
    stage = opps.loc[later, "opportunity_id"].map(last)
    is_open = stage.map(lambda s: s in cat.open_stages).astype(bool)
    stage = stage.where(is_open, cat.open_stages[0])
    opps.loc[later, "stage"] = stage.astype(opps["stage"].dtype)
    opps.loc[later, "status"] = "open"
    opps.loc[later, "probability"] = stage.map(lambda s: cat.get(s).probability).astype(float)
    opps.loc[later, "forecast_category"] = pd.NA
    changes = data.opportunity_history
    if changes is not None and len(changes):
        changes = changes.loc[changes["changed_at"] < as_of + pd.Timedelta(days=1)]
        _rewound(opps, changes, cat, later)
    return replace(data, opportunities=opps.reset_index(drop=True),
                   stage_history=hist.reset_index(drop=True), opportunity_history=changes)


def _rewound(opps: pd.DataFrame, changes: pd.DataFrame, cat, later: pd.Series) -> None:
    """In place, with an opportunity history cut at the date: each deal open then takes the
    last non-empty value of each field among its changes known by then (groupby last skips
    empty values), a closed stage becoming the first open stage and a 'closed' category
    unknown; a field without a change keeps its value; a reopened deal without a recorded
    probability takes its stage's default."""
    fields = ["amount", "close_date", "stage", "forecast_category", "probability"]
    last = changes.sort_values("changed_at", kind="stable").groupby(
        "opportunity_id", observed=True)[fields].last()
    open_then = opps["status"] == "open"
    ids = opps.loc[open_then, "opportunity_id"].astype(str)
    last.index = last.index.astype(str)
    for f in fields:
        then = ids.map(last[f].astype(object))
        if f == "stage":
            is_open = then.map(lambda s: s in cat.open_stages).astype(bool)
            then = then.where(then.isna() | is_open, cat.open_stages[0])
        if f == "forecast_category":
            then = then.where(then != "closed")
        opps.loc[open_then, f] = then.where(then.notna(), opps.loc[open_then, f].astype(object))
    no_probability = later & opps["opportunity_id"].astype(str).map(last["probability"]).isna()
    opps.loc[no_probability, "probability"] = opps.loc[no_probability, "stage"].map(
        lambda s: cat.get(s).probability).astype(float)


def assert_same_report(a, b):
    for name in ("summary", "crm", "accuracy", "rep_calls", "call_scores"):
        x, y = getattr(a, name), getattr(b, name)
        if name == "call_scores" and x is not None:
            x, y = pd.concat([x.calls, x.reps]), pd.concat([y.calls, y.reps])
        if x is None:
            assert y is None
        else:
            pd.testing.assert_frame_equal(x.reset_index(drop=True), y.reset_index(drop=True),
                                          check_dtype=False, obj=name)
    if a.pipeline is not None:
        pd.testing.assert_frame_equal(a.pipeline.periods, b.pipeline.periods)
    if a.bookings is not None:
        pd.testing.assert_frame_equal(a.bookings.forecasts, b.bookings.forecasts)
    assert a.availability == b.availability


def test_a_past_as_of_equals_the_sample_cut_at_that_date(sample):
    as_of = pd.Timestamp("2026-05-20")
    cut = cut_at(sample, as_of)
    # the cut really differs from today's states: later deals, and deals closed since
    assert len(cut.opportunities) < len(sample.opportunities)
    assert (cut.opportunities["status"] == "open").sum() != (
        sample.opportunities.loc[sample.opportunities["created_date"] <= as_of, "status"]
        == "open").sum()
    past = build_forecast_report(sample, as_of, **FAST)
    assert_same_report(past, build_forecast_report(cut, as_of, **FAST))


@pytest.fixture
def tiny_dataset(tiny):
    opps, hist = tiny
    roster = pd.DataFrame({"rep_id": ["R1", "R2"], "name": ["Ann", "Bo"],
                           "region": ["EMEA", "APAC"]}).reindex(columns=TABLES["reps"].column_names)
    return Dataset(reps=conform(roster.astype({"hire_date": "datetime64[ns]",
                                               "termination_date": "datetime64[ns]"}),
                                TABLES["reps"]),
                   accounts=empty_frame(TABLES["accounts"]), quotas=empty_frame(TABLES["quotas"]),
                   opportunities=opps, stage_history=hist)


def test_a_past_as_of_on_a_hand_made_dataset(tiny_dataset):
    as_of = pd.Timestamp("2026-02-15")
    past = build_forecast_report(tiny_dataset, as_of, dimension=None, snapshots=2, sims=200)
    assert_same_report(past, build_forecast_report(cut_at(tiny_dataset, as_of), as_of,
                                                   dimension=None, snapshots=2, sims=200))
    q1 = past.crm.set_index("period").loc["FY2026 Q1"]
    # On Feb 15 only W2 (200, Feb 10) had closed. W1 (100, Proposal since Jan 20), L1 (300,
    # Proposal) and L2 (400, Prospecting) were still open, expected in Q1; O1 and O2 did not
    # exist yet (today's states would put them in the open pipeline of Q3).
    assert q1["booked"] == 200.0
    assert q1["open_pipeline"] == 100 + 300 + 400
    # catalogue probabilities of the stages then: Proposal 0.4, Prospecting 0.05
    assert q1["crm_weighted"] == pytest.approx(200 + 100 * 0.4 + 300 * 0.4 + 400 * 0.05)  # 380
    assert past.pipeline.deals["opportunity_id"].tolist() == ["W1", "L1", "L2"]
    # no closed deal before Feb 15 starts a full quarter: no time-series history at all
    assert past.availability["time_series"].reason == (
        "The time-series forecast cannot be shown: not enough history (0 quarters; a forecast "
        "needs 4).")
    assert past.bookings is None and past.headline == "pipeline"


# -- thin exports ------------------------------------------------------------------------------

def test_no_quotas_no_quota_columns_forecasts_still_shown(sample, full):
    report = build_forecast_report(thin(sample, drop=("quotas",), roster=True), AS_OF, **FAST)
    assert not report.availability["quota"]
    assert "no quotas table" in report.availability["quota"].reason
    for frame in (report.summary, report.crm):
        assert not {"quota", "gap", "gap_to_quota", "still_to_close", "coverage",
                    "coverage_needed"} & set(frame.columns)
    # the forecasts themselves do not depend on quotas
    pd.testing.assert_series_equal(report.summary["forecast"], full.summary["forecast"])


def test_no_stage_history_uses_crm_probabilities_and_says_so(sample):
    data = thin(sample, drop=("stage_history",), roster=True)
    report = build_forecast_report(data, AS_OF, **FAST)
    assert report.pipeline.probabilities == "crm"
    deals = report.pipeline.deals
    # each open deal's win probability is its CRM probability (the stage default if empty)
    default = data.catalogue.probability_of(deals["stage"])
    assert np.allclose(deals["p_win"], deals["probability"].fillna(default).fillna(0))
    assert "no stage_history table" in report.availability["pipeline_accuracy"].reason
    assert "pipeline" not in report.accuracy.columns
    assert report.availability["accuracy"]  # the time-series backtest still measured quarters
    assert report.accuracy["time_series_pct_error"].notna().all()


def test_no_stage_history_nor_probability_uses_the_catalogue(sample):
    data = thin(sample, drop=("stage_history",), roster=True)
    data = replace(data, contents=Contents(data.present, {"opportunities": ("probability",)}))
    report = build_forecast_report(data, AS_OF, **FAST)
    deals = report.pipeline.deals
    assert report.pipeline.probabilities == "catalogue"
    assert np.allclose(deals["p_win"], data.catalogue.probability_of(deals["stage"]))
    # and the CRM's weighted pipeline is not shown as booked + $0
    assert "crm_weighted" not in report.crm.columns
    assert "no 'probability' column" in report.availability["crm_probability"].reason


def test_no_forecast_categories_no_commit_views(sample):
    data = thin(sample, drop=(), roster=True, drop_columns={"opportunities": ("forecast_category",)})
    report = build_forecast_report(data, AS_OF, **FAST)
    for section in ("categories", "rep_calls"):
        assert report.availability[section].reason == (
            "Commit and best-case calls cannot be shown: the opportunities table has no "
            "'forecast_category' column; mapping 'forecast_category' at ingest would enable it.")
    assert report.rep_calls is None and not {"commit", "best_case"} & set(report.crm.columns)
    assert report.waterfall()["step"].tolist() == ["Booked", "Open deals", "Run-rate (new deals)"]


def test_no_roster_reps_by_owner_id_and_region_from_accounts(sample):
    data = thin(sample, drop=(), roster=False)
    report = build_forecast_report(data, AS_OF, **FAST)
    assert (report.rep_calls["name"] == report.rep_calls["rep_id"].astype(str)).all()
    assert report.dimension == "region"  # the accounts still have a region
    no_region = replace(data, contents=Contents(
        data.present, {**data.missing_columns, "accounts": ("region",)}, data.derived))
    report = build_forecast_report(no_region, AS_OF, **FAST)
    assert report.dimension is None and report.availability["dimension"].reason == (
        "The forecast by region cannot be shown: the deals, their reps or accounts have no "
        "region values; available: product, segment, industry.")
    assert report.bookings.forecasts["series"].unique().tolist() == [TOTAL]


def test_unknown_open_amounts_are_counted_never_zero(sample):
    data = thin(sample, drop=(), roster=True, unknown_open_amounts=0.25)
    report = build_forecast_report(data, AS_OF, **FAST)
    deals = report.pipeline.deals
    unknown = int(deals["amount"].isna().sum())
    assert unknown > 0 and report.pipeline.unknown_amounts == unknown
    label = report.pipeline.periods.loc[0, "period"]
    # their expected value is unknown (NaN), and the total is over the deals with an amount
    assert deals.loc[deals["amount"].isna(), f"expected_{label}"].isna().all()
    known = deals.dropna(subset=["amount"])
    assert report.pipeline.periods.loc[0, "open_expected"] == pytest.approx(
        (known["amount"] * known["p_win"] * known[f"p_close_{label}"]).sum())
    assert np.isfinite(report.summary["forecast"]).all()


# -- bookings only ------------------------------------------------------------------------------

def transactions_dataset(sample: Dataset, start: str | None = None,
                         missing=("segment",)) -> Dataset:
    won = sample.opportunities.loc[sample.opportunities["status"] == "won"]
    if start:
        won = won.loc[won["close_date"] >= start]
    tx = conform(pd.DataFrame({
        "transaction_id": won["opportunity_id"], "date": won["close_date"],
        "amount": won["amount"], "region": won["rep_id"].map(sample.reps.set_index("rep_id")["region"]),
        "segment": None, "product": won["product"], "customer": won["account_id"],
    }), TABLES["transactions"])
    empty = {n: empty_frame(TABLES[n]) for n in TABLES if n != "transactions"}
    return Dataset(**empty, transactions=tx, settings=sample.settings, catalogue=sample.catalogue,
                   contents=Contents(frozenset({"transactions"}), {"transactions": missing}))


def test_transactions_only_forecast_by_region_like_the_deals(sample, full):
    report = build_forecast_report(transactions_dataset(sample), AS_OF, **FAST)
    # the same won amounts by close date and region: the same history where both have periods
    common = report.bookings.history.index.intersection(full.bookings.history.index)
    assert len(common) >= 8
    pd.testing.assert_frame_equal(report.bookings.history.loc[common],
                                  full.bookings.history.loc[common], check_names=False)
    assert report.headline == "time_series" and report.pipeline is None and report.crm is None
    assert report.summary.columns.tolist() == ["period", "forecast", "low", "high",
                                               "time_series", "booked"]
    for section in ("pipeline", "crm", "pipeline_accuracy", "call_scores", "rep_calls",
                    "categories"):
        assert "no opportunities table" in report.availability[section].reason
    assert "no quotas table" in report.availability["quota"].reason
    assert report.accuracy["time_series_pct_error"].notna().all()
    assert "pipeline" not in report.accuracy.columns


def test_transactions_by_a_dimension_they_lack_or_have(sample):
    data = transactions_dataset(sample)
    report = build_forecast_report(data, AS_OF, dimension="segment", **FAST)
    assert report.availability["dimension"].reason == (
        "The forecast by segment cannot be shown: the transactions have no segment values; "
        "available: region, product, customer.")
    assert report.bookings.forecasts["series"].unique().tolist() == [TOTAL]
    by_product = build_forecast_report(data, AS_OF, dimension="product", **FAST)
    members = set(by_product.bookings.forecasts["series"]) - {TOTAL}
    assert members == set(sample.opportunities["product"].dropna().astype(str))
    scoped = build_forecast_report(data, AS_OF, dimension=None, scope="region=EMEA", **FAST)
    emea = data.transactions.loc[data.transactions["region"] == "EMEA"]
    q3 = scoped.bookings.history.loc["2026-07-01", TOTAL]
    assert q3 == emea.loc[emea["date"].between("2026-07-01", "2026-09-30"), "amount"].sum()


def test_short_history_says_not_enough_and_counts_only_measured_quarters(sample):
    # orders from 2025-07-01: as of 2026-11-27 the complete quarters are FY2025 Q3 .. FY2026 Q3 (5)
    data = transactions_dataset(sample, start="2025-07-01")
    report = build_forecast_report(data, AS_OF, dimension=None, snapshots=3, sims=100)
    assert len(report.bookings.history) == 5
    # snapshots on day 15 of FY2026 Q1, Q2, Q3 had 2, 3 and 4 complete quarters before them
    assert report.accuracy["time_series"].notna().tolist() == [False, False, True]
    short = transactions_dataset(sample, start="2026-01-01")
    report = build_forecast_report(short, AS_OF, dimension=None, snapshots=3, sims=100)
    assert report.availability["summary"].reason == (
        "The forecast summary cannot be shown: not enough history (2 quarters; a forecast "
        "needs 4).")
    assert report.availability["time_series"].reason == (
        "The time-series forecast cannot be shown: not enough history (2 quarters; a forecast "
        "needs 4).")
    assert report.bookings is None and report.history_rows().empty
    assert not report.availability["accuracy"]


def test_no_python_warning_escapes_the_report(sample, monkeypatch):
    from salesops.analysis.forecast import report as module
    original = module.forecast_bookings

    def chatty(*args, **kwargs):  # a model that complains, as statsmodels fits do
        warnings.warn("Maximum Likelihood optimization failed to converge", RuntimeWarning,
                      stacklevel=1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, "forecast_bookings", chatty)
    data = transactions_dataset(sample, start="2025-01-01")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning reaching the caller fails the test
        report = build_forecast_report(data, AS_OF, frequency="month", horizon=3, **FAST)
    # captured once (deduplicated) for the run log, never raised into the report
    assert report.warnings == (
        "RuntimeWarning: Maximum Likelihood optimization failed to converge",)


def test_as_of_on_a_quarter_end_makes_that_quarter_history_in_full(sample):
    as_of = pd.Timestamp("2026-03-31")
    report = build_forecast_report(sample, as_of, dimension=None, **FAST)
    opps = sample.opportunities
    won_q1 = opps.loc[(opps["status"] == "won")
                      & opps["close_date"].between("2026-01-01", "2026-03-31"), "amount"].sum()
    # Q1 (Jan 1 - Mar 31, the 31st included) is the last quarter of history and of the backtest
    assert report.bookings.history.loc["2026-01-01", TOTAL] == won_q1
    assert report.accuracy["period"].iloc[-1] == "FY2026 Q1"
    assert report.accuracy["actual"].iloc[-1] == won_q1
    # ... and the summary starts with Q2, where nothing is booked yet on Mar 31
    assert report.summary["period"].tolist() == ["FY2026 Q2", "FY2026 Q3", "FY2026 Q4"]
    assert report.summary.loc[0, "booked"] == 0.0


def test_a_hand_made_orders_csv_ingested_forecasts_by_region(tmp_path):
    from salesops.data.ingest import ingest
    # two orders a quarter, North and South, FY2025 Q1 .. FY2026 Q1 (5 complete quarters on
    # 2026-04-20), and one April order
    rows = [("2025-01-01", 100, "North"), ("2025-03-31", 50, "South"),
            ("2025-04-10", 120, "North"), ("2025-06-30", 40, "South"),
            ("2025-07-01", 130, "North"), ("2025-09-30", 60, "South"),
            ("2025-10-15", 150, "North"), ("2025-12-31", 70, "South"),
            ("2026-01-31", 160, "North"), ("2026-03-31", 80, "South"),
            ("2026-04-02", 90, "North")]
    src = tmp_path / "orders"
    src.mkdir()
    (src / "orders.csv").write_text("Order Date,Net Total,Sales Region\n" + "".join(
        f"{d},{a},{r}\n" for d, a, r in rows))
    (tmp_path / "mapping.yaml").write_text(
        "tables:\n  transactions:\n    file: orders.csv\n    columns:\n"
        "      Order Date: date\n      Net Total: amount\n      Sales Region: region\n")
    ingest(src, tmp_path / "out", tmp_path / "mapping.yaml")
    data = load_dataset(tmp_path / "out")
    report = build_forecast_report(data, pd.Timestamp("2026-04-20"), snapshots=2, sims=100)
    history = report.bookings.history
    # per quarter: North + South, the quarter's last day included (Mar 31, Jun 30, ...)
    assert history[TOTAL].tolist() == [100 + 50, 120 + 40, 130 + 60, 150 + 70, 160 + 80]
    assert history["South"].tolist() == [50.0, 40.0, 60.0, 70.0, 80.0]
    assert report.summary.loc[0, ["period", "booked"]].tolist() == ["FY2026 Q2", 90.0]
    assert set(report.bookings.forecasts["series"]) == {TOTAL, "North", "South"}
    assert report.pipeline is None and not report.availability["pipeline"]
    # snapshots: FY2025 Q4 (3 quarters before it: not measured) and FY2026 Q1 (4: measured)
    assert report.accuracy["time_series"].notna().tolist() == [False, True]
    assert report.accuracy["actual"].tolist() == [220.0, 240.0]
    segment = build_forecast_report(data, pd.Timestamp("2026-04-20"), dimension="segment",
                                    snapshots=1, sims=100)
    assert segment.availability["dimension"].reason == (
        "The forecast by segment cannot be shown: the transactions have no segment values; "
        "available: region.")


def test_a_dimension_with_thousands_of_members_forecasts_the_largest_and_other(sample, full):
    from salesops.analysis.forecast.series import MAX_MEMBERS, OTHER
    data = transactions_dataset(sample)
    report = build_forecast_report(data, AS_OF, dimension="customer", **FAST)
    customers = data.transactions["customer"].nunique()
    series = set(report.bookings.forecasts["series"])
    assert OTHER in series and len(series) == MAX_MEMBERS + 1  # 11 customers, Other, Total
    assert report.other_members == customers - (MAX_MEMBERS - 1)
    # grouping changes no total: the history by quarter is the deals' total
    common = report.bookings.history.index.intersection(full.bookings.history.index)
    pd.testing.assert_series_equal(report.bookings.history.loc[common, TOTAL],
                                   full.bookings.history.loc[common, TOTAL], check_names=False)


def test_scope_company_is_the_company_report(sample, full):
    # the forecast had its own scope parser, which refused 'company'
    company = build_forecast_report(sample, AS_OF, scope="company", **FAST)
    pd.testing.assert_frame_equal(company.summary, full.summary)
    with pytest.raises(ValueError, match="known region values: APAC, EMEA, North America"):
        build_forecast_report(sample, AS_OF, scope="region=Mars", **FAST)


def test_a_scope_with_one_member_of_the_dimension_is_not_split(sample, full):
    # EMEA split by region was a 'Total' and an 'EMEA' series with the same numbers, twice
    emea = build_forecast_report(sample, AS_OF, dimension="region", scope="region=EMEA", **FAST)
    assert emea.dimension is None
    assert emea.bookings.forecasts["series"].unique().tolist() == [TOTAL]
    assert list(emea.bookings.results) == [TOTAL]
    assert emea.availability["dimension"].reason == (
        "The forecast is not split by region: Region EMEA has one region (EMEA), so the total "
        "is its only forecast.")
    # the company has three regions: split as before
    assert full.dimension == "region" and bool(full.availability["dimension"])
    assert set(full.bookings.forecasts["series"]) == {TOTAL, "APAC", "EMEA", "North America"}


def test_coverage_is_data_coverage_in_the_summary_and_the_crm_view(sample, full):
    # one definition (data.coverage) for the forecast and the performance review
    quarters = next_periods(sample.calendar, AS_OF, "quarter", 3)
    view = scoped_view(sample, AS_OF, None)
    expected = [coverage(view, q, AS_OF) for q in quarters]
    assert list(full.coverage) == expected
    summary, crm = full.summary.set_index("period"), full.crm.set_index("period")
    for cov in expected:
        assert summary.loc[cov.period, "booked"] == cov.booked
        for frame in (summary, crm):
            assert frame.loc[cov.period, "coverage"] == pytest.approx(cov.ratio, nan_ok=True)
            assert frame.loc[cov.period, "coverage_needed"] == pytest.approx(cov.needed)
        assert crm.loc[cov.period, "open_pipeline"] == cov.pipeline


def test_total_history_is_labelled_by_fiscal_period(full):
    history = full.total_history()
    # the chart's axis and the tables name periods alike ("FY2026 Q3"), not by calendar date
    assert history.index[-1] == "FY2026 Q3" and history.index[-2] == "FY2026 Q2"
    assert history.tolist() == full.bookings.history[TOTAL].tolist()


def test_without_deal_history_the_reps_calls_are_one_sentence(sample, full):
    report = build_forecast_report(thin(sample, drop=("opportunity_history",), roster=True),
                                   AS_OF, **FAST)
    assert report.call_scores is None and report.call_correction() is None
    assert report.availability["call_scores"].reason.startswith(
        "Reps' calls cannot be shown: the data has no opportunity_history table;")
    assert not {"commit_call", "corrected_call"} & set(report.accuracy.columns)
    # this quarter's calls are still shown, without a correction to show
    assert report.rep_calls is not None and "corrected" not in report.rep_calls.columns
    # with the history: scored, and the accuracy history sets the day-15 calls beside
    assert full.call_scores is not None and "commit_call" in full.accuracy.columns
    assert set(full.call_scores.calls["day"]) == {15, 45, 75}
