"""The planning report's tables written as canonical CSV load back through ``salesops ingest``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from salesops.data.ingest import ingest
from salesops.data.plan_output import canonical_csv, plan_output_dir, write_plan_tables
from salesops.data.store import load_dataset

VALID = Path(__file__).parent / "fixtures" / "valid"
#: A planned year for the fixture's reps: quarterly quotas, phased to the cent.
PLANNED = pd.DataFrame({
    "rep_id": ["R1", "R1", "R3"],
    "period_start": pd.to_datetime(["2025-01-01", "2025-04-01", "2025-01-01"]),
    "period_end": pd.to_datetime(["2025-03-31", "2025-06-30", "2025-03-31"]),
    "quota_amount": [100000.005, 120000.1, 33333.33],
    "basis": "trailing_12m"})  # an extra column: not written


def test_the_folder_is_beside_the_report_or_given_or_none():
    as_of = pd.Timestamp("2026-12-01")
    assert plan_output_dir("/r", as_of) == Path("/r/2026-12-01/planning")
    assert plan_output_dir("/r", as_of, "region-emea") == Path("/r/2026-12-01/region-emea/planning")
    assert plan_output_dir("/r", as_of, output_dir="/elsewhere") == Path("/elsewhere")
    assert plan_output_dir(None, as_of) is None and plan_output_dir(None, as_of, "", " ") is None


def test_quotas_csv_has_the_canonical_columns_iso_dates_and_cents():
    text = canonical_csv(PLANNED, "quotas")
    assert text.splitlines() == [
        "rep_id,period_start,period_end,quota_amount",
        # 100,000.005 rounds to 100,000.00 (float half-even of ...005 held as 100000.00499...)
        "R1,2025-01-01,2025-03-31,100000.00", "R1,2025-04-01,2025-06-30,120000.10",
        "R3,2025-01-01,2025-03-31,33333.33"]


def test_a_table_lacking_a_column_or_unknown_is_refused():
    with pytest.raises(ValueError, match="quotas: no column 'quota_amount'"):
        canonical_csv(PLANNED.drop(columns="quota_amount"), "quotas")
    with pytest.raises(ValueError, match="reps: not a planning output table"):
        canonical_csv(PLANNED, "reps")


def test_written_quotas_load_through_ingest(tmp_path):
    src = tmp_path / "export"
    shutil.copytree(VALID, src)
    written = write_plan_tables(src, {"quotas": PLANNED, "territories": None})
    assert written == [src / "quotas.csv"]  # the export's quotas replaced by the plan's
    result = ingest(src, tmp_path / "processed")
    assert result.counts["quotas"].rows_quarantined == 0
    quotas = load_dataset(tmp_path / "processed").quotas
    assert quotas["rep_id"].tolist() == ["R1", "R1", "R3"]
    assert quotas["quota_amount"].tolist() == [100000.0, 120000.1, 33333.33]
    assert quotas["period_end"].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-03-31", "2025-06-30", "2025-03-31"]


def test_written_territories_load_through_ingest(tmp_path):
    src = tmp_path / "export"
    shutil.copytree(VALID, src)
    plan = pd.DataFrame({"account_id": ["A1", "A2", "A3"], "territory": ["East 1", "East 1", "West"],
                         "rep_id": ["R1", "R1", None]})  # West has no rep yet
    write_plan_tables(src, {"territories": plan})
    result = ingest(src, tmp_path / "processed")
    assert result.counts["territories"].rows_quarantined == 0
    loaded = load_dataset(tmp_path / "processed").territories
    assert loaded["territory"].tolist() == ["East 1", "East 1", "West"]
    assert loaded["rep_id"].isna().tolist() == [False, False, True]
