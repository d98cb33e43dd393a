"""Close-date slippage and hygiene from the opportunity history: how often deals committed to a
quarter failed to close in it, by rep and team; how deals pushed often end; and how forecast
categories moved between two dates. See docs/pipeline-inspection.md for the definitions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.analysis.inspection.movement import deal_states
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
    known = history.loc[history["changed_at"] < as_of + _DAY]
    tl = timeline(known, ("close_date", "forecast_category"))
    first = np.flatnonzero(np.r_[True, tl["deal"].to_numpy()[1:] != tl["deal"].to_numpy()[:-1]]) \
        if len(tl) else np.array([], dtype=np.int64)
    opp = positions(tl["opportunity_id"].iloc[first].reset_index(drop=True),
                    opportunities["opportunity_id"])
    row_opp = opp[tl["deal"].to_numpy()] if len(tl) else np.array([], dtype=np.int64)
    status = opportunities["status"].to_numpy(object)
    closed_on = opportunities["close_date"].where(
        opportunities["status"].isin(("won", "lost"))).to_numpy("datetime64[ns]")
    pick = np.maximum(row_opp, 0)
    # each state lasts from its change to the next change, the deal's close, or the end of as_of
    ends = tl["until"].fillna(as_of + _DAY).to_numpy("datetime64[ns]")
    closes = closed_on[pick] + np.timedelta64(1, "D") if len(tl) else ends
    ends = np.where(np.isnat(closes) | (closes > ends), ends, closes)
    begins = tl["changed_at"].to_numpy("datetime64[ns]")
    commit = (tl["forecast_category"] == "commit").fillna(False).to_numpy(bool) & (row_opp >= 0)
    close = tl["close_date"].to_numpy("datetime64[ns]")
    frames = []
    for q in periods:
        q_start, q_end = q.start.to_datetime64(), (q.end + _DAY).to_datetime64()
        hit = commit & (close >= q_start) & (close < q_end) & (begins < q_end) & (ends > q_start) \
            & (begins < ends)
        deal_rows = np.unique(row_opp[hit])
        won_or_lost = np.isin(status[deal_rows], ("won", "lost")) & (closed_on[deal_rows] < q_end)
        frames.append(pd.DataFrame({
            "opportunity_id": opportunities["opportunity_id"].to_numpy(object)[deal_rows],
            "rep_id": opportunities["rep_id"].to_numpy(object)[deal_rows],
            "quarter": q.label, "slipped": ~won_or_lost}))
    deals = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["opportunity_id", "rep_id", "quarter", "slipped"])
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
    counts = pushes(history.loc[history["changed_at"] < as_of + _DAY])
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
    s = deal_states(opps, history, start)
    e = deal_states(opps, history, end)
    to = e["forecast_category"].fillna("(none)").astype(object)
    to = to.where(~e["closed"], opps["status"].astype(object))
    flows = pd.DataFrame({"from": s["forecast_category"].fillna("(none)").astype(object),
                          "to": to, "amount": np.nan_to_num(s["amount"].to_numpy(float))})
    rows = [c for c in CATEGORIES if (flows["from"] == c).any()] + sorted(
        set(flows["from"]) - set(CATEGORIES))
    cols = rows + [c for c in (*CATEGORIES, "won", "lost") if c not in rows and (flows["to"] == c)
                   .any()]
    cols = [c for c in cols if c not in ("won", "lost")] + ["won", "lost"]
    table = flows.groupby(["from", "to"])["amount"].agg(deals="size", amount="sum")
    out = {}
    for measure in ("deals", "amount"):
        wide = table[measure].unstack("to").reindex(index=rows, columns=cols).fillna(0)
        out[measure] = wide.astype(np.int64) if measure == "deals" else wide
    matrix = pd.concat(out, axis=1, names=["measure", "to"])
    matrix.index.name = "from"
    return matrix
