"""The Dask executor on a LocalCluster of 2 workers: the same reports as the local executor,
isolated, and a worker that dies gives a FAILED report, not a crashed run."""

from __future__ import annotations

import dask
import nbformat
import pytest
from distributed import LocalCluster
from test_executors import AS_OF, REAL_NOTEBOOKS, job, outputs_of, run, visible

from salesops.data.builtin import ensure_sample_dataset
from salesops.orchestration.executors import ExecutorError, make_executor


@pytest.fixture(scope="module")
def scheduler():
    """Address of a 2-worker cluster; a task whose worker dies is not retried elsewhere."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


def run_dask(scheduler, jobs):
    done = []
    with make_executor("dask", 2, scheduler) as executor:
        outputs = executor.run(jobs, lambda out: done.append(out.key))
    assert sorted(done) == sorted(j.key for j in jobs)
    return outputs


def test_dask_gives_the_same_reports_as_the_local_executor(scheduler):
    data = str(ensure_sample_dataset(end=AS_OF))
    jobs = [job("shows", greeting="hi there"), job("fails"),
            job("data_quality", REAL_NOTEBOOKS, as_of=AS_OF, data_dir=data,
                scope="region=EMEA")]
    for ours, theirs in zip(run_dask(scheduler, jobs), run("local", jobs), strict=True):
        assert ours.key == theirs.key
        assert visible(ours) == visible(theirs)
        assert (ours.error, ours.title) == (theirs.error, theirs.title)
    assert outputs_of(ours)  # the audit copy travels back too


def test_state_left_by_a_report_does_not_reach_the_next_on_dask(scheduler):
    leaves, finds = run_dask(scheduler, [job("leaves_state"), job("finds_state")])
    assert outputs_of(finds)[-1][0]["text"].startswith(
        "module global: False\nrcParams: False\nenvironment: None\n")


def test_a_worker_that_dies_gives_a_failed_report_and_the_cluster_goes_on(scheduler):
    [killed] = run_dask(scheduler, [job("kills_worker")])
    assert killed.error is not None and killed.error.startswith("the Dask task failed: KilledWorker")
    assert killed.html is None and "FAILED" in killed.log
    [after] = run_dask(scheduler, [job("shows")])  # the nanny restarted the worker
    assert after.error is None


def test_workers_allowed_children_fork_each_report_instead_of_starting_a_kernel():
    with dask.config.set({"distributed.worker.daemon": False}), \
            LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster:
        [out] = run_dask(cluster.scheduler_address, [job("shows")])
    nb = nbformat.reads(out.executed, as_version=4)
    # nbclient (a kernel) records message timestamps per cell; the in-process engine does not
    assert not any("execution" in c.metadata for c in nb.cells)
    assert out.error is None


def test_an_unreachable_scheduler_is_a_clear_error():
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), \
            pytest.raises(ExecutorError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        make_executor("dask", 2, "tcp://127.0.0.1:9")
