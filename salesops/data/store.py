"""The processed dataset on disk: typed Parquet tables plus the settings that travel with them.

``ingest`` writes a processed folder; notebooks and analyses read it back with ``load_dataset``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from salesops.data.periods import FiscalCalendar
from salesops.data.schema import TABLES, conform
from salesops.data.stages import StageCatalogue, load_catalogue, parse_catalogue

SETTINGS_FILE = "settings.json"
STAGES_FILE = "stages.yaml"


@dataclass(frozen=True)
class Settings:
    """Dataset-wide settings: the single currency amounts are in and the fiscal-year start."""

    currency: str = "USD"
    fiscal_year_start_month: int = 1

    @property
    def calendar(self) -> FiscalCalendar:
        return FiscalCalendar(self.fiscal_year_start_month)


@dataclass
class Dataset:
    """All canonical tables of one dataset, typed, plus its settings and stage catalogue."""

    reps: pd.DataFrame
    accounts: pd.DataFrame
    quotas: pd.DataFrame
    opportunities: pd.DataFrame
    stage_history: pd.DataFrame
    settings: Settings = field(default_factory=Settings)
    catalogue: StageCatalogue = field(default_factory=load_catalogue)
    fingerprint: str = ""

    @property
    def calendar(self) -> FiscalCalendar:
        return self.settings.calendar

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in TABLES}


def write_dataset(
    tables: dict[str, pd.DataFrame], out_dir: str | Path, settings: Settings,
    catalogue: StageCatalogue, extra_files: dict[str, str] | None = None,
) -> Path:
    """Write tables as Parquet with settings, atomically: build in a temp dir, then swap in.

    ``extra_files`` (name -> text) are written alongside, e.g. quarantine.csv and
    data_quality.json, so that a crash never leaves a half-written processed folder.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        for name, table in TABLES.items():
            conform(tables[name], table).to_parquet(tmp / f"{name}.parquet", index=False)
        (tmp / SETTINGS_FILE).write_text(json.dumps(asdict(settings), indent=2))
        (tmp / STAGES_FILE).write_text(yaml.safe_dump(catalogue.to_dict(), sort_keys=False))
        for fname, text in (extra_files or {}).items():
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
    for name in [*sorted(f"{t}.parquet" for t in TABLES), SETTINGS_FILE, STAGES_FILE]:
        file = path / name
        if file.exists():
            digest.update(name.encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def load_dataset(path: str | Path) -> Dataset:
    """Read a processed dataset folder written by ``ingest`` (or ``write_dataset``)."""
    path = Path(path)
    missing = [f"{t}.parquet" for t in TABLES if not (path / f"{t}.parquet").exists()]
    if missing:
        raise FileNotFoundError(
            f"processed dataset folder '{path.name}' lacks {', '.join(missing)}; "
            "run `salesops ingest` first"
        )
    tables = {name: pd.read_parquet(path / f"{name}.parquet") for name in TABLES}
    settings = Settings()
    if (path / SETTINGS_FILE).exists():
        settings = Settings(**json.loads((path / SETTINGS_FILE).read_text()))
    catalogue = load_catalogue()
    if (path / STAGES_FILE).exists():
        catalogue = parse_catalogue(yaml.safe_load((path / STAGES_FILE).read_text()), STAGES_FILE)
    return Dataset(**tables, settings=settings, catalogue=catalogue,
                   fingerprint=dataset_fingerprint(path))
