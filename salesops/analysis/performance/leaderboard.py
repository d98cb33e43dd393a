"""Rep ranking and the attainment distribution, restricted to reps it is fair to rank.

Ranked by attainment when there are quotas, else by bookings. Eligible: active at the end of the
period (or on ``as_of`` if earlier), at least ``min_tenure_months`` in the job (only when hire
dates are known: an unknown tenure excludes no one), and, by attainment, a quota above zero.
Everyone else is listed with the reason and no rank. Ties share the better rank; quartile 1 is
the top quarter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.analysis.performance.attainment import QUOTA_OK
from salesops.analysis.performance.rollups import at_quota
from salesops.data.requirements import Needs

#: A healthy plan has roughly this share of reps at quota.
HEALTHY_BAND = (0.60, 0.70)
#: The leaderboard needs the deals (by bookings); the minimum-tenure rule needs hire dates.
NEEDS = Needs("The leaderboard", tables=("opportunities",))
TENURE_NEEDS = Needs("The minimum-tenure rule", tables=("reps",), columns={"reps": ("hire_date",)})


def eligibility(reps: pd.DataFrame, min_tenure_months: int = 3) -> pd.Series:
    """Why each rep of a rep performance table is not ranked ('' when eligible); the tenure and
    quota rules apply only where the table has tenure and quota columns."""
    rules = [(~reps["active"].astype(bool), "left")]
    if "tenure_months" in reps:
        rules.append((reps["tenure_months"] < min_tenure_months,
                      f"under {min_tenure_months} months tenure"))
    if "quota_status" in reps:
        rules.append((reps["quota_status"] != QUOTA_OK, "no quota"))
    reason = np.select([mask.to_numpy(bool) for mask, _ in rules], [r for _, r in rules],
                       default="")
    return pd.Series(reason, index=reps.index, name="not_ranked")


def leaderboard(reps: pd.DataFrame, min_tenure_months: int = 3) -> pd.DataFrame:
    """Rep table sorted by ``ranked_by`` (attainment when the table has it, else bookings) with
    ``rank`` and ``quartile`` (NaN if not ranked)."""
    metric = ranked_by(reps)
    out = reps.assign(not_ranked=eligibility(reps, min_tenure_months))
    ranked = out["not_ranked"] == ""
    out["rank"] = out[metric].where(ranked).rank(ascending=False, method="min")
    n = int(ranked.sum())
    out["quartile"] = np.floor((out["rank"] - 1) * 4 / max(n, 1)) + 1
    if metric == "attainment":
        out["at_quota"] = at_quota(out)
    out = out.sort_values(["rank", metric], ascending=[True, False], na_position="last")
    return out.reset_index(drop=True)


def ranked_by(board: pd.DataFrame) -> str:
    """The column a leaderboard ranks by: 'attainment' or 'bookings'."""
    return "attainment" if "attainment" in board else "bookings"


@dataclass(frozen=True)
class RepsAtQuota:
    """Ranked reps at or above quota, out of the ranked reps (the one denominator)."""

    at_quota: int
    ranked: int

    @property
    def share(self) -> float:
        return self.at_quota / self.ranked if self.ranked else float("nan")


def reps_at_quota(board: pd.DataFrame) -> RepsAtQuota:
    """Reps at quota of a leaderboard ranked by attainment: ranked reps (active, past the minimum
    tenure, quota above zero) with attainment >= 100%, of all ranked reps. The summary, the trend
    and the headline all count with this."""
    ranked = board.loc[board["rank"].notna()]
    return RepsAtQuota(int(at_quota(ranked).sum()), len(ranked))


@dataclass(frozen=True)
class AttainmentDistribution:
    """How ranked reps' attainment spreads, and where the share at quota sits vs a healthy plan.

    With the period still running, the healthy-band comparison uses the share on pace
    (attainment >= elapsed share of the period); otherwise the share at quota.
    """

    ranked_reps: int
    at_quota: int
    share_at_quota: float
    on_pace: int
    share_on_pace: float
    median_attainment: float
    elapsed: float
    healthy_band: tuple[float, float]

    @property
    def compared_share(self) -> float:
        return self.share_at_quota if self.elapsed >= 1.0 else self.share_on_pace

    @property
    def position(self) -> str:
        """'below', 'within' or 'above' the healthy band ('unknown' with no ranked rep)."""
        share = self.compared_share
        if self.ranked_reps == 0 or np.isnan(share):
            return "unknown"
        low, high = self.healthy_band
        return "below" if share < low else "above" if share > high else "within"


def attainment_distribution(board: pd.DataFrame, elapsed: float = 1.0,
                            healthy_band: tuple[float, float] = HEALTHY_BAND
                            ) -> AttainmentDistribution:
    """Summary of a leaderboard's ranked reps; shares are NaN when no rep is ranked."""
    ranked = board.loc[board["rank"].notna()]
    counted = reps_at_quota(board)
    n, hit = counted.ranked, counted.at_quota
    pace = int((ranked["attainment"] >= elapsed).sum())
    return AttainmentDistribution(
        ranked_reps=n, at_quota=hit, share_at_quota=counted.share,
        on_pace=pace, share_on_pace=pace / n if n else float("nan"),
        median_attainment=float(ranked["attainment"].median()) if n else float("nan"),
        elapsed=elapsed, healthy_band=healthy_band,
    )
