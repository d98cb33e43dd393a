"""Close-date slippage and hygiene from the opportunity history: how often deals committed to a
quarter failed to close in it, by rep and team; how deals pushed often end; and how forecast
categories moved between two dates. See docs/pipeline-inspection.md for the definitions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.analysis.inspection.movement import states_at
from salesops.data.asof import positions
from salesops.data.history import pushes, timeline
from salesops.data.periods import FiscalCalendar
from salesops.data.requirements import Needs

SLIPPAGE_NEEDS = Needs("Close-date slippage", tables=("opportunities", "opportunity_history"),
                       columns={"opportunity_history": ("close_date", "forecast_category")})
PUSHED_NEEDS = Needs("Deals pushed often", tables=("opportunities", "opportunity_history"),
                     columns={"opportunity_history": ("close_date",)})
TRANSITIONS_NEEDS = Needs("Forecast-category transitions",
                          tables=("opportunities", "opportunity_history"),
                          columns={"opportunity_history": ("forecast_category",)})
#: Row order of the transition matrix (a deal with no category is "(none)").
CATEGORIES: tuple[str, ...] = ("pipeline", "best_case", "commit", "omitted", "closed", "(none)")
_DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class Slippage:
    """Deals committed to each of ``quarters`` and how many slipped (did not close in it).

    ``deals``: one row per (deal, quarter) committed (opportunity_id, rep_id, quarter, slipped);
    ``by_rep`` (rep_id, name, team), ``by_team`` (team) and ``overall`` (one row) each carry
    committed, slipped and share (slipped / committed).
    """

    quarters: tuple[str, ...]
    deals: pd.DataFrame
    by_rep: pd.DataFrame
    by_team: pd.DataFrame
    overall: pd.DataFrame


def _known(history: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """The history's rows known at the end of ``as_of`` (the frame itself when all are, so the
    analyses share its one sort)."""
    known = history["changed_at"] < as_of + _DAY
    return history if known.all() else history.loc[known]


def _counts(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """committed, slipped and share per group of ``by`` (all rows when ``by`` is empty)."""
    if not by:
        out = pd.DataFrame({"committed": [len(frame)], "slipped": [int(frame["slipped"].sum())]})
    else:
        out = frame.groupby(by, sort=True, dropna=False)["slipped"].agg(
            committed="size", slipped="sum").reset_index()
    out["slipped"] = out["slipped"].astype(np.int64)
    out["share"] = out["slipped"] / out["committed"].where(out["committed"] > 0)
    return out


def slippage(opportunities: pd.DataFrame, history: pd.DataFrame, reps: pd.DataFrame,
             calendar: FiscalCalendar, as_of: pd.Timestamp, quarters: int = 4) -> Slippage:
    """Slippage over the last ``quarters`` complete fiscal quarters by ``as_of``: a deal is
    committed to quarter Q if, at some moment during Q, it was in commit with its close date in
    Q; it slipped if it was not won or lost by the end of Q."""
    as_of = pd.Timestamp(as_of).normalize()
    current = calendar.period(as_of, "quarter")
    last = current if current.end == as_of else calendar.previous(current)
    periods = [calendar.shift(last, -k) for k in range(quarters - 1, -1, -1)]
    tl = timeline(_known(history, as_of), ("close_date", "forecast_category"))
    first = np.flatnonzero(np.r_[True, tl["deal"].to_numpy()[1:] != tl["deal"].to_numpy()[:-1]]) \
        if len(tl) else np.array([], dtype=np.int64)
    opp = positions(tl["opportunity_id"].iloc[first].reset_index(drop=True),
                    opportunities["opportunity_id"])
    row_opp = opp[tl["deal"].to_numpy()] if len(tl) else np.array([], dtype=np.int64)
    closed_on = opportunities["close_date"].where(
        opportunities["status"].isin(("won", "lost"))).to_numpy("datetime64[ns]")
    # only commit states can commit a deal to a quarter
    rows = np.flatnonzero((tl["forecast_category"] == "commit").fillna(False).to_numpy(bool)
                          & (row_opp >= 0))
    deal = row_opp[rows]
    # each state lasts from its change to the next change, the deal's close, or the end of as_of
    ends = tl["until"].to_numpy("datetime64[ns]")[rows]
    ends = np.where(np.isnat(ends), (as_of + _DAY).to_datetime64(), ends)
    closes = closed_on[deal] + np.timedelta64(1, "D")
    ends = np.where(np.isnat(closes) | (closes > ends), ends, closes)
    begins = tl["changed_at"].to_numpy("datetime64[ns]")[rows]
    close = tl["close_date"].to_numpy("datetime64[ns]")[rows]
    frames = []
    for q in periods:
        q_start, q_end = q.start.to_datetime64(), (q.end + _DAY).to_datetime64()
        hit = (close >= q_start) & (close < q_end) & (begins < q_end) & (ends > q_start) \
            & (begins < ends)
        deal_rows = np.unique(deal[hit])
        frames.append(opportunities[["opportunity_id", "rep_id"]].iloc[deal_rows].assign(
            quarter=q.label, slipped=~(closed_on[deal_rows] < q_end)))  # NaT: still open
    deals = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        {"opportunity_id": [], "rep_id": [], "quarter": [], "slipped": []})
    deals["slipped"] = deals["slipped"].astype(bool)
    roster = reps.reindex(columns=["rep_id", "name", "team"]).drop_duplicates("rep_id")
    with_team = deals.merge(roster, on="rep_id", how="left")
    with_team["team"] = with_team["team"].fillna("(no team)")
    with_team["name"] = with_team["name"].fillna(with_team["rep_id"])
    return Slippage(quarters=tuple(q.label for q in periods), deals=deals,
                    by_rep=_counts(with_team, ["rep_id", "name", "team"]),
                    by_team=_counts(with_team, ["team"]), overall=_counts(deals, []))


def pushed_often(opportunities: pd.DataFrame, history: pd.DataFrame, as_of: pd.Timestamp,
                 times: int = 3) -> pd.DataFrame:
    """Deals closed by ``as_of`` pushed ``times`` or more times (``history.pushes``, changes
    known by then) against the rest: closed, won, win rate and won amount."""
    as_of = pd.Timestamp(as_of).normalize()
    closed = opportunities.loc[opportunities["status"].isin(("won", "lost"))
                               & (opportunities["close_date"] <= as_of)]
    counts = pushes(_known(history, as_of))
    found = positions(closed["opportunity_id"], pd.Series(counts.index))
    n = np.where(found >= 0, counts.to_numpy()[np.maximum(found, 0)], 0)
    won = (closed["status"] == "won").to_numpy(bool)
    amount = np.nan_to_num(closed["amount"].to_numpy(float))
    rows = []
    for label, mask in ((f"Pushed {times}+ times", n >= times), ("The rest", n < times)):
        k, w = int(mask.sum()), int((mask & won).sum())
        rows.append((label, k, w, w / k if k else np.nan, float(amount[mask & won].sum())))
    return pd.DataFrame(rows, columns=["deals", "closed", "won", "win_rate", "won_amount"])


def category_transitions(opportunities: pd.DataFrame, history: pd.DataFrame,
                         start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Deals open at the end of ``start``, from their forecast category then (rows) to their
    category at the end of ``end`` or "won"/"lost" if they closed (columns); columns are
    (measure, category) with measure "deals" (count) or "amount" (amount at start)."""
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    live = (opportunities["created_date"] <= start) & ~(
        opportunities["status"].isin(("won", "lost")) & (opportunities["close_date"] <= start))
    opps = opportunities.loc[live].reset_index(drop=True)
    s, e = states_at(opps, history, [start, end])
    before = s["forecast_category"].fillna("(none)")
    after = e["forecast_category"].fillna("(none)").where(~e["closed"], opps["status"])
    f_code, f_names = pd.factorize(before)
    t_code, t_names = pd.factorize(after)
    cell = f_code * len(t_names) + t_code
    size = len(f_names) * len(t_names)
    shape = (len(f_names), len(t_names))
    counts = np.bincount(cell, minlength=size).reshape(shape)
    amounts = np.bincount(cell, weights=np.nan_to_num(s["amount"].to_numpy(float)),
                          minlength=size).reshape(shape)
    f_names, t_names = list(f_names), list(t_names)
    rows = [c for c in CATEGORIES if c in f_names] + sorted(set(f_names) - set(CATEGORIES))
    cols = rows + [c for c in CATEGORIES if c not in rows and c in t_names]
    cols = [c for c in cols if c not in ("won", "lost")] + ["won", "lost"]
    out = {measure: pd.DataFrame(values, index=f_names, columns=t_names)
           .reindex(index=rows, columns=cols, fill_value=0)
           for measure, values in (("deals", counts), ("amount", amounts))}
    matrix = pd.concat(out, axis=1, names=["measure", "to"])
    matrix.index.name = "from"
    return matrix
