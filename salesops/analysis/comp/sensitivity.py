"""Sensitivity: seeded Monte Carlo of next period's attainment, giving payout P10 / P50 / P90.

Each rep's attainment is drawn from a lognormal around their recent mean attainment, with the
spread of attainment seen across the team's recent rep-periods; the plan's pay curve turns each
draw into a payout (threshold, tiers and cap included).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.analysis.comp.engine import payout_at_attainment
from salesops.analysis.comp.plans import Plan


@dataclass(frozen=True)
class Sensitivity:
    totals: np.ndarray  # simulated total payout of the team, one per draw
    per_rep: pd.DataFrame  # rep_id, mean_attainment, payout_p10 / p50 / p90
    sigma: float  # spread (std of log attainment) used

    def quantiles(self) -> dict[str, float]:
        p10, p50, p90 = np.percentile(self.totals, [10, 50, 90])
        return {"P10": float(p10), "P50": float(p50), "P90": float(p90)}


def simulate_next_period(plan: Plan, complete: pd.DataFrame, n_sims: int = 2000, seed: int = 0,
                         recent: int = 4, sigma: float | None = None) -> Sensitivity:
    """Payout of the next quota period for reps with history in ``complete`` (rep-periods from
    ``quota_realism``: rep_id, quota, attainment), each at their latest quota."""
    c = complete.dropna(subset=["attainment"]).sort_values(["rep_id", "quota_period"])
    c = c.groupby("rep_id").tail(recent)
    logs = np.log(np.maximum(c["attainment"].to_numpy(), 0.05))
    if sigma is None:
        sigma = float(pd.Series(logs).groupby(c["rep_id"].to_numpy()).transform(
            lambda s: s - s.mean()).std(ddof=1)) if len(c) > 2 else 0.3
    reps = c.groupby("rep_id").agg(mean_log=("attainment", lambda s: float(
        np.log(np.maximum(s, 0.05)).mean())), quota=("quota", "last")).reset_index()
    rng = np.random.default_rng(seed)
    draws = np.exp(reps["mean_log"].to_numpy()[:, None]
                   + sigma * rng.standard_normal((len(reps), n_sims)))
    quota = np.repeat(reps["quota"].to_numpy(np.float64), n_sims)
    pay = payout_at_attainment(plan, draws.ravel(), quota=quota).reshape(draws.shape)
    q = np.percentile(pay, [10, 50, 90], axis=1)
    per_rep = pd.DataFrame({"rep_id": reps["rep_id"],
                            "mean_attainment": np.exp(reps["mean_log"]),
                            "payout_p10": q[0], "payout_p50": q[1], "payout_p90": q[2]})
    return Sensitivity(pay.sum(axis=0), per_rep, float(sigma))
