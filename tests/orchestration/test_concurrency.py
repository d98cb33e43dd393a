"""Concurrent and killed runs: a date's folder always holds a complete, consistent state.

Real ``salesops run`` processes on tiny notebooks (tests/orchestration/notebooks/tiny):
two runs on one date, a run SIGKILLed while a notebook executes, a publish interrupted midway.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import salesops.orchestration.publish
from salesops.orchestration.layout import Layout
from salesops.orchestration.publish import Staging, remove_stale
from salesops.orchestration.runner import RunOptions, run_reports

NOTEBOOKS = Path(__file__).parent / "notebooks" / "tiny"
AS_OF = "2026-03-31"


@pytest.fixture
def data(tmp_path) -> Path:
    """A dataset folder the tiny notebooks never read (no real data needed)."""
    folder = tmp_path / "processed"
    folder.mkdir()
    (folder / "settings.json").write_text('{"currency": "USD", "fiscal_year_start_month": 1}')
    return folder


def _command(reports: Path, data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "salesops.orchestration.cli", "run", *args, "--as-of", AS_OF,
            "--data", str(data), "--reports-dir", str(reports), "--notebooks-dir", str(NOTEBOOKS),
            "--workers", "2"]


def _run(reports: Path, data: Path, *args: str) -> None:
    run_reports(RunOptions(as_of=AS_OF, reports_dir=reports, notebooks_dir=NOTEBOOKS,
                           data_dir=data, names=args, workers=2), progress=lambda _: None)


def _listed(reports: Path) -> tuple[list[str], str]:
    manifest = json.loads((reports / AS_OF / "manifest.json").read_text())
    return [n["name"] for n in manifest["notebooks"]], (reports / AS_OF / "index.html").read_text()


def _snapshot(reports: Path) -> dict[str, bytes]:
    """Every shareable file (the dated folders and the top index), byte for byte."""
    return {p.relative_to(reports).as_posix(): p.read_bytes()
            for p in sorted(reports.rglob("*")) if p.is_file() and ".audit" not in p.parts}


def _assert_consistent(reports: Path) -> None:
    """Each manifest entry's HTML is beside it with the recorded SHA-256; nothing temporary."""
    manifest = json.loads((reports / AS_OF / "manifest.json").read_text())
    for entry in manifest["notebooks"]:
        html = (reports / AS_OF / entry["html"]).read_bytes()
        assert hashlib.sha256(html).hexdigest() == entry["sha256"], entry["name"]
    assert not [p for p in reports.rglob("*") if ".tmp" in p.name or "journal" in p.name]
    assert not any((reports / ".audit" / ".staging").iterdir())


def test_two_concurrent_runs_on_one_date_list_every_report(tmp_path, data):
    reports = tmp_path / "reports"
    runs = [subprocess.Popen(_command(reports, data, *names, "--param", "seconds=1"),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for names in (["alpha", "beta"], ["gamma"])]
    for run in runs:
        out, _ = run.communicate(timeout=300)
        assert run.returncode == 0, out
    names, index = _listed(reports)
    assert names == ["alpha", "beta", "gamma"]
    for name in names:
        assert f'<a href="{name}.html">' in index
    assert f'<a href="{AS_OF}/index.html">' in (reports / "index.html").read_text()
    _assert_consistent(reports)


def test_a_run_of_one_notebook_keeps_the_others_in_index_and_manifest(tmp_path, data):
    reports = tmp_path / "reports"
    _run(reports, data, "alpha", "beta")
    before = json.loads((reports / AS_OF / "manifest.json").read_text())["notebooks"]
    _run(reports, data, "gamma")
    names, index = _listed(reports)
    assert names == ["alpha", "beta", "gamma"]
    assert '<a href="alpha.html">' in index and '<a href="gamma.html">' in index
    after = json.loads((reports / AS_OF / "manifest.json").read_text())["notebooks"]
    assert after[:2] == before  # the others' entries untouched
    _assert_consistent(reports)


def test_a_killed_run_leaves_the_previous_state_and_the_next_run_cleans_up(tmp_path, data):
    reports = tmp_path / "reports"
    _run(reports, data, "alpha", "beta")
    previous = _snapshot(reports)
    marker = tmp_path / "started"
    run = subprocess.Popen(_command(reports, data, "alpha", "beta", "--param", "seconds=120",
                                    "--param", f"marker={marker}"),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    give_up = time.monotonic() + 600  # a guard against a hung run, not a timing check
    try:
        while not marker.exists():  # a notebook is executing: kill the run now
            assert run.poll() is None, "the run ended before its notebook started"
            assert time.monotonic() < give_up, "the notebook never started"
            time.sleep(0.05)
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):  # its kernels too, if still there
            os.killpg(run.pid, signal.SIGKILL)  # (the process group this test started)
    assert _snapshot(reports) == previous
    assert any((reports / ".audit" / ".staging").iterdir())  # the dead run's staging folder
    _run(reports, data, "gamma")
    assert _listed(reports)[0] == ["alpha", "beta", "gamma"]
    _assert_consistent(reports)  # the dead run's staging folder is gone


def test_an_interrupted_publish_is_rolled_forward_by_the_next_run(tmp_path, data, monkeypatch):
    reports = tmp_path / "reports"
    _run(reports, data, "alpha")
    moves = []
    real_replace = os.replace

    def dies_after_one_move(src, dst):
        if moves:
            raise OSError("the machine went down mid-publish")
        moves.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(salesops.orchestration.publish.os, "replace", dies_after_one_move)
    with pytest.raises(OSError, match="mid-publish"):
        _run(reports, data, "beta")
    monkeypatch.setattr(salesops.orchestration.publish.os, "replace", real_replace)
    assert len(moves) == 1 and _listed(reports)[0] == ["alpha"]  # manifest not yet replaced
    _run(reports, data, "gamma")  # finishes beta's publish first, under the date's lock
    assert _listed(reports)[0] == ["alpha", "beta", "gamma"]
    _assert_consistent(reports)


def test_an_older_versions_audit_folders_leave_the_shareable_folder(tmp_path, data):
    reports = tmp_path / "reports"
    for legacy in ("_notebooks", "_logs"):  # what runs before issue 10 left in the dated folder
        (reports / AS_OF / legacy).mkdir(parents=True)
        (reports / AS_OF / legacy / "old.txt").write_text("/home/analyst/secret_project")
    _run(reports, data, "alpha")
    assert sorted(p.name for p in (reports / AS_OF).iterdir()) == [
        "alpha.html", "index.html", "manifest.json"]
    audit = reports / ".audit" / AS_OF
    assert (audit / "earlier_notebooks" / "old.txt").is_file()
    assert (audit / "earlier_logs" / "old.txt").is_file()


def test_only_the_staging_folders_of_dead_runs_are_removed(tmp_path):
    layout = Layout(tmp_path / "reports")
    alive = Staging(layout, AS_OF)  # holds its lock, as a running run does
    alive.write(f"{AS_OF}/alpha.html", "in progress")
    dead = layout.staging / "20260101T000000-1-dead"
    (dead / "tree").mkdir(parents=True)
    (layout.staging / f"{dead.name}.lock").touch()  # nobody holds it: its run is gone
    remove_stale(layout)
    assert sorted(p.name for p in layout.staging.iterdir()) == sorted(
        [alive.root.name, f"{alive.root.name}.lock"])
    alive.close()
    assert not any(layout.staging.iterdir())
