import shutil
from pathlib import Path

import pandas as pd

from salesops.data.ingest import ingest
from salesops.data.quality import data_contents, load_quality
from salesops.data.requirements import Needs
from salesops.data.schema import TABLES, empty_frame
from salesops.data.store import Contents, Dataset

VALID = Path(__file__).parent / "fixtures" / "valid"


def test_quality_report_reads_back_counts_reasons_and_rows(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(VALID, raw)
    opps = raw / "opportunities.csv"
    lines = opps.read_text().splitlines()
    # Line 3 of the file (second data row) gets a negative amount; a duplicate of line 2 is added.
    fields = lines[2].split(",")
    fields[4] = "-5"
    lines[2] = ",".join(fields)
    lines.append(lines[1])
    opps.write_text("\n".join(lines) + "\n")
    ingest(raw, tmp_path / "out")

    report = load_quality(tmp_path / "out")
    counts = report.counts.set_index("table")
    # 6 data rows + 1 duplicate = 7 in; 2 quarantined; the opportunity's 3 stage changes follow it.
    assert counts.loc["opportunities", ["rows_in", "rows_kept", "rows_quarantined"]].tolist() == [7, 5, 2]
    assert (counts["rows_in"] == counts["rows_kept"] + counts["rows_quarantined"]).all()
    assert report.rows_quarantined == counts["rows_quarantined"].sum()
    reasons = report.reasons.set_index(["table", "check"])["problems"]
    assert reasons[("opportunities", "negative_amount")] == 1
    assert reasons[("opportunities", "duplicate_key")] == 1
    bad = report.quarantine.loc[report.quarantine["check"] == "negative_amount"].iloc[0]
    assert (bad["file"], bad["line"], bad["column"]) == ("opportunities.csv", 3, "amount")
    assert "raw" not in report.quarantine.columns  # raw values stay in the audit file only


def test_folder_without_ingest_files_gives_an_empty_report(tmp_path):
    report = load_quality(tmp_path)
    assert report.counts.empty and report.quarantine.empty and report.rows_quarantined == 0


def _dataset(present, missing=None, derived=None):
    tables = {n: empty_frame(TABLES[n]) for n in TABLES}
    tables["opportunities"] = tables["opportunities"].reindex(range(3))  # 3 deals
    tables["reps"] = tables["reps"].reindex(range(2))  # 2 reps
    return Dataset(**tables, contents=Contents(frozenset(present), missing or {}, derived or {}))


SECTIONS = [Needs("Attainment", tables=("opportunities", "quotas")),
            Needs("Teams chart", columns={"reps": ("team",)}),
            Needs("Ramp", tables=("quotas",), columns={"reps": ("hire_date",)}),
            Needs("Hygiene", tables=("opportunities",)),
            Needs("Calls", columns={"opportunities": ("forecast_category",)}),
            Needs("Bookings by dimension", tables=("transactions",))]


def test_data_contents_says_what_is_there_and_what_each_absence_disables():
    ds = _dataset({"opportunities", "reps"}, missing={"reps": ("team", "hire_date")},
                  derived={"reps": "derived from the deals' owner column"})
    got = data_contents(ds, SECTIONS).set_index("table")
    assert got.loc["Deals (opportunities)"].tolist() == ["yes, 3 rows", "", ""]
    assert got.loc["Rep roster (reps)"].tolist() == [
        "yes, 2 rows (derived from the deals' owner column)", "team, hire date",
        "Teams chart; Ramp"]
    # quotas absent: every section asking for the table, once each
    assert got.loc["Quotas"].tolist() == ["no", "", "Attainment; Ramp"]
    assert got.loc["Stage history (stage changes of each deal)", "disables"] == ""
    # orders are the bookings-only alternative: with deals they disable nothing
    assert got.loc["Orders / transactions"].tolist() == [
        "no (not needed: the reports use the deals)", "", ""]


def test_data_contents_of_a_transactions_only_dataset():
    ds = _dataset({"transactions"}, missing={"transactions": ("customer",)})
    got = data_contents(ds, SECTIONS).set_index("table")
    assert got.loc["Deals (opportunities)"].tolist() == ["no", "", "Attainment; Hygiene; Calls"]
    assert got.loc["Orders / transactions"].tolist() == ["yes, 0 rows", "customer", ""]
    assert got.loc["Rep roster (reps)", "disables"] == "Teams chart; Ramp"


def test_a_scoped_quarantine_lists_only_the_scopes_rows(tmp_path):
    from salesops.data.scope import scoped_view
    from salesops.data.store import load_dataset

    raw = tmp_path / "raw"
    shutil.copytree(VALID, raw)
    opps = raw / "opportunities.csv"
    # O8: R3's (EMEA) on A1, O9: R1's (NA) on A1 (an account EMEA's O4 touches too), both with
    # a negative amount; a stage change of an unknown deal names nobody
    opps.write_text(opps.read_text() + "O8,R3,A1,Core,-1,2024-03-02,2024-05-30,Discovery,open,,\n"
                    "O9,R1,A1,Core,-2,2024-03-03,2024-05-30,Discovery,open,,\n")
    history = raw / "stage_history.csv"
    history.write_text(history.read_text() + "O99,Prospecting,2024-03-01\n")
    ingest(raw, tmp_path / "out")
    view = scoped_view(load_dataset(tmp_path / "out"), "2024-06-30", "region=EMEA")

    everyone = load_quality(tmp_path / "out")
    emea = load_quality(tmp_path / "out", view)
    assert len(everyone.quarantine) == 3 and everyone.unlisted == 0
    assert emea.quarantine["line"].tolist() == [8]  # O8's line in opportunities.csv
    assert emea.unlisted == 2 and emea.scope == view.scope
    pd.testing.assert_frame_equal(emea.counts, everyone.counts)  # counts name nobody
    assert list(emea.quarantine.columns) == list(everyone.quarantine.columns)
