"""One performance table per grouping: rep, team, manager, region or the whole scope.

Every level is computed from the same deals with the same definitions, so the sums (bookings,
quota, deals, pipeline) of any level reconcile with the rep level; ratios are recomputed from
sums (never averaged), and medians come from the deals of the group.
"""

from __future__ import annotations

import pandas as pd

from salesops.analysis.performance.attainment import (
    QUOTA_OK,
    attainment,
    quota_status,
)
from salesops.analysis.performance.scope import (
    SCOPE_COLUMN,
    SCOPE_LEVELS,
    UNASSIGNED,
    ReviewData,
    to_date,
)
from salesops.data.asof import employed_during, tenure_months
from salesops.data.outcomes import open_pipeline, outcomes, pipeline_created
from salesops.data.periods import Period
from salesops.data.quotas import quota_for_period
from salesops.data.requirements import Needs

REP_COLUMNS = ("rep_id", "name", "manager", "team", "region", "hire_date", "termination_date")
#: A rollup by region, manager or team needs that column in the roster.
NEEDS_BY_LEVEL: dict[str, Needs] = {
    level: Needs(f"The rollup by {level}", tables=("opportunities",), columns={"reps": (level,)})
    for level in SCOPE_LEVELS}
#: Sums that are zero for a group with no deal.
COUNTS = ("won_deals", "lost_deals", "bookings", "lost_amount", "priced_wins",
          "deals_missing_amount", "deals_created", "pipeline_created", "created_without_amount")


def rep_quota(data: ReviewData, period: Period) -> pd.Series:
    """Quota per in-scope rep for ``period`` (NaN: no quota row)."""
    return quota_for_period(data.quotas, period).reindex(data.reps["rep_id"].astype(str).to_numpy())


def performance_table(
    data: ReviewData, period: Period, by: str | None = "rep_id", next_period: Period | None = None,
    days: int | None = None, quotas: bool = True,
) -> pd.DataFrame:
    """Bookings, quota, attainment, win rates, deal size, cycle, pipeline and coverage per group.

    ``by``: 'rep_id', 'team', 'manager', 'region' or None (one row for the whole scope). With
    ``next_period``: the open deals expected to close then (count, without amount, value) and,
    with quotas, coverage as ``salesops.data.coverage`` defines it: their known value / what is
    still to close of its quota (the next period has not started, so nothing is booked in it
    yet: its whole quota); NaN without that quota or when none of the deals has an amount. With
    ``days``, deals count only in
    the period's first ``days`` days (to-date comparisons) while quota stays the full period's.
    ``quotas=False`` (no quotas table) leaves out every quota column rather than filling them.
    Rep rows cover reps employed during the counted days plus any rep with a deal in them, with
    the roster columns the data has.
    """
    window = period if days is None else to_date(period, days)
    deals, key = data.deals, by or SCOPE_COLUMN
    out = outcomes(deals, window, key).join(pipeline_created(deals, window, key), how="outer")
    reps = data.reps.assign(rep_id=data.reps["rep_id"].astype(str))
    employed = _employed(data, reps, window)
    if quotas:
        quota = rep_quota(data, period)
        out["quota"] = _group_sum(quota, reps, key).reindex(out.index)
        no_quota = pd.Series((employed.to_numpy() & ~(quota.to_numpy() > 0)).astype(int),
                             index=quota.index)
        out["reps_without_quota"] = _group_sum(no_quota, reps, key).reindex(out.index).fillna(0)
    if next_period is not None:
        pipe = open_pipeline(deals, next_period, key).reindex(out.index).fillna(0)
        out = out.join(pipe.rename(columns={"open_pipeline": "next_period_pipeline",
                                            "open_deals": "next_period_deals",
                                            "open_without_amount": "next_period_without_amount"}))
        if quotas:
            out["next_period_quota"] = _group_sum(rep_quota(data, next_period), reps, key
                                                  ).reindex(out.index)
            priced = out["next_period_deals"] > out["next_period_without_amount"]
            out["coverage"] = (out["next_period_pipeline"] / out["next_period_quota"].where(
                out["next_period_quota"] > 0)).where(priced | (out["next_period_deals"] == 0))
    out = _ratios(out)
    out.index = out.index.astype(str)
    if by == "rep_id":
        active = set(reps.loc[employed, "rep_id"]) | set(
            out.index[(out["won_deals"] + out["lost_deals"] + out["deals_created"]) > 0])
        out = out.loc[out.index.isin(active)]
        known = [c for c in REP_COLUMNS[1:] if data.has("reps", c)]
        out = reps.set_index("rep_id")[known].join(out, how="inner")
        on = min(window.end, data.as_of)
        if "hire_date" in known:
            out["tenure_months"] = tenure_months(out["hire_date"], on)
        out["active"] = (out["termination_date"].isna() | (out["termination_date"] >= on)
                         if "termination_date" in known else True)
        out = out.reset_index().rename(columns={"index": "rep_id"})
    else:
        out = out.rename_axis(key).reset_index()
    return out


def same_groups(reps: pd.DataFrame, a: str, b: str) -> dict[str, str] | None:
    """``{a value: b value}`` when roster columns ``a`` and ``b`` group the reps identically (each
    ``a`` has one ``b`` and each ``b`` one ``a``, e.g. one manager per team), else None."""
    pairs = reps[[a, b]].astype("string").fillna(UNASSIGNED).drop_duplicates()
    if not (pairs[a].is_unique and pairs[b].is_unique):
        return None
    return dict(zip(pairs[a], pairs[b], strict=True))


def _employed(data: ReviewData, reps: pd.DataFrame, window: Period) -> pd.Series:
    """Reps employed during ``window``; without hire and termination dates (employment unknown),
    the reps owning a deal created or closed in it or open on ``as_of``."""
    if data.has("reps", "hire_date") or data.has("reps", "termination_date"):
        return employed_during(reps, window.start, min(window.end, data.as_of))
    deals = data.deals
    busy = (window.contains(deals["created_date"]) | window.contains(deals["close_date"])
            | (deals["status"] == "open").to_numpy())
    return reps["rep_id"].isin(deals.loc[busy, "rep_id"].astype(str).unique())


def _group_sum(values: pd.Series, reps: pd.DataFrame, key: str) -> pd.Series:
    """Sum a per-rep series (indexed by rep_id) to ``key``; all-missing groups stay NaN."""
    if key == "rep_id":
        return values
    groups = reps.set_index("rep_id")[key].reindex(values.index)
    return values.groupby(groups.to_numpy()).sum(min_count=1)


def _ratios(out: pd.DataFrame) -> pd.DataFrame:
    """Derived ratios; every denominator is guarded (zero gives NaN, reported as such).

    Pipeline / quota is unknown (NaN) for a group with created deals of unknown value."""
    out = out.fillna({c: 0 for c in COUNTS})
    closed = out["won_deals"] + out["lost_deals"]
    closed_value = out["bookings"] + out["lost_amount"]
    if "quota" in out:
        out["attainment"] = attainment(out["bookings"], out["quota"])
        out["quota_status"] = quota_status(out["quota"])
        out["pipeline_to_quota"] = (out["pipeline_created"] / out["quota"].where(out["quota"] > 0)
                                    ).where(out["created_without_amount"] == 0)
    out["win_rate"] = out["won_deals"] / closed.where(closed > 0)
    out["win_rate_value"] = out["bookings"] / closed_value.where(closed_value > 0)
    out["avg_deal_size"] = out["bookings"] / out["priced_wins"].where(out["priced_wins"] > 0)
    return out


def at_quota(table: pd.DataFrame) -> pd.Series:
    """Mask: quota is set (> 0) and attainment >= 100%."""
    return (table["quota_status"] == QUOTA_OK) & (table["attainment"] >= 1.0)
