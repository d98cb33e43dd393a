"""The built-in sample dataset: generated on demand from (seed, end date), ingested, and cached.

Reports and notebooks run on it when no data folder is given. Generation is guarded by a file
lock so that notebooks started in parallel build it once.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pandas as pd

from salesops.data.periods import parse_date
from salesops.data.sample import GENERATOR_VERSION

CACHE_ENV = "SALESOPS_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$SALESOPS_CACHE_DIR``, else ``data/sample`` in a source checkout, else ~/.cache/salesops."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").exists() and (root / "data").is_dir():
        return root / "data" / "sample"
    return Path.home() / ".cache" / "salesops"


def sample_key(seed: int, end: pd.Timestamp) -> str:
    """Cache folder name of the sample for (seed, end) made by this generator version (a sample
    cached by an older generator is not reused)."""
    return f"seed{seed}_{end:%Y-%m-%d}_v{GENERATOR_VERSION}"


def ensure_sample_dataset(
    seed: int | None = None, end: str | pd.Timestamp | None = None,
    cache_dir: str | Path | None = None,
) -> Path:
    """Path of the processed sample dataset for (seed, end), generating and ingesting it once."""
    from salesops.data.ingest import ingest
    from salesops.data.sample import DEFAULT_SEED, write_sample

    seed = DEFAULT_SEED if seed is None else int(seed)
    end_ts = parse_date(end, name="end")
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    folder = root / sample_key(seed, end_ts)
    processed = folder / "processed"
    if (processed / "opportunities.parquet").exists():
        return processed
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (processed / "opportunities.parquet").exists():
            raw = folder / "raw"
            write_sample(raw, seed=seed, end=end_ts)
            ingest(raw, processed)
    return processed


def is_sample_dataset(data_dir: str | Path | None, cache_dir: str | Path | None = None) -> bool:
    """Whether ``data_dir`` is the built-in sample (None, or a processed folder of the cache that
    ``ensure_sample_dataset`` writes, as the report runner passes it)."""
    if data_dir is None:
        return True
    path = Path(data_dir).resolve()
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return (path.name == "processed" and path.parent.name.startswith("seed")
            and path.parent.parent == root.resolve())
