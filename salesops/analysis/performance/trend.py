"""Headline metrics for each of the last N fiscal quarters the deals cover (the current one to
date); quarters that start before the first deal are not measured and not shown."""

from __future__ import annotations

import pandas as pd

from salesops.analysis.performance.attainment import attainment, attainment_by_period, quota_status
from salesops.analysis.performance.consistency import bookings_matrix, span
from salesops.analysis.performance.leaderboard import leaderboard, reps_at_quota
from salesops.analysis.performance.rollups import performance_table
from salesops.analysis.performance.scope import SCOPE_COLUMN, ReviewData
from salesops.data.outcomes import outcomes, pipeline_created
from salesops.data.periods import Period
from salesops.data.requirements import Availability, Needs

NEEDS = Needs("The quarterly trend", tables=("opportunities",))
#: Fewer measured quarters than this is not a trend.
MIN_QUARTERS = 2


def trend_quarters(data: ReviewData, n_quarters: int = 8) -> list[Period]:
    """The last ``n_quarters`` fiscal quarters to ``as_of`` that the deals cover, oldest first."""
    return [q for q in data.calendar.last_n(data.as_of, "quarter", n_quarters) if data.measured(q)]


def trend_availability(data: ReviewData, n_quarters: int = 8) -> Availability:
    """Available with at least ``MIN_QUARTERS`` measured quarters, else the sentence saying how
    many the deals cover."""
    k = len(trend_quarters(data, n_quarters))
    if k >= MIN_QUARTERS:
        return Availability(True)
    since = "" if data.history_start is None else f" (deals from {data.history_start:%Y-%m-%d})"
    covered = "no complete quarter" if k == 0 else "only 1 quarter"
    return Availability.missing(f"The quarterly trend cannot be shown: the data covers {covered}"
                                f"{since}; a trend needs at least {MIN_QUARTERS}.")


def quarterly_trend(data: ReviewData, n_quarters: int = 8, quotas: bool = True,
                    min_tenure_months: int = 3) -> pd.DataFrame:
    """One row per measured quarter: bookings, win rates, average deal size, median cycle,
    pipeline created (and deals created without an amount) and, with ``quotas``, quota,
    attainment and reps at quota; ``complete`` is False for the quarter still running.

    Reps at quota (``reps_at_quota`` of ``ranked_reps``, ``share_at_quota``) count as the
    summary does: the quarter's leaderboard (``min_tenure_months``) and ``reps_at_quota``.
    """
    quarters = trend_quarters(data, n_quarters)
    if not quarters:
        return pd.DataFrame(columns=["quarter_start", "quarter", "bookings", "complete"])
    window = span(quarters)
    cal = data.calendar
    won = outcomes(data.deals, window, SCOPE_COLUMN, cal, "quarter").droplevel(0)
    created = pipeline_created(data.deals, window, SCOPE_COLUMN, cal, "quarter").droplevel(0)
    starts = [q.start for q in quarters]
    out = won.reindex(starts).join(created.reindex(starts)).fillna(
        {c: 0 for c in [*won.columns.drop("median_cycle_days"), *created.columns]})
    if quotas:
        _share_at_quota(data, quarters, out, min_tenure_months)
    closed = out["won_deals"] + out["lost_deals"]
    out["win_rate"] = out["won_deals"] / closed.where(closed > 0)
    out["avg_deal_size"] = out["bookings"] / out["priced_wins"].where(out["priced_wins"] > 0)
    out.insert(0, "quarter", [q.label for q in quarters])
    out["complete"] = [q.end <= data.as_of for q in quarters]
    return out.rename_axis("quarter_start").reset_index()


def _share_at_quota(data: ReviewData, quarters: list[Period], out: pd.DataFrame,
                    min_tenure_months: int) -> None:
    """Add quota, attainment, quota status and reps at quota (count, ranked, share) to ``out``."""
    starts = [q.start for q in quarters]
    quota, _ = attainment_by_period(bookings_matrix(data, quarters), data.quotas, quarters)
    out["quota"] = quota.sum(min_count=1).reindex(starts)
    counted = [reps_at_quota(leaderboard(performance_table(data, q), min_tenure_months))
               for q in quarters]
    out["reps_at_quota"] = pd.Series([c.at_quota for c in counted], index=starts)
    out["ranked_reps"] = pd.Series([c.ranked for c in counted], index=starts)
    out["share_at_quota"] = pd.Series([c.share for c in counted], index=starts)
    out["attainment"] = attainment(out["bookings"], out["quota"])
    out["quota_status"] = quota_status(out["quota"])
