"""CRM hygiene: open deals whose records can no longer be trusted, as of a date.

Rows that fail validation are quarantined at ingest; these are valid rows that still mislead a
forecast: deals past their expected close date, deals that have not moved for a long time,
open deals without a forecast category or an amount.
"""

from __future__ import annotations

import pandas as pd

from salesops.data.asof import snapshot
from salesops.data.stages import StageCatalogue

#: Check code -> what it means (the report prints these).
CHECKS: dict[str, str] = {
    "past_due": "expected close date has passed",
    "stale": "no stage change for longer than the stale limit",
    "no_forecast_category": "no forecast category",
    "no_amount": "amount is zero",
}


def hygiene_issues(
    open_deals: pd.DataFrame,
    opportunities: pd.DataFrame,
    as_of: pd.Timestamp,
    stale_days: int = 60,
) -> pd.DataFrame:
    """One row per (open deal, failed check) as of ``as_of``; ``open_deals`` from ``open_as_of``.

    Columns: opportunity_id, rep_id, stage, amount, check, days (days past due or since the
    last stage change; NaN for the other checks). A deal may fail several checks. Forecast
    categories have no history, so that check covers only deals still open today, and only
    when the data uses forecast categories at all.
    """
    as_of = pd.Timestamp(as_of)
    cols = ["opportunity_id", "rep_id", "stage", "amount"]
    past_due_days = (as_of - open_deals["close_date"]).dt.days
    stale_for = (as_of - open_deals["last_change"]).dt.days
    parts = [
        open_deals.loc[past_due_days > 0, cols].assign(check="past_due",
                                                       days=past_due_days[past_due_days > 0]),
        open_deals.loc[stale_for > stale_days, cols].assign(check="stale",
                                                            days=stale_for[stale_for > stale_days]),
        open_deals.loc[_missing_category(opportunities, open_deals), cols].assign(
            check="no_forecast_category", days=float("nan")),
        open_deals.loc[open_deals["amount"] <= 0, cols].assign(check="no_amount",
                                                               days=float("nan")),
    ]
    out = pd.concat(parts, ignore_index=True)
    out["days"] = out["days"].astype("float64")
    return out.sort_values(["check", "days"], ascending=[True, False], ignore_index=True)


def _missing_category(opportunities: pd.DataFrame, open_deals: pd.DataFrame) -> pd.Series:
    """Mask of open deals lacking a forecast category whose category is current (open today)."""
    open_today = opportunities.loc[opportunities["status"] == "open"]
    if open_today["forecast_category"].notna().sum() == 0:
        return pd.Series(False, index=open_deals.index)
    still_open = open_deals["opportunity_id"].isin(open_today["opportunity_id"])
    return still_open & open_deals["forecast_category"].isna()


def open_as_of(
    opportunities: pd.DataFrame, stage_history: pd.DataFrame, catalogue: StageCatalogue,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """Deals open on ``as_of`` with the date of their last stage change by then (``last_change``).

    A deal with no stage history by then counts from its creation date.
    """
    snap = snapshot(opportunities, stage_history, catalogue, as_of)
    open_deals = snap.loc[snap["status"] == "open"]
    hist = stage_history.loc[stage_history["entered_date"] <= as_of]
    last = hist.groupby("opportunity_id", as_index=False)["entered_date"].max()
    open_deals = open_deals.merge(last, on="opportunity_id", how="left")
    open_deals["last_change"] = open_deals.pop("entered_date").fillna(open_deals["created_date"])
    return open_deals.reset_index(drop=True)


def hygiene_by_rep(
    issues: pd.DataFrame, open_deals: pd.DataFrame, reps: pd.DataFrame
) -> pd.DataFrame:
    """Per rep: open deals and value, deals flagged per check, share of open value flagged.

    Reps with open deals and no issue are listed with zeros; sorted by flagged value.
    """
    base = open_deals.groupby("rep_id").agg(open_deals=("opportunity_id", "size"),
                                            open_value=("amount", "sum"))
    per_check = (issues.groupby(["rep_id", "check"]).size().unstack("check")
                 .reindex(columns=list(CHECKS)).fillna(0).astype(int))
    flagged = issues.drop_duplicates("opportunity_id").groupby("rep_id")["amount"].sum()
    out = base.join(per_check, how="left").fillna({c: 0 for c in CHECKS})
    out[list(CHECKS)] = out[list(CHECKS)].astype(int)
    out["flagged_value"] = flagged.reindex(out.index).fillna(0.0)
    out["flagged_share"] = (out["flagged_value"] / out["open_value"]).where(out["open_value"] > 0)
    roster = reps.set_index("rep_id")[["name", "team"]]
    out = roster.join(out, how="inner").reset_index()
    return out.sort_values(["flagged_value", "name"], ascending=[False, True], ignore_index=True)


def hygiene_summary(issues: pd.DataFrame, open_deals: pd.DataFrame) -> pd.DataFrame:
    """Per check: deals flagged, their value, and their share of all open deals and value."""
    n_open, v_open = len(open_deals), float(open_deals["amount"].sum())
    rows = []
    for check, meaning in CHECKS.items():
        hit = issues.loc[issues["check"] == check]
        rows.append({
            "check": check, "meaning": meaning, "deals": len(hit),
            "value": float(hit["amount"].sum()),
            "deal_share": len(hit) / n_open if n_open else float("nan"),
            "value_share": float(hit["amount"].sum()) / v_open if v_open else float("nan"),
        })
    return pd.DataFrame(rows)
