"""Why a rep is below the bar: the weakest of four drivers, against the median of their peers.

Drivers: pipeline created per unit of quota (too little pipeline; fair across tenure and
segment), win rate by count (low win rate), average won
deal size (small deals), median sales cycle (long cycle). Peers are the rep's team when it has
at least ``min_peers`` ranked reps (and the roster has teams), else every ranked rep in scope.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.data.requirements import Needs

#: "Below the bar" is trailing-12-month attainment: the diagnosis needs quotas.
NEEDS = Needs("The diagnosis of reps below the bar", tables=("opportunities", "quotas"))
#: metric -> (driver name, True if higher is better)
DRIVERS: dict[str, tuple[str, bool]] = {
    "pipeline_to_quota": ("too little pipeline", True),
    "win_rate": ("low win rate", True),
    "avg_deal_size": ("small deals", True),
    "median_cycle_days": ("long cycle", False),
}
NO_DRIVER = "no single driver"


def shortfall(value: pd.Series, median: pd.Series, higher_is_better: bool) -> pd.Series:
    """Relative gap to the peer median in the bad direction (0.4 = 40% worse); NaN if unknown."""
    base = median.where(median > 0)
    gap = (base - value) / base if higher_is_better else (value - base) / base
    return gap.astype(float)


def diagnose(board: pd.DataFrame, threshold: float = 0.8, min_peers: int = 3,
             min_gap: float = 0.10) -> pd.DataFrame:
    """One row per ranked rep with attainment below ``threshold``, naming the main driver.

    ``board`` is a leaderboard (rep performance table with ``rank``). For each driver metric
    the row has the rep's value, the peer median and the shortfall; ``driver`` is the largest
    shortfall if it reaches ``min_gap``, else "no single driver".
    """
    ranked = board.loc[board["rank"].notna()].copy()
    team = ranked["team"] if "team" in ranked else pd.Series("", index=ranked.index)
    team_size = ranked.groupby(team)["rep_id"].transform("size")
    by_team = ("team" in ranked) & (team_size >= min_peers)
    ranked["peers"] = np.where(by_team, "team", "company")
    gaps = {}
    for metric, (_name, higher) in DRIVERS.items():
        team_median = ranked.groupby(team)[metric].transform("median")
        median = team_median.where(by_team, ranked[metric].median())
        ranked[f"peer_{metric}"] = median
        gaps[metric] = shortfall(ranked[metric], median, higher)
    gap = pd.DataFrame(gaps, index=ranked.index)
    worst = gap.fillna(-np.inf).idxmax(axis=1)
    worst_gap = gap.max(axis=1)
    ranked["driver"] = np.where(worst_gap >= min_gap, worst.map(lambda m: DRIVERS[m][0]), NO_DRIVER)
    ranked["driver_metric"] = np.where(worst_gap >= min_gap, worst, None)
    ranked["driver_gap"] = worst_gap.where(worst_gap >= min_gap)
    below = ranked.loc[ranked["attainment"] < threshold]
    return below.sort_values("attainment").reset_index(drop=True)
