"""Capacity for the plan year: what the team can book, with a range, against the target.

Productivity of a ramped rep = bookings per ramped rep-month (``ramped_month_means``) over the
last ``months`` complete months; capacity = expected effective headcount of each plan month
(``headcount_plan``) x that mean. The range (P10-P90) redraws each plan month's productivity
from the window's months in the same position of the fiscal quarter (seeded bootstrap; quarter
ends book the most), so it reflects how lumpy real months are. Hires
needed: per possible start month, how many extra hires (ramping, attriting, backfilled like the
rest) close the gap to the target. The range is productivity's: headcount is the expected
value (attrition as a rate, not drawn).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.analysis.planning.attrition import Attrition, estimate_attrition
from salesops.analysis.planning.headcount import BACKFILL_DELAY, current_reps, headcount_plan
from salesops.analysis.planning.ramp_profile import (
    RAMPED_AFTER,
    RampProfile,
    estimate_ramp_profile,
    ramped_month_means,
)
from salesops.analysis.planning.seats import plan_year
from salesops.data.periods import FiscalCalendar, Period
from salesops.data.requirements import AVAILABLE, Availability, Needs

#: Productivity reads the last 12 complete months (the year most like the plan year).
PRODUCTIVITY_MONTHS = 12
#: Fewer months than this give no range (a bootstrap of a few months is no spread).
MIN_MONTHS = 6
#: A rep's own mean monthly bookings counts in the spread across reps from this many months.
MIN_REP_MONTHS = 6
DRAWS = 4000

#: Who is on roll today needs termination dates (a roster without them, e.g. derived from deal
#: owners, lists everyone who ever sold).
CAPACITY_NEEDS = Needs("Capacity", tables=("opportunities", "reps"),
                       columns={"reps": ("termination_date",)})


@dataclass(frozen=True)
class Productivity:
    """Bookings per ramped rep-month over ``first_month``..``last_month``: mean and P10/median/
    P90 of the rep-months; ``rep_*``: the spread across reps of their own monthly mean (reps
    with ``MIN_REP_MONTHS`` ramped months); ``by_month``: the mean of each month."""

    mean: float
    p10: float
    median: float
    p90: float
    rep_p10: float
    rep_median: float
    rep_p90: float
    rep_months: int
    reps: int
    first_month: pd.Timestamp | None
    last_month: pd.Timestamp | None
    by_month: pd.Series
    availability: Availability = AVAILABLE


def ramped_productivity(rep_months: pd.DataFrame, months: int = PRODUCTIVITY_MONTHS,
                        ramped_after: int = RAMPED_AFTER) -> Productivity:
    """Productivity of a ramped rep over the last ``months`` months of ``rep_months``."""
    window = sorted(rep_months["month"].unique())[-months:]
    picked = rep_months.loc[rep_months["month"].isin(window)]
    ramped = picked.loc[picked["full"] & ~(picked["tenure_month"] <= ramped_after)]
    by_month = ramped_month_means(picked, ramped_after)
    per_rep = ramped.groupby("rep_id")["bookings"].agg(["mean", "size"])
    per_rep = per_rep.loc[per_rep["size"] >= MIN_REP_MONTHS, "mean"]
    q = ramped["bookings"].quantile([0.1, 0.5, 0.9]).to_numpy(float)
    r = per_rep.quantile([0.1, 0.5, 0.9]).to_numpy(float)
    availability = AVAILABLE
    if len(by_month) < MIN_MONTHS:
        availability = Availability.missing(
            f"Productivity of a ramped rep cannot be measured: the history has {len(by_month)} "
            f"month{'' if len(by_month) == 1 else 's'} with ramped reps (past month "
            f"{ramped_after}, employed the whole month); at least {MIN_MONTHS} are needed.")
    return Productivity(
        mean=float(ramped["bookings"].mean()) if len(ramped) else float("nan"),
        p10=q[0], median=q[1], p90=q[2], rep_p10=r[0], rep_median=r[1], rep_p90=r[2],
        rep_months=len(ramped), reps=int(ramped["rep_id"].nunique()),
        first_month=window[0] if window else None, last_month=window[-1] if window else None,
        by_month=by_month, availability=availability)


@dataclass(frozen=True)
class CapacityPlan:
    """Plan-year capacity: ``by_month`` (``HEADCOUNT_COLUMNS`` + capacity, from the month after
    as_of), the year's capacity with its P10-P90 range, the target and the hires that close it.

    ``hires_needed`` columns: hire_month, capacity_per_hire (plan-year bookings of one more hire
    starting that month), hires (to close the gap), hires_at_low (to close it at P10 capacity).
    ``reps``: today's reps by tenure (``CURRENT_COLUMNS``).
    """

    year: Period
    by_month: pd.DataFrame
    capacity: float
    capacity_low: float
    capacity_high: float
    target: float | None
    hires_needed: pd.DataFrame
    ramp: RampProfile
    attrition: Attrition
    productivity: Productivity
    reps: pd.DataFrame
    availability: Availability = AVAILABLE

    @property
    def gap(self) -> float | None:
        """Target minus capacity (positive: short of the target); None without a target."""
        return None if self.target is None else self.target - self.capacity

    @property
    def gap_at_low(self) -> float | None:
        """Target minus the P10 capacity."""
        return None if self.target is None else self.target - self.capacity_low

    @property
    def coverage(self) -> float | None:
        """Capacity / target."""
        return None if not self.target else self.capacity / self.target


def capacity_plan(rep_months: pd.DataFrame, reps: pd.DataFrame, as_of: pd.Timestamp,
                  target: float | None = None, ramp: RampProfile | None = None,
                  attrition: Attrition | None = None, hires: Mapping | pd.Series | None = None,
                  backfill_delay: int = BACKFILL_DELAY, months: int = PRODUCTIVITY_MONTHS,
                  draws: int = DRAWS, seed: int = 7, calendar: FiscalCalendar | None = None,
                  ) -> CapacityPlan:
    """The plan year's capacity from ``rep_months`` (``salesops.data.rep_months``) and the
    roster; ``ramp`` / ``attrition`` estimated from the history when not given."""
    as_of = pd.Timestamp(as_of)
    if target is not None and not target > 0:
        raise ValueError(f"the target must be a positive amount, got {target!r}")
    ramp = ramp if ramp is not None else estimate_ramp_profile(rep_months)
    attrition = attrition if attrition is not None else estimate_attrition(reps, as_of)
    productivity = ramped_productivity(rep_months, months, ramp.months or RAMPED_AFTER)
    year = plan_year(as_of, calendar)
    unavailable = next((x.availability for x in (ramp, attrition, productivity)
                        if not x.availability), None)
    if unavailable is not None:
        return CapacityPlan(year, pd.DataFrame(), np.nan, np.nan, np.nan, target, pd.DataFrame(),
                            ramp, attrition, productivity, pd.DataFrame(), unavailable)

    def plan(extra: Mapping | None = None) -> pd.DataFrame:
        return headcount_plan(reps, as_of, ramp, attrition, _plus(hires, extra), backfill_delay,
                              calendar=calendar)

    by_month = plan()
    by_month["capacity"] = by_month["effective_headcount"] * productivity.mean
    effective = by_month.loc[by_month["in_plan_year"], "effective_headcount"].to_numpy()
    capacity = float(effective.sum() * productivity.mean)
    plan_months = by_month.loc[by_month["in_plan_year"], "month"]
    drawn = _draw_productivity(productivity.by_month, plan_months, draws, seed, calendar)
    low, high = np.quantile(drawn @ effective, [0.1, 0.9])
    needed = _hires_needed(plan, by_month, productivity.mean, target, capacity, float(low))
    return CapacityPlan(year, by_month, capacity, float(low), float(high), target, needed, ramp,
                        attrition, productivity, current_reps(reps, as_of, ramp, calendar))


def _draw_productivity(by_month: pd.Series, months: pd.Series, draws: int, seed: int,
                       calendar: FiscalCalendar | None) -> np.ndarray:
    """Draws x months: for each month, the productivity of a window month at the same position
    of the fiscal quarter (any window month when none is)."""
    start = (calendar or FiscalCalendar()).start_month
    rng = np.random.default_rng(seed)
    spot = (pd.DatetimeIndex(by_month.index).month - start) % 3
    values = by_month.to_numpy(float)
    columns = []
    for month in pd.DatetimeIndex(months):
        pool = values[spot == (month.month - start) % 3]
        columns.append(rng.choice(pool if len(pool) else values, size=draws))
    return np.column_stack(columns)


def _plus(hires: Mapping | pd.Series | None, extra: Mapping | None) -> dict:
    """Planned hires with ``extra`` added (``planned_hires`` sums keys naming the same month)."""
    total = dict(hires) if hires is not None else {}
    for month, count in (extra or {}).items():
        total[month] = total.get(month, 0.0) + count
    return total


def _hires_needed(plan, by_month: pd.DataFrame, mean: float, target: float | None,
                  capacity: float, low: float) -> pd.DataFrame:
    """Per start month up to the plan year's end: one more hire's plan-year bookings and the
    hires that close the gap (at the point and at the P10 capacity)."""
    base = by_month.loc[by_month["in_plan_year"], "effective_headcount"].sum()
    rows = []
    for month in by_month["month"]:
        more = plan({month: 1.0})
        per_hire = float(more.loc[more["in_plan_year"], "effective_headcount"].sum() - base) * mean
        if per_hire <= 0:
            continue
        at_low = per_hire * low / capacity if capacity > 0 else 0.0
        rows.append((month, per_hire, _count(target, capacity, per_hire),
                     _count(target, low, at_low)))
    return pd.DataFrame(rows, columns=["hire_month", "capacity_per_hire", "hires", "hires_at_low"])


def _count(target: float | None, capacity: float, per_hire: float) -> float:
    """Whole hires closing target - capacity (0 when there is no gap; NaN without a target)."""
    if target is None:
        return float("nan")
    gap = target - capacity
    return 0.0 if gap <= 0 else float(math.ceil(gap / per_hire - 1e-9)) if per_hire > 0 \
        else float("nan")


def quota_capacity(groups: Iterable[tuple[float, float, float]]) -> float:
    """Capacity from quotas: the sum over (reps, quota per rep, expected attainment) groups."""
    return float(sum(n * quota * attainment for n, quota, attainment in groups))


def attainment_factor(target: float, street_quota: float) -> float:
    """The target as a share of the quota assigned to reps (0.8: reps must reach 80% of it)."""
    return target / street_quota


def over_assignment(target: float, street_quota: float) -> float:
    """Quota assigned to reps as a share of the target (1.25 = 125%, i.e. 25% over-assigned)."""
    return street_quota / target
