"""Why a rep is below the bar: the weakest of four drivers, against the median of their peers.

Drivers: pipeline created per unit of quota (too little pipeline; fair across tenure and
segment), win rate by count (low win rate), average won deal size (small deals), median sales
cycle (long cycle). A rep's peers are the other ranked reps of their team when it has at least
``min_peers`` of them (and the roster has teams), else every other ranked rep in scope: the rep
is never part of the median they are judged against. Reps below the bar with less than
``min_tenure_months`` in the job are not diagnosed (they are still ramping) and listed apart.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Diagnosis:
    """Reps diagnosed (worst first) and reps below the bar left out for short tenure."""

    reps: pd.DataFrame
    too_new: pd.DataFrame  # below the bar, tenure under min_tenure_months: not diagnosed
    threshold: float
    min_tenure_months: int
    tenure_known: bool  # False without hire dates: no rep is left out for tenure


def shortfall(value: pd.Series, median: pd.Series, higher_is_better: bool) -> pd.Series:
    """Relative gap to the peer median in the bad direction (0.4 = 40% worse); NaN if unknown."""
    base = median.where(median > 0)
    gap = (base - value) / base if higher_is_better else (value - base) / base
    return gap.astype(float)


def median_of_others(values: pd.Series, groups: pd.Series) -> pd.Series:
    """For each row, the median of the other rows of its group (missing values skipped; NaN
    when no other row has a value)."""
    out = pd.Series(np.nan, index=values.index, dtype=float)
    for _, idx in values.groupby(groups.to_numpy()).groups.items():
        group = values.loc[idx].to_numpy(float)
        for pos, row in enumerate(idx):
            others = np.delete(group, pos)
            others = others[~np.isnan(others)]
            out[row] = np.median(others) if len(others) else np.nan
    return out


def diagnose(board: pd.DataFrame, threshold: float = 0.8, min_peers: int = 3,
             min_gap: float = 0.10, min_tenure_months: int = 6) -> Diagnosis:
    """The ranked reps of ``board`` (a leaderboard) with attainment below ``threshold``, each
    with the main driver; those with tenure under ``min_tenure_months`` go to ``too_new``.

    For each driver metric a row has the rep's value, the peer median (without the rep) and the
    shortfall; ``driver`` is the largest shortfall if it reaches ``min_gap``, else "no single
    driver".
    """
    ranked = board.loc[board["rank"].notna()].copy()
    team = ranked["team"] if "team" in ranked else pd.Series("", index=ranked.index)
    others_in_team = ranked.groupby(team)["rep_id"].transform("size") - 1
    by_team = ("team" in ranked) & (others_in_team >= min_peers)
    ranked["peers"] = np.where(by_team, "team", "company")
    everyone = pd.Series(0, index=ranked.index)
    gaps = {}
    for metric, (_name, higher) in DRIVERS.items():
        median = median_of_others(ranked[metric], team).where(
            by_team, median_of_others(ranked[metric], everyone))
        ranked[f"peer_{metric}"] = median
        gaps[metric] = shortfall(ranked[metric], median, higher)
    gap = pd.DataFrame(gaps, index=ranked.index)
    worst = gap.fillna(-np.inf).idxmax(axis=1)
    worst_gap = gap.max(axis=1)
    ranked["driver"] = np.where(worst_gap >= min_gap, worst.map(lambda m: DRIVERS[m][0]), NO_DRIVER)
    ranked["driver_metric"] = np.where(worst_gap >= min_gap, worst, None)
    ranked["driver_gap"] = worst_gap.where(worst_gap >= min_gap)
    below = ranked.loc[ranked["attainment"] < threshold].sort_values("attainment")
    tenure_known = "tenure_months" in below
    new = below["tenure_months"] < min_tenure_months if tenure_known else \
        pd.Series(False, index=below.index)
    return Diagnosis(reps=below.loc[~new].reset_index(drop=True),
                     too_new=below.loc[new].reset_index(drop=True), threshold=threshold,
                     min_tenure_months=min_tenure_months, tenure_known=tenure_known)
