"""Index pages and manifests: everything escaped, dates listed, atomic writes."""

from __future__ import annotations

import json

import pytest

from salesops.orchestration.atomic import atomic_write_text
from salesops.orchestration.index import report_days, write_day_index, write_top_index
from salesops.orchestration.manifest import (
    NotebookResult,
    build_manifest,
    read_manifest,
    write_manifest,
)

EVIL = "<script>alert(1)</script>"


def _manifest(as_of: str, statuses: dict[str, str], error: str = "boom") -> dict:
    results = [NotebookResult(name=n, status=s, seconds=1.5, error=None if s == "OK" else error,
                              html=f"{n}.html") for n, s in statuses.items()]
    return build_manifest(as_of, {"as_of": as_of, "period": "quarter", "region": EVIL},
                          {"source": "folder", "path": "data/processed", "fingerprint": "abc123"},
                          results, "2026-04-01T08:00:00", 3.0, 2)


def test_day_index_escapes_names_and_errors(tmp_path):
    manifest = _manifest("2026-03-31", {EVIL: "FAILED", "pipeline": "OK"}, error=EVIL)
    html = write_day_index(tmp_path, manifest).read_text()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="pipeline.html">pipeline</a>' in html and "1.5 s" in html


def test_manifest_round_trip_and_status(tmp_path):
    manifest = _manifest("2026-03-31", {"a": "OK", "b": "FAILED"})
    write_manifest(tmp_path, manifest)
    back = read_manifest(tmp_path)
    assert back == json.loads(json.dumps(manifest))
    assert back["status"] == "FAILED" and back["versions"]["python"]
    assert read_manifest(tmp_path / "missing") is None


def test_top_index_lists_every_dated_folder_newest_first(tmp_path):
    for as_of, statuses in [("2026-01-31", {"a": "OK"}), ("2026-03-31", {"a": "OK", "b": "FAILED"})]:
        (tmp_path / as_of).mkdir()
        write_manifest(tmp_path / as_of, _manifest(as_of, statuses))
    (tmp_path / "not-a-date").mkdir()
    (tmp_path / "2026-02-28").mkdir()  # no manifest: not listed
    days = report_days(tmp_path)
    assert [d["as_of"] for d in days] == ["2026-03-31", "2026-01-31"]
    assert (days[0]["status"], days[0]["total"], days[0]["failed"]) == ("FAILED", 2, 1)
    html = write_top_index(tmp_path).read_text()
    assert html.index("2026-03-31/index.html") < html.index("2026-01-31/index.html")
    assert "not-a-date" not in html


def test_atomic_write_keeps_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old complete report")
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(target, "<html>half" + "\ud800")  # unencodable: fails mid-write
    assert target.read_text() == "old complete report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
