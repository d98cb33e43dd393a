"""Ramp profile: the share of a ramped rep's productivity a new hire reaches in each tenure month.

Estimated from the team's own new hires (``rep_months``): in tenure month t, the hires' bookings
over what ramped reps (past ``ramped_after`` months, employed the whole month) booked on average
in the same calendar months, so growth and seasonality do not leak into the ramp. Shares are made
non-decreasing (weighted pool-adjacent-violators) and capped at 1; a tenure month observed for
fewer than ``min_hires`` hires is interpolated between its neighbours (1 after the profile).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.data.requirements import AVAILABLE, Availability, Needs

#: A rep counts as ramped after this many tenure months (the project's steady tenure).
RAMPED_AFTER = 12
#: Hires observed from their hire month needed to estimate a profile (and per tenure month).
MIN_HIRES = 3

RAMP_NEEDS = Needs("The ramp profile from the team's new hires", tables=("opportunities", "reps"),
                   columns={"reps": ("hire_date",)})


@dataclass(frozen=True)
class RampProfile:
    """``shares[t - 1]``: share of full productivity in tenure month t (1 after the last);
    ``hires[t - 1]``: hires it was measured on (empty when given); ``source``: history, given,
    or company (the company's profile, for an audience with too few hires of its own)."""

    shares: tuple[float, ...]
    source: str
    hires: tuple[int, ...] = ()
    availability: Availability = AVAILABLE

    @classmethod
    def given(cls, shares: tuple[float, ...] | list[float]) -> RampProfile:
        """A profile set by the user: one share in [0, 1] per tenure month from the hire month."""
        values = tuple(float(s) for s in shares)
        bad = [s for s in values if not 0.0 <= s <= 1.0]
        if bad:
            raise ValueError(f"ramp shares must lie in [0, 1], got {bad[0]!r}")
        return cls(values, "given")

    @classmethod
    def missing(cls, reason: str) -> RampProfile:
        """No profile: the history cannot give one (``reason`` is the sentence to show)."""
        return cls((), "history", availability=Availability.missing(reason))

    @property
    def months(self) -> int:
        """Tenure months the profile covers (a rep is fully productive after them)."""
        return len(self.shares)

    @property
    def series(self) -> pd.Series:
        """The shares indexed by tenure month 1..n."""
        return pd.Series(self.shares, index=pd.RangeIndex(1, self.months + 1, name="tenure_month"),
                         name="share", dtype=float)


def ramp_share(tenure: pd.Series, ramp: RampProfile | pd.Series | None) -> pd.Series:
    """Share of full productivity at each tenure month (1 = hire month): the profile's value, 1
    after it ends, when no profile is given, and when tenure is unknown; 0 before month 1."""
    if isinstance(ramp, RampProfile):
        ramp = ramp.series
    if ramp is None or ramp.empty:
        return pd.Series(1.0, index=tenure.index)
    t = tenure.astype(float)
    share = t.map(ramp.astype(float).rename(index=float))
    share = share.where(t.isna() | (t <= ramp.index.max()), 1.0).fillna(1.0)
    return share.where(t.isna() | (t >= 1), 0.0)


def ramped_month_means(rep_months: pd.DataFrame, ramped_after: int = RAMPED_AFTER) -> pd.Series:
    """Mean bookings per ramped rep-month (tenure past ``ramped_after``, whole month employed;
    unknown tenure counts as ramped), by month."""
    ramped = rep_months.loc[rep_months["full"] & ~(rep_months["tenure_month"] <= ramped_after)]
    return ramped.groupby("month")["bookings"].mean()


def estimate_ramp_profile(rep_months: pd.DataFrame, ramped_after: int = RAMPED_AFTER,
                          min_hires: int = MIN_HIRES) -> RampProfile:
    """The profile of tenure months 1..``ramped_after`` from the hires seen from their hire month
    (see the module docstring); ``RampProfile.missing`` with fewer than ``min_hires`` of them."""
    if rep_months["tenure_month"].isna().all():
        return RampProfile.missing("The ramp profile cannot be estimated from the history: no "
                                   "rep has a hire date; give a ramp profile instead.")
    reference = ramped_month_means(rep_months, ramped_after)
    hired_inside = rep_months.loc[rep_months["tenure_month"] == 1, "rep_id"].unique()
    ramping = rep_months.loc[rep_months["rep_id"].isin(hired_inside)
                             & (rep_months["tenure_month"] <= ramped_after)
                             & (rep_months["full"] | (rep_months["tenure_month"] == 1))]
    ramping = ramping.assign(reference=ramping["month"].map(reference)).dropna(
        subset=["reference"])
    hires = ramping.loc[ramping["tenure_month"] == 1, "rep_id"].nunique()
    if hires < min_hires:
        since = f" since {rep_months['month'].min():%B %Y}" if len(rep_months) else ""
        return RampProfile.missing(
            f"The ramp profile cannot be estimated from the history: {hires} rep"
            f"{' was' if hires == 1 else 's were'} hired{since} and seen from their hire month beside "
            f"ramped reps (at least {min_hires} are needed); give a ramp profile instead.")
    by_tenure = ramping.groupby("tenure_month").agg(
        bookings=("bookings", "sum"), reference=("reference", "sum"), hires=("rep_id", "nunique"))
    by_tenure = by_tenure.reindex(np.arange(1, ramped_after + 1, dtype=float))
    counts = by_tenure["hires"].fillna(0).astype(int).to_numpy()
    known = counts >= min_hires
    raw = (by_tenure["bookings"] / by_tenure["reference"].where(by_tenure["reference"] > 0)).to_numpy()
    known &= ~np.isnan(raw)
    shares = np.full(ramped_after, np.nan)
    shares[known] = _isotonic(raw[known], counts[known].astype(float))
    tenure = np.arange(1, ramped_after + 1)
    fill_x = np.r_[tenure[known], ramped_after + 1]
    fill_y = np.r_[shares[known], 1.0]
    shares = np.clip(np.interp(tenure, fill_x, fill_y), 0.0, 1.0)
    return RampProfile(tuple(float(s) for s in shares), "history", tuple(int(c) for c in counts))


def _isotonic(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted least-squares non-decreasing fit (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [mean, weight, size]
    for v, w in zip(values, weights, strict=True):
        blocks.append([float(v), float(w), 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            (m1, w1, n1), (m2, w2, n2) = blocks[-2], blocks.pop()
            blocks[-1] = [(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, n1 + n2]
    return np.concatenate([np.full(n, m) for m, _, n in blocks])
