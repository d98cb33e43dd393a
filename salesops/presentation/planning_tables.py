"""Planning report tables: readable headers, formatted figures, escaped text (via
``tables.report_table``); one function per table of notebooks/planning.ipynb."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML
from pandas.io.formats.style import Styler

from salesops.analysis.planning.assignment import TerritoryPlan
from salesops.analysis.planning.capacity import CapacityPlan
from salesops.analysis.planning.plan_comp import PlanComp
from salesops.analysis.planning.quotas import Allocation
from salesops.analysis.planning.ramp_profile import RampProfile
from salesops.analysis.planning.realism import Realism
from salesops.presentation import formatting
from salesops.presentation.pipeline_tables import with_names
from salesops.presentation.tables import limited, report_table

M = "money_compact"
#: Start months whose hire adds less than this share of an earliest hire's bookings are not listed.
LATE_HIRE_SHARE = 0.10


def comp_reps_table(pc: PlanComp, currency: str = "USD", limit: int = 15) -> HTML:
    """Each rep on the plan: annual quota, target incentive, variable pay over the simulated
    years (P10, median, P90) and median attainment; highest median pay first."""
    def render(rows) -> Styler:
        return report_table(rows, {
            "name": ("Rep", None), "team": ("Team", None), "quota": ("Annual quota", M),
            "target_incentive": ("Target incentive", M), "payout_p10": ("Pay, P10", M),
            "payout_median": ("Pay, median", M), "payout_p90": ("Pay, P90", M),
            "attainment_median": ("Attainment, median", "pct")}, currency,
            f"Variable pay per rep, {pc.year.label} (over {pc.draws:,} simulated years)")
    return limited(pc.by_rep, render, limit, "reps", "median pay")


def headcount_table(cp: CapacityPlan, currency: str = "USD") -> Styler:
    """Expected headcount and capacity by month of the plan year."""
    rows = cp.by_month.loc[cp.by_month["in_plan_year"]].assign(
        month=lambda d: d["month"].dt.strftime("%Y-%m"))
    return report_table(rows, {
        "month": ("Month", None), "headcount": ("Reps on roll", "float"),
        "ramping": ("Ramping", "float"), "effective_headcount": ("Effective reps", "float"),
        "leavers": ("Leavers", "float"), "backfills": ("Backfills", "float"),
        "new_hires": ("Planned hires", "float"), "capacity": ("Capacity", M)}, currency,
        f"Expected headcount and capacity by month, {cp.year.label} (expected values: "
        "fractions of a rep)")


def hires_table(cp: CapacityPlan, currency: str = "USD") -> Styler:
    """For each possible start month: one more hire's plan-year bookings and the hires that
    close the gap (at the expected and at the P10 capacity)."""
    h = cp.hires_needed
    useful = h["capacity_per_hire"] >= LATE_HIRE_SHARE * h["capacity_per_hire"].max()
    rows = h.loc[useful].assign(hire_month=lambda d: d["hire_month"].dt.strftime("%Y-%m"))
    late = "" if useful.all() else (f" (later start months, each hire adding less than "
                                    f"{formatting.pct(LATE_HIRE_SHARE)} of an earliest hire's "
                                    "bookings, are left out)")
    return report_table(rows, {
        "hire_month": ("Start month", None), "capacity_per_hire": ("Bookings per hire", M),
        "hires": ("Hires to close the gap", "int"), "hires_at_low": ("At P10 capacity", "int")},
        currency, f"Hires needed to reach the {cp.year.label} target, by start month{late}")


def ramp_table(ramp: RampProfile) -> Styler:
    """The ramp profile: share of a ramped rep's bookings by tenure month (and the hires it was
    measured on)."""
    rows = ramp.series.rename("share").reset_index()
    if ramp.hires:
        rows["hires"] = list(ramp.hires)
    return report_table(rows, {"tenure_month": ("Tenure month", "int"),
                               "share": ("Share of a ramped rep's bookings", "pct"),
                               "hires": ("Hires measured", "int")}, caption="Ramp profile")


def compare_table(compared: pd.DataFrame, currency: str = "USD") -> Styler:
    """Top-down against bottom-up quota per team and the difference (asking more than the
    team's capacity in red)."""
    return report_table(compared, {
        "region": ("Region", None), "team": ("Team", None), "top_down": ("Top-down", M),
        "bottom_up": ("Bottom-up (capacity)", M), "difference": ("Difference", M),
        "difference_share": ("Difference %", "pct")}, currency,
        "Quota per team: top-down against bottom-up (difference = top-down - bottom-up)",
        bad={"difference": compared["difference"] > 0})


def allocation_table(top: Allocation, reps: pd.DataFrame | None = None, currency: str = "USD",
                     limit: int = 15) -> HTML:
    """Each rep's annual quota, with the basis rate it was allocated by; largest quota first."""
    rows = with_names(top.reps, reps).sort_values("quota", ascending=False, kind="stable")

    def render(d: pd.DataFrame) -> Styler:
        return report_table(d, {
            "rep": ("Rep", None), "team": ("Team", None),
            "effective_months": ("Effective months", "float"), "rate": ("Basis per month", M),
            "rate_source": ("Basis from", None), "quota": ("Annual quota", "money")}, currency,
            "Annual quota per rep (top-down)")
    return limited(rows, render, limit, "reps", "annual quota")


def phasing_table(totals: pd.DataFrame, currency: str = "USD") -> Styler:
    """The year's quotas per period (``planning_text.period_totals``) and each one's share."""
    return report_table(totals, {"period": ("Period", None), "quota": ("Quota", "money"),
                                 "share": ("Share of the year", "pct")}, currency,
                        "Quotas by period, all reps")


def realism_table(real: Realism, reps: pd.DataFrame | None = None, currency: str = "USD",
                  limit: int = 15) -> HTML:
    """Each rep's chance of reaching their annual quota and their simulated bookings; least
    likely first (below 50% in red)."""
    rows = with_names(real.reps, reps)

    def render(d: pd.DataFrame) -> Styler:
        return report_table(d, {
            "rep": ("Rep", None), "team": ("Team", None), "quota": ("Annual quota", M),
            "p_attain": ("Chance of quota", "pct"), "bookings_p10": ("Bookings P10", M),
            "bookings_median": ("Bookings median", M), "bookings_p90": ("Bookings P90", M),
            "attainment_median": ("Attainment, median", "pct")}, currency,
            f"Chance of reaching the annual quota (over {real.draws:,} simulated years)",
            bad={"p_attain": d["p_attain"] < 0.5})
    return limited(rows, render, limit, "reps", "chance of quota, lowest first")


def flags_table(flags: pd.DataFrame, reps: pd.DataFrame | None = None,
                currency: str = "USD") -> Styler:
    """Quotas that look high or low for the planned territory's potential."""
    rows = with_names(flags, reps)
    return report_table(rows, {
        "rep": ("Rep", None), "team": ("Team", None), "quota": ("Annual quota", M),
        "potential": ("Territory potential", M), "quota_to_potential": ("Quota / potential", "pct"),
        "relative": ("Against the median ratio", "ratio"), "looks": ("Looks", None)}, currency,
        "Quotas high or low for the planned territory's potential (quota / potential against "
        "the median of all reps)")


def _rep_names(ids: pd.Series, reps: pd.DataFrame | None) -> pd.Series:
    """Each rep id's name on the roster (a leaver marked), else the id; '–' for none."""
    named = with_names(pd.DataFrame({"rep_id": ids.astype("string")}), reps)["rep"]
    return named.where(ids.notna(), "–")


def balance_table(tp: TerritoryPlan, currency: str = "USD") -> Styler:
    """Balance of potential over the territories today and after rebalancing."""
    shown = {"count": formatting.count, "pct": formatting.pct,
             "money": lambda v: formatting.money(v, currency, compact=True)}
    rows = [{"measure": label, "before": shown[kind](getattr(tp.balance_before, key)),
             "after": shown[kind](getattr(tp.balance_after, key))}
            for label, kind, key in (
                ("Territories", "count", "territories"),
                ("Largest potential", "money", "largest"),
                ("Smallest potential", "money", "smallest"),
                ("Largest deviation from the average", "pct", "max_deviation"),
                ("Spread (largest - smallest deviation)", "pct", "spread"),
                ("Largest workload deviation", "pct", "workload_max_deviation"))]
    return report_table(pd.DataFrame(rows), {"measure": ("Measure", None),
                                             "before": ("Today", None),
                                             "after": ("Rebalanced", None)}, currency,
                        f"Balance of potential over territories ({tp.method}: {tp.status})")


def moves_table(tp: TerritoryPlan, reps: pd.DataFrame | None = None,
                accounts: pd.DataFrame | None = None, currency: str = "USD",
                limit: int = 15) -> HTML:
    """The accounts moved, largest trailing bookings first: from and to whom, their potential
    and the bookings at risk."""
    rows = with_names(tp.moves, None, accounts).assign(
        from_name=_rep_names(tp.moves["from_rep"], reps),
        to_name=_rep_names(tp.moves["to_rep"], reps))

    def render(d: pd.DataFrame) -> Styler:
        return report_table(d, {
            "account": ("Account", None), "segment": ("Segment", None),
            "region": ("Region", None), "from_name": ("From", None), "to_name": ("To", None),
            "potential": ("Potential", M), "trailing_bookings": ("Bookings, last 12 months", M)},
            currency, "Accounts moved")
    return limited(rows, render, limit, "accounts", "bookings of the last 12 months")


def rep_labels(ids: pd.Series, reps: pd.DataFrame | None = None) -> pd.Series:
    """Each rep id's name as the tables show it (indexed by rep id)."""
    return pd.Series(_rep_names(ids, reps).to_numpy(), index=ids.astype(str).to_numpy())


def territory_labels(tp: TerritoryPlan, reps: pd.DataFrame | None = None) -> pd.Series:
    """A label per territory: its rep's name when the territory is named by the rep id (a plan
    derived from the deals' owners), else 'territory (rep)'."""
    t = tp.before
    rep = _rep_names(t["rep_id"], reps)
    label = rep.where(t["territory"] == t["rep_id"], t["territory"].astype(str) + " (" + rep + ")")
    return pd.Series(label.to_numpy(), index=t["territory"].to_numpy())


def current_reps_table(cp: CapacityPlan, limit: int = 15) -> HTML:
    """Today's reps by tenure (longest first): hire date, tenure month today and the effective
    (ramp-weighted) months each gives the plan year if they stay."""
    rows = cp.reps.assign(rep=cp.reps["name"].astype(object).where(cp.reps["name"].notna(),
                                                                   cp.reps["rep_id"]))

    def render(d: pd.DataFrame) -> Styler:
        return report_table(d, {
            "rep": ("Rep", None), "team": ("Team", None), "hire_date": ("Hired", "date"),
            "tenure_month": ("Tenure month today", "int"),
            "plan_effective_months": (f"Effective months in {cp.year.label}", "float")},
            caption="Today's reps by tenure")
    return limited(rows, render, limit, "reps", "tenure, longest first")
