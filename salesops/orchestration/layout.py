"""Where a run's files go inside the reports folder.

Shareable (send a folder to its audience as it is): ``<date>/`` holds the company's reports,
``index.html`` and ``manifest.json``; ``<date>/<slug>/`` the same for one audience.
Not shareable (local paths, every parameter, tracebacks): ``.audit/<date>/[<slug>/]`` holds
the executed notebooks and ``_logs/``, plus the date's lock file; ``.audit/.staging/`` the
folders of runs in progress; ``.audit/forecast_history.csv`` the scheduled forecast history.
Paths in manifests and indexes are relative (to their folder, or to the reports folder for
audit files), never absolute.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from salesops.data.forecast_history import AUDIT_DIR

STAGING_DIR = ".staging"
LOG_DIR = "_logs"
LOCK_FILE = ".lock"
#: Audit folders older versions kept inside the shareable dated folder.
LEGACY_DIRS = ("_notebooks", "_logs")


def _join(*parts: str) -> str:
    """Posix relative path of the non-empty ``parts``."""
    return "/".join(p for p in parts if p)


@dataclass(frozen=True)
class Layout:
    """Paths of one reports folder; ``rel_*`` are relative to it, ``slug`` '' is the company."""

    reports_dir: Path

    def rel_day(self, as_of: str, slug: str = "") -> str:
        return _join(as_of, slug)

    def rel_report(self, as_of: str, slug: str, name: str) -> str:
        return _join(as_of, slug, f"{name}.html")

    def rel_executed(self, as_of: str, slug: str, name: str) -> str:
        return _join(AUDIT_DIR, as_of, slug, f"{name}.ipynb")

    def rel_log(self, as_of: str, slug: str, name: str) -> str:
        return _join(AUDIT_DIR, as_of, slug, LOG_DIR, f"{name}.log")

    def rel_legacy(self, as_of: str, name: str) -> tuple[str, str]:
        """An older version's audit folder in a dated folder, and where it moves to."""
        return _join(as_of, name), _join(AUDIT_DIR, as_of, f"earlier{name}")

    def day(self, as_of: str, slug: str = "") -> Path:
        """The shareable folder of a date (company) or of one audience on that date."""
        return self.reports_dir / self.rel_day(as_of, slug)

    @property
    def audit(self) -> Path:
        return self.reports_dir / AUDIT_DIR

    @property
    def staging(self) -> Path:
        return self.audit / STAGING_DIR

    def date_lock(self, as_of: str) -> Path:
        """Held while a run publishes into the date's folders (outside the shareable tree)."""
        return self.audit / as_of / LOCK_FILE

    @property
    def staging_lock(self) -> Path:
        """Held while a staging folder is created or a dead run's folder removed."""
        return self.audit / f"{STAGING_DIR}{LOCK_FILE}"

    @property
    def index_lock(self) -> Path:
        """Held while the top index (every date) is rewritten."""
        return self.audit / LOCK_FILE
