"""Deal outcomes per rep (or team, region...) and period: bookings, wins, losses, pipeline.

Deals come from ``ReviewData.deals`` (already as of). A deal counts in the period its
``close_date`` falls in (won/lost) or its ``created_date`` falls in (pipeline created). Deals
with no amount count as deals but add nothing to values; they are reported, never dropped.
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
    """Deals created in ``window`` per group: ``deals_created`` and their value ``pipeline_created``."""
    created = deals.loc[window.contains(deals["created_date"]), [*_by(by), "amount", "created_date"]]
    frame = pd.DataFrame({"deals_created": np.ones(len(created), dtype=np.int64),
                          "pipeline_created": created["amount"].fillna(0.0).to_numpy()},
                         index=created.index)
    keys = _keys(created, by, created["created_date"], calendar, freq)
    return frame.groupby(keys, observed=_observed(by, freq)).sum()


def open_pipeline(deals: pd.DataFrame, window: Period, by: str | list[str] = "rep_id") -> pd.Series:
    """Value of open deals expected to close in ``window`` (e.g. next period), per group."""
    is_open = (deals["status"] == "open") & window.contains(deals["close_date"])
    picked = deals.loc[is_open, [*_by(by), "amount"]]
    return (picked["amount"].fillna(0.0).groupby(_keys(picked, by), observed=_observed(by, None))
            .sum().rename("open_pipeline"))


def won_by_period(deals: pd.DataFrame, window: Period, calendar: FiscalCalendar, freq: str,
                  by: str = "rep_id") -> pd.Series:
    """Bookings per group and fiscal period start (``outcomes``' bookings, won deals only: fast)."""
    won = deals.loc[window.contains(deals["close_date"]) & (deals["status"] == "won"),
                    [by, "amount", "close_date"]]
    return (won["amount"].fillna(0.0)
            .groupby(_keys(won, by, won["close_date"], calendar, freq), observed=True).sum()
            .rename("bookings"))
