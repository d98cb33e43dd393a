"""Where reports execute: ``make_executor(name, workers, scheduler)``.

* ``local`` (default): every report in a fresh process forked from a server that has the
  package, pandas, matplotlib, IPython and the HTML exporter loaded already (``preload``); the
  notebook runs in that process's IPython shell (``inprocess``) and is rendered there. Imports
  are paid once per run, not once per report, and nothing a report does (module globals,
  rcParams, environment, working folder) reaches the next one: its process ends with it.
* ``kernels``: one Jupyter kernel per report (``kernel``), what ``salesops run`` did before.
* ``dask``: each report is a task on a Dask distributed cluster (``scheduler``, e.g.
  ``tcp://HOST:8786``); workers need the same salesops version and the same notebook and data
  paths. A worker runs each report in a forked process as above when it may start child
  processes (workers with ``distributed.worker.daemon: false``), else in a Jupyter kernel.

Every executor returns one ``ReportOutput`` per job, in the jobs' order, and calls ``on_done``
in the caller's thread as each finishes; a report whose process, kernel or worker dies is a
FAILED output, never an exception.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

from salesops.orchestration.jobs import ReportJob, ReportOutput, error_text, failed_output, produce
from salesops.orchestration.kernel import ENGINE_NAME as KERNEL_ENGINE
from salesops.orchestration.kernel import THREAD_VARS

EXECUTORS = ("local", "kernels", "dask")
#: Imported by the fork server before it forks any report (see ``preload``).
PRELOAD = ["salesops.orchestration.preload", "salesops.orchestration.executors"]
#: The dataset folder the fork server loads ahead (set only while the server starts).
PRELOAD_DATA_ENV = "SALESOPS_PRELOAD_DATA"

OnDone = Callable[[ReportOutput], None]


class ExecutorError(ValueError):
    """The executor cannot start: unknown name, no scheduler given, scheduler unreachable."""


class ThreadedExecutor:
    """Runs jobs on ``workers`` threads, each producing one report at a time."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)

    def produce_one(self, job: ReportJob) -> ReportOutput:
        """One report; never raises."""
        raise NotImplementedError

    def run(self, jobs: list[ReportJob], on_done: OnDone) -> list[ReportOutput]:
        """Produce every job (started in the given order); outputs in the jobs' order."""
        outputs: dict[int, ReportOutput] = {}
        with ThreadPoolExecutor(max_workers=max(1, min(self.workers, len(jobs))),
                                thread_name_prefix="report") as pool:
            futures = {pool.submit(self.produce_one, job): i for i, job in enumerate(jobs)}
            for future in as_completed(futures):
                outputs[futures[future]] = future.result()
                on_done(outputs[futures[future]])
        return [outputs[i] for i in range(len(jobs))]

    def close(self) -> None:
        """Nothing to release: threads end with each run."""

    def __enter__(self) -> ThreadedExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class KernelExecutor(ThreadedExecutor):
    """One Jupyter kernel per report, started one at a time (``kernel``)."""

    def produce_one(self, job: ReportJob) -> ReportOutput:
        return produce(job, KERNEL_ENGINE)


@contextmanager
def thread_limits(threads: int) -> Iterator[None]:
    """Native thread pools limited to ``threads`` in processes started meanwhile (variables the
    user has set are left alone)."""
    unset = [v for v in THREAD_VARS if v not in os.environ]
    os.environ.update({v: str(threads) for v in unset})
    try:
        yield
    finally:
        for v in unset:
            os.environ.pop(v, None)


def fork_context(threads: int | None = None, data_dir: str | None = None) -> Any:
    """The fork-server context, its server started with ``PRELOAD`` (once per process) and,
    when given, the dataset in ``data_dir`` loaded ahead (``store.keep_loaded``)."""
    from multiprocessing import forkserver

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    if data_dir is not None:
        os.environ[PRELOAD_DATA_ENV] = data_dir
    try:
        with thread_limits(threads or 1):
            forkserver.ensure_running()
    finally:
        os.environ.pop(PRELOAD_DATA_ENV, None)
    return context


def shared_data_dir(jobs: list[ReportJob]) -> str | None:
    """The dataset folder every job reads, if they all read the same one."""
    folders = {str(job.parameters.get("data_dir") or "") for job in jobs}
    return folders.pop() or None if len(folders) == 1 else None


def produce_in_child(job: ReportJob, sender: Connection, environ: dict[str, str]) -> None:
    """Child process body: produce the report in this process's own IPython shell, with the
    environment the parent has now (not the one the fork server started with)."""
    from salesops.orchestration.inprocess import ENGINE_NAME

    os.environ.clear()
    os.environ.update(environ)
    sender.send(produce(job, ENGINE_NAME))
    sender.close()


def produce_forked(context: Any, job: ReportJob) -> ReportOutput:
    """Produce one report in a fresh process forked from the server; never raises."""
    t0 = time.perf_counter()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=produce_in_child, args=(job, sender, dict(os.environ)),
                              name=f"report-{job.key or job.notebook.stem}")
    try:
        process.start()
        sender.close()  # the child holds the only writer: its death ends recv() with EOFError
        return receiver.recv()
    except EOFError:
        process.join()
        return failed_output(job, "the report's process ended without a result "
                                  f"(exit code {process.exitcode})", time.perf_counter() - t0)
    except Exception as exc:
        return failed_output(job, error_text(exc), time.perf_counter() - t0)
    finally:
        receiver.close()
        if process.pid is not None:
            process.join()


class LocalExecutor(ThreadedExecutor):
    """Every report in a fresh process forked from a pre-loaded server."""

    def __init__(self, workers: int) -> None:
        super().__init__(workers)
        cores = os.cpu_count() or 1
        self.threads = max(1, cores // min(self.workers, cores))
        self.context: Any = None  # the fork server starts with the first run, data loaded

    def run(self, jobs: list[ReportJob], on_done: OnDone) -> list[ReportOutput]:
        if self.context is None:
            self.context = fork_context(self.threads, shared_data_dir(jobs))
        return super().run(jobs, on_done)

    def produce_one(self, job: ReportJob) -> ReportOutput:
        return produce_forked(self.context, job)


def produce_on_worker(job: ReportJob) -> ReportOutput:
    """A Dask task: the report in a forked process if this worker may have children, else in
    a Jupyter kernel (workers are daemonic processes by default)."""
    if multiprocessing.current_process().daemon:
        return produce(job, KERNEL_ENGINE)
    return produce_forked(fork_context(job.threads), job)


class DaskExecutor:
    """Each report is a task on a Dask distributed cluster."""

    def __init__(self, scheduler: str) -> None:
        from distributed import Client

        try:
            self.client = Client(scheduler, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ExecutorError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None

    def run(self, jobs: list[ReportJob], on_done: OnDone) -> list[ReportOutput]:
        """Submit every job (earlier ones first); outputs in the jobs' order."""
        from distributed import as_completed as completed

        run_id = uuid.uuid4().hex[:8]
        futures = {
            self.client.submit(produce_on_worker, job, pure=False, priority=len(jobs) - i,
                               key=f"salesops-{run_id}-{i}-{job.key or job.notebook.stem}"): i
            for i, job in enumerate(jobs)
        }
        outputs: dict[int, ReportOutput] = {}
        for future in completed(futures, loop=self.client.loop):
            i = futures[future]
            try:
                outputs[i] = future.result()
            except Exception as exc:  # the task failed or its worker died (KilledWorker)
                outputs[i] = failed_output(jobs[i], f"the Dask task failed: {error_text(exc)}")
            on_done(outputs[i])
        return [outputs[i] for i in range(len(jobs))]

    def close(self) -> None:
        """Disconnect from the scheduler (the cluster keeps running)."""
        self.client.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


Executor = LocalExecutor | KernelExecutor | DaskExecutor


def make_executor(name: str = "local", workers: int | None = None,
                  scheduler: str | None = None) -> Executor:
    """The executor called ``name``; ``workers`` reports at a time locally (default: one per
    core); ``scheduler`` is the Dask scheduler's address (``dask`` only)."""
    workers = workers or os.cpu_count() or 1
    if name == "local":
        return LocalExecutor(workers)
    if name == "kernels":
        return KernelExecutor(workers)
    if name == "dask":
        if not scheduler:
            raise ExecutorError("--executor dask needs --scheduler ADDRESS (e.g. tcp://HOST:8786)")
        return DaskExecutor(scheduler)
    raise ExecutorError(f"unknown executor '{name}' (choose from {', '.join(EXECUTORS)})")
