"""A HubSpot-shaped deals export (HubSpot's column names, owners by name, 'Date entered <stage>'
columns) through the HubSpot preset and every report: bookings and the funnel built from the
'Date entered' columns match plain pandas arithmetic on the raw file."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import assert_clean, ingest_and_run
from exports import hubspot

from salesops.data.ingest import ingest
from salesops.data.store import load_dataset
from salesops.presentation.formatting import count, money

AS_OF = "2026-11-27"
FUNNEL = ["Appointment scheduled", "Qualified to buy", "Presentation scheduled",
          "Decision maker bought-in", "Contract sent"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hubspot")
    source = hubspot(root / "raw", AS_OF)
    raw = pd.read_csv(source / "opportunities.csv", parse_dates=["Close Date"])
    raw["Close Day"] = raw["Close Date"].dt.normalize()
    return raw, ingest_and_run(root, source, AS_OF, "--preset", "hubspot")


def test_bookings_match_the_raw_export(run):
    raw, texts = run
    won = raw[(raw["Deal Stage"] == "Closed won")
              & raw["Close Day"].between("2026-10-01", AS_OF)]
    assert (f"bookings {money(won['Amount'].sum(), compact=True)} from {len(won)} won deals"
            in texts["performance_review"])


def test_funnel_comes_from_the_date_entered_columns(run):
    raw, texts = run
    # Deals closed (won or lost) in the 12 months to as_of, by the stages they entered.
    closed = raw[raw["Deal Stage"].isin(["Closed won", "Closed lost"])
                 & raw["Close Day"].between("2025-11-28", AS_OF)]
    text = texts["performance_review"]
    for stage, label in zip(FUNNEL, ["Appointment Scheduled", "Qualified To Buy",
                                     "Presentation Scheduled", "Decision Maker Bought-In",
                                     "Contract Sent"], strict=True):
        reached = int(closed[f'Date entered "{stage} (Sales Pipeline)"'].notna().sum())
        assert f"{label} {count(reached)} " in text
    assert "The funnel (stage conversion and time in stage) cannot be shown" not in text
    assert "Bottlenecks by team cannot be shown: the reps table (derived from the deals' " \
           "owner column) has no 'team' column" in text
    assert_clean(texts)


def test_deal_property_history_becomes_the_opportunity_history(tmp_path):
    source = hubspot(tmp_path / "raw", AS_OF)
    raw = pd.read_csv(source / "deal_property_history.csv", dtype=str)
    result = ingest(source, tmp_path / "out", preset="hubspot")
    ds = load_dataset(tmp_path / "out")
    # One history row per (deal, timestamp) of the long file; every one is kept.
    changes = raw[["dealId", "timestamp"]].drop_duplicates()
    c = result.counts["opportunity_history"]
    assert c.rows_in == c.rows_kept == len(changes) == len(ds.opportunity_history)
    # Each property's non-empty values are the table's non-empty cells of its column.
    per_property = raw["property"].value_counts()
    h = ds.opportunity_history
    assert h["amount"].notna().sum() == per_property["amount"]
    assert h["stage"].notna().sum() == per_property["dealstage"]
    assert h["forecast_category"].notna().sum() == per_property["hs_forecast_category"]
    won = raw[(raw["property"] == "dealstage") & (raw["value"] == "closedwon")]
    assert (h["stage"] == "Closed Won").sum() == len(won)
    assert "stage_history" not in ds.derived  # from the 'Date entered' columns
