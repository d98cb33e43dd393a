"""Deals to inspect: the open deals of a period that deserve a question in the forecast call.

A deal open at the end of ``as_of`` with its expected close date (as known then) in the period
is listed when at least one check flags it: pushed 3+ times, in commit with its close date
passed, in commit in an early stage, its amount cut by more than 20% in the last 30 days, or no
change recorded for 60+ days. States on ``as_of`` come from the opportunity history, changes
after it are ignored. See docs/pipeline-inspection.md.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from salesops.analysis.inspection.movement import deal_states
from salesops.data.asof import positions
from salesops.data.history import pushes, states_on
from salesops.data.periods import Period
from salesops.data.requirements import Needs
from salesops.data.stages import StageCatalogue, load_catalogue

TO_INSPECT_NEEDS = Needs("Deals to inspect", tables=("opportunities", "opportunity_history"))
PUSHES = 3  # close date moved later this many times or more
CUT_SHARE, CUT_DAYS = 0.2, 30  # amount down by more than this share over these days
STALE_DAYS = 60  # no change recorded for this many days
#: Each check's column and the words a report uses for it, in the order reasons are listed.
CHECKS: dict[str, str] = {
    "pushed_often": f"pushed {PUSHES}+ times",
    "commit_overdue": "commit, close date passed",
    "commit_early": "commit in an early stage",
    "amount_cut": f"amount cut > {CUT_SHARE:.0%} in {CUT_DAYS} days",
    "stale": f"no change for {STALE_DAYS}+ days",
}
COLUMNS = ("opportunity_id", "rep_id", "account_id", "amount", "close_date", "stage",
           "forecast_category", "pushes", "cut_share", "days_unchanged", *CHECKS, "reasons")
_DAY = pd.Timedelta(days=1)


def early_stages(catalogue: StageCatalogue) -> list[str]:
    """The first half of the open stages, the middle one included (default catalogue:
    Prospecting, Qualification, Discovery): too early for a deal to be called commit."""
    opened = catalogue.open_stages
    return opened[:math.ceil(len(opened) / 2)]


def to_inspect(opportunities: pd.DataFrame, history: pd.DataFrame, as_of: pd.Timestamp,
               period: Period, catalogue: StageCatalogue | None = None) -> pd.DataFrame:
    """The period's open deals on ``as_of`` that at least one check flags, largest amount first
    (unknown amounts last): ``COLUMNS``, one bool per check and ``reasons`` in words.

    ``cut_share``: the share the amount fell over the last 30 days (0 when it did not);
    ``days_unchanged``: days since the deal's last recorded change (or its creation).
    """
    as_of = pd.Timestamp(as_of).normalize()
    catalogue = catalogue or load_catalogue()
    # only the deals that can be open on as_of, and their changes known by then (a smaller
    # sort for every look-up below)
    closed = opportunities["status"].isin(("won", "lost")) & (opportunities["close_date"] <= as_of)
    opps = opportunities.loc[(opportunities["created_date"] <= as_of) & ~closed]
    code = positions(history["opportunity_id"], opps["opportunity_id"])
    mine = (code >= 0) & (history["changed_at"] < as_of + _DAY).to_numpy(bool)
    known, code = history.loc[mine], code[mine]
    now = deal_states(opps, known, as_of, period)
    deals = now["in_pipeline"].to_numpy(bool)
    opps = opps.loc[deals].reset_index(drop=True)
    now = now.loc[deals].reset_index(drop=True)
    ids = opps["opportunity_id"]
    stage = states_on(known, ids, as_of, ("stage",), before="first")["stage"].fillna(
        opps["stage"].astype("string"))
    stage = stage.where(catalogue.status_of(stage) == "open")  # closed later: stage unknown then
    then = deal_states(opps, known, as_of - pd.Timedelta(days=CUT_DAYS))["amount"].to_numpy()
    amount = now["amount"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cut = np.where(then > 0, np.clip((then - amount) / then, 0, None), 0.0)
    cut = np.nan_to_num(cut)
    counts = pushes(known)
    found = positions(ids, pd.Series(counts.index))
    pushed = np.where(found >= 0, counts.to_numpy()[np.maximum(found, 0)], 0)
    since = opps["created_date"].to_numpy("datetime64[ns]").astype("datetime64[D]").astype(np.int64)
    listed = np.full(len(deals), -1)  # candidate deal -> its row among the period's deals
    listed[deals] = np.arange(deals.sum())
    at = listed[code]
    days = known["changed_at"].to_numpy("datetime64[ns]").astype("datetime64[D]").astype(np.int64)
    np.maximum.at(since, at[at >= 0], days[at >= 0])  # the last change (or the creation)
    since = since.astype("datetime64[D]")
    unchanged = (as_of.to_datetime64().astype("datetime64[D]") - since).astype(np.int64)  # days
    commit = (now["forecast_category"] == "commit").fillna(False).to_numpy(bool)
    checks = {
        "pushed_often": pushed >= PUSHES,
        "commit_overdue": commit & (now["close_date"] < as_of).to_numpy(bool),
        "commit_early": commit & stage.isin(early_stages(catalogue)).to_numpy(bool),
        "amount_cut": cut > CUT_SHARE,
        "stale": unchanged >= STALE_DAYS,
    }
    out = pd.DataFrame({
        "opportunity_id": ids, "rep_id": opps["rep_id"], "account_id": opps["account_id"],
        "amount": amount, "close_date": now["close_date"], "stage": stage,
        "forecast_category": now["forecast_category"], "pushes": pushed.astype(np.int64),
        "cut_share": cut, "days_unchanged": unchanged, **checks,
    })
    out = out.loc[np.logical_or.reduce(list(checks.values()))]
    reasons = pd.Series("", index=out.index, dtype=object)
    for name, words in CHECKS.items():
        reasons += np.where(out[name].to_numpy(bool), f"; {words}", "")
    out["reasons"] = reasons.str[2:]
    return out.sort_values(["amount", "opportunity_id"], ascending=[False, True],
                           na_position="last", kind="stable").reset_index(drop=True)
