"""Index pages: one per dated report folder and a top page listing every date.

Rendered with Jinja2 autoescaping, so every value (notebook names, error text, parameters)
reaches the page escaped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from salesops.orchestration.atomic import atomic_write_text
from salesops.orchestration.manifest import read_manifest

INDEX_FILE = "index.html"
_DATE_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    keep_trailing_newline=True,
)


def write_day_index(day_dir: Path, manifest: dict[str, Any]) -> Path:
    """Write ``<day>/index.html``: each report's link, status, run time and error."""
    html = _ENV.get_template("day_index.html.j2").render(m=manifest)
    return atomic_write_text(day_dir / INDEX_FILE, html)


def report_days(reports_dir: Path) -> list[dict[str, Any]]:
    """Summaries of every dated folder holding a manifest, newest first."""
    days = []
    for day_dir in sorted(reports_dir.iterdir(), reverse=True):
        manifest = read_manifest(day_dir) if _DATE_DIR.match(day_dir.name) else None
        if manifest is None:
            continue
        notebooks = manifest.get("notebooks", [])
        failed = sum(nb.get("status") != "OK" for nb in notebooks)
        days.append({
            "as_of": day_dir.name,
            "status": "OK" if failed == 0 else "FAILED",
            "total": len(notebooks),
            "failed": failed,
            "fingerprint": manifest.get("data", {}).get("fingerprint", ""),
            "started_at": manifest.get("started_at", ""),
        })
    return days


def write_top_index(reports_dir: Path) -> Path:
    """Rebuild ``reports/index.html`` from the manifests of all dated folders."""
    html = _ENV.get_template("top_index.html.j2").render(days=report_days(reports_dir))
    return atomic_write_text(reports_dir / INDEX_FILE, html)
