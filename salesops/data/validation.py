"""Row-level validation of mapped tables: parse to canonical types, quarantine what fails.

Every check is vectorised over the whole table; each problem is recorded with its row, column,
check code and a readable reason, so nothing is silently dropped. A row with any problem is
quarantined; rows referring to quarantined rows of another table are quarantined in turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from salesops.data.mapping import CURRENCY_COLUMN, NumberFormat, allowed_columns
from salesops.data.schema import STATUSES, Column, Table
from salesops.data.sources import IngestError
from salesops.data.stages import StageCatalogue

PROBLEM_COLUMNS = ["row", "column", "check", "reason"]

#: (later column, earlier column, check code): the later date may not precede the earlier one.
DATE_ORDER: dict[str, tuple[tuple[str, str, str], ...]] = {
    "reps": (("termination_date", "hire_date", "termination_before_hire"),),
    "quotas": (("period_end", "period_start", "period_end_before_start"),),
    "opportunities": (("close_date", "created_date", "close_before_created"),),
}

#: Dates outside this range cannot be stored (nanosecond timestamps) and are surely typos.
DATE_RANGE = (pd.Timestamp("1900-01-01"), pd.Timestamp("2200-12-31"))

#: Amounts above this are surely typos or corrupt cells (overridable: ``max_amount``).
MAX_AMOUNT = 1e12

#: (who, start, end): periods of the same ``who`` may not overlap (the later one is quarantined).
PERIODS: dict[str, tuple[str, str, str]] = {"quotas": ("rep_id", "period_start", "period_end")}

#: Tables of changes: a row must give a new value in at least one of these columns.
CHANGES: dict[str, tuple[str, ...]] = {
    "opportunity_history": ("amount", "close_date", "stage", "forecast_category", "probability"),
}

#: A time-zone suffix after a time of day; dropped so that a date keeps its local calendar day.
_OFFSET = re.compile(r"^(.*\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?:[zZ]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$")

#: Formats tried on rejected dates to suggest a ``date_formats`` entry.
COMMON_DATE_FORMATS: tuple[str, ...] = (
    "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y", "%m-%d-%Y", "%m/%d/%y",
    "%d/%m/%y", "%d %b %Y", "%b %d, %Y", "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M",
    "%m/%d/%Y %I:%M %p", "%Y%m%d",
)

#: Check codes and what they mean (documented in docs/ingesting-your-crm.md).
CHECKS: dict[str, str] = {
    "missing_value": "a required value is empty",
    "bad_date": "a date does not parse with the column's format",
    "bad_number": "an amount or number is not numeric",
    "negative_amount": "an amount or quota is below zero",
    "invalid_value": "a status or forecast category is not one of the allowed values",
    "probability_out_of_range": "a probability is outside 0-1 (or 0-100 for percentages)",
    "unknown_stage": "a stage is neither in the stage catalogue nor mapped to it",
    "status_mismatch": "the status disagrees with the catalogue status of the stage",
    "duplicate_key": "the row repeats the key of an earlier row (the first one is kept)",
    "close_before_created": "close_date is before created_date",
    "termination_before_hire": "termination_date is before hire_date",
    "period_end_before_start": "a quota period ends before it starts",
    "overlapping_period": "a quota period overlaps an earlier-starting one of the same rep",
    "stage_before_created": "a stage was entered before the deal was created",
    "stage_after_close": "a stage other than the deal's final one was entered after the (won or "
                         "lost) deal closed",
    "empty_change": "a history row gives no new value (amount, close date, stage, category and "
                    "probability all empty)",
    "amount_above_limit": "an amount or quota is above the limit (default 1e12)",
    "unknown_reference": "the rep, account or opportunity referred to does not exist",
    "reference_quarantined": "the rep, account or opportunity referred to was quarantined",
}


@dataclass
class Keys:
    """Key values of a referenced table: all that were read, and those that were kept (with
    their rows, indexed by key, when a later table checks values against them)."""

    read: pd.Index
    kept: pd.Index
    rows: pd.DataFrame | None = None


@dataclass
class TableValidation:
    """Outcome for one table: typed kept rows (original index) and one line per problem."""

    kept: pd.DataFrame
    problems: pd.DataFrame  # PROBLEM_COLUMNS; ``row`` is the index label in the input frame
    warnings: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> pd.Index:
        return pd.Index(self.problems["row"].unique())


class _Problems:
    """Collects problems for the rows selected by boolean masks."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, mask: pd.Series, column: str, check: str, *reason: str | pd.Series) -> None:
        """Record rows where ``mask`` holds; ``reason`` parts (text or per-row values) are
        concatenated for those rows only, so messages cost nothing for clean data."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        text = pd.Series("", index=mask.index[mask.to_numpy()], dtype="str")
        for part in reason:
            text = text + (_as_text(part[mask]) if isinstance(part, pd.Series) else part)
        self.parts.append(pd.DataFrame(
            {"row": text.index, "column": column, "check": check, "reason": text.to_numpy()}
        ))

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else "str")
                                 for c in PROBLEM_COLUMNS})
        return pd.concat(self.parts, ignore_index=True)


def check_columns(table: Table, frame: pd.DataFrame, file: str) -> None:
    """Raise ``IngestError`` if a column the table needs is absent (status can be derived)."""
    for col in table.columns:
        if col.name not in frame.columns and not (col.nullable or col.optional) \
                and col.name != "status":
            raise IngestError(
                f"{file}: required column '{col.name}' of table '{table.name}' is missing "
                f"(columns: {', '.join(frame.columns)}); rename a column to it in the mapping"
            )


def validate_table(
    table: Table, frame: pd.DataFrame, lines: pd.Series, file: str, catalogue: StageCatalogue,
    date_formats: dict[str, str] | None = None, parents: dict[str, Keys] | None = None,
    number_format: NumberFormat | None = None, max_amount: float = MAX_AMOUNT,
) -> TableValidation:
    """Parse ``frame`` (text, mapped to canonical names) and quarantine rows that fail a check.

    ``lines`` numbers rows as in the source file (used in duplicate messages); ``parents``
    gives key values of referenced tables validated earlier; amounts above ``max_amount``
    are quarantined.
    """
    check_columns(table, frame, file)
    number_format = number_format or NumberFormat()
    problems = _Problems()
    warnings: list[str] = []
    parsed: dict[str, pd.Series] = {}
    empty = pd.Series(np.nan, index=frame.index, dtype="str")
    for col in table.columns:
        raw = frame[col.name] if col.name in frame.columns else empty
        if _required_value(col) and col.name in frame.columns:
            problems.add(raw.isna(), col.name, "missing_value", f"missing value in {col.name}")
        parsed[col.name] = _parse(col, raw, (date_formats or {}).get(col.name), number_format,
                                  problems, warnings, file, table.name, max_amount)
    if "stage" in parsed:
        _check_stage(frame, parsed, catalogue, problems)
    for col in (c for c in table.columns if c.nullable_when_open and c.name in frame.columns):
        closed = parsed["status"].isin(("won", "lost"))
        problems.add(frame[col.name].isna() & closed, col.name, "missing_value",
                     f"missing value in {col.name} (required on won and lost deals)")
    extras = [c for c in frame.columns if c not in allowed_columns(table)]
    if extras:
        warnings.append(f"{file}: ignored columns not in the {table.name} model: "
                        f"{', '.join(extras)}")
    if CURRENCY_COLUMN in frame.columns:
        parsed[CURRENCY_COLUMN] = frame[CURRENCY_COLUMN]
        problems.add(frame[CURRENCY_COLUMN].isna(), CURRENCY_COLUMN, "missing_value",
                     f"missing value in {CURRENCY_COLUMN}")
    for later, earlier, check in DATE_ORDER.get(table.name, ()):
        bad = parsed[later] < parsed[earlier]
        problems.add(bad, later, check, f"{later} ", parsed[later], f" before {earlier} ",
                     parsed[earlier])
    _check_duplicates(table, parsed, lines, problems)
    if table.name in PERIODS:
        _check_overlaps(parsed, lines, PERIODS[table.name], problems)
    if table.name in CHANGES:
        fields = [c for c in CHANGES[table.name] if c in frame.columns]
        problems.add(frame[fields].isna().all(axis=1) if fields else frame.index.notna(),
                     "/".join(CHANGES[table.name]), "empty_change",
                     "no new value in any of ", ", ".join(CHANGES[table.name]))
    when = next((c for c in ("entered_date", "changed_at") if c in parsed), None)
    if when is not None and (parents or {}).get("opportunities") is not None:
        _check_stage_dates(parsed, when, parents["opportunities"].rows, problems)
    for fk in table.foreign_keys:
        keys = (parents or {}).get(fk.table)
        if keys is None:
            continue
        values = parsed[fk.column]
        label = fk.column.removesuffix("_id")
        known = _isin(values, keys.read)
        problems.add(values.notna() & ~known, fk.column, "unknown_reference",
                     f"{label} ", values, f" not in {fk.table}")
        problems.add(known & ~_isin(values, keys.kept), fk.column, "reference_quarantined",
                     f"{label} ", values, " quarantined")
    found = problems.frame()
    out = pd.DataFrame(parsed, index=frame.index)
    return TableValidation(kept=out.loc[~out.index.isin(found["row"])], problems=found,
                           warnings=warnings)


def _required_value(col: Column) -> bool:
    """Whether an empty cell quarantines the row: optional columns and open-deal values may be
    empty (unknown), which is recorded as missing, never read as zero."""
    return not (col.nullable or col.optional or col.nullable_when_open)


def _parse(
    col: Column, raw: pd.Series, fmt: str | None, number_format: NumberFormat,
    problems: _Problems, warnings: list[str], file: str, table: str,
    max_amount: float = MAX_AMOUNT,
) -> pd.Series:
    """Typed values of one column; unparseable values are recorded and become missing."""
    if col.kind == "date":
        values = local_dates(raw, fmt, keep_time=col.time_of_day)
        expected = fmt or "YYYY-MM-DD"
        unparsed = raw.notna() & values.isna()
        problems.add(unparsed, col.name, "bad_date",
                     "unparseable date '", raw, f"' in {col.name} (expected {expected})")
        if unparsed.sum() > raw.notna().sum() / 2:
            warnings.append(date_hint(raw[unparsed], col.name, expected, file, table,
                                      int(raw.notna().sum())))
        outside = (values < DATE_RANGE[0]) | (values > DATE_RANGE[1])
        problems.add(outside, col.name, "bad_date", "date '", raw,
                     f"' in {col.name} is outside {DATE_RANGE[0].year}-{DATE_RANGE[1].year}")
        return values.where(~outside).astype("datetime64[ns]")
    if col.kind in ("amount", "number", "probability"):
        values = pd.to_numeric(number_format.normalise(raw), errors="coerce").astype("float64")
        values = values.where(np.isfinite(values))
        expected = "" if number_format.plain else f" (number_format: like {number_format.example})"
        problems.add(raw.notna() & values.isna(), col.name, "bad_number",
                     f"non-numeric {col.name} '", raw, "'" + expected)
        if col.kind == "amount":
            problems.add(values < 0, col.name, "negative_amount", f"negative {col.name} ", raw)
            problems.add(values > max_amount, col.name, "amount_above_limit",
                         f"{col.name} ", raw, f" above the limit of {max_amount:,.0f}")
        if col.kind == "probability":
            return _probability(values, raw, col.name, problems, warnings, file)
        return values
    if col.values is not None:
        values = _normalise(raw)
        problems.add(raw.notna() & ~values.isin(col.values), col.name, "invalid_value",
                     f"{col.name} '", raw, f"' is not one of {', '.join(col.values)}")
        return values
    return raw


def local_dates(raw: pd.Series, fmt: str | None = None, keep_time: bool = False) -> pd.Series:
    """Parse text as dates (``fmt``, default ISO 8601) at their own calendar day: a time-zone
    offset is dropped, not applied, so '2024-03-31T23:30:00-05:00' is 31 March. Unparseable
    text becomes NaT; ``keep_time`` keeps the local time of day (else midnight)."""
    text = raw if fmt else _strip_offsets(raw)
    try:
        values = pd.to_datetime(text, format=fmt or "ISO8601", errors="coerce")
    except ValueError:  # several offsets left (a %z format): parse each distinct value alone
        values = None
    if values is None or values.dt.tz is not None:
        distinct = text.dropna().unique()
        one = {v: _local_timestamp(v, fmt) for v in distinct}
        values = pd.to_datetime(text.map(one))
    return values if keep_time else values.dt.normalize()


def _strip_offsets(raw: pd.Series) -> pd.Series:
    """``raw`` with any time-zone suffix after a time of day removed, in Arrow's RE2 (linear
    time, vectorised: Python's re backtracks on every value of a million-row column)."""
    if not len(raw):
        return raw
    text = pa.array(raw.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    out = pc.replace_substring_regex(text, pattern=_OFFSET.pattern, replacement=r"\1")
    return pd.Series(out.to_numpy(zero_copy_only=False), index=raw.index, dtype=object)


def _local_timestamp(text: str, fmt: str | None) -> pd.Timestamp:
    """One value parsed, with its own wall-clock time (any offset dropped); NaT if it fails."""
    value = pd.to_datetime(text, format=fmt or "ISO8601", errors="coerce")
    return value.tz_localize(None) if value is not pd.NaT and value.tzinfo else value


def date_hint(
    rejected: pd.Series, column: str, expected: str, file: str, table: str, total: int
) -> str:
    """A warning for a date column whose format rejects most values: the column, the expected
    format, the shape of a rejected value (digits as N, letters as A: never its content) and
    any common format that reads every rejected value."""
    shape = re.sub(r"[^\W_]", lambda m: "N" if m.group().isdigit() else "A",
                   str(rejected.iloc[0]))
    sample = rejected.drop_duplicates().head(1000)
    fits = [f for f in COMMON_DATE_FORMATS
            if pd.to_datetime(sample, format=f, errors="coerce").notna().all()]
    suggestion = (f"; {' or '.join(repr(f) for f in fits[:2])} reads them all" if fits else "")
    return (f"{file}: table {table}: {len(rejected)} of {total} dates in {column} do not match {expected} "
            f"(rejected values look like '{shape}', N = digit, A = letter){suggestion}: set "
            f"tables.{table}.date_formats.{column} in the mapping")


def _probability(
    values: pd.Series, raw: pd.Series, name: str, problems: _Problems, warnings: list[str],
    file: str,
) -> pd.Series:
    """Fractions 0-1, or percentages 0-100 when most non-zero values are above 1."""
    positive = values[values > 0]
    percent = len(positive) > 0 and bool((positive > 1).mean() >= 0.5)
    if percent:
        values = values / 100
        warnings.append(f"{file}: {name} read as percentages (0-100) and divided by 100")
    scale = "0-100" if percent else "0-1"
    problems.add((values < 0) | (values > 1), name, "probability_out_of_range",
                 f"{name} ", raw, f" outside {scale}")
    return values


def _check_stage(
    frame: pd.DataFrame, parsed: dict[str, pd.Series], catalogue: StageCatalogue,
    problems: _Problems,
) -> None:
    """Stages must be in the catalogue; status is derived from it or must agree with it."""
    stage = parsed["stage"]
    problems.add(stage.notna() & ~stage.isin(catalogue.names), "stage", "unknown_stage",
                 "unknown stage '", stage, "' (not in the stage catalogue and not mapped)")
    if "status" not in parsed:
        return
    expected = catalogue.status_of(stage)
    if "status" not in frame.columns:
        parsed["status"] = expected.astype("str")
        return
    status = parsed["status"]
    problems.add(expected.notna() & status.isin(STATUSES) & (status != expected),
                 "status", "status_mismatch",
                 "status ", status, " inconsistent with stage ", stage, " (", expected, ")")


def _check_duplicates(
    table: Table, parsed: dict[str, pd.Series], lines: pd.Series, problems: _Problems
) -> None:
    """Later rows repeating a complete key are quarantined, naming the first one's line."""
    keys = pd.DataFrame({k: parsed[k] for k in table.key})
    complete = keys.notna().all(axis=1)
    dup = keys.duplicated(keep="first") & complete
    if not dup.any():
        return
    first = lines.groupby([keys[k] for k in table.key], dropna=True, sort=False).transform("first")
    values = [part for k in table.key for part in ("/", keys[k])][1:]
    problems.add(dup, "/".join(table.key), "duplicate_key", f"duplicate {'/'.join(table.key)} ",
                 *values, " (first at line ", first, ")")


def _check_overlaps(
    parsed: dict[str, pd.Series], lines: pd.Series, spec: tuple[str, str, str],
    problems: _Problems,
) -> None:
    """A period starting on or before the end of an earlier-starting period of the same owner
    is quarantined, naming the line of the period it overlaps."""
    who, start, end = spec
    f = pd.DataFrame({"who": parsed[who], "start": parsed[start], "end": parsed[end],
                      "line": lines})
    usable = (f.notna().all(axis=1) & (f["end"] >= f["start"])
              & ~f[["who", "start"]].duplicated(keep="first"))
    f = f[usable].sort_values(["who", "start", "line"], kind="stable")
    reach = f.groupby("who")["end"].cummax()
    prev_end = reach.groupby(f["who"]).shift()
    prev_line = f["line"].where(f["end"].eq(reach)).groupby(f["who"]).ffill()
    prev_line = prev_line.groupby(f["who"]).shift()
    bad = (f["start"] <= prev_end).reindex(parsed[who].index, fill_value=False)
    label = who.removesuffix("_id")
    problems.add(bad, start, "overlapping_period", "period ", parsed[start], " to ",
                 parsed[end], f" of {label} ", parsed[who], " overlaps the one ending ",
                 prev_end.reindex(bad.index), " (line ", prev_line.reindex(bad.index), ")")


def _check_stage_dates(
    parsed: dict[str, pd.Series], when: str, deals: pd.DataFrame | None, problems: _Problems
) -> None:
    """A stage may not be entered (``when``: entered_date, or a history row's changed_at)
    before its deal was created (stage_history only), nor after the day a won or lost deal
    closed unless it is the deal's final stage: Salesforce records a row with the closed
    stage for every edit after the close (an amount correction) and for a close backdated
    to the signature day (open deals' close dates are only expected ones)."""
    if deals is None:
        return
    deal = parsed["opportunity_id"]
    entered = parsed[when].dt.normalize()
    pos = deals.index.get_indexer(deal.to_numpy())
    found = pos >= 0
    if not found.any():
        return
    at = np.where(found, pos, 0)

    def lookup(column: str) -> pd.Series:  # the deal's value, keeping its dtype
        return pd.Series(deals[column].to_numpy()[at], index=deal.index).where(found)

    stage = parsed["stage"]
    if when == "entered_date":
        created = lookup("created_date")
        problems.add(entered < created, when, "stage_before_created", "stage ", stage,
                     " entered ", entered, " before opportunity ", deal, " was created (",
                     created, ")")
    close = lookup("close_date").where(lookup("status").isin(("won", "lost")))
    final = lookup("stage")
    problems.add((entered > close) & stage.notna() & (stage != final), when,
                 "stage_after_close", "stage ", stage, " entered ", entered,
                 " after opportunity ", deal, " closed (", close, ")")


def _as_text(values: pd.Series) -> pd.Series:
    """Values as message text: dates as ISO days, whole numbers without a decimal point."""
    if values.dtype.kind == "M":
        timed = (values.dropna() != values.dropna().dt.normalize()).any()
        return values.dt.strftime("%Y-%m-%d %H:%M:%S" if timed else "%Y-%m-%d")
    if values.dtype.kind == "f" and (values % 1 == 0).all():
        return values.astype("int64").astype("str")
    return values.astype("str")


def _isin(values: pd.Series, keys: pd.Index) -> pd.Series:
    """``values.isin(keys)`` through a hash lookup (fast for millions of unique string keys)."""
    return pd.Series(keys.get_indexer(values) >= 0, index=values.index)


def _normalise(raw: pd.Series) -> pd.Series:
    """Lower-case with runs of spaces/hyphens as '_' ('Best Case' -> 'best_case'), computed once
    per distinct value."""
    codes, uniques = pd.factorize(raw)
    fixed = np.array([re.sub(r"[\s-]+", "_", u.lower()) for u in uniques] + [np.nan], dtype=object)
    return pd.Series(fixed[codes], index=raw.index, dtype="str")
