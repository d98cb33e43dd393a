"""The planning report's output tables (``quotas``, ``territories``) written as canonical CSV files
beside the report, so that ``salesops ingest`` loads them with the rest of an export."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from salesops.data.files import atomic_write_text
from salesops.data.schema import TABLES

#: The folder beside a report that holds its planned tables.
PLAN_DIR = "planning"
#: The tables the planning report writes.
PLAN_TABLES = ("quotas", "territories")


def plan_output_dir(reports_dir: str | Path | None, as_of: pd.Timestamp, slug: str = "",
                    output_dir: str | Path | None = None) -> Path | None:
    """Where the planned tables go: ``output_dir`` when given, else ``<reports_dir>/<as_of>/
    [<slug>/]planning`` beside the report (``reports_dir`` is set by ``salesops run``); None
    when neither is known (a notebook run by hand writes nothing)."""
    if output_dir is not None and str(output_dir).strip():
        return Path(output_dir).expanduser()
    if reports_dir is None:
        return None
    day = Path(reports_dir) / f"{pd.Timestamp(as_of):%Y-%m-%d}"
    return (day / slug if slug else day) / PLAN_DIR


def canonical_csv(frame: pd.DataFrame, table: str) -> str:
    """``frame`` as the CSV ingest reads for ``table``: its canonical columns in order, dates
    as ISO days, amounts to the cent; a missing column is an error naming it."""
    if table not in PLAN_TABLES:
        raise ValueError(f"{table}: not a planning output table ({', '.join(PLAN_TABLES)})")
    spec = TABLES[table]
    lacking = [c for c in spec.column_names if c not in frame.columns]
    if lacking:
        raise ValueError(f"{table}: no column {', '.join(repr(c) for c in lacking)}")
    out = frame[spec.column_names].copy()
    for col in spec.columns:
        if col.kind == "date":
            out[col.name] = pd.to_datetime(out[col.name]).dt.strftime("%Y-%m-%d")
        elif col.kind == "amount":
            out[col.name] = out[col.name].astype(float).round(2).map("{:.2f}".format)
    return out.to_csv(index=False)


def write_plan_tables(folder: str | Path, tables: Mapping[str, pd.DataFrame | None]) -> list[Path]:
    """Write each given table as ``<folder>/<table>.csv`` (atomically; None is skipped); the
    paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [atomic_write_text(folder / f"{name}.csv", canonical_csv(frame, name))
            for name, frame in tables.items() if frame is not None]
