import shutil
from pathlib import Path

from salesops.data.ingest import ingest
from salesops.data.quality import load_quality

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
