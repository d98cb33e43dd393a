"""Consistency: how often each rep made quota lately, and how steady their monthly bookings are.

Periods at quota count the last ``n_periods`` complete fiscal periods the deals cover in which
the rep had a quota; the coefficient of variation (population std / mean) uses the last ``months`` complete
calendar-fiscal months the rep was employed for in full.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.analysis.performance.attainment import attainment_by_period
from salesops.analysis.performance.scope import ReviewData
from salesops.data.outcomes import won_by_period
from salesops.data.periods import Period
from salesops.data.requirements import Needs

#: Periods at quota need quotas; months employed need hire dates.
NEEDS = Needs("Consistency", tables=("opportunities", "quotas"), columns={"reps": ("hire_date",)})

GOOD, WEAK, VOLATILE, MIXED, TOO_NEW = (
    "consistently good", "consistently weak", "volatile", "mixed", "too new to judge")


def complete_periods(data: ReviewData, freq: str, n: int) -> list[Period]:
    """The last ``n`` periods of ``freq`` that ended on or before ``as_of`` and that the deals
    cover (see ``ReviewData.measured``), oldest first."""
    periods = data.calendar.last_n(data.as_of, freq, n + 1)
    done = [p for p in periods if p.end <= data.as_of and data.measured(p)]
    return done[-n:]


def span(periods: list[Period]) -> Period:
    """One window covering consecutive periods."""
    return Period(periods[0].freq, periods[0].start, periods[-1].end,
                  f"{periods[0].label} to {periods[-1].label}")


def bookings_matrix(data: ReviewData, periods: list[Period]) -> pd.DataFrame:
    """Rep x period-start won bookings over ``periods`` (zeros where nothing was won)."""
    won = won_by_period(data.deals, span(periods), data.calendar, periods[0].freq)
    table = won.unstack("period_start", fill_value=0.0) if len(won) else pd.DataFrame()
    return table.reindex(index=data.reps["rep_id"].astype(str).to_numpy(),
                         columns=[p.start for p in periods], fill_value=0.0)


def monthly_cv(data: ReviewData, months: int = 12, min_months: int = 6) -> pd.DataFrame:
    """Per rep: months observed (employed the whole month), mean and CV of monthly bookings."""
    periods = complete_periods(data, "month", months)
    if not periods:
        return pd.DataFrame(columns=["months_observed", "monthly_mean", "cv"])
    booked = bookings_matrix(data, periods)
    reps = data.reps.set_index(data.reps["rep_id"].astype(str)).reindex(booked.index)
    starts = np.array([p.start for p in periods], dtype="datetime64[ns]")
    ends = np.array([p.end for p in periods], dtype="datetime64[ns]")
    hired = reps["hire_date"].to_numpy()[:, None] <= starts[None, :]
    term = reps["termination_date"].to_numpy("datetime64[ns]")[:, None]
    stayed = np.isnat(term) | (term >= ends[None, :])
    observed = booked.where(hired & stayed)
    n = observed.notna().sum(axis=1)
    mean = observed.mean(axis=1)
    cv = observed.std(axis=1, ddof=0) / mean.where(mean > 0)
    return pd.DataFrame({"months_observed": n, "monthly_mean": mean,
                         "cv": cv.where(n >= min_months)})


def consistency(data: ReviewData, freq: str = "quarter", n_periods: int = 4, months: int = 12,
                volatile_cv: float = 1.2, good_share: float = 0.75, weak_share: float = 0.25,
                min_months: int = 6) -> pd.DataFrame:
    """Per active rep: periods at quota of the last ``n_periods``, monthly CV and a label.

    Labels: volatile (CV >= ``volatile_cv``), else consistently good (at quota in at least
    ``good_share`` of periods with quota), consistently weak (at most ``weak_share``), mixed;
    too new to judge with fewer than 2 periods with quota or ``min_months`` months observed.
    """
    periods = complete_periods(data, freq, n_periods)
    reps = data.reps.loc[data.reps["termination_date"].isna()]
    ids = reps["rep_id"].astype(str).to_numpy()
    shown = [c for c in ("name", "team") if data.has("reps", c)]
    out = pd.DataFrame({c: reps[c].to_numpy() for c in shown}, index=ids)
    if periods:
        quota, att = attainment_by_period(bookings_matrix(data, periods), data.quotas, periods)
        att = att.reindex(ids)
        out["periods_with_quota"] = att.notna().sum(axis=1)
        out["periods_at_quota"] = (att >= 1.0).sum(axis=1)
    else:
        out["periods_with_quota"] = out["periods_at_quota"] = 0
    out = out.join(monthly_cv(data, months, min_months))
    share = out["periods_at_quota"] / out["periods_with_quota"].where(out["periods_with_quota"] > 0)
    out["share_at_quota"] = share
    out["label"] = np.select(
        [(out["periods_with_quota"] < 2) | ~(out["months_observed"] >= min_months),
         out["cv"] >= volatile_cv,
         share >= good_share, share <= weak_share],
        [TOO_NEW, VOLATILE, GOOD, WEAK], default=MIXED)
    return out.rename_axis("rep_id").reset_index()
