"""The YAML column mapping that turns a CRM export into the canonical tables: load, check, apply.

A mapping renames columns, maps stage and status values, names date formats, adds constant
columns, joins extra files in, and sets currency and fiscal-year settings. See
docs/ingesting-your-crm.md for the format; every error names the mapping file and field.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from salesops.data.config import ConfigError, check_type, load_yaml, optional, reject_unknown
from salesops.data.schema import TABLES, Table
from salesops.data.sources import IngestError, RawTable, read_table

CURRENCY_COLUMN = "currency"
_TOP_FIELDS = {"currency", "rates", "fiscal_year_start_month", "stage_catalogue", "tables"}
_TABLE_FIELDS = {"file", "sheet", "encoding", "delimiter", "columns", "stage_values",
                 "status_values", "date_formats", "number_format", "constants", "joins"}
#: Thousands separators and decimal marks a number_format may name ("" = no grouping).
THOUSANDS = {",": "comma", ".": "point", " ": "space", "\u00a0": "no-break space",
             "\u202f": "narrow no-break space", "'": "apostrophe", "": "none"}
DECIMALS = {".": "point", ",": "comma"}
_JOIN_FIELDS = {"file", "key", "file_key", "columns", "sheet", "encoding", "delimiter"}


@dataclass(frozen=True)
class Join:
    """Bring ``columns`` (join-file name -> table name) in from ``file``, matching on a key."""

    file: str
    key: str  # column of the table (after renaming)
    file_key: str  # column of the join file holding the same values
    columns: dict[str, str]
    sheet: str | None = None
    encoding: str = "utf-8-sig"
    delimiter: str = ","


@dataclass(frozen=True)
class NumberFormat:
    """How a source file writes numbers: thousands separator and decimal mark (e.g. European
    exports write 1.234,56). The default, plain decimals, reads 1234.56 only."""

    thousands: str = ""
    decimal: str = "."

    @property
    def plain(self) -> bool:
        return self.thousands == "" and self.decimal == "."

    @property
    def example(self) -> str:
        return f"1{self.thousands}234{self.decimal}5"

    def normalise(self, raw: pd.Series) -> pd.Series:
        """Text written in this format as plain decimals ('1.234,5' -> '1234.5'). Text that does
        not follow the format ('1,2,3', or '1.23' when '.' groups thousands) becomes missing,
        so the caller reports the raw value as non-numeric rather than guessing."""
        if self.plain:
            return raw
        sep, dec = re.escape(self.thousands), re.escape(self.decimal)
        grouped = rf"\d{{1,3}}(?:{sep}\d{{3}})+" if self.thousands else r"\d+"
        pattern = rf"\s*[-+]?(?:{grouped}|\d+)(?:{dec}\d*)?\s*"
        text = raw.astype("string")
        ok = text.str.fullmatch(pattern).fillna(False).astype(bool)
        plain = text.str.replace(self.thousands, "", regex=False) if self.thousands else text
        plain = plain.str.replace(self.decimal, ".", regex=False)
        return plain.astype(object).where(ok, None)


@dataclass(frozen=True)
class TableMapping:
    """How one canonical table is read from its source file."""

    file: str | None = None
    sheet: str | None = None
    encoding: str = "utf-8-sig"
    delimiter: str = ","
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # source -> canonical
    stage_values: dict[str, str] = field(default_factory=dict)
    status_values: dict[str, str] = field(default_factory=dict)
    date_formats: dict[str, str] = field(default_factory=dict)  # canonical column -> strftime
    number_format: NumberFormat = NumberFormat()
    constants: dict[str, str] = field(default_factory=dict)
    joins: tuple[Join, ...] = ()


@dataclass(frozen=True)
class Mapping:
    """A whole mapping file; ``Mapping()`` is the identity mapping (files already canonical)."""

    source: str = "<default mapping>"
    tables: dict[str, TableMapping] = field(default_factory=dict)
    currency: str | None = None
    rates: dict[str, float] = field(default_factory=dict)
    fiscal_year_start_month: int = 1
    stage_catalogue: Path | None = None

    def table(self, name: str) -> TableMapping:
        return self.tables.get(name, TableMapping())


def allowed_columns(table: Table) -> list[str]:
    """Names a source column may be mapped to: the table's columns, plus ``currency`` if it has
    an amount column to convert."""
    names = [c.name for c in table.columns]
    if any(c.kind == "amount" for c in table.columns):
        names.append(CURRENCY_COLUMN)
    return names


def load_mapping(path: str | Path) -> Mapping:
    """Read and validate a mapping YAML file; raises ``ConfigError`` naming the file and field."""
    path = Path(path)
    src = path.name
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(src, "<document>", "must be a mapping of fields (see docs)")
    reject_unknown(raw, _TOP_FIELDS, src)
    currency = optional(raw, "currency", str, src)
    rates = {k.upper(): float(v)
             for k, v in _str_dict(raw, "rates", src, values=(int, float)).items()}
    for code, rate in rates.items():
        if rate <= 0:
            raise ConfigError(src, f"rates.{code}", "must be a positive number")
    if rates and currency is None:
        raise ConfigError(src, "currency", "is required when `rates` is given")
    fy_month = optional(raw, "fiscal_year_start_month", int, src, default=1)
    if not 1 <= fy_month <= 12:
        raise ConfigError(src, "fiscal_year_start_month", "must be 1-12")
    catalogue = optional(raw, "stage_catalogue", str, src)
    tables_raw = optional(raw, "tables", dict, src, default={})
    reject_unknown(tables_raw, set(TABLES), src, "tables.")
    tables = {name: _table_mapping(spec, TABLES[name], src, f"tables.{name}.")
              for name, spec in tables_raw.items()}
    return Mapping(
        source=src, tables=tables, currency=currency.upper() if currency else None, rates=rates,
        fiscal_year_start_month=fy_month,
        stage_catalogue=(path.parent / catalogue) if catalogue else None,
    )


def _str_dict(spec: dict, key: str, src: str, prefix: str = "",
              values: type | tuple[type, ...] = str) -> dict[str, Any]:
    """A ``name: value`` sub-mapping, keys read as text; values checked against ``values``."""
    mapping = optional(spec, key, dict, src, default={}, prefix=prefix)
    for k, v in mapping.items():
        check_type(v, values, src, f"{prefix}{key}.{k}")
    return {str(k): v for k, v in mapping.items()}


def _table_mapping(spec: Any, table: Table, src: str, prefix: str) -> TableMapping:
    if spec is None:
        return TableMapping()
    if not isinstance(spec, dict):
        raise ConfigError(src, prefix.rstrip("."), "must be a mapping")
    reject_unknown(spec, _TABLE_FIELDS, src, prefix)
    allowed = allowed_columns(table)
    columns = {k: (v,) if isinstance(v, str) else
               tuple(check_type(t, str, src, f"{prefix}columns.{k}") for t in v)
               for k, v in _str_dict(spec, "columns", src, prefix, values=(str, list)).items()}
    seen: dict[str, str] = {}
    for source_col, targets in columns.items():
        where = f"{prefix}columns.{source_col}"
        for target in targets:
            if target not in allowed:
                raise ConfigError(src, where, f"'{target}' is not a column of {table.name} "
                                  f"(allowed: {', '.join(allowed)})")
            if target in seen:
                raise ConfigError(src, where, f"'{target}' is already mapped from "
                                  f"'{seen[target]}'")
            seen[target] = source_col
        if not targets:
            raise ConfigError(src, where, "must name at least one column")
    date_cols = [c.name for c in table.columns if c.kind == "date"]
    date_formats = _str_dict(spec, "date_formats", src, prefix)
    for col in date_formats:
        if col not in date_cols:
            raise ConfigError(src, f"{prefix}date_formats.{col}",
                              f"not a date column of {table.name} (date columns: "
                              f"{', '.join(date_cols) or 'none'})")
    constants = {k: str(v) for k, v in
                 _str_dict(spec, "constants", src, prefix, values=(str, int, float)).items()}
    for col in constants:
        if col not in allowed:
            raise ConfigError(src, f"{prefix}constants.{col}",
                              f"not a column of {table.name} (allowed: {', '.join(allowed)})")
    for key in ("stage_values", "status_values"):
        if key in spec and key.split("_")[0] not in allowed:
            raise ConfigError(src, f"{prefix}{key}", f"{table.name} has no such column")
    joins_raw = optional(spec, "joins", list, src, default=[], prefix=prefix)
    return TableMapping(
        file=optional(spec, "file", str, src, prefix=prefix),
        sheet=optional(spec, "sheet", str, src, prefix=prefix),
        encoding=optional(spec, "encoding", str, src, default="utf-8-sig", prefix=prefix),
        delimiter=optional(spec, "delimiter", str, src, default=",", prefix=prefix),
        columns=columns,
        stage_values={k: str(v) for k, v in _str_dict(spec, "stage_values", src, prefix).items()},
        status_values=_str_dict(spec, "status_values", src, prefix),
        date_formats=date_formats,
        number_format=_number_format(spec, src, prefix),
        constants=constants,
        joins=tuple(_join(j, allowed, src, f"{prefix}joins[{i}].")
                    for i, j in enumerate(joins_raw)),
    )


def _number_format(spec: dict, src: str, prefix: str) -> NumberFormat:
    raw = optional(spec, "number_format", dict, src, default={}, prefix=prefix)
    where = f"{prefix}number_format"
    reject_unknown(raw, {"thousands", "decimal"}, src, where + ".")
    thousands = optional(raw, "thousands", str, src, default="", prefix=where + ".")
    decimal = optional(raw, "decimal", str, src, default=".", prefix=where + ".")
    if thousands not in THOUSANDS:
        raise ConfigError(src, f"{where}.thousands", "must be one of " + ", ".join(
            f"{k!r} ({v})" for k, v in THOUSANDS.items()))
    if decimal not in DECIMALS:
        raise ConfigError(src, f"{where}.decimal", "must be '.' or ','")
    if thousands == decimal:
        raise ConfigError(src, where, f"thousands separator and decimal mark are both {decimal!r}")
    return NumberFormat(thousands, decimal)


def _join(spec: Any, allowed: list[str], src: str, prefix: str) -> Join:
    if not isinstance(spec, dict):
        raise ConfigError(src, prefix.rstrip("."), "must be a mapping")
    reject_unknown(spec, _JOIN_FIELDS, src, prefix)
    for name in ("file", "key", "columns"):
        if name not in spec:
            raise ConfigError(src, f"{prefix}{name}", "is required")
    raw_cols = spec["columns"]
    if isinstance(raw_cols, list):
        raw_cols = {str(c): str(c) for c in raw_cols}
    columns = _str_dict({"columns": raw_cols}, "columns", src, prefix)
    for source_col, target in columns.items():
        if target not in allowed:
            raise ConfigError(src, f"{prefix}columns.{source_col}",
                              f"'{target}' is not a column of this table "
                              f"(allowed: {', '.join(allowed)})")
    key = check_type(spec["key"], str, src, f"{prefix}key")
    return Join(
        file=check_type(spec["file"], str, src, f"{prefix}file"), key=key,
        file_key=optional(spec, "file_key", str, src, default=key, prefix=prefix),
        columns=columns, sheet=optional(spec, "sheet", str, src, prefix=prefix),
        encoding=optional(spec, "encoding", str, src, default="utf-8-sig", prefix=prefix),
        delimiter=optional(spec, "delimiter", str, src, default=",", prefix=prefix),
    )


def apply_mapping(
    raw: RawTable, table: Table, mapping: Mapping, source_dir: Path
) -> tuple[pd.DataFrame, list[str]]:
    """The raw frame with the table's mapping applied (still text), plus warnings.

    Raises ``IngestError`` naming the file and column when the mapping names a column the file
    does not have, or a canonical column ends up both mapped and present.
    """
    tm = mapping.table(table.name)
    where = f"{mapping.source}: tables.{table.name}"
    frame = raw.frame
    missing = [c for c in tm.columns if c not in frame.columns]
    if missing:
        raise IngestError(
            f"{raw.file}: column '{missing[0]}' named in {where}.columns is not in the file "
            f"(columns: {', '.join(frame.columns)})"
        )
    clash = [t for ts in tm.columns.values() for t in ts
             if t in frame.columns and t not in tm.columns]
    if clash:
        raise IngestError(f"{raw.file}: column '{clash[0]}' is both in the file and mapped to "
                          f"from another column in {where}.columns")
    frame = frame.rename(columns={s: ts[0] for s, ts in tm.columns.items()})
    for targets in tm.columns.values():
        for copy in targets[1:]:
            frame[copy] = frame[targets[0]]
    warnings: list[str] = []
    for join in tm.joins:
        frame, warning = _apply_join(frame, raw.file, join, source_dir, f"{where}.joins")
        if warning:
            warnings.append(warning)
    for col, value in tm.constants.items():
        if col in frame.columns:
            raise IngestError(f"{raw.file}: column '{col}' is in the data and also set as a "
                              f"constant in {where}.constants")
        frame[col] = pd.Series(value, index=frame.index, dtype="str")
    for key, col in (("stage_values", "stage"), ("status_values", "status")):
        values = getattr(tm, key)
        if values:
            if col not in frame.columns:
                raise IngestError(f"{raw.file}: {where}.{key} is given but the table has no "
                                  f"'{col}' column")
            frame[col] = frame[col].replace(values)
    for col in tm.date_formats:
        if col not in frame.columns:
            raise IngestError(f"{raw.file}: column '{col}' named in {where}.date_formats is "
                              f"not in the mapped table (columns: {', '.join(frame.columns)})")
    if CURRENCY_COLUMN in frame.columns:
        frame[CURRENCY_COLUMN] = frame[CURRENCY_COLUMN].str.upper()
    return frame, warnings


def _apply_join(
    frame: pd.DataFrame, file: str, join: Join, source_dir: Path, where: str
) -> tuple[pd.DataFrame, str | None]:
    """Look ``join.columns`` up in the join file by key; unmatched rows get empty values."""
    if join.key not in frame.columns:
        raise IngestError(f"{file}: join key '{join.key}' named in {where} is not in the table "
                          f"(columns: {', '.join(frame.columns)})")
    path = source_dir / join.file
    if not path.is_file():
        raise IngestError(f"{join.file}: join file named in {where} not found in the source folder")
    right = read_table(path, join.file, sheet=join.sheet, encoding=join.encoding,
                       delimiter=join.delimiter).frame
    for col in [join.file_key, *join.columns]:
        if col not in right.columns:
            raise IngestError(f"{join.file}: column '{col}' named in {where} is not in the file "
                              f"(columns: {', '.join(right.columns)})")
    keys = right[join.file_key]
    dup = keys[keys.duplicated() & keys.notna()]
    if len(dup):
        raise IngestError(f"{join.file}: join key column '{join.file_key}' has duplicate value "
                          f"'{dup.iloc[0]}'; each key must appear once")
    lookup = right.loc[keys.notna()].set_index(join.file_key)
    for source_col, target in join.columns.items():
        if target in frame.columns:
            raise IngestError(f"{join.file}: joined column '{target}' ({where}) is already in "
                              f"{file}")
        frame[target] = frame[join.key].map(lookup[source_col]).astype("str")
    unmatched = int((frame[join.key].notna() & ~frame[join.key].isin(lookup.index)).sum())
    if unmatched:
        return frame, (f"{file}: {unmatched} rows have no match in {join.file} on "
                       f"'{join.key}'; their joined columns are empty")
    return frame, None


def resolve_currency(frames: dict[str, tuple[str, pd.DataFrame]], mapping: Mapping) -> str:
    """The dataset currency: the mapping's, else the single one found, else USD.

    Raises ``IngestError`` naming the file and currencies when amounts come in currencies
    that the mapping gives no exchange rate for.
    """
    found = {name: (file, set(frame[CURRENCY_COLUMN].dropna().unique()))
             for name, (file, frame) in frames.items() if CURRENCY_COLUMN in frame.columns}
    if mapping.currency is None:
        every = set().union(*(codes for _, codes in found.values()))
        if len(every) <= 1:
            return next(iter(every), "USD")
        file, codes = next((f, c) for f, c in found.values() if c)
        raise IngestError(
            f"{file}: column '{CURRENCY_COLUMN}' holds several currencies "
            f"({', '.join(sorted(every))}) and {mapping.source} sets no `currency:` and "
            "`rates:` to convert them"
        )
    for file, codes in found.values():
        unrated = sorted(codes - set(mapping.rates) - {mapping.currency})
        if unrated:
            raise IngestError(
                f"{file}: column '{CURRENCY_COLUMN}' holds {', '.join(unrated)} but "
                f"{mapping.source} has no exchange rate for it under `rates:` "
                f"(dataset currency {mapping.currency}; currencies found: "
                f"{', '.join(sorted(codes))})"
            )
    return mapping.currency


def convert_currency(
    frame: pd.DataFrame, table: Table, currency: str, rates: dict[str, float]
) -> pd.DataFrame:
    """Convert amount columns into ``currency`` (``rates``: units of it per unit of a code).

    The original values stay in ``original_currency`` and ``original_<column>``.
    """
    if CURRENCY_COLUMN not in frame.columns:
        return frame
    rate = frame[CURRENCY_COLUMN].map({**rates, currency: 1.0}).astype("float64")
    out = frame.rename(columns={CURRENCY_COLUMN: "original_currency"})
    for col in (c.name for c in table.columns if c.kind == "amount"):
        out[f"original_{col}"] = out[col]
        out[col] = out[col] * rate
    return out
