"""Reading raw exports as all-string tables with source line numbers: files (CSV, Excel,
Parquet) in a folder, or tables and views of a SQL database read through SQLAlchemy.

Every value is kept as text so nothing is lost or coerced before validation; each row keeps the
number a user would look for in the source (see ``RawTable.lines``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SUFFIXES: tuple[str, ...] = (".csv", ".xlsx", ".parquet")

#: Removed from every header and value: NUL, and the bidirectional embeddings, overrides and
#: isolates (U+202A-U+202E, U+2066-U+2069) that make text display differently from what it is.
INVISIBLE = re.compile("[\x00\u202a-\u202e\u2066-\u2069]")
#: Bytes no text file holds (NUL aside, which exports do leak and is removed instead).
_CONTROL_BYTES = re.compile(b"[\x01-\x08\x0e-\x1a\x1c-\x1f]")


class IngestError(ValueError):
    """A fatal ingestion problem (missing table or column, unreadable file, bad mapping)."""


@dataclass
class RawTable:
    """One source file (or database table) read as text.

    ``frame`` holds stripped string values (missing = NaN). ``lines`` gives, per row, its number
    in the source: for CSV the line in the file and for Excel the sheet row (header = 1, so the
    first data row is 2); for Parquet the 1-based record number, for a database table the
    1-based row number of the result. ``removed_chars`` counts NUL and bidirectional control
    characters taken out of the text.
    """

    name: str
    file: str
    frame: pd.DataFrame
    lines: pd.Series
    blank_rows: int = 0
    removed_chars: int = 0


@dataclass(frozen=True)
class Database:
    """A SQL database read through SQLAlchemy. ``label`` names it in messages (e.g.
    ``$CRM_DB_URL``); the URL itself is never shown, logged or written anywhere."""

    url: str = field(repr=False)
    label: str = "the database"


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
    if suffix == ".csv" and _CONTROL_BYTES.search(path.open("rb").read(65536)):
        raise IngestError(f"{path.name}: does not look like a table (it holds control "
                          "characters that text never does: a binary file renamed .csv?)")
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
        raise IngestError(f"{path.name}: cannot read file ({_reader_reason(exc)})") from None
    if suffix != ".parquet":
        _check_is_table(frame, path.name)
    return _tidy(frame, name, path.name, first=1 if suffix == ".parquet" else 2,
                 text=path.read_bytes() if suffix == ".csv" else None)


def _reader_reason(exc: Exception) -> str:
    """The reader's first message line with anything quoted blanked out: the file may not be a
    table at all, so none of its content is echoed."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", text)


def _check_is_table(frame: pd.DataFrame, file: str) -> None:
    """Refuse a file that is not a table (a binary file or a YAML document renamed .csv,
    a notes sheet) without echoing any of its content."""
    header = [INVISIBLE.sub("", str(c)) for c in frame.columns]
    if any(not h.replace("\n", " ").replace("\r", " ").isprintable() or "\ufffd" in h
           for h in header):
        raise IngestError(f"{file}: does not look like a table (its first line holds "
                          "unprintable characters: a binary file, or the wrong `encoding:`)")
    if len(header) < 2:
        hint = next((f"; its first line contains {d!r}: set `delimiter: {d!r}` in the mapping"
                     for d in (";", "\t", "|") if d in header[0]), "")
        raise IngestError(f"{file}: does not look like a table (one column; a table needs a "
                          f"header row naming at least two columns){hint}")
    filled = frame.notna().sum(axis=1)
    if len(frame) and (filled >= 2).mean() < 0.5:
        raise IngestError(f"{file}: does not look like a table (most rows fill at most one of "
                          f"its {len(header)} columns)")


def _mangled(columns: pd.Index) -> bool:
    """Whether pandas may have renamed a repeated header ``x`` to ``x.1``."""
    names = set(map(str, columns))
    return any("." in n and n.rsplit(".", 1)[0] in names for n in names)


def _tidy(
    frame: pd.DataFrame, name: str, file: str, first: int, text: bytes | None = None
) -> RawTable:
    """Clean headers and values, number rows as the source shows them, drop blank rows.

    ``text``, a CSV file's bytes, lets quoted values spanning several lines (and a header
    spanning several) push the later rows' line numbers down.
    """
    frame = frame.astype("str")
    lines = pd.Series(range(first, first + len(frame)), index=frame.index, dtype="int64")
    if text is not None and text.count(b"\n") > len(frame) + 1:
        spans = sum((frame[c].str.count("\n").fillna(0) for c in frame.columns),
                    pd.Series(0, index=frame.index))
        header_span = sum(str(c).count("\n") for c in frame.columns)
        lines = lines + header_span + spans.cumsum().shift(fill_value=0).astype("int64")
    removed = sum(len(INVISIBLE.findall(str(c))) for c in frame.columns)
    frame.columns = [INVISIBLE.sub("", str(c)).strip() for c in frame.columns]
    dupes = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if dupes:
        raise IngestError(f"{file}: column '{dupes[0]}' appears more than once in the header")
    for col in frame.columns:
        values = frame[col]
        found = int(values.str.count(INVISIBLE).sum())
        if found:
            removed += found
            values = values.str.replace(INVISIBLE, "", regex=True)
        values = values.str.strip()
        frame[col] = values.mask(values == "")
    blank = frame.isna().all(axis=1)
    return RawTable(name=name, file=file, frame=frame.loc[~blank], lines=lines.loc[~blank],
                    blank_rows=int(blank.sum()), removed_chars=removed)


# -- SQL databases -----------------------------------------------------------------------------


def scrub(text: str, url: str) -> str:
    """``text`` with the database URL and its parts (user, password, host) and anything
    URL-shaped replaced by ``***``, so that a driver's message can be shown safely."""
    from urllib.parse import parse_qsl, unquote, urlsplit

    secrets, password = {url}, ""
    try:
        parts = urlsplit(url)
        password = parts.password or ""
        secrets |= {parts.netloc, parts.username or "", parts.hostname or ""}
        secrets |= {v for k, v in parse_qsl(parts.query) if k in ("host", "user", "password")}
    except ValueError:  # not even URL-shaped: only the whole text is known to be secret
        pass
    secrets = {s for s in secrets | {unquote(s) for s in secrets} if len(s) >= 3}
    secrets |= {password, unquote(password)} - {""}
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return re.sub(r"\b[a-zA-Z][\w+.-]*://\S+", "***", text)


def read_database(db: Database, targets: dict[str, tuple[str, bool]]) -> dict[str, RawTable]:
    """Read each canonical table from its database table or view, values as text.

    ``targets`` maps a canonical table name to (table or view name, possibly ``schema.name``;
    whether the mapping named it). A mapped name that does not exist is fatal, an unmapped
    one means the (optional) table is absent. Errors never show the URL.
    """
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(db.url)
    except Exception as exc:  # a malformed URL, an unknown dialect or a missing driver
        raise IngestError(f"{db.label}: not a usable database URL "
                          f"({type(exc).__name__}: {scrub(_first_line(exc), db.url)})") from None
    raws: dict[str, RawTable] = {}
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            for name, (target, mapped) in targets.items():
                schema, _, table_name = target.rpartition(".")
                if not inspector.has_table(table_name, schema=schema or None):
                    if mapped:
                        raise IngestError(f"{target}: table or view not found in {db.label} "
                                          f"(mapped for '{name}')")
                    continue
                table = sa.Table(table_name, sa.MetaData(), schema=schema or None,
                                 autoload_with=conn)
                result = conn.execute(sa.select(table))
                columns = list(result.keys())
                rows = result.fetchall()
                frame = pd.DataFrame({c: pd.Series([as_text(r[i]) for r in rows], dtype="str")
                                      for i, c in enumerate(columns)})
                raws[name] = _tidy(frame, name, target, first=1)
    except IngestError:
        raise
    except Exception as exc:  # connection, permission or query failure
        raise IngestError(f"{db.label}: cannot read the database ({type(exc).__name__}: "
                          f"{scrub(_first_line(exc), db.url)})") from None
    finally:
        engine.dispose()
    return raws


def _first_line(exc: Exception) -> str:
    """The first line of an exception message, without SQLAlchemy's '(Background on ...)'."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def as_text(value: Any) -> str | float:
    """A database value as the text a CSV export would hold (NaN for NULL): dates ISO, numbers
    as plain decimals with every digit, booleans true/false."""
    if value is None:
        return np.nan
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return np.format_float_positional(value, trim="-")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
