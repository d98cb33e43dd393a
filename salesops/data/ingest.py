"""Ingest CRM exports (a folder of files or a SQL database): read, map, validate, then write
the processed dataset.

Fatal problems raise ``IngestError`` before anything is written. Row-level problems send rows
to ``quarantine.csv``; ``data_quality.json`` counts them. Both are written atomically with the
Parquet tables, so for every table rows in = rows kept + rows quarantined. When a table loses
more than ``max_quarantine_share`` of its rows, only those two files are written and
``TooManyQuarantined`` is raised. The output folder is only ever replaced when it is new,
empty, or an earlier ingest output holding nothing but what ingest wrote (``MARKER_FILE``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from salesops.data.config import ConfigError
from salesops.data.history import stage_history_from
from salesops.data.mapping import (
    Mapping,
    apply_mapping,
    convert_currency,
    derive_tables,
    load_mapping,
    resolve_currency,
)
from salesops.data.schema import PRIMARY_TABLES, TABLES, empty_frame
from salesops.data.snapshots import history_from_snapshots
from salesops.data.sources import (
    SUFFIXES,
    Database,
    IngestError,
    RawTable,
    locate,
    read_database,
    read_table,
)
from salesops.data.stages import StageCatalogue, load_catalogue
from salesops.data.store import (
    CONTENTS_FILE,
    SETTINGS_FILE,
    STAGES_FILE,
    Contents,
    Settings,
    replace_folder,
    write_dataset,
)
from salesops.data.validation import MAX_AMOUNT, Keys, TableValidation, validate_table

__all__ = ["Database", "IngestError", "IngestResult", "TableCounts", "TooManyQuarantined",
           "ingest", "read_raw_tables"]

DEFAULT_OUT_DIR = Path("data/processed")
QUARANTINE_FILE = "quarantine.csv"
QUALITY_FILE = "data_quality.json"
#: Written into every output folder: lists what ingest wrote, so a re-run may replace it.
MARKER_FILE = ".salesops-ingest.json"
#: Default largest share of a table's rows that may be quarantined before ingest refuses.
MAX_QUARANTINE_SHARE = 0.5
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


class TooManyQuarantined(IngestError):
    """A table lost more than the allowed share of its rows: only ``quarantine.csv`` and
    ``data_quality.json`` were written (no tables), so no report runs on the remainder."""

    def __init__(self, message: str, result: IngestResult) -> None:
        super().__init__(message)
        self.result = result


def read_raw_tables(
    source: str | Path | Database, mapping: Mapping | None = None
) -> dict[str, RawTable]:
    """Read each canonical table from a source folder's files or a database's tables (by
    canonical name, or ``tables.<name>.file``) as text. Only the deals (or, bookings-only,
    the transactions) are required; every other table is optional."""
    mapping = mapping or Mapping()
    if isinstance(source, Database):
        joined = next((n for n in TABLES if mapping.table(n).joins), None)
        if joined:
            raise IngestError(f"{mapping.source}: tables.{joined}.joins read files, which a "
                              "database source does not have; join in a database view instead")
        raws = read_database(source, {n: (mapping.table(n).file or n,
                                          mapping.table(n).file is not None) for n in TABLES})
        where, names, kind = source.label, "opportunities", "table"
    else:
        source = Path(source)
        raws = {}
        for name in TABLES:
            tm = mapping.table(name)
            path = locate(source, name, tm.file)
            if path is None and tm.file is None:  # a vendor's own file name, e.g. OpportunityHistory
                path = next((p for a in tm.aliases if (p := locate(source, a)) is not None), None)
            if path is not None:
                raws[name] = read_table(path, name, sheet=tm.sheet, encoding=tm.encoding,
                                        delimiter=tm.delimiter)
        where, kind = "the source folder", "file"
        names = ", ".join(f"opportunities{s}" for s in SUFFIXES)
    if not any(name in raws for name in PRIMARY_TABLES):
        raise IngestError(f"{names}: no opportunities (deals) table found in {where}, "
                          f"and no transactions table either (or map a {kind} under "
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
    """Per table read, the optional (or nullable) columns its source lacks."""
    out = {}
    for name, frame in mapped.items():
        lacking = tuple(c.name for c in TABLES[name].columns
                        if (c.optional or c.nullable) and c.name not in frame.columns)
        if lacking:
            out[name] = lacking
    return out


def ingest(
    source: str | Path | Database, out_dir: str | Path = DEFAULT_OUT_DIR,
    mapping: str | Path | None = None, preset: str | None = None, *,
    max_quarantine_share: float = MAX_QUARANTINE_SHARE, max_amount: float = MAX_AMOUNT,
    snapshots: Path | None = None,
) -> IngestResult:
    """Read, map and validate the exports in ``source`` (a folder, or a ``Database``); write
    the dataset to ``out_dir``.

    Raises ``IngestError`` (one message naming file and column) on fatal problems, leaving
    ``out_dir`` untouched, and ``TooManyQuarantined`` (after writing only the quarantine and
    quality report) when a table loses more than ``max_quarantine_share`` of its rows.
    Amounts above ``max_amount`` are quarantined. ``preset`` names a shipped mapping
    (salesforce, hubspot) that ``mapping`` is layered on. A source without an opportunity
    history gets one built from the snapshot store ``snapshots`` when given (validated like a
    source table); a source with an opportunity history but no stage history gets the stage
    history derived from it.
    """
    source_dir = None if isinstance(source, Database) else Path(source)
    if source_dir is not None and not source_dir.is_dir():
        raise IngestError(f"{source_dir.name}: source folder not found")
    out_dir = check_out_dir(Path(out_dir), source_dir)
    try:
        spec = load_mapping(mapping, preset)
        catalogue = load_catalogue(spec.stage_catalogue)
    except ConfigError as exc:
        raise IngestError(str(exc)) from None
    raws = read_raw_tables(source, spec)
    warnings = _unused_files(source_dir, spec, raws) if source_dir is not None else []
    warnings += [f"{raw.file}: removed {raw.removed_chars} NUL or bidirectional control "
                 "characters from the text" for raw in raws.values() if raw.removed_chars]
    raws, notes = derive_tables(raws, spec)
    warnings += notes
    mapped: dict[str, pd.DataFrame] = {}
    for name, raw in raws.items():
        mapped[name], notes = apply_mapping(raw, TABLES[name], spec, source_dir)
        warnings += notes
    derived: dict[str, str] = {}
    if "opportunity_history" not in raws and snapshots is not None:
        raws["opportunity_history"] = snapshot_history(Path(snapshots))
        mapped["opportunity_history"] = raws["opportunity_history"].frame
        derived["opportunity_history"] = f"built from the nightly snapshots in {Path(snapshots).name}"
    if "transactions" in mapped and "transaction_id" not in mapped["transactions"].columns:
        lines = raws["transactions"].lines.astype("str")
        mapped["transactions"]["transaction_id"] = raws["transactions"].file + ":" + lines
    missing_columns = _missing_columns(mapped)
    currency = resolve_currency({n: (raws[n].file, f) for n, f in mapped.items()}, spec)
    results = _validate(raws, mapped, spec, catalogue, max_amount)
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
    if "opportunity_history" in results and "stage_history" not in raws:
        tables["stage_history"] = stage_history_from(tables["opportunity_history"])
        derived["stage_history"] = "derived from the opportunity history"
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
    files = {QUARANTINE_FILE: quarantine.to_csv(index=False),
             QUALITY_FILE: json.dumps(quality, indent=2)}
    result = IngestResult(out_dir=out_dir, counts=counts, quarantine=quarantine,
                          warnings=warnings, settings=settings)
    lossy = {n: c for n, c in counts.items()
             if c.rows_in and c.rows_quarantined / c.rows_in > max_quarantine_share}
    if lossy:
        files[MARKER_FILE] = _marker(files)
        replace_folder(out_dir, files=files)
        raise TooManyQuarantined(_loss_summary(lossy, max_quarantine_share, out_dir), result)
    written = [*(f"{t}.parquet" for t in TABLES), SETTINGS_FILE, CONTENTS_FILE, STAGES_FILE]
    files[MARKER_FILE] = _marker(files, written)
    write_dataset(tables, out_dir, settings, catalogue, extra_files=files, contents=contents)
    return result


def snapshot_history(store: Path) -> RawTable:
    """The opportunity history the snapshot store implies, as text (ISO dates, plain numbers)
    so that it is validated like an exported table; its rows are numbered from 1."""
    history = history_from_snapshots(store)
    text = pd.DataFrame(index=history.index)
    for col in TABLES["opportunity_history"].columns:
        values = history[col.name]
        shown = values.dt.strftime("%Y-%m-%d") if col.kind == "date" else values.astype("string")
        text[col.name] = shown.astype(object).where(values.notna(), None)
    return RawTable(name="opportunity_history", file=f"{store.name} (nightly snapshots)",
                    frame=text, lines=pd.Series(range(1, len(text) + 1), index=text.index))


def check_out_dir(out_dir: Path, source_dir: Path | None = None) -> Path:
    """``out_dir`` made absolute, if ingest may replace it as a whole: it is not the current
    folder (or above it), not the source folder, inside it or above it, and it is new, empty or
    an earlier ingest output holding only files ingest wrote. Raises ``IngestError`` if not."""
    out = out_dir.resolve()
    shown = f"output folder '{out_dir}'"
    cwd = Path.cwd().resolve()
    if out == cwd or out in cwd.parents:
        raise IngestError(f"{shown}: is the current folder (or holds it), which ingest would "
                          "replace as a whole; name a folder of its own, e.g. data/processed")
    if source_dir is not None:
        src = source_dir.resolve()
        if out == src or src in out.parents or out in src.parents:
            relation = ("is the source folder" if out == src else "is inside the source folder"
                        if src in out.parents else "holds the source folder")
            raise IngestError(f"{shown}: {relation} '{source_dir}'; ingest replaces its output "
                              "folder as a whole, so write it elsewhere, e.g. data/processed")
    if out.exists() and not out.is_dir():
        raise IngestError(f"{shown}: is a file, not a folder")
    entries = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
    if entries:
        written = _written_by_ingest(out)
        if written is None:
            raise IngestError(f"{shown}: is not empty and is not an earlier ingest output (no "
                              f"{MARKER_FILE}); ingest replaces its output folder as a whole, "
                              "so name a new or empty folder")
        foreign = [e for e in entries if e not in written]
        if foreign:
            raise IngestError(f"{shown}: holds '{foreign[0]}', which ingest did not write; "
                              "move it out first (ingest replaces its output folder as a whole)")
    return out


def _marker(files: dict[str, str], written: list[str] | tuple[str, ...] = ()) -> str:
    """The marker's text: every file name this run writes (itself included)."""
    return json.dumps({"written_by": "salesops ingest",
                       "files": sorted({*written, *files, MARKER_FILE})}, indent=2)


def _written_by_ingest(folder: Path) -> set[str] | None:
    """The file names an earlier ingest wrote into ``folder``, or None without a marker."""
    try:
        marker = json.loads((folder / MARKER_FILE).read_text(encoding="utf-8"))
        return {str(name) for name in marker["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _loss_summary(lossy: dict[str, TableCounts], share: float, out_dir: Path) -> str:
    """One line per table that lost too many rows, with its main reasons, then what was written."""
    lines = []
    for name, c in lossy.items():
        reasons = ", ".join(f"{code} {n}" for code, n in
                            sorted(c.reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:3])
        lines.append(f"{c.file}: {c.rows_quarantined} of {c.rows_in} rows of table {name} "
                     f"quarantined ({c.rows_quarantined / c.rows_in:.0%}; main reasons: "
                     f"{reasons})")
    return ("\n".join(lines) + f"\nmore than {share:.0%} of a table's rows were quarantined, so "
            f"no dataset was written: see {QUARANTINE_FILE} and {QUALITY_FILE} in {out_dir} "
            "(fix the export or the mapping, or allow more with --max-quarantine-share)")


def _validate(
    raws: dict[str, RawTable], mapped: dict[str, pd.DataFrame], spec: Mapping,
    catalogue: StageCatalogue, max_amount: float = MAX_AMOUNT,
) -> dict[str, TableValidation]:
    """Validate tables in dependency order, passing each one's keys to the tables citing it."""
    results: dict[str, TableValidation] = {}
    parents: dict[str, Keys] = {}
    for name, table in TABLES.items():
        if name not in mapped:
            continue
        res = validate_table(table, mapped[name], raws[name].lines, raws[name].file, catalogue,
                             spec.table(name).date_formats, parents, spec.table(name).number_format,
                             max_amount)
        results[name] = res
        if len(table.key) == 1:
            key = table.key[0]
            rows = res.kept.set_index(key) if name == "opportunities" else None
            parents[name] = Keys(read=pd.Index(mapped[name][key].dropna().unique()),
                                 kept=pd.Index(res.kept[key].unique()), rows=rows)
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
