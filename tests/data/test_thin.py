"""Thin copies of a dataset: what is dropped is recorded, and round-trips through a processed folder."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from salesops.data.ingest import ingest
from salesops.data.schema import TABLES, conform
from salesops.data.store import load_dataset
from salesops.data.thin import thin, write_thin

VALID = Path(__file__).parent / "fixtures" / "valid"


def test_thin_drops_tables_derives_the_roster_and_round_trips(tmp_path: Path) -> None:
    full = load_dataset(ingest(VALID, tmp_path / "full").out_dir)
    ds = thin(full, drop_columns={"opportunities": ("product", "probability")},
              unknown_open_amounts=1.0)
    assert ds.opportunities["probability"].dtype == "float64"
    assert ds.opportunities["probability"].isna().all()
    assert ds.present == {"opportunities", "reps", "accounts"}
    assert not ds.has("quotas") and not ds.has("opportunities", "product")
    assert len(ds.quotas) == 0 and len(ds.stage_history) == 0
    assert ds.reps["rep_id"].tolist() == ["R1", "R2", "R3"]
    assert ds.reps["hire_date"].isna().all() and not ds.has("reps", "hire_date")
    opps = ds.opportunities.set_index("opportunity_id")
    # every open deal (O2, O4, O5) lost its amount; closed ones keep theirs
    assert opps["amount"].isna().tolist() == [False, True, False, True, True, False]
    back = load_dataset(write_thin(ds, tmp_path / "thin"))
    assert back.contents == ds.contents
    pd.testing.assert_frame_equal(back.opportunities, ds.opportunities)
    assert len(full.quotas) == 4  # the original is untouched


def test_unknown_open_amounts_are_blank_in_the_history_too(tmp_path: Path) -> None:
    full = load_dataset(ingest(VALID, tmp_path / "full").out_dir)
    history = conform(pd.DataFrame({
        "opportunity_id": ["O1", "O2", "O2", "O4"],
        "changed_at": pd.to_datetime(["2026-01-05", "2026-01-06", "2026-02-01", "2026-01-07"]),
        "amount": [100.0, 200.0, 250.0, 300.0], "close_date": pd.NaT, "stage": None,
        "forecast_category": None, "probability": float("nan")}), TABLES["opportunity_history"])
    full = replace(full, opportunity_history=history, contents=replace(
        full.contents, present=full.present | {"opportunity_history"}))
    ds = thin(full, drop=(), roster=True, unknown_open_amounts=1.0)
    # O2 and O4 are open: their amounts are gone from the history as from the deal; O1 keeps 100
    assert ds.opportunity_history["amount"].tolist()[0] == 100.0
    assert ds.opportunity_history["amount"].isna().tolist() == [False, True, True, True]
    assert full.opportunity_history["amount"].notna().all()  # the original is untouched
    assert "opportunity_history" not in thin(full).present  # dropped by default
