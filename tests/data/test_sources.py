"""Reading raw files: everything as text, line numbers as in the file, clear fatal errors."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from salesops.data.sources import (
    Database,
    IngestError,
    as_text,
    locate,
    read_database,
    read_table,
    scrub,
)

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


def test_line_numbers_survive_multiline_cells_and_crlf_endings(tmp_path: Path) -> None:
    # Line 1-2 header (a quoted header over two lines), 3 A1, 4-6 A2 (three lines, one blank),
    # 7-8 A3 (value ending in a line break), 9 A4, 10-11 A5. CRLF line endings throughout.
    text = ('account_id,"name\r\n(legal)",region\r\n'
            'A1,Acme,NA\r\n'
            'A2,"Globex\r\n\r\nHoldings",EMEA\r\n'
            'A3,"Initech\r\n",NA\r\n'
            'A4,Umbrella,NA\r\n'
            'A5,"Stark\r\nIndustries",EMEA\r\n')
    (tmp_path / "accounts.csv").write_bytes(text.encode())
    raw = read_table(tmp_path / "accounts.csv", "accounts")
    assert raw.lines.tolist() == [3, 4, 7, 9, 10]
    assert raw.frame["name\r\n(legal)"].tolist()[2] == "Initech"


def test_nul_and_bidirectional_controls_are_removed_and_counted(tmp_path: Path) -> None:
    (tmp_path / "accounts.csv").write_text(
        "account_id,na\u202eme\nA1,Ac\x00me\nA2,\u2066Globex\u2069 \u202aCo\u202c\n",
        encoding="utf-8")
    raw = read_table(tmp_path / "accounts.csv", "accounts")
    assert list(raw.frame.columns) == ["account_id", "name"]
    assert raw.frame["name"].tolist() == ["Acme", "Globex Co"]
    assert raw.removed_chars == 6


@pytest.mark.parametrize(("content", "encoding", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR,secret-token\n", "latin-1",
     "opportunities.csv: does not look like a table (it holds control characters that text "
     "never does: a binary file renamed .csv?)"),
    (b"id,n\x85ame\nsecret,1\n", "latin-1",
     "opportunities.csv: does not look like a table (its first line holds unprintable "
     "characters: a binary file, or the wrong `encoding:`)"),
    (b"tables:\n  opportunities:\n    password: hunter2\n", "utf-8-sig",
     "opportunities.csv: does not look like a table (one column; a table needs a header row "
     "naming at least two columns)"),
    (b"rates: {EUR: 1.08, GBP: hunter2}\ntables:\n  reps: {}\nsecret: hunter2\n", "utf-8-sig",
     "opportunities.csv: does not look like a table (most rows fill at most one of its 2 "
     "columns)"),
    (b"opportunity_id;rep_id;amount\nO1;hunter2;10\n", "utf-8-sig",
     "opportunities.csv: does not look like a table (one column; a table needs a header row "
     "naming at least two columns); its first line contains ';': set `delimiter: ';'` in the "
     "mapping"),
])
def test_files_that_are_not_tables_are_refused_without_echoing_content(
    tmp_path: Path, content: bytes, encoding: str, message: str
) -> None:
    (tmp_path / "opportunities.csv").write_bytes(content)
    with pytest.raises(IngestError) as err:
        read_table(tmp_path / "opportunities.csv", "opportunities", encoding=encoding)
    assert str(err.value) == message
    assert "hunter2" not in str(err.value) and "secret" not in str(err.value)


def test_reader_errors_do_not_echo_quoted_content(tmp_path: Path) -> None:
    (tmp_path / "reps.csv").write_text('a,b\n1,2\n"hunter2",3,4,5\n')
    with pytest.raises(IngestError) as err:
        read_table(tmp_path / "reps.csv", "reps")
    assert str(err.value) == ("reps.csv: cannot read file (Error tokenizing data. C error: "
                              "Expected 2 fields in line 3, saw 4)")


# -- SQL databases ---------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "text"), [
    (None, None), ("x", "x"), (True, "true"), (False, "false"), (7, "7"),
    (Decimal("50000.00"), "50000.00"), (Decimal("1E+3"), "1000"),
    (Decimal("0.000001"), "0.000001"), (0.1, "0.1"), (1e20, "100000000000000000000"),
    (1.0, "1"), (dt.date(2024, 3, 31), "2024-03-31"),
    (dt.datetime(2024, 3, 31, 23, 30), "2024-03-31 23:30:00"),
    (dt.datetime(2024, 3, 31, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
     "2024-03-31 23:30:00-05:00"),
])
def test_database_values_arrive_as_the_text_an_export_holds(value, text) -> None:
    got = as_text(value)
    assert (pd.isna(got) and text is None) or got == text


def test_scrub_hides_the_url_and_its_parts() -> None:
    url = "postgresql+psycopg://bob:s%40cret99@db.example.com:5432/crm"
    message = ('connection to server at "db.example.com" failed: password authentication '
               f'failed for user "bob" (s@cret99) via {url}')
    assert scrub(message, url) == ('connection to server at "***" failed: password '
                                   'authentication failed for user "***" (***) via ***')


def test_database_tables_are_read_as_text_with_row_numbers(pg_url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "CREATE TABLE quotas (rep_id text, period_start date, period_end timestamptz, "
            "quota_amount numeric(14, 2), ramp double precision, active boolean)"))
        conn.execute(sa.text(
            "INSERT INTO quotas VALUES ('R1', '2024-01-01', '2024-01-31 23:30:00-05', "
            "100000.50, 0.1, true), (' R2 ', NULL, NULL, NULL, NULL, NULL), "
            "(NULL, NULL, NULL, NULL, NULL, NULL)"))
    engine.dispose()
    url = sa.make_url(pg_url)
    options = url.query["options"] + " -ctimezone=America/New_York"
    eastern = url.update_query_dict({"options": options}).render_as_string(hide_password=False)
    raws = read_database(Database(eastern), {"quotas": ("quotas", False),
                                             "reps": ("reps", False)})
    assert list(raws) == ["quotas"]  # reps: no such table, and not mapped, so absent
    raw = raws["quotas"]
    assert raw.frame.iloc[0].tolist() == ["R1", "2024-01-01", "2024-01-31 23:30:00-05:00",
                                          "100000.50", "0.1", "true"]
    assert raw.frame["rep_id"].tolist() == ["R1", "R2"]  # stripped; the all-NULL row skipped
    assert raw.lines.tolist() == [1, 2] and raw.blank_rows == 1
    assert raw.file == "quotas"


def test_database_errors_name_the_table_but_never_the_url(pg_url: str) -> None:
    db = Database(pg_url, label="$CRM_DB_URL")
    with pytest.raises(IngestError) as err:
        read_database(db, {"reps": ("crm_users", True)})
    assert str(err.value) == ("crm_users: table or view not found in $CRM_DB_URL "
                              "(mapped for 'reps')")
    secret = "postgresql+psycopg://bob:hunter2@/crm?host=/nonexistent/socket"
    with pytest.raises(IngestError) as err:
        read_database(Database(secret, label="$CRM_DB_URL"), {"reps": ("reps", False)})
    message = str(err.value)
    assert message.startswith("$CRM_DB_URL: cannot read the database (OperationalError: ")
    assert "hunter2" not in message and "bob" not in message and "nonexistent" not in message
    assert "hunter2" not in repr(Database(secret))
    with pytest.raises(IngestError) as err:
        read_database(Database("postgresql+nodriver://bob:hunter2@db/crm", label="$CRM_DB_URL"),
                      {})
    assert str(err.value) == ("$CRM_DB_URL: not a usable database URL (NoSuchModuleError: "
                              "Can't load plugin: sqlalchemy.dialects:postgresql.nodriver)")
