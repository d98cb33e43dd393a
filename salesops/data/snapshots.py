"""The snapshot store: the open pipeline as known each night, for CRMs that keep no history.

``salesops snapshot`` (and the scheduled ``salesops run``) appends one Parquet partition per
date, ``<store>/snapshot_date=YYYY-MM-DD/part-0.parquet``; ``history_from_snapshots`` turns the
nights into the canonical ``opportunity_history`` table, so history accumulates from the first
night on. See docs/running-reports.md ("Snapshots").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from salesops.data.asof import snapshot
from salesops.data.files import locked
from salesops.data.schema import OPPORTUNITIES, TABLES, conform, empty_frame
from salesops.data.store import Dataset, load_dataset, replace_folder

#: What each night keeps of an open deal.
COLUMNS: tuple[str, ...] = ("opportunity_id", "rep_id", "account_id", "amount", "close_date",
                            "stage", "forecast_category", "probability")
#: The fields whose changes become history rows (the rest only identify the deal).
FIELDS: tuple[str, ...] = ("amount", "close_date", "stage", "forecast_category", "probability")
PART_FILE = "part-0.parquet"
LOCK_FILE = ".lock"
_PARTITION = re.compile(r"snapshot_date=(\d{4}-\d{2}-\d{2})")


class SnapshotError(ValueError):
    """The store cannot be used: not a snapshot store, or a damaged partition (named)."""


class NoDeals(SnapshotError):
    """The dataset has no opportunities (a bookings-only export): nothing to snapshot."""


@dataclass(frozen=True)
class Written:
    """What one snapshot holds: for the command's and the run's one-line report."""

    file: Path
    on: pd.Timestamp
    deals: int
    amount: float  # total open amount, deals without an amount left out
    unknown_amount: int  # open deals without an amount
    currency: str


def default_store(data_dir: Path) -> Path:
    """Where a dataset's snapshots go unless told otherwise: ``snapshots`` beside the processed
    folder (``data/processed`` -> ``data/snapshots``), outside it, as ingest replaces it whole."""
    return Path(data_dir).parent / "snapshots"


def partition(store: Path, on: pd.Timestamp) -> Path:
    """The folder holding the snapshot of date ``on``."""
    return Path(store) / f"snapshot_date={pd.Timestamp(on):%Y-%m-%d}"


def open_pipeline(dataset: Dataset, on: pd.Timestamp) -> pd.DataFrame:
    """The open deals known at the end of ``on`` with the snapshot's columns (as-of rules of
    ``asof.snapshot``: a past date sees the deals and values known then).

    Values come from the deal history only when it records changes after ``on``; otherwise the
    opportunities table is the latest state (a history built from earlier snapshots lags it,
    and would copy the previous night into this one)."""
    on = pd.Timestamp(on).normalize()
    history = dataset.opportunity_history
    later = history["changed_at"] >= on + pd.Timedelta(days=1)
    known = snapshot(dataset.opportunities, dataset.stage_history, dataset.catalogue, on,
                     history=history.loc[~later] if later.any() else None)
    frame = known.loc[known["status"] == "open", list(COLUMNS)]
    return frame.astype({c: OPPORTUNITIES.column(c).dtype for c in COLUMNS}).reset_index(drop=True)


def append_snapshot(dataset: Dataset, store: Path, on: pd.Timestamp) -> Path:
    """Write the open pipeline known on ``on`` as that date's partition, atomically (temp
    folder, then rename); re-running a date replaces its partition. Returns the Parquet file."""
    store = Path(store)
    snapshot_dates(store)  # refuses a folder that is not a snapshot store
    frame = open_pipeline(dataset, on)
    store.mkdir(parents=True, exist_ok=True)
    with locked(store / LOCK_FILE):
        folder = replace_folder(partition(store, on),
                                lambda tmp: frame.to_parquet(tmp / PART_FILE, index=False))
    return folder / PART_FILE


def take_snapshot(data_dir: Path, store: Path, on: pd.Timestamp) -> Written:
    """Append the snapshot of the processed dataset in ``data_dir`` for ``on``; what it holds."""
    dataset = load_dataset(data_dir)
    if "opportunities" not in dataset.present:
        raise NoDeals(f"dataset '{data_dir}' has no opportunities (deals) table: nothing to "
                      "snapshot")
    file = append_snapshot(dataset, store, on)
    amount = read_snapshot(store, on)["amount"]
    return Written(file=file, on=pd.Timestamp(on).normalize(), deals=len(amount),
                   amount=float(amount.sum()), unknown_amount=int(amount.isna().sum()),
                   currency=dataset.settings.currency)


def snapshot_dates(store: Path) -> list[pd.Timestamp]:
    """The dates the store holds a snapshot of, in order; none for a new, empty or not yet
    created store (the first night's ingest runs before the first snapshot)."""
    store = Path(store)
    return sorted(_partitions(store)) if store.exists() else []


#: The Arrow types a night is read as (a night whose column is all empty may be stored as null).
SCHEMA = pa.schema([("opportunity_id", pa.string()), ("rep_id", pa.string()),
                    ("account_id", pa.string()), ("amount", pa.float64()),
                    ("close_date", pa.timestamp("ns")), ("stage", pa.string()),
                    ("forecast_category", pa.string()), ("probability", pa.float64())])


def _read_night(store: Path, on: pd.Timestamp, columns: tuple[str, ...] = COLUMNS) -> pa.Table:
    """One night's ``columns`` as Arrow (types of ``SCHEMA``); SnapshotError naming the file
    if it is damaged."""
    file = partition(store, on) / PART_FILE
    try:
        names = pq.read_schema(file).names
        table = pq.read_table(file, columns=[c for c in columns if c in names])
    except (OSError, pa.ArrowException) as exc:
        raise SnapshotError(f"snapshot {file}: cannot be read as Parquet ({exc}); delete that "
                            "partition folder or re-run `salesops snapshot --as-of "
                            f"{pd.Timestamp(on):%Y-%m-%d}` while the data still shows that day"
                            ) from None
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise SnapshotError(f"snapshot {file}: lacks column(s) {', '.join(missing)}")
    try:
        return table.select(list(columns)).cast(pa.schema([SCHEMA.field(c) for c in columns]))
    except (pa.ArrowException, ValueError) as exc:
        raise SnapshotError(f"snapshot {file}: a column has the wrong type ({exc})") from None


def read_snapshot(store: Path, on: pd.Timestamp) -> pd.DataFrame:
    """One night's open pipeline, typed; SnapshotError naming the file if it is damaged."""
    frame = _read_night(store, on).to_pandas()
    return frame.astype({c: OPPORTUNITIES.column(c).dtype for c in COLUMNS})


def _keys(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Comparable numbers for a column's values (equal values, equal keys) and where it is
    non-empty: dictionary codes for text, int64 for dates, the floats themselves."""
    array = column.combine_chunks()
    valid = array.is_valid().to_numpy(zero_copy_only=False)
    if pa.types.is_string(array.type):
        codes = pc.fill_null(array.dictionary_encode().indices, -1)
        return codes.to_numpy(zero_copy_only=False), valid
    if pa.types.is_timestamp(array.type):
        return pc.fill_null(array.cast(pa.int64()), 0).to_numpy(zero_copy_only=False), valid
    values = array.to_numpy(zero_copy_only=False)
    return values, valid & ~np.isnan(values)


def history_from_snapshots(store: Path) -> pd.DataFrame:
    """The canonical ``opportunity_history`` the nights imply (empty without nights): a deal's
    row at its first snapshot (every known field), then a row at each later snapshot where a
    field changed (only the changed fields filled); ``changed_at`` is the snapshot date.

    A field compares against the deal's last non-empty value: a field that becomes empty is
    no change (the table cannot say "cleared"), and a deal missing from a night (closed, or
    not yet created) has no row; its close is the opportunities table's. Vectorised: the
    nights' rows sorted once by (deal, night), each field compared as integer keys.
    """
    store = Path(store)
    dates = snapshot_dates(store)
    table = TABLES["opportunity_history"]
    nights = [_read_night(store, d, ("opportunity_id", *FIELDS)) for d in dates]
    if not sum(t.num_rows for t in nights):
        return empty_frame(table)
    data = pa.concat_tables(nights)
    day = np.repeat(np.array(dates, dtype="datetime64[ns]"), [t.num_rows for t in nights])
    ids, _ = _keys(data["opportunity_id"])
    order = np.argsort(ids, kind="stable")  # per deal, its nights in date order (as read)
    ids = ids[order]
    rows = np.arange(len(order))
    new_deal = np.r_[True, ids[1:] != ids[:-1]]
    first_row = np.maximum.accumulate(np.where(new_deal, rows, 0))  # the deal's first night
    changes = {}
    for name in FIELDS:
        keys, known = (a[order] for a in _keys(data[name]))
        last = np.maximum.accumulate(np.where(known, rows, -1))  # last non-empty up to row
        before = np.r_[-1, last[:-1]]
        had = before >= first_row  # the deal had a non-empty value on an earlier night
        changes[name] = known & (~had | (keys != keys[np.maximum(before, 0)]))
    keep = new_deal | np.logical_or.reduce(list(changes.values()))
    picked = order[keep]
    history = data.take(picked).to_pandas()
    history.insert(1, "changed_at", day[picked])
    for name, changed in changes.items():
        history[name] = history[name].where(changed[keep])
    return conform(history, table)


def _partitions(store: Path) -> list[pd.Timestamp]:
    """The dates of the store's partitions; SnapshotError naming the folder (and an entry)
    when it is not a snapshot store. Hidden entries (temp folders, the lock) are skipped."""
    if not store.is_dir():
        raise SnapshotError(f"snapshot store '{store}' is a file, not a folder")
    dates = []
    for entry in sorted(store.iterdir()):
        if entry.name.startswith("."):
            continue
        match = _PARTITION.fullmatch(entry.name)
        when = pd.to_datetime(match.group(1), errors="coerce") if match else pd.NaT
        if not entry.is_dir() or pd.isna(when):
            raise SnapshotError(
                f"folder '{store}' is not a snapshot store: it holds '{entry.name}', and a "
                "snapshot store holds only snapshot_date=YYYY-MM-DD folders (give an empty or "
                "new folder, e.g. data/snapshots)")
        dates.append(when)
    return dates
