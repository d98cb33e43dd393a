"""End-to-end ingest: outputs, fatal errors leave nothing behind, rows in = kept + quarantined."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesops.data.ingest import IngestError, ingest
from salesops.data.schema import CRM_TABLES, TABLES
from salesops.data.store import load_dataset

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid"


def copy_valid(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(VALID, src)
    return src


def test_valid_fixture_is_kept_whole_with_outputs(tmp_path: Path) -> None:
    result = ingest(VALID, tmp_path / "out")
    assert result.out_dir == tmp_path / "out"
    assert {n: c.rows_kept for n, c in result.counts.items()} == {
        "reps": 3, "accounts": 3, "quotas": 4, "opportunities": 6, "stage_history": 12}
    assert result.warnings == [] and result.quarantine.empty
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == sorted([f"{t}.parquet" for t in TABLES] + [
        "settings.json", "stages.yaml", "contents.json", "quarantine.csv", "data_quality.json"])
    quality = json.loads((tmp_path / "out" / "data_quality.json").read_text())
    assert quality["tables"]["opportunities"] == {
        "file": "opportunities.csv", "rows_in": 6, "rows_kept": 6, "rows_quarantined": 0,
        "reasons": {}, "blank_rows_skipped": 0}
    data = load_dataset(tmp_path / "out")
    assert data.reps["region"].tolist() == ["NA", "NA", "EMEA"]
    assert str(data.opportunities["close_date"].dtype) == "datetime64[ns]"


def test_quarantine_file_and_quality_report(tmp_path: Path) -> None:
    src = copy_valid(tmp_path)
    shutil.copy(FIXTURES / "bad" / "opportunities_bad.csv", src / "opportunities.csv")
    result = ingest(src, tmp_path / "out")
    q = pd.read_csv(tmp_path / "out" / "quarantine.csv", keep_default_na=False)
    assert list(q.columns) == ["table", "file", "line", "column", "check", "reason", "raw"]
    # Line 2: "1,000" is not a number; line 3: 30 February; line 4: empty amount.
    opp = q[q["table"] == "opportunities"]
    assert opp[["line", "check"]].values.tolist() == [
        [2, "bad_number"], [3, "bad_date"], [4, "missing_value"]]
    assert json.loads(opp["raw"].iloc[0])["amount"] == "1,000"
    quality = json.loads((tmp_path / "out" / "data_quality.json").read_text())
    assert quality["tables"]["opportunities"]["reasons"] == {
        "bad_number": 1, "bad_date": 1, "missing_value": 1}
    # History of O1-O3 (3 + 2 + 2 = 7 rows) goes because those deals were quarantined;
    # history of O4-O6 (1 + 2 + 2 = 5 rows) refers to deals not in this file at all.
    hist = result.counts["stage_history"]
    assert (hist.rows_kept, hist.reasons) == (0, {"reference_quarantined": 7,
                                                  "unknown_reference": 5})
    # Status present but forecast_category/probability absent: nullable, so allowed.
    assert quality["warnings"] == []


@pytest.mark.parametrize(("change", "message"), [
    (lambda src: (src / "opportunities.csv").unlink(),
     "opportunities.csv, opportunities.xlsx, opportunities.parquet: no opportunities (deals) "
     "table found"),
    (lambda src: pd.read_csv(src / "quotas.csv").drop(columns="period_end").to_csv(
        src / "quotas.csv", index=False),
     "quotas.csv: required column 'period_end' of table 'quotas' is missing"),
    (lambda src: (src / "accounts.csv").rename(src / "accounts.xlsx"),
     "accounts.xlsx: cannot read file"),
    (lambda src: shutil.copy(FIXTURES / "bad" / "corrupt.xlsx", src / "Accounts.xlsx")
     and (src / "mapping.yaml").write_text("tables: {accounts: {file: Accounts.xlsx}}"),
     "Accounts.xlsx: cannot read file"),
    (lambda src: shutil.copy(src / "reps.csv", src / "reps.parquet"),
     "reps.csv, reps.parquet: several files for table 'reps'"),
    (lambda src: (src / "mapping.yaml").write_text("tables: {reps: {colums: {}}}"),
     "mapping.yaml: field 'tables.reps.colums': unknown field"),
    (lambda src: (src / "mapping.yaml").write_text(
        "tables: {opportunities: {columns: {Owner: rep_id}}}"),
     "opportunities.csv: column 'Owner' named in mapping.yaml: tables.opportunities.columns "
     "is not in the file"),
])
def test_fatal_problem_raises_and_leaves_out_dir_untouched(
    tmp_path: Path, change, message: str
) -> None:
    src = copy_valid(tmp_path)
    change(src)
    out = tmp_path / "out"
    out.mkdir()
    (out / "previous.txt").write_text("last good run")
    mapping = src / "mapping.yaml" if (src / "mapping.yaml").exists() else None
    with pytest.raises(IngestError, match=re.escape(message)) as err:
        ingest(src, out, mapping)
    assert isinstance(err.value, ValueError)
    assert [p.name for p in out.iterdir()] == ["previous.txt"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_missing_source_folder_is_fatal(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="nowhere: source folder not found"):
        ingest(tmp_path / "nowhere", tmp_path / "out")


def test_rerun_replaces_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.parquet").write_text("old")
    ingest(VALID, out)
    assert not (out / "stale.parquet").exists()


def test_excel_and_parquet_sources_give_the_same_dataset(tmp_path: Path) -> None:
    src = tmp_path / "mixed"
    src.mkdir()
    for name in CRM_TABLES:
        df = pd.read_csv(VALID / f"{name}.csv", dtype=str, keep_default_na=False)
        if name in ("reps", "opportunities"):
            df.to_excel(src / f"{name}.xlsx", index=False)
        elif name == "quotas":  # typed Parquet: real dates and numbers
            df.astype({"period_start": "datetime64[ns]", "period_end": "datetime64[ns]",
                       "quota_amount": "float64"}).to_parquet(src / f"{name}.parquet")
        else:
            df.to_parquet(src / f"{name}.parquet")
    got = load_dataset(ingest(src, tmp_path / "a").out_dir)
    want = load_dataset(ingest(VALID, tmp_path / "b").out_dir)
    for name in CRM_TABLES:
        pd.testing.assert_frame_equal(getattr(got, name), getattr(want, name))


def test_unused_files_columns_and_blank_rows_are_warned_about(tmp_path: Path) -> None:
    src = copy_valid(tmp_path)
    (src / "notes.csv").write_text("a\n1\n")
    with (src / "accounts.csv").open("a") as f:
        f.write("\n")
    pd.read_csv(src / "reps.csv").assign(email="x@y").to_csv(src / "reps.csv", index=False)
    result = ingest(src, tmp_path / "out")
    assert result.warnings == [
        "notes.csv: ignored (not a table name and not used by the mapping)",
        "reps.csv: ignored columns not in the reps model: email",
        "accounts.csv: skipped 1 blank rows",
    ]
    assert result.counts["accounts"].rows_in == 3


# -- invariant: random corruption of the valid dataset -------------------------------------

GARBAGE = ["", "xyz", "-5", "2024-13-45", "1e400", "O1", "R1", "A1", "Closed Won", "won",
           "150", "2001-01-01", "2099-12-31", "NA", "  ", "0"]
FRAMES = {n: pd.read_csv(VALID / f"{n}.csv", dtype=str, keep_default_na=False) for n in CRM_TABLES}
CELL = st.sampled_from(list(CRM_TABLES)).flatmap(lambda t: st.tuples(
    st.just(t), st.integers(0, len(FRAMES[t]) - 1), st.sampled_from(list(FRAMES[t].columns)),
    st.sampled_from(GARBAGE)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(CELL, min_size=1, max_size=8))
def test_every_row_is_kept_or_quarantined(edits: list[tuple[str, int, str, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        frames = {n: f.copy() for n, f in FRAMES.items()}
        for table, row, column, value in edits:
            frames[table].loc[row, column] = value
        for name, frame in frames.items():
            frame.to_csv(src / f"{name}.csv", index=False)
        result = ingest(src, Path(tmp) / "out")
        out = load_dataset(Path(tmp) / "out")
        q = result.quarantine
        for name, frame in frames.items():
            counts = result.counts[name]
            assert counts.rows_in == len(frame) == counts.rows_kept + counts.rows_quarantined
            assert len(getattr(out, name)) == counts.rows_kept
            lines = q.loc[q["table"] == name, "line"]
            assert lines.nunique() == counts.rows_quarantined
            assert lines.between(2, len(frame) + 1).all()
            assert sum(counts.reasons.values()) == len(lines)
        kept_reps = set(out.reps["rep_id"])
        assert set(out.opportunities["rep_id"]) <= kept_reps
        assert set(out.quotas["rep_id"]) <= kept_reps
        assert set(out.stage_history["opportunity_id"]) <= set(out.opportunities["opportunity_id"])


def test_opportunities_only_export_derives_the_roster_and_keeps_unknown_open_values(
        tmp_path: Path) -> None:
    src = tmp_path / "thin"
    src.mkdir()
    opps = pd.read_csv(VALID / "opportunities.csv", dtype=str, keep_default_na=False)
    opps = opps.drop(columns=["account_id", "product"])
    opps.loc[opps["opportunity_id"] == "O2", "amount"] = ""  # open: amount unknown
    opps.loc[opps["opportunity_id"] == "O4", "close_date"] = ""  # open: close date unknown
    opps.loc[opps["opportunity_id"] == "O6", "amount"] = ""  # won: amount is required
    opps.to_csv(src / "opportunities.csv", index=False)
    result = ingest(src, tmp_path / "out")
    ds = load_dataset(result.out_dir)
    # O6 (won, no amount) is quarantined; the open deals without amount or close date are kept.
    assert result.quarantine[["line", "column", "reason"]].values.tolist() == [
        [7, "amount", "missing value in amount (required on won and lost deals)"]]
    assert sorted(ds.opportunities["opportunity_id"]) == ["O1", "O2", "O3", "O4", "O5"]
    o2 = ds.opportunities.set_index("opportunity_id").loc["O2"]
    assert pd.isna(o2["amount"])  # unknown, never 0
    # The roster comes from the deals' owners (R1, R2, R3 own kept deals); attributes unknown.
    assert ds.reps["rep_id"].tolist() == ["R1", "R2", "R3"] == ds.reps["name"].tolist()
    assert ds.reps["hire_date"].isna().all()
    assert ds.present == {"opportunities", "reps"} and "reps" in ds.derived
    assert set(ds.missing_columns["reps"]) == {"manager", "team", "region", "role",
                                               "hire_date", "termination_date"}
    assert ds.missing_columns["opportunities"] == ("account_id", "product")
    assert not ds.has("quotas") and not ds.has("opportunities", "product")
    assert len(ds.quotas) == 0 and list(ds.quotas.columns) == TABLES["quotas"].column_names


def test_transactions_only_export_loads_with_line_ids(tmp_path: Path) -> None:
    src = tmp_path / "orders"
    src.mkdir()
    (src / "transactions.csv").write_text(
        "date,amount,region\n2024-01-03,100,EMEA\n2024-01-04,250.5,\n2024-02-01,x,NA\n")
    result = ingest(src, tmp_path / "out")
    ds = load_dataset(result.out_dir)
    assert ds.present == {"transactions"}
    assert ds.transactions["transaction_id"].tolist() == ["transactions.csv:2",
                                                          "transactions.csv:3"]
    assert ds.transactions["amount"].tolist() == [100.0, 250.5]
    assert result.quarantine["reason"].tolist() == ["non-numeric amount 'x'"]
    assert set(ds.missing_columns["transactions"]) == {"segment", "product", "customer"}
