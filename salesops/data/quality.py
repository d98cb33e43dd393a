"""Reading back what ingestion recorded (per-table row counts, quarantine reasons and rows),
and what a dataset holds: the "what your data has" table of the data quality report.

``ingest`` writes ``data_quality.json`` and ``quarantine.csv`` beside the processed tables; the
data-quality report and the report index read them through ``load_quality``. Given a scoped view,
the quarantine lists only the rows attributable to the scope (``attributable``: their raw values
name one of its reps, or one of its deals or accounts and no other rep); row counts and reasons
stay whole-dataset (they name nobody).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from salesops.data.ingest import QUALITY_FILE, QUARANTINE_FILE
from salesops.data.requirements import Needs
from salesops.data.schema import TABLES
from salesops.data.scope import Scope, ScopedView
from salesops.data.store import Dataset

QUARANTINE_COLUMNS = ["table", "file", "line", "column", "check", "reason"]


@dataclass
class QualityReport:
    """Ingestion outcome of one processed dataset."""

    counts: pd.DataFrame  # table, file, rows_in, rows_kept, rows_quarantined, blank_rows_skipped
    reasons: pd.DataFrame  # table, check, problems
    quarantine: pd.DataFrame  # one row per problem: QUARANTINE_COLUMNS (raw values dropped)
    warnings: list[str] = field(default_factory=list)
    scope: Scope = field(default_factory=Scope)  # whose quarantined rows ``quarantine`` lists
    unlisted: int = 0  # quarantined rows not attributable to ``scope`` (not in ``quarantine``)

    @property
    def rows_in(self) -> int:
        return int(self.counts["rows_in"].sum())

    @property
    def rows_quarantined(self) -> int:
        return int(self.counts["rows_quarantined"].sum())


def load_quality(path: str | Path, view: ScopedView | None = None) -> QualityReport:
    """Read ``data_quality.json`` and ``quarantine.csv`` from a processed dataset folder; with a
    scoped ``view``, the quarantine keeps only the rows attributable to its scope.

    A folder without them (written by other means than ``ingest``) gives an empty report.
    """
    path = Path(path)
    summary = {"tables": {}, "warnings": []}
    if (path / QUALITY_FILE).exists():
        summary = json.loads((path / QUALITY_FILE).read_text(encoding="utf-8"))
    tables = summary.get("tables", {})
    counts = pd.DataFrame(
        [{"table": name, **{k: v for k, v in info.items() if k != "reasons"}}
         for name, info in tables.items()],
        columns=["table", "file", "rows_in", "rows_kept", "rows_quarantined", "blank_rows_skipped"],
    )
    reasons = pd.DataFrame(
        [{"table": name, "check": check, "problems": n}
         for name, info in tables.items() for check, n in info.get("reasons", {}).items()],
        columns=["table", "check", "problems"],
    ).sort_values(["problems", "table"], ascending=[False, True], ignore_index=True)
    quarantine = pd.DataFrame(columns=QUARANTINE_COLUMNS)
    if (path / QUARANTINE_FILE).exists() and (path / QUARANTINE_FILE).stat().st_size > 0:
        quarantine = pd.read_csv(path / QUARANTINE_FILE, dtype=str, keep_default_na=False,
                                 usecols=lambda c: c in (*QUARANTINE_COLUMNS, "raw"))
        quarantine["line"] = pd.to_numeric(quarantine["line"], errors="coerce").astype("Int64")
    scope, unlisted = Scope(), 0
    if view is not None and not view.scope.is_company:
        roster = path / "reps.parquet"
        everyone = pd.read_parquet(roster, columns=["rep_id"])["rep_id"] if roster.exists() \
            else view.reps["rep_id"]
        raw = quarantine.get("raw", pd.Series("", index=quarantine.index))
        keep = attributable(raw, view, everyone)
        scope, unlisted = view.scope, int((~keep).sum())
        quarantine = quarantine.loc[keep.to_numpy()].reset_index(drop=True)
    return QualityReport(counts=counts, reasons=reasons,
                         quarantine=quarantine.reindex(columns=QUARANTINE_COLUMNS),
                         warnings=list(summary.get("warnings", [])), scope=scope,
                         unlisted=unlisted)


def attributable(raw: pd.Series, view: ScopedView, rep_ids: pd.Series) -> pd.Series:
    """Mask of the quarantined rows (``raw`` JSON records) that are ``view``'s: a row naming one
    of its reps; or, naming none of the other ``rep_ids``, one of its deals or accounts."""
    def texts(values: pd.Series) -> set[str]:
        return {str(v).strip() for v in values.dropna()}

    ours = texts(view.reps["rep_id"])
    others = texts(rep_ids) - ours
    touched = texts(view.deals["opportunity_id"]) | texts(view.accounts["account_id"])

    def is_ours(record: str) -> bool:
        try:
            values = {str(v).strip() for v in json.loads(record).values() if v is not None}
        except (ValueError, AttributeError):
            return False
        return bool(values & ours) or (not values & others and bool(values & touched))

    return raw.map(is_ours).astype(bool)


#: Each table in plain words, for a sales-ops reader.
TABLE_LABELS: dict[str, str] = {
    "opportunities": "Deals (opportunities)",
    "reps": "Rep roster (reps)",
    "accounts": "Customer accounts",
    "quotas": "Quotas",
    "opportunity_history": "Opportunity history (changes of amount, close date, stage, category)",
    "stage_history": "Stage history (stage changes of each deal)",
    "territories": "Territories (account to territory and rep)",
    "transactions": "Orders / transactions",
}


def data_contents(dataset: Dataset, sections: Iterable[Needs]) -> pd.DataFrame:
    """"What your data has": per table, whether it is present (or derived), the optional
    columns it lacks, and the report ``sections`` (their ``Needs``) that this disables.

    Orders are the bookings-only alternative to deals: with deals, their absence disables
    nothing (it reads "not needed").
    """
    sections = list(sections)
    rows = []
    for name in TABLES:
        present = name in dataset.present
        lacking = dataset.missing_columns.get(name, ()) if present else ()
        alternative = name == "transactions" and "opportunities" in dataset.present
        if present:
            rows_n = len(getattr(dataset, name))
            status = f"yes, {rows_n:,} rows" + (f" ({dataset.derived[name]})"
                                                 if name in dataset.derived else "")
        else:
            status = "no (not needed: the reports use the deals)" if alternative else "no"
        disabled = [] if present and not lacking or alternative else [
            s.what for s in sections if _needs_any(s, name, lacking, present)]
        rows.append({"table": TABLE_LABELS[name], "in_data": status,
                     "missing_columns": ", ".join(c.replace("_", " ") for c in lacking),
                     "disables": "; ".join(dict.fromkeys(disabled))})
    return pd.DataFrame(rows, columns=["table", "in_data", "missing_columns", "disables"])


def _needs_any(needs: Needs, table: str, lacking: tuple[str, ...], present: bool) -> bool:
    """Whether ``needs`` asks for ``table`` (when absent) or one of its ``lacking`` columns."""
    if not present:
        return table in needs.tables or table in needs.columns
    return any(c in lacking for c in needs.columns.get(table, ()))
