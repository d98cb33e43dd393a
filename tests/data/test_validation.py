"""Row-level validation: each bad value is quarantined with its check, reason and source line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from salesops.data.ingest import ingest
from salesops.data.schema import OPPORTUNITIES, QUOTAS
from salesops.data.stages import load_catalogue
from salesops.data.store import load_dataset
from salesops.data.validation import CHECKS, Keys, date_hint, local_dates, validate_table

VALID = Path(__file__).parent / "fixtures" / "valid"


def source_with(tmp_path: Path, edits: list[tuple[str, int, str, str]]) -> Path:
    """Copy the valid fixture, then set (table, data row index, column) to a value."""
    src = tmp_path / "src"
    shutil.copytree(VALID, src)
    for table, row, column, value in edits:
        path = src / f"{table}.csv"
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        df.loc[row, column] = value
        df.to_csv(path, index=False)
    return src


# (table, row index, column, new value, check, reason). Line in file = row index + 2.
BAD_VALUES = [
    ("opportunities", 0, "close_date", "2024-13-45", "bad_date",
     "unparseable date '2024-13-45' in close_date (expected YYYY-MM-DD)"),
    ("opportunities", 1, "amount", "-10", "negative_amount", "negative amount -10"),
    ("reps", 1, "hire_date", "0024-01-01", "bad_date",
     "date '0024-01-01' in hire_date is outside 1900-2200"),
    ("opportunities", 1, "amount", "ten", "bad_number", "non-numeric amount 'ten'"),
    ("opportunities", 1, "amount", "nan", "bad_number", "non-numeric amount 'nan'"),
    ("opportunities", 2, "created_date", "", "missing_value", "missing value in created_date"),
    ("opportunities", 3, "opportunity_id", "O1", "duplicate_key",
     "duplicate opportunity_id O1 (first at line 2)"),
    ("opportunities", 1, "stage", "Demo", "unknown_stage",
     "unknown stage 'Demo' (not in the stage catalogue and not mapped)"),
    ("opportunities", 1, "status", "won", "status_mismatch",
     "status won inconsistent with stage Proposal (open)"),
    ("opportunities", 1, "status", "maybe", "invalid_value",
     "status 'maybe' is not one of open, won, lost"),
    ("opportunities", 1, "forecast_category", "gut feel", "invalid_value",
     "forecast_category 'gut feel' is not one of pipeline, best_case, commit, omitted, closed"),
    ("opportunities", 1, "close_date", "2024-01-31", "close_before_created",
     "close_date 2024-01-31 before created_date 2024-02-01"),
    ("opportunities", 1, "rep_id", "R9", "unknown_reference", "rep R9 not in reps"),
    ("opportunities", 1, "account_id", "A9", "unknown_reference", "account A9 not in accounts"),
    ("opportunities", 1, "probability", "1.5", "probability_out_of_range",
     "probability 1.5 outside 0-1"),
    ("opportunities", 1, "probability", "-0.1", "probability_out_of_range",
     "probability -0.1 outside 0-1"),
    ("quotas", 0, "rep_id", "R9", "unknown_reference", "rep R9 not in reps"),
    ("quotas", 0, "period_end", "2023-12-31", "period_end_before_start",
     "period_end 2023-12-31 before period_start 2024-01-01"),
    ("quotas", 0, "quota_amount", "-1", "negative_amount", "negative quota_amount -1"),
    ("quotas", 1, "period_start", "2024-01-01", "duplicate_key",
     "duplicate rep_id/period_start R1/2024-01-01 (first at line 2)"),
    ("stage_history", 0, "opportunity_id", "O9", "unknown_reference",
     "opportunity O9 not in opportunities"),
    ("stage_history", 0, "stage", "Demo", "unknown_stage",
     "unknown stage 'Demo' (not in the stage catalogue and not mapped)"),
    ("stage_history", 0, "entered_date", "yesterday", "bad_date",
     "unparseable date 'yesterday' in entered_date (expected YYYY-MM-DD)"),
    ("accounts", 2, "account_id", "A1", "duplicate_key",
     "duplicate account_id A1 (first at line 2)"),
    ("quotas", 0, "quota_amount", "", "missing_value", "missing value in quota_amount"),
    # R1's second quota (line 3) now starts within the first one (line 2, ending 2024-03-31).
    ("quotas", 1, "period_start", "2024-03-01", "overlapping_period",
     "period 2024-03-01 to 2024-06-30 of rep R1 overlaps the one ending 2024-03-31 (line 2)"),
    # O1 was created 2024-01-05 and won 2024-03-20.
    ("stage_history", 0, "entered_date", "2024-01-01", "stage_before_created",
     "stage Prospecting entered 2024-01-01 before opportunity O1 was created (2024-01-05)"),
    ("stage_history", 1, "entered_date", "2024-04-01", "stage_after_close",
     "stage Proposal entered 2024-04-01 after opportunity O1 closed (2024-03-20)"),
    ("opportunities", 1, "amount", "2e12", "amount_above_limit",
     "amount 2e12 above the limit of 1,000,000,000,000"),
    ("quotas", 0, "quota_amount", "1000000000000.01", "amount_above_limit",
     "quota_amount 1000000000000.01 above the limit of 1,000,000,000,000"),
]


@pytest.mark.parametrize(("table", "row", "column", "value", "check", "reason"), BAD_VALUES)
def test_bad_value_is_quarantined_with_reason_and_line(
    tmp_path: Path, table: str, row: int, column: str, value: str, check: str, reason: str
) -> None:
    result = ingest(source_with(tmp_path, [(table, row, column, value)]), tmp_path / "out")
    q = result.quarantine
    first = q[q["table"] == table].iloc[0]
    assert (first["line"], first["check"], first["reason"]) == (row + 2, check, reason)
    assert column in first["column"].split("/")  # a duplicate names every key column
    assert check in CHECKS
    assert result.counts[table].reasons[check] == 1
    kept = pd.read_parquet(tmp_path / "out" / f"{table}.parquet")
    assert len(kept) == result.counts[table].rows_in - 1


def test_quarantined_rep_cascades_to_quotas_deals_and_history(tmp_path: Path) -> None:
    # R3 (reps line 4) leaves before being hired: R3's quota (quotas line 5) and deal O4
    # (opportunities line 5) go too, and so does O4's single stage_history row (line 9).
    src = source_with(tmp_path, [("reps", 2, "termination_date", "2023-01-01")])
    q = ingest(src, tmp_path / "out").quarantine
    got = list(q[["table", "line", "check", "reason"]].itertuples(index=False, name=None))
    assert got == [
        ("reps", 4, "termination_before_hire",
         "termination_date 2023-01-01 before hire_date 2023-02-15"),
        ("quotas", 5, "reference_quarantined", "rep R3 quarantined"),
        ("opportunities", 5, "reference_quarantined", "rep R3 quarantined"),
        ("stage_history", 9, "reference_quarantined", "opportunity O4 quarantined"),
    ]


def test_row_with_several_problems_is_one_quarantined_row_with_each_reason(
    tmp_path: Path,
) -> None:
    src = source_with(tmp_path, [("opportunities", 0, "amount", "-5"),
                                 ("opportunities", 0, "stage", "Demo")])
    result = ingest(src, tmp_path / "out")
    assert result.counts["opportunities"].rows_quarantined == 1
    assert result.counts["opportunities"].reasons == {"negative_amount": 1, "unknown_stage": 1}
    q = result.quarantine
    assert set(q.loc[q["table"] == "opportunities", "line"]) == {2}


def test_raw_values_are_kept_as_json_of_the_source_row(tmp_path: Path) -> None:
    src = source_with(tmp_path, [("accounts", 1, "account_id", "")])
    row = ingest(src, tmp_path / "out").quarantine.iloc[0]
    assert row["raw"] == ('{"account_id":null,"name":"Globex","segment":"Mid-Market",'
                          '"industry":"Software","region":"EMEA"}')


def test_status_is_derived_from_stage_when_the_column_is_absent() -> None:
    frame = pd.DataFrame({
        "opportunity_id": ["O1", "O2"], "rep_id": ["R1", "R1"], "account_id": ["A1", "A1"],
        "product": ["Core", "Core"], "amount": ["10", "20"],
        "created_date": ["2024-01-01", "2024-01-01"], "close_date": ["2024-02-01", "2024-02-01"],
        "stage": ["Closed Lost", "Proposal"],
    }, dtype="str")
    lines = pd.Series([2, 3])
    res = validate_table(OPPORTUNITIES, frame, lines, "opps.csv", load_catalogue())
    assert res.problems.empty
    assert res.kept["status"].tolist() == ["lost", "open"]
    assert res.kept["probability"].isna().all()  # nullable columns may be absent


def test_probability_percentages_are_detected_and_scaled() -> None:
    # Non-zero values 40, 70, 100 are all > 1, so the column is read as percent:
    # 40 -> 0.40, 70 -> 0.70, 100 -> 1.0, 0 -> 0.0; 150 is outside 0-100 and quarantined.
    frame = pd.DataFrame({
        "opportunity_id": [f"O{i}" for i in range(5)], "rep_id": "R1", "account_id": "A1",
        "product": "Core", "amount": "10", "created_date": "2024-01-01",
        "close_date": "2024-02-01", "stage": "Proposal",
        "probability": ["40", "70", "100", "0", "150"],
    }, dtype="str")
    res = validate_table(OPPORTUNITIES, frame, pd.Series(range(2, 7)), "o.csv",
                         load_catalogue())
    assert res.kept["probability"].tolist() == [0.4, 0.7, 1.0, 0.0]
    assert res.problems["reason"].tolist() == ["probability 150 outside 0-100"]
    assert any("percentages" in w for w in res.warnings)


def test_fractions_with_one_typo_stay_fractions() -> None:
    # Non-zero values 0.4, 0.7, 0.5, 5: only 1 of 4 above 1, so the column is 0-1 and 5 is bad.
    frame = pd.DataFrame({
        "opportunity_id": [f"O{i}" for i in range(4)], "rep_id": "R1", "account_id": "A1",
        "product": "Core", "amount": "10", "created_date": "2024-01-01",
        "close_date": "2024-02-01", "stage": "Proposal",
        "probability": ["0.4", "0.7", "0.5", "5"],
    }, dtype="str")
    res = validate_table(OPPORTUNITIES, frame, pd.Series(range(2, 6)), "o.csv",
                         load_catalogue())
    assert res.kept["probability"].tolist() == [0.4, 0.7, 0.5]
    assert res.problems["check"].tolist() == ["probability_out_of_range"]


def test_foreign_keys_distinguish_unknown_from_quarantined() -> None:
    frame = pd.DataFrame({
        "opportunity_id": ["O1", "O2", "O3"], "rep_id": ["R1", "R2", "R3"],
        "account_id": "A1", "product": "Core", "amount": "10", "created_date": "2024-01-01",
        "close_date": "2024-02-01", "stage": "Proposal", "status": "open",
    }, dtype="str")
    parents = {"reps": Keys(read=pd.Index(["R1", "R2"]), kept=pd.Index(["R1"])),
               "accounts": Keys(read=pd.Index(["A1"]), kept=pd.Index(["A1"]))}
    res = validate_table(OPPORTUNITIES, frame, pd.Series([2, 3, 4]), "o.csv", load_catalogue(),
                         parents=parents)
    assert res.problems[["row", "reason"]].values.tolist() == [
        [2, "rep R3 not in reps"], [1, "rep R2 quarantined"]]
    assert res.kept["opportunity_id"].tolist() == ["O1"]


def test_date_format_from_mapping_is_used() -> None:
    frame = pd.DataFrame({
        "opportunity_id": ["O1", "O2"], "rep_id": "R1", "account_id": "A1", "product": "Core",
        "amount": "10", "created_date": ["01/31/2024", "31/01/2024"],
        "close_date": "02/15/2024", "stage": "Proposal",
    }, dtype="str")
    fmts = {"created_date": "%m/%d/%Y", "close_date": "%m/%d/%Y"}
    res = validate_table(OPPORTUNITIES, frame, pd.Series([2, 3]), "o.csv", load_catalogue(),
                         date_formats=fmts)
    assert res.kept["created_date"].tolist() == [pd.Timestamp("2024-01-31")]
    assert res.problems["reason"].tolist() == [
        "unparseable date '31/01/2024' in created_date (expected %m/%d/%Y)"]


def test_every_check_code_is_documented() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "ingesting-your-crm.md").read_text()
    assert [c for c in CHECKS if f"| `{c}` |" not in doc] == []


def test_a_later_quota_overlapping_several_earlier_ones_names_the_latest_ending() -> None:
    # R1: Jan-Jun (line 2), Feb-Mar (line 3, inside the first), May-Jul (line 4: overlaps line 2,
    # whose end 2024-06-30 is the latest so far), Jul 15-Sep (line 5: starts inside line 4).
    # R2's period overlaps nothing of R1's.
    frame = pd.DataFrame({
        "rep_id": ["R1", "R1", "R1", "R1", "R2"],
        "period_start": ["2024-01-01", "2024-02-01", "2024-05-01", "2024-07-15", "2024-02-01"],
        "period_end": ["2024-06-30", "2024-03-31", "2024-07-31", "2024-09-30", "2024-03-31"],
        "quota_amount": "100",
    }, dtype="str")
    res = validate_table(QUOTAS, frame, pd.Series(range(2, 7)), "q.csv", load_catalogue())
    assert res.problems["reason"].tolist() == [
        "period 2024-02-01 to 2024-03-31 of rep R1 overlaps the one ending 2024-06-30 (line 2)",
        "period 2024-05-01 to 2024-07-31 of rep R1 overlaps the one ending 2024-06-30 (line 2)",
        "period 2024-07-15 to 2024-09-30 of rep R1 overlaps the one ending 2024-07-31 (line 4)",
    ]
    assert res.kept.index.tolist() == [0, 4]


def test_stage_after_close_applies_to_closed_deals_only(tmp_path: Path) -> None:
    # O2 is open with an expected close of 2024-06-15: a later stage change is a slip, not an
    # error. O3 was lost on 2024-02-28: its Qualification row moved to 2024-03-01 is
    # quarantined (line 7); its Closed Lost row moved to 2024-03-02 is kept, as Salesforce
    # writes when a close is backdated or the lost deal is edited after the close.
    src = source_with(tmp_path, [("stage_history", 4, "entered_date", "2024-07-01"),
                                 ("stage_history", 5, "entered_date", "2024-03-01"),
                                 ("stage_history", 6, "entered_date", "2024-03-02")])
    result = ingest(src, tmp_path / "out")
    assert result.quarantine[["line", "check", "reason"]].values.tolist() == [
        [7, "stage_after_close",
         "stage Qualification entered 2024-03-01 after opportunity O3 closed (2024-02-28)"]]
    assert result.counts["stage_history"].rows_kept == 12 - 1


def test_amount_limit_is_configurable(tmp_path: Path) -> None:
    # Limit 60,000: O2 (set to 60,001) goes, O1 (50,000) stays; quotas of 100,000, 120,000 and
    # 90,000 go, the one of 50,000 stays.
    src = source_with(tmp_path, [("opportunities", 1, "amount", "60001")])
    result = ingest(src, tmp_path / "out", max_amount=60000, max_quarantine_share=1)
    q = result.quarantine
    assert q.loc[q["table"] == "opportunities", "reason"].tolist() == [
        "amount 60001 above the limit of 60,000"]
    assert result.counts["quotas"].reasons == {"amount_above_limit": 3}


@pytest.mark.parametrize(("text", "day"), [
    ("2024-03-31T23:30:00-05:00", "2024-03-31"),  # through UTC this would be 1 April
    ("2024-04-01T00:30:00+02:00", "2024-04-01"),  # through UTC this would be 31 March
    ("2024-03-31T23:30:00Z", "2024-03-31"),
    ("2024-03-31 23:30:00.123456+0530", "2024-03-31"),
    ("2024-03-31 23:30 -05", "2024-03-31"),
    ("2024-03-31", "2024-03-31"),
    ("2024-03-31T23:30:00", "2024-03-31"),
])
def test_time_zone_offsets_keep_the_local_calendar_date(text: str, day: str) -> None:
    mixed = pd.Series([text, "2024-01-02T10:00:00+09:00", None], dtype="str")
    got = local_dates(mixed)
    assert got.tolist()[:2] == [pd.Timestamp(day), pd.Timestamp("2024-01-02")]
    assert pd.isna(got.iloc[2])


def test_time_zone_offsets_keep_the_local_date_with_a_format_too() -> None:
    raw = pd.Series(["03/31/2024 23:30 -0500", "04/01/2024 00:30 +0200", "03/31/2024"],
                    dtype="str")
    got = local_dates(raw, "%m/%d/%Y %H:%M %z")
    assert got.tolist()[:2] == [pd.Timestamp("2024-03-31"), pd.Timestamp("2024-04-01")]
    assert pd.isna(got.iloc[2])


def test_an_ingested_offset_date_is_the_local_day(tmp_path: Path) -> None:
    src = source_with(tmp_path, [("opportunities", 5, "close_date", "2024-03-31T23:30:00-05:00")])
    ds = load_dataset(ingest(src, tmp_path / "out").out_dir)
    assert ds.opportunities.set_index("opportunity_id").loc["O6", "close_date"] == pd.Timestamp(
        "2024-03-31")


def test_date_hint_shows_the_shape_of_a_rejected_value_never_its_content() -> None:
    rejected = pd.Series(["Mar 5th, 2024 (hunter2)", "31.01.2024"], dtype="str")
    hint = date_hint(rejected, "close_date", "YYYY-MM-DD", "o.csv", "opportunities", 3)
    assert hint == ("o.csv: table opportunities: 2 of 3 dates in close_date do not match "
                    "YYYY-MM-DD (rejected values look like 'AAA NAA, NNNN (AAAAAAN)', N = digit, "
                    "A = letter): set tables.opportunities.date_formats.close_date in the mapping")
