"""Headline metrics for each of the last N fiscal quarters (the current one to date)."""

from __future__ import annotations

import pandas as pd

from salesops.analysis.performance.attainment import attainment, attainment_by_period, quota_status
from salesops.analysis.performance.bookings import outcomes, pipeline_created
from salesops.analysis.performance.consistency import bookings_matrix, span
from salesops.analysis.performance.scope import SCOPE_COLUMN, ReviewData, employed_during


def quarterly_trend(data: ReviewData, n_quarters: int = 8) -> pd.DataFrame:
    """One row per quarter: bookings, quota, attainment, share of reps at quota, win rates,
    average deal size, median cycle, pipeline created; ``complete`` is False for the quarter
    still running on ``as_of``.

    Share at quota counts reps with a quota above zero who were on the roster at the quarter's
    end (or on ``as_of``).
    """
    quarters = data.calendar.last_n(data.as_of, "quarter", n_quarters)
    window = span(quarters)
    cal = data.calendar
    won = outcomes(data.deals, window, SCOPE_COLUMN, cal, "quarter").droplevel(0)
    created = pipeline_created(data.deals, window, SCOPE_COLUMN, cal, "quarter").droplevel(0)
    starts = [q.start for q in quarters]
    out = won.reindex(starts).join(created.reindex(starts)).fillna(
        {c: 0 for c in [*won.columns.drop("median_cycle_days"), *created.columns]})
    quota, rep_att = attainment_by_period(bookings_matrix(data, quarters), data.quotas, quarters)
    out["quota"] = quota.sum(min_count=1).reindex(starts)
    reps = data.reps.set_index(data.reps["rep_id"].astype(str)).reindex(rep_att.index)
    share = {}
    for q in quarters:
        on_roll = employed_during(reps, min(q.end, data.as_of), min(q.end, data.as_of))
        eligible = rep_att[q.start].where(on_roll).dropna()
        share[q.start] = (eligible >= 1).mean() if len(eligible) else float("nan")
    out["share_at_quota"] = pd.Series(share)
    out["attainment"] = attainment(out["bookings"], out["quota"])
    out["quota_status"] = quota_status(out["quota"])
    closed = out["won_deals"] + out["lost_deals"]
    out["win_rate"] = out["won_deals"] / closed.where(closed > 0)
    out["avg_deal_size"] = out["bookings"] / out["priced_wins"].where(out["priced_wins"] > 0)
    out.insert(0, "quarter", [q.label for q in quarters])
    out["complete"] = [q.end <= data.as_of for q in quarters]
    return out.rename_axis("quarter_start").reset_index()
