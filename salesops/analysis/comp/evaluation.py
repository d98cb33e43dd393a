"""Plan evaluation on real history: cost, pay curve, pay for performance, windfalls, quota realism.

Everything here reads a ``CompResult`` (statement lines and attainment) and the roster; payouts
are the variable pay of the run (all statement lines), targets the prorated target incentive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.analysis.comp.arrays import allocate_cents
from salesops.analysis.comp.engine import CompResult

#: The common benchmark for a healthy plan: 60-70% of reps at or above quota.
AT_QUOTA_NORM = (0.60, 0.70)


def _roster(reps: pd.DataFrame) -> pd.DataFrame:
    """Who each rep is: name, team, region, manager and ``left`` (termination date, NaT while
    employed)."""
    cols = ["rep_id", "name", "team", "region", "manager", "termination_date"]
    return (reps.reindex(columns=cols).rename(columns={"termination_date": "left"})
            .astype({"rep_id": str}))


def rep_outcomes(result: CompResult, reps: pd.DataFrame) -> pd.DataFrame:
    """One row per rep over the run: who (``_roster``), target, payout, payout/target,
    attainment, bookings.

    Attainment is credit / quota per measure summed over the run, weighted by measure weight.
    ``top_deal_cents`` is the largest amount any one deal paid the rep (commission + SPIF).
    """
    p = result.periods.groupby("rep_id", observed=True)[
        ["target_incentive_cents", "total_cents"]].sum()
    att = result.attainment.groupby(["rep_id", "measure"], observed=True)[["credit", "quota"]].sum()
    weights = pd.Series({m.name: float(m.weight) for m in result.plan.measures})
    ratio = (att["credit"] / att["quota"].where(att["quota"] > 0)).rename("ratio").reset_index()
    ratio["weighted"] = ratio["ratio"] * ratio["measure"].map(weights)
    attainment = ratio.groupby("rep_id")["weighted"].sum(min_count=1)
    first = result.plan.measures[0].name
    bookings = att.xs(first, level="measure")["credit"]
    deal_lines = result.lines.loc[result.lines["opportunity_id"].notna()]
    top = deal_lines.groupby(["rep_id", "opportunity_id"], observed=True)["amount_cents"].sum()
    top = top.groupby(level="rep_id", observed=True).max()
    out = p.join(attainment.rename("attainment")).join(bookings.rename("bookings"))
    out = out.join(top.rename("top_deal_cents")).reset_index()
    out["top_deal_cents"] = out["top_deal_cents"].fillna(0).astype(np.int64)
    out = out.rename(columns={"total_cents": "payout_cents"})
    out["target_incentive"] = out["target_incentive_cents"] / 100
    out["payout"] = out["payout_cents"] / 100
    out["payout_ratio"] = out["payout"] / out["target_incentive"].where(out["target_incentive"] > 0)
    roster = _roster(reps)
    out["rep_id"] = out["rep_id"].astype(str)
    return roster.merge(out, on="rep_id", how="inner").assign(plan=result.plan.name)


def cost_of_sales(outcomes: pd.DataFrame, by: str = "team", budget: float | None = None
                  ) -> pd.DataFrame:
    """Payout vs budget and comp / bookings per group and overall ('All'), in exact cents.

    The budget is the on-target variable pay (sum of target incentives) unless ``budget`` gives
    the overall figure, split across groups in proportion to their targets by largest remainder
    so that the groups' budgets add up to it to the cent. Reps of no known group are one
    '(no team)' group; when no rep has one, only the 'All' row is shown.
    """
    keys = outcomes[by].astype(object).where(outcomes[by].notna(), f"(no {by})")
    cents = outcomes.groupby(keys.rename(by))[["payout_cents", "target_incentive_cents"]].sum()
    g = pd.DataFrame({"reps": outcomes.groupby(keys.rename(by)).size(),
                      "bookings": outcomes.groupby(keys.rename(by))["bookings"].sum()})
    g = g.join(cents) if outcomes[by].notna().any() else g.iloc[:0].join(cents)
    total_target = int(outcomes["target_incentive_cents"].sum())
    total_budget = total_target if budget is None else round(budget * 100)
    g["budget_cents"] = (g["target_incentive_cents"].to_numpy() if budget is None
                         else allocate_cents(total_budget, g["target_incentive_cents"]))
    g.loc["All"] = [len(outcomes), outcomes["bookings"].sum(), outcomes["payout_cents"].sum(),
                    total_target, total_budget]
    g = g.astype({"reps": int, "payout_cents": np.int64, "target_incentive_cents": np.int64,
                  "budget_cents": np.int64})
    for name in ("payout", "target_incentive", "budget"):
        g[name] = g[f"{name}_cents"] / 100
    g["payout_vs_budget"] = g["payout"] / g["budget"].where(g["budget"] > 0)
    g["cost_of_sales"] = g["payout"] / g["bookings"].where(g["bookings"] > 0)
    return g.rename_axis(by).reset_index()


@dataclass(frozen=True)
class Distribution:
    """Attainment and payout over the whole run: how many reps reached their quota summed over
    the run (of those with a quota) and their on-target pay (of those with a target)."""

    reps: int
    with_quota: int
    at_quota: int
    with_target: int
    reaching_ote: int
    attainment_p10: float
    attainment_median: float
    attainment_p90: float
    payout_ratio_median: float

    @property
    def share_at_quota(self) -> float:
        return self.at_quota / self.with_quota if self.with_quota else float("nan")

    @property
    def share_reaching_ote(self) -> float:
        return self.reaching_ote / self.with_target if self.with_target else float("nan")


def distribution(outcomes: pd.DataFrame) -> Distribution:
    """Headline shape of attainment and payout: reps at quota and reaching on-target pay."""
    att, ratio = outcomes["attainment"].dropna(), outcomes["payout_ratio"].dropna()
    return Distribution(
        reps=len(outcomes), with_quota=len(att), at_quota=int((att >= 1).sum()),
        with_target=len(ratio), reaching_ote=int((ratio >= 1).sum()),
        attainment_p10=float(att.quantile(0.1)), attainment_median=float(att.median()),
        attainment_p90=float(att.quantile(0.9)), payout_ratio_median=float(ratio.median()))


@dataclass(frozen=True)
class PayForPerformance:
    rank_correlation: float  # Spearman rank correlation of payout ratio with attainment
    top_quartile_payout_ratio: float
    bottom_quartile_payout_ratio: float

    @property
    def top_to_bottom(self) -> float:
        """Mean payout/target of the top attainment quartile over that of the bottom quartile."""
        if self.bottom_quartile_payout_ratio <= 0:
            return float("inf") if self.top_quartile_payout_ratio > 0 else float("nan")
        return self.top_quartile_payout_ratio / self.bottom_quartile_payout_ratio


def pay_for_performance(outcomes: pd.DataFrame) -> PayForPerformance:
    """Does pay follow performance? Rank correlation and top vs bottom attainment quartile."""
    d = outcomes.dropna(subset=["attainment", "payout_ratio"])
    rho = d["attainment"].rank().corr(d["payout_ratio"].rank()) if len(d) > 2 else float("nan")
    q = d["attainment"].rank(pct=True, method="first")
    return PayForPerformance(float(rho), float(d.loc[q > 0.75, "payout_ratio"].mean()),
                             float(d.loc[q <= 0.25, "payout_ratio"].mean()))


def windfalls(outcomes: pd.DataFrame, multiple: float = 1.5) -> pd.DataFrame:
    """Reps paid at least ``multiple`` x target who would be at or below target without one deal."""
    top = outcomes["top_deal_cents"] / 100
    mask = (outcomes["payout_ratio"] >= multiple) & (
        outcomes["payout"] - top <= outcomes["target_incentive"])
    out = outcomes.loc[mask, ["rep_id", "name", "team", "left", "attainment", "payout",
                              "target_incentive", "payout_ratio"]].assign(top_deal_payout=top[mask])
    return out.sort_values("payout_ratio", ascending=False).reset_index(drop=True)


def quota_realism(result: CompResult, reps: pd.DataFrame, end: pd.Timestamp,
                  history: int = 4, high: float = 2.0, low: float = 0.5) -> tuple[pd.DataFrame,
                                                                                 pd.DataFrame]:
    """Attainment of complete rep-quarters (vs the 60-70% norm) and reps whose quota looks mis-set.

    Only quota periods that have ended and that the rep spent entirely on the plan count. A rep's
    latest such quota looks too high when it is above ``high`` times their own average bookings
    over up to ``history`` earlier such periods (at least 2) and they missed it; too low when it
    is below ``low`` times that average and they reached it. A rep whose history says one thing
    and whose result says the other (182% of a quota set at 2.3x their history) is not flagged.
    """
    a = result.attainment.loc[result.attainment["measure"] == result.plan.measures[0].name]
    a = a.assign(rep_id=a["rep_id"].astype(str))
    complete = a.loc[(a["quota_period_end"] <= end) & (a["active_share"] >= 1)]
    complete = complete.dropna(subset=["attainment"])
    complete = complete.sort_values(["rep_id", "quota_period"])
    prior = complete.groupby("rep_id")["credit"].transform(
        lambda s: s.shift(1).rolling(history, min_periods=2).mean())
    latest = complete.assign(history_bookings=prior).groupby("rep_id").tail(1)
    latest = latest.assign(quota_to_history=latest["quota"] / latest["history_bookings"]
                           .where(latest["history_bookings"] > 0))
    too_high = (latest["quota_to_history"] > high) & (latest["attainment"] < 1)
    too_low = (latest["quota_to_history"] < low) & (latest["attainment"] >= 1)
    flagged = latest.assign(looks=np.where(too_high, "too high", "too low"))[too_high | too_low]
    flagged = flagged.sort_values(["looks", "quota_to_history"], ascending=[True, False])
    names = _roster(reps)[["rep_id", "name", "team", "left"]]
    cols = ["rep_id", "name", "team", "left", "quota_period_label", "quota", "history_bookings",
            "quota_to_history", "attainment", "looks"]
    return complete, flagged.merge(names, on="rep_id")[cols].reset_index(drop=True)
