"""Attrition: the monthly rate at which reps leave, from the roster's history or given.

Measured over the trailing ``months`` to ``as_of`` on the roster as known then: leavers in the
window over the rep-months employed in it (days employed / the average month of 30.44 days).
An unknown hire date counts as employed from the window's start.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.data.asof import roster_as_of
from salesops.data.periods import Period
from salesops.data.requirements import AVAILABLE, Availability, Needs

#: The trailing window attrition is measured over (two years: a handful of leavers a year).
ATTRITION_MONTHS = 24
DAYS_PER_MONTH = 365.25 / 12
#: Leavers below which an audience's own rate is no evidence (the report uses the company's).
MIN_LEAVERS = 3

ATTRITION_NEEDS = Needs("Attrition from the roster's history", tables=("reps",),
                        columns={"reps": ("termination_date",)})


@dataclass(frozen=True)
class Attrition:
    """Monthly attrition rate; ``leavers``, ``exposure_months`` and ``window`` when measured."""

    monthly_rate: float
    source: str  # "history", "given" or "company" (an audience with too few leavers)
    leavers: int | None = None
    exposure_months: float | None = None
    window: Period | None = None
    availability: Availability = AVAILABLE

    @property
    def annual_rate(self) -> float:
        """Share of reps expected to leave within a year: 1 - (1 - monthly rate)^12."""
        return 1.0 - (1.0 - self.monthly_rate) ** 12

    @classmethod
    def given(cls, annual_rate: float) -> Attrition:
        """A rate set by the user as a share of reps leaving per year, in [0, 1)."""
        if not 0.0 <= annual_rate < 1.0:
            raise ValueError(f"annual attrition must lie in [0, 1), got {annual_rate!r}")
        return cls(1.0 - (1.0 - annual_rate) ** (1 / 12), "given")


def estimate_attrition(reps: pd.DataFrame, as_of: pd.Timestamp,
                       months: int = ATTRITION_MONTHS) -> Attrition:
    """Leavers per rep-month employed over the ``months`` ending on ``as_of``."""
    as_of = pd.Timestamp(as_of)
    start = (as_of - pd.DateOffset(months=months) + pd.Timedelta(days=1)).normalize()
    window = Period("trailing", start, as_of, f"{months} months to {as_of:%Y-%m-%d}")
    roster = roster_as_of(reps, as_of)
    first = roster["hire_date"].fillna(start).clip(lower=start)
    last = roster["termination_date"].fillna(as_of).clip(upper=as_of)
    days = ((last - first).dt.days + 1).clip(lower=0)
    exposure = float(days.sum()) / DAYS_PER_MONTH
    leavers = int(window.contains(roster["termination_date"]).sum())
    if exposure <= 0:
        return Attrition(np.nan, "history", leavers, exposure, window, Availability.missing(
            f"Attrition cannot be measured: no rep was employed in the {window.label}; "
            "give an attrition rate instead."))
    return Attrition(leavers / exposure, "history", leavers, exposure, window)
