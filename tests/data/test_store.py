import os

import pandas as pd
import pytest

from salesops.data import store
from salesops.data.schema import TABLES, empty_frame
from salesops.data.stages import load_catalogue
from salesops.data.store import (
    Settings,
    dataset_fingerprint,
    keep_loaded,
    load_dataset,
    write_dataset,
)


def tables():
    t = {name: empty_frame(table) for name, table in TABLES.items()}
    t["reps"] = pd.DataFrame({
        "rep_id": ["R1"], "name": ["Ann"], "manager": ["M"], "team": ["T"], "region": ["EMEA"],
        "role": ["AE"], "hire_date": [pd.Timestamp("2025-01-01")], "termination_date": [pd.NaT],
    })
    return t


def test_write_then_load_round_trip(tmp_path):
    out = write_dataset(tables(), tmp_path / "processed", Settings("EUR", 2), load_catalogue(),
                        extra_files={"data_quality.json": "{}"})
    ds = load_dataset(out)
    assert ds.reps["name"].tolist() == ["Ann"]
    assert ds.settings == Settings("EUR", 2) and ds.calendar.start_month == 2
    assert ds.catalogue == load_catalogue()
    assert (out / "data_quality.json").exists()
    assert ds.fingerprint == dataset_fingerprint(out) and len(ds.fingerprint) == 16


def test_failed_write_leaves_previous_dataset_untouched(tmp_path):
    out = write_dataset(tables(), tmp_path / "processed", Settings(), load_catalogue())
    before = dataset_fingerprint(out)
    broken = tables()
    del broken["reps"]["region"]
    with pytest.raises(KeyError):
        write_dataset(broken, out, Settings(), load_catalogue())
    assert dataset_fingerprint(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["processed"]  # no temp dirs left behind


def test_load_names_missing_tables(tmp_path):
    with pytest.raises(FileNotFoundError, match="opportunities.parquet.*salesops ingest"):
        load_dataset(tmp_path)


def test_a_kept_dataset_comes_from_memory_until_a_file_changes(tmp_path, monkeypatch):
    out = write_dataset(tables(), tmp_path / "processed", Settings(), load_catalogue())
    monkeypatch.setattr(store, "_KEPT", {})
    kept = keep_loaded(out)
    assert load_dataset(out) is kept and load_dataset(str(out) + "/") is kept
    quotas = out / "quotas.parquet"
    os.utime(quotas, ns=(quotas.stat().st_atime_ns, quotas.stat().st_mtime_ns + 1_000_000))
    fresh = load_dataset(out)  # re-ingested meanwhile: read again from disk
    assert fresh is not kept and fresh.fingerprint == kept.fingerprint


def test_a_loaded_history_is_sorted_by_deal_and_time_keeping_ties_in_order(tmp_path):
    t = tables()
    t["opportunity_history"] = pd.DataFrame({
        "opportunity_id": ["O2", "O1", "O2", "O1"],
        "changed_at": pd.to_datetime(["2025-02-01 00:00", "2025-01-02 10:00", "2025-01-05 00:00",
                                      "2025-01-02 10:00"]),
        "amount": [4.0, 1.0, 3.0, 2.0], "close_date": pd.NaT, "stage": None,
        "forecast_category": None, "probability": float("nan")})
    out = write_dataset(t, tmp_path / "p", Settings(), load_catalogue())
    h = load_dataset(out).opportunity_history
    assert h["amount"].tolist() == [1.0, 2.0, 3.0, 4.0]  # O1's two 10:00 rows in given order
    assert store.sort_history(h) is h  # already sorted: returned as is


def test_a_dataset_built_in_code_has_a_history_only_with_rows():
    t = {n: f for n, f in tables().items() if n not in ("opportunity_history", "transactions")}
    ds = store.Dataset(**t)
    assert ds.opportunity_history.empty and "opportunity_history" not in ds.present
    rows = empty_frame(TABLES["opportunity_history"]).reindex(range(1))
    assert "opportunity_history" in store.Dataset(**t, opportunity_history=rows).present
