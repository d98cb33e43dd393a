"""Row-level validation: each bad value is quarantined with its check, reason and source line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from salesops.data.ingest import ingest
from salesops.data.schema import OPPORTUNITIES
from salesops.data.stages import load_catalogue
from salesops.data.validation import CHECKS, Keys, validate_table

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
