"""Who a report is for: the scope grammar, audiences and folder slugs.

Grammar (docs/metrics.md, "Scope"): ``company`` (also None or an empty text) is the whole
company; ``<column>=<value>`` keeps the reps whose roster ``column`` (region, manager, team or
any other column of the reps table) equals ``value``, e.g. ``region=EMEA``, ``manager=Jane Doe``.
The column and value are checked against the dataset when the scope is applied.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from salesops.data.asof import roster_as_of
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


def scope_columns(dataset: Dataset) -> list[str]:
    """Roster columns a scope can name: the text columns of the reps table that hold values."""
    reps = dataset.reps
    if not dataset.has("reps"):
        return []
    return [c for c in reps.columns if c != "rep_id" and dataset.has("reps", c)
            and not pd.api.types.is_datetime64_any_dtype(reps[c])
            and not pd.api.types.is_numeric_dtype(reps[c]) and reps[c].notna().any()]


def check_column(dataset: Dataset, kind: str) -> None:
    """ValueError naming the scope columns when ``kind`` is not one of them."""
    known = scope_columns(dataset)
    if kind not in known:
        columns = ", ".join(known) if known else "none (the data has no roster columns)"
        raise ValueError(f"scope column {kind!r} is not a column of the reps table with values; "
                         f"scope columns: {columns}")


def audiences(dataset: Dataset, kind: str, as_of: str | pd.Timestamp) -> list[Scope]:
    """One scope per value of roster column ``kind`` among the reps known on ``as_of``,
    sorted by value."""
    kind = kind.strip().lower()
    check_column(dataset, kind)
    roster = roster_as_of(dataset.reps, pd.Timestamp(as_of).normalize())
    values = sorted(roster[kind].dropna().astype(str).str.strip().loc[lambda v: v != ""].unique())
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
