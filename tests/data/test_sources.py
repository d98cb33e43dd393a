"""Reading raw files: everything as text, line numbers as in the file, clear fatal errors."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from salesops.data.sources import IngestError, locate, read_table

FIXTURES = Path(__file__).parent / "fixtures"


def test_csv_values_are_text_stripped_and_na_is_not_missing() -> None:
    raw = read_table(FIXTURES / "bad" / "accounts_messy.csv", "accounts")
    assert list(raw.frame.columns) == ["account_id", "name", "segment", "industry", "region"]
    assert raw.frame["name"].tolist() == ["Acme Corp", "Globex\nHoldings", "Initech"]
    assert raw.frame["region"].tolist() == ["NA", "EMEA", "NA"]  # North America, not null
    assert raw.frame["industry"].isna().tolist() == [False, False, True]


def test_csv_line_numbers_count_header_blank_lines_and_multiline_values() -> None:
    # Line 1 header, 2 A1, 3 blank, 4-5 A2 (quoted value over two lines), 6 ",,,,", 7 A3.
    raw = read_table(FIXTURES / "bad" / "accounts_messy.csv", "accounts")
    assert raw.lines.tolist() == [2, 4, 7]
    assert raw.blank_rows == 2
    assert raw.file == "accounts_messy.csv"


def test_excel_is_read_as_text_with_sheet_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "accounts.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"x": [1]}).to_excel(xl, sheet_name="Notes", index=False)
        pd.DataFrame({"account_id": ["A1", "A2"], "founded": pd.to_datetime(
            ["2020-01-31", "2021-06-01"]), "employees": [10, 250]}).to_excel(
            xl, sheet_name="Accounts", index=False)
    raw = read_table(path, "accounts", sheet="Accounts")
    assert raw.frame["account_id"].tolist() == ["A1", "A2"]
    assert raw.frame["employees"].tolist() == ["10", "250"]
    assert pd.to_datetime(raw.frame["founded"], format="ISO8601").tolist() == [
        pd.Timestamp("2020-01-31"), pd.Timestamp("2021-06-01")]
    assert raw.lines.tolist() == [2, 3]
    with pytest.raises(IngestError, match=re.escape(  # the first sheet is a one-column note
            "accounts.xlsx: does not look like a table (one column; a table needs a header row "
            "naming at least two columns)")):
        read_table(path, "accounts")


def test_parquet_typed_columns_become_text_keeping_nulls(tmp_path: Path) -> None:
    path = tmp_path / "quotas.parquet"
    pd.DataFrame({"rep_id": ["R1", None], "quota_amount": [100.5, None],
                  "period_start": pd.to_datetime(["2024-01-01", "2024-04-01"])}).to_parquet(path)
    raw = read_table(path, "quotas")
    assert raw.frame["quota_amount"].tolist()[0] == "100.5"
    assert raw.frame["period_start"].tolist() == ["2024-01-01", "2024-04-01"]
    assert raw.frame[["rep_id", "quota_amount"]].isna().values.tolist() == [
        [False, False], [True, True]]
    assert raw.lines.tolist() == [1, 2]  # Parquet: 1-based record number


@pytest.mark.parametrize(("file", "message"), [
    ("corrupt.xlsx", "corrupt.xlsx: cannot read file"),
    ("accounts_latin1.csv", "accounts_latin1.csv: not valid utf-8-sig text; re-save as UTF-8 or "
                            "set `encoding:`"),
    ("accounts_dup_header.csv", "accounts_dup_header.csv: column 'name' appears more than once"),
])
def test_unreadable_files_are_fatal_and_named(file: str, message: str) -> None:
    with pytest.raises(IngestError, match=re.escape(message)):
        read_table(FIXTURES / "bad" / file, "accounts")


def test_other_encodings_can_be_named() -> None:
    raw = read_table(FIXTURES / "bad" / "accounts_latin1.csv", "accounts", encoding="latin-1")
    assert raw.frame["name"].iloc[0] == "Café Lumère"


def test_empty_and_unsupported_files_are_fatal(tmp_path: Path) -> None:
    (tmp_path / "reps.csv").write_text("")
    with pytest.raises(IngestError, match=re.escape("reps.csv: cannot read file")):
        read_table(tmp_path / "reps.csv", "reps")
    (tmp_path / "reps.json").write_text("{}")
    with pytest.raises(IngestError, match="reps.json: unsupported file type"):
        read_table(tmp_path / "reps.json", "reps")


def test_locate_by_stem_mapped_name_and_ambiguity(tmp_path: Path) -> None:
    assert locate(tmp_path, "reps") is None
    shutil.copy(FIXTURES / "valid" / "reps.csv", tmp_path / "reps.csv")
    assert locate(tmp_path, "reps") == tmp_path / "reps.csv"
    with pytest.raises(IngestError, match=re.escape("Users.csv: file not found")):
        locate(tmp_path, "reps", "Users.csv")
    pd.read_csv(tmp_path / "reps.csv").to_parquet(tmp_path / "reps.parquet")
    with pytest.raises(IngestError, match=re.escape(
            "reps.csv, reps.parquet: several files for table 'reps'")):
        locate(tmp_path, "reps")
