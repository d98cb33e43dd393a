"""The report runner: plan a run, produce every report (``jobs.produce``) through an
executor, stage the files, publish them (``publish``).

A run is one as-of date, one or more notebooks and one or more audiences (the company, one
scope, or the company plus every audience of ``--for-each``). Everything is checked before
anything runs: notebooks, parameters against each notebook's declared contract, scopes
against the data. Output (``layout``): ``<reports>/<as-of>/[<slug>/]`` holds the shareable
HTML, ``index.html`` (the cover page: every report's headline numbers, each linking to its
report) and ``manifest.json``; ``<reports>/.audit/<as-of>/[<slug>/]`` the
executed notebooks and ``_logs/`` (warnings, stderr, tracebacks: never in the HTML);
``<reports>/index.html`` lists every date. A failing notebook never stops the others.
Before the reports, a run over a real data folder appends the open pipeline on its date to
the snapshot store (``data.snapshots``; a snapshot that cannot be written is a warning only).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd

from salesops.data.builtin import is_sample_dataset
from salesops.data.files import locked
from salesops.data.quality import load_quality
from salesops.data.scope import Scope, audiences, parse_scope, read_scope_file, unique_slugs
from salesops.data.snapshots import NoDeals, default_store, snapshot_dates, take_snapshot
from salesops.data.store import Dataset, dataset_fingerprint, load_dataset
from salesops.orchestration.contract import bind, declared
from salesops.orchestration.executors import Executor, make_executor
from salesops.orchestration.index import (
    INDEX_FILE,
    audience_summaries,
    reading_order,
    render_day_index,
    render_top_index,
)
from salesops.orchestration.jobs import ReportJob, ReportOutput
from salesops.orchestration.layout import LEGACY_DIRS, Layout
from salesops.orchestration.manifest import (
    MANIFEST_FILE,
    NotebookResult,
    build_manifest,
    headline_disagreements,
    manifest_text,
    read_manifest,
)
from salesops.orchestration.params import ParamError
from salesops.orchestration.project import ProjectError, default_notebooks_dir
from salesops.orchestration.publish import Plan, Staging, remove_stale
from salesops.orchestration.render import notebook_title
from salesops.orchestration.scrub import scrub

Progress = Callable[[str], None]

_COLUMN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # a roster column, not a file name

#: Injected parameters holding local paths: in the audit notebook only, never in manifest or HTML.
PATH_PARAMETERS = ("data_dir", "reports_dir")
#: How a report's links name the cover page (``index.html`` of its own folder).
COVER_LABEL = "All reports"


class RunInputError(ValueError):
    """The run cannot start: unknown notebook, missing folder, bad option (CLI exit code 2)."""


@dataclass(frozen=True)
class RunOptions:
    """Everything a run needs; ``data_dir=None`` means the built-in sample dataset."""

    as_of: str
    reports_dir: Path = Path("reports")
    notebooks_dir: Path | None = None  # None: ./notebooks if present, else the shipped ones
    data_dir: Path | None = None
    period: str | None = None  # injected only when given
    params: dict[str, str] = field(default_factory=dict)  # raw --param texts by name
    names: tuple[str, ...] = ()
    workers: int | None = None
    scope: str | None = None  # one audience ("region=EMEA"); None: the company
    for_each: str | None = None  # the company plus each audience: a roster column or a file
    executor: str = "local"  # see ``executors.make_executor``
    scheduler: str | None = None  # the Dask scheduler's address (executor "dask")
    kernel_name: str = "python3"
    start_timeout: int = 60
    contact: str | None = None  # whom readers tell about a failed report (cover, failure page)
    snapshot_store: str | None = None  # None: beside a data_dir (none for the sample); '': off


@dataclass(frozen=True)
class Audience:
    """Who a set of reports is for, and the folder (slug, '' for the company) they go into."""

    scope: Scope
    slug: str

    @property
    def label(self) -> str | None:
        """The scope label shown in titles, None for the company."""
        return None if self.scope.is_company else self.scope.label


@dataclass
class RunSummary:
    """Outcome of a run: the dated folder and one result per report, by audience folder."""

    day_dir: Path
    folders: dict[str, list[NotebookResult]]  # slug ('' company) -> results
    fingerprint: str

    @property
    def results(self) -> list[NotebookResult]:
        return [r for results in self.folders.values() for r in results]

    @property
    def failed(self) -> list[str]:
        """The failed reports as '<slug>/<notebook>' (the company's by notebook name)."""
        return [f"{slug}/{r.name}" if slug else r.name
                for slug, results in self.folders.items() for r in results if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def index(self) -> Path:
        """The index to open: the one audience's of a one-audience run, else the date's."""
        slugs = list(self.folders)
        return (self.day_dir / slugs[0] if len(slugs) == 1 else self.day_dir) / INDEX_FILE


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


def select_scopes(opts: RunOptions, params: dict[str, str]) -> tuple[list[Scope] | None, str | None]:
    """The scopes named on the command line before any data is read: a list (the company, or
    one scope) or None with the ``--for-each`` text to resolve against the data."""
    text = opts.scope
    if "scope" in params:
        if text is not None:
            raise RunInputError("the scope is given twice: use --scope or --param scope, not both")
        text = params.pop("scope")
    if text is not None and opts.for_each is not None:
        raise RunInputError("--for-each runs the company and every audience; it cannot be "
                            "combined with --scope (or --param scope)")
    if opts.for_each is not None:
        return None, opts.for_each
    try:
        return [parse_scope(text)], None
    except ValueError as exc:
        raise RunInputError(str(exc)) from None


def for_each_scopes(for_each: str, dataset: Dataset, as_of: str) -> list[Scope]:
    """The audiences ``--for-each`` names: the scopes listed in a file, or every value of a
    roster column among the reps on the roster on ``as_of``."""
    path = Path(for_each)
    if path.is_file() or not _COLUMN_NAME.fullmatch(for_each):
        if not path.is_file():
            raise ValueError(f"--for-each {for_each}: no such scope file (nor a roster column)")
        return read_scope_file(path)
    found = audiences(dataset, for_each, as_of)
    if not found:
        raise ValueError(f"--for-each {for_each}: no rep on the roster on {as_of} has a "
                         f"{for_each}")
    return found


def check_matches(scopes: list[Scope], dataset: Dataset, as_of: str) -> None:
    """ValueError for a scope that no rep on the roster on ``as_of`` belongs to."""
    known: dict[str | None, list[Scope]] = {}
    for scope in scopes:
        if scope.is_company:
            continue
        if scope.kind not in known:
            known[scope.kind] = audiences(dataset, str(scope.kind), as_of)
        if scope not in known[scope.kind]:
            values = ", ".join(str(s.value) for s in known[scope.kind]) or "none"
            raise ValueError(f"scope {scope} matches nobody on {as_of} "
                             f"({scope.kind} values then: {values})")


def resolve_audiences(scopes: list[Scope] | None, for_each: str | None, data_dir: Path,
                      as_of: str) -> list[Audience]:
    """The audiences of the run (the company first), each checked against the data."""
    if scopes == [Scope()]:
        return [Audience(Scope(), "")]
    dataset = load_dataset(data_dir)
    try:
        if scopes is None:
            scopes = [Scope(), *for_each_scopes(str(for_each), dataset, as_of)]
        check_matches(scopes, dataset, as_of)
    except (ValueError, OSError) as exc:
        raise RunInputError(str(exc)) from None
    slugs = unique_slugs(scopes)
    ordered = sorted(dict.fromkeys(scopes), key=lambda s: (not s.is_company, s.label))
    return [Audience(s, slugs[s]) for s in ordered]


def snapshot_store(opts: RunOptions, data_dir: Path) -> Path | None:
    """Where the run appends its snapshot: the given store ('' none), else ``snapshots``
    beside a real data folder; the built-in sample (by default or by its cache path) gets none:
    its history is generated."""
    if opts.snapshot_store is not None:
        return Path(opts.snapshot_store) if opts.snapshot_store else None
    return None if is_sample_dataset(opts.data_dir) else default_store(data_dir)


def check_scoped(notebooks: list[Path]) -> None:
    """Every notebook run for an audience must declare ``scope`` (else it would show the
    whole company in the audience's folder)."""
    missing = [nb.stem for nb in notebooks if "scope" not in declared(nb)]
    if missing:
        lists = "; ".join(f"{nb.stem} declares: {', '.join(declared(nb))}"
                          for nb in notebooks if nb.stem in missing)
        raise ParamError(f"a report for an audience needs a 'scope' parameter, which "
                         f"{', '.join(missing)} does not declare ({lists})")


def report_nav(name: str, titles: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """A report's links as (label, href): its folder's cover, then the other reports of
    ``titles`` (by notebook name) in reading order."""
    siblings = [n for n in reading_order(list(titles)) if n != name]
    return ((COVER_LABEL, INDEX_FILE), *((titles[n], f"{n}.html") for n in siblings))


def shared_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    """What a manifest records of a report's parameters: no path parameters, text scrubbed."""
    return {k: scrub(v) if isinstance(v, str) else v
            for k, v in parameters.items() if k not in PATH_PARAMETERS}


class ReportRunner:
    """Runs notebooks for one as-of date into its dated folders; safe to use from threads."""

    def __init__(self, options: RunOptions, progress: Progress = print) -> None:
        self.options = options
        self.progress = progress
        self.layout = Layout(Path(options.reports_dir))
        self.day_dir = self.layout.day(options.as_of)
        self._print_lock = threading.Lock()

    def say(self, message: str) -> None:
        """One progress line, timestamped, never interleaved with another thread's."""
        with self._print_lock:
            self.progress(f"[{time.strftime('%H:%M:%S')}] {message}")

    def run(self) -> RunSummary:
        """Check everything, produce every report into staging, then publish under the lock."""
        opts = self.options
        notebooks = discover_notebooks(opts.notebooks_dir, opts.names)
        params = dict(opts.params)
        scopes, for_each = select_scopes(opts, params)
        # reports_dir lets a notebook keep files beside the reports (e.g. the forecast history)
        injected: dict[str, Any] = {"as_of": opts.as_of, "data_dir": None, "reports_dir": None,
                                    **({"period": opts.period} if opts.period else {})}
        bound = bind(notebooks, params, injected)  # names and values checked before any data
        if scopes != [Scope()]:
            check_scoped(notebooks)
        data_dir = resolve_data_dir(opts.data_dir, opts.as_of)
        run_audiences = resolve_audiences(scopes, for_each, data_dir, opts.as_of)
        self.snapshot(data_dir)
        fingerprint = dataset_fingerprint(data_dir)
        paths = {"data_dir": str(data_dir), "reports_dir": str(self.layout.reports_dir.resolve())}
        workers = max(1, min(opts.workers or os.cpu_count() or 1,
                             len(notebooks) * len(run_audiences)))
        # one kernel per core: each kernel's native thread pools get its share of the cores
        threads = max(1, (os.cpu_count() or 1) // workers) if workers > 1 else None
        jobs = self.jobs(longest_first(notebooks, self.layout.reports_dir), bound, paths,
                         run_audiences, threads)
        with make_executor(opts.executor, workers, opts.scheduler) as executor:
            remove_stale(self.layout)
            staging = Staging(self.layout, opts.as_of)
            try:
                return self._run(executor, jobs, workers, staging, data_dir, fingerprint,
                                 run_audiences)
            finally:
                staging.close()

    def snapshot(self, data_dir: Path) -> None:
        """Append the open pipeline on the run's date to the snapshot store, once per run; a
        run for a date before the store's latest night leaves it alone (a re-run of old
        reports must not rewrite history). Never fails the run: a failure is a warning line."""
        store = snapshot_store(self.options, data_dir)
        if store is None:
            return
        on = pd.Timestamp(self.options.as_of)
        try:
            dates = snapshot_dates(store)
            if dates and on < dates[-1]:
                self.say(f"snapshot  skipped: the store already holds {dates[-1]:%Y-%m-%d}, "
                         f"later than {self.options.as_of}")
                return
            written = take_snapshot(data_dir, store, on)
        except NoDeals:
            self.say("snapshot  skipped: the data has no deals (bookings only)")
            return
        except Exception as exc:  # the reports matter more than tonight's snapshot
            self.say(f"WARNING  snapshot for {self.options.as_of} not written, the reports run "
                     f"without it: {scrub(f'{type(exc).__name__}: {exc}')}")
            return
        try:  # the folder as the command line named it, when under the working folder
            file = written.file.resolve().relative_to(Path.cwd().resolve())
        except ValueError:
            file = written.file
        self.say(f"snapshot  {self.options.as_of}: {written.deals:,} open deals to {file}")

    def jobs(self, notebooks: list[Path], bound: dict[str, dict[str, Any]],
             paths: dict[str, str], run_audiences: list[Audience], threads: int | None
             ) -> list[ReportJob]:
        """One job per notebook and audience, longest notebooks first, company first; each
        report links its folder's cover and every report the folder will hold."""
        own = {nb.stem: notebook_title(nbformat.read(nb, as_version=4)) or nb.stem
               for nb in notebooks}
        titles = {a.slug: {**self.published_titles(a.slug), **own} for a in run_audiences}
        jobs = []
        for nb in notebooks:
            for audience in run_audiences:
                parameters = {**bound[nb.stem],
                              **{k: v for k, v in paths.items() if k in bound[nb.stem]}}
                if not audience.scope.is_company:
                    parameters["scope"] = str(audience.scope)
                jobs.append(ReportJob(
                    notebook=nb.resolve(), parameters=parameters, audience=audience.label,
                    log_name=self.layout.rel_log(self.options.as_of, audience.slug, nb.stem),
                    kernel_name=self.options.kernel_name,
                    start_timeout=self.options.start_timeout, threads=threads,
                    key=f"{audience.slug}/{nb.stem}", as_of=self.options.as_of,
                    nav=report_nav(nb.stem, titles[audience.slug]),
                    contact=self.options.contact))
        return jobs

    def published_titles(self, slug: str) -> dict[str, str]:
        """Titles of the reports an earlier run left in an audience's folder, by name."""
        manifest = read_manifest(self.layout.day(self.options.as_of, slug)) or {}
        return {nb["name"]: nb.get("title") or nb["name"]
                for nb in manifest.get("notebooks", []) if nb.get("html")}

    def _run(self, executor: Executor, jobs: list[ReportJob], workers: int, staging: Staging,
             data_dir: Path, fingerprint: str, run_audiences: list[Audience]) -> RunSummary:
        opts = self.options
        by_key = {job.key: job for job in jobs}
        folders: dict[str, list[NotebookResult]] = {a.slug: [] for a in run_audiences}
        started_at = dt.datetime.now().isoformat(timespec="seconds")
        t0 = time.perf_counter()
        self.say(f"running {len(jobs)} report(s) as of {opts.as_of} "
                 f"({len(jobs) // len(run_audiences)} notebook(s) for {len(run_audiences)} "
                 f"audience(s)) with {workers} worker(s), executor {opts.executor}")

        def on_done(out: ReportOutput) -> None:
            slug = out.key.partition("/")[0]
            folders[slug].append(self.stage(staging, out, by_key[out.key], slug, fingerprint))

        executor.run(jobs, on_done)
        data = describe_data(opts.data_dir, data_dir, fingerprint)
        elapsed = time.perf_counter() - t0
        labels = {a.slug: a.scope for a in run_audiences}
        staging.publish(lambda: self.plan(staging, folders, labels, data, started_at,
                                          elapsed, workers))
        with locked(self.layout.index_lock):
            staging.replace(INDEX_FILE, render_top_index(self.layout.reports_dir))
        return RunSummary(self.day_dir, {s: sorted(r, key=lambda r: r.name)
                                         for s, r in folders.items()}, fingerprint)

    def stage(self, staging: Staging, out: ReportOutput, job: ReportJob, slug: str,
              fingerprint: str) -> NotebookResult:
        """Stage one report's HTML, audit copy and log; its manifest entry."""
        as_of, name, layout = self.options.as_of, out.name, self.layout
        if out.executed is not None:
            staging.write(layout.rel_executed(as_of, slug, name), out.executed)
        staging.write(layout.rel_log(as_of, slug, name), out.log)
        if out.html is not None:
            staging.write(layout.rel_report(as_of, slug, name), out.html)
        result = NotebookResult(
            name=name, status="OK" if out.error is None else "FAILED", seconds=out.seconds,
            compute_seconds=out.compute_seconds, error=out.error,
            html=f"{name}.html" if out.html is not None else None,
            sha256=(hashlib.sha256(out.html.encode("utf-8")).hexdigest()
                    if out.html is not None else None),
            notebook=layout.rel_executed(as_of, slug, name) if out.executed is not None else None,
            title=out.title, log=layout.rel_log(as_of, slug, name), warnings=out.warnings,
            parameters=shared_parameters(job.parameters), data_fingerprint=fingerprint,
            as_of=as_of, finished_at=dt.datetime.now().isoformat(timespec="seconds"),
            headline=out.headline,
        )
        suffix = f": {out.error}" if out.error else ""
        self.say(f"{result.status:<8} {out.key.lstrip('/')} ({result.seconds:.1f} s){suffix}")
        return result

    def plan(self, staging: Staging, folders: dict[str, list[NotebookResult]],
             scopes: dict[str, Scope], data: dict[str, Any], started_at: str, seconds: float,
             workers: int) -> Plan:
        """Under the date's lock: merge each folder's manifest with what is there, stage the
        manifests and indexes, and list the moves (reports first, manifests and indexes last)."""
        as_of, layout, plan = self.options.as_of, self.layout, Plan()
        for legacy in LEGACY_DIRS:  # an older version's audit copies leave the shareable tree
            if (layout.day(as_of) / legacy).is_dir():
                plan.relocations.append(layout.rel_legacy(as_of, legacy))
        for slug, results in folders.items():
            for r in results:
                for rel, present in ((layout.rel_report(as_of, slug, r.name), r.html),
                                     (layout.rel_executed(as_of, slug, r.name), r.notebook),
                                     (layout.rel_log(as_of, slug, r.name), True)):
                    # a report without HTML removes the earlier one: never looks current
                    (plan.moves if present else plan.deletes).append(rel)
        manifests = {}
        for slug, results in folders.items():
            scope = scopes[slug]
            manifests[slug] = build_manifest(
                as_of, {"scope": str(scope), "label": scope.label, "slug": slug}, data,
                results, started_at, seconds, workers, previous=read_manifest(layout.day(as_of, slug)))
            for disagreement in headline_disagreements(manifests[slug]):
                self.say(f"WARNING  {slug or 'company'}: reports disagree on {disagreement}")
        company = manifests.pop("", None)
        contact = self.options.contact
        for slug, manifest in sorted(manifests.items()):
            folder = layout.rel_day(as_of, slug)
            staging.write(f"{folder}/{MANIFEST_FILE}", manifest_text(manifest))
            staging.write(f"{folder}/{INDEX_FILE}",
                          render_day_index(as_of, manifest, contact=contact))
            plan.moves += [f"{folder}/{MANIFEST_FILE}", f"{folder}/{INDEX_FILE}"]
        if company is not None:
            staging.write(f"{as_of}/{MANIFEST_FILE}", manifest_text(company))
            plan.moves.append(f"{as_of}/{MANIFEST_FILE}")
        else:
            company = read_manifest(layout.day(as_of))
        index = render_day_index(as_of, company, audience_summaries(layout.day(as_of), manifests),
                                 contact)
        staging.write(f"{as_of}/{INDEX_FILE}", index)
        plan.moves.append(f"{as_of}/{INDEX_FILE}")
        return plan


def run_reports(options: RunOptions, progress: Progress = print) -> RunSummary:
    """Run the reports described by ``options``; see ``ReportRunner``."""
    return ReportRunner(options, progress).run()
