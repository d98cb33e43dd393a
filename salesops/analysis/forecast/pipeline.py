"""Pipeline forecast: expected bookings from open deals and from deals not yet created.

For each open deal as of ``as_of``: P(won) from historical (value-weighted) stage-to-won rates by
stage and deal age, times P(closing inside each period | won) from the historical time from that stage to a
won close (with an opportunity history: from the deal's expected close date and how far won deals
closed from the date expected of them then); plus a run-rate for deals created after ``as_of``
that close inside the period.
A seeded Monte Carlo over deals gives P10/P50/P90. All rates are learned only from deals
resolved by ``as_of``, so the same code backtests past snapshots without look-ahead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.data.asof import open_stages_on, past_states
from salesops.data.periods import Period
from salesops.data.requirements import Needs
from salesops.data.stages import StageCatalogue
from salesops.data.store import Dataset

AGE_EDGES: tuple[float, ...] = (0, 30, 90, 180, 365, np.inf)
AGE_LABELS: tuple[str, ...] = ("0-30d", "31-90d", "91-180d", "181-365d", ">365d")
#: Buckets of days to a deal's expected close (up to 0: due or overdue), for ``close_factors``.
CLOSE_EDGES: tuple[float, ...] = (-np.inf, 0, 30, 60, 90, 180, np.inf)
PRIOR_STRENGTH = 10.0  # pseudo-deals pulling a sparse cell towards the stage (or catalogue) rate
LOOKBACK_DAYS = 730
SETTLE_DAYS = 90  # training snapshots stop this long before as_of, so outcomes have had time
SNAPSHOT_STEP_DAYS = 30
MIN_TIMING_OBS = 20
RUN_RATE_LOOKBACK = 4
PIPELINE_NEEDS = Needs("The pipeline forecast", tables=("opportunities",))
#: Where open deals' win probabilities come from: rates learned from the stage history, the
#: CRM's probability column (no stage history), or the stage catalogue's defaults (neither).
PROBABILITY_SOURCES = ("history", "crm", "catalogue")
HISTORY_RATES_NEEDS = Needs("Win rates learned from past deals", tables=("stage_history",))
CRM_PROBABILITY_NEEDS = Needs("The CRM's weighted pipeline",
                              columns={"opportunities": ("probability",)})


def probability_source(dataset: Dataset, open_deals: pd.DataFrame) -> str:
    """Which ``PROBABILITY_SOURCES`` a pipeline forecast of ``dataset`` can use: learned rates
    with a stage history, else the CRM's probability column if any open deal has one, else the
    stage catalogue's defaults."""
    if HISTORY_RATES_NEEDS.check(dataset):
        return "history"
    if CRM_PROBABILITY_NEEDS.check(dataset) and open_deals["probability"].notna().any():
        return "crm"
    return "catalogue"


def age_bucket(age_days: pd.Series) -> pd.Series:
    """Deal age (days since creation) in the buckets of ``AGE_LABELS``."""
    return pd.cut(age_days.clip(lower=0), bins=list(AGE_EDGES), labels=list(AGE_LABELS),
                  include_lowest=True).astype(str)


def training_observations(
    opportunities: pd.DataFrame, stage_history: pd.DataFrame, catalogue: StageCatalogue,
    as_of: pd.Timestamp, lookback_days: int = LOOKBACK_DAYS, step_days: int = SNAPSHOT_STEP_DAYS,
    settle_days: int = SETTLE_DAYS, history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Deals seen open at past snapshot dates, with their stage, age and outcome by ``as_of``.

    One row per (snapshot, deal open then): stage and age at the snapshot, whether the deal
    was won by ``as_of`` (a deal still open then counts as not won), its amount, days from the
    snapshot to its close and ``expected_days``: days from the snapshot to the close date then
    expected (NaN without an opportunity ``history`` recording it by then). With ``history``
    (changes known by ``as_of``) amount and stage are the deal's at the snapshot
    (``past_states``). Snapshots run every ``step_days`` over ``lookback_days`` and stop
    ``settle_days`` before ``as_of``. All snapshots are computed at once (deal x date grid).
    """
    as_of = pd.Timestamp(as_of)
    cols = ["opportunity_id", "snapshot", "stage", "age_days", "won", "amount", "days_to_close",
            "expected_days"]
    known = opportunities.loc[opportunities["created_date"] <= as_of]
    won_by = ((known["status"] == "won") & (known["close_date"] <= as_of)).to_numpy(bool)
    closes = known["close_date"].where(known["status"] != "open", pd.NaT)
    stages = stage_history.loc[stage_history["entered_date"] <= as_of]
    end = as_of - pd.Timedelta(days=settle_days)
    dates = pd.date_range(end=end, periods=lookback_days // step_days + 1, freq=f"{step_days}D")
    created = pd.DatetimeIndex(known["created_date"])
    close_at = pd.DatetimeIndex(closes)
    grid = dates.to_numpy()[:, None]
    # open at d: created by d and not closed by d (NaT compares False: still open)
    snap, deal = np.nonzero((created.to_numpy()[None, :] <= grid)
                            & ~(close_at.to_numpy()[None, :] <= grid))
    if len(snap) == 0:
        return pd.DataFrame(columns=cols)
    ids = known["opportunity_id"]
    on = dates[snap]
    days_to_close = np.asarray((close_at[deal] - on).days, dtype=float)
    stage = open_stages_on(stages, catalogue, ids, deal, on)
    amount = known["amount"].to_numpy(float)[deal]
    expected_days = np.full(len(deal), np.nan)
    if history is not None and len(history):
        history = history.loc[history["changed_at"] < as_of + pd.Timedelta(days=1)]
        then = past_states(history, catalogue, ids.iloc[deal], on,
                           ("amount", "close_date", "stage"))
        stage = np.where(then["stage"].notna(), then["stage"].to_numpy(object), stage)
        amount = np.where(then["amount"].notna(), then["amount"].to_numpy(float), amount)
        expected = pd.DatetimeIndex(then["close_date"].where(then["recorded"]))
        expected_days = np.asarray((expected - on).days, dtype=float)
    return pd.DataFrame({
        "opportunity_id": ids.to_numpy()[deal],
        "snapshot": on,
        "stage": stage,
        "age_days": np.asarray((on - created[deal]).days, dtype=np.int64),
        "won": won_by[deal],
        "amount": amount,
        "days_to_close": (days_to_close if np.isnan(days_to_close).any()
                          else days_to_close.astype(np.int64)),
        "expected_days": expected_days,
    }, columns=cols)


def _value_rates(obs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group: deal count and value-weighted win rate (won amount / amount; by count if the
    group's amounts are all zero)."""
    g = obs.assign(won_amount=obs["won"] * obs["amount"]).groupby(keys)
    out = g[["won", "amount", "won_amount"]].sum()
    out.insert(0, "n", g.size())
    won_share = out["won"] / out["n"]
    out["rate"] = (out["won_amount"] / out["amount"].where(out["amount"] > 0)).fillna(won_share)
    return out[["n", "rate"]]


def win_rates(observations: pd.DataFrame, catalogue: StageCatalogue,
              prior_strength: float = PRIOR_STRENGTH) -> pd.DataFrame:
    """Value-weighted win rate per (stage, age bucket), each shrunk towards a prior:
    rate = (n * observed + k * prior) / (n + k), n the number of observations.

    Value-weighted (won amount / amount) because bigger deals win less often, and the
    forecast is of amounts. The prior of a stage is the catalogue's probability; of a stage's
    youngest age bucket, the stage rate; of each older bucket, the bucket before it, so that
    ages with few or no observations inherit the rate of the nearest younger deals.
    """
    obs = observations.assign(age_bucket=age_bucket(observations["age_days"].astype(float)),
                              won=observations["won"].astype(float),
                              amount=observations["amount"].astype(float))
    by_stage = _value_rates(obs, ["stage"])
    cells = _value_rates(obs, ["stage", "age_bucket"])
    rows = []
    for stage in catalogue.open_stages:
        n, rate = by_stage.loc[stage] if stage in by_stage.index else (0.0, 0.0)
        stage_rate = (n * rate + prior_strength * catalogue.get(stage).probability) / (
            n + prior_strength)
        prior = stage_rate
        for bucket in AGE_LABELS:
            c_n, c_rate = (cells.loc[(stage, bucket)] if (stage, bucket) in cells.index
                           else (0.0, 0.0))
            prior = (c_n * c_rate + prior_strength * prior) / (c_n + prior_strength)
            rows.append((stage, bucket, float(c_n), float(c_rate), float(stage_rate), prior))
    return pd.DataFrame(rows, columns=["stage", "age_bucket", "observations", "observed_rate",
                                       "stage_rate", "win_rate"])


def close_factors(observations: pd.DataFrame, rates: pd.DataFrame,
                  prior_strength: float = PRIOR_STRENGTH) -> pd.Series:
    """Per bucket of days to the expected close (``CLOSE_EDGES``, bucket number): how observed
    deals that far from their expected close won against their learned rate, won amount /
    (rate x amount), shrunk towards 1: (n * factor + k) / (n + k). Empty without observations
    whose expected close is known (an opportunity history): deals near their expected close
    may win less often than their stage and age say (pushed deals), and far ones more."""
    if "expected_days" not in observations.columns:
        return pd.Series(dtype=float)
    obs = observations.loc[observations["expected_days"].notna()]
    if obs.empty:
        return pd.Series(dtype=float)
    keys = pd.MultiIndex.from_arrays([obs["stage"], age_bucket(obs["age_days"].astype(float))])
    rate = rates.set_index(["stage", "age_bucket"])["win_rate"].reindex(keys).to_numpy(float)
    amount = obs["amount"].to_numpy(float)
    g = pd.DataFrame({"bucket": _close_bucket(obs["expected_days"]),
                      "won": np.where(obs["won"].to_numpy(bool), amount, 0.0),
                      "expected": np.nan_to_num(rate * amount)}).groupby("bucket").agg(
        n=("won", "size"), won=("won", "sum"), expected=("expected", "sum"))
    factor = (g["won"] / g["expected"].where(g["expected"] > 0)).fillna(1.0)
    return (g["n"] * factor + prior_strength) / (g["n"] + prior_strength)


def _close_bucket(days: pd.Series) -> pd.Series:
    """Bucket number (0 = due or overdue) of days to the expected close; NaN if unknown."""
    return pd.Series(pd.cut(days.astype(float), bins=list(CLOSE_EDGES), labels=False),
                     index=days.index)


def close_timing(
    observations: pd.DataFrame, stages: pd.Series, windows: Sequence[tuple[int, int]],
    min_obs: int = MIN_TIMING_OBS, expected_days: pd.Series | None = None,
) -> np.ndarray:
    """P(close within each window of days after as_of | won), per deal stage (rows x windows).

    From the days that won deals took to close from the same stage; stages with fewer than
    ``min_obs`` won observations use all stages pooled; no observations at all: spread
    evenly over the windows' days. With ``expected_days`` (days from as_of to each deal's
    expected close) and at least ``min_obs`` won observations with an ``expected_days`` (from an
    opportunity history), a deal with an expected close instead closes on it plus a slip
    (close minus the close then expected) of its stage's (or the pooled) won deals, among the
    slips that land after as_of.
    """
    won = observations.loc[observations["won"].astype(bool)]
    if "expected_days" in won.columns:
        won = won.assign(slip_days=won["days_to_close"] - won["expected_days"])
    lo = np.array([w[0] for w in windows], dtype=float)
    hi = np.array([w[1] for w in windows], dtype=float)
    names = stages.astype(str).to_numpy()
    out = np.zeros((len(names), len(windows)))
    days_of = _sorted_by_stage(won, "days_to_close", min_obs)
    for stage in np.unique(names):
        days = days_of(stage)
        out[names == stage] = ((hi - lo + 1) / hi.max() if len(days) == 0 else
                               (np.searchsorted(days, hi, "right")
                                - np.searchsorted(days, lo, "left")) / len(days))
    if (expected_days is None or "slip_days" not in won.columns
            or won["slip_days"].notna().sum() < min_obs):
        return out
    slips_of = _sorted_by_stage(won, "slip_days", min_obs)
    expected = expected_days.to_numpy(float)
    for stage in np.unique(names):
        rows = np.flatnonzero((names == stage) & np.isfinite(expected))
        slips, base = slips_of(stage), expected[rows, None]
        after = len(slips) - np.searchsorted(slips, 1 - base, "left")  # closes after as_of
        inside = (np.searchsorted(slips, hi - base, "right")
                  - np.searchsorted(slips, lo - base, "left"))
        some = after[:, 0] > 0  # none lands after as_of (far overdue): stage-to-close timing
        out[rows[some]] = inside[some] / after[some]
    return out


def _sorted_by_stage(won: pd.DataFrame, column: str,
                     min_obs: int) -> Callable[[str], np.ndarray]:
    """stage -> the sorted known values of ``column`` among that stage's won observations, or
    all stages' pooled when the stage has fewer than ``min_obs``."""
    known = won.loc[won[column].notna()]
    pooled = np.sort(known[column].to_numpy(float))
    by_stage = {s: np.sort(g.to_numpy(float)) for s, g in known.groupby("stage")[column]}

    def values(stage: str) -> np.ndarray:
        got = by_stage.get(stage, pooled[:0])
        return got if len(got) >= min_obs else pooled
    return values


def windows_for(periods: Sequence[Period], as_of: pd.Timestamp) -> list[tuple[int, int]]:
    """Each period as a window of days after ``as_of`` (the current period starts tomorrow)."""
    return [(max(1, (p.start - as_of).days), (p.end - as_of).days) for p in periods]


def run_rate_samples(
    opportunities: pd.DataFrame, periods: Sequence[Period], as_of: pd.Timestamp,
    lookback: int = RUN_RATE_LOOKBACK,
) -> list[np.ndarray]:
    """Past analogues of bookings from deals not yet created: for each period, the won amount
    of deals created after ``as_of - j periods`` and closed inside ``period - j periods``,
    for j = 1..lookback, counting only closes known by ``as_of``."""
    out = []
    won = opportunities.loc[(opportunities["status"] == "won")
                            & (opportunities["close_date"] <= as_of)]
    for p in periods:
        months = {"month": 1, "quarter": 3, "year": 12}[p.freq]
        values = []
        for j in range(1, lookback + 1):
            shift = pd.DateOffset(months=months * j)
            start, end, cut = p.start - shift, p.end - shift, as_of - shift
            if end > as_of:
                continue
            mask = ((won["created_date"] > cut) & (won["close_date"] >= start)
                    & (won["close_date"] <= end))
            values.append(float(won.loc[mask, "amount"].sum()))
        out.append(np.array(values) if values else np.zeros(1))
    return out


@dataclass(frozen=True)
class PipelineForecast:
    """Per-period summary, per-deal probabilities and the win-rate table behind them."""

    as_of: pd.Timestamp
    periods: pd.DataFrame  # period, start, end, booked, open_expected, run_rate, expected, p10..p90
    deals: pd.DataFrame  # open deals with p_win, p_close_<label>, expected_<label>
    rates: pd.DataFrame
    probabilities: str = "history"  # one of PROBABILITY_SOURCES
    unknown_amounts: int = 0  # open deals counted but left out of the value (no amount)
    unknown_close_dates: int = 0  # open deals without an expected close date


def pipeline_forecast(
    opportunities: pd.DataFrame, stage_history: pd.DataFrame, catalogue: StageCatalogue,
    periods: Sequence[Period], as_of: pd.Timestamp, sims: int = 5000, seed: int = 0,
    observations: pd.DataFrame | None = None, probabilities: str = "history",
    history: pd.DataFrame | None = None,
) -> PipelineForecast:
    """Expected bookings and P10/P50/P90 per period from the pipeline open at ``as_of``.

    ``opportunities`` must be as known at ``as_of`` (``salesops.data.asof.snapshot`` for a
    past date, with the same ``history``); ``observations`` can be passed to reuse
    ``training_observations``; ``probabilities`` is one of ``PROBABILITY_SOURCES`` (an empty
    CRM probability falls back to the stage's default); ``history`` is the opportunity history
    (amounts and expected close dates at the training snapshots; learned win rates scaled by
    ``close_factors``, close timing from slips).
    Open deals without an amount are counted, and left out of the value.
    """
    if probabilities not in PROBABILITY_SOURCES:
        raise ValueError(f"probabilities must be one of {', '.join(PROBABILITY_SOURCES)}, "
                         f"got {probabilities!r}")
    as_of = pd.Timestamp(as_of)
    obs = observations if observations is not None else training_observations(
        opportunities, stage_history, catalogue, as_of, history=history)
    rates = win_rates(obs, catalogue)
    live = opportunities.loc[(opportunities["status"] == "open")
                             & (opportunities["created_date"] <= as_of)].copy()
    live["age_days"] = (as_of - live["created_date"]).dt.days
    live["age_bucket"] = age_bucket(live["age_days"].astype(float))
    live = live.merge(rates[["stage", "age_bucket", "win_rate"]], on=["stage", "age_bucket"],
                      how="left")
    default = catalogue.probability_of(live["stage"])
    learned = {"history": live["win_rate"], "crm": live["probability"],
               "catalogue": pd.Series(np.nan, index=live.index)}[probabilities]
    live["p_win"] = learned.astype(float).fillna(default).fillna(0.0)
    expected_days = (live["close_date"] - as_of).dt.days
    factors = close_factors(obs, rates) if probabilities == "history" else pd.Series(dtype=float)
    if len(factors):
        scale = _close_bucket(expected_days).map(factors).fillna(1.0)
        live["p_win"] = (live["p_win"] * scale).clip(upper=1.0)
    timing = close_timing(obs, live["stage"], windows_for(periods, as_of),
                          expected_days=expected_days)
    labels = [p.label for p in periods]
    for k, label in enumerate(labels):
        live[f"p_close_{label}"] = timing[:, k]
        live[f"expected_{label}"] = live["amount"] * live["p_win"] * timing[:, k]
    summary = _simulate(live, timing, opportunities, periods, as_of, sims, seed)
    return PipelineForecast(as_of, summary, live.drop(columns=["win_rate"]), rates, probabilities,
                            int(live["amount"].isna().sum()), int(live["close_date"].isna().sum()))


def _simulate(live: pd.DataFrame, timing: np.ndarray, opportunities: pd.DataFrame,
              periods: Sequence[Period], as_of: pd.Timestamp, sims: int, seed: int) -> pd.DataFrame:
    """Monte Carlo: each deal wins with p_win, then lands in one period (or later) by timing.
    Deals of unknown amount add nothing: they are left out of the value (and counted)."""
    rng = np.random.default_rng(seed)
    amount = np.nan_to_num(live["amount"].to_numpy(float), nan=0.0)
    p_win = live["p_win"].to_numpy(float)
    cum = np.cumsum(timing, axis=1)  # P(close by end of period k | won)
    won = rng.random((sims, len(amount))) < p_win
    u = rng.random((sims, len(amount)))  # a won deal lands in the first period k with u <= cum_k
    run_rates = run_rate_samples(opportunities, periods, as_of)
    won_known = opportunities.loc[(opportunities["status"] == "won")
                                  & (opportunities["close_date"] <= as_of)]
    rows = []
    placed = ~won  # lost deals, then won deals already landed in an earlier period
    for k, p in enumerate(periods):
        booked = float(won_known.loc[p.contains(won_known["close_date"]), "amount"].sum())
        by_end = u <= cum[:, k]
        from_open = (by_end & ~placed) @ amount
        placed |= by_end
        rr = rng.choice(run_rates[k], size=sims)
        total = booked + from_open + rr
        q10, q50, q90 = np.percentile(total, [10, 50, 90])
        rows.append({
            "period": p.label, "start": p.start, "end": p.end, "booked": booked,
            "open_expected": float(np.sum(amount * p_win * timing[:, k])),
            "run_rate": float(run_rates[k].mean()),
            "p10": q10, "p50": q50, "p90": q90,
        })
    out = pd.DataFrame(rows)
    out.insert(5, "expected", out["booked"] + out["open_expected"] + out["run_rate"])
    return out
