"""Realism of planned quotas before the year starts: each rep's plan year simulated from history.

A simulated year resamples whole historical months: a ramped rep's plan month is one of their own
fully employed, ramped months of the last ``window`` months (their team's, then the company's,
when they have fewer than ``min_months``); a month a rep is still ramping is a month some rep had
at the same tenure. Attrition is not simulated (every seat stays filled all year).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.analysis.planning.ramp_profile import RAMPED_AFTER
from salesops.data.requirements import Needs

#: Share of reps at quota that a healthy plan reaches.
HEALTHY_BAND = (0.55, 0.70)
DEFAULT_DRAWS = 1000
DEFAULT_WINDOW = 24
MIN_OWN_MONTHS = 6
DRAW_COLUMNS = ("draw", "rep_id", "plan_month", "source_rep_id", "source_month", "source")

REALISM_NEEDS = Needs("Quota realism before the year", tables=("opportunities", "reps"))


@dataclass(frozen=True)
class Realism:
    """Simulated attainment of planned quotas.

    ``reps``: rep_id, team, quota, p_attain, bookings_p10/median/p90, attainment_median;
    ``share_at_quota`` the expected share of reps at quota (mean over draws), with its
    ``share_p10``/``share_p90`` over draws; ``verdict`` "below", "within" or "above" ``band``;
    ``band_scale`` the factors on every quota at which the share would reach the band's top and
    bottom (e.g. (0.78, 0.86): quotas at 78-86% of these put 55-70% of reps at quota).
    """

    reps: pd.DataFrame
    share_at_quota: float
    share_p10: float
    share_p90: float
    band: tuple[float, float]
    draws: int
    band_scale: tuple[float, float]

    @property
    def verdict(self) -> str:
        low, high = self.band
        return "below" if self.share_at_quota < low else "above" if self.share_at_quota > high \
            else "within"


def draw_months(rep_months: pd.DataFrame, seats: pd.DataFrame, ramped_after: int = RAMPED_AFTER,
                draws: int = DEFAULT_DRAWS, seed: int = 0, window: int = DEFAULT_WINDOW,
                min_months: int = MIN_OWN_MONTHS) -> pd.DataFrame:
    """For each draw, rep and plan month (``seats`` from ``planning.seats.seat_months``), the
    historical rep-month whose bookings it repeats (``DRAW_COLUMNS``; ``source`` = own, team,
    company or tenure). ``ramped_after`` = months of ramp (tenure beyond it is ramped; pass the
    ramp profile's ``months``)."""
    if draws < 1:
        raise ValueError(f"draws must be >= 1, got {draws}")
    hist = rep_months.assign(rep_id=rep_months["rep_id"].astype(str)).reset_index(drop=True)
    team = hist["team"].astype("string") if "team" in hist else pd.Series(pd.NA, index=hist.index)
    tenure = hist["tenure_month"].astype(float)
    recent = hist["month"] > hist["month"].max() - pd.DateOffset(months=window)
    ramped = recent & hist["full"].astype(bool) & (tenure.isna() | (tenure > ramped_after))
    company = np.flatnonzero(ramped)
    if company.size == 0:
        raise ValueError(f"no fully employed, ramped rep-month in the last {window} months to draw from")
    by_rep = hist.loc[ramped].groupby("rep_id").indices
    by_team = hist.loc[ramped].groupby(team[ramped].fillna("")).indices
    ramp_rows = hist.index[tenure.notna() & ((tenure == 1) | hist["full"].astype(bool))]
    by_tenure = pd.Series(ramp_rows, index=tenure[ramp_rows]).groupby(level=0).apply(np.array)
    ramped_idx = hist.index[ramped]

    rng = np.random.default_rng(seed)
    cells = seats.sort_values(["rep_id", "month"]).reset_index(drop=True)
    picks, sources = [], []
    for rep, rep_team, t in zip(cells["rep_id"].astype(str), cells["team"].astype("string").fillna(""),
                                cells["tenure_month"].astype(float), strict=True):
        if not np.isnan(t) and t <= ramped_after:
            known = by_tenure.index.to_numpy(float)
            nearest = known[np.argmin(np.abs(known - t))] if known.size else None
            pool, source = (by_tenure[nearest], "tenure") if nearest is not None else (company, "company")
        elif len(by_rep.get(rep, ())) >= min_months:
            pool, source = ramped_idx[by_rep[rep]], "own"
        elif len(by_team.get(rep_team, ())) >= min_months:
            pool, source = ramped_idx[by_team[rep_team]], "team"
        else:
            pool, source = company, "company"
        picks.append(np.asarray(pool)[rng.integers(0, len(pool), size=draws)])
        sources.append(source)
    n = len(cells)
    rows = np.concatenate(picks) if picks else np.array([], dtype=int)
    return pd.DataFrame({
        "draw": np.tile(np.arange(draws), n),
        "rep_id": np.repeat(cells["rep_id"].astype(str).to_numpy(), draws),
        "plan_month": np.repeat(cells["month"].to_numpy(), draws),
        "source_rep_id": hist["rep_id"].to_numpy()[rows],
        "source_month": hist["month"].to_numpy()[rows],
        "source": np.repeat(np.array(sources, dtype=object), draws),
    })[list(DRAW_COLUMNS)]


def simulated_bookings(drawn: pd.DataFrame, rep_months: pd.DataFrame) -> pd.DataFrame:
    """Plan-year bookings per draw and rep: the sum of their drawn months' bookings."""
    booked = rep_months.assign(rep_id=rep_months["rep_id"].astype(str)) \
        .set_index(["rep_id", "month"])["bookings"]
    keys = pd.MultiIndex.from_arrays([drawn["source_rep_id"], drawn["source_month"]])
    amounts = booked.reindex(keys).to_numpy(float)
    sim = drawn[["draw", "rep_id"]].assign(bookings=amounts)
    return sim.groupby(["draw", "rep_id"], as_index=False)["bookings"].sum()


def realism(simulated: pd.DataFrame, quotas: pd.DataFrame, band: tuple[float, float] = HEALTHY_BAND
            ) -> Realism:
    """Each rep's chance of reaching their annual quota (``quotas``: rep_id, quota, team) in the
    simulated years, and the share of reps at quota against ``band``. Reps with a zero quota
    are left out of the share."""
    q = quotas.assign(rep_id=quotas["rep_id"].astype(str)).set_index("rep_id")
    sim = simulated.loc[simulated["rep_id"].isin(q.index[q["quota"] > 0])]
    if sim.empty:
        raise ValueError("no rep with a quota above zero has simulated bookings")
    sim = sim.assign(quota=sim["rep_id"].map(q["quota"]))
    sim = sim.assign(attained=sim["bookings"] >= sim["quota"])
    per_rep = sim.groupby("rep_id").agg(
        p_attain=("attained", "mean"), bookings_p10=("bookings", lambda s: s.quantile(0.1)),
        bookings_median=("bookings", "median"), bookings_p90=("bookings", lambda s: s.quantile(0.9)))
    per_rep = q[["team", "quota"]].join(per_rep, how="inner").reset_index()
    per_rep["attainment_median"] = per_rep["bookings_median"] / per_rep["quota"]
    share = sim.groupby("draw")["attained"].mean()
    ratio = (sim["bookings"] / sim["quota"]).to_numpy(float)
    scale = (scale_for_share(ratio, band[1]), scale_for_share(ratio, band[0]))
    return Realism(per_rep.sort_values("p_attain").reset_index(drop=True), float(share.mean()),
                   float(share.quantile(0.1)), float(share.quantile(0.9)), band,
                   int(simulated["draw"].nunique()), scale)


def scale_for_share(ratios: np.ndarray, share: float) -> float:
    """The largest factor ``s`` on every quota at which at least ``share`` of the simulated
    rep-years reach it (bookings / quota >= s): the ceil(share x n)-th largest ratio."""
    ordered = np.sort(np.asarray(ratios, dtype=float))[::-1]
    k = max(1, int(np.ceil(share * ordered.size - 1e-9)))
    return float(ordered[k - 1])


def potential_flags(quotas: pd.DataFrame, potential: pd.Series, high: float = 1.5,
                    low: float = 2 / 3) -> pd.DataFrame:
    """Reps whose quota is high or low for their territory: quota / potential above ``high`` or
    below ``low`` times the median ratio of all reps with potential.

    Columns: rep_id, team, quota, potential, quota_to_potential, relative, looks ("high"/"low");
    a quota on a territory without potential looks high.
    """
    q = quotas.assign(rep_id=quotas["rep_id"].astype(str))
    q = q.loc[q["quota"] > 0, ["rep_id", "team", "quota"]]
    q["potential"] = q["rep_id"].map(potential.rename(index=str)).astype(float).fillna(0.0)
    q["quota_to_potential"] = q["quota"] / q["potential"].where(q["potential"] > 0)
    median = q["quota_to_potential"].median()
    if pd.isna(median):
        raise ValueError("no rep with a quota has any territory potential")
    q["relative"] = (q["quota_to_potential"] / median).fillna(np.inf)
    looks = np.where(q["relative"] > high, "high", np.where(q["relative"] < low, "low", ""))
    flagged = q.assign(looks=looks).loc[looks != ""]
    return flagged.sort_values("relative", ascending=False).reset_index(drop=True)
