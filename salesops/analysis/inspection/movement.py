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
    on = pd.Timestamp(on).normalize()
    past = states_on(history, opportunities["opportunity_id"], on, _STATE_FIELDS, before="first")
    created = (opportunities["created_date"] <= on).to_numpy(bool)
    closed = (opportunities["status"].isin(("won", "lost"))
              & (opportunities["close_date"] <= on)).to_numpy(bool)
    out = pd.DataFrame({
        "created": created, "closed": closed, "open": created & ~closed,
        # a field the history never recorded keeps the deal's current value
        "amount": past["amount"].fillna(_values(opportunities["amount"])).to_numpy(float),
        "close_date": past["close_date"].fillna(_values(opportunities["close_date"])),
        "forecast_category": past["forecast_category"].fillna(
            _values(opportunities["forecast_category"].astype("string"))),
    })
    if period is not None:
        out["in_pipeline"] = out["open"].to_numpy(bool) & period.contains(out["close_date"]) \
            .fillna(False).to_numpy(bool)
    return out


def _values(column: pd.Series) -> pd.Series:
    """A column with a fresh RangeIndex (to align with ``states_on``'s rows)."""
    return column.reset_index(drop=True)


def _cents(amount: pd.Series | np.ndarray) -> np.ndarray:
    """Amounts in integer cents (unknown: 0)."""
    return np.nan_to_num(np.round(np.asarray(amount, dtype=float) * 100.0)).astype(np.int64)


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
    opps = opportunities.loc[live].reset_index(drop=True)
    s = deal_states(opps, history, start, period)
    e = deal_states(opps, history, end, period)
    in_s, in_e = s["in_pipeline"].to_numpy(bool), e["in_pipeline"].to_numpy(bool)
    created = (opps["created_date"] > start).to_numpy(bool)
    closing = e["closed"].to_numpy(bool) & ~s["closed"].to_numpy(bool)
    final_close = opps["close_date"].where(e["closed"].to_numpy(bool), e["close_date"])
    keep = in_s | in_e | ((created | closing)
                          & period.contains(final_close).fillna(False).to_numpy(bool))
    status = opps["status"].to_numpy(object)
    s_cents = np.where(in_s, _cents(s["amount"]), 0)
    e_cents = np.where(in_e, _cents(e["amount"]), 0)
    change = e_cents - s_cents
    same_category = (s["forecast_category"].fillna("") == e["forecast_category"].fillna("")) \
        .to_numpy(bool)
    reason = np.select(
        [created, closing & (status == "won"), closing & (status == "lost"), ~in_s & in_e,
         in_s & ~in_e, change > 0, change < 0, ~same_category],
        list(REASONS[:-1]), REASONS[-1])
    unknown = (in_s & np.isnan(s["amount"].to_numpy(float))) | (
        in_e & np.isnan(e["amount"].to_numpy(float)))
    deals = pd.DataFrame({
        "opportunity_id": opps["opportunity_id"], "rep_id": opps["rep_id"],
        "account_id": opps["account_id"],
        "reason": reason,
        "start_amount": s["amount"].where(in_s), "end_amount": e["amount"].where(in_e),
        "change": change / 100.0, "change_cents": change,
        "start_close": s["close_date"].where(s["created"]),
        "end_close": final_close,
        "start_category": s["forecast_category"].where(s["created"]),
        "end_category": e["forecast_category"],
        "in_start": in_s, "in_end": in_e, "unknown_amount": unknown,
    }).loc[keep].reset_index(drop=True)
    won_inside = created & closing & (status == "won") & keep
    return Movement(start=start, end=end, period=period, deals=deals,
                    bridge=_bridge(deals, int(s_cents.sum()), int(in_s.sum()),
                                   int(e_cents.sum()), int(in_e.sum())),
                    unknown_amount=int(unknown[keep].sum()),
                    created_and_won=int(won_inside.sum()),
                    created_and_won_amount=float(_cents(opps["amount"])[won_inside].sum() / 100))


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
