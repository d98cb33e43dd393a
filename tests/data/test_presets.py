"""Presets: Salesforce and HubSpot exports load with --preset, a user mapping layered on top,
and the public Salesforce demo export loads with the documented mapping."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from salesops.data.config import ConfigError
from salesops.data.ingest import ingest
from salesops.data.mapping import load_mapping, presets
from salesops.data.store import load_dataset
from salesops.orchestration.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parents[2]
DEMO_MAPPING = REPO / "docs" / "examples" / "salesforce_demo_mapping.yaml"
DEMO = Path(os.environ.get("SALESOPS_DATASETS", REPO.parent / "shared" / "datasets")) / \
    "salesforce_demo" / "opportunities.csv"


def test_shipped_presets() -> None:
    assert presets() == ["hubspot", "salesforce"]
    with pytest.raises(ConfigError, match=r"unknown preset 'zoho' \(available: hubspot, salesforce\)"):
        load_mapping(preset="zoho")


def test_salesforce_data_loader_export(tmp_path: Path) -> None:
    result = ingest(FIXTURES / "salesforce", tmp_path / "out", preset="salesforce")
    ds = load_dataset(tmp_path / "out")
    opps = ds.opportunities.set_index("opportunity_id")
    # 006A5 says StageName 'Closed Lost' but IsClosed=false: quarantined, the 5 others kept.
    q = result.quarantine
    assert q[["table", "line", "check"]].values.tolist() == [
        ["opportunities", 6, "status_mismatch"], ["stage_history", 7, "reference_quarantined"]]
    assert "status open inconsistent with stage Closed Lost (lost)" in q["reason"].iloc[0]
    assert sorted(opps.index) == ["006A1", "006A2", "006A3", "006A4", "006A6"]
    assert opps["status"].to_dict() == {"006A1": "won", "006A2": "open", "006A3": "lost",
                                        "006A4": "open", "006A6": "open"}
    # Probability 0-100 read as fractions; API forecast categories normalised.
    assert opps.loc["006A2", "probability"] == 0.75 and opps.loc["006A6", "probability"] == 0.9
    assert opps.loc["006A2", "forecast_category"] == "best_case"
    assert pd.isna(opps.loc["006A4", "amount"])  # open deal, amount unknown: kept, never 0
    assert opps.loc["006A1", "created_date"] == pd.Timestamp("2024-01-05")
    assert ds.reps[["rep_id", "name", "manager", "role", "team"]].values.tolist() == [
        ["005U1", "Dana Reyes", "Mia Chen", "Account Executive", "West"],
        ["005U2", "Lee Park", "Mia Chen", "Account Executive", "East"]]
    assert ds.accounts["industry"].tolist() == ["Manufacturing", "Energy"]
    # ForecastingQuota has no end date: a quarter from the start, 2024-01-01 -> 2024-03-31.
    assert ds.quotas["period_end"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-03-31", "2024-06-30", "2024-03-31"]
    assert len(ds.stage_history) == 5 and ds.catalogue.names[0] == "Prospecting"


def test_hubspot_deals_export_unpivots_date_entered_columns(tmp_path: Path) -> None:
    result = ingest(FIXTURES / "hubspot", tmp_path / "out", preset="hubspot")
    ds = load_dataset(tmp_path / "out")
    # Non-empty "Date entered" cells: deal 101 three, 102 two, 103 two, 104 one = 8 rows in;
    # 103's 'yesterday' is quarantined at its line in the deals file (line 4).
    counts = result.counts["stage_history"]
    assert (counts.rows_in, counts.rows_kept, counts.rows_quarantined) == (8, 7, 1)
    assert result.quarantine[["table", "file", "line", "check"]].values.tolist() == [
        ["stage_history", "opportunities.csv", 4, "bad_date"]]
    hist = ds.stage_history
    assert hist.loc[hist["opportunity_id"] == "101", "stage"].tolist() == [
        "Appointment Scheduled", "Qualified To Buy", "Closed Won"]
    assert hist["entered_date"].min() == pd.Timestamp("2024-01-10")
    opps = ds.opportunities.set_index("opportunity_id")
    assert opps["status"].tolist() == ["won", "open", "lost", "open"]
    assert pd.isna(opps.loc["102", "amount"]) and opps["amount"].sum() == 5000 + 1200 + 800
    assert sorted(ds.reps["rep_id"]) == ["Ana Diaz", "Ben Ode"]  # derived from 'Deal owner'
    assert ds.derived == {"reps": "derived from the deals' owner column"}


def test_user_mapping_is_layered_on_the_preset(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(FIXTURES / "hubspot", src)
    (src / "opportunities.csv").rename(src / "deals.csv")
    mapping = tmp_path / "mine.yaml"
    mapping.write_text("tables:\n  opportunities:\n    file: deals.csv\n"
                       "    columns: {Deal Name: rep_id}\n"
                       "    stage_values: {Qualified to buy: Presentation Scheduled}\n")
    ingest(src, tmp_path / "out", mapping, preset="hubspot")
    opps = load_dataset(tmp_path / "out").opportunities
    # The user's rep_id wins over the preset's 'Deal owner'; their stage value overrides one
    # of the preset's and the preset's others still apply.
    assert opps["rep_id"].tolist()[:2] == ["Acme deal", "Globex deal"]
    assert opps["stage"].tolist() == ["Closed Won", "Presentation Scheduled", "Closed Lost",
                                      "Appointment Scheduled"]
    m = load_mapping(mapping, preset="hubspot")
    assert m.source == "mine.yaml (on preset hubspot)"
    assert "rep_id" not in m.table("opportunities").candidates


def test_error_in_a_layered_mapping_names_the_users_file(tmp_path: Path) -> None:
    mapping = tmp_path / "mine.yaml"
    mapping.write_text("tables:\n  quotas:\n    date_formats: {period_end: '%d/%m/%Y'}\n")
    with pytest.raises(ConfigError, match=re.escape(
            "mine.yaml: field 'tables.quotas.date_formats.period_end': period_end is derived")):
        load_mapping(mapping, preset="salesforce")


def test_cli_ingest_with_preset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ingest", str(FIXTURES / "hubspot"), "--preset", "hubspot",
                 "--out", str(tmp_path / "out")])
    assert code == 0
    assert "stage_history  opportunities.csv: 8 in, 7 kept, 1 quarantined (bad_date 1)" in \
        capsys.readouterr().out
    assert main(["ingest", str(FIXTURES / "hubspot"), "--preset", "pipedrive",
                 "--out", str(tmp_path / "x")]) == 2
    assert "unknown preset 'pipedrive'" in capsys.readouterr().err


@pytest.mark.skipif(not DEMO.is_file(), reason=f"Salesforce demo export not found at {DEMO} "
                    "(set SALESOPS_DATASETS to the shared datasets folder)")
def test_salesforce_demo_export_loads_with_the_documented_mapping(tmp_path: Path) -> None:
    result = ingest(DEMO.parent, tmp_path / "out", DEMO_MAPPING, preset="salesforce")
    ds = load_dataset(tmp_path / "out")
    # Independent arithmetic on the raw file with plain pandas.
    raw = pd.read_csv(DEMO, dtype=str, keep_default_na=False)
    flags = raw["IsWon"].eq("true").map({True: "won"}).fillna(
        raw["IsClosed"].map({"true": "lost", "false": "open"}))
    named = raw["StageName"].map({"Closed Won": "won", "Closed Lost": "lost"}).fillna("open")
    contradicts = flags != named
    c = result.counts["opportunities"]
    assert c.rows_in == len(raw) == 7545
    assert c.rows_in == c.rows_kept + c.rows_quarantined
    assert c.rows_quarantined == int(contradicts.sum()) == 931
    assert c.reasons == {"status_mismatch": 931}
    kept = raw.loc[~contradicts]
    opps = ds.opportunities
    assert opps["status"].value_counts().to_dict() == flags[~contradicts].value_counts().to_dict()
    won = kept.loc[flags[~contradicts] == "won"]
    assert opps.loc[opps["status"] == "won", "amount"].sum() == won["Amount"].astype(float).sum()
    # created = close - OpportunityAge days, e.g. the first kept deal.
    first = kept.iloc[0]
    row = opps.set_index("opportunity_id").loc[first["Id"]]
    assert row["created_date"] == pd.Timestamp(first["CloseDate"]) - pd.Timedelta(
        days=int(first["OpportunityAge"]))
    # Reps and accounts come from the deals file: one per distinct id (each id has one name).
    names = raw.drop_duplicates("OwnerId").set_index("OwnerId")["OpportunityOwner"]
    assert raw.groupby("OwnerId")["OpportunityOwner"].nunique().max() == 1
    assert ds.reps.set_index("rep_id")["name"].sort_index().to_dict() == names.sort_index().to_dict()
    assert len(names) == 19 and result.counts["reps"].rows_quarantined == 0
    assert len(ds.accounts) == raw["AccountId"].nunique() == 4974
    industry = raw.drop_duplicates("AccountId").set_index("AccountId")["AccountIndustry"]
    assert ds.accounts.set_index("account_id")["industry"].to_dict() == industry.to_dict()
    assert set(opps["stage"]) <= set(ds.catalogue.names)
