"""End-to-end ingest: outputs, fatal errors leave nothing behind, rows in = kept + quarantined."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesops.data.ingest import Database, IngestError, TooManyQuarantined, ingest
from salesops.data.schema import CRM_TABLES, TABLES
from salesops.data.store import load_dataset

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid"
#: The valid deals' opportunity history (kept apart: VALID is an export without one).
HISTORY = FIXTURES / "history" / "opportunity_history.csv"


def copy_valid(tmp_path: Path, history: bool = False) -> Path:
    src = tmp_path / "src"
    shutil.copytree(VALID, src)
    if history:
        shutil.copy(HISTORY, src)
    return src


def export_file(name: str) -> Path:
    """The valid fixture's file of CRM table ``name``."""
    return HISTORY if name == "opportunity_history" else VALID / f"{name}.csv"


def test_valid_fixture_is_kept_whole_with_outputs(tmp_path: Path) -> None:
    result = ingest(VALID, tmp_path / "out")
    assert result.out_dir == tmp_path / "out"
    assert {n: c.rows_kept for n, c in result.counts.items()} == {
        "reps": 3, "accounts": 3, "quotas": 4, "opportunities": 6, "stage_history": 12}
    assert result.warnings == [] and result.quarantine.empty
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    written = sorted([f"{t}.parquet" for t in TABLES] + [
        "settings.json", "stages.yaml", "contents.json", "quarantine.csv", "data_quality.json",
        ".salesops-ingest.json"])
    assert files == written
    marker = json.loads((tmp_path / "out" / ".salesops-ingest.json").read_text())
    assert marker == {"written_by": "salesops ingest", "files": written}
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
    result = ingest(src, tmp_path / "out", max_quarantine_share=1)
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
    out = tmp_path / "out"
    ingest(src, out)  # the last good run
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    change(src)
    mapping = src / "mapping.yaml" if (src / "mapping.yaml").exists() else None
    with pytest.raises(IngestError, match=re.escape(message)) as err:
        ingest(src, out, mapping)
    assert isinstance(err.value, ValueError)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_missing_source_folder_is_fatal(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="nowhere: source folder not found"):
        ingest(tmp_path / "nowhere", tmp_path / "out")


def test_rerun_replaces_an_earlier_output_and_an_empty_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    ingest(VALID, out)
    first = load_dataset(out).fingerprint
    (out / "opportunities.parquet").write_text("damaged")  # ingest wrote it: may be replaced
    ingest(VALID, out)
    assert load_dataset(out).fingerprint == first


def out_cases(tmp_path: Path) -> dict[str, tuple[Path, Path, str]]:
    """(source, out, expected message) for each folder ingest must not replace."""
    src = copy_valid(tmp_path)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("mine")
    ingest(src, tmp_path / "earlier")
    (tmp_path / "earlier" / "analysis.xlsx").write_text("mine")
    (tmp_path / "file.csv").write_text("a,b\n")
    return {
        "source": (src, src, f"output folder '{src}': is the source folder '{src}'; ingest "
                   "replaces its output folder as a whole, so write it elsewhere, e.g. "
                   "data/processed"),
        "inside": (src, src / "processed", f"output folder '{src / 'processed'}': is inside the "
                   f"source folder '{src}'; ingest replaces its output folder as a whole, so "
                   "write it elsewhere, e.g. data/processed"),
        "above": (src, tmp_path, f"output folder '{tmp_path}': holds the source folder "
                  f"'{src}'; ingest replaces its output folder as a whole, so write it "
                  "elsewhere, e.g. data/processed"),
        "foreign": (src, tmp_path / "notes", f"output folder '{tmp_path / 'notes'}': is not "
                    "empty and is not an earlier ingest output (no .salesops-ingest.json); "
                    "ingest replaces its output folder as a whole, so name a new or empty "
                    "folder"),
        "added": (src, tmp_path / "earlier", f"output folder '{tmp_path / 'earlier'}': holds "
                  "'analysis.xlsx', which ingest did not write; move it out first (ingest "
                  "replaces its output folder as a whole)"),
        "file": (src, tmp_path / "file.csv", f"output folder '{tmp_path / 'file.csv'}': is a "
                 "file, not a folder"),
    }


@pytest.mark.parametrize("case", ["source", "inside", "above", "foreign", "added", "file"])
def test_out_is_never_a_folder_ingest_did_not_write(tmp_path: Path, case: str) -> None:
    src, out, message = out_cases(tmp_path)[case]
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(IngestError) as err:
        ingest(src, out)
    assert str(err.value) == message
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_out_is_never_the_current_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for out in (".", ".."):
        with pytest.raises(IngestError) as err:
            ingest(VALID, out)
        assert str(err.value) == (f"output folder '{out}': is the current folder (or holds it), "
                                  "which ingest would replace as a whole; name a folder of its "
                                  "own, e.g. data/processed")
    assert list(tmp_path.iterdir()) == []


def test_a_table_losing_most_rows_writes_only_the_quarantine(tmp_path: Path) -> None:
    # 4 of the 6 deals have a close date in another format: 67% quarantined, above 50%.
    src = copy_valid(tmp_path)
    opps = pd.read_csv(src / "opportunities.csv", dtype=str, keep_default_na=False)
    opps.loc[:3, "close_date"] = ["03/20/2024", "06/15/2024", "02/28/2024", "05/30/2024"]
    opps.to_csv(src / "opportunities.csv", index=False)
    out = tmp_path / "out"
    ingest(VALID, out)  # an earlier good run, replaced so no report runs on stale data
    with pytest.raises(TooManyQuarantined) as err:
        ingest(src, out)
    assert str(err.value) == (
        "opportunities.csv: 4 of 6 rows of table opportunities quarantined (67%; main reasons: "
        "bad_date 4)\n"
        "stage_history.csv: 8 of 12 rows of table stage_history quarantined (67%; main "
        "reasons: reference_quarantined 8)\n"
        "more than 50% of a table's rows were quarantined, so no dataset was written: see "
        f"quarantine.csv and data_quality.json in {out} (fix the export or the mapping, or "
        "allow more with --max-quarantine-share)")
    assert sorted(p.name for p in out.iterdir()) == [
        ".salesops-ingest.json", "data_quality.json", "quarantine.csv"]
    assert pd.read_csv(out / "quarantine.csv")["line"].tolist()[:4] == [2, 3, 4, 5]
    with pytest.raises(FileNotFoundError):
        load_dataset(out)
    # The hint names the column, the expected format and the rejected values' shape.
    assert err.value.result.warnings == [
        "opportunities.csv: table opportunities: 4 of 6 dates in close_date do not match "
        "YYYY-MM-DD (rejected values look like 'NN/NN/NNNN', N = digit, A = letter); "
        "'%m/%d/%Y' reads them all: set tables.opportunities.date_formats.close_date in the "
        "mapping"]
    result = ingest(src, out, max_quarantine_share=0.8)  # a higher threshold lets it through
    assert result.counts["opportunities"].rows_kept == 2
    assert load_dataset(out).opportunities["opportunity_id"].tolist() == ["O5", "O6"]


def test_excel_and_parquet_sources_give_the_same_dataset(tmp_path: Path) -> None:
    src = tmp_path / "mixed"
    src.mkdir()
    for name in CRM_TABLES:
        df = pd.read_csv(export_file(name), dtype=str, keep_default_na=False)
        if name in ("reps", "opportunities"):
            df.to_excel(src / f"{name}.xlsx", index=False)
        elif name == "quotas":  # typed Parquet: real dates and numbers
            df.astype({"period_start": "datetime64[ns]", "period_end": "datetime64[ns]",
                       "quota_amount": "float64"}).to_parquet(src / f"{name}.parquet")
        else:
            df.to_parquet(src / f"{name}.parquet")
    got = load_dataset(ingest(src, tmp_path / "a").out_dir)
    want = load_dataset(ingest(copy_valid(tmp_path, history=True), tmp_path / "b").out_dir)
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
FRAMES = {n: pd.read_csv(export_file(n), dtype=str, keep_default_na=False) for n in CRM_TABLES}
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
        result = ingest(src, Path(tmp) / "out", max_quarantine_share=1)
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
        kept_deals = set(out.opportunities["opportunity_id"])
        assert set(out.stage_history["opportunity_id"]) <= kept_deals
        assert set(out.opportunity_history["opportunity_id"]) <= kept_deals


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


def test_nul_and_bidirectional_controls_are_counted_in_a_warning(tmp_path: Path) -> None:
    src = copy_valid(tmp_path)
    text = (src / "accounts.csv").read_text().replace("Acme Corp", "Acme\u202e Corp\x00")
    (src / "accounts.csv").write_text(text)
    result = ingest(src, tmp_path / "out")
    assert result.warnings == [
        "accounts.csv: removed 2 NUL or bidirectional control characters from the text"]
    assert load_dataset(result.out_dir).accounts["name"].iloc[0] == "Acme Corp"


def test_a_yaml_file_given_as_a_table_is_refused_without_echoing_it(tmp_path: Path) -> None:
    src = copy_valid(tmp_path)
    (src / "settings.yaml").write_text("db_password: hunter2\ntoken: abc123\n")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("tables: {reps: {file: settings.yaml}}\n")
    (src / "reps.csv").unlink()
    shutil.copy(src / "settings.yaml", src / "users.csv")
    mapping.write_text("tables: {reps: {file: users.csv}}\n")
    with pytest.raises(IngestError) as err:
        ingest(src, tmp_path / "out", mapping)
    assert str(err.value) == ("users.csv: does not look like a table (one column; a table needs "
                              "a header row naming at least two columns)")


# -- a SQL database as the source (PostgreSQL, see tests/data/conftest.py) -------------------

#: Column types of the fixture tables in the database: dates, timestamps and numbers typed.
PG_TYPES = {
    "reps": {"hire_date": "date", "termination_date": "date"},
    "quotas": {"period_start": "date", "period_end": "timestamp",
               "quota_amount": "numeric(14, 2)"},
    "opportunities": {"amount": "numeric(14, 2)", "created_date": "timestamptz",
                      "close_date": "date", "probability": "double precision"},
    "stage_history": {"entered_date": "date"},
}


def load_into_postgres(url: str, frames: dict[str, pd.DataFrame]) -> None:
    """Create one table per frame, typed as ``PG_TYPES`` says (text otherwise), in row order."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for name, frame in frames.items():
            types = PG_TYPES.get(name, {})
            cols = ", ".join(f'"{c}" {types.get(c, "text")}' for c in frame.columns)
            conn.execute(sa.text(f'CREATE TABLE "{name}" ({cols})'))
            values = ", ".join(f":p{i}" for i in range(len(frame.columns)))
            rows = [{f"p{i}": (None if v == "" else v) for i, v in enumerate(row)}
                    for row in frame.itertuples(index=False)]
            conn.execute(sa.text(f'INSERT INTO "{name}" VALUES ({values})'), rows)
    engine.dispose()


def test_a_postgres_database_gives_the_same_dataset_as_the_csv_files(
        tmp_path: Path, pg_url: str) -> None:
    load_into_postgres(pg_url, FRAMES)
    got = load_dataset(ingest(Database(pg_url), tmp_path / "db").out_dir)
    want = load_dataset(ingest(copy_valid(tmp_path, history=True), tmp_path / "csv").out_dir)
    for name in CRM_TABLES:
        pd.testing.assert_frame_equal(getattr(got, name), getattr(want, name))
    assert got.present == want.present and got.missing_columns == want.missing_columns
    quality = json.loads((tmp_path / "db" / "data_quality.json").read_text())
    assert quality["tables"]["opportunities"]["file"] == "opportunities"
    assert pg_url not in json.dumps(quality)


def test_a_postgres_table_is_mapped_and_bad_rows_quarantined_by_row_number(
        tmp_path: Path, pg_url: str) -> None:
    frames = {n: f.copy() for n, f in FRAMES.items()}
    deals = frames.pop("opportunities").rename(columns={"opportunity_id": "Deal ID"})
    deals["Stage"] = deals.pop("stage").replace({"Proposal": "Proposal/Price Quote"})
    deals.loc[2, "rep_id"] = "R9"  # third row of the result
    frames["crm_deals"] = deals
    load_into_postgres(pg_url, frames)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("tables:\n  opportunities:\n    file: crm_deals\n"
                       "    columns: {Deal ID: opportunity_id, Stage: stage}\n"
                       "    stage_values: {Proposal/Price Quote: Proposal}\n")
    result = ingest(Database(pg_url), tmp_path / "out", mapping)
    q = result.quarantine
    assert q.loc[q["table"] == "opportunities", ["file", "line", "check", "reason"]].values.tolist(
    ) == [["crm_deals", 3, "unknown_reference", "rep R9 not in reps"]]
    assert json.loads(q["raw"].iloc[0])["Deal ID"] == "O3"
    ds = load_dataset(result.out_dir)
    assert ds.opportunities.set_index("opportunity_id").loc["O2", "stage"] == "Proposal"
    mapping.write_text("tables: {reps: {file: crm_users}}\n")
    with pytest.raises(IngestError) as err:
        ingest(Database(pg_url, label="$CRM_DB_URL"), tmp_path / "out", mapping)
    assert str(err.value) == "crm_users: table or view not found in $CRM_DB_URL (mapped for 'reps')"


def test_quarantine_lines_after_multiline_cells_with_crlf_endings(tmp_path: Path) -> None:
    # accounts.csv, CRLF: 1 header, 2-3 A1 (name over two lines), 4 A2, 5-7 A3 (three lines),
    # 8-9 A4 (a name ending in a line break), 10 A1 again: a duplicate, quarantined at line 10.
    src = copy_valid(tmp_path)
    (src / "accounts.csv").write_bytes(
        b"account_id,name,segment,industry,region\r\n"
        b'A1,"Acme\r\nCorp",Enterprise,Manufacturing,NA\r\n'
        b"A2,Globex,Mid-Market,Software,EMEA\r\n"
        b'A3,"Initech\r\n\r\nLLC",SMB,Software,NA\r\n'
        b'A4,"Umbrella\r\n",SMB,Software,NA\r\n'
        b"A1,Acme again,SMB,Software,NA\r\n")
    result = ingest(src, tmp_path / "out")
    assert result.quarantine[["table", "line", "reason"]].values.tolist() == [
        ["accounts", 10, "duplicate account_id A1 (first at line 2)"]]
    names = load_dataset(result.out_dir).accounts["name"].tolist()
    assert names == ["Acme\r\nCorp", "Globex", "Initech\r\n\r\nLLC", "Umbrella"]


def test_nullable_columns_absent_from_the_source_are_recorded_as_missing(tmp_path: Path) -> None:
    src = tmp_path / "nocalls"
    src.mkdir()
    opps = pd.read_csv(VALID / "opportunities.csv", dtype=str, keep_default_na=False)
    opps.drop(columns=["probability", "forecast_category"]).to_csv(src / "opportunities.csv",
                                                                  index=False)
    ds = load_dataset(ingest(src, tmp_path / "out").out_dir)
    assert not ds.has("opportunities", "probability")
    assert not ds.has("opportunities", "forecast_category")
    assert ds.has("opportunities", "amount")


# -- opportunity history: derived stage history, nightly snapshots ------------------------

def test_history_without_stage_history_derives_it(tmp_path: Path) -> None:
    src = copy_valid(tmp_path, history=True)
    (src / "stage_history.csv").unlink()
    result = ingest(src, tmp_path / "out")
    ds = load_dataset(result.out_dir)
    # 8 history rows, all kept; stages change O1 x3, O2 x2, O4 x1, O5 x2 = 8 stage rows.
    assert result.counts["opportunity_history"].rows_kept == 8
    assert "stage_history" not in result.counts
    assert ds.derived == {"stage_history": "derived from the opportunity history"}
    assert ds.stage_history.loc[ds.stage_history["opportunity_id"] == "O5"].values.tolist() == [
        ["O5", "Prospecting", pd.Timestamp("2024-02-15")],
        ["O5", "Negotiation", pd.Timestamp("2024-04-01")]]  # 09:15 that day: the day only
    assert len(ds.stage_history) == 8
    # The time of day stays in the history itself.
    assert ds.opportunity_history["changed_at"].iloc[1] == pd.Timestamp("2024-02-10 14:30")


def test_an_export_without_history_has_none(tmp_path: Path) -> None:
    ds = load_dataset(ingest(VALID, tmp_path / "out").out_dir)
    assert "opportunity_history" not in ds.present and ds.opportunity_history.empty
    assert list(ds.opportunity_history.columns) == TABLES["opportunity_history"].column_names


def test_history_built_from_nightly_snapshots_is_validated_like_a_source_table(
        tmp_path: Path) -> None:
    from salesops.data.snapshots import append_snapshot

    first = load_dataset(ingest(VALID, tmp_path / "first").out_dir)
    store = tmp_path / "snapshots"
    append_snapshot(first, store, pd.Timestamp("2024-03-05"))
    later = first.opportunities.copy()
    later.loc[later["opportunity_id"] == "O2", "amount"] = 35000.0
    append_snapshot(replace(first, opportunities=later), store, pd.Timestamp("2024-03-06"))
    # O4 disappears from the source (deleted in the CRM): its snapshot rows become orphans.
    src = copy_valid(tmp_path)
    opps = pd.read_csv(src / "opportunities.csv", dtype=str, keep_default_na=False)
    opps[opps["opportunity_id"] != "O4"].to_csv(src / "opportunities.csv", index=False)
    result = ingest(src, tmp_path / "out", snapshots=store, max_quarantine_share=1)
    ds = load_dataset(result.out_dir)
    # Open on 2024-03-05: O1 (won 03-20), O2, O4, O5 (one row each, every field); on 03-06
    # only O2's amount changed (one row): 5 rows in, O4's quarantined, 4 kept.
    c = result.counts["opportunity_history"]
    assert (c.file, c.rows_in, c.rows_kept, c.rows_quarantined) == (
        "snapshots (nightly snapshots)", 5, 4, 1)
    q = result.quarantine
    assert q.loc[q["table"] == "opportunity_history", ["check", "reason"]].values.tolist(
    ) == [["unknown_reference", "opportunity O4 not in opportunities"]]
    h = ds.opportunity_history
    assert h[["opportunity_id", "changed_at"]].values.tolist() == [
        ["O1", pd.Timestamp("2024-03-05")], ["O2", pd.Timestamp("2024-03-05")],
        ["O2", pd.Timestamp("2024-03-06")], ["O5", pd.Timestamp("2024-03-05")]]
    assert h["amount"].tolist()[1:3] == [30000, 35000] and pd.isna(h["stage"].iloc[2])
    assert ds.derived["opportunity_history"] == "built from the nightly snapshots in snapshots"
    assert "stage_history" not in ds.derived  # the source has its own


def test_a_source_history_wins_over_the_snapshots(tmp_path: Path) -> None:
    result = ingest(copy_valid(tmp_path, history=True), tmp_path / "out",
                    snapshots=tmp_path / "never-read")
    assert result.counts["opportunity_history"].file == "opportunity_history.csv"
