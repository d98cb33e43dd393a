"""The optional territories table: ingest accepts it, quarantines bad rows by file/line/column,
records its absence, and a scoped view keeps the in-scope reps' rows."""

from __future__ import annotations

import shutil
from pathlib import Path

from salesops.data.ingest import ingest
from salesops.data.requirements import Needs
from salesops.data.schema import TABLES
from salesops.data.scope import scoped_view
from salesops.data.store import load_dataset

VALID = Path(__file__).parent / "fixtures" / "valid"
NEEDS = Needs("Territory planning", tables=("territories",))


def export(tmp_path: Path, rows: str) -> Path:
    """The valid fixture export plus a territories.csv holding ``rows`` (after the header)."""
    src = tmp_path / "src"
    shutil.copytree(VALID, src)
    (src / "territories.csv").write_text("account_id,territory,rep_id\n" + rows)
    return src


def test_territories_are_ingested_typed_and_present(tmp_path: Path) -> None:
    src = export(tmp_path, "A1,East 1,R1\nA2,EMEA 1,R3\nA3,East 2,\n")
    result = ingest(src, tmp_path / "out")
    ds = load_dataset(result.out_dir)
    assert result.counts["territories"].rows_kept == 3 and result.quarantine.empty
    assert "territories" in ds.present and NEEDS.check(ds).ok
    assert list(ds.territories.columns) == TABLES["territories"].column_names
    assert ds.territories.values.tolist()[:2] == [["A1", "East 1", "R1"], ["A2", "EMEA 1", "R3"]]
    assert ds.territories["rep_id"].isna().tolist() == [False, False, True]  # no rep yet


def test_bad_territory_rows_are_quarantined_with_line_and_column(tmp_path: Path) -> None:
    src = export(tmp_path, "A1,East 1,R1\nA9,East 1,R1\nA2,EMEA 1,R99\nA1,East 2,R1\nA3,,R1\n")
    result = ingest(src, tmp_path / "out", max_quarantine_share=1.0)
    q = result.quarantine
    got = q.loc[q["table"] == "territories", ["file", "line", "column", "check"]].values.tolist()
    # Line 1 is the header: A9 is line 3, R99 line 4, the repeated A1 line 5, no territory line 6.
    assert got == [["territories.csv", 3, "account_id", "unknown_reference"],
                   ["territories.csv", 4, "rep_id", "unknown_reference"],
                   ["territories.csv", 5, "account_id", "duplicate_key"],
                   ["territories.csv", 6, "territory", "missing_value"]]
    assert result.counts["territories"].rows_kept == 1


def test_an_export_without_territories_says_so(tmp_path: Path) -> None:
    ds = load_dataset(ingest(VALID, tmp_path / "out").out_dir)
    assert "territories" not in ds.present and ds.territories.empty
    assert list(ds.territories.columns) == TABLES["territories"].column_names
    assert NEEDS.check(ds).reason == (
        "Territory planning cannot be shown: the data has no territories table; a territories "
        "table (territories.csv: account_id, territory, rep_id) would enable it.")


def test_a_scoped_view_keeps_the_in_scope_reps_territories(tmp_path: Path) -> None:
    src = export(tmp_path, "A1,East 1,R1\nA2,EMEA 1,R3\nA3,East 2,\n")
    ds = load_dataset(ingest(src, tmp_path / "out").out_dir)
    emea = scoped_view(ds, "2024-12-31", "region=EMEA")  # R3 is the one EMEA rep
    assert emea.territories.values.tolist() == [["A2", "EMEA 1", "R3"]]
    assert len(scoped_view(ds, "2024-12-31").territories) == 3
