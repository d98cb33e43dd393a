"""Reading raw export files (CSV, Excel, Parquet) as all-string tables with source line numbers.

Every value is kept as text so nothing is lost or coerced before validation; each row keeps the
number a user would look for in the source file (see ``RawTable.lines``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

SUFFIXES: tuple[str, ...] = (".csv", ".xlsx", ".parquet")


class IngestError(ValueError):
    """A fatal ingestion problem (missing table or column, unreadable file, bad mapping)."""


@dataclass
class RawTable:
    """One source file read as text.

    ``frame`` holds stripped string values (missing = NaN). ``lines`` gives, per row, its number
    in the source: for CSV the line in the file and for Excel the sheet row (header = 1, so the
    first data row is 2); for Parquet the 1-based record number.
    """

    name: str
    file: str
    frame: pd.DataFrame
    lines: pd.Series
    blank_rows: int = 0


def locate(source_dir: Path, table: str, file: str | None = None) -> Path | None:
    """The file holding ``table``: ``file`` if given, else the one whose stem is the table name."""
    if file is not None:
        path = source_dir / file
        if not path.is_file():
            raise IngestError(f"{file}: file not found in the source folder (mapped for '{table}')")
        return path
    found = [source_dir / f"{table}{suffix}" for suffix in SUFFIXES
             if (source_dir / f"{table}{suffix}").is_file()]
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise IngestError(f"{names}: several files for table '{table}'; keep one or map `file:`")
    return found[0] if found else None


def read_table(
    path: Path, name: str, *, sheet: str | None = None, encoding: str = "utf-8-sig",
    delimiter: str = ",",
) -> RawTable:
    """Read one file as strings; any parse failure becomes an ``IngestError`` naming the file."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise IngestError(f"{path.name}: unsupported file type (use {', '.join(SUFFIXES)})")
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                                skip_blank_lines=False, encoding=encoding, sep=delimiter)
        elif suffix == ".xlsx":
            frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=str, keep_default_na=False,
                                  na_values=[""])
        else:
            frame = pd.read_parquet(path)
            frame = frame.astype({c: "str" for c in frame.columns})
        if suffix != ".parquet" and _mangled(frame.columns):
            header = (pd.read_csv(path, header=None, nrows=1, dtype=str, encoding=encoding,
                                  sep=delimiter) if suffix == ".csv" else
                      pd.read_excel(path, sheet_name=sheet or 0, header=None, nrows=1, dtype=str))
            frame.columns = header.iloc[0].tolist()
    except UnicodeDecodeError:
        raise IngestError(
            f"{path.name}: not valid {encoding} text; re-save as UTF-8 or set `encoding:` "
            "for this table in the mapping"
        ) from None
    except Exception as exc:  # any reader failure means the file is unreadable or corrupt
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise IngestError(f"{path.name}: cannot read file ({reason})") from None
    return _tidy(frame, name, path, suffix)


def _mangled(columns: pd.Index) -> bool:
    """Whether pandas may have renamed a repeated header ``x`` to ``x.1``."""
    names = set(map(str, columns))
    return any("." in n and n.rsplit(".", 1)[0] in names for n in names)


def _tidy(frame: pd.DataFrame, name: str, path: Path, suffix: str) -> RawTable:
    """Strip headers and values, number rows as the source shows them, drop blank rows."""
    frame = frame.astype("str")
    frame.columns = [str(c).strip() for c in frame.columns]
    dupes = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if dupes:
        raise IngestError(f"{path.name}: column '{dupes[0]}' appears more than once in the header")
    for col in frame.columns:
        values = frame[col].str.strip()
        frame[col] = values.mask(values == "")
    first = 1 if suffix == ".parquet" else 2
    lines = pd.Series(range(first, first + len(frame)), index=frame.index, dtype="int64")
    if suffix == ".csv" and path.read_bytes().count(b"\n") > len(frame) + 1:
        # Quoted values spanning several lines push every later row further down the file.
        spans = sum((frame[c].str.count("\n").fillna(0) for c in frame.columns),
                    pd.Series(0, index=frame.index))
        lines = lines + spans.cumsum().shift(fill_value=0).astype("int64")
    blank = frame.isna().all(axis=1)
    return RawTable(name=name, file=path.name, frame=frame.loc[~blank], lines=lines.loc[~blank],
                    blank_rows=int(blank.sum()))
