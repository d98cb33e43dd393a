"""Synthetic opportunities and their stage history for the sample dataset, fully vectorised.

Deals arrive per rep-day as a Poisson process (ramp, growth, seasonality, few on weekends),
walk the catalogue's open stages with per-stage conversion odds driven by segment, deal size
and rep skill, and dwell a lognormal time in each stage. Won deals (and some lost ones) are
pulled to the last days of their quarter; Q4 closes are larger. Deals still running at the end
date are open; deals of a rep who left are closed lost on the termination date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.data.sample_org import Accounts, Roster, padded_ids, to_timestamps
from salesops.data.stages import StageCatalogue

#: New deals per weekday for a fully ramped rep, by focus segment (SMB, Mid-Market, Enterprise).
DEALS_PER_DAY = np.array([1.1, 0.75, 0.45])
WEEKEND_FACTOR = 0.08
FOCUS_SHARE = 0.70  # share of a rep's deals in their focus segment
#: Relative deal creation by calendar month (Jan..Dec): slow January, busy autumn.
MONTH_SEASON = np.array([0.85, 0.95, 1.0, 1.0, 1.0, 1.0, 0.95, 1.0, 1.1, 1.15, 1.1, 0.9])
GROWTH_PER_YEAR = 0.08  # continuous growth of deal flow (and quotas)

PRODUCTS: tuple[str, ...] = ("Core Platform", "Analytics Suite", "Integration Hub", "Premium Support")
PRODUCT_SIZE = np.array([1.0, 0.6, 0.45, 0.3])
PRODUCT_MIX = np.array([  # rows: segment
    [0.55, 0.20, 0.15, 0.10],
    [0.45, 0.25, 0.20, 0.10],
    [0.40, 0.25, 0.20, 0.15],
])
MEDIAN_AMOUNT = np.array([9_000.0, 38_000.0, 150_000.0])
AMOUNT_SIGMA = np.array([0.55, 0.65, 0.80])
Q4_AMOUNT_FACTOR = 1.2

#: Stage-to-stage conversion at the first and last open stage (interpolated in between).
CONVERSION = (0.78, 0.68)
SEGMENT_WIN_LOGIT = np.array([0.25, 0.0, -0.30])
SKILL_WIN_LOGIT = 0.45
SIZE_WIN_LOGIT = -0.25  # per log-unit above the segment median: big deals are harder
RAMP_WIN_LOGIT = -0.8  # a deal opened on a new hire's first day
#: Median dwell days in the first and last open stage (interpolated), scaled by segment.
DWELL_DAYS = (6.0, 14.0)
SEGMENT_CYCLE = np.array([0.6, 1.0, 1.7])
DWELL_SIGMA = 0.6
#: Quarter-end rush: chance a close is pulled in from early next quarter or pushed out to the
#: last ``QUARTER_END_DAYS`` days of its quarter.
PULL_IN = {"other": 0.35, "after_q4": 0.65}
PULL_IN_DAYS = 21
PUSH_OUT = {"won": 0.30, "won_q4": 0.45, "lost": 0.15}
QUARTER_END_DAYS = 10
SLIPPED_SHARE = 0.05  # open deals whose expected close date already passed
SLIPPED_MAX_DAYS = 60


@dataclass(frozen=True)
class Deals:
    """Canonical opportunities and stage_history frames plus the arrays quotas and the history
    are built from (one element per opportunity row; day numbers)."""

    rep: np.ndarray
    close: np.ndarray  # actual close day (closed deals) or expected close day (open ones)
    amount: np.ndarray
    won: np.ndarray
    created: np.ndarray
    entered: np.ndarray  # (n, open stages): day each open stage was (or would be) entered
    n_entered: np.ndarray  # open stages entered by the close or end date
    is_open: np.ndarray
    fate_won: np.ndarray  # would win: the won deals and the open deals that are going to
    opportunities: pd.DataFrame
    stage_history: pd.DataFrame


def month_index(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of each day number."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def quarter_start(days: np.ndarray, shift: int = 0) -> np.ndarray:
    """Day number of the first day of each day's calendar quarter (``shift`` quarters later)."""
    m = month_index(days)
    return (m - m % 3 + 3 * shift).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def quarter_end(days: np.ndarray) -> np.ndarray:
    """Day number of the last day of each day's calendar quarter."""
    return quarter_start(days, shift=1) - 1


def _quarter_end_rush(
    rng: np.random.Generator, close: np.ndarray, last_entry: np.ndarray, won: np.ndarray
) -> np.ndarray:
    """Close dates bunched at quarter ends, most of all at year end.

    Won deals due in the first weeks of a quarter and already in their last stage before it
    began are pulled into the previous quarter's last days; other deals may be pushed out to
    the last days of their own quarter. Closes never move before the last stage entry.
    """
    n = close.size
    month = month_index(close) % 12
    q_start = quarter_start(close)
    pull_p = np.where(month < 3, PULL_IN["after_q4"], PULL_IN["other"])
    pull = (won & (close - q_start < PULL_IN_DAYS) & (last_entry < q_start)
            & (rng.random(n) < pull_p))
    pulled = np.maximum(last_entry, q_start - 1 - rng.integers(0, QUARTER_END_DAYS, n))
    push_p = np.where(won, np.where(month >= 9, PUSH_OUT["won_q4"], PUSH_OUT["won"]),
                      PUSH_OUT["lost"])
    pushed = np.maximum(close, quarter_end(close) - rng.integers(0, QUARTER_END_DAYS, n))
    return np.where(pull, pulled, np.where(rng.random(n) < push_p, pushed, close))


def _arrivals(rng: np.random.Generator, roster: Roster, first: int, end: int):
    """Rep and created day of every new deal, plus the rep's ramp (0-1) on that day."""
    lo = np.maximum(roster.hire, first)
    hi = np.minimum(roster.term, end)
    n_days = np.maximum(0, hi - lo + 1)
    rep = np.repeat(np.arange(n_days.size), n_days)
    day = lo[rep] + np.arange(rep.size) - np.repeat(np.cumsum(n_days) - n_days, n_days)
    ramp = np.clip((day - roster.hire[rep] + 1) / roster.ramp_days[rep], 0.0, 1.0)
    weekend = (day + 3) % 7 >= 5  # day 0 (1970-01-01) was a Thursday
    rate = (DEALS_PER_DAY[roster.focus[rep]] * ramp
            * np.exp(GROWTH_PER_YEAR * (day - first) / 365 + 0.1 * roster.skill[rep, 3])
            * MONTH_SEASON[month_index(day) % 12] * np.where(weekend, WEEKEND_FACTOR, 1.0))
    k = rng.poisson(rate)
    return np.repeat(rep, k), np.repeat(day, k), np.repeat(ramp, k)


def _stage_walk(
    rng: np.random.Generator, roster: Roster, rep: np.ndarray, seg: np.ndarray,
    relative_size: np.ndarray, ramp: np.ndarray, created: np.ndarray, n_open: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each deal's fate (open stages passed; ``n_open`` = won), stage entry days and close day.

    The odds of passing each stage rise with rep skill and ramp, fall with deal size relative
    to the segment median and depend on the segment; dwell times are lognormal per stage.
    """
    n = rep.size
    base = np.linspace(*CONVERSION, n_open)
    shift = (SEGMENT_WIN_LOGIT[seg] + SKILL_WIN_LOGIT * roster.skill[rep, 0]
             + SIZE_WIN_LOGIT * np.log(relative_size) + RAMP_WIN_LOGIT * (1 - ramp))
    p_pass = 1 / (1 + np.exp(-(np.log(base / (1 - base))[None, :] + shift[:, None])))
    fate = np.cumprod(rng.random((n, n_open)) < p_pass, axis=1).sum(axis=1)
    speed = np.exp(0.2 * roster.skill[rep, 2] - 0.1 * roster.skill[rep, 0])
    median = np.linspace(*DWELL_DAYS, n_open)[None, :] * (SEGMENT_CYCLE[seg] / speed)[:, None]
    noise = np.exp(DWELL_SIGMA * rng.standard_normal((n, n_open)))
    dwell = np.maximum(1, np.rint(median * noise)).astype(np.int64)
    entered = np.cumsum(dwell, axis=1) - dwell + created[:, None]
    last_open = np.minimum(fate, n_open - 1)
    close = entered[np.arange(n), last_open] + dwell[np.arange(n), last_open]
    return fate, entered, close


def build_deals(
    rng: np.random.Generator, roster: Roster, accounts: Accounts, catalogue: StageCatalogue,
    first: int, start: int, end: int,
) -> Deals:
    """Deals created from day ``first`` to ``end``, kept if still open or closed on/after ``start``."""
    rep, created, ramp = _arrivals(rng, roster, first, end)
    n = rep.size
    focus = roster.focus[rep]
    other = (focus + 1 + (rng.random(n) < 0.5)) % 3
    seg = np.where(rng.random(n) < FOCUS_SHARE, focus, other)
    region = roster.region[rep]
    pick = np.floor(accounts.count[region, seg] * rng.random(n) ** 1.6).astype(np.int64)
    account = accounts.offset[region, seg] + pick  # skewed: some accounts buy again and again
    product = (rng.random(n)[:, None] > PRODUCT_MIX.cumsum(axis=1)[seg]).sum(axis=1)
    size = (AMOUNT_SIGMA[seg] * rng.standard_normal(n) + 0.15 * roster.skill[rep, 1])
    amount = MEDIAN_AMOUNT[seg] * PRODUCT_SIZE[product] * np.exp(size)

    n_open = len(catalogue.open_stages)
    fate, entered, close = _stage_walk(rng, roster, rep, seg, amount / MEDIAN_AMOUNT[seg], ramp,
                                       created, n_open)
    won_fate = fate == n_open
    last_open = np.minimum(fate, n_open - 1)  # stage the deal leaves (won or lost) from
    close = _quarter_end_rush(rng, close, entered[np.arange(n), last_open], won_fate)
    amount = amount * np.where(month_index(close) % 12 >= 9, Q4_AMOUNT_FACTOR, 1.0)
    amount = np.maximum(100.0, np.round(amount, -2))

    # Outcome as of the end date: closed by then, cut short by the owner leaving, or open.
    term = roster.term[rep]
    closed = (close <= end) & (close <= term)
    cut = ~closed & (term <= end)
    is_open = ~closed & ~cut
    cutoff = np.where(cut, term, end)
    n_entered = np.where(
        closed, last_open + 1,
        ((entered <= cutoff[:, None]) & (np.arange(n_open)[None, :] <= last_open[:, None])).sum(1))
    won = closed & won_fate
    close = np.where(cut, term, close)
    slipped = is_open & (rng.random(n) < SLIPPED_SHARE)
    last_entry = entered[np.arange(n), n_entered - 1]
    slip_to = np.maximum(last_entry, end - rng.integers(1, SLIPPED_MAX_DAYS + 1, n))
    close = np.where(slipped, slip_to, close)

    keep = is_open | (close >= start)
    order = np.flatnonzero(keep)[np.lexsort((rep[keep], created[keep]))]
    rep, account, product, amount, created, close = (
        a[order] for a in (rep, account, product, amount, created, close))
    won, is_open, n_entered, entered = won[order], is_open[order], n_entered[order], entered[order]
    fate_won = won | (is_open & won_fate[order])

    ids = padded_ids("OPP", order.size, 7)
    # Stage codes: 0..n_open-1 open stages, n_open won, n_open + 1 lost.
    stage_code = np.where(is_open, n_entered - 1, np.where(won, n_open, n_open + 1))
    names = np.array(catalogue.open_stages + catalogue.won_stages[:1] + catalogue.lost_stages[:1],
                     dtype=object)
    open_prob = np.array([catalogue.get(s).probability for s in catalogue.open_stages])
    probability = np.where(is_open, open_prob[np.minimum(stage_code, n_open - 1)],
                           won.astype(float))
    forecast = _forecast_category(rng, probability, close <= quarter_end(np.array([end]))[0])
    opportunities = pd.DataFrame({
        "opportunity_id": ids,
        "rep_id": roster.frame["rep_id"].to_numpy(object)[rep],
        "account_id": accounts.frame["account_id"].to_numpy(object)[account],
        "product": np.array(PRODUCTS, dtype=object)[product],
        "amount": amount,
        "created_date": to_timestamps(created),
        "close_date": to_timestamps(close),
        "stage": names[stage_code],
        "status": np.where(is_open, "open", np.where(won, "won", "lost")).astype(object),
        "forecast_category": np.where(is_open, forecast, None),
        "probability": probability,
    })

    stage_history = _stage_history(ids, names[stage_code], entered, n_entered, ~is_open, close,
                                   names[:n_open])
    return Deals(rep=rep, close=close, amount=amount, won=won, created=created, entered=entered,
                 n_entered=n_entered, is_open=is_open, fate_won=fate_won,
                 opportunities=opportunities, stage_history=stage_history)


def _stage_history(
    ids: np.ndarray, final: np.ndarray, entered: np.ndarray, n_entered: np.ndarray,
    closed: np.ndarray, close: np.ndarray, open_names: np.ndarray,
) -> pd.DataFrame:
    """One row per open stage entered, then (closed deals) the ``final`` stage on the close date."""
    n_open = open_names.size
    cells = np.arange(n_open + 1)[None, :]
    mask = (cells < n_entered[:, None]) | ((cells == n_open) & closed[:, None])
    deal, col = np.nonzero(mask)  # row-major: grouped by deal, stages in funnel order
    is_open_stage = col < n_open
    when = np.where(is_open_stage, entered[deal, np.minimum(col, n_open - 1)], close[deal])
    return pd.DataFrame({
        "opportunity_id": ids[deal],
        "stage": np.where(is_open_stage, open_names[np.minimum(col, n_open - 1)], final[deal]),
        "entered_date": to_timestamps(when),
    })


def _forecast_category(
    rng: np.random.Generator, probability: np.ndarray, this_quarter: np.ndarray
) -> np.ndarray:
    """Rep's call per deal: commit/best_case likelier for late stages closing this quarter."""
    commit = probability**2 * np.where(this_quarter, 2.0, 0.4)
    best = probability * np.where(this_quarter, 1.2, 0.8)
    pipeline = (1 - probability) * 0.8
    u = rng.random(probability.size) * (commit + best + pipeline)
    return np.where(u < commit, "commit", np.where(u < commit + best, "best_case", "pipeline"))
