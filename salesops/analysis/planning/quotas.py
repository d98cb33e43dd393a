"""Quotas for the plan year: the target allocated top-down by a basis, and bottom-up from capacity.

Every rep's weight is a rate (per fully productive month) times their effective months in the plan
year (months employed, each scaled by the ramp share at that tenure), so a new hire's quota is
ramped and a basis measured on history is not depressed by a rep's own ramp (seats and ramp from
``planning.seats`` and ``planning.ramp_profile``). Quotas are integer cents that sum exactly to
target x (1 + over-assignment).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.analysis.planning.account_book import TERRITORY_NEEDS
from salesops.analysis.planning.headcount import planned_hires
from salesops.analysis.planning.ramp_profile import RampProfile, ramp_share
from salesops.analysis.planning.seats import plan_year
from salesops.data.periods import FiscalCalendar, Period
from salesops.data.requirements import Needs

BASES = ("even", "prior_year", "trailing_12m", "potential")
DEFAULT_OVER_ASSIGNMENT = 0.15
#: A rep's own rate needs this many effective (ramp-weighted) months in the window; others get
#: their team's median rate (the company's when the team has none).
MIN_RATE_MONTHS = 3.0
#: Bottom-up capacity reads each rep's last 24 complete months (a longer, steadier record than a
#: 12-month basis).
CAPACITY_MONTHS = 24
LEVELS = ("region", "team")
#: Seats of planned hires are named "TBH-<month>-<n>" (to be hired): they hold a quota in the
#: plan, but no rep of the roster does yet, so they stay out of the quotas table written for ingest.
PLANNED_HIRE_PREFIX = "TBH-"

#: Termination dates say who is still on the team: a roster derived from deal owners lists
#: everyone who ever sold, and would give quotas to people who have left.
QUOTA_NEEDS = Needs("Quota allocation", tables=("opportunities", "reps"),
                    columns={"reps": ("termination_date",)})
RAMPED_QUOTA_NEEDS = Needs("Ramped quotas for new hires", columns={"reps": ("hire_date",)})
#: Potential comes from the account book (``planning.account_book``), so it needs what that needs.
POTENTIAL_NEEDS = Needs("Quotas by territory potential") & TERRITORY_NEEDS


@dataclass(frozen=True)
class Allocation:
    """Quotas of one allocation: per rep (``quota_cents`` exact, ``quota`` in currency) and rolled up.

    ``reps`` columns: rep_id, region, team, effective_months, rate, rate_source, share (of the
    total), quota_cents, quota; ``by_region`` and ``by_team`` sum quota_cents and quota.
    """

    method: str
    target: float
    over_assignment: float
    reps: pd.DataFrame
    by_region: pd.DataFrame
    by_team: pd.DataFrame

    @property
    def total(self) -> float:
        return int(self.reps["quota_cents"].sum()) / 100


def hire_seats(hires: Mapping | pd.Series | None, months: list[Period], team: str | None = None,
               region: str | None = None) -> pd.DataFrame:
    """Roster rows (rep_id, region, team, hire_date) for planned hires (month -> whole number
    of people), to add to the reps given to ``seat_months``: each joins on the 1st of its month."""
    starts = pd.DatetimeIndex([p.start for p in months])
    counts = planned_hires(hires, starts)
    if not np.array_equal(counts, np.round(counts)):
        raise ValueError("planned hires must be whole people to hold a quota, got "
                         f"{', '.join(f'{c:g}' for c in counts if c != round(c))}")
    rows = [(f"{PLANNED_HIRE_PREFIX}{m:%Y-%m}-{k}", m) for m, c in zip(starts, counts, strict=True)
            for k in range(1, int(c) + 1)]
    return pd.DataFrame({"rep_id": pd.Series([r for r, _ in rows], dtype=object),
                         "region": pd.Series([region] * len(rows), dtype="string"),
                         "team": pd.Series([team] * len(rows), dtype="string"),
                         "hire_date": pd.DatetimeIndex([m for _, m in rows], dtype="datetime64[ns]")})


def is_planned_hire(rep_ids: pd.Series) -> pd.Series:
    """Which rep ids are seats of planned hires (``hire_seats``)."""
    return rep_ids.astype(str).str.startswith(PLANNED_HIRE_PREFIX)


def basis_window(basis: str, as_of: pd.Timestamp, calendar: FiscalCalendar | None = None
                 ) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last month (first days) a history basis reads: the fiscal year before the plan
    year (its months complete by ``as_of``) or the 12 complete months before ``as_of``."""
    calendar = calendar or FiscalCalendar()
    last = calendar.shift(calendar.period(as_of, "month"), -1)
    if calendar.period(as_of, "month").end <= as_of:
        last = calendar.period(as_of, "month")
    if basis == "trailing_12m":
        return calendar.shift(last, -11).start, last.start
    if basis == "prior_year":
        year = calendar.shift(plan_year(as_of, calendar), -1)
        if last.start < year.start:
            raise ValueError(f"basis 'prior_year': no month of {year.label} is complete on "
                             f"{as_of:%Y-%m-%d}")
        return year.start, min(last.start, calendar.period(year.end, "month").start)
    raise ValueError(f"basis {basis!r} reads no history window")


def history_rates(rep_months: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp,
                  ramp: RampProfile | pd.Series | None = None) -> pd.DataFrame:
    """Each rep's bookings per fully productive month over months ``first``..``last``.

    Only months past the ramp count: a ramping month's bookings divided by its ramp share
    magnify noise, and a given profile shorter than the real ramp made a new hire's rate a
    tiny fraction of the team's. Columns: rep_id, team, bookings, effective_months, rate (NaN
    below ``MIN_RATE_MONTHS``). ``rep_months`` needs rep_id, month, bookings, employed_days,
    tenure_month (team optional).
    """
    window = rep_months.loc[(rep_months["month"] >= first) & (rep_months["month"] <= last)]
    window = window.loc[ramp_share(window["tenure_month"], ramp) >= 1]
    days = window["month"].dt.days_in_month
    effective = window["employed_days"] / days
    team = window["team"] if "team" in window else pd.Series(pd.NA, index=window.index)
    frame = pd.DataFrame({"rep_id": window["rep_id"].astype(str), "team": team.astype("string"),
                          "bookings": window["bookings"].astype(float), "effective_months": effective})
    out = frame.groupby("rep_id", as_index=False).agg(
        team=("team", "last"), bookings=("bookings", "sum"), effective_months=("effective_months", "sum"))
    enough = out["effective_months"] >= MIN_RATE_MONTHS
    out["rate"] = (out["bookings"] / out["effective_months"]).where(enough)
    return out


def basis_rates(seats: pd.DataFrame, basis: str, rep_months: pd.DataFrame | None = None,
                as_of: pd.Timestamp | None = None, calendar: FiscalCalendar | None = None,
                ramp: RampProfile | pd.Series | None = None,
                potential: pd.Series | None = None) -> pd.DataFrame:
    """Rate per fully productive plan month of every rep in ``seats`` under ``basis``.

    even: 1; prior_year / trailing_12m: own bookings per effective month in that window (team
    median, else company median, for reps with too little history); potential: the rep's annual
    territory potential / 12 (``potential`` indexed by rep_id; missing = 0). Columns: rep_id,
    rate, rate_source ("own", "team median", "company median", "even", "potential").
    """
    if basis not in BASES:
        raise ValueError(f"basis must be one of {', '.join(BASES)}, got {basis!r}")
    people = seats.drop_duplicates("rep_id")[["rep_id", "team"]].reset_index(drop=True)
    if basis == "even":
        return people.assign(rate=1.0, rate_source="even")[["rep_id", "rate", "rate_source"]]
    if basis == "potential":
        if potential is None:
            raise ValueError("basis 'potential' needs each rep's territory potential")
        rate = people["rep_id"].map(potential.rename(index=str)).astype(float).fillna(0.0) / 12
        if (rate < 0).any():
            raise ValueError("territory potential must be >= 0")
        return people.assign(rate=rate, rate_source="potential")[["rep_id", "rate", "rate_source"]]
    if rep_months is None or as_of is None:
        raise ValueError(f"basis {basis!r} needs rep_months and as_of")
    first, last = basis_window(basis, as_of, calendar)
    return rates_from_history(seats, rep_months, first, last, ramp)


def capacity_rates(seats: pd.DataFrame, rep_months: pd.DataFrame, as_of: pd.Timestamp,
                   calendar: FiscalCalendar | None = None, ramp: RampProfile | pd.Series | None = None,
                   months: int = CAPACITY_MONTHS) -> pd.DataFrame:
    """Each rep's demonstrated capacity: bookings per fully productive month over the last
    ``months`` complete months (team / company median below ``MIN_RATE_MONTHS``)."""
    calendar = calendar or FiscalCalendar()
    _, last = basis_window("trailing_12m", as_of, calendar)
    first = calendar.shift(calendar.period(last, "month"), 1 - months).start
    return rates_from_history(seats, rep_months, first, last, ramp)


def rates_from_history(seats: pd.DataFrame, rep_months: pd.DataFrame, first: pd.Timestamp,
                       last: pd.Timestamp, ramp: RampProfile | pd.Series | None = None) -> pd.DataFrame:
    """Rate of every rep in ``seats`` from months ``first``..``last``: own, else team median,
    else company median (columns rep_id, rate, rate_source)."""
    people = seats.drop_duplicates("rep_id")[["rep_id", "team"]].reset_index(drop=True)
    hist = history_rates(rep_months, first, last, ramp).set_index("rep_id")
    # as float: mapping a text column (Arrow strings) gives an Arrow array, not float64
    own = people["rep_id"].map(hist["rate"]).astype(float)
    by_team = hist.dropna(subset=["rate"]).groupby("team")["rate"].median()
    team = people["team"].map(by_team).astype(float)
    company = hist["rate"].median()
    if pd.isna(company):
        raise ValueError(f"no rep has {MIN_RATE_MONTHS:g} effective months of history between "
                         f"{first:%Y-%m} and {last:%Y-%m}")
    source = np.where(own.notna(), "own", np.where(team.notna(), "team median", "company median"))
    rate = own.fillna(team).fillna(company)
    return people.assign(rate=rate.to_numpy(float), rate_source=source)[["rep_id", "rate", "rate_source"]]


def split_cents(weights: np.ndarray | pd.Series, total_cents: int) -> np.ndarray:
    """Integer cents proportional to ``weights`` summing exactly to ``total_cents``: floors, then
    one more cent to the largest remainders (equal to 1e-9 cent: the earlier row first)."""
    w = np.asarray(weights, dtype=float)
    if w.size == 0 or (w < 0).any() or not np.isfinite(w).all():
        raise ValueError("weights must be a non-empty array of finite values >= 0")
    if w.sum() <= 0:
        raise ValueError("weights sum to zero: nothing to allocate by")
    exact = w / w.sum() * total_cents
    cents = np.floor(exact).astype(np.int64)
    short = int(total_cents - cents.sum())
    order = np.argsort(-np.round(exact - cents, 9), kind="stable")  # float noise is no tie-break
    cents[order[:short]] += 1
    return cents


def top_down(target: float, seats: pd.DataFrame, rates: pd.DataFrame | Mapping[str, pd.DataFrame],
             over_assignment: float = DEFAULT_OVER_ASSIGNMENT, basis: str = "") -> Allocation:
    """Target x (1 + over_assignment) allocated to regions, then teams, then reps.

    ``rates`` (from ``basis_rates``) is one frame for every level or a mapping with keys
    "region", "team" and "rep" (a basis per level). A level's share of its parent is the sum of
    its reps' weights (rate x effective months) over the parent's.
    """
    per_level = rates if isinstance(rates, Mapping) else dict.fromkeys(("region", "team", "rep"), rates)
    lacking = [k for k in ("region", "team", "rep") if k not in per_level]
    if lacking:
        raise ValueError(f"rates per level need the keys region, team and rep; missing {', '.join(lacking)}")
    people = _people(seats)
    share = pd.Series(1.0, index=people.index)
    keys: list[str] = []
    for level in (*LEVELS, "rep"):
        weight = _weights(people, per_level[level])
        group = [*keys, level if level != "rep" else "rep_id"]
        parent = people[keys].astype(str).agg("|".join, axis=1) if keys else pd.Series("", index=people.index)
        mine = weight.groupby(people[group].astype(str).agg("|".join, axis=1)).transform("sum")
        above = weight.groupby(parent).transform("sum")
        stuck = (above <= 0) & (share > 0)
        if stuck.any():
            within = parent[stuck].iloc[0] or "the company"
            raise ValueError(f"no weight to allocate by at level {level} within {within}")
        share = share * (mine / above.where(above > 0)).fillna(0.0)
        keys = group if level != "rep" else keys
    people["rate"] = people["rep_id"].map(per_level["rep"].set_index("rep_id")["rate"])
    people["rate_source"] = people["rep_id"].map(per_level["rep"].set_index("rep_id")["rate_source"])
    people["share"] = share
    return _allocation(basis or "top-down", target, over_assignment, people)


def bottom_up(capacity_rates: pd.DataFrame, seats: pd.DataFrame,
              over_assignment: float = DEFAULT_OVER_ASSIGNMENT) -> Allocation:
    """Each rep's quota from their own capacity: rate x effective months x (1 + over_assignment);
    ``target`` of the result is the summed capacity."""
    people = _people(seats)
    people["rate"] = people["rep_id"].map(capacity_rates.set_index("rep_id")["rate"])
    people["rate_source"] = people["rep_id"].map(capacity_rates.set_index("rep_id")["rate_source"])
    if people["rate"].isna().any():
        raise ValueError(f"no capacity rate for rep {people.loc[people['rate'].isna(), 'rep_id'].iloc[0]}")
    capacity = people["rate"] * people["effective_months"]
    if capacity.sum() <= 0:
        raise ValueError("no rep has any capacity: nothing to build a bottom-up plan from")
    people["share"] = capacity / capacity.sum()
    return _allocation("bottom-up", float(capacity.sum()), over_assignment, people)


def side_by_side(top: Allocation, bottom: Allocation) -> pd.DataFrame:
    """Per team: top-down and bottom-up quota, difference (top - bottom) and its share of
    bottom-up; last row "Total"."""
    t = top.by_team.set_index(["region", "team"])["quota"].rename("top_down")
    b = bottom.by_team.set_index(["region", "team"])["quota"].rename("bottom_up")
    out = pd.concat([t, b], axis=1).fillna(0.0).reset_index()
    total = pd.DataFrame({"region": ["Total"], "team": ["Total"], "top_down": [top.total],
                          "bottom_up": [bottom.total]})
    out = pd.concat([out, total], ignore_index=True)
    out["difference"] = out["top_down"] - out["bottom_up"]
    out["difference_share"] = (out["difference"] / out["bottom_up"].where(out["bottom_up"] > 0))
    return out


def _people(seats: pd.DataFrame) -> pd.DataFrame:
    people = seats.groupby("rep_id", as_index=False, sort=True).agg(
        region=("region", "first"), team=("team", "first"), effective_months=("effective", "sum"))
    people["region"] = people["region"].astype("string").fillna("(no region)")
    people["team"] = people["team"].astype("string").fillna("(no team)")
    return people


def _weights(people: pd.DataFrame, rates: pd.DataFrame) -> pd.Series:
    rate = people["rep_id"].map(rates.set_index("rep_id")["rate"])
    if rate.isna().any():
        raise ValueError(f"no basis rate for rep {people.loc[rate.isna(), 'rep_id'].iloc[0]}")
    return rate * people["effective_months"]


def _allocation(method: str, target: float, over_assignment: float, people: pd.DataFrame) -> Allocation:
    if over_assignment < 0:
        raise ValueError(f"over_assignment must be >= 0, got {over_assignment}")
    if not np.isfinite(target) or target < 0:
        raise ValueError(f"target must be a finite amount >= 0, got {target}")
    total_cents = int(round(target * (1 + over_assignment) * 100))
    people["quota_cents"] = split_cents(people["share"], total_cents)
    people["quota"] = people["quota_cents"] / 100
    cols = ["rep_id", "region", "team", "effective_months", "rate", "rate_source", "share",
            "quota_cents", "quota"]
    reps = people[cols].reset_index(drop=True)
    return Allocation(method, float(target), float(over_assignment), reps,
                      _rollup(reps, ["region"]), _rollup(reps, ["region", "team"]))


def _rollup(reps: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = reps.groupby(keys, as_index=False).agg(reps=("rep_id", "size"),
                                                 effective_months=("effective_months", "sum"),
                                                 quota_cents=("quota_cents", "sum"))
    out["quota"] = out["quota_cents"] / 100
    return out
