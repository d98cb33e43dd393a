"""What-if: the same history through an alternative plan; winners, losers and cost difference."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from salesops.analysis.comp.evaluation import PayForPerformance, pay_for_performance

#: Payout differences within this many currency units count as unchanged.
TOLERANCE = 1.0


@dataclass(frozen=True)
class WhatIf:
    per_rep: pd.DataFrame  # rep_id, name, team, left, attainment, payout_base, payout_alt, difference
    cost_base: float
    cost_alt: float
    winners: int
    losers: int
    p4p_base: PayForPerformance
    p4p_alt: PayForPerformance
    tolerance: float = TOLERANCE

    @property
    def cost_difference(self) -> float:
        return self.cost_alt - self.cost_base

    @property
    def gains(self) -> pd.DataFrame:
        """Reps paid more than ``tolerance`` more under the alternative, biggest gain first."""
        return self.per_rep.loc[self.per_rep["difference"] > self.tolerance]

    @property
    def losses(self) -> pd.DataFrame:
        """Reps paid more than ``tolerance`` less under the alternative, biggest loss first."""
        lost = self.per_rep.loc[self.per_rep["difference"] < -self.tolerance]
        return lost.sort_values("difference", kind="stable")


def compare(base: pd.DataFrame, alt: pd.DataFrame, tolerance: float = TOLERANCE) -> WhatIf:
    """Compare two ``rep_outcomes`` frames of the same history (differences within
    ``tolerance`` currency units count as unchanged)."""
    keys = ["rep_id", "name", "team", "left", "attainment", "target_incentive"]
    per_rep = base[keys + ["payout"]].merge(
        alt[["rep_id", "payout"]], on="rep_id", how="outer", suffixes=("_base", "_alt"))
    per_rep[["payout_base", "payout_alt"]] = per_rep[["payout_base", "payout_alt"]].fillna(0.0)
    per_rep["difference"] = per_rep["payout_alt"] - per_rep["payout_base"]
    per_rep = per_rep.sort_values("difference", ascending=False).reset_index(drop=True)
    return WhatIf(per_rep, float(per_rep["payout_base"].sum()), float(per_rep["payout_alt"].sum()),
                  int((per_rep["difference"] > tolerance).sum()),
                  int((per_rep["difference"] < -tolerance).sum()),
                  pay_for_performance(base), pay_for_performance(alt), tolerance)
