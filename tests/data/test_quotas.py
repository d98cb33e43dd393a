"""Pro-rata quota of a period, checked by hand."""

import pandas as pd

from salesops.data.periods import Period
from salesops.data.quotas import quota_for_period


def test_rows_count_pro_rata_to_the_days_they_share_with_the_period():
    quotas = pd.DataFrame({
        "rep_id": ["R1", "R1", "R2"],
        "period_start": pd.to_datetime(["2026-01-01", "2026-04-01", "2026-07-01"]),
        "period_end": pd.to_datetime(["2026-03-31", "2026-06-30", "2026-09-30"]),
        "quota_amount": [90_000.0, 91_000.0, 50_000.0],
    })
    march_to_april = Period("custom", pd.Timestamp("2026-03-02"), pd.Timestamp("2026-04-30"), "x")
    got = quota_for_period(quotas, march_to_april)
    # R1: 30 of Q1's 90 days (Mar 2-31) -> 30,000; 30 of Q2's 91 days (Apr) -> 30,000
    assert got.to_dict() == {"R1": 90_000 * 30 / 90 + 91_000 * 30 / 91}
    assert "R2" not in got  # no quota row overlaps: missing, not zero
