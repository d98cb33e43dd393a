"""The forecast history file: every forecast report run appends what it forecast, so later
runs can show actual vs what was forecast then. Plain CSV next to the reports."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

HISTORY_COLUMNS = ["as_of", "series", "period", "period_start", "method", "forecast",
                   "lower80", "upper80", "lower95", "upper95"]
KEY = ["as_of", "series", "period"]
HISTORY_FILE = "forecast_history.csv"
#: The reports folder's private part (executed notebooks, logs, this history): never shared.
AUDIT_DIR = ".audit"


def history_path(history_file: str | Path | None, reports_dir: str | Path | None) -> Path | None:
    """Where a run saves its forecasts: None -> ``<reports_dir>/.audit/forecast_history.csv``
    (None when not run by ``salesops run``: no ``reports_dir``), "" -> do not save (None
    returned); a relative path is taken inside ``reports_dir``."""
    if history_file is not None and not str(history_file).strip():
        return None
    if history_file is None:
        return Path(reports_dir) / AUDIT_DIR / HISTORY_FILE if reports_dir else None
    path = Path(history_file).expanduser()
    return path if path.is_absolute() or not reports_dir else Path(reports_dir) / path


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[HISTORY_COLUMNS].copy()
    for col in ("as_of", "period_start"):
        out[col] = pd.to_datetime(out[col]).astype("datetime64[ns]")
    for col in ("series", "period", "method"):
        out[col] = out[col].astype("string")
    for col in ("forecast", "lower80", "upper80", "lower95", "upper95"):
        out[col] = out[col].astype("float64")
    return out


def load_forecast_history(path: str | Path) -> pd.DataFrame:
    """The saved forecasts (empty frame if the file does not exist yet)."""
    path = Path(path)
    if not path.exists():
        return _typed(pd.DataFrame(columns=HISTORY_COLUMNS))
    frame = pd.read_csv(path)
    missing = [c for c in HISTORY_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"forecast history '{path.name}' lacks columns: {', '.join(missing)}")
    return _typed(frame)


def save_forecasts(path: str | Path, forecasts: pd.DataFrame) -> pd.DataFrame:
    """Append ``forecasts`` (HISTORY_COLUMNS) to the history file and return the whole history.

    Idempotent: a row with the same as_of, series and period as a saved one replaces it. The
    file is written atomically (temp file, then rename).
    """
    path = Path(path)
    new = _typed(forecasts)
    old = load_forecast_history(path)
    keep = old.merge(new[KEY], on=KEY, how="left", indicator=True)["_merge"] == "left_only"
    merged = pd.concat([old.loc[keep.to_numpy()], new], ignore_index=True)
    merged = merged.sort_values(["as_of", "series", "period_start"]).reset_index(drop=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    with os.fdopen(fd, "w", newline="") as fh:
        merged.to_csv(fh, index=False, date_format="%Y-%m-%d")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return merged
