"""The report runner: produce every report (``jobs.produce``) in parallel, write the files.

One thread per worker; each notebook runs in its own kernel (started one at a time, see
``kernel``). Output goes to ``<reports>/<as-of>/``:
``<notebook>.html``, the executed audit copy in ``_notebooks/``, the run log (warnings,
stderr, tracebacks: never in the HTML) in ``_logs/``, ``index.html`` and ``manifest.json``;
``<reports>/index.html`` lists every date. A failing notebook never stops
the others; every file is written atomically.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from salesops.data.quality import load_quality
from salesops.data.store import dataset_fingerprint
from salesops.orchestration.atomic import atomic_write_text
from salesops.orchestration.index import write_day_index, write_top_index
from salesops.orchestration.jobs import ReportJob, ReportOutput, produce
from salesops.orchestration.manifest import (
    MANIFEST_FILE,
    NotebookResult,
    build_manifest,
    write_manifest,
)
from salesops.orchestration.project import ProjectError, default_notebooks_dir
from salesops.orchestration.runlog import LOG_DIR, log_path
from salesops.orchestration.scrub import scrub

EXECUTED_DIR = "_notebooks"

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


class ReportRunner:
    """Runs notebooks for one as-of date into one dated folder; safe to use from threads."""

    def __init__(self, options: RunOptions, progress: Progress = print) -> None:
        self.options = options
        self.progress = progress
        self.day_dir = Path(options.reports_dir) / options.as_of
        self.executed_dir = self.day_dir / EXECUTED_DIR
        self.threads: int | None = None  # native threads per kernel, set from the workers
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
        self.threads = max(1, (os.cpu_count() or 1) // workers) if workers > 1 else None
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
        """Produce one report and write its files; never raises."""
        name = path.stem
        self.say(f"start    {name}")
        out = produce(ReportJob(notebook=path.resolve(), parameters=parameters,
                                log_name=log_path(name), kernel_name=self.options.kernel_name,
                                start_timeout=self.options.start_timeout, threads=self.threads))
        return self.write_outputs(out)

    def write_outputs(self, out: ReportOutput) -> NotebookResult:
        """Write one report's executed copy, log and HTML; the manifest entry describing them."""
        name, log = out.name, log_path(out.name)
        if out.executed is not None:
            atomic_write_text(self.executed_dir / f"{name}.ipynb", out.executed)
        else:
            (self.executed_dir / f"{name}.ipynb").unlink(missing_ok=True)
        atomic_write_text(self.day_dir / log, out.log)
        html = self.day_dir / f"{name}.html"
        if out.html is not None:
            atomic_write_text(html, out.html)
        else:  # never leave an earlier run's report looking current
            html.unlink(missing_ok=True)
        result = NotebookResult(
            name=name, status="OK" if out.error is None else "FAILED", seconds=out.seconds,
            compute_seconds=out.compute_seconds, error=out.error,
            html=html.name if out.html is not None else None,
            notebook=f"{EXECUTED_DIR}/{name}.ipynb" if out.executed is not None else None,
            title=out.title, log=log, warnings=out.warnings,
        )
        suffix = f": {out.error}" if out.error else ""
        self.say(f"{result.status:<8} {name} ({result.seconds:.1f} s){suffix}")
        return result


def run_reports(options: RunOptions, progress: Progress = print) -> RunSummary:
    """Run the reports described by ``options``; see ``ReportRunner``."""
    return ReportRunner(options, progress).run()
