"""The plan year and the seats in it: each rep's share of every plan month employed, and ramp."""

from __future__ import annotations

import pandas as pd

from salesops.analysis.planning.ramp_profile import RampProfile, ramp_share
from salesops.data.periods import FiscalCalendar, Period

SEAT_COLUMNS = ("rep_id", "region", "team", "month", "employed_share", "tenure_month", "ramp",
                "effective")


def plan_year(as_of: pd.Timestamp, calendar: FiscalCalendar | None = None) -> Period:
    """The fiscal year after the one containing ``as_of``."""
    calendar = calendar or FiscalCalendar()
    return calendar.shift(calendar.period(as_of, "year"), 1)


def plan_months(as_of: pd.Timestamp, calendar: FiscalCalendar | None = None) -> list[Period]:
    """The months of the plan year (``plan_year``), in order."""
    calendar = calendar or FiscalCalendar()
    year = plan_year(as_of, calendar)
    return calendar.periods_between(year.start, year.end, "month")


def seat_months(reps: pd.DataFrame, months: list[Period],
                ramp: RampProfile | pd.Series | None = None) -> pd.DataFrame:
    """One row per rep employed in some month of ``months`` and each such month (``SEAT_COLUMNS``).

    ``employed_share`` = days employed / days in the month; ``effective`` = employed_share x ramp.
    A roster without hire_date treats everyone as ramped; without termination_date, as staying.
    """
    roster = reps.assign(rep_id=reps["rep_id"].astype(str))
    for col in ("region", "team"):
        roster[col] = roster[col].astype("string") if col in roster else pd.Series(
            pd.NA, index=roster.index, dtype="string")
    hire = roster["hire_date"] if "hire_date" in roster else pd.Series(pd.NaT, index=roster.index)
    term = roster["termination_date"] if "termination_date" in roster \
        else pd.Series(pd.NaT, index=roster.index)
    rows = []
    for p in months:
        start = hire.where(hire > p.start, p.start).fillna(p.start)
        end = term.where(term < p.end, p.end).fillna(p.end)
        employed = ((end - start).dt.days + 1).clip(lower=0) / p.days
        tenure = (p.start.year - hire.dt.year) * 12 + (p.start.month - hire.dt.month) + 1
        rows.append(pd.DataFrame({"rep_id": roster["rep_id"], "region": roster["region"],
                                  "team": roster["team"], "month": p.start,
                                  "employed_share": employed.to_numpy(float),
                                  "tenure_month": tenure.astype(float).to_numpy()}))
    seats = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=list(SEAT_COLUMNS))
    seats = seats.loc[seats["employed_share"] > 0].reset_index(drop=True)
    seats["ramp"] = ramp_share(seats["tenure_month"], ramp).to_numpy(float)
    seats["effective"] = seats["employed_share"] * seats["ramp"]
    return seats[list(SEAT_COLUMNS)]
