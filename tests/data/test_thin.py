"""Thin copies of a dataset: what is dropped is recorded, and round-trips through a processed folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from salesops.data.ingest import ingest
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
