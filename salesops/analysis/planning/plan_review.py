"""The plan behind notebooks/planning.ipynb, in one call: capacity, quotas (top-down and
bottom-up, phased), their realism, next year's comp plan under them and the territories.

Each section carries an ``Availability``: the report shows one plain sentence instead of a
figure the data cannot support (no roster, no hire dates, too short a history, no accounts).
A step refused for a reason found in the data itself (e.g. no rep with enough months of
history) becomes that section's sentence; nothing is invented in its place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from salesops.analysis.comp.plans import Plan, load_plan
from salesops.analysis.comp.review import applicable
from salesops.analysis.planning.account_book import TERRITORY_NEEDS, AccountBook, account_book
from salesops.analysis.planning.assignment import TerritoryPlan, solve_territories
from salesops.analysis.planning.attrition import MIN_LEAVERS, Attrition, estimate_attrition
from salesops.analysis.planning.capacity import CAPACITY_NEEDS, CapacityPlan, capacity_plan
from salesops.analysis.planning.phasing import Seasonality, phase, seasonality
from salesops.analysis.planning.plan_comp import PLAN_COMP_NEEDS, PlanComp, plan_comp
from salesops.analysis.planning.quotas import (
    POTENTIAL_NEEDS,
    QUOTA_NEEDS,
    RAMPED_QUOTA_NEEDS,
    Allocation,
    basis_rates,
    basis_window,
    bottom_up,
    capacity_rates,
    hire_seats,
    is_planned_hire,
    side_by_side,
    top_down,
)
from salesops.analysis.planning.ramp_profile import RampProfile, estimate_ramp_profile
from salesops.analysis.planning.realism import (
    REALISM_NEEDS,
    Realism,
    draw_months,
    potential_flags,
    realism,
    simulated_bookings,
)
from salesops.analysis.planning.seats import plan_months, plan_year, seat_months
from salesops.data.asof import roster_as_of
from salesops.data.periods import Period, parse_date
from salesops.data.rep_months import rep_months
from salesops.data.requirements import AVAILABLE, Availability, Needs
from salesops.data.scope import Scope, scoped_view
from salesops.data.store import Dataset

#: The whole plan reads the deals and the reps who own them.
PLANNING_NEEDS = Needs("The plan (it needs deals and the reps who own them)",
                       tables=("opportunities", "reps"))
#: Without a territories table, territories follow the deals' owners still employed: that needs
#: the roster's termination dates (a roster derived from deal owners lists everyone who ever sold).
DERIVED_TERRITORY_NEEDS = Needs("Territory planning", tables=("opportunities", "reps"),
                                columns={"opportunities": ("account_id",),
                                         "reps": ("termination_date",)})
SECTIONS = ("capacity", "quotas", "realism", "comp", "territories")
DEFAULT_GROWTH = 0.15
#: A default target reads this many complete months of bookings.
TARGET_MONTHS = 12


@dataclass(frozen=True)
class Target:
    """The plan year's bookings target: given, or the last 12 complete months' bookings
    (``base``, months ``first``..``last``, of which the history holds ``months``) grown by
    ``growth``; NaN when the history holds fewer than 12 of them (no target is invented)."""

    amount: float
    given: bool
    base: float = float("nan")
    growth: float = 0.0
    first: pd.Timestamp | None = None
    last: pd.Timestamp | None = None
    months: int = TARGET_MONTHS

    @property
    def known(self) -> bool:
        """A target to plan against: given, or derived from a whole year of history."""
        return self.given or self.months >= TARGET_MONTHS


@dataclass(frozen=True)
class PlanningReview:
    """Every result the planning report shows, with an Availability per section (``SECTIONS``)
    and the caveats (one sentence each) the summary must show."""

    as_of: pd.Timestamp
    year: Period
    sections: dict[str, Availability]
    notes: tuple[str, ...] = ()
    target: Target | None = None
    capacity: CapacityPlan | None = None
    seats: pd.DataFrame | None = None
    top: Allocation | None = None
    bottom: Allocation | None = None
    compared: pd.DataFrame | None = None  # per team: top-down, bottom-up, difference
    season: Seasonality | None = None
    quotas: pd.DataFrame | None = None  # the plan year's quotas, planned hires' seats included
    realism: Realism | None = None
    flags: pd.DataFrame | None = None  # quotas high or low for the territory's potential
    comp: PlanComp | None = None
    book: AccountBook | None = None
    territories: TerritoryPlan | None = None

    @property
    def quotas_table(self) -> pd.DataFrame | None:
        """The canonical quotas table to write for ingest: the planned hires' seats (no rep
        on the roster yet) left out."""
        return None if self.quotas is None else \
            self.quotas.loc[~is_planned_hire(self.quotas["rep_id"])].reset_index(drop=True)


def plan_target(rm: pd.DataFrame, as_of: pd.Timestamp, calendar, target: float | None,
                growth: float = DEFAULT_GROWTH) -> Target:
    """``target`` as given, else the bookings of the 12 complete months before ``as_of`` grown
    by ``growth``."""
    if target is not None:
        return Target(float(target), True)
    first, last = basis_window("trailing_12m", as_of, calendar)
    window = rm.loc[(rm["month"] >= first) & (rm["month"] <= last)]
    base, months = float(window["bookings"].sum()), int(window["month"].nunique())
    amount = base * (1 + growth) if months >= TARGET_MONTHS else float("nan")
    return Target(amount, False, base, growth, first, last, months)


def parse_hires(value: Mapping | str | None) -> dict | None:
    """Planned hires as given to the report: a mapping month -> count, or its text as
    ``salesops run --param`` passes it (JSON ``{"2027-02": 2}`` or ``2027-02:2,2027-04:1``)."""
    if value is None or isinstance(value, Mapping):
        return None if value is None else dict(value)
    text = str(value).strip()
    if not text:
        return None
    try:
        parsed = json.loads(text) if text.startswith("{") else dict(
            (part.split(":")[0].strip(), float(part.split(":")[1])) for part in text.split(","))
    except (ValueError, IndexError):
        raise ValueError(f"hires: expected month counts like 2027-02:2,2027-04:1 or "
                         f'{{"2027-02": 2}}, got {text!r}') from None
    return dict(parsed)


def parse_ramp(value: tuple | list | str | None) -> tuple[float, ...] | None:
    """A given ramp profile: shares by tenure month, or their text (``[0.2, 0.5, 0.8]`` or
    ``0.2,0.5,0.8``)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            value = [float(v) for v in value.strip().strip("[]()").split(",")]
        except ValueError:
            raise ValueError(f"ramp: expected shares like 0.2,0.5,0.8, got {value!r}") from None
    return tuple(float(v) for v in value)


def _refused(what: str, exc: ValueError) -> Availability:
    """A step the data cannot support, as the section's sentence."""
    return Availability.missing(f"{what} cannot be shown: {exc}.".replace("..", "."))


def review(dataset: Dataset, as_of: str | pd.Timestamp | None, scope: str | Scope | None = None,
           target: float | None = None, growth: float = DEFAULT_GROWTH,
           basis: str = "trailing_12m", over_assignment: float = 0.15, phasing: str = "quarter",
           ramp: tuple[float, ...] | str | None = None, attrition: float | None = None,
           hires: Mapping | str | None = None, backfill_months: int = 2, plan: Plan | str = "current",
           draws: int = 1000, comp_draws: int = 200, tolerance: float = 0.05,
           within_region: bool = True, seed: int = 7) -> PlanningReview:
    """The plan for the fiscal year after ``as_of`` from ``scoped_view(dataset, as_of, scope)``;
    the planned territories' potential is each rep's for basis "potential" and the flags.
    ``hires`` and ``ramp`` may be given as text (``parse_hires``, ``parse_ramp``)."""
    hires, ramp = parse_hires(hires), parse_ramp(ramp)
    view = scoped_view(dataset, as_of, scope)
    day, cal = parse_date(view.as_of, name="as_of"), view.calendar
    year = plan_year(day, cal)
    base = PLANNING_NEEDS.check(view)
    if not base:
        return PlanningReview(day, year, dict.fromkeys(SECTIONS, base))
    rm = rep_months(view.reps, view.deals, day, cal)
    goal = plan_target(rm, day, cal, target, growth)
    notes = [] if RAMPED_QUOTA_NEEDS.check(view) or not QUOTA_NEEDS.check(view) else [
        "No hire dates: every rep counts as fully ramped and no quota is ramped."]
    sections = {"capacity": CAPACITY_NEEDS.check(view)}
    cp = None
    if sections["capacity"]:
        cp = capacity_plan(rm, view.reps, day, goal.amount if goal.known and goal.amount > 0
                           else None,
                           RampProfile.given(ramp) if ramp else _company_ramp(dataset, view, rm),
                           Attrition.given(attrition) if attrition is not None
                           else _company_attrition(dataset, view, day), hires,
                           backfill_months, calendar=cal, seed=seed)
        sections["capacity"] = cp.availability
    ramp_s = cp.ramp.series if cp is not None and cp.ramp.availability else (
        RampProfile.given(ramp).series if ramp else None)
    if cp is not None and not cp.ramp.availability:
        notes.append(cp.ramp.availability.reason)
    roster = roster_as_of(view.reps, day)
    months = plan_months(day, cal)
    try:
        planned = hire_seats(hires, months)
    except ValueError as exc:  # fractional hires: capacity counts them, a quota needs a person
        planned = hire_seats(None, months)
        notes.append(f"The planned hires hold no quota: {exc}.")
    seated = pd.concat([roster.loc[roster["termination_date"].isna()], planned],
                       ignore_index=True)
    seats = seat_months(seated, months, ramp_s)
    book, tp, sections["territories"] = _territories(view, day, tolerance, within_region, seed)
    potential = (tp.after.dropna(subset=["rep_id"]).groupby("rep_id")["potential"].sum()
                 if tp is not None else None)
    out = _quotas(view, rm, day, cal, seats, goal, basis, over_assignment, phasing, ramp_s,
                  potential)
    sections["quotas"] = out.pop("available")
    if not sections["quotas"]:
        short = Availability.missing(f"Not shown: there are no planned quotas ({sections['quotas'].reason})")
        sections |= {"realism": short, "comp": short}
        return PlanningReview(day, year, sections, tuple(notes), goal, cp, seats, book=book,
                              territories=tp)
    sections["realism"] = REALISM_NEEDS.check(view)
    try:
        drawn = draw_months(rm, seats, len(ramp_s) if ramp_s is not None else 0, draws, seed)
        real = realism(simulated_bookings(drawn, rm), out["top"].reps) \
            if sections["realism"] else None
    except ValueError as exc:
        drawn, real = None, None
        sections["realism"] = _refused("Quota realism before the year", exc)
    flags = potential_flags(out["top"].reps, potential) if potential is not None else None
    sections["comp"] = PLAN_COMP_NEEDS.check(view) if drawn is not None else sections["realism"]
    pc = None
    if sections["comp"]:
        paid, role_note = applicable(plan if isinstance(plan, Plan) else load_plan(plan), view)
        notes += [role_note] if role_note else []
        pc = plan_comp(paid, _on_plan(seated, paid), out["quotas"], view.deals,
                       drawn.loc[drawn["draw"] < comp_draws], year, cal)
    return PlanningReview(day, year, sections, tuple(notes), goal, cp, seats, out["top"],
                          out["bottom"], out["compared"], out["season"], out["quotas"], real,
                          flags, pc, book, tp)


def _company_ramp(dataset: Dataset, view: Dataset, rm: pd.DataFrame) -> RampProfile | None:
    """None (the audience's own hires give the profile) unless an audience has too few hires:
    then the company's profile, an aggregate of every rep's ramp that names nobody."""
    if getattr(view, "scope", Scope()).is_company or estimate_ramp_profile(rm).availability:
        return None
    company = scoped_view(dataset, view.as_of, None)
    profile = estimate_ramp_profile(rep_months(company.reps, company.deals, view.as_of,
                                               company.calendar))
    return replace(profile, source="company") if profile.availability else None


def _company_attrition(dataset: Dataset, view: Dataset, day: pd.Timestamp) -> Attrition | None:
    """None (measured on the audience) unless an audience saw fewer than ``MIN_LEAVERS`` leavers:
    then the company's rate (a team of 4 with nobody gone in two years is no evidence of 0%)."""
    own = estimate_attrition(view.reps, day)
    if getattr(view, "scope", Scope()).is_company or (own.leavers or 0) >= MIN_LEAVERS:
        return None
    company = estimate_attrition(scoped_view(dataset, day, None).reps, day)
    return replace(company, source="company") if company.availability else None


def _on_plan(seated: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """The roster the comp run pays: the seated reps, planned hires named by their seat and in
    the plan's role (they join on it)."""
    hired = is_planned_hire(seated["rep_id"])
    name = seated["name"].where(~hired, seated["rep_id"]) if "name" in seated else seated["rep_id"]
    role = seated["role"].where(~hired, plan.role) if "role" in seated else None
    return seated.assign(name=name, role=role)


def _territories(view: Dataset, day: pd.Timestamp, tolerance: float, within_region: bool,
                 seed: int) -> tuple[AccountBook | None, TerritoryPlan | None, Availability]:
    """The account book and the rebalanced territories (or the sentence saying why not)."""
    available = (TERRITORY_NEEDS if view.has("territories") else DERIVED_TERRITORY_NEEDS).check(view)
    if not available:
        return None, None, available
    book = account_book(view, day)
    if book.territories.empty or book.accounts.empty:
        return book, None, Availability.missing(
            f"Territory planning cannot be shown: no account or no territory to assign it to on "
            f"{day:%Y-%m-%d} (no territories table, and no owner of a deal employed then).")
    try:
        plan = solve_territories(book.accounts, book.territories, tolerance=tolerance,
                                 within_region=within_region, seed=seed)
    except ValueError as exc:
        return book, None, _refused("Territory planning", exc)
    return book, plan, AVAILABLE


def _quotas(view: Dataset, rm: pd.DataFrame, day: pd.Timestamp, cal, seats: pd.DataFrame,
            goal: Target, basis: str, over_assignment: float, phasing: str,
            ramp_s: pd.Series | None, potential: pd.Series | None) -> dict:
    """Top-down and bottom-up allocations, side by side, and the phased quotas table (or the
    sentence saying why not: ``available``)."""
    available = QUOTA_NEEDS.check(view)
    if available and basis == "potential":
        available = POTENTIAL_NEEDS.check(view)
        if available and potential is None:
            available = Availability.missing("Quotas by territory potential cannot be shown: the "
                                             "accounts have no potential to allocate by.")
    if available and seats.empty:
        available = Availability.missing(f"Quota allocation cannot be shown: no rep is employed "
                                         f"on {day:%Y-%m-%d} to hold a quota.")
    if available and not goal.known:
        available = Availability.missing(
            f"Quota allocation cannot be shown: no target was given and the history holds "
            f"{goal.months} of the {TARGET_MONTHS} complete months ({goal.first:%Y-%m} to "
            f"{goal.last:%Y-%m}) a default target is taken from; give a target.")
    if available and not goal.amount > 0:
        why = "as given" if goal.given else "no bookings in the last 12 complete months"
        available = Availability.missing(f"Quota allocation cannot be shown: the target is zero "
                                         f"({why}).")
    if not available:
        return {"available": available}
    try:
        rates = basis_rates(seats, basis, rm, day, cal, ramp_s, potential)
        top = top_down(goal.amount, seats, rates, over_assignment, basis)
        bottom = bottom_up(capacity_rates(seats, rm, day, cal, ramp_s), seats, over_assignment)
    except ValueError as exc:
        return {"available": _refused("Quota allocation", exc)}
    season = seasonality(rm, cal)
    return {"available": AVAILABLE, "top": top, "bottom": bottom,
            "compared": side_by_side(top, bottom), "season": season,
            "quotas": phase(top.reps, seats, season, phasing, cal)}
