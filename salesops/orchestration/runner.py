"""The report runner: execute notebooks in parallel with papermill, render shareable HTML.

One process, one reused HTML exporter, one thread per worker; each notebook runs in its own
kernel (started one at a time, see ``kernel``). Output goes to ``<reports>/<as-of>/``:
``<notebook>.html``, the executed audit copy in ``_notebooks/``, the run log (warnings,
stderr, tracebacks: never in the HTML) in ``_logs/``, ``index.html`` and ``manifest.json``;
``<reports>/index.html`` lists every date. A failing notebook never stops
the others; every file is written atomically.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError

from salesops.data.quality import load_quality
from salesops.data.store import dataset_fingerprint
from salesops.orchestration.atomic import atomic_write_text, publish
from salesops.orchestration.index import write_day_index, write_top_index
from salesops.orchestration.kernel import ENGINE_NAME, kernel_environment
from salesops.orchestration.manifest import (
    MANIFEST_FILE,
    NotebookResult,
    build_manifest,
    write_manifest,
)
from salesops.orchestration.project import ProjectError, default_notebooks_dir
from salesops.orchestration.render import HtmlRenderer
from salesops.orchestration.runlog import LOG_DIR, count_stderr, log_path, run_log
from salesops.orchestration.scrub import scrub

EXECUTED_DIR = "_notebooks"
MAX_ERROR_CHARS = 2000

Progress = Callable[[str], None]


#: Injected parameters holding local paths: in the audit notebook only, never in manifest or HTML.
PATH_PARAMETERS = ("data_dir", "reports_dir")


class RunInputError(ValueError):
    """The run cannot start: unknown notebook, missing folder, bad option (CLI exit code 2)."""


@dataclass(frozen=True)
class RunOptions:
    """Everything a run needs; ``data_dir=None`` means the built-in sample dataset."""

    as_of: str
    reports_dir: Path = Path("reports")
    notebooks_dir: Path | None = None  # None: ./notebooks if present, else the shipped ones
    data_dir: Path | None = None
    period: str = "quarter"
    params: dict[str, Any] = field(default_factory=dict)
    names: tuple[str, ...] = ()
    workers: int | None = None
    kernel_name: str = "python3"
    start_timeout: int = 60


@dataclass
class RunSummary:
    """Outcome of a run: the dated folder and one result per notebook."""

    day_dir: Path
    results: list[NotebookResult]
    fingerprint: str

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)


def discover_notebooks(notebooks_dir: Path | None, names: tuple[str, ...] = ()) -> list[Path]:
    """Notebooks to run: all ``*.ipynb`` in the folder, or those named by stem, sorted.

    Without a folder: ``./notebooks`` if it exists, else the notebooks shipped with salesops.
    """
    if notebooks_dir is None:
        try:
            notebooks_dir = default_notebooks_dir()
        except ProjectError as exc:
            raise RunInputError(str(exc)) from None
    if not notebooks_dir.is_dir():
        raise RunInputError(f"notebooks folder '{notebooks_dir}' not found")
    available = {p.stem: p for p in sorted(notebooks_dir.glob("*.ipynb"))}
    if not names:
        if not available:
            raise RunInputError(f"no notebooks (*.ipynb) in '{notebooks_dir}'")
        return list(available.values())
    wanted = [Path(n).stem for n in names]
    unknown = [n for n in wanted if n not in available]
    if unknown:
        raise RunInputError(f"unknown notebook(s): {', '.join(unknown)} "
                            f"(available: {', '.join(available) or 'none'})")
    return [available[n] for n in dict.fromkeys(wanted)]


def resolve_data_dir(data_dir: Path | None, as_of: str | None = None) -> Path:
    """Absolute dataset folder: the given one (must exist) or the cached built-in sample ending
    on ``as_of``, the same sample a notebook run by hand with that ``as_of`` builds."""
    if data_dir is None:
        from salesops.data.builtin import ensure_sample_dataset

        return Path(ensure_sample_dataset(end=as_of)).resolve()
    if not Path(data_dir).is_dir():
        raise RunInputError(f"data folder '{data_dir}' not found")
    return Path(data_dir).resolve()


def describe_data(data_dir: Path | None, resolved: Path, fingerprint: str) -> dict[str, Any]:
    """How the manifest names the data: a path relative to the working folder, never absolute,
    plus the rows ingest read and quarantined (so every report date shows what was left out)."""
    quality = load_quality(resolved)
    rows = {"rows_in": quality.rows_in, "rows_quarantined": quality.rows_quarantined}
    if data_dir is None:
        return {"source": "built-in sample", "path": None, "fingerprint": fingerprint, **rows}
    try:
        rel: str | None = resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        rel = None  # outside the project: the fingerprint alone identifies it
    return {"source": "folder", "path": rel, "fingerprint": fingerprint, **rows}


def longest_first(notebooks: list[Path], reports_dir: Path) -> list[Path]:
    """Notebooks ordered by their run time in the latest earlier run, longest (or unknown) first.

    Starting the long reports first keeps every worker busy to the end (longest-processing-time
    scheduling); without an earlier manifest the order is unchanged.
    """
    seconds: dict[str, float] = {}
    for manifest in sorted(reports_dir.glob(f"*/{MANIFEST_FILE}"), reverse=True):
        try:
            seconds = {n["name"]: float(n["seconds"])
                       for n in json.loads(manifest.read_text())["notebooks"]}
            break
        except (ValueError, KeyError, TypeError, OSError):
            continue
    return sorted(notebooks, key=lambda p: -seconds.get(p.stem, float("inf")))


def notebook_title(nb: nbformat.NotebookNode) -> str | None:
    """The first level-1 markdown heading of a notebook (the report's title), if any."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return None


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


class ReportRunner:
    """Runs notebooks for one as-of date into one dated folder; safe to use from threads."""

    def __init__(self, options: RunOptions, progress: Progress = print) -> None:
        self.options = options
        self.progress = progress
        self.day_dir = Path(options.reports_dir) / options.as_of
        self.executed_dir = self.day_dir / EXECUTED_DIR
        self.renderer = HtmlRenderer()
        self.kernel_env: dict[str, str] | None = None  # set per run from the worker count
        self._print_lock = threading.Lock()

    def say(self, message: str) -> None:
        """One progress line, timestamped, never interleaved with another thread's."""
        with self._print_lock:
            self.progress(f"[{time.strftime('%H:%M:%S')}] {message}")

    def run(self) -> RunSummary:
        """Execute and render every selected notebook, then write manifest and indexes."""
        opts = self.options
        notebooks = discover_notebooks(opts.notebooks_dir, opts.names)
        data_dir = resolve_data_dir(opts.data_dir, opts.as_of)
        fingerprint = dataset_fingerprint(data_dir)
        # reports_dir lets a notebook keep files beside the reports (e.g. the forecast history)
        parameters = {"as_of": opts.as_of, "data_dir": str(data_dir), "period": opts.period,
                      "reports_dir": str(Path(opts.reports_dir).resolve()), **opts.params}
        workers = max(1, min(opts.workers or os.cpu_count() or 1, len(notebooks)))
        # one kernel per core: each kernel's native thread pools get its share of the cores
        self.kernel_env = kernel_environment(
            max(1, (os.cpu_count() or 1) // workers) if workers > 1 else None)
        self.executed_dir.mkdir(parents=True, exist_ok=True)
        (self.day_dir / LOG_DIR).mkdir(exist_ok=True)
        started_at = dt.datetime.now().isoformat(timespec="seconds")
        t0 = time.perf_counter()
        self.say(f"running {len(notebooks)} notebook(s) as of {opts.as_of} "
                 f"with {workers} worker(s)")
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="report") as pool:
            queue = longest_first(notebooks, Path(opts.reports_dir))
            results = sorted(pool.map(lambda p: self.run_one(p, parameters), queue),
                             key=lambda r: r.name)
        shared_params = {k: scrub(v) if isinstance(v, str) else v
                         for k, v in parameters.items() if k not in PATH_PARAMETERS}
        manifest = build_manifest(
            opts.as_of, shared_params, describe_data(opts.data_dir, data_dir, fingerprint),
            results, started_at, time.perf_counter() - t0, workers,
        )
        write_manifest(self.day_dir, manifest)
        write_day_index(self.day_dir, manifest)
        write_top_index(Path(opts.reports_dir))
        return RunSummary(self.day_dir, results, fingerprint)

    def run_one(self, path: Path, parameters: dict[str, Any]) -> NotebookResult:
        """Execute one notebook, keep its executed copy, render its HTML; never raises."""
        name = path.stem
        self.say(f"start    {name}")
        t0 = time.perf_counter()
        nb, error = self._execute(path, parameters)
        log = log_path(name)
        atomic_write_text(self.day_dir / log, run_log(nb, name, error))
        html = self._render(nb, name, log, error is not None) if nb is not None else None
        if html is None:  # never leave an earlier run's report looking current
            (self.day_dir / f"{name}.html").unlink(missing_ok=True)
        if nb is not None and html is None and error is None:
            error = "the executed notebook could not be rendered to HTML"
        result = NotebookResult(
            name=name, status="OK" if error is None else "FAILED",
            seconds=round(time.perf_counter() - t0, 3),
            compute_seconds=compute_seconds(nb) if nb is not None else None,
            error=error, html=html,
            notebook=f"{EXECUTED_DIR}/{name}.ipynb" if nb is not None else None,
            title=notebook_title(nb) if nb is not None else None,
            log=log, warnings=count_stderr(nb) if nb is not None else 0,
        )
        suffix = f": {error}" if error else ""
        self.say(f"{result.status:<8} {name} ({result.seconds:.1f} s){suffix}")
        return result

    def _execute(self, path: Path, parameters: dict[str, Any]
                 ) -> tuple[nbformat.NotebookNode | None, str | None]:
        """Run ``path`` with papermill; return the executed notebook (if any) and error text."""
        final = self.executed_dir / f"{path.stem}.ipynb"
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp.ipynb",
                                        dir=self.executed_dir)
        os.close(fd)
        tmp = Path(tmp_name)
        error = None
        try:
            try:
                papermill.execute_notebook(
                    str(path), str(tmp), parameters=parameters, engine_name=ENGINE_NAME,
                    kernel_name=self.options.kernel_name, progress_bar=False,
                    request_save_on_cell_execute=False, start_timeout=self.options.start_timeout,
                    kernel_env=self.kernel_env, kernel_cwd=str(path.parent.resolve()),
                )
            except Exception as exc:  # a failing notebook must not stop the run
                error = error_text(exc)
            if tmp.stat().st_size == 0:  # failed before papermill wrote anything
                final.unlink(missing_ok=True)
                return None, error or "no executed notebook was written"
            nb = nbformat.read(tmp, as_version=4)
            publish(tmp, final)
            return nb, error
        finally:
            tmp.unlink(missing_ok=True)

    def _render(self, nb: nbformat.NotebookNode, name: str, log: str, failed: bool
                ) -> str | None:
        """Write ``<name>.html`` atomically and return its file name; None if rendering fails."""
        target = self.day_dir / f"{name}.html"
        try:
            atomic_write_text(target, self.renderer.render(nb, name, log, failed))
        except Exception as exc:  # reported in the index; the run goes on
            self.say(f"render   {name} failed: {error_text(exc)}")
            return None
        return target.name


def run_reports(options: RunOptions, progress: Progress = print) -> RunSummary:
    """Run the reports described by ``options``; see ``ReportRunner``."""
    return ReportRunner(options, progress).run()
