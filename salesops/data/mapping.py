"""The YAML column mapping that turns a CRM export into the canonical tables: load, check, apply.

A mapping renames columns, maps values (stages, statuses, product spellings, ...), fills empty
cells (defaults, lookups from a side table, dates derived from other columns), reshapes wide
stage columns into a stage history, adds constant columns, and sets currency and fiscal-year
settings. It is validated by the pydantic models below; every error names the mapping file and
field. Presets (``salesops/config/presets/*.yaml``) are mappings a user mapping is layered on.
See docs/ingesting-your-crm.md for the format.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BeforeValidator, Field, PrivateAttr, field_validator, model_validator

from salesops.data.config import (
    ConfigError,
    Integer,
    Number,
    Strict,
    Text,
    load_yaml,
    located,
    text_dict,
    validate,
)
from salesops.data.schema import TABLES, Table
from salesops.data.sources import IngestError, RawTable, read_table

CURRENCY_COLUMN = "currency"
#: Thousands separators and decimal marks a number_format may name ("" = no grouping).
THOUSANDS = {",": "comma", ".": "point", " ": "space", "\u00a0": "no-break space",
             "\u202f": "narrow no-break space", "'": "apostrophe", "": "none"}
DECIMALS = {".": "point", ",": "comma"}
#: Column kinds whose values a ``value_maps`` entry may rewrite.
TEXT_KINDS = ("id", "text", "category")
#: Values read as true / false in the boolean columns ``status_from`` names.
TRUE, FALSE = ("true", "1", "yes", "y", "t"), ("false", "0", "no", "n", "f")
PRESET_DIR = "presets"
TableName = Literal[tuple(TABLES)]  # type: ignore[valid-type]


def _as_tuple(value: Any) -> Any:
    """A single name read as a one-name list."""
    return (value,) if isinstance(value, str) else value


def _names_as_dict(value: Any) -> Any:
    """A list of names read as ``{name: name}`` (keep these columns under their own names)."""
    return {str(v): str(v) for v in value} if isinstance(value, list) else value


Names = Annotated[tuple[Text, ...], BeforeValidator(_as_tuple)]


class NumberFormat(Strict):
    """How a source file writes numbers: thousands separator and decimal mark (e.g. European
    exports write 1.234,56). The default, plain decimals, reads 1234.56 only."""

    thousands: str = ""
    decimal: str = "."

    @field_validator("thousands")
    @classmethod
    def _known_separator(cls, value: str) -> str:
        if value not in THOUSANDS:
            raise ValueError("must be one of " + ", ".join(f"{k!r} ({v})" for k, v in THOUSANDS.items()))
        return value

    @field_validator("decimal")
    @classmethod
    def _known_mark(cls, value: str) -> str:
        if value not in DECIMALS:
            raise ValueError("must be '.' or ','")
        return value

    @model_validator(mode="after")
    def _distinct(self) -> NumberFormat:
        if self.thousands == self.decimal:
            raise ValueError(f"thousands separator and decimal mark are both {self.decimal!r}")
        return self

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


class Join(Strict):
    """Bring ``columns`` (join-file name -> table name) in from ``file``, matching the table's
    ``key`` column against the file's ``file_key``. With ``fill``, the columns may already be in
    the table and only their empty cells are filled (a lookup, e.g. list prices for amounts)."""

    file: Text
    key: Text  # column of the table (after renaming)
    file_key: Text | None = None  # column of the join file holding the same values (default: key)
    columns: Annotated[text_dict(Text), BeforeValidator(_names_as_dict)]
    fill: bool = False
    sheet: Text | None = None
    encoding: Text = "utf-8-sig"
    delimiter: Text = ","

    @property
    def lookup_key(self) -> str:
        return self.file_key or self.key


class DerivedDate(Strict):
    """A date computed from another date column: ``from`` minus or plus a number of days held in
    a column, or the last day of the ``length`` (month/quarter/year) starting at ``from``."""

    start: Text = Field(alias="from")
    minus_days: Text | None = None
    plus_days: Text | None = None
    length: Literal["month", "quarter", "year"] | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> DerivedDate:
        given = [n for n in ("minus_days", "plus_days", "length") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of minus_days, plus_days, length"
                             + (f" (got {', '.join(given)})" if given else ""))
        return self


class StatusFrom(Strict):
    """Status from two boolean columns (Salesforce IsClosed / IsWon): won if ``won`` is true,
    lost if only ``closed`` is, open if neither."""

    closed: Text
    won: Text


class Unpivot(Strict):
    """Wide to long: one stage_history row per non-empty ``<prefix><stage>`` cell of another
    table's file (HubSpot's "Date entered <stage>" columns)."""

    table: Literal["opportunities"] = "opportunities"
    key: Names  # the deal id column of that file (the first one present)
    prefix: Text
    strip_suffix: bool = False  # drop a trailing " (Pipeline name)" from the stage

    def stage_name(self, header: str) -> str:
        name = header[len(self.prefix):].strip().strip("\"'\u201c\u201d").strip()
        return re.sub(r"\s*\([^()]*\)$", "", name) if self.strip_suffix else name


class Pivot(Strict):
    """Long to wide: a property-history file with one row per (deal, property, value, time),
    as HubSpot's ``propertiesWithHistory`` flattens, becomes one opportunity_history row per
    (deal, time) holding the new value of each property in ``properties`` (source property
    name -> canonical column). Each row keeps the line of its first source row; rows of
    other properties are left out (counted in a warning)."""

    key: Names  # the deal id column (the first one present)
    property: Names = ("property",)
    value: Names = ("value",)
    timestamp: Names = ("timestamp",)
    properties: text_dict(Text)

    @field_validator("properties")
    @classmethod
    def _some(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError("must name at least one property")
        return value


class TableMapping(Strict):
    """How one canonical table is read from its source file."""

    file: Text | None = None
    aliases: Names = ()  # other file names (no suffix) read when none is named after the table
    sheet: Text | None = None
    encoding: Text = "utf-8-sig"
    delimiter: Text = ","
    columns: text_dict(Names) = {}  # source -> canonical column(s)
    candidates: text_dict(Names) = {}  # canonical -> source names; the first present is used
    stage_values: text_dict(Text) = {}
    status_values: text_dict(Text) = {}
    value_maps: text_dict(text_dict(Text)) = {}  # canonical column -> {value: replacement}
    defaults: text_dict(Text) = {}  # canonical column -> value for its empty cells
    date_formats: text_dict(Text) = {}  # canonical column -> strftime
    derived_dates: text_dict(DerivedDate) = {}  # canonical column -> rule, for empty cells
    number_format: NumberFormat = NumberFormat()
    constants: text_dict(Text) = {}
    joins: tuple[Join, ...] = ()
    status_from: StatusFrom | None = None
    unpivot: Unpivot | None = None
    pivot: Pivot | None = None
    from_table: TableName | None = None  # one row per distinct combination of `columns` there

    @field_validator("*", mode="before")
    @classmethod
    def _null_is_default(cls, value: Any, info: Any) -> Any:
        return cls.model_fields[info.field_name].get_default() if value is None else value

    def check(self, table: Table) -> None:
        """Cross-field rules that need the table's columns; raises a located error."""
        allowed = allowed_columns(table)
        kinds = {c.name: c.kind for c in table.columns}
        listing = f"(allowed: {', '.join(allowed)})"
        seen: dict[str, str] = {}
        for source_col, targets in self.columns.items():
            if not targets:
                raise located(f"columns.{source_col}", "must name at least one column")
            for target in targets:
                if target not in allowed:
                    raise located(f"columns.{source_col}",
                                  f"'{target}' is not a column of {table.name} {listing}")
                if target in seen:
                    raise located(f"columns.{source_col}",
                                  f"'{target}' is already mapped from '{seen[target]}'")
                seen[target] = source_col
        for field in ("candidates", "value_maps", "defaults", "constants", "derived_dates",
                      "date_formats"):
            for col in getattr(self, field):
                if col not in allowed:
                    raise located(f"{field}.{col}", f"not a column of {table.name} {listing}")
        for col in self.candidates:
            if not self.candidates[col]:
                raise located(f"candidates.{col}", "must name at least one source column")
        dates = [c for c, k in kinds.items() if k == "date"]
        for field in ("date_formats", "derived_dates"):
            for col in getattr(self, field):
                if col not in dates:
                    raise located(f"{field}.{col}", f"not a date column of {table.name} "
                                  f"(date columns: {', '.join(dates) or 'none'})")
        for col in self.derived_dates:
            if col in self.date_formats:
                raise located(f"date_formats.{col}", f"{col} is derived (derived_dates) and "
                              "written as YYYY-MM-DD; remove its date format")
        for col in self.value_maps:
            if kinds.get(col, "category") not in TEXT_KINDS:
                raise located(f"value_maps.{col}", f"{col} is a {kinds[col]} column; value "
                              "maps apply to text columns")
        for col in self.defaults:
            if kinds.get(col) == "amount":
                raise located(f"defaults.{col}", "amounts take no default: an unknown amount "
                              "stays unknown (fill it from a price list with a join and "
                              "`fill: true`)")
        for key in ("stage_values", "status_values"):
            if getattr(self, key) and key.split("_")[0] not in allowed:
                raise located(key, f"{table.name} has no such column")
        if self.status_from is not None and "status" not in allowed:
            raise located("status_from", f"{table.name} has no status column")
        if self.unpivot is not None and table.name != "stage_history":
            raise located("unpivot", "only the stage_history table can be built by unpivot")
        if self.pivot is not None:
            if table.name != "opportunity_history":
                raise located("pivot", "only the opportunity_history table can be built by pivot")
            for source, target in self.pivot.properties.items():
                if target not in allowed or target in ("opportunity_id", "changed_at"):
                    raise located(f"pivot.properties.{source}", f"'{target}' is not a changed "
                                  f"field of {table.name} (amount, close_date, stage, "
                                  "forecast_category, probability)")
        if self.from_table is not None:
            if self.from_table == table.name or self.unpivot is not None:
                raise located("from_table", "must name another table, and not with unpivot")
            if not self.columns:
                raise located("columns", "from_table needs the columns to take, under columns")
        for i, join in enumerate(self.joins):
            for source_col, target in join.columns.items():
                if target not in allowed:
                    raise located(f"joins[{i}].columns.{source_col}",
                                  f"'{target}' is not a column of this table {listing}")

    def layered(self, user: TableMapping) -> dict:
        """This (preset) table mapping with ``user``'s fields on top, as raw fields: the user's
        scalars and lists replace, their dicts add to and override, and a column the user maps
        drops every preset rule producing it."""
        base, top = _fields(self), _fields(user)
        claimed = {t for ts in user.columns.values() for t in ts} | set(user.candidates)
        base["columns"] = {s: ts for s, ts in self.columns.items() if not set(ts) & claimed}
        base["candidates"] = {t: s for t, s in self.candidates.items() if t not in claimed}
        for key, value in top.items():
            if key == "value_maps":
                merged = dict(base.get(key, {}))
                for col, values in value.items():
                    merged[col] = {**merged.get(col, {}), **values}
                base[key] = merged
            elif isinstance(value, dict) and key != "number_format":
                base[key] = {**base.get(key, {}), **value}
            else:
                base[key] = value
        return base


def _fields(model: Strict) -> dict:
    """The fields a model was given (not its defaults), by their YAML names."""
    return model.model_dump(by_alias=True, exclude_unset=True)


class Mapping(Strict):
    """A whole mapping file; ``Mapping()`` is the identity mapping (files already canonical)."""

    tables: Annotated[dict[TableName, TableMapping], BeforeValidator(
        lambda v: {} if v is None else v)] = {}
    currency: Text | None = None
    rates: text_dict(Number) = {}
    fiscal_year_start_month: Integer = 1
    stage_catalogue: Path | None = None
    _source: str = PrivateAttr("<default mapping>")

    @property
    def source(self) -> str:
        """The mapping file name (and preset) errors and messages name."""
        return self._source

    @field_validator("currency")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    @field_validator("rates")
    @classmethod
    def _positive_rates(cls, rates: dict[str, float]) -> dict[str, float]:
        for code, rate in rates.items():
            if rate <= 0:
                raise located(code, "must be a positive number")
        return {code.upper(): float(rate) for code, rate in rates.items()}

    @field_validator("fiscal_year_start_month")
    @classmethod
    def _month(cls, value: int) -> int:
        if not 1 <= value <= 12:
            raise ValueError("must be 1-12")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Mapping:
        if self.rates and self.currency is None:
            raise located("currency", "is required when `rates` is given")
        for name, tm in self.tables.items():
            try:
                tm.check(TABLES[name])
            except ValueError as exc:
                raise _relocate(exc, f"tables.{name}") from None
        return self

    def table(self, name: str) -> TableMapping:
        return self.tables.get(name, TableMapping())


def _relocate(exc: ValueError, prefix: str) -> ValueError:
    """A located error from a nested check, re-rooted under ``prefix``."""
    text = str(exc)
    return ValueError(f"@{prefix}.{text[1:]}" if text.startswith("@") else f"@{prefix}@{text}")


def allowed_columns(table: Table) -> list[str]:
    """Names a source column may be mapped to: the table's columns, plus ``currency`` if it has
    an amount column to convert."""
    names = [c.name for c in table.columns]
    if any(c.kind == "amount" for c in table.columns):
        names.append(CURRENCY_COLUMN)
    return names


def presets() -> list[str]:
    """Names of the shipped presets (``--preset NAME``)."""
    folder = resources.files("salesops.config").joinpath(PRESET_DIR)
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir()
                  if p.name.endswith(".yaml") and not p.name.endswith("_stages.yaml"))


def load_mapping(path: str | Path | None = None, preset: str | None = None) -> Mapping:
    """Read and validate a mapping YAML file, layered on ``preset`` if one is named; raises
    ``ConfigError`` naming the file and field. Neither given: the identity mapping."""
    base = _load_preset(preset) if preset is not None else None
    if path is None:
        return base or Mapping()
    user = _load_file(Path(path))
    if base is None:
        return user
    return _layer(base, user)


def _load_file(path: Path) -> Mapping:
    mapping = validate(Mapping, load_yaml(path), path.name)
    if mapping.stage_catalogue is not None:
        mapping = mapping.model_copy(update={"stage_catalogue": path.parent / mapping.stage_catalogue})
    mapping._source = path.name
    return mapping


def _load_preset(name: str) -> Mapping:
    if name not in presets():
        raise ConfigError("--preset", "preset", f"unknown preset '{name}' (available: "
                          f"{', '.join(presets())})")
    ref = resources.files("salesops.config").joinpath(PRESET_DIR, f"{name}.yaml")
    with resources.as_file(ref) as file:
        mapping = _load_file(file)
    mapping._source = f"preset {name}"
    return mapping


def _layer(base: Mapping, user: Mapping) -> Mapping:
    """``user`` layered on the preset ``base``: the user's fields win (see ``TableMapping.layered``)."""
    raw = {**_fields(base), **{k: v for k, v in _fields(user).items() if k != "tables"}}
    raw["tables"] = {name: base.table(name).layered(user.table(name))
                     for name in {*base.tables, *user.tables}}
    merged = validate(Mapping, raw, user.source)
    merged._source = f"{user.source} (on {base.source})"
    return merged


# -- applying a mapping --------------------------------------------------------------------

def derive_tables(raws: dict[str, RawTable], mapping: Mapping) -> tuple[dict[str, RawTable], list[str]]:
    """``raws`` plus each table built from another table's file: by ``unpivot`` (wide columns to
    rows) or ``from_table`` (distinct rows of some columns), each row keeping the source line
    it comes from (the first, for distinct rows); and warnings."""
    out, warnings = dict(raws), []
    for name, tm in mapping.tables.items():
        if tm.pivot is not None and name in raws:
            out[name], note = _pivot(raws[name], tm.pivot, f"{mapping.source}: tables.{name}.pivot")
            warnings += note
            continue
        origin = tm.unpivot.table if tm.unpivot else tm.from_table
        if origin is None or origin not in raws:
            continue
        field = "unpivot" if tm.unpivot else "from_table"
        if name in raws:
            raise IngestError(f"{raws[name].file}: table '{name}' is both read from this file "
                              f"and built by {mapping.source}: tables.{name}.{field}; keep one")
        if tm.unpivot is None:
            out[name] = _distinct(raws[origin], name, tm, f"{mapping.source}: tables.{name}")
            continue
        spec, where, raw = tm.unpivot, f"{mapping.source}: tables.{name}.unpivot", raws[origin]
        key = next((k for k in spec.key if k in raw.frame.columns), None)
        if key is None:
            raise IngestError(f"{raw.file}: none of the key columns named in {where}.key "
                              f"({', '.join(spec.key)}) is in the file")
        wide = [c for c in raw.frame.columns if c.startswith(spec.prefix) and c != key]
        if not wide:
            warnings.append(f"{raw.file}: no columns start with '{spec.prefix}' ({where}); "
                            f"no {name} table")
            continue
        long = raw.frame[[key, *wide]].melt(id_vars=[key], var_name="stage",
                                            value_name="entered_date", ignore_index=False)
        long = long.loc[long["entered_date"].notna()].sort_index(kind="stable")
        long["stage"] = long["stage"].map({c: spec.stage_name(c) for c in wide})
        lines = raw.lines.loc[long.index].reset_index(drop=True)
        out[name] = RawTable(name=name, file=raw.file, frame=long.reset_index(drop=True),
                             lines=lines)
    return out, warnings


def _pivot(raw: RawTable, spec: Pivot, where: str) -> tuple[RawTable, list[str]]:
    """One row per (deal, timestamp) with a column per mapped property (see ``Pivot``). A
    property given twice for the same deal and time makes a second row at that key, which
    validation quarantines as a duplicate (naming the first row's line), never a silent pick."""
    names = {}
    for part in ("key", "property", "value", "timestamp"):
        options = getattr(spec, part)
        names[part] = next((c for c in options if c in raw.frame.columns), None)
        if names[part] is None:
            raise IngestError(f"{raw.file}: none of the columns named in {where}.{part} "
                              f"({', '.join(options)}) is in the file (columns: "
                              f"{', '.join(raw.frame.columns)})")
    f = raw.frame
    used = f[names["property"]].isin(list(spec.properties))
    warnings = []
    if not used.all():
        others = f.loc[~used, names["property"]].dropna().unique()
        warnings.append(f"{raw.file}: {int((~used).sum())} rows of other properties left out "
                        f"({', '.join(map(str, sorted(others)[:5]))}"
                        f"{', ...' if len(others) > 5 else ''})")
    long = pd.DataFrame({"opportunity_id": f[names["key"]], "changed_at": f[names["timestamp"]],
                         "field": f[names["property"]].map(spec.properties),
                         "value": f[names["value"]], "line": raw.lines})[used]
    key = ["opportunity_id", "changed_at"]
    copy = long.groupby([*key, "field"], dropna=False, sort=False).cumcount()
    row = long.assign(copy=copy).groupby([*key, "copy"], dropna=False, sort=False).ngroup()
    first = ~row.duplicated()  # each output row's first source row (in file order)
    wide = long.loc[first, key].reset_index(drop=True)
    for col in dict.fromkeys(spec.properties.values()):
        cells = pd.Series(np.nan, index=wide.index, dtype=object)
        mine = long["field"] == col
        cells.iloc[row[mine].to_numpy()] = long.loc[mine, "value"].to_numpy()
        wide[col] = cells
    lines = pd.Series(long.loc[first, "line"].to_numpy(), index=wide.index)
    return RawTable(name=raw.name, file=raw.file, frame=wide, lines=lines), warnings


def _distinct(raw: RawTable, name: str, tm: TableMapping, where: str) -> RawTable:
    """The distinct combinations of the columns ``tm`` renames, from another table's file (a
    roster or account list inside a deals export); rows with all of them empty are skipped."""
    missing = [c for c in tm.columns if c not in raw.frame.columns]
    if missing:
        raise IngestError(f"{raw.file}: column '{missing[0]}' named in {where}.columns is not in "
                          f"the file (columns: {', '.join(raw.frame.columns)})")
    part = raw.frame[list(tm.columns)]
    part = part.loc[part.notna().any(axis=1)].drop_duplicates(keep="first")
    return RawTable(name=name, file=raw.file, frame=part, lines=raw.lines.loc[part.index])


def apply_mapping(
    raw: RawTable, table: Table, mapping: Mapping, source_dir: Path
) -> tuple[pd.DataFrame, list[str]]:
    """The raw frame with the table's mapping applied (still text), plus warnings.

    Order: status from flags, rename (``columns``, then ``candidates``), value maps, joins,
    defaults, derived dates, constants. Raises ``IngestError`` naming the file, the mapping
    field and the column when the mapping names a column the data does not have, or a
    canonical column ends up both mapped and present.
    """
    tm = mapping.table(table.name)
    where = f"{mapping.source}: tables.{table.name}"
    frame = raw.frame.copy()
    if tm.status_from is not None:
        frame = _status_from_flags(frame, raw.file, tm.status_from, f"{where}.status_from")
    columns = _resolve_candidates(tm, frame)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise IngestError(
            f"{raw.file}: column '{missing[0]}' named in {where}.columns is not in the file "
            f"(columns: {', '.join(frame.columns)})"
        )
    clash = [t for ts in columns.values() for t in ts if t in frame.columns and t not in columns]
    if clash:
        raise IngestError(f"{raw.file}: column '{clash[0]}' is both in the file and mapped to "
                          f"from another column in {where}.columns")
    frame = frame.rename(columns={s: ts[0] for s, ts in columns.items()})
    for targets in columns.values():
        for copy in targets[1:]:
            frame[copy] = frame[targets[0]]
    for key, col in (("stage_values", "stage"), ("status_values", "status")):
        if getattr(tm, key) and col not in frame.columns:
            raise IngestError(f"{raw.file}: {where}.{key} is given but the table has no "
                              f"'{col}' column")
    maps = value_maps(tm)
    for col in frame.columns.intersection(list(maps)):
        frame[col] = frame[col].replace(maps[col])
    warnings: list[str] = []
    for join in tm.joins:
        frame, warning = _apply_join(frame, raw.file, join, source_dir, f"{where}.joins", maps)
        if warning:
            warnings.append(warning)
    for col, value in tm.defaults.items():
        frame[col] = frame[col].fillna(value) if col in frame.columns else value
    for col, rule in tm.derived_dates.items():
        frame[col] = _derive_date(frame, raw.file, col, rule, tm.date_formats,
                                  f"{where}.derived_dates.{col}")
    frame = frame.drop(columns=_consumed(frame, table, mapping))
    for col, value in tm.constants.items():
        if col in frame.columns:
            raise IngestError(f"{raw.file}: column '{col}' is in the data and also set as a "
                              f"constant in {where}.constants")
        frame[col] = pd.Series(value, index=frame.index, dtype="str")
    for col in tm.date_formats:
        if col not in frame.columns:
            raise IngestError(f"{raw.file}: column '{col}' named in {where}.date_formats is "
                              f"not in the mapped table (columns: {', '.join(frame.columns)})")
    if CURRENCY_COLUMN in frame.columns:
        frame[CURRENCY_COLUMN] = frame[CURRENCY_COLUMN].str.upper()
    return frame, warnings


def _consumed(frame: pd.DataFrame, table: Table, mapping: Mapping) -> list[str]:
    """Source columns the mapping has used up (status flags, day counts of derived dates, the
    columns another table was unpivoted or taken from): dropped, so they are not reported as
    ignored."""
    tm = mapping.table(table.name)
    used = {tm.status_from.closed, tm.status_from.won} if tm.status_from else set()
    used |= {r.minus_days or r.plus_days for r in tm.derived_dates.values()}
    for other in mapping.tables.values():
        spec = other.unpivot
        if spec is not None and spec.table == table.name:
            used |= {c for c in frame.columns if c.startswith(spec.prefix)}
        if other.from_table == table.name:
            used |= set(other.columns)
    return [c for c in frame.columns if c in used and c not in allowed_columns(table)]


def value_maps(tm: TableMapping) -> dict[str, dict[str, str]]:
    """Every value map of a table mapping by column: ``value_maps`` plus the stage and status
    maps."""
    maps = {col: dict(values) for col, values in tm.value_maps.items()}
    for key, col in (("stage_values", "stage"), ("status_values", "status")):
        maps[col] = {**maps.get(col, {}), **getattr(tm, key)}
    return {col: values for col, values in maps.items() if values}


def _resolve_candidates(tm: TableMapping, frame: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """``columns`` plus, for each ``candidates`` target not produced otherwise, the first of its
    source columns present in the file (a preset names every spelling a vendor uses)."""
    columns = {s: tuple(ts) for s, ts in tm.columns.items()}
    produced = {t for ts in columns.values() for t in ts} | set(frame.columns)
    for target, sources in tm.candidates.items():
        if target in produced:
            continue
        source = next((s for s in sources if s in frame.columns and s not in tm.columns), None)
        if source is not None:
            columns[source] = (*columns.get(source, ()), target)
            produced.add(target)
    return columns


def _flags(values: pd.Series) -> pd.Series:
    """Boolean text as True/False; anything else (and empty cells) as missing."""
    text = values.str.lower()
    return text.map({**dict.fromkeys(TRUE, True), **dict.fromkeys(FALSE, False)})


def _status_from_flags(frame: pd.DataFrame, file: str, spec: StatusFrom, where: str) -> pd.DataFrame:
    """A ``status`` column from the closed/won flags; a cell that is not a boolean, or a deal
    won but not closed, gets a status text that validation quarantines, naming the flags."""
    present = [c for c in (spec.closed, spec.won) if c in frame.columns]
    if not present:
        return frame  # no flags in this export: status comes from the stage catalogue
    if len(present) == 1:
        lacking = spec.won if present == [spec.closed] else spec.closed
        raise IngestError(f"{file}: column '{lacking}' named in {where} is not in the file "
                          f"(columns: {', '.join(frame.columns)})")
    if "status" in frame.columns:
        raise IngestError(f"{file}: column 'status' is in the file and also derived by {where}")
    closed, won = _flags(frame[spec.closed]), _flags(frame[spec.won])
    status = pd.Series(np.select([won.eq(True) & closed.eq(True), won.eq(False) & closed.eq(True),
                                  won.eq(False) & closed.eq(False)], ["won", "lost", "open"],
                                 default=""), index=frame.index, dtype=object)
    bad = status == ""
    status[bad] = (f"{spec.closed}=" + frame[spec.closed].fillna("(empty)") + f", {spec.won}="
                   + frame[spec.won].fillna("(empty)"))[bad]
    return frame.assign(status=status)


def _derive_date(
    frame: pd.DataFrame, file: str, col: str, rule: DerivedDate, formats: dict[str, str],
    where: str,
) -> pd.Series:
    """``col`` with its empty cells computed by ``rule`` (ISO text). Inputs that do not parse
    give a text that validation quarantines as a bad date, quoting them."""
    current = frame[col] if col in frame.columns else pd.Series(np.nan, index=frame.index,
                                                                dtype=object)
    todo = current.isna()
    if not todo.any():
        return current
    days_col = rule.minus_days or rule.plus_days
    for name in (rule.start, days_col):
        if name is not None and name not in frame.columns:
            raise IngestError(f"{file}: column '{name}' named in {where} is not in the table "
                              f"(columns: {', '.join(frame.columns)})")
    start_raw = frame[rule.start]
    start = pd.to_datetime(start_raw, format=formats.get(rule.start, "ISO8601"), errors="coerce",
                           utc=True).dt.tz_localize(None).dt.normalize()
    if rule.length is not None:
        months = {"month": 1, "quarter": 3, "year": 12}[rule.length]
        derived = start + pd.DateOffset(months=months) - pd.Timedelta(days=1)
        inputs = start_raw.astype(object)
        note = f" + 1 {rule.length}"
    else:
        days_raw = frame[days_col]
        days = pd.to_numeric(days_raw, errors="coerce")
        days = days.where(days == days.round())
        sign = -1 if rule.minus_days else 1
        derived = start + pd.to_timedelta(sign * days, unit="D")
        inputs = start_raw.where(days_raw.notna())
        note = (" minus " if rule.minus_days else " plus ") + days_raw.fillna("").astype(str) + " days"
    text = derived.dt.strftime("%Y-%m-%d").astype(object).where(derived.notna())
    unparseable = text.isna() & inputs.notna()
    text = text.where(~unparseable, start_raw.astype(str) + note)
    return current.where(~todo, text)


def _apply_join(
    frame: pd.DataFrame, file: str, join: Join, source_dir: Path, where: str,
    maps: dict[str, dict[str, str]],
) -> tuple[pd.DataFrame, str | None]:
    """Look ``join.columns`` up in the join file by key (value maps applied to what comes in);
    unmatched rows get empty values, or keep theirs with ``fill``."""
    if join.key not in frame.columns:
        raise IngestError(f"{file}: join key '{join.key}' named in {where} is not in the table "
                          f"(columns: {', '.join(frame.columns)})")
    path = source_dir / join.file
    if not path.is_file():
        raise IngestError(f"{join.file}: join file named in {where} not found in the source folder")
    right = read_table(path, join.file, sheet=join.sheet, encoding=join.encoding,
                       delimiter=join.delimiter).frame
    for col in [join.lookup_key, *join.columns]:
        if col not in right.columns:
            raise IngestError(f"{join.file}: column '{col}' named in {where} is not in the file "
                              f"(columns: {', '.join(right.columns)})")
    keys = right[join.lookup_key]
    dup = keys[keys.duplicated() & keys.notna()]
    if len(dup):
        raise IngestError(f"{join.file}: join key column '{join.lookup_key}' has duplicate value "
                          f"'{dup.iloc[0]}'; each key must appear once")
    lookup = right.loc[keys.notna()].set_index(join.lookup_key)
    for source_col, target in join.columns.items():
        found = frame[join.key].map(lookup[source_col])
        if target in maps:
            found = found.replace(maps[target])
        if target not in frame.columns:
            frame[target] = found.astype("str")
        elif join.fill:
            frame[target] = frame[target].fillna(found)
        else:
            raise IngestError(f"{join.file}: joined column '{target}' ({where}) is already in "
                              f"{file}; add `fill: true` to fill only its empty cells")
    unmatched = frame[join.key].notna() & ~frame[join.key].isin(lookup.index)
    if join.fill:
        unmatched &= frame[list(join.columns.values())].isna().any(axis=1)
    if unmatched.any():
        what = "their empty cells stay empty" if join.fill else "their joined columns are empty"
        return frame, (f"{file}: {int(unmatched.sum())} rows have no match in {join.file} on "
                       f"'{join.key}'; {what}")
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
