"""Crediting: which rep gets how much of each won deal, plus the optional splits/adjustments inputs.

Optional inputs (documented in docs/comp-plans.md):
- ``splits`` (opportunity_id, rep_id, share): split credit; shares of a deal must sum to 1.
- ``adjustments`` (opportunity_id, date, kind cancelled/refund, amount): reversals of won deals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salesops.analysis.comp.plans import ADJUSTMENT_KINDS
from salesops.analysis.comp.tiers import round_cents

SPLIT_COLUMNS = ("opportunity_id", "rep_id", "share")
ADJUSTMENT_COLUMNS = ("opportunity_id", "date", "kind", "amount")


def index_in(values: pd.Series, choices: object) -> np.ndarray:
    """Position of each value in ``choices`` (-1 when absent); fast on 1M strings via Arrow."""
    found = pc.index_in(pa.array(values), value_set=pa.array(pd.Series(choices).astype(str)))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _require_columns(df: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)}")


def _fail_rows(bad: pd.Series, name: str, column: str, reason: str) -> None:
    if bad.any():
        rows = ", ".join(str(i) for i in np.flatnonzero(bad.to_numpy())[:5])
        raise ValueError(f"{name}: row(s) {rows}, column '{column}': {reason}")


def validate_splits(splits: pd.DataFrame) -> pd.DataFrame:
    """Check a splits frame (shares in (0, 1], summing to 1 per deal) and return it typed."""
    _require_columns(splits, SPLIT_COLUMNS, "splits")
    out = splits.loc[:, list(SPLIT_COLUMNS)].reset_index(drop=True)
    out["share"] = pd.to_numeric(out["share"], errors="coerce")
    _fail_rows(~out["share"].between(0, 1, inclusive="right"), "splits", "share",
               "must be a number in (0, 1]")
    total = out.groupby("opportunity_id")["share"].transform("sum")
    _fail_rows((total - 1).abs() > 1e-9, "splits", "share", "shares of a deal must sum to 1")
    _fail_rows(out.duplicated(["opportunity_id", "rep_id"]), "splits", "rep_id",
               "duplicate rep for the same deal")
    return out


def validate_adjustments(adjustments: pd.DataFrame) -> pd.DataFrame:
    """Check an adjustments frame (known kinds, dates, amounts >= 0) and return it typed."""
    _require_columns(adjustments, ADJUSTMENT_COLUMNS, "adjustments")
    out = adjustments.loc[:, list(ADJUSTMENT_COLUMNS)].reset_index(drop=True)
    out["date"] = pd.to_datetime(out["date"], errors="coerce").astype("datetime64[ns]")
    _fail_rows(out["date"].isna(), "adjustments", "date", "must be a date")
    _fail_rows(~out["kind"].isin(ADJUSTMENT_KINDS), "adjustments", "kind",
               f"must be one of {', '.join(ADJUSTMENT_KINDS)}")
    out["amount"] = pd.to_numeric(out["amount"], errors="coerce")
    _fail_rows(~(out["amount"] >= 0), "adjustments", "amount", "must be a number >= 0")
    return out


def new_logo_flags(opportunities: pd.DataFrame) -> np.ndarray:
    """True for each won deal that is its account's first win (earliest close; ties: row order)."""
    won = (opportunities["status"] == "won").to_numpy()
    account = pd.factorize(opportunities["account_id"])[0]
    close = opportunities["close_date"].to_numpy("datetime64[ns]").astype(np.int64)
    rows = np.flatnonzero(won)
    order = rows[np.lexsort((close[rows], account[rows]))]
    first = np.ones(order.size, bool)
    first[1:] = account[order][1:] != account[order][:-1]
    flags = np.zeros(len(opportunities), bool)
    flags[order[first]] = True
    return flags


def deal_credits(opportunities: pd.DataFrame, splits: pd.DataFrame | None = None,
                 new_logos: bool = False) -> pd.DataFrame:
    """One row per (won deal, credited rep): owner gets 100% unless ``splits`` lists the deal.

    Columns: opportunity_id, rep_id, product, close_date, amount_cents, share, credit_cents,
    new_logo (computed only when ``new_logos``). Credit is the deal value times the share,
    rounded half-up to the cent.
    """
    won_mask = (opportunities["status"] == "won").to_numpy()
    columns = ["opportunity_id", "rep_id", "product", "close_date", "amount"]
    won = opportunities[columns] if won_mask.all() else opportunities.loc[won_mask, columns]
    flags = new_logo_flags(opportunities)[won_mask] if new_logos else np.zeros(len(won), bool)
    share = np.ones(len(won))
    if splits is not None and len(splits):
        splits = validate_splits(splits)
        won = won.assign(new_logo=flags, share=share)
        split_ids = won["opportunity_id"].isin(splits["opportunity_id"])
        parts = won.loc[split_ids].drop(columns=["rep_id", "share"]).merge(
            splits, on="opportunity_id", how="inner")
        won = pd.concat([won.loc[~split_ids], parts[won.columns]], ignore_index=True)
        flags, share = won["new_logo"].to_numpy(bool), won["share"].to_numpy(np.float64)
    amount_cents = round_cents(won["amount"].to_numpy(np.float64) * 100)
    whole = share == 1.0
    credit_cents = amount_cents.copy() if whole.all() else np.where(
        whole, amount_cents, round_cents(amount_cents * share))
    return pd.DataFrame({
        "opportunity_id": won["opportunity_id"].array,
        "rep_id": won["rep_id"].array,
        "product": won["product"].array,
        "close_date": won["close_date"].to_numpy("datetime64[ns]"),
        "amount_cents": amount_cents,
        "share": share,
        "credit_cents": credit_cents,
        "new_logo": flags,
    }, copy=False)


def seeded_cancellations(opportunities: pd.DataFrame, seed: int, share: float = 0.02,
                         max_days: int = 120) -> pd.DataFrame:
    """A deterministic 'cancellations' scenario: ``share`` of won deals cancelled 1..max_days later.

    Used to show clawbacks on data that has no refunds table. Whether a deal is cancelled, and
    when, depends only on ``seed`` and its id: the same deal is cancelled in a region's report
    as in the company's (a draw over the rows would change with the set of deals).
    """
    won = opportunities.loc[opportunities["status"] == "won"]
    ids = won["opportunity_id"].astype(str)
    draws = [pd.util.hash_pandas_object(ids, index=False, hash_key=f"{seed}:{part}".ljust(16)[:16])
             .to_numpy(np.uint64) / 2.0**64 for part in ("pick", "days")]
    picked = draws[0] < share
    delay = pd.to_timedelta(1 + np.floor(draws[1][picked] * max_days), unit="D")
    return pd.DataFrame({
        "opportunity_id": won.loc[picked, "opportunity_id"].to_numpy(),
        "date": (won.loc[picked, "close_date"] + delay).to_numpy("datetime64[ns]"),
        "kind": "cancelled",
        "amount": won.loc[picked, "amount"].to_numpy(np.float64),
    })
