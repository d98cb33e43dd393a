"""Expected headcount by month: today's reps by tenure, attrition, backfills and planned hires.

An expected-value model run month by month from the month after ``as_of`` to the end of the plan
year: each month every cohort on roll loses the monthly attrition rate, a leaver's seat is filled
by a new hire ``backfill_delay`` months later, planned hires join on their month, and every hire
starts at tenure month 1. Effective headcount weighs each rep by the ramp share at their tenure
(an unknown hire date counts as ramped). A seat vacated before ``as_of`` whose backfill falls
after it is refilled then, unless a rep was hired since (``pending_backfills``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from salesops.analysis.planning.attrition import Attrition
from salesops.analysis.planning.ramp_profile import RampProfile, ramp_share
from salesops.analysis.planning.seats import plan_months, plan_year, seat_months
from salesops.data.asof import roster_as_of
from salesops.data.periods import FiscalCalendar
from salesops.data.rep_months import month_index

#: Months from a leaver's departure to the backfill's start.
BACKFILL_DELAY = 2

CURRENT_COLUMNS = ("rep_id", "name", "region", "team", "hire_date", "tenure_month",
                   "plan_effective_months")
HEADCOUNT_COLUMNS = ("month", "in_plan_year", "headcount", "ramping", "effective_headcount",
                     "leavers", "backfills", "new_hires")


def simulated_months(as_of: pd.Timestamp, calendar: FiscalCalendar | None = None
                     ) -> pd.DatetimeIndex:
    """First days of the months after the one holding ``as_of``, to the end of the plan year."""
    calendar = calendar or FiscalCalendar()
    first = calendar.shift(calendar.period(as_of, "month"), 1)
    months = calendar.periods_between(first.start, plan_year(as_of, calendar).end, "month")
    return pd.DatetimeIndex([p.start for p in months])


def planned_hires(hires: Mapping | pd.Series | None, months: pd.DatetimeIndex) -> np.ndarray:
    """Hires per month of ``months`` from a month -> count mapping (any day of the month)."""
    counts = np.zeros(len(months))
    for month, count in (dict(hires) if hires is not None else {}).items():
        start = pd.Timestamp(month).to_period("M").start_time
        if start not in months:
            raise ValueError(f"planned hires for {start:%Y-%m}: only the months "
                             f"{months[0]:%Y-%m} to {months[-1]:%Y-%m} can be planned")
        if not count >= 0:
            raise ValueError(f"planned hires for {start:%Y-%m} must be >= 0, got {count!r}")
        counts[months.get_loc(start)] += float(count)
    return counts


def pending_backfills(roster: pd.DataFrame, as_of: pd.Timestamp, months: pd.DatetimeIndex,
                      backfill_delay: int) -> np.ndarray:
    """Backfills per month of ``months`` still due for reps who left on or before ``as_of``:
    a leaver's seat is refilled ``backfill_delay`` months after the month they left; hires made
    since the earliest such leaver are taken as filling the earliest seats."""
    term = roster["termination_date"]
    due = month_index(term) + backfill_delay - month_index(pd.DatetimeIndex([as_of]))[0]
    leavers = term.loc[due >= 1].sort_values()
    counts = np.zeros(len(months))
    if leavers.empty:
        return counts
    filled = int((roster["hire_date"] >= leavers.iloc[0]).sum())
    at = month_index(leavers.iloc[filled:]) + backfill_delay - month_index(months[:1])[0]
    np.add.at(counts, at[at < len(months)].astype(int), 1.0)
    return counts


def headcount_plan(reps: pd.DataFrame, as_of: pd.Timestamp, ramp: RampProfile | pd.Series | None,
                   attrition: Attrition, hires: Mapping | pd.Series | None = None,
                   backfill_delay: int = BACKFILL_DELAY, backfill: bool = True,
                   calendar: FiscalCalendar | None = None) -> pd.DataFrame:
    """Expected headcount per month after ``as_of`` to the plan year's end (``HEADCOUNT_COLUMNS``).

    ``headcount``: reps on roll (expected, fractional); ``ramping``: those within the profile's
    months; ``hires``: month -> planned new hires; ``backfill=False`` leaves seats empty.
    """
    if backfill_delay < 0:
        raise ValueError(f"backfill delay must be >= 0 months, got {backfill_delay}")
    as_of = pd.Timestamp(as_of)
    months = simulated_months(as_of, calendar)
    new = planned_hires(hires, months)
    known = roster_as_of(reps, as_of)
    roster = known.loc[known["termination_date"].isna()]
    pending = pending_backfills(known, as_of, months, backfill_delay)
    size = np.ones(len(roster))
    tenure = month_index(pd.DatetimeIndex([as_of])) - month_index(roster["hire_date"]) + 1
    months_long = ramp.months if isinstance(ramp, RampProfile) else (
        0 if ramp is None or ramp.empty else int(ramp.index.max()))
    rate = attrition.monthly_rate
    leavers, backfills = np.zeros(len(months)), np.zeros(len(months))
    sizes, tenures = [], []  # cohorts on roll in each month
    for j in range(len(months)):
        leaving = size * rate
        leavers[j] = leaving.sum()
        size, tenure = size - leaving, tenure + 1
        if backfill:
            backfills[j] = pending[j] + (leavers[j - backfill_delay] if j >= backfill_delay
                                         else 0.0)
        joining = new[j] + backfills[j]
        if joining > 0:
            size, tenure = np.r_[size, joining], np.r_[tenure, 1.0]
        sizes.append(size)
        tenures.append(tenure)
    month = np.repeat(np.arange(len(months)), [len(s) for s in sizes])
    size, tenure = np.concatenate(sizes), np.concatenate(tenures)
    share = ramp_share(pd.Series(tenure), ramp).to_numpy(float)

    def per_month(weights: np.ndarray) -> np.ndarray:
        return np.bincount(month, weights, minlength=len(months))

    year = plan_year(as_of, calendar)
    return pd.DataFrame({
        "month": months, "in_plan_year": (months >= year.start) & (months <= year.end),
        "headcount": per_month(size), "ramping": per_month(size * (tenure <= months_long)),
        "effective_headcount": per_month(size * share),
        "leavers": leavers, "backfills": backfills, "new_hires": new,
    })


def current_reps(reps: pd.DataFrame, as_of: pd.Timestamp, ramp: RampProfile | pd.Series | None,
                 calendar: FiscalCalendar | None = None) -> pd.DataFrame:
    """Reps on roll on ``as_of`` by tenure (``CURRENT_COLUMNS``, longest tenure first; unknown
    last): tenure month on ``as_of`` and ramp-weighted months in the plan year if they stay."""
    roster = roster_as_of(reps, as_of)
    roster = roster.loc[roster["termination_date"].isna()].assign(
        rep_id=lambda r: r["rep_id"].astype(str))
    seats = seat_months(roster, plan_months(as_of, calendar), ramp)
    out = pd.DataFrame({"rep_id": roster["rep_id"]})
    for column in ("name", "region", "team", "hire_date"):
        out[column] = roster[column] if column in roster else pd.NA
    out["tenure_month"] = (month_index(pd.DatetimeIndex([as_of]))
                           - month_index(roster["hire_date"]) + 1)
    out["plan_effective_months"] = out["rep_id"].map(
        seats.groupby("rep_id")["effective"].sum()).fillna(0.0)
    out = out.sort_values("tenure_month", ascending=False, na_position="last", kind="stable")
    return out[list(CURRENT_COLUMNS)].reset_index(drop=True)
