"""Realistic, deterministic sample CRM data: every canonical table, from a seed and an end date.

``generate`` simulates about ``years`` years of a B2B sales team up to ``end``: reps hired and
leaving (new hires ramp), accounts by segment and region, lognormal deal sizes by segment and
product, stage progressions with drop-off and dwell times, end-of-quarter and Q4 seasonality,
calibrated quarterly quotas and an open pipeline at the end date. Data is clean (valid keys and
references); ``write_sample`` saves it as CSV.

Conventions: ``forecast_category`` is set (commit / best_case / pipeline) for open deals only
and null for closed ones; ``probability`` is the stage default for open deals, 1 for won and 0
for lost. Deals still open when their rep leaves are closed lost on the termination date. A
few open deals have slipped (expected close date already past). Deals created up to
``WARMUP_DAYS`` before the window appear if they closed inside it, so the first quarters have a
full pipeline.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from salesops.data.periods import parse_date
from salesops.data.sample_deals import build_deals
from salesops.data.sample_org import build_accounts, build_roster
from salesops.data.sample_quotas import build_quotas
from salesops.data.schema import TABLES, conform
from salesops.data.stages import load_catalogue

DEFAULT_SEED = 7
WARMUP_DAYS = 240


def generate(
    seed: int = DEFAULT_SEED, end: str | pd.Timestamp | None = None, scale: float = 1.0,
    years: float = 3.0,
) -> dict[str, pd.DataFrame]:
    """All canonical tables (conformed) for ``years`` ending on ``end`` (None = today).

    The window starts on the first day of the quarter ``years`` before ``end``; ``scale``
    multiplies reps, accounts and deals (1 gives ~40 reps and ~20k opportunities).
    """
    if scale <= 0 or years <= 0:
        raise ValueError(f"scale and years must be positive, got scale={scale}, years={years}")
    end_ts = parse_date(end, name="end")
    first_ts = (end_ts - pd.Timedelta(days=round(years * 365.25))).to_period("Q").start_time
    start, last = (np.datetime64(t.date(), "D").astype(np.int64) for t in (first_ts, end_ts))
    rng = np.random.default_rng(seed)
    roster = build_roster(rng, start, last, scale)
    accounts = build_accounts(rng, roster, scale)
    deals = build_deals(rng, roster, accounts, load_catalogue(), start - WARMUP_DAYS, start, last)
    tables = {
        "reps": roster.frame,
        "accounts": accounts.frame,
        "quotas": build_quotas(roster, deals, start, last),
        "opportunities": deals.opportunities,
        "stage_history": deals.stage_history,
    }
    return {name: conform(tables[name], table) for name, table in TABLES.items() if name in tables}


def write_sample(
    out_dir: str | Path, seed: int = DEFAULT_SEED, end: str | pd.Timestamp | None = None,
    scale: float = 1.0,
) -> dict[str, int]:
    """Generate the sample and write ``<table>.csv`` files (ISO dates, empty for null).

    Returns the number of rows written per table.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, frame in generate(seed=seed, end=end, scale=scale).items():
        frame.to_csv(out / f"{name}.csv", index=False, date_format="%Y-%m-%d")
        counts[name] = len(frame)
    return counts
