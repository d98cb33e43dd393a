"""Ramp and turnover: new hires against the cohort curve, time to productivity, attrition, seats.

Ramp attainment for a rep-month = the rep's bookings that month / the steady monthly quota (the
median monthly quota of reps past their first ``steady_after`` months that month), so a ramped
quota does not flatter a new hire. Tenure month 1 is the month of hire.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.analysis.performance.consistency import bookings_matrix
from salesops.analysis.performance.scope import ReviewData, trailing_window
from salesops.data.periods import Period
from salesops.data.quotas import quota_for_period
from salesops.data.rep_months import month_index
from salesops.data.requirements import Needs

#: Ramp divides by a steady quota and counts months from hire; turnover counts hires and leavers;
#: a vacated seat is backfilled by a hire into the same team.
RAMP_NEEDS = Needs("Ramp of new hires", tables=("opportunities", "quotas"),
                   columns={"reps": ("hire_date",)})
TURNOVER_NEEDS = Needs("Turnover", tables=("reps",),
                       columns={"reps": ("hire_date", "termination_date")})
SEATS_NEEDS = Needs("Recently vacated seats", tables=("reps",),
                    columns={"reps": ("hire_date", "termination_date", "team")})

RAMP_COLUMNS = ("rep_id", "name", "hire_date", "month", "tenure_month", "bookings", "steady_quota",
                "ramp_attainment", "ramp_attainment_3m")


def ramp_table(data: ReviewData, steady_after: int = 12, max_tenure: int = 18) -> pd.DataFrame:
    """One row per rep and complete month of their first ``max_tenure`` months in the data.

    Columns: ``RAMP_COLUMNS``; ``ramp_attainment_3m`` averages the month and up to two before
    it (the curve readers see). Only reps whose hire month lies inside the data (quotas and
    deals both cover month 1).
    """
    first = data.quotas["period_start"].min() if len(data.quotas) else data.as_of
    first = max(first, data.history_start or data.as_of)
    months = [p for p in data.calendar.periods_between(first, data.as_of, "month")
              if p.end <= data.as_of]
    if not months:
        return pd.DataFrame(columns=list(RAMP_COLUMNS))
    booked = bookings_matrix(data, months)
    reps = data.reps.set_index(data.reps["rep_id"].astype(str)).reindex(booked.index)
    tenure = (month_index([p.start for p in months])[None, :]
              - month_index(reps["hire_date"])[:, None] + 1)
    quota = pd.concat({p.start: quota_for_period(data.quotas, p) for p in months}, axis=1)
    quota = quota.reindex(index=booked.index, columns=booked.columns)
    steady = quota.where((tenure > steady_after) & (quota > 0)).median()
    steady = steady.fillna(quota.where(quota > 0).median())
    long = pd.DataFrame({
        "rep_id": np.repeat(booked.index.to_numpy(), len(months)),
        "month": np.tile(booked.columns.to_numpy(), len(booked)),
        "tenure_month": tenure.ravel(),
        "bookings": booked.to_numpy().ravel(),
        "steady_quota": np.tile(steady.to_numpy(), len(booked)),
    })
    term = np.repeat(reps["termination_date"].to_numpy(), len(months))
    observed_from_start = np.repeat(reps["hire_date"].to_numpy() >= months[0].start, len(months))
    keep = ((long["tenure_month"] >= 1) & (long["tenure_month"] <= max_tenure)
            & observed_from_start & (np.isnat(term) | (term >= long["month"].to_numpy())))
    long = long.loc[keep].reset_index(drop=True)
    long["ramp_attainment"] = long["bookings"] / long["steady_quota"].where(long["steady_quota"] > 0)
    long["ramp_attainment_3m"] = (long.groupby("rep_id", sort=False)["ramp_attainment"]
                                  .rolling(3, min_periods=1).mean().reset_index(level=0, drop=True))
    info = reps[["name", "hire_date"]]
    return long.join(info, on="rep_id")[list(RAMP_COLUMNS)]


def cohort_curve(ramp: pd.DataFrame, column: str = "ramp_attainment_3m") -> pd.DataFrame:
    """Median and quartiles of ``column`` by tenure month, with the number of reps."""
    grouped = ramp[column].astype(float).groupby(ramp["tenure_month"])
    return pd.DataFrame({"reps": grouped.count(), "median": grouped.median(),
                         "p25": grouped.quantile(0.25), "p75": grouped.quantile(0.75)}
                        ).reset_index()


def time_to_productivity(ramp: pd.DataFrame, level: float = 0.8, window: int = 3) -> pd.Series:
    """First tenure month at which a rep's ``window``-month average ramp attainment reaches
    ``level`` (NaN: not yet)."""
    ordered = ramp.sort_values(["rep_id", "tenure_month"])
    rolling = (ordered.groupby("rep_id")["ramp_attainment"]
               .rolling(window, min_periods=window).mean().reset_index(level=0, drop=True))
    reached = ordered.loc[rolling.reindex(ordered.index) >= level]
    first = reached.groupby("rep_id")["tenure_month"].min()
    return first.reindex(ordered["rep_id"].unique()).rename("productive_month")


@dataclass
class Turnover:
    """Headcount movement over a trailing window, and seats vacated recently (None without
    teams: a backfill cannot be matched to a seat)."""

    window: Period
    headcount_start: int
    headcount_end: int
    hires: int
    leavers: int
    attrition_rate: float  # leavers / average headcount; NaN with no headcount
    by_team: pd.DataFrame | None  # team, headcount_start, headcount_end, hires, leavers
    vacated: pd.DataFrame | None  # recent leavers: name, team, manager, termination_date, backfilled


def turnover(data: ReviewData, months: int = 12, vacated_days: int = 180,
             backfill_grace_days: int = 30, teams: bool = True) -> Turnover:
    """Attrition over the last ``months`` and seats vacated in the last ``vacated_days`` days.

    A vacated seat is backfilled by the earliest unused hire into the same team made at most
    ``backfill_grace_days`` before the termination (or any time after it, up to ``as_of``).
    ``teams=False`` (no team column) leaves out the per-team table and the vacated seats.
    """
    window = trailing_window(data.as_of, months)
    reps = data.reps
    term = reps["termination_date"]

    def on_roll(day: pd.Timestamp) -> pd.Series:
        return (reps["hire_date"] <= day) & (term.isna() | (term >= day))

    start, end = on_roll(window.start), on_roll(data.as_of)
    hired, left = window.contains(reps["hire_date"]), window.contains(term)
    by_team = None
    if teams:
        by_team = pd.DataFrame({"headcount_start": start, "headcount_end": end, "hires": hired,
                                "leavers": left}).groupby(reps["team"].astype(str)).sum()
        by_team = by_team.rename_axis("team").reset_index()
    avg = (int(start.sum()) + int(end.sum())) / 2
    return Turnover(
        window=window, headcount_start=int(start.sum()), headcount_end=int(end.sum()),
        hires=int(hired.sum()), leavers=int(left.sum()),
        attrition_rate=left.sum() / avg if avg > 0 else float("nan"), by_team=by_team,
        vacated=_vacated(reps, data.as_of, vacated_days, backfill_grace_days) if teams else None,
    )


def _vacated(reps: pd.DataFrame, as_of: pd.Timestamp, days: int, grace: int) -> pd.DataFrame:
    """Recent leavers with the hire that backfilled their seat, if any (greedy, per team)."""
    recent = reps.loc[reps["termination_date"] >= as_of - pd.Timedelta(days=days)]
    recent = recent.sort_values("termination_date")
    used: set[str] = set()
    backfill = []
    for _, row in recent.iterrows():
        cands = reps.loc[(reps["team"] == row["team"]) & (reps["rep_id"] != row["rep_id"])
                         & (reps["hire_date"] >= row["termination_date"] - pd.Timedelta(days=grace))
                         & ~reps["rep_id"].isin(used)].sort_values("hire_date")
        pick = cands.iloc[0] if len(cands) else None
        if pick is not None:
            used.add(pick["rep_id"])
        backfill.append(None if pick is None else pick["name"])
    out = recent[["rep_id", "name", "team", "manager", "region", "termination_date"]].copy()
    out["backfilled_by"] = backfill
    out["open"] = out["backfilled_by"].isna()
    return out.reset_index(drop=True)
