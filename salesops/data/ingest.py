"""Ingest a folder of CRM exports: read, map, validate, then write the processed dataset.

Fatal problems raise ``IngestError`` before anything is written. Row-level problems send rows
to ``quarantine.csv``; ``data_quality.json`` counts them. Both are written atomically with the
Parquet tables, so for every table rows in = rows kept + rows quarantined.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from salesops.data.config import ConfigError
from salesops.data.mapping import (
    Mapping,
    apply_mapping,
    convert_currency,
    load_mapping,
    resolve_currency,
    unpivot_tables,
)
from salesops.data.schema import PRIMARY_TABLES, TABLES, empty_frame
from salesops.data.sources import SUFFIXES, IngestError, RawTable, locate, read_table
from salesops.data.stages import StageCatalogue, load_catalogue
from salesops.data.store import Contents, Settings, write_dataset
from salesops.data.validation import Keys, TableValidation, validate_table

__all__ = ["IngestError", "IngestResult", "TableCounts", "ingest", "read_raw_tables"]

DEFAULT_OUT_DIR = Path("data/processed")
QUARANTINE_FILE = "quarantine.csv"
QUALITY_FILE = "data_quality.json"
QUARANTINE_COLUMNS = ["table", "file", "line", "column", "check", "reason", "raw"]


@dataclass
class TableCounts:
    """Row counts of one table: rows_in == rows_kept + rows_quarantined."""

    file: str
    rows_in: int
    rows_kept: int
    rows_quarantined: int
    reasons: dict[str, int] = field(default_factory=dict)  # problems per check code
    blank_rows_skipped: int = 0


@dataclass
class IngestResult:
    """What ``ingest`` wrote: where, per-table counts, the quarantine and any warnings."""

    out_dir: Path
    counts: dict[str, TableCounts]
    quarantine: pd.DataFrame
    warnings: list[str]
    settings: Settings


def read_raw_tables(source_dir: str | Path, mapping: Mapping | None = None) -> dict[str, RawTable]:
    """Read each canonical table's source file as text. Only the deals (or, bookings-only, the
    transactions) are required; every other table is optional."""
    source_dir = Path(source_dir)
    mapping = mapping or Mapping()
    raws: dict[str, RawTable] = {}
    for name in TABLES:
        tm = mapping.table(name)
        path = locate(source_dir, name, tm.file)
        if path is not None:
            raws[name] = read_table(path, name, sheet=tm.sheet, encoding=tm.encoding,
                                    delimiter=tm.delimiter)
    if not any(name in raws for name in PRIMARY_TABLES):
        names = ", ".join(f"opportunities{s}" for s in SUFFIXES)
        raise IngestError(f"{names}: no opportunities (deals) table found in the source folder, "
                          "and no transactions table either (or map a file under "
                          "tables.opportunities.file or tables.transactions.file)")
    return raws


def derive_roster(opportunities: pd.DataFrame) -> pd.DataFrame:
    """A roster from the deals' owner column when the export has none: one rep per distinct
    ``rep_id``, named by it; every other rep attribute is unknown (all-null)."""
    ids = pd.Series(opportunities["rep_id"].dropna().unique(), dtype="str")
    reps = empty_frame(TABLES["reps"]).reindex(range(len(ids)))
    reps["rep_id"] = ids.sort_values(ignore_index=True)
    reps["name"] = reps["rep_id"]
    return reps


def _missing_columns(mapped: dict[str, pd.DataFrame]) -> dict[str, tuple[str, ...]]:
    """Per table read, the optional columns its source lacks."""
    out = {}
    for name, frame in mapped.items():
        lacking = tuple(c.name for c in TABLES[name].columns
                        if c.optional and c.name not in frame.columns)
        if lacking:
            out[name] = lacking
    return out


def ingest(
    source_dir: str | Path, out_dir: str | Path = DEFAULT_OUT_DIR,
    mapping: str | Path | None = None, preset: str | None = None,
) -> IngestResult:
    """Read, map and validate the exports in ``source_dir``; write the dataset to ``out_dir``.

    Raises ``IngestError`` (one message naming file and column) on fatal problems, leaving
    ``out_dir`` untouched. ``preset`` names a shipped mapping (salesforce, hubspot) that
    ``mapping`` is layered on.
    """
    source_dir = Path(source_dir)
    if not source_dir.is_dir():
        raise IngestError(f"{source_dir.name}: source folder not found")
    try:
        spec = load_mapping(mapping, preset)
        catalogue = load_catalogue(spec.stage_catalogue)
    except ConfigError as exc:
        raise IngestError(str(exc)) from None
    raws = read_raw_tables(source_dir, spec)
    warnings = _unused_files(source_dir, spec, raws)
    raws, notes = unpivot_tables(raws, spec)
    warnings += notes
    mapped: dict[str, pd.DataFrame] = {}
    for name, raw in raws.items():
        mapped[name], notes = apply_mapping(raw, TABLES[name], spec, source_dir)
        warnings += notes
    if "transactions" in mapped and "transaction_id" not in mapped["transactions"].columns:
        lines = raws["transactions"].lines.astype("str")
        mapped["transactions"]["transaction_id"] = raws["transactions"].file + ":" + lines
    missing_columns = _missing_columns(mapped)
    currency = resolve_currency({n: (raws[n].file, f) for n, f in mapped.items()}, spec)
    results = _validate(raws, mapped, spec, catalogue)
    tables: dict[str, pd.DataFrame] = {}
    counts: dict[str, TableCounts] = {}
    for name, table in TABLES.items():
        if name not in results:
            tables[name] = empty_frame(table)
            continue
        res, raw = results[name], raws[name]
        warnings += res.warnings
        tables[name] = convert_currency(res.kept, table, currency, spec.rates)
        counts[name] = TableCounts(
            file=raw.file, rows_in=len(raw.frame), rows_kept=len(res.kept),
            rows_quarantined=len(res.rejected),
            reasons=res.problems["check"].value_counts().to_dict(),
            blank_rows_skipped=raw.blank_rows,
        )
        if raw.blank_rows:
            warnings.append(f"{raw.file}: skipped {raw.blank_rows} blank rows")
    derived: dict[str, str] = {}
    if "reps" not in raws and "opportunities" in raws:
        tables["reps"] = derive_roster(tables["opportunities"])
        derived["reps"] = "derived from the deals' owner column"
        missing_columns["reps"] = tuple(c.name for c in TABLES["reps"].columns
                                        if c.optional and c.name != "name")
        warnings.append(f"no rep roster: {len(tables['reps'])} reps taken from the deals' "
                        "owner column (no manager, team, region, role or hire date)")
    contents = Contents(present=frozenset(raws) | frozenset(derived),
                        missing_columns=missing_columns, derived=derived)
    quarantine = _quarantine(raws, results)
    settings = Settings(currency=currency, fiscal_year_start_month=spec.fiscal_year_start_month)
    quality = {"currency": currency, "tables": {n: asdict(c) for n, c in counts.items()},
               "warnings": warnings}
    quality["contents"] = contents.to_dict()
    out = write_dataset(tables, out_dir, settings, catalogue, extra_files={
        QUARANTINE_FILE: quarantine.to_csv(index=False),
        QUALITY_FILE: json.dumps(quality, indent=2),
    }, contents=contents)
    return IngestResult(out_dir=out, counts=counts, quarantine=quarantine, warnings=warnings,
                        settings=settings)


def _validate(
    raws: dict[str, RawTable], mapped: dict[str, pd.DataFrame], spec: Mapping,
    catalogue: StageCatalogue,
) -> dict[str, TableValidation]:
    """Validate tables in dependency order, passing each one's keys to the tables citing it."""
    results: dict[str, TableValidation] = {}
    parents: dict[str, Keys] = {}
    for name, table in TABLES.items():
        if name not in mapped:
            continue
        res = validate_table(table, mapped[name], raws[name].lines, raws[name].file, catalogue,
                             spec.table(name).date_formats, parents, spec.table(name).number_format)
        results[name] = res
        if len(table.key) == 1:
            key = table.key[0]
            parents[name] = Keys(read=pd.Index(mapped[name][key].dropna().unique()),
                                 kept=pd.Index(res.kept[key].unique()))
    return results


def _quarantine(raws: dict[str, RawTable], results: dict[str, TableValidation]) -> pd.DataFrame:
    """One line per problem: table, file, source line, column, check, reason, raw row JSON."""
    parts = []
    for name, res in results.items():
        if res.problems.empty:
            continue
        raw = raws[name]
        rows = res.problems["row"]
        bad = raw.frame.loc[rows.unique()]
        text = bad.to_json(orient="records", lines=True, force_ascii=False)
        as_json = pd.Series(text.rstrip("\n").split("\n"), index=bad.index)
        parts.append(pd.DataFrame({
            "table": name, "file": raw.file, "line": raw.lines.loc[rows].to_numpy(),
            "column": res.problems["column"].to_numpy(), "check": res.problems["check"].to_numpy(),
            "reason": res.problems["reason"].to_numpy(), "raw": as_json.loc[rows].to_numpy(),
        }))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "line" else "str")
                             for c in QUARANTINE_COLUMNS})
    return pd.concat(parts, ignore_index=True).sort_values(
        ["table", "line"], key=lambda s: s.map(list(TABLES).index) if s.name == "table" else s,
        kind="stable", ignore_index=True)


def _unused_files(source_dir: Path, spec: Mapping, raws: dict[str, RawTable]) -> list[str]:
    """Warn about table-like files that were neither read as a table nor joined in."""
    used = {raw.file for raw in raws.values()}
    used |= {j.file for tm in spec.tables.values() for j in tm.joins}
    return [f"{p.name}: ignored (not a table name and not used by the mapping)"
            for p in sorted(source_dir.iterdir())
            if p.suffix.lower() in SUFFIXES and p.name not in used]
