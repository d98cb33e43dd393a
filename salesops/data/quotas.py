"""Quota of any period from the quota table: each row counts pro rata to the days it shares
with the period. Shared by the performance review and the forecast."""

from __future__ import annotations

import pandas as pd

from salesops.data.periods import Period


def quota_for_period(quotas: pd.DataFrame, period: Period) -> pd.Series:
    """Quota per rep_id for ``period``: each row's amount times its share of days inside it.

    Reps without any quota row overlapping the period are absent (missing, not zero).
    """
    start = quotas["period_start"].clip(lower=period.start)
    end = quotas["period_end"].clip(upper=period.end)
    overlap = (end - start).dt.days + 1
    row_days = (quotas["period_end"] - quotas["period_start"]).dt.days + 1
    inside = overlap > 0
    share = overlap[inside] / row_days[inside].clip(lower=1)
    amount = quotas.loc[inside, "quota_amount"] * share
    return amount.groupby(quotas.loc[inside, "rep_id"].astype(str)).sum().rename("quota")
