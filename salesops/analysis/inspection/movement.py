"""Pipeline movement between two dates: which deals entered, left or changed the pipeline of a
period, one ranked reason per deal, and the bridge from the start total to the end total.

The pipeline on day ``d`` is the deals created by ``d``, not closed by ``d`` (won or lost with a
close date on or before ``d``), whose expected close date as known at the end of ``d`` falls in
the period. Amounts and close dates on a past day come from the opportunity history
(``salesops.data.history.states_on``). See docs/pipeline-inspection.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.data.history import states_on
from salesops.data.periods import FiscalCalendar, Period
from salesops.data.requirements import Needs

REASONS: tuple[str, ...] = ("created", "won", "lost", "pulled_in", "pushed_out", "amount_up",
                            "amount_down", "category_changed", "no_change")
MOVEMENT_NEEDS = Needs("Pipeline movement", tables=("opportunities", "opportunity_history"))
#: Bridge steps in order, with the reason each sums (start and end are the pipeline totals).
STEPS: tuple[tuple[str, str | None], ...] = (
    ("start", None), ("created", "created"), ("pulled_in", "pulled_in"),
    ("increased", "amount_up"), ("won", "won"), ("lost", "lost"),
    ("pushed_out", "pushed_out"), ("decreased", "amount_down"), ("end", None))
_STATE_FIELDS = ("amount", "close_date", "forecast_category")


@dataclass(frozen=True)
class Movement:
    """The pipeline of ``period`` at ``start`` and at ``end`` and what moved between them.

    ``deals``: one row per deal in either pipeline, or created or closed in (start, end] with a
    close date in the period, with its reason (the first of ``REASONS`` that applies) and its
    ``change`` (end pipeline amount minus start pipeline amount; 0 where it is not in that
    pipeline). A deal created and won (or lost) inside the window was in neither pipeline: its
    reason is "created" with change 0; ``created_and_won`` / ``created_and_won_amount`` count
    those won. ``bridge``: step, amount (signed), cents (exact) and deals; start plus the steps
    equals end to the cent. ``unknown_amount``: deals in either pipeline without an amount
    (counted as 0).
    """

    start: pd.Timestamp
    end: pd.Timestamp
    period: Period
    deals: pd.DataFrame
    bridge: pd.DataFrame
    unknown_amount: int
    created_and_won: int
    created_and_won_amount: float


def deal_states(opportunities: pd.DataFrame, history: pd.DataFrame, on: pd.Timestamp,
                period: Period | None = None) -> pd.DataFrame:
    """Each deal's state at the end of ``on`` (aligned with ``opportunities``' rows): created,
    closed, open, amount, close date, category, and ``in_pipeline`` for ``period``."""
    return states_at(opportunities, history, [on], period)[0]


def states_at(opportunities: pd.DataFrame, history: pd.DataFrame,
              dates: list[pd.Timestamp], period: Period | None = None) -> list[pd.DataFrame]:
    """``deal_states`` at several dates with one look-up in the history."""
    dates = [pd.Timestamp(d).normalize() for d in dates]
    n = len(opportunities)
    ids = opportunities["opportunity_id"]
    past = states_on(history, pd.concat([ids] * len(dates), ignore_index=True),
                     pd.DatetimeIndex(np.repeat([d.to_datetime64() for d in dates], n)),
                     _STATE_FIELDS, before="first")
    # a field the history never recorded keeps the deal's current value
    amount = np.tile(opportunities["amount"].to_numpy(float, na_value=np.nan), len(dates))
    amount = np.where(np.isnan(past["amount"].to_numpy(float)), amount, past["amount"])
    close = past["close_date"].to_numpy("datetime64[ns]")
    close = np.where(np.isnat(close),
                     np.tile(opportunities["close_date"].to_numpy("datetime64[ns]"), len(dates)),
                     close)
    category = past["forecast_category"].fillna(pd.concat(
        [opportunities["forecast_category"].astype("string")] * len(dates), ignore_index=True))
    created_on = opportunities["created_date"].to_numpy("datetime64[ns]")
    closed_on = opportunities["close_date"].where(
        opportunities["status"].isin(("won", "lost"))).to_numpy("datetime64[ns]")
    out = []
    for k, d in enumerate(dates):
        rows = slice(k * n, (k + 1) * n)
        created = created_on <= d.to_datetime64()
        closed = closed_on <= d.to_datetime64()  # NaT (still open) compares False
        frame = pd.DataFrame({
            "created": created, "closed": closed, "open": created & ~closed,
            "amount": amount[rows], "close_date": close[rows],
            "forecast_category": category.iloc[rows].reset_index(drop=True)})
        if period is not None:
            frame["in_pipeline"] = frame["open"].to_numpy() & (
                close[rows] >= period.start.to_datetime64()) & (
                close[rows] <= period.end.to_datetime64())
        out.append(frame)
    return out


def _cents(amount: pd.Series | np.ndarray) -> np.ndarray:
    """Amounts in integer cents (unknown: 0)."""
    return np.nan_to_num(np.round(np.asarray(amount, dtype=float) * 100.0)).astype(np.int64)


_COLUMNS = ("opportunity_id", "rep_id", "account_id", "amount", "created_date", "close_date",
            "status", "forecast_category")


def movement(opportunities: pd.DataFrame, history: pd.DataFrame, start: pd.Timestamp,
             end: pd.Timestamp, period: Period) -> Movement:
    """The movement of ``period``'s pipeline from the end of ``start`` to the end of ``end``:
    one ranked reason per deal and the bridge, summed in integer cents."""
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if end < start:
        raise ValueError(f"movement: end {end:%Y-%m-%d} is before start {start:%Y-%m-%d}")
    # deals closed by the start or created after the end cannot be in either pipeline
    live = (opportunities["created_date"] <= end) & ~(
        opportunities["status"].isin(("won", "lost")) & (opportunities["close_date"] <= start))
    opps = opportunities.loc[live, list(_COLUMNS)].reset_index(drop=True)
    s, e = states_at(opps, history, [start, end], period)
    in_s, in_e = s["in_pipeline"].to_numpy(bool), e["in_pipeline"].to_numpy(bool)
    created = (opps["created_date"] > start).to_numpy(bool)
    closing = e["closed"].to_numpy(bool) & ~s["closed"].to_numpy(bool)
    final_close = np.where(e["closed"].to_numpy(bool), opps["close_date"].to_numpy("datetime64[ns]"),
                           e["close_date"].to_numpy("datetime64[ns]"))
    keep = in_s | in_e | ((created | closing) & (final_close >= period.start.to_datetime64())
                          & (final_close <= period.end.to_datetime64()))
    won = (opps["status"] == "won").to_numpy(bool)
    lost = (opps["status"] == "lost").to_numpy(bool)
    s_amount, e_amount = s["amount"].to_numpy(float), e["amount"].to_numpy(float)
    s_cents = np.where(in_s, _cents(s_amount), 0)
    e_cents = np.where(in_e, _cents(e_amount), 0)
    change = e_cents - s_cents
    same_category = (s["forecast_category"].fillna("") == e["forecast_category"].fillna("")) \
        .to_numpy(bool)
    reason = np.select(
        [created, closing & won, closing & lost, ~in_s & in_e, in_s & ~in_e, change > 0,
         change < 0, ~same_category], range(len(REASONS) - 1), len(REASONS) - 1)
    unknown = (in_s & np.isnan(s_amount)) | (in_e & np.isnan(e_amount))
    k = np.flatnonzero(keep)
    deals = pd.DataFrame({
        "opportunity_id": opps["opportunity_id"].iloc[k].reset_index(drop=True),
        "rep_id": opps["rep_id"].iloc[k].reset_index(drop=True),
        "account_id": opps["account_id"].iloc[k].reset_index(drop=True),
        "reason": pd.array(np.asarray(REASONS, dtype=object)[reason[k]], dtype="string"),
        "start_amount": np.where(in_s, s_amount, np.nan)[k],
        "end_amount": np.where(in_e, e_amount, np.nan)[k],
        "change": change[k] / 100.0, "change_cents": change[k],
        "start_close": s["close_date"].where(s["created"]).iloc[k].reset_index(drop=True),
        "end_close": final_close[k],
        "start_category": s["forecast_category"].where(s["created"]).iloc[k]
        .reset_index(drop=True),
        "end_category": e["forecast_category"].iloc[k].reset_index(drop=True),
        "in_start": in_s[k], "in_end": in_e[k], "unknown_amount": unknown[k],
    })
    won_inside = created & closing & won & keep
    won_amount = float(_cents(opps["amount"].to_numpy(float, na_value=np.nan))[won_inside].sum()
                       / 100)
    return Movement(start=start, end=end, period=period, deals=deals,
                    bridge=_bridge(deals, int(s_cents.sum()), int(in_s.sum()),
                                   int(e_cents.sum()), int(in_e.sum())),
                    unknown_amount=int(unknown[keep].sum()),
                    created_and_won=int(won_inside.sum()),
                    created_and_won_amount=won_amount)


def _bridge(deals: pd.DataFrame, start_cents: int, start_deals: int, end_cents: int,
            end_deals: int) -> pd.DataFrame:
    """The bridge table: each step sums its deals' changes in cents."""
    by_reason = deals.groupby("reason", sort=False)["change_cents"].agg(["sum", "size"])
    rows = []
    for step, reason in STEPS:
        if reason is None:
            cents, count = (start_cents, start_deals) if step == "start" else (end_cents, end_deals)
        else:
            cents, count = (int(by_reason.at[reason, "sum"]), int(by_reason.at[reason, "size"])) \
                if reason in by_reason.index else (0, 0)
        rows.append((step, cents / 100.0, cents, count))
    return pd.DataFrame(rows, columns=["step", "amount", "cents", "deals"])


def largest_moves(m: Movement, n: int = 15) -> pd.DataFrame:
    """The ``n`` deals whose pipeline amount changed most (by absolute change), largest first."""
    moved = m.deals.loc[m.deals["change_cents"] != 0]
    order = np.lexsort((moved["opportunity_id"].to_numpy(str), -np.abs(moved["change_cents"])))
    cols = ["opportunity_id", "rep_id", "account_id", "reason", "start_amount", "end_amount",
            "change", "start_close", "end_close"]
    return moved.iloc[order[:n]][cols].reset_index(drop=True)


def default_windows(calendar: FiscalCalendar, as_of: pd.Timestamp
                    ) -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
    """The two windows of the weekly call: the last 7 days and since the quarter started
    (from the end of the day before its first day)."""
    as_of = pd.Timestamp(as_of).normalize()
    quarter = calendar.period(as_of, "quarter")
    return [("Last 7 days", as_of - pd.Timedelta(days=7), as_of),
            ("Since quarter start", quarter.start - pd.Timedelta(days=1), as_of)]
