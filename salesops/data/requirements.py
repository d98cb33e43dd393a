"""What each analysis needs from a dataset, declared once, and the plain sentence when it is absent.

Every analysis module declares a ``Needs`` per section (tables and columns). Checking it against a
dataset gives an ``Availability``: available, or the one sentence a report shows instead of a
number, chart or ranking it cannot support (what is missing and what would enable it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from salesops.data.store import Dataset

#: How to supply each table, for the sentence (docs/ingesting-your-crm.md, "my export lacks X").
HOW_TO_ADD: dict[str, str] = {
    "reps": "a rep roster (reps.csv)",
    "accounts": "an accounts table (accounts.csv)",
    "quotas": "a quotas table (quotas.csv)",
    "opportunities": "an opportunities (deals) table",
    "stage_history": "a stage history (stage_history.csv, or HubSpot's 'Date entered' columns)",
    "opportunity_history": "an opportunity history (Salesforce OpportunityHistory, HubSpot deal "
                           "property history) or nightly snapshots (the salesops snapshot command)",
    "territories": "a territories table (territories.csv: account_id, territory, rep_id)",
    "transactions": "an orders or transactions table",
}


@dataclass(frozen=True)
class Availability:
    """Whether a section can be computed; ``reason`` is the sentence shown when it cannot."""

    ok: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.ok

    @classmethod
    def missing(cls, reason: str) -> Availability:
        """Not available, for a reason found in the data itself (e.g. too short a history)."""
        return cls(False, reason)


AVAILABLE = Availability(True)


@dataclass(frozen=True)
class Needs:
    """The tables and columns one section needs; ``what`` names it in the sentence."""

    what: str
    tables: tuple[str, ...] = ()
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def check(self, dataset: Dataset) -> Availability:
        """Available, or the sentence naming the first table or column that is missing."""
        for table in (*self.tables, *(t for t in self.columns if t not in self.tables)):
            if table not in dataset.present:
                return Availability(False, f"{self.what} cannot be shown: the data has no "
                                           f"{table} table; {HOW_TO_ADD[table]} would enable it.")
            if len(getattr(dataset, table)) == 0:
                return Availability(False, f"{self.what} cannot be shown: the {table} table "
                                           "is empty.")
        for table, columns in self.columns.items():
            lacking = [c for c in columns if not dataset.has(table, c)]
            if lacking:
                source = dataset.derived.get(table)
                label = f"{table} table ({source})" if source else f"{table} table"
                quoted = [f"'{c}'" for c in lacking]
                cols = (", ".join(quoted[:-1]) + " and " + quoted[-1]) if len(quoted) > 1 \
                    else quoted[0]
                noun = "column" if len(lacking) == 1 else "columns"
                return Availability(False, f"{self.what} cannot be shown: the {label} has no "
                                           f"{cols} {noun}; mapping {cols} at ingest would "
                                           "enable it.")
        return AVAILABLE

    def __and__(self, other: Needs) -> Needs:
        """Both sets of needs, under this one's name."""
        columns = {t: tuple(dict.fromkeys((*self.columns.get(t, ()), *other.columns.get(t, ()))))
                   for t in (*self.columns, *other.columns)}
        return Needs(self.what, tuple(dict.fromkeys((*self.tables, *other.tables))), columns)


def check_all(dataset: Dataset, needs: Iterable[tuple[str, Needs]]) -> dict[str, Availability]:
    """Availability of each named section."""
    return {name: need.check(dataset) for name, need in needs}
