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


def salesforce_with_history(tmp_path: Path, stage_history: bool = False) -> Path:
    """The Salesforce fixture with its OpportunityHistory export (and, if asked, the older
    stage_history.csv export beside it)."""
    src = tmp_path / "sf"
    shutil.copytree(FIXTURES / "salesforce", src)
    if not stage_history:
        (src / "stage_history.csv").unlink()
    shutil.copy(FIXTURES / "salesforce_history" / "OpportunityHistory.csv", src)
    return src


def test_salesforce_opportunity_history_gives_both_histories(tmp_path: Path) -> None:
    result = ingest(salesforce_with_history(tmp_path), tmp_path / "out", preset="salesforce")
    ds = load_dataset(tmp_path / "out")
    # 20 rows: lines 2-11 are good (10 kept); lines 12-21 each fail one check (10 quarantined).
    c = result.counts["opportunity_history"]
    assert (c.file, c.rows_in, c.rows_kept, c.rows_quarantined) == (
        "OpportunityHistory.csv", 20, 10, 10)
    q = result.quarantine
    got = q.loc[q["table"] == "opportunity_history", ["line", "column", "check"]]
    assert got.values.tolist() == [
        [12, "changed_at", "bad_date"],  # 2024-04-31
        [13, "amount", "negative_amount"],
        [14, "stage", "unknown_stage"],  # Demo Scheduled
        [15, "forecast_category", "invalid_value"],  # Upside
        [16, "probability", "probability_out_of_range"],  # 150%
        [17, "opportunity_id", "unknown_reference"],  # 006Z9
        [18, "opportunity_id/changed_at", "duplicate_key"],  # 006A1 at 2024-02-20 10:00 again
        [19, "changed_at", "stage_after_close"],  # 006A3 back in Qualification after its loss
        [20, "opportunity_id", "reference_quarantined"],  # 006A5 is quarantined
        [21, "amount/close_date/stage/forecast_category/probability", "empty_change"]]
    assert q.loc[q["line"] == 18, "reason"].tolist() == [
        "duplicate opportunity_id/changed_at 006A1/2024-02-20 10:00:00 (first at line 3)"]
    h = ds.opportunity_history
    a1 = h[h["opportunity_id"] == "006A1"]
    # Time of day kept; the amount corrected two days after Closed Won (line 5) is kept.
    assert a1["changed_at"].tolist() == [pd.Timestamp("2024-01-05 09:15"),
                                         pd.Timestamp("2024-02-20 10:00"),
                                         pd.Timestamp("2024-03-20 16:00"),
                                         pd.Timestamp("2024-03-22 08:30")]
    assert a1["amount"].tolist() == [45000, 45000, 48000, 50000]
    assert a1["forecast_category"].tolist() == ["pipeline", "commit", "closed", "closed"]
    assert a1["probability"].tolist() == [0.1, 0.9, 1.0, 1.0]
    # 006A2's close date pushed 2024-05-31 -> 2024-06-15; 006A3 lost on 03-01, backdated to
    # 02-28: kept (Closed Lost is its final stage).
    a2 = h[h["opportunity_id"] == "006A2"]
    assert a2["close_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-05-31", "2024-06-15"]
    assert a2["forecast_category"].tolist() == ["pipeline", "best_case"]
    # Stage history derived: one row per change of stage, the repeated Closed Won collapsed:
    # 006A1 3, 006A2 2, 006A3 2, 006A6 2 = 9.
    assert ds.derived["stage_history"] == "derived from the opportunity history"
    sh = ds.stage_history
    assert len(sh) == 9
    assert sh.loc[sh["opportunity_id"] == "006A1", "stage"].tolist() == [
        "Prospecting", "Negotiation/Review", "Closed Won"]
    assert sh.loc[sh["opportunity_id"] == "006A3", "entered_date"].tolist() == [
        pd.Timestamp("2024-01-10"), pd.Timestamp("2024-03-01")]
    assert {"opportunity_history", "stage_history"} <= ds.present


def test_salesforce_stage_history_export_still_read_beside_opportunity_history(
        tmp_path: Path) -> None:
    result = ingest(salesforce_with_history(tmp_path, stage_history=True), tmp_path / "out",
                    preset="salesforce", max_quarantine_share=1)
    ds = load_dataset(tmp_path / "out")
    # stage_history.csv: 6 rows, 006A5's quarantined with its deal: 5, as without the history.
    assert len(ds.stage_history) == 5 and "stage_history" not in ds.derived
    assert result.counts["opportunity_history"].rows_kept == 10


def test_hubspot_property_history_is_pivoted(tmp_path: Path) -> None:
    src = tmp_path / "hs"
    shutil.copytree(FIXTURES / "hubspot", src)
    shutil.copy(FIXTURES / "hubspot_history" / "deal_property_history.csv", src)
    result = ingest(src, tmp_path / "out", preset="hubspot")
    ds = load_dataset(tmp_path / "out")
    # 27 long rows, 1 of another property (dealname) left out; the 26 others fall on 12
    # (deal, timestamp) pairs, plus 1 row for the second amount of 102 at 2024-04-10 09:00
    # = 13 rows in. Quarantined: 104's unknown stage id (line 24), 104's negative amount (25),
    # unknown deal 999 (26), the second amount (28); 13 - 4 = 9 kept.
    c = result.counts["opportunity_history"]
    assert (c.rows_in, c.rows_kept, c.rows_quarantined) == (13, 9, 4)
    q = result.quarantine
    assert q.loc[q["table"] == "opportunity_history", ["line", "check"]].values.tolist() == [
        [24, "unknown_stage"], [25, "negative_amount"], [26, "unknown_reference"],
        [28, "duplicate_key"]]
    assert "deal_property_history.csv: 1 rows of other properties left out (dealname)" in \
        result.warnings
    h = ds.opportunity_history
    d101 = h[h["opportunity_id"] == "101"]
    assert d101["changed_at"].tolist() == [pd.Timestamp("2024-01-10 09:00"),
                                           pd.Timestamp("2024-02-01 12:00"),
                                           pd.Timestamp("2024-02-20 15:30"),
                                           pd.Timestamp("2024-03-15 10:00")]
    # Internal stage ids and forecast categories mapped; unchanged fields empty.
    assert d101["stage"].tolist()[:2] == ["Appointment Scheduled", "Qualified To Buy"]
    assert pd.isna(d101["stage"].iloc[2]) and d101["stage"].iloc[3] == "Closed Won"
    assert d101["forecast_category"].dropna().tolist() == ["pipeline", "commit", "closed"]
    assert d101["amount"].dropna().tolist() == [4000, 5000]
    assert d101["probability"].dropna().tolist() == [0.2, 0.4]
    d102 = h[h["opportunity_id"] == "102"]
    assert d102["stage"].iloc[0] == "Appointment Scheduled"  # a label, mapped as well
    assert d102["close_date"].dropna().dt.strftime("%Y-%m-%d").tolist() == [
        "2024-05-31", "2024-06-30"]
    assert h.loc[h["opportunity_id"] == "103", "forecast_category"].dropna().tolist() == [
        "omitted"]
    # The deals export's "Date entered" columns still give the stage history.
    assert len(ds.stage_history) == 7 and "stage_history" not in ds.derived


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
