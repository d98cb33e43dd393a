"""The account book for territory planning: each account's segment, region, trailing bookings,
open pipeline, estimated potential and workload, and the territory (and rep) it is in today.

**Estimated potential** = won bookings of the trailing ``trailing_months`` (close date in
(as_of - trailing_months, as_of]) + the open pipeline weighted by win probability (the deal's
CRM probability, else its stage's default from the catalogue); open deals of unknown amount add
nothing and are counted in ``unknown_open_amounts``. An account with neither has potential 0.

**Current assignment**: the ``territories`` table when the data has one; otherwise each account
is in the territory of the owner of its latest deal (territory named by the rep id) when that rep
is employed on as_of, else unassigned. Territories are then one per employed rep of a deal
owner's role. See docs/planning.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.data.asof import roster_as_of
from salesops.data.periods import parse_date
from salesops.data.requirements import Needs
from salesops.data.store import Dataset

TERRITORY_NEEDS = Needs("Territory planning", tables=("opportunities",),
                        columns={"opportunities": ("account_id",)})
BOOK_COLUMNS: tuple[str, ...] = (
    "account_id", "segment", "region", "territory", "rep_id", "trailing_bookings", "open_pipeline",
    "weighted_pipeline", "open_deals", "unknown_open_amounts", "potential", "workload")
TERRITORY_COLUMNS: tuple[str, ...] = ("territory", "rep_id", "region")


@dataclass(frozen=True)
class AccountBook:
    """``accounts``: one row per account (BOOK_COLUMNS; territory/rep_id NA when unassigned).
    ``territories``: one row per territory (territory, rep_id, region). ``source`` says where
    the current assignment came from."""

    accounts: pd.DataFrame
    territories: pd.DataFrame
    source: str
    as_of: pd.Timestamp
    trailing_months: int


def account_book(dataset: Dataset, as_of: str | pd.Timestamp, trailing_months: int = 12,
                 workload_weights: Mapping[str, float] | None = None) -> AccountBook:
    """The account book on ``as_of`` (pass ``scoped_view(dataset, as_of)`` for a past day).
    ``workload_weights``: workload per account by segment (default 1 per account)."""
    day = parse_date(as_of, name="as_of")
    deals = dataset.opportunities
    deals = deals.loc[deals["account_id"].notna() & (deals["created_date"] <= day)]
    accounts = _accounts(dataset, deals)
    ids = accounts["account_id"]
    start = day - pd.DateOffset(months=trailing_months)
    won = deals.loc[(deals["status"] == "won") & (deals["close_date"] > start)
                    & (deals["close_date"] <= day)]
    open_ = deals.loc[deals["status"] == "open"]
    probability = dataset.catalogue.probability_of(open_["stage"])
    if dataset.has("opportunities", "probability"):
        probability = open_["probability"].astype("float64").fillna(probability)
    weighted = open_["amount"].astype("float64") * probability
    book = accounts.assign(
        trailing_bookings=_sum_by(won["account_id"], won["amount"], ids),
        open_pipeline=_sum_by(open_["account_id"], open_["amount"], ids),
        weighted_pipeline=_sum_by(open_["account_id"], weighted, ids),
        open_deals=_count_by(open_["account_id"], np.ones(len(open_), bool), ids),
        unknown_open_amounts=_count_by(open_["account_id"], open_["amount"].isna(), ids))
    book["potential"] = book["trailing_bookings"] + book["weighted_pipeline"]
    weights = dict(workload_weights or {})
    book["workload"] = book["segment"].map(weights).astype("float64").fillna(1.0)
    current, territories, source = _current(dataset, deals, day)
    book = book.merge(current, on="account_id", how="left")
    territories = _territory_regions(territories, book, dataset.reps)
    return AccountBook(accounts=book[list(BOOK_COLUMNS)].reset_index(drop=True),
                       territories=territories, source=source, as_of=day,
                       trailing_months=trailing_months)


def potential_by_rep(book: AccountBook) -> pd.DataFrame:
    """Per rep of the current assignment: accounts, potential and trailing bookings."""
    assigned = book.accounts.loc[book.accounts["rep_id"].notna()]
    return (assigned.groupby("rep_id", as_index=False)
            .agg(accounts=("account_id", "size"), potential=("potential", "sum"),
                 trailing_bookings=("trailing_bookings", "sum")))


def _accounts(dataset: Dataset, deals: pd.DataFrame) -> pd.DataFrame:
    """account_id, segment, region: the accounts table, else the deals' accounts (no attributes)."""
    if "accounts" in dataset.present and len(dataset.accounts):
        out = dataset.accounts[["account_id", "segment", "region"]].copy()
    else:
        ids = pd.Series(deals["account_id"].unique(), dtype="string")
        out = pd.DataFrame({"account_id": ids.sort_values(ignore_index=True),
                            "segment": pd.Series(pd.NA, index=ids.index, dtype="string"),
                            "region": pd.Series(pd.NA, index=ids.index, dtype="string")})
    return out.astype({"account_id": "string", "segment": "string", "region": "string"})


def _sum_by(keys: pd.Series, values: pd.Series, ids: pd.Series) -> np.ndarray:
    """Sum of the known ``values`` per key, aligned with ``ids`` (0 for an id without rows)."""
    sums = values.astype("float64").groupby(keys.to_numpy()).sum(min_count=1)
    return sums.reindex(ids.to_numpy()).fillna(0.0).to_numpy()


def _count_by(keys: pd.Series, flags: pd.Series | np.ndarray, ids: pd.Series) -> np.ndarray:
    """Number of true ``flags`` per key, aligned with ``ids``."""
    counts = pd.Series(np.asarray(flags, dtype="int64"), index=keys.to_numpy()).groupby(level=0).sum()
    return counts.reindex(ids.to_numpy()).fillna(0).astype("int64").to_numpy()


def _current(dataset: Dataset, deals: pd.DataFrame,
             day: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """(account_id, territory, rep_id) today, the territories (territory, rep_id) and the source."""
    if "territories" in dataset.present and len(dataset.territories):
        current = dataset.territories[["account_id", "territory", "rep_id"]].astype("string")
        territories = current.drop_duplicates("territory")[["territory", "rep_id"]]
        return current, territories.reset_index(drop=True), "the territories table"
    roster = roster_as_of(dataset.reps, day)
    employed = roster.loc[roster["termination_date"].isna()]
    if dataset.has("reps", "role"):
        roles = dataset.reps.loc[dataset.reps["rep_id"].isin(deals["rep_id"]), "role"].dropna()
        employed = employed.loc[employed["role"].isin(roles) | employed["role"].isna()]
    latest = deals.sort_values(["created_date", "opportunity_id"]).drop_duplicates(
        "account_id", keep="last")
    latest = latest.loc[latest["rep_id"].isin(employed["rep_id"])]
    current = pd.DataFrame({"account_id": latest["account_id"], "territory": latest["rep_id"],
                            "rep_id": latest["rep_id"]}).astype("string")
    reps = employed["rep_id"].astype("string").sort_values(ignore_index=True)
    territories = pd.DataFrame({"territory": reps, "rep_id": reps})
    return current, territories, ("derived from the deals' owners (the owner of each account's "
                                  "latest deal, when still employed)")


def _territory_regions(territories: pd.DataFrame, book: pd.DataFrame,
                       reps: pd.DataFrame) -> pd.DataFrame:
    """Territories with a region: the most common region of its current accounts, else (a
    territory without accounts) its rep's region in the roster."""
    known = book.loc[book["territory"].notna() & book["region"].notna()]
    common = (known.groupby(["territory", "region"]).size().rename("n").reset_index()
              .sort_values(["territory", "n", "region"], ascending=[True, False, True])
              .drop_duplicates("territory").set_index("territory")["region"])
    out = territories.astype("string").copy()
    rep_region = out["rep_id"].map(reps.set_index("rep_id")["region"]).astype("string")
    out["region"] = out["territory"].map(common).astype("string").fillna(rep_region)
    return out[list(TERRITORY_COLUMNS)].reset_index(drop=True)
