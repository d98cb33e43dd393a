"""The manifest of a report folder: what produced each report in it (parameters, data, versions,
outcome, the SHA-256 of its HTML) and the headline numbers it published for the cover page.

A run merges into the folder's manifest: its own reports' entries replace theirs, every other
report keeps its entry, so a run of one notebook leaves the others listed as they were.
"""

from __future__ import annotations

import json
import math
import platform
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

MANIFEST_FILE = "manifest.json"
VERSIONED_PACKAGES = ("salesops", "pandas", "numpy", "statsmodels", "matplotlib", "papermill",
                      "nbconvert")


@dataclass
class NotebookResult:
    """Outcome of one report: status OK/FAILED, wall and compute time, shareable error text,
    and what produced it (its own parameters, data fingerprint, as-of date, finish time)."""

    name: str
    status: str
    seconds: float
    compute_seconds: float | None = None
    error: str | None = None
    html: str | None = None  # file name inside the report folder, None when not rendered
    sha256: str | None = None  # of the HTML file
    notebook: str | None = None  # executed audit copy, relative to the reports folder
    title: str | None = None  # the notebook's first '# ' heading, shown in the index
    log: str | None = None  # run log, relative to the reports folder (audit part)
    warnings: int = 0  # stderr outputs (warnings, messages) captured into the log, not the HTML
    parameters: dict[str, Any] = field(default_factory=dict)  # injected, scrubbed, no paths
    data_fingerprint: str | None = None
    as_of: str | None = None
    finished_at: str | None = None
    # the report's headline numbers ({"items": [Headline as dict, ...]}), empty if it failed
    headline: dict[str, Any] = field(default_factory=dict)

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
    as_of: str, scope: dict[str, str], data: dict[str, Any], results: list[NotebookResult],
    started_at: str, seconds: float, workers: int, previous: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Manifest of a folder after a run: ``previous`` entries of reports this run did not
    produce are kept. ``scope`` is {"scope", "label", "slug"}; ``data`` and the results'
    parameters must already be free of local paths. Run fields describe the latest run."""
    names = {r.name for r in results}
    kept = [n for n in (previous or {}).get("notebooks", []) if n.get("name") not in names]
    notebooks = sorted([*kept, *(asdict(r) for r in results)], key=lambda n: n["name"])
    return {
        "as_of": as_of,
        "scope": scope,
        "status": "OK" if all(n.get("status") == "OK" for n in notebooks) else "FAILED",
        "started_at": started_at,
        "seconds": round(seconds, 3),
        "workers": workers,
        "data": data,
        "versions": package_versions(),
        "notebooks": notebooks,
    }


def manifest_text(manifest: dict[str, Any]) -> str:
    """The manifest as written to ``manifest.json``."""
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a report folder, or None if it is missing or unreadable."""
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _same(a: Any, b: Any) -> bool:
    """Two headline values are the same: both missing, or equal within float rounding."""
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def headline_disagreements(manifest: dict[str, Any]) -> list[str]:
    """Headline numbers two reports of one folder both publish (same key and period) with a
    different value or text, one sentence each; empty when every shared number agrees."""
    first: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    found = []
    for nb in manifest.get("notebooks", []):
        for item in (nb.get("headline") or {}).get("items", []):
            slot = (item["key"], item.get("period", ""))
            if slot not in first:
                first[slot] = (nb["name"], item)
                continue
            name, seen = first[slot]
            if not (_same(seen.get("value"), item.get("value")) and seen["text"] == item["text"]):
                period = f" for {slot[1]}" if slot[1] else ""
                found.append(f"{slot[0]}{period}: {name} has {seen.get('value')!r} "
                             f"({seen['text']!r}), {nb['name']} {item.get('value')!r} "
                             f"({item['text']!r})")
    return found
