"""CRM hygiene: open deals whose records can no longer be trusted, as of a date.

Rows that fail validation are quarantined at ingest; these are valid rows that still mislead a
forecast: deals past their expected close date or without one, deals that have not moved for a
long time, open deals without a forecast category, or without an amount (their value is
unknown: counted as deals, never as $0). Checks the data cannot support are not run; their
``Availability`` carries the sentence the report shows instead. Everything is computed on the
scoped, as-of view (``salesops.data.scope.scoped_view``): a scoped run sees only its reps' deals.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

import pandas as pd

import salesops.analysis
from salesops.data.asof import positions
from salesops.data.requirements import AVAILABLE, Availability, Needs
from salesops.data.scope import Scope, ScopedView, scoped_view
from salesops.data.store import Dataset

#: Check code -> what it means (the report prints these).
CHECKS: dict[str, str] = {
    "past_due": "expected close date has passed",
    "no_close_date": "no expected close date",
    "stale": "no stage change for longer than the stale limit",
    "no_forecast_category": "no forecast category",
    "no_amount": "no amount: value unknown",
    "zero_amount": "amount is zero",
}
#: Checks that make a deal's value or timing unknown (listed deal by deal in the report).
INCOMPLETE = ("no_amount", "no_close_date")

HYGIENE_NEEDS = Needs("CRM hygiene of open deals", tables=("opportunities",))
STALE_NEEDS = Needs("The stale-deal check (no stage change for a long time)",
                    tables=("stage_history",))
CATEGORY_NEEDS = Needs("The forecast-category check",
                       columns={"opportunities": ("forecast_category",)})
TEAM_NEEDS = Needs("The chart of flagged pipeline by team", tables=("reps",),
                   columns={"reps": ("team",)})


@dataclass(frozen=True)
class Hygiene:
    """Hygiene of the deals open on ``as_of``, and what the data allowed to check."""

    open_deals: pd.DataFrame  # open_as_of
    issues: pd.DataFrame  # hygiene_issues
    summary: pd.DataFrame  # hygiene_summary
    by_rep: pd.DataFrame  # hygiene_by_rep
    incomplete: pd.DataFrame  # incomplete_deals
    available: dict[str, Availability]  # "hygiene", "stale", "no_forecast_category", "by_team"

    @property
    def checks(self) -> list[str]:
        """The checks that were run."""
        return [c for c in CHECKS if self.available.get(c, AVAILABLE)]

    @property
    def flagged(self) -> pd.DataFrame:
        """Open deals failing at least one check, once each: opportunity_id, rep_id, amount."""
        cols = ["opportunity_id", "rep_id", "amount"]
        if self.issues.empty:
            return pd.DataFrame(columns=cols).astype({"amount": "float64"})
        return self.issues.drop_duplicates("opportunity_id")[cols].reset_index(drop=True)

    @property
    def flagged_value(self) -> float:
        """Known value of the flagged deals (NaN when none of them has an amount)."""
        return _known_sum(self.flagged["amount"])

    @property
    def flagged_share(self) -> float:
        """Flagged known value as a share of the known open value (NaN when that is not > 0)."""
        total = _known_sum(self.open_deals["amount"]) if len(self.open_deals) else 0.0
        return self.flagged_value / total if total > 0 else float("nan")


def hygiene(dataset: Dataset, as_of: pd.Timestamp, stale_days: int = 60,
            scope: str | Scope | None = None) -> Hygiene:
    """Every hygiene result for ``dataset`` within ``scope`` on ``as_of`` (a view may be passed
    as ``dataset``); checks its data lacks are skipped."""
    dataset = scoped_view(dataset, as_of, scope)
    as_of = dataset.as_of
    available = {"hygiene": HYGIENE_NEEDS.check(dataset), "stale": STALE_NEEDS.check(dataset),
                 "no_forecast_category": category_availability(dataset),
                 "by_team": TEAM_NEEDS.check(dataset)}
    if not available["hygiene"]:
        empty = pd.DataFrame()
        return Hygiene(empty, empty, empty, empty, empty, available)
    open_deals = open_as_of(dataset)
    skip = tuple(c for c in ("stale", "no_forecast_category") if not available[c])
    issues = hygiene_issues(open_deals, dataset.open_now, as_of, stale_days, skip=skip)
    checks = [c for c in CHECKS if c not in skip]
    return Hygiene(open_deals, issues, hygiene_summary(issues, open_deals, checks),
                   hygiene_by_rep(issues, open_deals, dataset.reps, checks),
                   incomplete_deals(issues, dataset.reps), available)


def category_availability(dataset: ScopedView) -> Availability:
    """The forecast-category check needs the column, and deals open today that use it at all."""
    av = CATEGORY_NEEDS.check(dataset)
    opps = dataset.opportunities
    if av and not opps.loc[positions(opps["opportunity_id"], dataset.open_now) >= 0,
                           "forecast_category"].notna().any():
        return Availability.missing(f"{CATEGORY_NEEDS.what} cannot be shown: no open deal has a "
                                    "forecast category, so the data does not use them.")
    return av


def hygiene_issues(
    open_deals: pd.DataFrame,
    open_now: pd.Index,
    as_of: pd.Timestamp,
    stale_days: int = 60,
    skip: tuple[str, ...] = (),
) -> pd.DataFrame:
    """One row per (open deal, failed check) as of ``as_of``; ``open_deals`` from ``open_as_of``,
    ``open_now`` the ids of the deals still open today (``ScopedView.open_now``).

    Columns: opportunity_id, rep_id, stage, amount, check, days (days past due or since the
    last stage change; NaN for the other checks). A deal may fail several checks; ``skip``
    names checks not run. Forecast categories have no history, so that check covers only
    deals still open today.
    """
    as_of = pd.Timestamp(as_of)
    cols = ["opportunity_id", "rep_id", "stage", "amount"]
    past_due_days = (as_of - open_deals["close_date"]).dt.days
    stale_for = (as_of - open_deals["last_change"]).dt.days
    nan = float("nan")
    masks = {
        "past_due": (past_due_days > 0, past_due_days),
        "no_close_date": (open_deals["close_date"].isna(), nan),
        "stale": (stale_for > stale_days, stale_for),
        "no_forecast_category": ((positions(open_deals["opportunity_id"], open_now) >= 0)
                                 & open_deals["forecast_category"].isna(), nan),
        "no_amount": (open_deals["amount"].isna(), nan),
        "zero_amount": (open_deals["amount"] == 0, nan),
    }
    parts = [open_deals.loc[mask, cols].assign(
        check=check, days=days[mask] if isinstance(days, pd.Series) else days)
        for check, (mask, days) in masks.items() if check not in skip]
    out = pd.concat(parts, ignore_index=True)
    out["days"] = out["days"].astype("float64")
    return out.sort_values(["check", "days"], ascending=[True, False], ignore_index=True)


def open_as_of(view: ScopedView) -> pd.DataFrame:
    """The view's deals open on its ``as_of``, with the date of their last stage change by then
    (``last_change``; a deal with no stage history by then counts from its creation date)."""
    deals = view.deals
    open_deals = deals.loc[deals["status"] == "open"]
    last = view.stage_history.groupby("opportunity_id", as_index=False)["entered_date"].max()
    open_deals = open_deals.merge(last, on="opportunity_id", how="left")
    open_deals["last_change"] = open_deals.pop("entered_date").fillna(open_deals["created_date"])
    return open_deals.reset_index(drop=True)


def _roster(reps: pd.DataFrame) -> pd.DataFrame:
    """rep_id, name, team and ``left`` (termination date; NaT while employed or unknown)."""
    return (reps.reindex(columns=["rep_id", "name", "team", "termination_date"])
            .rename(columns={"termination_date": "left"}))


def _known_sum(amounts: pd.Series) -> float:
    """Sum of the known amounts; NaN (unknown) when there are amounts but none is known."""
    return float(amounts.sum(min_count=1)) if len(amounts) else 0.0


def hygiene_by_rep(
    issues: pd.DataFrame, open_deals: pd.DataFrame, reps: pd.DataFrame,
    checks: list[str] | None = None,
) -> pd.DataFrame:
    """Per rep: open deals, their known value and how many have no amount, deals flagged per
    check, flagged deals and known flagged value, and its share of the known open value.

    A value is NaN (unknown) when every deal behind it lacks an amount, never $0. Reps with
    open deals and no issue are listed with zeros; sorted by flagged value, then deals. ``left``
    is the termination date of a rep who left (NaT while employed).
    """
    checks = list(CHECKS) if checks is None else checks
    groups = open_deals.groupby("rep_id")
    base = pd.DataFrame({"open_deals": groups.size(),
                         "open_value": groups["amount"].agg(_known_sum),
                         "unknown_value_deals": groups["amount"].agg(lambda a: int(a.isna().sum()))})
    per_check = (issues.groupby(["rep_id", "check"]).size().unstack("check")
                 .reindex(index=base.index, columns=checks).fillna(0).astype(int))
    flagged = issues.drop_duplicates("opportunity_id").groupby("rep_id")["amount"]
    out = base.join(per_check)
    out["flagged_deals"] = flagged.size().reindex(out.index).fillna(0).astype(int)
    out["flagged_value"] = flagged.agg(_known_sum).reindex(out.index).mask(
        out["flagged_deals"] == 0, 0.0)  # nothing flagged: a true $0; all unknown: NaN
    out["flagged_share"] = (out["flagged_value"] / out["open_value"]).where(out["open_value"] > 0)
    roster = _roster(reps).set_index("rep_id")
    out = roster.join(out, how="inner").rename_axis("rep_id").reset_index()
    return out.sort_values(["flagged_value", "flagged_deals", "name"],
                           ascending=[False, False, True], na_position="last", ignore_index=True)


def hygiene_summary(issues: pd.DataFrame, open_deals: pd.DataFrame,
                    checks: list[str] | None = None) -> pd.DataFrame:
    """Per check run: deals flagged, their known value (NaN when none is known), how many have
    no amount, and their share of all open deals and of the known open value."""
    n_open, v_open = len(open_deals), _known_sum(open_deals["amount"])
    rows = []
    for check in CHECKS if checks is None else checks:
        hit = issues.loc[issues["check"] == check, "amount"]
        value = _known_sum(hit)
        rows.append({
            "check": check, "meaning": CHECKS[check], "deals": len(hit), "value": value,
            "unknown_value_deals": int(hit.isna().sum()),
            "deal_share": len(hit) / n_open if n_open else float("nan"),
            "value_share": value / v_open if v_open > 0 else float("nan"),
        })
    return pd.DataFrame(rows)


def incomplete_deals(issues: pd.DataFrame, reps: pd.DataFrame) -> pd.DataFrame:
    """Open deals without an amount or an expected close date, one row each, with the owner's
    name (``left``: the date a departed owner left) and the reason ('no amount', 'no expected
    close date', or both); by owner, then id."""
    hit = issues.loc[issues["check"].isin(INCOMPLETE)]
    reasons = {"no_amount": "no amount", "no_close_date": "no expected close date"}
    out = (hit.assign(reason=hit["check"].map(reasons))
           .groupby(["opportunity_id", "rep_id", "stage"], as_index=False, observed=True)
           .agg(reason=("reason", lambda r: " and ".join(sorted(r, key=list(reasons.values()).index)))))
    out = out.merge(_roster(reps)[["rep_id", "name", "left"]], on="rep_id", how="left")
    return out.sort_values(["name", "opportunity_id"], ignore_index=True)


def declared_needs() -> list[Needs]:
    """Every section ``Needs`` declared at module level in ``salesops.analysis``, by name: what
    each report section needs, for the data quality report's "what your data has" table."""
    found: dict[str, Needs] = {}
    for info in pkgutil.walk_packages(salesops.analysis.__path__, "salesops.analysis."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, Needs) and value.what:
                found.setdefault(value.what, value)
    return list(found.values())
