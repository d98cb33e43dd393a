"""Index pages and manifests: everything escaped, dates and audiences listed, subset runs merged."""

from __future__ import annotations

import json

from salesops.orchestration.index import (
    audience_summaries,
    render_day_index,
    render_top_index,
    report_days,
)
from salesops.orchestration.manifest import (
    MANIFEST_FILE,
    NotebookResult,
    build_manifest,
    manifest_text,
    read_manifest,
)

EVIL = "<script>alert(1)</script>"
COMPANY = {"scope": "company", "label": "Company", "slug": ""}


def _results(statuses: dict[str, str], error: str = "boom") -> list[NotebookResult]:
    return [NotebookResult(name=n, status=s, seconds=1.5, error=None if s == "OK" else error,
                           html=f"{n}.html", parameters={"as_of": "2026-03-31", "region": EVIL})
            for n, s in statuses.items()]


def _manifest(as_of: str, statuses: dict[str, str], error: str = "boom", scope=COMPANY,
              previous=None) -> dict:
    return build_manifest(as_of, scope, {"source": "folder", "path": "data/processed",
                                         "fingerprint": "abc123"},
                          _results(statuses, error), "2026-04-01T08:00:00", 3.0, 2, previous)


def _write(folder, manifest):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST_FILE).write_text(manifest_text(manifest))


def test_day_index_escapes_names_errors_and_parameters():
    manifest = _manifest("2026-03-31", {EVIL: "FAILED", "pipeline": "OK"}, error=EVIL)
    html = render_day_index("2026-03-31", manifest)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="pipeline.html">pipeline</a>' in html and "1.5 s" in html
    assert "region=&lt;script&gt;" in html


def test_manifest_round_trip_and_status(tmp_path):
    manifest = _manifest("2026-03-31", {"a": "OK", "b": "FAILED"})
    _write(tmp_path, manifest)
    back = read_manifest(tmp_path)
    assert back == json.loads(json.dumps(manifest))
    assert back["status"] == "FAILED" and back["versions"]["python"]
    assert read_manifest(tmp_path / "missing") is None


def test_a_subset_run_keeps_the_other_reports_entries():
    first = json.loads(manifest_text(_manifest("2026-03-31", {"a": "OK", "b": "FAILED"})))
    second = build_manifest("2026-03-31", COMPANY, first["data"],
                            [NotebookResult(name="b", status="OK", seconds=2.0)],
                            "2026-04-01T09:00:00", 2.0, 1, previous=first)
    assert [(n["name"], n["status"]) for n in second["notebooks"]] == [("a", "OK"), ("b", "OK")]
    assert second["notebooks"][0] == first["notebooks"][0]  # untouched, parameters included
    assert second["status"] == "OK" and second["started_at"] == "2026-04-01T09:00:00"


def test_audience_index_names_the_scope_and_the_company_index_links_audiences(tmp_path):
    day = tmp_path / "2026-03-31"
    emea = {"scope": "region=EMEA", "label": "Region EMEA", "slug": "region-emea"}
    _write(day / "region-emea", _manifest("2026-03-31", {"a": "OK"}, scope=emea))
    html = render_day_index("2026-03-31", read_manifest(day / "region-emea"))
    assert "<title>Sales reports for Region EMEA as of 2026-03-31</title>" in html
    assert "../index.html" not in html  # an audience's folder stands alone
    evil = {"scope": f"team={EVIL}", "label": f"Team {EVIL}", "slug": "team-script"}
    audiences = audience_summaries(day, {"team-script": _manifest("2026-03-31", {"a": "FAILED"},
                                                                  scope=evil)})
    assert [(a["slug"], a["status"]) for a in audiences] == [("region-emea", "OK"),
                                                           ("team-script", "FAILED")]
    company = render_day_index("2026-03-31", None, audiences)
    assert '<a href="region-emea/index.html">Region EMEA</a>' in company
    assert "Team &lt;script&gt;" in company and "<script>" not in company


def test_top_index_lists_every_dated_folder_newest_first(tmp_path):
    for as_of, statuses in [("2026-01-31", {"a": "OK"}), ("2026-03-31", {"a": "OK", "b": "FAILED"})]:
        _write(tmp_path / as_of, _manifest(as_of, statuses))
    _write(tmp_path / "2026-03-31" / "region-na",
           _manifest("2026-03-31", {"a": "FAILED"}, scope={"label": "Region NA", "slug": "region-na"}))
    (tmp_path / "not-a-date").mkdir()
    (tmp_path / "2026-02-28").mkdir()  # no manifest: not listed
    days = report_days(tmp_path)
    assert [d["as_of"] for d in days] == ["2026-03-31", "2026-01-31"]
    assert (days[0]["status"], days[0]["total"], days[0]["failed"], days[0]["audiences"]) == (
        "FAILED", 3, 2, 1)
    html = render_top_index(tmp_path)
    assert html.index("2026-03-31/index.html") < html.index("2026-01-31/index.html")
    assert "not-a-date" not in html

