"""Deal outcomes per group: wins, losses, bookings and unknown amounts, checked by hand."""

import numpy as np
import pandas as pd

from salesops.data.outcomes import open_pipeline, outcomes, pipeline_created, undated_open
from salesops.data.periods import Period

Q1 = Period("quarter", pd.Timestamp("2026-01-01"), pd.Timestamp("2026-03-31"), "Q1")


def deals() -> pd.DataFrame:
    return pd.DataFrame({
        "rep_id": ["R1", "R1", "R1", "R2", "R2", "R2"],
        "status": ["won", "won", "lost", "won", "open", "open"],
        "amount": [10_000.0, np.nan, 4_000.0, 7_000.0, 3_000.0, np.nan],
        "created_date": pd.to_datetime(["2025-12-01", "2026-01-05", "2026-01-10",
                                        "2026-02-01", "2026-02-15", "2026-03-01"]),
        "close_date": pd.to_datetime(["2026-01-31", "2026-02-28", "2026-03-15",
                                      "2026-04-02", "2026-03-20", pd.NaT]),
        "cycle_days": [61.0, 54.0, 64.0, 60.0, np.nan, np.nan],
    })


def test_outcomes_count_unknown_amounts_as_deals_not_as_zero_value():
    got = outcomes(deals(), Q1).loc["R1"]
    assert (got["won_deals"], got["lost_deals"]) == (2, 1)
    assert got["bookings"] == 10_000  # the won deal without an amount adds nothing
    assert (got["priced_wins"], got["deals_missing_amount"]) == (1, 1)
    assert got["median_cycle_days"] == (61 + 54) / 2
    assert "R2" not in outcomes(deals(), Q1).index  # its win closed in April


def test_pipeline_created_open_pipeline_and_undated_deals():
    created = pipeline_created(deals(), Q1).loc["R2"]
    assert (created["deals_created"], created["pipeline_created"],
            created["created_without_amount"]) == (3, 7_000 + 3_000, 1)  # Feb 1, Feb 15, Mar 1
    # open and due in Q1: only the Feb 15 deal (the Mar 1 one has no close date)
    open_q1 = open_pipeline(deals(), Q1).loc["R2"]
    assert (open_q1["open_deals"], open_q1["open_pipeline"]) == (1, 3_000)
    assert undated_open(deals()) == 1
