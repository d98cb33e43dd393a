"""Realistic, deterministic sample CRM data: every canonical table, from a seed and an end date.

``generate`` simulates about ``years`` years of a B2B sales team up to ``end``: reps hired and
leaving (new hires ramp), accounts by segment and region, lognormal deal sizes by segment and
product, stage progressions with drop-off and dwell times, end-of-quarter and Q4 seasonality,
calibrated quarterly quotas, an open pipeline at the end date and each deal's history of
changes. Data is clean (valid keys and references); ``write_sample`` saves it as CSV.

Conventions: ``forecast_category`` is set (commit / best_case / pipeline) for open deals only
and null for closed ones; ``probability`` is the stage default for open deals, 1 for won and 0
for lost. Deals still open when their rep leaves are closed lost on the termination date. A
few open deals have slipped (expected close date already past). Deals created up to
``WARMUP_DAYS`` before the window appear if they closed inside it, so the first quarters have a
full pipeline.

History (``opportunity_history``, see ``sample_history``): a row on the created date with the
deal's initial amount, expected close date, first stage, category and probability, then a row
per change carrying only the changed fields, with a time of day. About 40% of deals have their
close date pushed, most by one period (a week or two, a month, or into the next quarter), a
tail of 3-5% three times or more (which rarely win: about 7% against 30%); some are pulled in.
About a third of amounts are revised once or twice, mostly cut late in the cycle. Stage changes
are exactly ``stage_history``. Categories move between pipeline, best case and commit as the
stage and close date advance, with some back-and-forth. Every rep has a habit
(``rep_habits``): steady, sandbagger (commits late, only deals that will win: the day-45 commit
call is well below what they win) or optimist (commits early, including deals that slip or are
lost; pushed more). Closed deals end with a row on the close date: the won or lost stage,
probability 1 or 0, category ``closed`` or ``omitted``; the last values of an open deal are its
current row. Habits and history have random streams of their own, so the other tables do not
move with them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from salesops.data.periods import parse_date
from salesops.data.sample_deals import build_deals
from salesops.data.sample_history import build_history
from salesops.data.sample_org import HABITS, build_accounts, build_roster
from salesops.data.sample_quotas import build_quotas
from salesops.data.schema import TABLES, conform
from salesops.data.stages import load_catalogue

DEFAULT_SEED = 7
WARMUP_DAYS = 240
#: Bumped whenever the generated data changes, so that cached samples are rebuilt.
GENERATOR_VERSION = 4
#: Streams of their own (``default_rng([seed, stream])``) for the reps' habits and the history,
#: so that the roster, accounts, deals and quotas do not move with them.
HABIT_STREAM, HISTORY_STREAM = 11, 12


def generate(
    seed: int = DEFAULT_SEED, end: str | pd.Timestamp | None = None, scale: float = 1.0,
    years: float = 3.0,
) -> dict[str, pd.DataFrame]:
    """All canonical tables (conformed) for ``years`` ending on ``end`` (None = today).

    The window starts on the first day of the quarter ``years`` before ``end``; ``scale``
    multiplies reps, accounts and deals (1 gives ~40 reps and ~20k opportunities).
    """
    rng, roster, start, last = _roster(seed, end, scale, years)
    accounts = build_accounts(rng, roster, scale)
    catalogue = load_catalogue()
    deals = build_deals(rng, roster, accounts, catalogue, start - WARMUP_DAYS, start, last)
    opportunities = deals.opportunities
    history, category = build_history(np.random.default_rng([seed, HISTORY_STREAM]), deals,
                                      roster.habit, catalogue,
                                      opportunities["opportunity_id"].to_numpy(object), last)
    tables = {
        "reps": roster.frame,
        "accounts": accounts.frame,
        "quotas": build_quotas(roster, deals, start, last),
        "opportunities": opportunities.assign(forecast_category=category),
        "opportunity_history": history,
        "stage_history": deals.stage_history,
    }
    return {name: conform(tables[name], table) for name, table in TABLES.items() if name in tables}


def rep_habits(
    seed: int = DEFAULT_SEED, end: str | pd.Timestamp | None = None, scale: float = 1.0,
    years: float = 3.0,
) -> pd.Series:
    """The forecasting habit (steady / sandbagger / optimist) ``generate`` gave each rep, by
    rep_id: the truth to check the reps' calls analysis against."""
    roster = _roster(seed, end, scale, years)[1]
    return pd.Series(np.array(HABITS, dtype=object)[roster.habit],
                     index=pd.Index(roster.frame["rep_id"], name="rep_id"), name="habit")


def _roster(seed: int, end: str | pd.Timestamp | None, scale: float, years: float):
    """The main random stream after the roster, the roster and the window's first and last day."""
    if scale <= 0 or years <= 0:
        raise ValueError(f"scale and years must be positive, got scale={scale}, years={years}")
    end_ts = parse_date(end, name="end")
    first_ts = (end_ts - pd.Timedelta(days=round(years * 365.25))).to_period("Q").start_time
    start, last = (np.datetime64(t.date(), "D").astype(np.int64) for t in (first_ts, end_ts))
    rng = np.random.default_rng(seed)
    roster = build_roster(rng, start, last, scale, np.random.default_rng([seed, HABIT_STREAM]))
    return rng, roster, start, last


def write_sample(
    out_dir: str | Path, seed: int = DEFAULT_SEED, end: str | pd.Timestamp | None = None,
    scale: float = 1.0,
) -> dict[str, int]:
    """Generate the sample and write ``<table>.csv`` files (ISO dates, with the minute for the
    history's ``changed_at``; empty for null). Returns the number of rows written per table.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, frame in generate(seed=seed, end=end, scale=scale).items():
        timed = {c.name: _iso_minutes(frame[c.name]) for c in TABLES[name].columns
                 if c.time_of_day}
        frame.assign(**timed).to_csv(out / f"{name}.csv", index=False, date_format="%Y-%m-%d")
        counts[name] = len(frame)
    return counts


def _iso_minutes(values: pd.Series) -> np.ndarray:
    """Timestamps as 'YYYY-MM-DDTHH:MM' text (numpy's formatting: fast on millions of rows)."""
    return values.to_numpy("datetime64[m]").astype(str).astype(object)
