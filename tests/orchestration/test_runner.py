"""End-to-end runner tests on tiny notebooks (real kernels; each notebook takes about a second):
files and where they go, the manifest with each report's headline numbers, the cover page, the
links between reports."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import stat
import sys
from pathlib import Path

import nbclient
import pytest
from nbconvert import HTMLExporter

from salesops.data.store import dataset_fingerprint
from salesops.orchestration.cli import main
from salesops.orchestration.runner import RunOptions, report_nav, run_reports

NOTEBOOKS = Path(__file__).parent / "notebooks"
AS_OF = "2026-03-31"
CONTACT = "Sales Ops <ops@example.com>"


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    """One CLI run of the four test notebooks (one fails, one warns) with two workers; the
    contact comes from the environment."""
    root = tmp_path_factory.mktemp("run")
    data = tmp_path_factory.mktemp("secret_location") / "processed"
    data.mkdir()
    (data / "settings.json").write_text('{"currency": "USD", "fiscal_year_start_month": 1}')
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        mp.setenv("SALESOPS_CONTACT", CONTACT)
        code = main(["run", "--as-of", AS_OF, "--data", str(data), "--workers", "2",
                     "--notebooks-dir", str(NOTEBOOKS), "--period", "month"])
    day = root / "reports" / AS_OF
    manifest = json.loads((day / "manifest.json").read_text())
    return {"code": code, "root": root, "day": day, "audit": root / "reports" / ".audit" / AS_OF,
            "data": data, "manifest": manifest,
            "results": {nb["name"]: nb for nb in manifest["notebooks"]}}


def test_failed_notebook_does_not_stop_the_others(full_run):
    assert full_run["code"] == 1
    results = full_run["results"]
    assert results["ok_report"]["status"] == "OK"
    assert results["escaped_names"]["status"] == "OK"
    assert results["fails"]["status"] == "FAILED"
    assert results["fails"]["error"].startswith("ValueError: cannot read")
    assert results["warns"]["status"] == "OK"  # warnings never fail a report


def test_reports_go_to_the_dated_folder_audit_copies_and_logs_outside_it(full_run):
    day, audit = full_run["day"], full_run["audit"]
    for name in ("ok_report", "escaped_names", "fails", "warns"):
        assert (day / f"{name}.html").is_file()
        assert (audit / f"{name}.ipynb").is_file()
        assert (audit / "_logs" / f"{name}.log").is_file()
        assert full_run["results"][name]["log"] == f".audit/{AS_OF}/_logs/{name}.log"
        assert full_run["results"][name]["notebook"] == f".audit/{AS_OF}/{name}.ipynb"
        assert stat.S_IMODE((day / f"{name}.html").stat().st_mode) == 0o644
    # the shareable folder holds reports, index and manifest only (no _notebooks/, no _logs/)
    assert sorted(p.name for p in day.iterdir()) == [
        "escaped_names.html", "fails.html", "index.html", "manifest.json", "ok_report.html",
        "warns.html"]
    assert stat.S_IMODE((full_run["root"] / "reports" / ".audit").stat().st_mode) == 0o700
    reports = full_run["root"] / "reports"
    assert not [p for p in reports.rglob("*") if ".tmp" in p.name]
    assert not any((reports / ".audit" / ".staging").iterdir())  # staging cleaned up


def test_failed_report_shows_a_notice_and_logs_the_traceback(full_run):
    html = (full_run["day"] / "fails.html").read_text()
    assert f"This report could not be produced for {AS_OF}." in html
    assert f".audit/{AS_OF}/_logs/fails.log" in html
    assert "before the error" not in html  # no partial results on the notice
    assert "ValueError" not in html and "Traceback" not in html and "hunter2" not in html
    assert "An Exception was encountered" not in html  # papermill's red banners are dropped
    log = (full_run["audit"] / "_logs" / "fails.log").read_text()
    assert "--- cell In [4]: ValueError: cannot read" in log and "Traceback" in log
    assert "postgresql://***@db.local" in log and "hunter2" not in log
    assert str(full_run["data"]) not in log  # paths scrubbed like the manifest
    assert "--- the report FAILED" in log
    executed = (full_run["audit"] / "fails.ipynb").read_text()
    assert '"output_type": "error"' in executed  # the audit copy keeps everything


def test_warnings_go_to_the_log_never_to_the_report(full_run):
    html = (full_run["day"] / "warns.html").read_text()
    for noise in ("UserWarning", "RuntimeWarning", "divide by zero", "library chatter",
                  "stderr noise", "warnings.warn", "secret_project",
                  'data-mime-type="application/vnd.jupyter.stderr"'):  # nbconvert's stderr block
        assert noise not in html, noise
    assert "ordinary output stays" in html and "the numbers" in html
    assert "incomplete" not in html
    log = (full_run["audit"] / "_logs" / "warns.log").read_text()
    assert "UserWarning: DataFrameGroupBy.apply" in log and "RuntimeWarning: divide by zero" in log
    assert "library chatter on stderr" in log and "stderr noise" in log
    assert "secret_project" not in log and "x.py" in log  # scrubbed to the file name
    assert full_run["results"]["warns"]["warnings"] >= 1
    assert full_run["results"]["ok_report"]["warnings"] == 0
    assert "no warnings, messages or errors" in (full_run["audit"] / "_logs/ok_report.log").read_text()


def test_parameters_are_injected_into_the_audit_copy(full_run):
    executed = json.loads((full_run["audit"] / "ok_report.ipynb").read_text())
    text = json.dumps(executed)
    assert f"as_of={AS_OF} period=month label=default" in text
    assert str(full_run["data"]) in text  # the audit copy keeps the real data path
    # reports_dir goes only to notebooks that declare it (those keeping files beside the reports)
    assert "reports_dir" not in text


def test_kernels_run_in_the_notebook_folder_with_one_native_thread_each(full_run):
    executed = (full_run["audit"] / "ok_report.ipynb").read_text()
    assert f"cwd: {NOTEBOOKS}" in executed  # relative paths behave as in JupyterLab
    # two workers: each kernel's BLAS pool gets cores // 2 threads (a user's setting wins)
    expected = os.environ.get("OPENBLAS_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // 2)))
    assert f"blas threads: {expected}" in executed


def test_kernel_is_the_venv_python(full_run):
    executed = (full_run["audit"] / "ok_report.ipynb").read_text()
    assert f"kernel prefix: {sys.prefix}" in executed


def test_report_html_is_self_contained_and_code_free(full_run):
    html = (full_run["day"] / "ok_report.html").read_text()
    assert "data:image/png;base64," in html
    assert "<script src=" not in html and "cdnjs" not in html
    assert "import base64" not in html  # code hidden
    assert "label = " not in html and "injected-parameters" not in html


def test_data_text_is_escaped_in_report(full_run):
    html = (full_run["day"] / "escaped_names.html").read_text()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html


def test_no_local_paths_or_credentials_in_shared_files(full_run):
    day, data = full_run["day"], full_run["data"]
    shared = [*day.glob("*.html"), day / "manifest.json", full_run["root"] / "reports/index.html"]
    for path in shared:
        text = path.read_text()
        assert str(data) not in text, path.name
        assert "secret_location" not in text, path.name
        assert str(full_run["root"]) not in text, path.name
        assert "hunter2" not in text, path.name
    assert "postgresql://***@db.local" in full_run["results"]["fails"]["error"]


def test_manifest_content(full_run):
    m = full_run["manifest"]
    assert m["as_of"] == AS_OF and m["status"] == "FAILED" and m["workers"] == 2
    assert "parameters" not in m  # each report records its own
    assert m["scope"] == {"scope": "company", "label": "Company", "slug": ""}
    assert m["data"] == {"source": "folder", "path": None,
                         "fingerprint": dataset_fingerprint(full_run["data"]),
                         "rows_in": 0, "rows_quarantined": 0}  # not written by ingest
    assert set(m["versions"]) == {"salesops", "pandas", "numpy", "statsmodels", "matplotlib",
                                  "papermill", "nbconvert", "python"}
    ok = full_run["results"]["ok_report"]
    assert ok["html"] == "ok_report.html" and ok["error"] is None
    assert ok["seconds"] > 0 and ok["compute_seconds"] >= 0
    # only what was injected (no --period given: none), without paths
    assert ok["parameters"] == {"as_of": AS_OF, "period": "month"}
    assert ok["data_fingerprint"] == m["data"]["fingerprint"] and ok["as_of"] == AS_OF
    assert ok["finished_at"] >= m["started_at"]
    for name, entry in full_run["results"].items():
        html = (full_run["day"] / f"{name}.html").read_bytes()
        assert entry["sha256"] == hashlib.sha256(html).hexdigest()


def test_day_and_top_index(full_run):
    day_index = (full_run["day"] / "index.html").read_text()
    # the cover's card links the report by its '# ' heading; the run details add the file stem
    assert '<h2><a href="ok_report.html">OK report</a></h2>' in day_index
    assert '<td>OK report <span class="meta">(ok_report)</span></td>' in day_index
    assert full_run["results"]["ok_report"]["title"] == "OK report"
    assert day_index.count('class="FAILED"') == 1 and day_index.count('class="OK"') == 3
    assert f".audit/{AS_OF}/_logs/warns.log (" in day_index  # named, not linked: not shared
    assert "period=month" in day_index
    assert full_run["manifest"]["data"]["fingerprint"] in day_index
    top = (full_run["root"] / "reports" / "index.html").read_text()
    assert f'<a href="{AS_OF}/index.html">{AS_OF}</a>' in top


def test_headline_numbers_reach_the_manifest_and_the_cover_but_a_failed_reports_do_not(full_run):
    results = full_run["results"]
    assert results["ok_report"]["headline"] == {"items": [
        {"key": "answer", "label": "The answer <b>", "value": 42.0, "text": "42 of 50 <i>",
         "period": "FY2026 Q1", "note": "a test number"}]}
    assert results["fails"]["headline"] == {}  # published before it failed: never shown
    assert results["warns"]["headline"] == {"items": []}  # publishes none
    cover = (full_run["day"] / "index.html").read_text()
    assert ('<dt>The answer &lt;b&gt;</dt>\n<dd><span class="headline-text">42 of 50 &lt;i&gt;'
            '</span><span class="note">a test number</span></dd>') in cover
    assert "41, before the failure" not in cover
    assert "Questions about these reports: Sales Ops &lt;ops@example.com&gt;" in cover


def test_every_report_links_the_cover_and_its_siblings(full_run):
    page = (full_run["day"] / "ok_report.html").read_text()
    nav = page[page.index('class="so-nav"'):].partition("</nav>")[0]
    assert [href for href in ("index.html", "escaped_names.html", "fails.html", "warns.html",
                              "ok_report.html") if f'href="{href}"' in nav] == [
        "index.html", "escaped_names.html", "fails.html", "warns.html"]  # not itself
    assert ">All reports</a>" in nav and ">Failing report</a>" in nav
    failed = (full_run["day"] / "fails.html").read_text()
    assert 'href="ok_report.html"' in failed
    assert "Sales Ops &lt;ops@example.com&gt;" in failed  # whom to tell


def test_a_report_links_the_cover_then_the_other_reports_in_reading_order():
    titles = {"extra": "Extra", "data_quality": "Data quality", "forecast": "Bookings forecast",
              "performance_review": "Performance review"}
    assert report_nav("forecast", titles) == (
        ("All reports", "index.html"), ("Performance review", "performance_review.html"),
        ("Data quality", "data_quality.html"), ("Extra", "extra.html"))


def test_a_subset_run_links_the_reports_an_earlier_run_left(tmp_path):
    options = {"as_of": AS_OF, "reports_dir": tmp_path / "reports", "notebooks_dir": NOTEBOOKS,
               "data_dir": tmp_path, "executor": "kernels"}
    run_reports(RunOptions(names=("warns",), **options), progress=lambda _: None)
    run_reports(RunOptions(names=("ok_report",), **options), progress=lambda _: None)
    page = (tmp_path / "reports" / AS_OF / "ok_report.html").read_text()
    assert 'href="warns.html"' in page and 'href="fails.html"' not in page
    cover = (tmp_path / "reports" / AS_OF / "index.html").read_text()
    assert cover.index('id="ok_report"') < cover.index('id="warns"')


def test_the_run_warns_when_two_reports_disagree_on_a_shared_number(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    source = (NOTEBOOKS / "ok_report.ipynb").read_text()
    (notebooks / "first.ipynb").write_text(source)
    (notebooks / "second.ipynb").write_text(source.replace("42.0", "43.0"))
    lines: list[str] = []
    summary = run_reports(RunOptions(as_of=AS_OF, reports_dir=tmp_path / "reports",
                                     notebooks_dir=notebooks, data_dir=tmp_path, workers=2),
                          progress=lines.append)
    assert summary.ok  # a warning for whoever runs the reports, not a failure
    # (tmp_path is no dataset: the run's snapshot of it is a warning line of its own)
    [warning] = [line for line in lines if "disagree" in line]
    assert warning.endswith("WARNING  company: reports disagree on answer for FY2026 Q1: first "
                            "has 42.0 ('42 of 50 <i>'), second 43.0 ('42 of 50 <i>')")


def test_more_notebooks_than_workers(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for i in range(6):
        shutil.copy(NOTEBOOKS / "ok_report.ipynb", notebooks / f"tiny_{i}.ipynb")
    lines: list[str] = []
    summary = run_reports(RunOptions(as_of=AS_OF, reports_dir=tmp_path / "reports",
                                     notebooks_dir=notebooks, data_dir=tmp_path, workers=2),
                          progress=lines.append)
    assert summary.ok and len(summary.results) == 6
    # no --period: nothing injected but the date (and the paths, kept out of the manifest)
    assert {tuple(r.parameters.items()) for r in summary.results} == {(("as_of", AS_OF),)}
    assert len(list(summary.day_dir.glob("tiny_*.html"))) == 6
    assert sum(" OK " in line for line in lines) == 6


def test_failed_kernel_start_is_retried(tmp_path, monkeypatch, caplog):
    original = nbclient.NotebookClient.start_new_kernel_client
    calls = []

    def flaky(self):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Kernel didn't respond in 60 seconds")
        return original(self)

    monkeypatch.setattr(nbclient.NotebookClient, "start_new_kernel_client", flaky)
    with caplog.at_level(logging.WARNING, logger="salesops.orchestration.kernel"):
        summary = run_reports(RunOptions(as_of=AS_OF, reports_dir=tmp_path / "reports",
                                         notebooks_dir=NOTEBOOKS, names=("ok_report",),
                                         data_dir=tmp_path, executor="kernels"),
                             progress=lambda _: None)
    assert summary.ok and len(calls) == 2
    assert "retrying with a fresh kernel" in caplog.text


def test_render_crash_leaves_no_partial_html(tmp_path, monkeypatch):
    day = tmp_path / "reports" / AS_OF
    day.mkdir(parents=True)
    (day / "ok_report.html").write_text("stale report from an earlier run")

    def crash(self, nb, resources=None, **kw):
        raise MemoryError("exporter died mid-way")

    monkeypatch.setattr(HTMLExporter, "from_notebook_node", crash)
    summary = run_reports(RunOptions(as_of=AS_OF, reports_dir=tmp_path / "reports",
                                     notebooks_dir=NOTEBOOKS, names=("ok_report",),
                                     data_dir=tmp_path, executor="kernels"),
                          progress=lambda _: None)  # rendered in this process: patchable
    [result] = summary.results
    assert result.status == "FAILED" and result.html is None
    assert "could not be rendered" in result.error
    assert sorted(p.name for p in day.iterdir()) == ["index.html", "manifest.json"]
    assert (tmp_path / "reports" / ".audit" / AS_OF / "ok_report.ipynb").is_file()
