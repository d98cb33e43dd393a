"""Quarterly quotas for the sample dataset, calibrated so a realistic minority of reps hit them.

Each rep's full quota follows their focus segment's typical bookings, grows with the business
year by year, and is scaled by a single factor chosen so that about ``TARGET_HIT_SHARE`` of
fully ramped, full-quarter rep-quarters reach it. New hires' quotas ramp linearly over their
ramp period and partial quarters (hire, termination) are prorated by days employed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops.data.periods import FiscalCalendar
from salesops.data.sample_deals import GROWTH_PER_YEAR, Deals
from salesops.data.sample_org import SEGMENTS, Roster, to_timestamps

TARGET_HIT_SHARE = 0.50


def ramped_days(a: np.ndarray, b: np.ndarray, hire: np.ndarray, ramp: np.ndarray) -> np.ndarray:
    """Sum over days a..b (inclusive) of min(1, days since hire / ramp), i.e. ramped capacity.

    Day ``d`` counts ``(d - hire + 1) / ramp`` until the ramp is complete, then 1.
    """
    xa, xb = a - hire + 1, b - hire + 1
    top = np.minimum(xb, ramp)
    rising = np.where(top >= xa, (top * (top + 1) - (xa - 1) * xa) / 2 / ramp, 0.0)
    flat = np.maximum(0, xb - np.maximum(xa - 1, ramp))
    return rising + flat


def build_quotas(roster: Roster, deals: Deals, start: int, end: int) -> pd.DataFrame:
    """One quota row per rep per calendar quarter employed, from ``start``'s quarter to the one
    after ``end``'s: next quarter's quotas are set before it starts, as in a real plan."""
    calendar = FiscalCalendar(1)
    quarters = calendar.periods_between(to_timestamps(np.array([start]))[0],
                                        to_timestamps(np.array([end]))[0], "quarter")
    quarters.append(calendar.shift(quarters[-1], 1))
    q_start = np.array([p.start for p in quarters], dtype="datetime64[D]").astype(np.int64)
    q_end = np.array([p.end for p in quarters], dtype="datetime64[D]").astype(np.int64)
    n_rep, n_q = roster.hire.size, q_start.size

    q_of_deal = np.searchsorted(q_start, deals.close, side="right") - 1
    booked = deals.won & (q_of_deal >= 0)
    bookings = np.bincount(deals.rep[booked] * n_q + q_of_deal[booked],
                           weights=deals.amount[booked], minlength=n_rep * n_q)

    rep = np.repeat(np.arange(n_rep), n_q)
    q = np.tile(np.arange(n_q), n_rep)
    a = np.maximum(roster.hire[rep], q_start[q])
    b = np.minimum(roster.term[rep], q_end[q])
    share = ramped_days(a, b, roster.hire[rep], roster.ramp_days[rep]) / (q_end - q_start + 1)[q]
    year_mid = (year_start(q_start) + 182)[q]
    growth = np.exp(GROWTH_PER_YEAR * (year_mid - start) / 365)

    full = ((a == q_start[q]) & (b == q_end[q]) & (q_end[q] <= end)
            & (roster.hire[rep] + roster.ramp_days[rep] <= q_start[q]))
    calib = full if full.any() else (b >= a) & (share > 0)
    normal = bookings / (growth * np.maximum(share, 1e-9))  # bookings per full ramped quarter
    focus = roster.focus[rep]
    overall = normal[calib].mean() if calib.any() else 0.0
    typical = np.array([normal[calib & (focus == s)].mean() if (calib & (focus == s)).any()
                        else overall for s in range(len(SEGMENTS))])
    typical = np.where(typical > 0, typical, max(overall, 1.0))
    factor = np.quantile(normal[calib] / typical[focus[calib]], 1 - TARGET_HIT_SHARE) \
        if calib.any() else 1.0

    rows = b >= a
    quota = np.maximum(100.0, np.round(factor * typical[focus] * growth * share, -2))
    return pd.DataFrame({
        "rep_id": roster.frame["rep_id"].to_numpy(object)[rep[rows]],
        "period_start": to_timestamps(q_start[q[rows]]),
        "period_end": to_timestamps(q_end[q[rows]]),
        "quota_amount": quota[rows],
    })


def year_start(days: np.ndarray) -> np.ndarray:
    """Day number of 1 January of each day's year."""
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
