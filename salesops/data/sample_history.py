"""Synthetic opportunity history for the sample: every change of a deal's amount, expected close
date, stage, forecast category and probability, consistent with its current row and its stages.

Each deal starts with a row on its created date (its initial state). Expected close dates are
pushed (most often by about a month or into the next quarter, a tail three times or more; deals
that will be lost and optimists' deals are pushed more) and a few are pulled in; a minority of
amounts are revised once or twice, mostly cut late in the cycle. Stage changes are the stage
history's. Forecast categories follow stage, days to the expected close and the rep's habit
(sandbaggers commit late and only deals they will win, optimists commit early), with some
back-and-forth. A closed deal ends with a row on its close date: the won or lost stage,
probability 1 or 0 and category ``closed`` or ``omitted``. Rows carry only the fields that
changed (the created row carries all) and a time of day, so a stage entered on a deal's close
day keeps its own row. Vectorised: loops run over a handful of columns, never over deals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from salesops.data.sample_deals import Deals, quarter_start
from salesops.data.stages import StageCatalogue

#: Hour of day of each kind of change (a deal's changes on one day keep this order).
CREATED, STAGE, AMOUNT, CLOSE_DATE, REVIEW, CLOSED = range(6)
HOURS = np.array([9, 10, 11, 12, 15, 17])
#: Forecast category codes: the open calls first, then the closed deals' categories.
CATEGORIES = np.array(["pipeline", "best_case", "commit", "closed", "omitted"], dtype=object)

#: Pushes per 30 days of a deal's life (created to last expected close) for a deal that will be
#: won / lost, times the rep's habit (steady, sandbagger, optimist); a deal is never pushed more
#: than MAX_PUSHES times nor to before it was created.
PUSH_RATE = (0.2, 1.6)
HABIT_PUSH = np.array([1.0, 0.6, 1.8])
MAX_PUSHES = 6
#: Share of pushes by one or two weeks, about a month and into the next quarter (the rest: two
#: to four months).
PUSH_KINDS = np.cumsum([0.15, 0.45, 0.28])
#: Chance of a close date pulled in (a won, open or lost deal) and by how many days at most.
PULL_IN = (0.22, 0.08, 0.04)
PULL_IN_DAYS = 45
LOST_LATE = 0.6  # lost deals closed before the expected close date they had
#: Deals whose amount is revised, the chance of a second revision and of a revision being a cut.
REVISED, SECOND_REVISION, CUT = 0.35, 0.45, 0.75
#: By habit (steady, sandbagger, optimist): lowest stage index and most days before the
#: expected close at which a deal is called commit, then best case.
COMMIT_STAGE = np.array([3, 4, 1])
COMMIT_DAYS = np.array([60, 21, 90])
BEST_STAGE = np.array([2, 3, 0])
BEST_DAYS = np.array([90, 40, 150])
#: Chance a rep commits a deal they will win / lose (sandbaggers never commit a loser).
COMMIT_BELIEF = np.array([[0.9, 0.45], [0.95, 0.0], [0.98, 0.85]])
#: The rep reviews each call every REVIEW_DAYS (at most MAX_REVIEWS times), and near the close.
REVIEW_DAYS, MAX_REVIEWS = 7, 16
EARLY_PUSH_DAYS = 45  # a push of a date still ahead at the end date: made within this many days
FLIP_DOWN, FLIP_UP = 0.16, 0.08  # a call one level down or up at a change (back-and-forth)


def build_history(
    rng: np.random.Generator, deals: Deals, habit: np.ndarray, catalogue: StageCatalogue,
    ids: np.ndarray, end: int,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The canonical opportunity_history frame, and each deal's current forecast category
    (None for closed deals) as the history leaves it."""
    n = deals.close.size
    created, close, is_open, won = deals.created, deals.close, deals.is_open, deals.won
    lost = ~is_open & ~won
    h = habit[deals.rep]
    horizon = np.where(is_open, end, close - 1)  # last day of a change before the close row

    pull = rng.random(n) < np.select([won, is_open], PULL_IN[:2], PULL_IN[2])
    pull_day = np.minimum(close - 1, end) - rng.integers(0, 21, n)
    pull &= pull_day > created
    late = lost & (rng.random(n) < LOST_LATE)
    last = close + np.where(pull | late, rng.integers(7, PULL_IN_DAYS + 1, n), 0)
    rate = np.where(deals.fate_won, *PUSH_RATE) * HABIT_PUSH[h] * (last - created) / 30
    dates, push_day, pushed = _push_path(rng, created, last, np.where(pull, pull_day - 1, horizon),
                                         rate)
    amounts, revised_day, revised = _amount_path(rng, deals.amount, created, horizon,
                                                 np.maximum(close, horizon))

    n_open = len(catalogue.open_stages)
    stage_deal, stage_col = np.nonzero(np.arange(1, n_open)[None, :] < deals.n_entered[:, None])
    closed = np.flatnonzero(~is_open)
    review_deal, review_day = _review_days(rng, created, close, horizon, h)
    first_close = dates[np.arange(n), MAX_PUSHES - pushed.sum(axis=1)]
    first_amount = amounts[np.arange(n), 2 - revised.sum(axis=1)]
    push_deal, push_col = np.nonzero(pushed)
    rev_deal, rev_col = np.nonzero(revised)
    none = -1
    parts = [  # (deal, day, kind, amount, close date, stage code)
        (np.arange(n), created, CREATED, first_amount, first_close, np.zeros(n, np.int64)),
        (stage_deal, deals.entered[stage_deal, stage_col + 1], STAGE, np.nan, none, stage_col + 1),
        (rev_deal, revised_day[rev_deal, rev_col], AMOUNT, amounts[rev_deal, rev_col + 1], none,
         none),
        (push_deal, push_day[push_deal, push_col], CLOSE_DATE, np.nan,
         dates[push_deal, push_col + 1], none),
        (np.flatnonzero(pull), pull_day[pull], CLOSE_DATE, np.nan, close[pull], none),
        (review_deal, review_day, REVIEW, np.nan, none, none),
        (closed, close[closed], CLOSED, deals.amount[closed], close[closed],
         np.where(won[closed], n_open, n_open + 1)),
    ]
    deal, day, kind, amount, close_date, stage = (
        np.concatenate([np.broadcast_to(p[i], p[0].shape) for p in parts]) for i in range(6))
    deal, day, kind, state = _states(deal, day, kind, {"amount": amount, "close_date": close_date,
                                                       "stage": stage})
    u = rng.random(n)
    category = _category(rng, state["stage"], state["close_date"] - day, kind == CLOSED, n_open,
                         h[deal], deals.fate_won[deal], u[deal])
    state["category"] = category
    last_row = np.r_[deal[1:] != deal[:-1], True]
    current = np.full(n, None, dtype=object)
    current[deal[last_row]] = CATEGORIES[category[last_row]]
    current[~is_open] = None
    minute = rng.integers(0, 60, day.size)
    frame = _frame(ids, deal, day, kind, minute, state, catalogue, n_open)
    return frame, current


def _push_path(
    rng: np.random.Generator, created: np.ndarray, last: np.ndarray, upper: np.ndarray,
    rate: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expected close dates, built backwards from ``last``: column j+1 is the date push j moved
    to (column MAX_PUSHES = ``last``), ``push_day`` its day (a little before or just after the
    old date; strictly increasing, at most ``upper``) and ``pushed`` whether it happened (a
    suffix of the columns: the pushes that fit after the deal was created)."""
    n, k = created.size, MAX_PUSHES
    count = np.minimum(rng.poisson(rate), k)
    kind = np.searchsorted(PUSH_KINDS, rng.random((n, k)))
    by = np.stack([rng.integers(7, 15, (n, k)), rng.integers(21, 39, (n, k)),
                   np.zeros((n, k), np.int64), rng.integers(60, 121, (n, k))])
    before_quarter = rng.integers(0, 13, (n, k))
    dates = np.empty((n, k + 1), dtype=np.int64)
    dates[:, k] = last
    for j in range(k - 1, -1, -1):
        to = dates[:, j + 1]
        dates[:, j] = np.where(kind[:, j] == 2, quarter_start(to) - 1 - before_quarter[:, j],
                               to - np.take_along_axis(by[:, :, j], kind[None, :, j], 0)[0])
    day = np.minimum(dates[:, :-1] + rng.integers(-14, 4, (n, k)), dates[:, 1:] - 1)
    # a push due after ``upper`` (an open deal's date still ahead) was made earlier, on some day
    # of the last weeks before it, not all on the end date
    early = upper[:, None] - rng.integers(0, EARLY_PUSH_DAYS, (n, k))
    day = np.where(day > upper[:, None], early, day)
    step = np.arange(k)
    day = np.minimum.accumulate((day - step)[:, ::-1], axis=1)[:, ::-1] + step
    pushed = ((step[None, :] >= k - count[:, None]) & (day > created[:, None])
              & (dates[:, :-1] > created[:, None]))
    return dates, day, pushed


def _amount_path(
    rng: np.random.Generator, amount: np.ndarray, created: np.ndarray, horizon: np.ndarray,
    cycle_end: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Amounts before and after up to two revisions (column 2 = the current amount), the
    revision days (late in the cycle up to ``cycle_end``: an open deal's expected close; those
    after ``horizon`` have not happened yet) and whether each revision happened."""
    n = amount.size
    count = np.where(rng.random(n) < REVISED, 1 + (rng.random(n) < SECOND_REVISION), 0)
    factor = np.where(rng.random((n, 2)) < CUT, 1 - rng.uniform(0.1, 0.4, (n, 2)),
                      1 + rng.uniform(0.1, 0.6, (n, 2)))
    amounts = np.empty((n, 3))
    amounts[:, 2] = amount
    for j in (1, 0):
        amounts[:, j] = np.maximum(100.0, np.round(amounts[:, j + 1] / factor[:, j], -2))
    span = cycle_end - created
    day = created[:, None] + np.ceil(np.sort(rng.beta(3.0, 1.4, (n, 2)), axis=1)
                                     * span[:, None]).astype(np.int64)
    revised = ((np.arange(2)[None, :] >= 2 - count[:, None]) & (day > created[:, None])
               & (day <= horizon[:, None]) & (amounts[:, :2] != amounts[:, 1:]))
    revised[:, 0] &= revised[:, 1] & (day[:, 0] < day[:, 1])  # the revisions stay a suffix
    return amounts, day, revised


def _review_days(
    rng: np.random.Generator, created: np.ndarray, close: np.ndarray, horizon: np.ndarray,
    h: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(deal, day) of each review of a call with no other change: every REVIEW_DAYS or so from
    creation, and just inside the commit and best-case windows of the close date."""
    n = created.size
    count = np.clip((horizon - created) // REVIEW_DAYS, 0, MAX_REVIEWS)
    deal = np.repeat(np.arange(n), count)
    nth = np.arange(deal.size) - np.repeat(np.cumsum(count) - count, count) + 1
    regular = created[deal] + nth * REVIEW_DAYS + rng.integers(-3, 4, deal.size)
    windows = np.stack([close - COMMIT_DAYS[h] + rng.integers(-3, 4, n),
                        close - BEST_DAYS[h] + rng.integers(-7, 8, n)], axis=1)
    w_deal = np.repeat(np.arange(n), 2)
    deal, day = np.r_[deal, w_deal], np.r_[regular, windows.ravel()]
    ok = (day > created[deal]) & (day <= horizon[deal])
    return deal[ok], day[ok]


def _states(
    deal: np.ndarray, day: np.ndarray, kind: np.ndarray, changes: dict[str, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Changes sorted by (deal, day, kind), one row per (deal, day, kind) (the last change
    wins), with each field's value after the row (forward-filled within the deal)."""
    d0 = int(day.min())
    key = (deal * (int(day.max()) - d0 + 1) + (day - d0)) * len(HOURS) + kind
    order = np.argsort(key, kind="stable")
    key = key[order]
    idx = np.arange(key.size)
    state = {}
    for name, values in changes.items():
        values = values[order]
        known = ~np.isnan(values) if values.dtype.kind == "f" else values >= 0
        state[name] = values[np.maximum.accumulate(np.where(known, idx, 0))]
    keep = np.r_[key[1:] != key[:-1], True]
    return (deal[order][keep], day[order][keep], kind[order][keep],
            {name: v[keep] for name, v in state.items()})


def _category(
    rng: np.random.Generator, stage: np.ndarray, days_left: np.ndarray, closing: np.ndarray,
    n_open: int, h: np.ndarray, will_win: np.ndarray, u: np.ndarray,
) -> np.ndarray:
    """Category code after each row: the closed deal's category on its close row, else the
    rep's call from stage and days to the expected close, by habit, one level off at times."""
    believe = u < COMMIT_BELIEF[h, np.where(will_win, 0, 1)]
    commit = (stage >= COMMIT_STAGE[h]) & (days_left <= COMMIT_DAYS[h]) & believe
    best = (stage >= BEST_STAGE[h]) & (days_left <= BEST_DAYS[h])
    call = np.where(commit, 2, np.where(best, 1, 0))
    r = rng.random(stage.size)
    call = np.clip(call - (r < FLIP_DOWN) + (r > 1 - FLIP_UP), 0, 2)
    return np.where(closing, np.where(stage == n_open, 3, 4), call)


def _frame(
    ids: np.ndarray, deal: np.ndarray, day: np.ndarray, kind: np.ndarray, minute: np.ndarray,
    state: dict[str, np.ndarray], catalogue: StageCatalogue, n_open: int,
) -> pd.DataFrame:
    """Canonical rows: each field only where it changed (all on a deal's first row); rows that
    change nothing are dropped."""
    open_prob = [catalogue.get(s).probability for s in catalogue.open_stages]
    values = {
        "amount": state["amount"],
        "close_date": state["close_date"],
        "stage": state["stage"],
        "forecast_category": state["category"],
        "probability": np.array(open_prob + [1.0, 0.0])[state["stage"]],
    }
    first = np.r_[True, deal[1:] != deal[:-1]]
    changed = {name: first | np.r_[True, v[1:] != v[:-1]] for name, v in values.items()}
    keep = np.logical_or.reduce(list(changed.values()))
    names = catalogue.open_stages + catalogue.won_stages[:1] + catalogue.lost_stages[:1]
    at = ((day * 24 + HOURS[kind]) * 60 + minute).astype("datetime64[m]").astype("datetime64[ns]")
    c = {name: m[keep] for name, m in changed.items()}
    v = {name: x[keep] for name, x in values.items()}
    return pd.DataFrame({
        "opportunity_id": _labels(deal[keep], ids),
        "changed_at": at[keep],
        "amount": np.where(c["amount"], v["amount"], np.nan),
        "close_date": np.where(c["close_date"], v["close_date"].astype("datetime64[D]"),
                               np.datetime64("NaT")).astype("datetime64[ns]"),
        "stage": _labels(v["stage"], names, ~c["stage"]),
        "forecast_category": _labels(v["forecast_category"], CATEGORIES, ~c["forecast_category"]),
        "probability": np.where(c["probability"], v["probability"], np.nan),
    })


def _labels(codes: np.ndarray, names, empty: np.ndarray | None = None) -> pd.Series:
    """``names[codes]`` as a string column (null where ``empty``), built by pyarrow: millions of
    rows in a fraction of the time of Python strings."""
    labels = pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32), mask=empty),
                                            pa.array(list(names), pa.string())).cast(pa.string())
    return pd.Series(pd.arrays.ArrowStringArray(labels))
