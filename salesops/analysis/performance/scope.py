"""What a review may see: the in-scope reps, quotas and deals as they were known on ``as_of``.

As-of rules (docs/metrics.md): reps hired after ``as_of`` do not exist yet and terminations
after it are unknown; deals come from ``salesops.data.asof.snapshot`` (created after ``as_of``:
absent; closed after it: open); stage history stops at ``as_of``. Scope follows the rep's
region, manager or team in the roster (the roster keeps no history of moves). An unknown hire
date is unknown tenure (NaN), never tenure 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salesops.data.asof import snapshot
from salesops.data.periods import FiscalCalendar, Period
from salesops.data.stages import StageCatalogue
from salesops.data.store import Contents, Dataset

SCOPE_LEVELS = ("region", "manager", "team")
#: Deal and roster column holding the scope label (one group: the whole scope).
SCOPE_COLUMN = "scope"
#: Rep attributes carried onto every deal, for grouping.
REP_ATTRIBUTES = ("region", "manager", "team")
#: Label of reps whose region, manager or team is empty in the roster.
UNASSIGNED = "Unassigned"


@dataclass(frozen=True)
class Scope:
    """The whole company (``level`` None) or one region, manager or team."""

    level: str | None = None
    value: str | None = None

    @property
    def label(self) -> str:
        return "Company" if self.level is None else f"{self.level.title()} {self.value}"


def parse_scope(text: str | None) -> Scope:
    """Parse ``None``/"company" or ``"region=EMEA"`` / ``"manager=Jane Doe"`` / ``"team=..."``."""
    if text is None or str(text).strip().lower() in ("", "company", "all", "none"):
        return Scope()
    level, sep, value = str(text).partition("=")
    level, value = level.strip().lower(), value.strip()
    if not sep or level not in SCOPE_LEVELS or not value:
        raise ValueError(
            f"scope must be None, 'company' or one of {', '.join(lv + '=<name>' for lv in SCOPE_LEVELS)}"
            f" (e.g. 'region=EMEA'), got {text!r}"
        )
    return Scope(level, value)


def roster_as_of(reps: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Reps hired on or before ``as_of`` (an unknown hire date counts as before); terminations
    after ``as_of`` are not known yet."""
    known = reps.loc[reps["hire_date"].isna() | (reps["hire_date"] <= as_of)].copy()
    known["termination_date"] = known["termination_date"].where(
        known["termination_date"] <= as_of
    )
    return known.reset_index(drop=True)


def employed_during(reps: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Mask of reps employed on at least one day of [start, end]."""
    left = reps["termination_date"].isna() | (reps["termination_date"] >= start)
    return (reps["hire_date"].isna() | (reps["hire_date"] <= end)) & left


def tenure_months(hire_date: pd.Series, on: pd.Timestamp) -> pd.Series:
    """Completed months between hire and ``on`` (0 during the first month; NaN: hire unknown)."""
    months = (on.year - hire_date.dt.year) * 12 + (on.month - hire_date.dt.month)
    return (months - (on.day < hire_date.dt.day).astype(int)).clip(lower=0)


def trailing_window(as_of: pd.Timestamp, months: int = 12) -> Period:
    """The ``months`` months ending on ``as_of`` (inclusive), as a custom period."""
    start = as_of - pd.DateOffset(months=months) + pd.Timedelta(days=1)
    return Period("trailing", start.normalize(), as_of, f"{months} months to {as_of:%Y-%m-%d}")


def to_date(period: Period, elapsed_days: int) -> Period:
    """The first ``elapsed_days`` days of ``period`` (all of it if it is shorter)."""
    end = min(period.end, period.start + pd.Timedelta(days=elapsed_days - 1))
    return Period(period.freq, period.start, end, period.label)


def positions(values: pd.Series, keys: pd.Series) -> np.ndarray:
    """Position of each of ``values`` in ``keys`` (-1 where absent); Arrow hash join, fast on
    millions of string ids."""
    as_text = pa.large_string()
    found = pc.index_in(pa.array(values).cast(as_text), value_set=pa.array(keys).cast(as_text))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


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


def _check_scope(reps: pd.DataFrame, scope: Scope) -> pd.Series:
    if scope.level is None:
        return pd.Series(True, index=reps.index)
    mask = reps[scope.level] == scope.value
    known = sorted(reps[scope.level].dropna().unique())
    if not known:
        raise ValueError(f"scope {scope.level}={scope.value!r} cannot be applied: the reps table "
                         f"has no {scope.level}; map a '{scope.level}' column at ingest or use "
                         "the company scope")
    if not mask.any():
        raise ValueError(
            f"scope {scope.level}={scope.value!r} matches no rep; known {scope.level} values: "
            f"{', '.join(known)}"
        )
    return mask.fillna(False).astype(bool)


def prepare(dataset: Dataset, as_of: pd.Timestamp, scope: Scope | str | None = None) -> ReviewData:
    """Restrict ``dataset`` to ``scope`` and to what was known on ``as_of``."""
    as_of = pd.Timestamp(as_of).normalize()
    scope = scope if isinstance(scope, Scope) else parse_scope(scope)
    roster = roster_as_of(dataset.reps, as_of)
    reps = roster.loc[_check_scope(roster, scope)].reset_index(drop=True)
    reps[SCOPE_COLUMN] = scope.label
    rep_ids = pd.Index(reps["rep_id"].astype(str))
    opps = dataset.opportunities.drop(columns=["account_id", "product"], errors="ignore")
    in_scope = positions(opps["rep_id"], reps["rep_id"]) >= 0
    if not in_scope.all():
        opps = opps.loc[in_scope]
    deals = snapshot(opps, dataset.stage_history, dataset.catalogue, as_of)
    history = dataset.stage_history.loc[dataset.stage_history["entered_date"] <= as_of]
    if scope.level is not None:
        history = history.loc[history["opportunity_id"].isin(deals["opportunity_id"])]
    quotas = dataset.quotas.loc[dataset.quotas["rep_id"].isin(rep_ids)].reset_index(drop=True)
    created = dataset.opportunities["created_date"]
    first = created.loc[created <= as_of].min()
    return ReviewData(
        reps=reps, quotas=quotas, deals=_deal_frame(deals, reps, scope), stage_history=history,
        as_of=as_of, calendar=dataset.calendar, catalogue=dataset.catalogue, scope=scope,
        currency=dataset.settings.currency, contents=dataset.contents,
        history_start=None if pd.isna(first) else first.normalize(),
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
