"""Deal outcomes per rep (or team, region...) and period: bookings, wins, losses, pipeline.

Shared by the performance review and the funnel; deals are already as of. A deal counts in
the period its ``close_date`` falls in (won/lost) or its ``created_date`` falls in (pipeline created). Deals
with no amount (open deals whose value is unknown) count as deals but add nothing to value sums;
they are counted separately, never read as $0 and never dropped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.data.periods import FiscalCalendar, Period

OUTCOME_COLUMNS = ("won_deals", "lost_deals", "bookings", "lost_amount", "priced_wins",
                   "deals_missing_amount", "median_cycle_days")


def _keys(frame: pd.DataFrame, by: str | list[str], dates: pd.Series | None = None,
          calendar: FiscalCalendar | None = None, freq: str | None = None) -> list:
    """Group keys: the ``by`` columns, plus each date's fiscal period start when ``freq``."""
    keys = [frame[b] for b in _by(by)]
    if freq is not None:
        if calendar is None:
            raise ValueError("grouping by period needs the fiscal calendar")
        keys.append(calendar.period_start(dates, freq).rename("period_start"))
    return keys


def _by(by: str | list[str]) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


def _observed(by: str | list[str], freq: str | None) -> bool:
    """Single categorical key: list every category (reps with no deals get zeros)."""
    return freq is not None or not isinstance(by, str)


def outcomes(
    deals: pd.DataFrame, window: Period, by: str | list[str] = "rep_id",
    calendar: FiscalCalendar | None = None, freq: str | None = None,
) -> pd.DataFrame:
    """Won and lost deals closed in ``window``, per group (and per fiscal period if ``freq``).

    Columns: won_deals, lost_deals, bookings (won amount), lost_amount, priced_wins (wins with
    an amount), deals_missing_amount (closed deals without one), median_cycle_days (won deals,
    created to close). Every category of a categorical ``by`` appears, with zeros.
    """
    cols = [*_by(by), "status", "amount", "cycle_days", "close_date"]
    closed = deals.loc[window.contains(deals["close_date"]) & (deals["status"] != "open"), cols]
    won = (closed["status"] == "won").to_numpy()
    amount = closed["amount"].to_numpy()
    missing = np.isnan(amount)
    value = np.where(missing, 0.0, amount)
    frame = pd.DataFrame({
        "won_deals": won.astype(np.int64),
        "lost_deals": (~won).astype(np.int64),
        "bookings": np.where(won, value, 0.0),
        "lost_amount": np.where(won, 0.0, value),
        "priced_wins": (won & ~missing).astype(np.int64),
        "deals_missing_amount": missing.astype(np.int64),
        "median_cycle_days": np.where(won, closed["cycle_days"].to_numpy(), np.nan),
    }, index=closed.index)
    grouped = frame.groupby(_keys(closed, by, closed["close_date"], calendar, freq),
                            observed=_observed(by, freq))
    sums = grouped[list(OUTCOME_COLUMNS[:-1])].sum()
    sums["median_cycle_days"] = grouped["median_cycle_days"].median()
    return sums


def pipeline_created(
    deals: pd.DataFrame, window: Period, by: str | list[str] = "rep_id",
    calendar: FiscalCalendar | None = None, freq: str | None = None,
) -> pd.DataFrame:
    """Deals created in ``window`` per group: ``deals_created``, the value of those with an
    amount ``pipeline_created`` and ``created_without_amount`` (value unknown)."""
    created = deals.loc[window.contains(deals["created_date"]), [*_by(by), "amount", "created_date"]]
    amount = created["amount"].to_numpy()
    unknown = np.isnan(amount)
    frame = pd.DataFrame({"deals_created": np.ones(len(created), dtype=np.int64),
                          "pipeline_created": np.where(unknown, 0.0, amount),
                          "created_without_amount": unknown.astype(np.int64)},
                         index=created.index)
    keys = _keys(created, by, created["created_date"], calendar, freq)
    return frame.groupby(keys, observed=_observed(by, freq)).sum()


def open_pipeline(deals: pd.DataFrame, window: Period, by: str | list[str] = "rep_id"
                  ) -> pd.DataFrame:
    """Open deals expected to close in ``window`` (e.g. next period), per group: ``open_deals``,
    ``open_without_amount`` and ``open_pipeline`` (value of those with an amount)."""
    is_open = (deals["status"] == "open") & window.contains(deals["close_date"])
    picked = deals.loc[is_open, [*_by(by), "amount"]]
    unknown = picked["amount"].isna()
    frame = pd.DataFrame({"open_deals": np.ones(len(picked), dtype=np.int64),
                          "open_without_amount": unknown.astype(np.int64),
                          "open_pipeline": picked["amount"].where(~unknown, 0.0)},
                         index=picked.index)
    return frame.groupby(_keys(picked, by), observed=_observed(by, None)).sum()


def undated_open(deals: pd.DataFrame) -> int:
    """Open deals with no expected close date (in no period's pipeline)."""
    return int(((deals["status"] == "open") & deals["close_date"].isna()).sum())


def won_by_period(deals: pd.DataFrame, window: Period, calendar: FiscalCalendar, freq: str,
                  by: str = "rep_id") -> pd.Series:
    """Bookings per group and fiscal period start (``outcomes``' bookings, won deals only: fast)."""
    won = deals.loc[window.contains(deals["close_date"]) & (deals["status"] == "won"),
                    [by, "amount", "close_date"]]
    return (won["amount"].fillna(0.0)
            .groupby(_keys(won, by, won["close_date"], calendar, freq), observed=True).sum()
            .rename("bookings"))
