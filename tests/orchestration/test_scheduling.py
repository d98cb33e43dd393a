"""Scheduling helpers: longest report first, native threads per kernel."""

from __future__ import annotations

import json
from pathlib import Path

from salesops.orchestration.kernel import THREAD_VARS, kernel_environment
from salesops.orchestration.runner import longest_first


def _manifest(folder: Path, seconds: dict[str, float]) -> None:
    folder.mkdir(parents=True)
    notebooks = [{"name": n, "seconds": s} for n, s in seconds.items()]
    (folder / "manifest.json").write_text(json.dumps({"notebooks": notebooks}))


def test_longest_first_uses_the_latest_manifest(tmp_path):
    nbs = [Path(f"{n}.ipynb") for n in ("a", "b", "c", "new")]
    assert longest_first(nbs, tmp_path) == nbs  # no earlier run: order kept
    _manifest(tmp_path / "2026-01-31", {"a": 9.0, "b": 1.0, "c": 5.0})
    _manifest(tmp_path / "2026-02-28", {"a": 2.0, "b": 8.0, "c": 5.0})
    # latest run: b 8 s, c 5 s, a 2 s; a report never run before goes first (unknown = long)
    assert [p.stem for p in longest_first(nbs, tmp_path)] == ["new", "b", "c", "a"]


def test_unreadable_latest_manifest_falls_back_to_an_earlier_one(tmp_path):
    _manifest(tmp_path / "2026-01-31", {"a": 1.0, "b": 3.0})
    (tmp_path / "2026-02-28").mkdir()
    (tmp_path / "2026-02-28" / "manifest.json").write_text("{broken")
    assert [p.stem for p in longest_first([Path("a.ipynb"), Path("b.ipynb")], tmp_path)] == ["b", "a"]


def test_kernel_environment_limits_threads_unless_the_user_set_them(monkeypatch):
    assert kernel_environment(None) is None
    for var in THREAD_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "4")
    env = kernel_environment(1)
    assert env["OMP_NUM_THREADS"] == "1" and env["OPENBLAS_NUM_THREADS"] == "1"
    assert env["MKL_NUM_THREADS"] == "4" and env["PATH"]
