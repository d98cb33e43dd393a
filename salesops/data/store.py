"""The processed dataset on disk: typed Parquet tables plus the settings that travel with them.

``ingest`` writes a processed folder; notebooks and analyses read it back with ``load_dataset``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from salesops.data.periods import FiscalCalendar
from salesops.data.schema import PRIMARY_TABLES, TABLES, conform, empty_frame
from salesops.data.stages import StageCatalogue, load_catalogue, parse_catalogue

SETTINGS_FILE = "settings.json"
STAGES_FILE = "stages.yaml"
CONTENTS_FILE = "contents.json"
#: Tables a Dataset built in code may omit; they count as present only when given with rows.
OPTIONAL_IN_CODE: tuple[str, ...] = ("transactions", "opportunity_history", "territories")


@dataclass(frozen=True)
class Settings:
    """Dataset-wide settings: the single currency amounts are in and the fiscal-year start."""

    currency: str = "USD"
    fiscal_year_start_month: int = 1

    @property
    def calendar(self) -> FiscalCalendar:
        return FiscalCalendar(self.fiscal_year_start_month)


@dataclass(frozen=True)
class Contents:
    """What a dataset really holds: the tables that came from the source (or were derived from
    another table, e.g. the roster from the deals' owners) and the optional columns it lacks.

    Absent tables are stored as empty frames and absent columns as all-null ones, so code never
    crashes on them; analyses consult this (via ``salesops.data.requirements``) before using
    them, so an absent table is never read as zero.
    """

    present: frozenset[str] = frozenset(TABLES)
    missing_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    derived: dict[str, str] = field(default_factory=dict)  # table -> where it was derived from

    def to_dict(self) -> dict:
        return {"present": sorted(self.present), "missing_columns": self.missing_columns,
                "derived": self.derived}

    @classmethod
    def from_dict(cls, raw: dict) -> Contents:
        return cls(present=frozenset(raw.get("present", TABLES)),
                   missing_columns={k: tuple(v) for k, v in raw.get("missing_columns", {}).items()},
                   derived=dict(raw.get("derived", {})))


@dataclass
class Dataset:
    """All canonical tables of one dataset, typed, plus its settings and stage catalogue."""

    reps: pd.DataFrame
    accounts: pd.DataFrame
    quotas: pd.DataFrame
    opportunities: pd.DataFrame
    stage_history: pd.DataFrame
    transactions: pd.DataFrame | None = None
    opportunity_history: pd.DataFrame | None = None
    territories: pd.DataFrame | None = None
    settings: Settings = field(default_factory=Settings)
    catalogue: StageCatalogue = field(default_factory=load_catalogue)
    fingerprint: str = ""
    contents: Contents | None = None

    def __post_init__(self) -> None:
        for name in OPTIONAL_IN_CODE:
            if getattr(self, name) is None:
                setattr(self, name, empty_frame(TABLES[name]))
        if self.contents is None:  # built in code: every table given (these: with rows)
            self.contents = Contents(present=frozenset(
                n for n in TABLES if n not in OPTIONAL_IN_CODE or len(getattr(self, n))))

    @property
    def calendar(self) -> FiscalCalendar:
        return self.settings.calendar

    @property
    def present(self) -> frozenset[str]:
        return self.contents.present

    @property
    def missing_columns(self) -> dict[str, tuple[str, ...]]:
        return self.contents.missing_columns

    @property
    def derived(self) -> dict[str, str]:
        return self.contents.derived

    def has(self, table: str, *columns: str) -> bool:
        """Whether ``table`` is in the data with every one of ``columns``."""
        lacking = self.contents.missing_columns.get(table, ())
        return table in self.contents.present and not any(c in lacking for c in columns)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in TABLES}


def sort_history(history: pd.DataFrame) -> pd.DataFrame:
    """``history`` sorted by (opportunity_id, changed_at), stable (same-time rows keep their
    order); returned as is when already sorted, as every ingested history is."""
    if len(history) < 2:
        return history
    ids = pa.array(history["opportunity_id"])  # compared in Arrow: 10M ids in about a second
    later, earlier = ids.slice(1), ids.slice(0, len(ids) - 1)
    times = history["changed_at"].to_numpy("datetime64[ns]").view("int64")
    same = pc.equal(later, earlier).to_numpy(zero_copy_only=False)
    if not pc.any(pc.less(later, earlier)).as_py() and (~same | (times[1:] >= times[:-1])).all():
        return history
    return history.sort_values(["opportunity_id", "changed_at"], kind="stable", ignore_index=True)


def write_dataset(
    tables: dict[str, pd.DataFrame], out_dir: str | Path, settings: Settings,
    catalogue: StageCatalogue, extra_files: dict[str, str] | None = None,
    contents: Contents | None = None,
) -> Path:
    """Write tables as Parquet with settings, atomically: build in a temp dir, then swap in.

    ``extra_files`` (name -> text) are written alongside, e.g. quarantine.csv and
    data_quality.json, so that a crash never leaves a half-written processed folder.
    """
    def write(tmp: Path) -> None:
        for name, table in TABLES.items():
            frame = conform(empty_frame(table) if (f := tables.get(name)) is None else f, table)
            if name == "opportunity_history":
                frame = sort_history(frame)
            frame.to_parquet(tmp / f"{name}.parquet", index=False)
        (tmp / SETTINGS_FILE).write_text(json.dumps(asdict(settings), indent=2))
        (tmp / CONTENTS_FILE).write_text(json.dumps((contents or Contents()).to_dict(), indent=2))
        (tmp / STAGES_FILE).write_text(yaml.safe_dump(catalogue.to_dict(), sort_keys=False))

    return replace_folder(out_dir, write, extra_files)


def replace_folder(
    out_dir: str | Path, write: Callable[[Path], None] | None = None,
    files: dict[str, str] | None = None,
) -> Path:
    """Replace ``out_dir`` as a whole: ``write(tmp)`` and ``files`` (name -> text) fill a temp
    dir beside it, which is then swapped in, so a crash never leaves a half-written folder."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        if write is not None:
            write(tmp)
        for fname, text in (files or {}).items():
            (tmp / fname).write_text(text, encoding="utf-8")
        old = None
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}-old-{os.getpid()}")
            out_dir.rename(old)
        tmp.rename(out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def dataset_fingerprint(path: str | Path) -> str:
    """Short SHA-256 over the processed tables and settings: identifies the data a report used."""
    path = Path(path)
    digest = hashlib.sha256()
    for name in [*sorted(f"{t}.parquet" for t in TABLES), SETTINGS_FILE, STAGES_FILE,
                 CONTENTS_FILE]:
        file = path / name
        if file.exists():
            digest.update(name.encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


#: Datasets kept in memory by ``keep_loaded``: folder -> (its files' stat signature, dataset).
_KEPT: dict[Path, tuple[tuple, Dataset]] = {}


def _signature(path: Path) -> tuple:
    """Name, size and modification time of every file of a dataset folder: a changed file
    changes it (cheap, unlike the content fingerprint)."""
    return tuple(sorted((f.name, st.st_size, st.st_mtime_ns)
                        for f in path.iterdir() if f.is_file() and (st := f.stat())))


def keep_loaded(path: str | Path) -> Dataset:
    """Load a dataset and keep it for later ``load_dataset`` calls in this process and in
    processes forked from it, for as long as its files are unchanged: the fork server behind
    ``salesops run`` reads the data once for every report of a run."""
    path = Path(path).resolve()
    signature = _signature(path)
    dataset = _read_dataset(path)
    _KEPT[path] = (signature, dataset)
    return dataset


def load_dataset(path: str | Path) -> Dataset:
    """Read a processed dataset folder written by ``ingest`` (or ``write_dataset``); a folder
    kept by ``keep_loaded`` and unchanged since comes from memory."""
    kept = _KEPT.get(Path(path).resolve()) if _KEPT else None
    if kept is not None and kept[0] == _signature(Path(path).resolve()):
        return kept[1]
    return _read_dataset(Path(path))


def _read_dataset(path: Path) -> Dataset:
    """The dataset in folder ``path``, read from disk."""
    primary = [t for t in PRIMARY_TABLES if (path / f"{t}.parquet").exists()]
    if not primary:
        raise FileNotFoundError(
            f"processed dataset folder '{path.name}' lacks opportunities.parquet; "
            "run `salesops ingest` first"
        )
    tables = {name: pd.read_parquet(file) if (file := path / f"{name}.parquet").exists()
              else empty_frame(table) for name, table in TABLES.items()}
    contents = Contents(present=frozenset(
        n for n in TABLES if (path / f"{n}.parquet").exists()))
    if (path / CONTENTS_FILE).exists():
        contents = Contents.from_dict(json.loads((path / CONTENTS_FILE).read_text()))
    settings = Settings()
    if (path / SETTINGS_FILE).exists():
        settings = Settings(**json.loads((path / SETTINGS_FILE).read_text()))
    catalogue = load_catalogue()
    if (path / STAGES_FILE).exists():
        catalogue = parse_catalogue(yaml.safe_load((path / STAGES_FILE).read_text()), STAGES_FILE)
    tables["opportunity_history"] = sort_history(tables["opportunity_history"])
    return Dataset(**tables, settings=settings, catalogue=catalogue,
                   fingerprint=dataset_fingerprint(path), contents=contents)
