"""Who a report is for (the scope grammar, audiences, folder slugs) and what it may see: one
scoped, as-of view of a dataset that every report reads.

Grammar (docs/metrics.md, "Scope"): ``company`` (also None or an empty text) is the whole
company; ``<column>=<value>`` keeps the reps whose roster ``column`` (region, manager, team or
any other column of the reps table) equals ``value``, e.g. ``region=EMEA``, ``manager=Jane Doe``.
The column and value are checked against the dataset when the scope is applied. On a
bookings-only dataset (transactions, no roster) the column may be a transactions dimension.

``scoped_view(dataset, as_of, scope)`` is that dataset as the scope's audience sees it on
``as_of``: only in-scope reps known then, their quotas, their deals as known then (created
later: absent; closed later: open; with an opportunity history, open deals with the amount,
close date, stage and forecast category they had then), the stage and opportunity history of
those deals up to ``as_of``, the accounts those deals touch, and the transactions of the
scope's dimension value. A report built from it cannot name a rep, manager, team or account
outside the scope.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from salesops.data.asof import positions, roster_as_of, snapshot
from salesops.data.periods import parse_date
from salesops.data.schema import TRANSACTION_DIMENSIONS
from salesops.data.store import Dataset

GRAMMAR = ("'company' or '<column>=<value>' with a column of the reps table, e.g. "
           "'region=EMEA', 'manager=Jane Doe' or 'team=EMEA Team 1'")
_COLUMN = re.compile(r"[a-z_][a-z0-9_]*")


def slugify(text: str) -> str:
    """ASCII folder-name form of ``text``: accents transliterated (NFKD), lowercase, runs of
    other characters as one '-'; a text with no ASCII letter or digit gets a short hash."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "x" + hashlib.sha256(text.encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Scope:
    """The whole company (``kind`` None) or the reps whose roster column ``kind`` is ``value``."""

    kind: str | None = None
    value: str | None = None

    @property
    def is_company(self) -> bool:
        return self.kind is None

    @property
    def label(self) -> str:
        """'Company', 'Region EMEA', 'Manager Jane Doe', 'Hire cohort 2024' (for titles)."""
        if self.kind is None:
            return "Company"
        return f"{self.kind.replace('_', ' ').capitalize()} {self.value}"

    @property
    def slug(self) -> str:
        """'' for the company, else '<kind>-<value slug>', e.g. 'manager-jane-doe'."""
        return "" if self.kind is None else f"{slugify(self.kind)}-{slugify(self.value)}"

    def __str__(self) -> str:
        return "company" if self.kind is None else f"{self.kind}={self.value}"


def parse_scope(text: str | Scope | None) -> Scope:
    """None, '' or 'company' -> the company; '<column>=<value>' -> that scope. The column is
    lowercased, both sides are stripped; the value keeps its case (it is matched exactly)."""
    if isinstance(text, Scope):
        return text
    raw = "" if text is None else str(text).strip()
    if raw == "" or raw.lower() == "company":
        return Scope()
    kind, sep, value = raw.partition("=")
    kind, value = kind.strip().lower(), value.strip()
    if not sep or not _COLUMN.fullmatch(kind) or not value:
        raise ValueError(f"scope must be {GRAMMAR}; got {text!r}")
    return Scope(kind, value)


def roster_columns(dataset: Dataset) -> list[str]:
    """Roster columns a scope can name: the text columns of the reps table that hold values."""
    reps = dataset.reps
    if not dataset.has("reps"):
        return []
    return [c for c in reps.columns if c != "rep_id" and dataset.has("reps", c)
            and not pd.api.types.is_datetime64_any_dtype(reps[c])
            and not pd.api.types.is_numeric_dtype(reps[c]) and reps[c].notna().any()]


def transaction_columns(dataset: Dataset) -> list[str]:
    """Transactions dimensions a scope can name when the roster lacks that column."""
    tx = dataset.transactions
    return [c for c in TRANSACTION_DIMENSIONS if dataset.has("transactions", c)
            and c in tx.columns and tx[c].notna().any() and c not in roster_columns(dataset)]


def _source(dataset: Dataset, scope: Scope) -> str:
    """'reps' or 'transactions': where ``scope``'s column is read; ValueError naming the scope
    columns of this dataset when it is neither."""
    if scope.kind in roster_columns(dataset):
        return "reps"
    if scope.kind in transaction_columns(dataset):
        return "transactions"
    known = roster_columns(dataset) + transaction_columns(dataset)
    columns = ", ".join(known) if known else "none (the data has no roster or dimension columns)"
    if scope.kind in dataset.reps.columns:
        why = (f"the reps table has no {scope.kind} values; map a '{scope.kind}' column at "
               "ingest or use the company scope")
    else:
        why = f"{scope.kind!r} is not a column of the reps table"
    raise ValueError(f"scope {scope} cannot be applied: {why} (scope columns: {columns})")


def _matches(frame: pd.DataFrame, scope: Scope) -> pd.Series:
    """Mask of the rows whose ``scope.kind`` value (stripped) is ``scope.value``."""
    return frame[scope.kind].astype("string").str.strip().eq(scope.value).fillna(False).astype(bool)


def _values(frame: pd.DataFrame, column: str) -> list[str]:
    values = frame[column].dropna().astype(str).str.strip()
    return sorted(values.loc[values != ""].unique())


def audiences(dataset: Dataset, kind: str, as_of: str | pd.Timestamp | None) -> list[Scope]:
    """One scope per value of roster column ``kind`` among the reps known on ``as_of`` (on a
    bookings-only dataset: of that transactions dimension up to ``as_of``), sorted by value."""
    kind = kind.strip().lower()
    day = parse_date(as_of, name="as_of")
    probe = Scope(kind, "?")
    if _source(dataset, probe) == "reps":
        values = _values(roster_as_of(dataset.reps, day), kind)
    else:
        values = _values(dataset.transactions.loc[dataset.transactions["date"] <= day], kind)
    return [Scope(kind, v) for v in values]


def read_scope_file(path: str | Path) -> list[Scope]:
    """Scopes listed one per line in ``path``; blank lines and lines starting with '#' are
    skipped. Errors name the file and line (a bad scope, a repeat, or no scope at all)."""
    path = Path(path)
    seen: dict[Scope, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            scope = parse_scope(text)
        except ValueError as err:
            raise ValueError(f"{path}, line {number}: {err}") from None
        if scope in seen:
            raise ValueError(f"{path}, line {number}: scope {scope} repeats line {seen[scope]}")
        seen[scope] = number
    if not seen:
        raise ValueError(f"{path}: no scope listed (one per line, e.g. 'region=EMEA')")
    return list(seen)


def unique_slugs(scopes: list[Scope]) -> dict[Scope, str]:
    """A folder name per distinct scope ('' for the company), collision-free and independent of
    list order: of the scopes sharing a slug (e.g. 'Jane Doe' and 'Jane-Doe'), ordered by kind
    and value, the first keeps it and the others get '-2', '-3', ... (skipping taken names)."""
    distinct = sorted(set(scopes), key=lambda s: (s.kind or "", s.value or ""))
    out: dict[Scope, str] = {}
    for scope in distinct:
        if scope.slug not in out.values():
            out[scope] = scope.slug
    used = set(out.values())
    for scope in distinct:
        if scope not in out:
            n = 2
            while f"{scope.slug}-{n}" in used:
                n += 1
            out[scope] = f"{scope.slug}-{n}"
            used.add(out[scope])
    return {s: out[s] for s in distinct}


@dataclass
class ScopedView(Dataset):
    """A dataset as ``scope``'s audience sees it at the end of ``as_of`` (``scoped_view``).

    Same tables as a ``Dataset``, so every analysis takes either: ``opportunities`` holds the
    deals as known on ``as_of`` (``salesops.data.asof.snapshot``), ``reps`` the in-scope roster
    as known then, ``accounts`` the accounts the in-scope deals touch, ``opportunity_history``
    the in-scope deals' changes known by then (``changed_at < as_of + 1 day``), ``territories``
    the in-scope reps' territory rows.
    ``history_start`` is the first deal created in the whole dataset by ``as_of`` (how far the
    data reaches back; it names nobody); ``open_now`` the ids of the in-scope deals still open
    in the data today (without an opportunity history, forecast categories are known only for
    those).
    """

    scope: Scope = field(default_factory=Scope)
    as_of: pd.Timestamp = field(default_factory=lambda: parse_date(None))
    history_start: pd.Timestamp | None = None
    open_now: pd.Index = field(default_factory=pd.Index)

    @property
    def deals(self) -> pd.DataFrame:
        """The in-scope deals as known on ``as_of``."""
        return self.opportunities


def scoped_view(dataset: Dataset, as_of: str | pd.Timestamp | None,
                scope: str | Scope | None = None) -> ScopedView:
    """``dataset`` restricted to ``scope`` (see ``parse_scope``) and to what was known at the
    end of ``as_of`` (None: today). A view passed in is returned as it is when the scope is the
    company or its own; an unknown scope column or value is a ValueError listing the known ones.
    """
    day, scope = parse_date(as_of, name="as_of"), parse_scope(scope)
    if isinstance(dataset, ScopedView):
        if day != dataset.as_of:
            raise ValueError(f"a view as of {dataset.as_of:%Y-%m-%d} cannot be seen as of "
                             f"{day:%Y-%m-%d}; build the view from the dataset")
        if scope.is_company or scope == dataset.scope:
            return dataset
        raise ValueError(f"a view of {dataset.scope.label} cannot be narrowed to {scope.label}; "
                         "build the view from the dataset")
    roster = roster_as_of(dataset.reps, day)
    opps, tx = dataset.opportunities, dataset.transactions
    tx = tx.loc[tx["date"] <= day]
    source = None if scope.is_company else _source(dataset, scope)
    if source == "reps":
        known = _values(roster, scope.kind)
        roster = roster.loc[_matches(roster, scope)]
        if roster.empty:
            raise ValueError(f"scope {scope} matches no rep known on {day:%Y-%m-%d}; known "
                             f"{scope.kind} values: {', '.join(known) or 'none'}")
        opps = opps.loc[positions(opps["rep_id"], roster["rep_id"]) >= 0]
    if source is not None:  # transactions only by the scope's own dimension, else none
        known = _values(tx, scope.kind) if scope.kind in tx.columns else []
        by_dimension = scope.kind in tx.columns and dataset.has("transactions", scope.kind)
        tx = tx.loc[_matches(tx, scope)] if by_dimension else tx.iloc[:0]
    if source == "transactions":
        roster, opps = roster.iloc[:0], opps.iloc[:0]
        if tx.empty:
            raise ValueError(f"scope {scope} matches no transaction by {day:%Y-%m-%d}; known "
                             f"{scope.kind} values: {', '.join(known) or 'none'}")
    changes = dataset.opportunity_history
    if source is not None:
        changes = changes.loc[positions(changes["opportunity_id"], opps["opportunity_id"]) >= 0]
    deals = snapshot(opps, dataset.stage_history, dataset.catalogue, day, history=changes,
                     current=True)
    changes = changes.loc[changes["changed_at"] < day + pd.Timedelta(days=1)]
    history = dataset.stage_history.loc[dataset.stage_history["entered_date"] <= day]
    accounts = dataset.accounts
    if source is not None:
        history = history.loc[positions(history["opportunity_id"], deals["opportunity_id"]) >= 0]
        accounts = accounts.loc[positions(accounts["account_id"],
                                          deals["account_id"].dropna()) >= 0]
    quotas = dataset.quotas.loc[positions(dataset.quotas["rep_id"], roster["rep_id"]) >= 0]
    territories = dataset.territories
    if source is not None:  # the in-scope reps' territories
        territories = territories.loc[positions(territories["rep_id"], roster["rep_id"]) >= 0]
    created = dataset.opportunities["created_date"]
    first = created.loc[created <= day].min()
    return ScopedView(
        reps=roster.reset_index(drop=True), accounts=accounts.reset_index(drop=True),
        quotas=quotas.reset_index(drop=True), opportunities=deals,
        stage_history=history.reset_index(drop=True), transactions=tx.reset_index(drop=True),
        opportunity_history=changes.reset_index(drop=True),
        territories=territories.reset_index(drop=True), settings=dataset.settings,
        catalogue=dataset.catalogue, fingerprint=dataset.fingerprint, contents=dataset.contents,
        scope=scope, as_of=day,
        history_start=None if pd.isna(first) else first.normalize(),
        open_now=pd.Index(opps.loc[opps["status"] == "open", "opportunity_id"]))
