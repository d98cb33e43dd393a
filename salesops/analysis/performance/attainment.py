"""Quota for any period and attainment against it, with zero and missing quota reported.

The quota table is the plan (ramp and partial-period proration are its job); a quota row only
partly inside a period counts pro rata to the days it shares with it (a month gets a third of
a 90-day quarter's quota, roughly). Attainment is never a division by zero: with zero or
missing quota it is NaN and ``quota_status`` says why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.data.periods import Period
from salesops.data.quotas import quota_for_period
from salesops.data.requirements import Needs

#: Attainment, reps at quota, ranking against quota and coverage need the deals and quotas.
NEEDS = Needs("Attainment against quota", tables=("opportunities", "quotas"))

QUOTA_OK, QUOTA_ZERO, QUOTA_MISSING = "ok", "zero", "missing"


def quota_status(quota: pd.Series) -> pd.Series:
    """'ok', 'zero' or 'missing' for each quota value."""
    status = np.where(quota.isna(), QUOTA_MISSING, np.where(quota <= 0, QUOTA_ZERO, QUOTA_OK))
    return pd.Series(status, index=quota.index, name="quota_status")


def attainment(bookings: pd.Series, quota: pd.Series) -> pd.Series:
    """Bookings / quota where quota > 0, else NaN (see ``quota_status`` for the reason)."""
    return (bookings / quota.where(quota > 0)).rename("attainment")


def attainment_by_period(bookings: pd.DataFrame, quotas: pd.DataFrame,
                         periods: list[Period]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rep x period tables of quota and attainment; ``bookings`` is rep x period start.

    Columns are the periods' start dates; a rep with no quota row in a period has NaN there.
    """
    quota = pd.concat({p.start: quota_for_period(quotas, p) for p in periods}, axis=1)
    quota = quota.reindex(index=bookings.index.union(quota.index),
                          columns=[p.start for p in periods])
    booked = bookings.reindex(index=quota.index, columns=quota.columns).fillna(0.0)
    return quota, booked / quota.where(quota > 0)
