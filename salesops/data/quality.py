"""Reading back what ingestion recorded: per-table row counts, quarantine reasons and rows.

``ingest`` writes ``data_quality.json`` and ``quarantine.csv`` beside the processed tables; the
data-quality report and the report index read them through ``load_quality``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from salesops.data.ingest import QUALITY_FILE, QUARANTINE_FILE

QUARANTINE_COLUMNS = ["table", "file", "line", "column", "check", "reason"]


@dataclass
class QualityReport:
    """Ingestion outcome of one processed dataset."""

    counts: pd.DataFrame  # table, file, rows_in, rows_kept, rows_quarantined, blank_rows_skipped
    reasons: pd.DataFrame  # table, check, problems
    quarantine: pd.DataFrame  # one row per problem: QUARANTINE_COLUMNS (raw values dropped)
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_in(self) -> int:
        return int(self.counts["rows_in"].sum())

    @property
    def rows_quarantined(self) -> int:
        return int(self.counts["rows_quarantined"].sum())


def load_quality(path: str | Path) -> QualityReport:
    """Read ``data_quality.json`` and ``quarantine.csv`` from a processed dataset folder.

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
                                 usecols=lambda c: c in QUARANTINE_COLUMNS)
        quarantine["line"] = pd.to_numeric(quarantine["line"], errors="coerce").astype("Int64")
    return QualityReport(counts=counts, reasons=reasons, quarantine=quarantine,
                         warnings=list(summary.get("warnings", [])))
