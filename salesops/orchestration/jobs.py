"""One report as a unit of work: execute a notebook, render its HTML, build its run log, read
the headline numbers it published (``presentation.headline``) for the cover page.

``produce`` writes no files: the executed notebook comes back as JSON text, so it can run in
a thread, another process or on a cluster worker; the runner alone writes files (see
``runner``). It never raises: whatever fails is the report's error text.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError

from salesops.orchestration.kernel import ENGINE_NAME, kernel_environment
from salesops.orchestration.render import HtmlRenderer, notebook_title
from salesops.orchestration.runlog import count_stderr, run_log
from salesops.orchestration.scrub import scrub
from salesops.presentation.headline import read as read_headline

MAX_ERROR_CHARS = 2000
#: Loggers quieted in every process that produces reports: papermill's notices about
#: parameters (the contract checks them before a run) and nbconvert's about alt text.
QUIET_LOGGERS = ("papermill", "traitlets")

#: One exporter per process, reused by every report (thread-safe).
RENDERER = HtmlRenderer()


@dataclass(frozen=True)
class ReportJob:
    """What to produce: a notebook, the parameters injected into it and how to name it."""

    notebook: Path  # source notebook, absolute
    parameters: dict[str, Any]  # everything injected (paths too: they stay in the audit copy)
    audience: str | None = None  # scope label for titles and headings, None for the company
    log_name: str = "the run log"  # how the shareable failure sentence names the run log
    kernel_name: str = "python3"
    start_timeout: int = 60
    threads: int | None = None  # native (BLAS/OpenMP) threads per kernel, None: inherit
    key: str = ""  # the caller's name for this job (e.g. "region-emea/forecast"), echoed back
    as_of: str | None = None  # the report date its title names
    nav: tuple[tuple[str, str], ...] = ()  # (label, href): the cover, then the sibling reports
    contact: str | None = None  # whom a reader of a failed report tells


@dataclass
class ReportOutput:
    """What ``produce`` made of a job; ``executed`` is the audit copy as notebook JSON."""

    name: str
    executed: str | None  # None if no executed notebook was written
    html: str | None  # None if nothing could be rendered
    error: str | None
    log: str
    seconds: float
    compute_seconds: float | None
    title: str | None
    warnings: int
    key: str = ""  # the job's key: which of several runs of one notebook this is
    headline: dict[str, Any] = field(default_factory=dict)  # {"items": [...]}, {} if it failed

    @property
    def ok(self) -> bool:
        return self.error is None


def compute_seconds(nb: nbformat.NotebookNode) -> float:
    """Sum of the cells' execution times recorded by papermill."""
    return round(sum(c.get("metadata", {}).get("papermill", {}).get("duration") or 0.0
                     for c in nb.cells), 3)


def error_text(exc: BaseException) -> str:
    """One shareable line for a failure: exception type and message, scrubbed and bounded."""
    if isinstance(exc, PapermillExecutionError):
        text = f"{exc.ename}: {exc.evalue} (cell In [{exc.exec_count}])"
    else:
        text = f"{type(exc).__name__}: {exc}"
    text = scrub(text)
    return text if len(text) <= MAX_ERROR_CHARS else text[:MAX_ERROR_CHARS] + "..."


def execute(job: ReportJob, engine: str = ENGINE_NAME
            ) -> tuple[nbformat.NotebookNode | None, str | None]:
    """Run the job's notebook with papermill; the executed notebook (if any) and error text."""
    path = job.notebook
    error = None
    # papermill hands back a failed notebook only through its output file: a private temp one
    with tempfile.TemporaryDirectory(prefix="salesops-job-") as tmp_dir:
        out = Path(tmp_dir) / f"{path.stem}.ipynb"
        try:
            papermill.execute_notebook(
                str(path), str(out), parameters=job.parameters, engine_name=engine,
                kernel_name=job.kernel_name, progress_bar=False,
                request_save_on_cell_execute=False, start_timeout=job.start_timeout,
                kernel_env=kernel_environment(job.threads),
                kernel_cwd=str(path.parent.resolve()),
            )
        except Exception as exc:  # a failing notebook must not stop the run
            error = error_text(exc)
        if not out.is_file() or out.stat().st_size == 0:  # failed before papermill wrote
            return None, error or "no executed notebook was written"
        return nbformat.read(out, as_version=4), error


def render(nb: nbformat.NotebookNode, job: ReportJob, failed: bool) -> tuple[str | None, str | None]:
    """The report's HTML, or None and the shareable reason rendering failed."""
    try:
        return RENDERER.render(nb, job.notebook.stem, job.log_name, failed, job.audience,
                               as_of=job.as_of, nav=job.nav, contact=job.contact), None
    except Exception as exc:  # reported in the index; the run goes on
        return None, error_text(exc)


def failed_output(job: ReportJob, error: str, seconds: float = 0.0) -> ReportOutput:
    """The output of a job that produced nothing (its process or worker died, the task failed)."""
    name = job.notebook.stem
    error = scrub(error)
    return ReportOutput(name=name, executed=None, html=None, error=error,
                        log=run_log(None, name, error), seconds=round(seconds, 3),
                        compute_seconds=None, title=None, warnings=0, key=job.key)


def headline(nb: nbformat.NotebookNode | None, error: str | None) -> dict[str, Any]:
    """The headline items a report published, ``{"items": [...]}``, their texts scrubbed like
    the HTML; {} for a failed report, whose partial numbers must not reach the cover."""
    if nb is None or error is not None:
        return {}
    return {"items": [{k: scrub(v) if isinstance(v, str) else v for k, v in item.items()}
                      for item in read_headline(nb).get("items", [])]}


def produce(job: ReportJob, engine: str = ENGINE_NAME) -> ReportOutput:
    """Execute, render and log one report; writes no files and never raises."""
    name = job.notebook.stem
    t0 = time.perf_counter()
    for noisy in QUIET_LOGGERS:  # forked children and cluster workers configure no logging
        logging.getLogger(noisy).setLevel(logging.ERROR)
    try:
        nb, error = execute(job, engine)
        html = None
        if nb is not None:
            html, render_error = render(nb, job, error is not None)
            if html is None and error is None:
                error = f"the executed notebook could not be rendered to HTML ({render_error})"
        log = run_log(nb, name, error)
    except Exception as exc:  # never raise: the runner reports it like any failure
        nb, html, error = None, None, error_text(exc)
        log = run_log(None, name, error)
    return ReportOutput(
        name=name, executed=nbformat.writes(nb) if nb is not None else None, html=html,
        error=error, log=log, seconds=round(time.perf_counter() - t0, 3),
        compute_seconds=compute_seconds(nb) if nb is not None else None,
        title=notebook_title(nb) if nb is not None else None,
        warnings=count_stderr(nb) if nb is not None else 0, key=job.key,
        headline=headline(nb, error),
    )
