"""The run manifest: what produced a dated report folder (parameters, data, versions, outcome)."""

from __future__ import annotations

import json
import platform
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from salesops.orchestration.atomic import atomic_write_text

MANIFEST_FILE = "manifest.json"
VERSIONED_PACKAGES = ("salesops", "pandas", "numpy", "statsmodels", "matplotlib", "papermill",
                      "nbconvert")


@dataclass
class NotebookResult:
    """Outcome of one report: status OK/FAILED, wall and compute time, shareable error text."""

    name: str
    status: str
    seconds: float
    compute_seconds: float | None = None
    error: str | None = None
    html: str | None = None  # file name inside the dated folder, None when not rendered
    notebook: str | None = None  # executed notebook, relative to the dated folder
    title: str | None = None  # the notebook's first '# ' heading, shown in the index
    log: str | None = None  # run log (warnings, stderr, tracebacks), relative to the dated folder
    warnings: int = 0  # stderr outputs (warnings, messages) captured into the log, not the HTML

    @property
    def ok(self) -> bool:
        return self.status == "OK"


def package_versions() -> dict[str, str | None]:
    """Installed versions of the packages a report depends on, plus Python's."""
    versions: dict[str, str | None] = {}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    versions["python"] = platform.python_version()
    return versions


def build_manifest(
    as_of: str, parameters: dict[str, Any], data: dict[str, Any], results: list[NotebookResult],
    started_at: str, seconds: float, workers: int,
) -> dict[str, Any]:
    """Manifest contents; ``parameters`` and ``data`` must already be free of local paths."""
    return {
        "as_of": as_of,
        "status": "OK" if all(r.ok for r in results) else "FAILED",
        "started_at": started_at,
        "seconds": round(seconds, 3),
        "workers": workers,
        "parameters": parameters,
        "data": data,
        "versions": package_versions(),
        "notebooks": [asdict(r) for r in results],
    }


def write_manifest(day_dir: Path, manifest: dict[str, Any]) -> Path:
    """Write ``manifest.json`` into the dated folder atomically."""
    return atomic_write_text(day_dir / MANIFEST_FILE, json.dumps(manifest, indent=2) + "\n")


def read_manifest(day_dir: Path) -> dict[str, Any] | None:
    """The manifest of a dated folder, or None if it is missing or unreadable."""
    try:
        return json.loads((day_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
