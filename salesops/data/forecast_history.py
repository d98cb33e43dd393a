"""The forecast history file: every scheduled forecast report run adds what it forecast, so later
runs can show actual vs what was forecast then.

Plain CSV in the reports folder's audit part (``<reports>/.audit/forecast_history.csv``). A row
is one forecast of one series and period, made as of a date for one scope, period frequency
and dimension from one dataset (fingerprint): a scoped run never replaces the company's rows,
and a comparison reads only rows made like the report it appears in (``comparable``). Writers
hold a lock file beside the history and replace it atomically, so parallel runs lose no rows.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from salesops.data.files import atomic_write_text, locked
from salesops.data.scope import Scope, parse_scope

#: What a forecast report produces per row (``ForecastReport.history_rows``).
FORECAST_COLUMNS = ["as_of", "series", "period", "period_start", "method", "forecast",
                    "lower80", "upper80", "lower95", "upper95"]
#: How the rows were made: scope ("company", "region=EMEA"), period frequency, dimension,
#: dataset fingerprint; and when the row was saved.
CONTEXT_COLUMNS = ["scope", "frequency", "dimension", "data_fingerprint"]
HISTORY_COLUMNS = [*FORECAST_COLUMNS[:1], *CONTEXT_COLUMNS, *FORECAST_COLUMNS[1:], "saved_at"]
#: A saved row with the same key is replaced by a new one.
KEY = ["as_of", *CONTEXT_COLUMNS, "series", "period"]
HISTORY_FILE = "forecast_history.csv"
#: The reports folder's private part (executed notebooks, logs, this history): never shared.
AUDIT_DIR = ".audit"
#: Files written before the context columns existed hold company forecasts made with the
#: notebook's default dimension; their frequency shows in the period label.
OLD_FORMAT = {"scope": "company", "dimension": "region", "data_fingerprint": "", "saved_at": ""}
_FREQUENCY_OF_LABEL = (("month", re.compile(r"\d{4}-\d{2}")),
                       ("quarter", re.compile(r"FY\d{4} Q\d")), ("year", re.compile(r"FY\d{4}")))


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


def label_frequency(label: str) -> str:
    """'month', 'quarter' or 'year' from a period label ('2026-10', 'FY2026 Q4', 'FY2026')."""
    for frequency, pattern in _FREQUENCY_OF_LABEL:
        if pattern.fullmatch(str(label)):
            return frequency
    raise ValueError(f"forecast history: period {label!r} is not a month, quarter or year label")


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[HISTORY_COLUMNS].copy()
    for col in ("as_of", "period_start"):
        out[col] = pd.to_datetime(out[col]).astype("datetime64[ns]")
    for col in ("scope", "frequency", "dimension", "data_fingerprint", "series", "period",
                "method", "saved_at"):
        out[col] = out[col].fillna("").astype("string")
    for col in ("forecast", "lower80", "upper80", "lower95", "upper95"):
        out[col] = out[col].astype("float64")
    return out


def load_forecast_history(path: str | Path) -> pd.DataFrame:
    """The saved forecasts (empty frame if the file does not exist yet); a file of the old
    format (no context columns) is read as company rows."""
    path = Path(path)
    if not path.exists():
        return _typed(pd.DataFrame(columns=HISTORY_COLUMNS))
    frame = pd.read_csv(path, dtype={c: "string" for c in [*CONTEXT_COLUMNS, "saved_at"]},
                        keep_default_na=False, na_values={c: [""] for c in FORECAST_COLUMNS})
    missing = [c for c in FORECAST_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"forecast history '{path.name}' lacks columns: {', '.join(missing)}")
    if "frequency" not in frame.columns:
        frame["frequency"] = frame["period"].map(label_frequency)
    for col, value in OLD_FORMAT.items():
        if col not in frame.columns:
            frame[col] = value
    return _typed(frame)


def save_forecasts(path: str | Path, forecasts: pd.DataFrame, *, scope: str | Scope | None,
                   frequency: str, dimension: str, data_fingerprint: str) -> pd.DataFrame:
    """Add ``forecasts`` (FORECAST_COLUMNS) made for ``scope``, ``frequency`` and ``dimension``
    from the data ``data_fingerprint`` to the history file; return the whole history.

    Idempotent: a row with the same key (KEY) as a saved one replaces it. Held under a lock
    file beside the history (parallel writers queue up), written atomically.
    """
    path = Path(path)
    new = forecasts.assign(scope=str(parse_scope(scope)), frequency=frequency,
                           dimension=dimension, data_fingerprint=data_fingerprint,
                           saved_at=dt.datetime.now().isoformat(timespec="microseconds"))
    new = _typed(new)
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path.with_name(f".{path.name}.lock")):
        old = load_forecast_history(path)
        keep = old.merge(new[KEY].drop_duplicates(), on=KEY, how="left",
                         indicator=True)["_merge"] == "left_only"
        merged = pd.concat([old.loc[keep.to_numpy()], new], ignore_index=True)
        merged = merged.sort_values(["as_of", "scope", "series", "period_start", "saved_at"],
                                    kind="stable").reset_index(drop=True)
        atomic_write_text(path, merged.to_csv(index=False, date_format="%Y-%m-%d"))
    return merged


def comparable(history: pd.DataFrame, scope: str | Scope | None, frequency: str,
               dimension: str) -> pd.DataFrame:
    """The rows a report for ``scope``, ``frequency`` and ``dimension`` compares with: only
    those made the same way, the latest saved per as_of, series and period (a re-run on
    changed data supersedes the earlier one)."""
    same = history.loc[(history["scope"] == str(parse_scope(scope)))
                       & (history["frequency"] == frequency)
                       & (history["dimension"] == dimension)]
    latest = same.sort_values("saved_at", kind="stable").drop_duplicates(
        ["as_of", "series", "period"], keep="last")
    return latest.sort_values(["as_of", "series", "period_start"]).reset_index(drop=True)
