"""The Salesforce-shaped demo export (../shared/datasets/salesforce_demo, from Salesforce's public
demo-data generator) through the Salesforce preset and the documented demo mapping, then every
report: numbers against plain pandas arithmetic on the raw file. And a Data Loader export with
OpportunityHistory (tests/e2e/exports.salesforce) through the preset: both histories from it."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import REPO, assert_clean, ingest_and_run
from exports import salesforce

from salesops.data.ingest import ingest
from salesops.data.store import load_dataset
from salesops.presentation.formatting import count, money

AS_OF = "2019-03-01"  # the last won deal of the export closes on this day (FY2019 Q1)


@pytest.fixture(scope="module")
def run(tmp_path_factory, shared_datasets):
    root = tmp_path_factory.mktemp("sfdemo")
    source = shared_datasets / "salesforce_demo"
    raw = pd.read_csv(source / "opportunities.csv", parse_dates=["CloseDate"])
    texts = ingest_and_run(root, source, AS_OF, "--preset", "salesforce", "--mapping",
                           str(REPO / "docs" / "examples" / "salesforce_demo_mapping.yaml"))
    return raw, texts


def consistent(raw: pd.DataFrame) -> pd.Series:
    """Rows whose StageName agrees with IsClosed/IsWon (the others are quarantined)."""
    closed_stage = raw["StageName"].isin(["Closed Won", "Closed Lost"])
    won_stage = raw["StageName"] == "Closed Won"
    return (closed_stage == raw["IsClosed"]) & (won_stage == raw["IsWon"])


def test_bookings_and_leaderboard_match_the_raw_export(run):
    raw, texts = run
    won = raw[consistent(raw) & raw["IsWon"] & raw["CloseDate"].between("2019-01-01", AS_OF)]
    review = texts["performance_review"]
    assert (f"bookings {money(won['Amount'].sum(), compact=True)} from {len(won)} won deals"
            in review)
    for owner, value in won.groupby("OpportunityOwner")["Amount"].sum().nlargest(3).items():
        assert f"{owner} {money(value)}" in review


def test_inconsistent_rows_are_quarantined_and_counted(run):
    raw, texts = run
    bad = int((~consistent(raw)).sum())
    assert bad == 931
    quality = texts["data_quality"]
    assert f"{count(len(raw))} {count(len(raw) - bad)} {count(bad)}" in quality
    assert "status_mismatch" in quality or "inconsistent with stage" in quality


def test_no_quota_no_stage_history_sections_say_so(run):
    _, texts = run
    assert "Attainment against quota cannot be shown: the data has no quotas table" in \
        texts["performance_review"]
    assert "the data has no stage_history table" in texts["forecast"]
    assert "$" not in texts["comp_plan_evaluation"]
    assert_clean(texts)


def test_opportunity_history_export_gives_both_histories(tmp_path):
    source = salesforce(tmp_path / "raw", "2026-11-27")
    raw = pd.read_csv(source / "OpportunityHistory.csv", dtype=str)
    result = ingest(source, tmp_path / "out", preset="salesforce")
    ds = load_dataset(tmp_path / "out")
    c = result.counts["opportunity_history"]
    assert (c.file, c.rows_in, c.rows_kept) == ("OpportunityHistory.csv", len(raw), len(raw))
    # The stage history: per deal, the rows whose StageName differs from the row before.
    before = raw.groupby("OpportunityId")["StageName"].shift()
    assert len(ds.stage_history) == int((raw["StageName"] != before).sum())
    assert ds.derived["stage_history"] == "derived from the opportunity history"
    # Forecast categories by their API values: Forecast is commit, BestCase best_case.
    got = ds.opportunity_history["forecast_category"].value_counts()
    assert got["commit"] == (raw["ForecastCategory"] == "Forecast").sum()
    assert got["best_case"] == (raw["ForecastCategory"] == "BestCase").sum()
