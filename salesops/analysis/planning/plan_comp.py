"""Next year's comp plan under the planned quotas: cost of sales and the payout range.

Each simulated plan year (a "draw", from ``planning.realism.draw_months``) gives every rep a
whole historical month of their own for each plan month; the won deals of that month are moved
into the plan month and the comp engine pays the draw's year on the planned quotas. All draws
run as one engine run (rep ``R0001`` of draw 3 is ``R0001#3``), so the range is that of real
statements, not of a formula.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.analysis.comp.engine import CompInputs, run_plan
from salesops.analysis.comp.evaluation import cost_of_sales, rep_outcomes
from salesops.analysis.comp.plans import Plan
from salesops.data.periods import FiscalCalendar, Period
from salesops.data.requirements import Needs

#: Comp under the planned quotas pays the reps on their own won deals.
PLAN_COMP_NEEDS = Needs("Comp under the planned quotas (it needs deals and the reps who own them)",
                        tables=("opportunities", "reps"))
#: Separates a rep's id from the draw's number in the combined run.
DRAW_MARK = "#"
#: The range reported: P10, median, P90 over the draws.
QUANTILES = (0.1, 0.5, 0.9)
DRAW_COLUMNS = ("draw", "rep_id", "plan_month", "source_month")


@dataclass(frozen=True)
class Range:
    """P10, median and P90 of one figure over the draws."""

    p10: float
    median: float
    p90: float


@dataclass(frozen=True)
class PlanComp:
    """The plan paid over every draw of the plan year: one row per draw (``by_draw``: bookings,
    payout, budget, payout_vs_budget, cost_of_sales, reps, at_quota), one per rep (``by_rep``:
    who, annual quota, target incentive, payout P10/median/P90, median attainment) and the
    ranges of the company's payout and cost of sales."""

    plan: Plan
    year: Period
    draws: int
    budget: float  # on-target variable pay of the reps on the plan (the same in every draw)
    by_draw: pd.DataFrame
    by_rep: pd.DataFrame
    payout: Range
    cost_of_sales: Range
    payout_vs_budget: Range
    at_quota: Range  # share of reps on the plan at or above their annual quota


def quantiles(values: pd.Series) -> Range:
    """P10, median and P90 (linear interpolation) of ``values``, NaN ignored."""
    q = np.nanquantile(values.to_numpy(float), QUANTILES) if values.notna().any() \
        else [np.nan] * 3
    return Range(*(float(v) for v in q))


def _check_draws(draws: pd.DataFrame) -> None:
    lacking = [c for c in DRAW_COLUMNS if c not in draws]
    if lacking:
        raise ValueError(f"draws: no column {', '.join(repr(c) for c in lacking)} (expected "
                         f"{', '.join(DRAW_COLUMNS)})")
    for col in ("plan_month", "source_month"):
        bad = draws[col].isna() | (pd.to_datetime(draws[col]).dt.day != 1)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(f"draws: row {row}, column '{col}': must be the first day of a month")


def drawn_id(ids: pd.Series, draw: pd.Series) -> pd.Series:
    """'R0001#3': a rep (or account) of one draw in the combined run."""
    return ids.astype(str) + DRAW_MARK + draw.astype(str)


def plan_year_deals(deals: pd.DataFrame, draws: pd.DataFrame) -> pd.DataFrame:
    """The won deals of each draw's plan year: every won deal closed in a drawn source month by
    its source rep (``source_rep_id``; the rep themself when the draws have no such column),
    moved to the plan month (same day of the month, at most the month's last day) and credited
    to the drawn rep; rep and account ids carry the draw (``drawn_id``), the deal id the draw
    and plan month too. Deals without an amount are left out (unknown, never $0)."""
    _check_draws(draws)
    won = deals.loc[(deals["status"] == "won") & deals["amount"].notna()]
    won = won.assign(source_month=won["close_date"].dt.to_period("M").dt.to_timestamp(),
                     source_rep_id=won["rep_id"].astype(str)).drop(columns="rep_id")
    source = draws["source_rep_id"] if "source_rep_id" in draws else draws["rep_id"]
    d = draws.assign(rep_id=draws["rep_id"].astype(str), source_rep_id=source.astype(str),
                     plan_month=pd.to_datetime(draws["plan_month"]),
                     source_month=pd.to_datetime(draws["source_month"]))
    moved = d[["draw", "rep_id", "plan_month", "source_rep_id", "source_month"]].merge(
        won, on=["source_rep_id", "source_month"], how="inner")
    day = moved["close_date"].dt.day.clip(upper=moved["plan_month"].dt.days_in_month)
    close = moved["plan_month"] + pd.to_timedelta(day - 1, unit="D")
    cols = {"opportunity_id": moved["opportunity_id"].astype(str) + "@" + moved["draw"].astype(str)
            + ":" + moved["plan_month"].dt.strftime("%Y-%m"),
            "rep_id": drawn_id(moved["rep_id"], moved["draw"]),
            "account_id": drawn_id(moved["account_id"] if "account_id" in moved
                                   else moved["opportunity_id"], moved["draw"]),
            "product": moved["product"] if "product" in moved else pd.NA,
            "amount": moved["amount"].astype(float),
            "created_date": close, "close_date": close, "status": "won",
            "draw": moved["draw"], "source_opportunity_id": moved["opportunity_id"]}
    return pd.DataFrame(cols).reset_index(drop=True)


def _drawn_frame(frame: pd.DataFrame, reps: pd.Index, draw_ids: np.ndarray) -> pd.DataFrame:
    """``frame``'s rows of ``reps`` once per draw, rep ids carrying the draw."""
    rows = frame.loc[frame["rep_id"].astype(str).isin(reps)]
    out = pd.concat([rows.assign(draw=d) for d in draw_ids], ignore_index=True)
    return out.assign(rep_id=drawn_id(out["rep_id"], out["draw"]))


def plan_comp(plan: Plan, reps: pd.DataFrame, quotas: pd.DataFrame, deals: pd.DataFrame,
              draws: pd.DataFrame, year: Period, calendar: FiscalCalendar | None = None,
              budget: float | None = None) -> PlanComp:
    """``plan`` paid over each draw of the plan ``year`` on the planned ``quotas`` (canonical
    quotas table). ``reps``: the roster (the reps of ``draws`` found in it are paid; the plan's
    role and team filters apply); ``deals``: the history the draws resample; ``budget``: the
    year's variable-pay budget, default the on-target variable pay."""
    _check_draws(draws)
    ids = pd.Index(draws["rep_id"].astype(str).unique()).intersection(reps["rep_id"].astype(str))
    draw_ids = np.sort(draws["draw"].unique())
    roster = _drawn_frame(reps, ids, draw_ids)
    planned = _drawn_frame(quotas[["rep_id", "period_start", "period_end", "quota_amount"]],
                           ids, draw_ids)
    moved = plan_year_deals(deals, draws.loc[draws["rep_id"].astype(str).isin(ids)])
    inputs = CompInputs(roster.drop(columns="draw"), planned.drop(columns="draw"),
                        moved.drop(columns=["draw", "source_opportunity_id"]),
                        calendar or FiscalCalendar())
    result = run_plan(plan, inputs, year.start, year.end)
    outcomes = rep_outcomes(result, roster.drop(columns="draw"))
    parts = outcomes["rep_id"].str.rpartition(DRAW_MARK)
    outcomes = outcomes.assign(rep_id=parts[0], draw=parts[2].astype(draws["draw"].dtype))
    return _summary(plan, year, len(draw_ids), outcomes, planned, budget)


def _summary(plan: Plan, year: Period, n_draws: int, outcomes: pd.DataFrame,
             planned: pd.DataFrame, budget: float | None) -> PlanComp:
    """Per draw and per rep figures of the combined run's outcomes."""
    cost = cost_of_sales(outcomes, "draw")
    by_draw = cost.loc[cost["draw"] != "All"]
    if budget is not None:  # the year's budget, the same in every draw
        by_draw = by_draw.assign(budget=float(budget),
                                 payout_vs_budget=by_draw["payout"] / budget if budget > 0
                                 else np.nan)
    at_quota = outcomes.groupby("draw")["attainment"].apply(
        lambda a: float((a.dropna() >= 1).mean()) if a.notna().any() else np.nan)
    by_draw = by_draw.assign(draw=by_draw["draw"].astype(outcomes["draw"].dtype))
    by_draw = by_draw.merge(at_quota.rename("at_quota").reset_index(), on="draw")
    by_draw = by_draw[["draw", "reps", "bookings", "payout", "budget", "payout_vs_budget",
                       "cost_of_sales", "at_quota"]].sort_values("draw").reset_index(drop=True)
    in_year = planned.loc[(planned["period_start"] >= year.start)
                          & (planned["period_end"] <= year.end)]
    quota = in_year.assign(rep_id=in_year["rep_id"].str.rpartition(DRAW_MARK)[0]).drop_duplicates(
        ["rep_id", "period_start"]).groupby("rep_id")["quota_amount"].sum()
    g = outcomes.groupby("rep_id")
    by_rep = g[["name", "team", "region"]].first().join(quota.rename("quota"))
    by_rep["target_incentive"] = g["target_incentive"].median()
    for name, q in zip(("payout_p10", "payout_median", "payout_p90"), QUANTILES, strict=True):
        by_rep[name] = g["payout"].quantile(q)
    by_rep["attainment_median"] = g["attainment"].median()
    by_rep["bookings_median"] = g["bookings"].median()
    by_rep = by_rep.reset_index().sort_values("payout_median", ascending=False,
                                               kind="stable").reset_index(drop=True)
    total = float(by_draw["budget"].iloc[0]) if len(by_draw) else float("nan")
    return PlanComp(plan, year, n_draws, total, by_draw, by_rep, quantiles(by_draw["payout"]),
                    quantiles(by_draw["cost_of_sales"]), quantiles(by_draw["payout_vs_budget"]),
                    quantiles(by_draw["at_quota"]))
