"""Index pages: a cover page per report folder (a date's company folder links its audiences
too) and a top page listing every date.

The cover shows each report's headline numbers in reading order, each linking to its report,
and keeps the run details for operators in a collapsed section. Rendered with Jinja2
autoescaping, so every value (report titles, headline texts, audience labels, error text,
parameters) reaches the page escaped. Pages are built from manifests only, so an index lists
exactly what the manifest beside it describes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from salesops.orchestration.manifest import MANIFEST_FILE, read_manifest
from salesops.presentation.formatting import count, plural

INDEX_FILE = "index.html"
#: The order a leader reads the reports in; any other report follows, by name.
READING_ORDER = ("performance_review", "forecast", "pipeline_inspection", "comp_plan_evaluation",
                 "planning", "data_quality")
_DATE_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    keep_trailing_newline=True,
)
_ENV.filters.update(count=count, plural=plural)


def reading_order(names: list[str]) -> list[str]:
    """``names`` in the order a leader reads them (``READING_ORDER``), any others after by name."""
    known = {name: i for i, name in enumerate(READING_ORDER)}
    return sorted(names, key=lambda n: (known.get(n, len(known)), n))


def by_period(items: list[dict[str, Any]], as_of: str) -> list[dict[str, Any]]:
    """A card's headline items grouped by the period they are for, in order of first
    appearance: ``[{"period", "items"}]``; the page's as-of date, or no period, is named as "".
    The bounds of a range (``forecast_low``, ``forecast_high``) are left out when the item they
    bound (``forecast``) is there: its note gives the range."""
    groups: dict[str, list[dict[str, Any]]] = {}
    keys = {(item.get("key"), item.get("period")) for item in items}
    for item in items:
        period = item.get("period") or ""
        base, _, bound = str(item.get("key", "")).rpartition("_")
        if bound in ("low", "high") and (base, item.get("period")) in keys:
            continue  # a range bound the item it bounds shows in its note
        groups.setdefault("" if period == as_of else period, []).append(item)
    return [{"period": period, "items": group} for period, group in groups.items()]


def cover_cards(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """One card per report of a folder, in reading order: its title, link, whether it was
    produced, and its headline items by period (none for a failed report: its numbers are
    missing)."""
    entries = {nb["name"]: nb for nb in manifest.get("notebooks", [])}
    cards = []
    for name in reading_order(list(entries)):
        nb = entries[name]
        ok = nb.get("status") == "OK"
        items = (nb.get("headline") or {}).get("items", []) if ok else []
        cards.append({"name": name, "title": nb.get("title") or name.replace("_", " ").capitalize(),
                      "href": nb.get("html"), "ok": ok, "entry": nb,
                      "groups": by_period(items, manifest.get("as_of", ""))})
    return cards


def summary(manifest: dict[str, Any], slug: str = "") -> dict[str, Any]:
    """A folder's line in an index above it: label, status, report and failure counts."""
    notebooks = manifest.get("notebooks", [])
    failed = sum(nb.get("status") != "OK" for nb in notebooks)
    return {
        "slug": slug,
        "label": (manifest.get("scope") or {}).get("label") or "Company",
        "status": "OK" if failed == 0 else "FAILED",
        "total": len(notebooks),
        "failed": failed,
        "fingerprint": (manifest.get("data") or {}).get("fingerprint", ""),
        "started_at": manifest.get("started_at", ""),
    }


def audience_summaries(day_dir: Path, updated: dict[str, dict[str, Any]] | None = None
                       ) -> list[dict[str, Any]]:
    """Summaries of a date's audience folders (sub-folders holding a manifest), by label;
    ``updated`` (manifests by slug, not yet on disk) replaces or adds folders."""
    manifests = dict(updated or {})
    if day_dir.is_dir():
        for folder in day_dir.iterdir():
            if folder.name not in manifests and (folder / MANIFEST_FILE).is_file():
                manifest = read_manifest(folder)
                if manifest is not None:
                    manifests[folder.name] = manifest
    return sorted((summary(m, slug) for slug, m in manifests.items()),
                  key=lambda s: (s["label"], s["slug"]))


def render_day_index(as_of: str, manifest: dict[str, Any] | None,
                     audiences: list[dict[str, Any]] | None = None, contact: str | None = None
                     ) -> str:
    """``index.html`` of a report folder, its cover page: each report's headline numbers and
    link in reading order, the audience folders (a date's company folder), whom to ask
    (``contact``), and the run details for operators in a collapsed section."""
    scope = (manifest or {}).get("scope") or {}
    cards = cover_cards(manifest or {})
    return _ENV.get_template("day_index.html.j2").render(
        as_of=as_of, m=manifest, label=scope.get("label") or "Company",
        is_audience=bool(scope.get("slug")), audiences=audiences or [], cards=cards,
        failed=sum(not c["ok"] for c in cards), contact=contact)


def report_days(reports_dir: Path) -> list[dict[str, Any]]:
    """Summaries of every dated folder holding a manifest (its own or an audience's),
    newest first: totals over the company and all audiences."""
    days = []
    for day_dir in sorted(reports_dir.iterdir(), reverse=True):
        if not (_DATE_DIR.match(day_dir.name) and day_dir.is_dir()):
            continue
        company = read_manifest(day_dir)
        folders = [summary(company)] if company is not None else []
        audiences = audience_summaries(day_dir)
        folders += audiences
        if not folders:
            continue
        failed = sum(f["failed"] for f in folders)
        days.append({
            "as_of": day_dir.name,
            "status": "OK" if failed == 0 else "FAILED",
            "total": sum(f["total"] for f in folders),
            "failed": failed,
            "audiences": len(audiences),
            "fingerprint": folders[0]["fingerprint"],
            "started_at": max(f["started_at"] for f in folders),
        })
    return days


def render_top_index(reports_dir: Path) -> str:
    """``reports/index.html`` from the manifests of all dated folders."""
    return _ENV.get_template("top_index.html.j2").render(days=report_days(reports_dir))
