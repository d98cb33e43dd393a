"""Funnel from ``stage_history``: stage conversion, time in stage, velocity and bottlenecks.

Conversion uses deals closed (won or lost) in a window, so every outcome is known. A deal
"reached" every open stage up to the furthest one in its history (skipped stages count as
passed); a won deal reached them all; a lost deal was lost at its furthest open stage. Time in
a stage runs from entering it to entering the next recorded stage. See docs/metrics.md.

Conversion, time in stage and bottlenecks need the stage history (``NEEDS``); bottlenecks per
team need teams too. Velocity needs only the deals' created and close dates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.data.asof import positions
from salesops.data.outcomes import outcomes
from salesops.data.periods import Period
from salesops.data.requirements import Needs
from salesops.data.stages import StageCatalogue

COMPANY = "All"
NEEDS = Needs("The funnel (stage conversion and time in stage)",
              tables=("opportunities", "stage_history"))
BOTTLENECK_NEEDS = Needs("Bottlenecks by team", tables=("opportunities", "stage_history"),
                         columns={"reps": ("team",)})
VELOCITY_NEEDS = Needs("Pipeline velocity", tables=("opportunities",))


@dataclass(frozen=True)
class ClosedDeals:
    """Deals closed in a window and their stage history (``deal`` = row position in ``deals``)."""

    deals: pd.DataFrame
    history: pd.DataFrame  # deal, order (catalogue), open_index (-1: not open), entered


def closed_deals(deals: pd.DataFrame, stage_history: pd.DataFrame, catalogue: StageCatalogue,
                 window: Period) -> ClosedDeals:
    """Select deals won or lost in ``window`` and index their stage history by deal position."""
    closed = deals.loc[window.contains(deals["close_date"]) & (deals["status"] != "open")]
    pos = positions(stage_history["opportunity_id"], closed["opportunity_id"])
    keep = np.flatnonzero(pos >= 0)
    order = positions(stage_history["stage"].take(keep), pd.Series(catalogue.names))
    open_index = np.array([catalogue.open_stages.index(s) if s in catalogue.open_stages else -1
                           for s in catalogue.names] + [-1])[order]
    history = pd.DataFrame({"deal": pos[keep], "order": order, "open_index": open_index,
                            "entered": stage_history["entered_date"].to_numpy()[keep]})
    return ClosedDeals(closed.reset_index(drop=True), history)


def _groups(closed: ClosedDeals, by: str | None, rows: np.ndarray | None = None) -> pd.Categorical:
    """Group label of each deal (or of each deal position in ``rows``), as a categorical."""
    n = len(closed.deals) if rows is None else len(rows)
    if by is None:
        return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[COMPANY])
    column = closed.deals[by]
    if not isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype(str).astype("category")
    codes = column.cat.codes.to_numpy()
    return pd.Categorical.from_codes(codes if rows is None else codes[rows],
                                     categories=column.cat.categories.astype(str))


def progress(closed: ClosedDeals, by: str | None = None) -> pd.DataFrame:
    """One row per closed deal: ``furthest`` open stage index reached, ``won``, ``group``.

    Deals without any recorded open stage count from the first open stage.
    """
    furthest = np.zeros(len(closed.deals), dtype=np.int64)
    hist = closed.history
    top = hist.loc[hist["open_index"] >= 0].groupby("deal")["open_index"].max()
    furthest[top.index.to_numpy()] = top.to_numpy()
    return pd.DataFrame({"furthest": furthest, "won": (closed.deals["status"] == "won").to_numpy(),
                         "group": _groups(closed, by)})


def conversion(progress: pd.DataFrame, catalogue: StageCatalogue) -> pd.DataFrame:
    """Per group and open stage: deals reached, lost there, advanced; conversion and loss rate."""
    stages = catalogue.open_stages
    n = len(stages)
    reach_index = np.where(progress["won"], n - 1, progress["furthest"])
    rows = []
    for group, part in progress.assign(reach=reach_index).groupby("group", sort=True):
        reached = np.bincount(part["reach"], minlength=n)[::-1].cumsum()[::-1]
        lost = np.bincount(part.loc[~part["won"], "furthest"], minlength=n)
        rows.append(pd.DataFrame({"group": group, "stage": stages, "reached": reached,
                                  "lost": lost, "advanced": reached - lost}))
    cols = ["group", "stage", "reached", "lost", "advanced"]
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)
    denom = out["reached"].where(out["reached"] > 0).astype(float)
    out["conversion"] = out["advanced"] / denom
    out["loss_rate"] = out["lost"] / denom
    out["next_stage"] = out["stage"].map(dict(zip(stages, stages[1:] + catalogue.won_stages[:1],
                                                  strict=False)))
    return out


def time_in_stage(closed: ClosedDeals, catalogue: StageCatalogue, by: str | None = None
                  ) -> pd.DataFrame:
    """Per group and open stage: exits, median and 90th percentile days spent in the stage."""
    hist = closed.history
    deal, entered = hist["deal"].to_numpy(), hist["entered"].to_numpy()
    order = hist["order"].to_numpy()
    step_back = (np.diff(deal) < 0) | ((np.diff(deal) == 0) & (
        (np.diff(entered) < np.timedelta64(0)) | ((np.diff(entered) == np.timedelta64(0))
                                                  & (np.diff(order) < 0))))
    if step_back.any():  # exports are usually already in (deal, date, stage) order
        hist = hist.iloc[np.lexsort((order, entered, deal))]
        deal, entered = hist["deal"].to_numpy(), hist["entered"].to_numpy()
    days = np.full(len(hist), np.nan)
    days[:-1] = np.where(deal[1:] == deal[:-1],
                         (entered[1:] - entered[:-1]) / np.timedelta64(1, "D"), np.nan)
    keep = (hist["open_index"].to_numpy() >= 0) & ~np.isnan(days)
    frame = pd.DataFrame({
        "group": _groups(closed, by, deal[keep]),
        "stage": pd.Categorical.from_codes(hist["open_index"].to_numpy()[keep],
                                           categories=catalogue.open_stages),
        "days": days[keep],
    })
    grouped = frame.groupby(["group", "stage"], observed=True)["days"]
    return pd.DataFrame({"exits": grouped.size(), "median_days": grouped.median(),
                         "p90_days": grouped.quantile(0.9)}).reset_index()


def velocity(deals: pd.DataFrame, window: Period, by: str | None = None) -> pd.DataFrame:
    """Pipeline velocity per group: open deals x win rate x average deal size / median cycle.

    Win rate, deal size and cycle come from deals closed in ``window``; the result is money per
    day. NaN where the group won no priced deal in the window.
    """
    key = by or "_group"
    frame = deals if by else deals.assign(_group=pd.Categorical([COMPANY] * len(deals)))
    won = outcomes(frame, window, key)
    open_deals = (frame["status"] == "open").groupby(frame[key], observed=False).sum()
    out = pd.DataFrame({"open_deals": open_deals.reindex(won.index).fillna(0).astype(int)})
    closed = won["won_deals"] + won["lost_deals"]
    out["win_rate"] = won["won_deals"] / closed.where(closed > 0)
    out["avg_deal_size"] = won["bookings"] / won["priced_wins"].where(won["priced_wins"] > 0)
    out["cycle_days"] = won["median_cycle_days"].where(won["median_cycle_days"] > 0)
    out["velocity_per_day"] = (out["open_deals"] * out["win_rate"] * out["avg_deal_size"]
                               / out["cycle_days"])
    out.index = out.index.astype(str)
    return out.rename_axis("group").reset_index()


def bottlenecks(by_group: pd.DataFrame, company: pd.DataFrame, min_reached: int = 20) -> pd.DataFrame:
    """Each group's bottleneck: the stage whose loss rate exceeds the company's by the most.

    Stages reached by fewer than ``min_reached`` of the group's deals are ignored (too noisy).
    ``gap`` is the group's loss rate minus the company's, in ratio points (0.15 = 15 points).
    """
    ref = company.set_index("stage")["loss_rate"]
    cand = by_group.loc[by_group["reached"] >= min_reached].assign(
        company_loss_rate=lambda d: d["stage"].map(ref).astype(float))
    cand["gap"] = cand["loss_rate"].astype(float) - cand["company_loss_rate"]
    best = cand.sort_values(["gap", "loss_rate"], ascending=False).drop_duplicates("group")
    return best.sort_values("gap", ascending=False)[
        ["group", "stage", "reached", "lost", "loss_rate", "company_loss_rate", "gap"]
    ].reset_index(drop=True)


@dataclass
class Funnel:
    """Funnel tables for the whole scope and, when grouped (e.g. by team), per group."""

    conversion: pd.DataFrame  # company stage conversion
    conversion_by_group: pd.DataFrame | None  # None: not grouped
    time_in_stage: pd.DataFrame  # company, per stage
    bottlenecks: pd.DataFrame | None  # one row per group; None: not grouped


def funnel(deals: pd.DataFrame, stage_history: pd.DataFrame, catalogue: StageCatalogue,
           window: Period, by: str | None = "team", min_reached: int = 20) -> Funnel:
    """Conversion, time in stage and (with ``by``) bottlenecks of deals closed in ``window``."""
    closed = closed_deals(deals, stage_history, catalogue, window)
    steps = progress(closed, by)
    company = conversion(steps.assign(group=COMPANY), catalogue)
    by_group = conversion(steps, catalogue) if by else None
    return Funnel(
        conversion=company,
        conversion_by_group=by_group,
        time_in_stage=time_in_stage(closed, catalogue),
        bottlenecks=bottlenecks(by_group, company, min_reached) if by else None,
    )


def velocities(deals: pd.DataFrame, window: Period, by: str | None = "team") -> pd.DataFrame:
    """Velocity per group (with ``by``) followed by one row for the whole scope."""
    company = velocity(deals, window)
    return pd.concat([velocity(deals, window, by), company], ignore_index=True) if by else company
