"""What a review may see: ``salesops.data.scope.scoped_view`` (in-scope reps, quotas and deals as
known on ``as_of``; docs/metrics.md, "Scope") in the shape the review computes on: deals carrying
the rep's region, manager and team as categoricals. An unknown hire date is unknown tenure (NaN),
never tenure 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.data.asof import positions
from salesops.data.periods import FiscalCalendar, Period
from salesops.data.scope import Scope, scoped_view
from salesops.data.stages import StageCatalogue
from salesops.data.store import Contents, Dataset

#: Levels the review rolls up by (and that a roster may lack).
SCOPE_LEVELS = ("region", "manager", "team")
#: Deal and roster column holding the scope label (one group: the whole scope).
SCOPE_COLUMN = "scope"
#: Rep attributes carried onto every deal, for grouping.
REP_ATTRIBUTES = ("region", "manager", "team")
#: Label of reps whose region, manager or team is empty in the roster.
UNASSIGNED = "Unassigned"


def trailing_window(as_of: pd.Timestamp, months: int = 12) -> Period:
    """The ``months`` months ending on ``as_of`` (inclusive), as a custom period."""
    start = as_of - pd.DateOffset(months=months) + pd.Timedelta(days=1)
    return Period("trailing", start.normalize(), as_of, f"{months} months to {as_of:%Y-%m-%d}")


def to_date(period: Period, elapsed_days: int) -> Period:
    """The first ``elapsed_days`` days of ``period`` (all of it if it is shorter)."""
    end = min(period.end, period.start + pd.Timedelta(days=elapsed_days - 1))
    return Period(period.freq, period.start, end, period.label)


@dataclass(frozen=True)
class ReviewData:
    """In-scope tables as known on ``as_of``; deals carry the rep's region, manager and team.

    ``deals.rep_id`` (and the rep attributes) are categoricals over the in-scope roster so that
    group-bys stay fast on a million deals; ``cycle_days`` is close minus created date.
    """

    reps: pd.DataFrame
    quotas: pd.DataFrame
    deals: pd.DataFrame
    stage_history: pd.DataFrame
    as_of: pd.Timestamp
    calendar: FiscalCalendar
    catalogue: StageCatalogue
    scope: Scope
    currency: str = "USD"
    contents: Contents = Contents()  # what the source dataset holds (tables, missing columns)
    history_start: pd.Timestamp | None = None  # first deal created in the dataset (None: no deal)

    def has(self, table: str, *columns: str) -> bool:
        """Whether the source dataset holds ``table`` with every one of ``columns``."""
        lacking = self.contents.missing_columns.get(table, ())
        return table in self.contents.present and not any(c in lacking for c in columns)

    def measured(self, period: Period) -> bool:
        """Whether the deals cover all of ``period`` (it starts on or after the first deal)."""
        return self.history_start is not None and period.start >= self.history_start


def prepare(dataset: Dataset, as_of: pd.Timestamp, scope: Scope | str | None = None) -> ReviewData:
    """The review's tables from ``scoped_view(dataset, as_of, scope)``; deals whose owner is not
    on the roster as known on ``as_of`` are left out (they belong to no rep of the review)."""
    view = scoped_view(dataset, as_of, scope)
    reps = view.reps.assign(**{SCOPE_COLUMN: view.scope.label})
    deals = view.deals
    on_roster = positions(deals["rep_id"], reps["rep_id"]) >= 0
    if not on_roster.all():
        deals = deals.loc[on_roster]
    return ReviewData(
        reps=reps, quotas=view.quotas, deals=_deal_frame(deals, reps, view.scope),
        stage_history=view.stage_history, as_of=view.as_of, calendar=view.calendar,
        catalogue=view.catalogue, scope=view.scope, currency=view.settings.currency,
        contents=view.contents, history_start=view.history_start,
    )


def _deal_frame(deals: pd.DataFrame, reps: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """The columns the review needs, with categorical rep keys and attributes.

    ``scope`` is a one-category column (the scope label) for whole-scope group-bys.
    """
    rep_ids = reps["rep_id"].astype(str)
    codes = positions(deals["rep_id"], rep_ids)
    out = pd.DataFrame({
        "opportunity_id": deals["opportunity_id"],
        "rep_id": pd.Categorical.from_codes(codes, categories=rep_ids),
        "amount": deals["amount"].astype("float64"),
        "created_date": deals["created_date"],
        "close_date": deals["close_date"],
        "status": pd.Categorical(deals["status"].astype(str), categories=["open", "won", "lost"]),
        "stage": deals["stage"],
    })
    for attr in REP_ATTRIBUTES:
        values = reps[attr].astype("string").fillna(UNASSIGNED)
        cats = pd.Index(values.unique()).sort_values()
        out[attr] = pd.Categorical.from_codes(
            cats.get_indexer(values.to_numpy())[codes], categories=cats.astype(str)
        )
    out["cycle_days"] = (out["close_date"] - out["created_date"]).dt.days.astype("float64")
    out[SCOPE_COLUMN] = pd.Categorical.from_codes(np.zeros(len(out), dtype=np.int8),
                                                  categories=[scope.label])
    return out
