"""Publishing a run's files safely under concurrency and crashes.

A run writes everything into its own staging folder (``.audit/.staging/<run-id>/``, locked
while the run lives). Publishing then takes the date's lock, merges with what is there, stages
the manifests and indexes too, writes a journal (the moves and deletions, manifests and
indexes last), and applies it: only renames within one file system and unlinks touch the
reports tree, so a reader sees each file old or new, never half written, and never a temp
file. A run killed before its journal leaves the previous state untouched; one killed while
applying it is rolled forward by the next run on that date, under the same lock, before that
run publishes. Staging folders of dead runs are removed.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from salesops.data.files import FILE_MODE, acquire, locked, release
from salesops.orchestration.layout import Layout

JOURNAL = "journal.json"
TREE = "tree"  # inside a staging folder: files at their paths relative to the reports folder
AUDIT_MODE = 0o700  # the audit part is for whoever runs the reports only


@dataclass
class Plan:
    """What publishing does, in order: move ``relocations`` (folders inside the reports tree,
    from, to), delete ``deletes``, then move the staged ``moves`` into place."""

    moves: list[str] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    relocations: list[tuple[str, str]] = field(default_factory=list)


def ensure_audit(layout: Layout) -> None:
    """Create the audit and staging folders, readable by their owner only."""
    for folder in (layout.audit, layout.staging):
        folder.mkdir(parents=True, exist_ok=True)
    os.chmod(layout.audit, AUDIT_MODE)


class Staging:
    """A run's private folder; its lock file (beside it) is held for the run's lifetime."""

    def __init__(self, layout: Layout, as_of: str) -> None:
        self.layout, self.as_of = layout, as_of
        ensure_audit(layout)
        with locked(layout.staging_lock):  # creation and clean-up never interleave
            self.run_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{secrets.token_hex(3)}"
            self._fd = acquire(layout.staging / f"{self.run_id}.lock")
            self.root = layout.staging / self.run_id
            (self.root / TREE).mkdir(parents=True)

    def path(self, rel: str) -> Path:
        """Where the file published at ``rel`` (relative to the reports folder) is staged."""
        return self.root / TREE / rel

    def write(self, rel: str, text: str) -> Path:
        """Stage ``text`` for the file ``rel``."""
        path = self.path(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        os.chmod(path, FILE_MODE)
        return path

    def publish(self, prepare: Callable[[], Plan]) -> None:
        """Under the date's lock: finish any dead run's publish, let ``prepare`` stage the
        merged manifests and indexes and say what to move, journal it, apply it."""
        with locked(self.layout.date_lock(self.as_of)):
            roll_forward_dead(self.layout, self.as_of)
            plan = prepare()
            journal = {"as_of": self.as_of, "moves": plan.moves, "deletes": plan.deletes,
                       "relocations": plan.relocations}
            tmp = self.root / f".{JOURNAL}.tmp"
            tmp.write_text(json.dumps(journal, indent=1), encoding="utf-8")
            os.replace(tmp, self.root / JOURNAL)
            apply_journal(self.layout, self.root)
            (self.root / JOURNAL).unlink()

    def replace(self, rel: str, text: str) -> None:
        """Stage and move one file into place at once (for the top index, under its lock)."""
        os.replace(self.write(rel, text), self.layout.reports_dir / rel)

    def close(self) -> None:
        """Remove the staging folder, unless a publish was interrupted (its journal is kept
        for the next run to roll forward), and release the run's lock."""
        with locked(self.layout.staging_lock):
            if not (self.root / JOURNAL).exists():
                shutil.rmtree(self.root, ignore_errors=True)
                (self.layout.staging / f"{self.run_id}.lock").unlink(missing_ok=True)
            release(self._fd)


def apply_journal(layout: Layout, root: Path) -> None:
    """Apply a staging folder's journal; idempotent (a file already moved is skipped)."""
    journal = json.loads((root / JOURNAL).read_text(encoding="utf-8"))
    for source, target in journal["relocations"]:
        if (layout.reports_dir / source).exists() and not (layout.reports_dir / target).exists():
            (layout.reports_dir / target).parent.mkdir(parents=True, exist_ok=True)
            os.replace(layout.reports_dir / source, layout.reports_dir / target)
    for rel in journal["deletes"]:
        (layout.reports_dir / rel).unlink(missing_ok=True)
    for rel in journal["moves"]:
        source = root / TREE / rel
        if source.exists():
            target = layout.reports_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)


def _dead_runs(layout: Layout) -> list[tuple[Path, int]]:
    """Staging folders whose run is gone (their lock could be taken), with the lock held."""
    dead = []
    for lock_file in sorted(layout.staging.glob("*.lock")):
        fd = acquire(lock_file, blocking=False)
        if fd is not None:
            dead.append((layout.staging / lock_file.stem, fd))
    return dead


def _discard(layout: Layout, root: Path, fd: int) -> None:
    """Delete a dead run's staging folder and lock file, then release its lock."""
    shutil.rmtree(root, ignore_errors=True)
    (layout.staging / f"{root.name}.lock").unlink(missing_ok=True)
    release(fd)


def roll_forward_dead(layout: Layout, as_of: str) -> None:
    """Finish the interrupted publishes of dead runs on ``as_of`` (caller holds its lock)."""
    if not layout.staging.is_dir():
        return
    with locked(layout.staging_lock):
        for root, fd in _dead_runs(layout):
            journal = root / JOURNAL
            if journal.exists() and json.loads(journal.read_text())["as_of"] == as_of:
                apply_journal(layout, root)
                _discard(layout, root, fd)
            else:
                release(fd)


def remove_stale(layout: Layout) -> None:
    """Remove the staging folders of dead runs; an interrupted publish is finished first,
    under its date's lock (taken after the staging lock is released: one lock order)."""
    if not layout.staging.is_dir():
        return
    dates = set()
    with locked(layout.staging_lock):
        for root, fd in _dead_runs(layout):
            if (root / JOURNAL).exists():
                dates.add(json.loads((root / JOURNAL).read_text())["as_of"])
                release(fd)
            else:
                _discard(layout, root, fd)
        for folder in layout.staging.iterdir():  # left by a crash inside ``_discard``
            if folder.is_dir() and not (layout.staging / f"{folder.name}.lock").exists():
                shutil.rmtree(folder, ignore_errors=True)
    for as_of in sorted(dates):
        with locked(layout.date_lock(as_of)):
            roll_forward_dead(layout, as_of)
