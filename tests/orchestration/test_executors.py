"""Executors: the fast local one (forked, pre-loaded processes) gives the same reports as one
Jupyter kernel per report, keeps reports isolated and turns a dying report into a FAILED one."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import nbformat
import pytest

from salesops.data.builtin import ensure_sample_dataset
from salesops.orchestration.executors import ExecutorError, make_executor
from salesops.orchestration.jobs import ReportJob, ReportOutput

NOTEBOOKS = Path(__file__).parent / "notebooks" / "executors"
REAL_NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
AS_OF = "2026-03-31"
#: Random per render: pandas Styler table ids, the failure banner's cell id.
RANDOM_IDS = re.compile(r"T_[0-9a-f]{5}|cell-id=[0-9a-f-]+")


def job(name: str, folder: Path = NOTEBOOKS, **parameters: object) -> ReportJob:
    return ReportJob(notebook=folder / f"{name}.ipynb", parameters=parameters, key=name)


def visible(out: ReportOutput) -> str:
    """What a reader gets: the HTML without the ids that differ on every render."""
    assert out.html is not None, out.error
    return RANDOM_IDS.sub("", out.html)


def outputs_of(out: ReportOutput) -> list[list[dict]]:
    """Every code cell's outputs in the executed notebook (the audit copy)."""
    nb = nbformat.reads(out.executed, as_version=4)
    return [c.outputs for c in nb.cells if c.cell_type == "code"]


def run(executor_name: str, jobs: list[ReportJob], workers: int = 2) -> list[ReportOutput]:
    done: list[str] = []
    with make_executor(executor_name, workers, None) as executor:
        outputs = executor.run(jobs, lambda out: done.append(out.key))
    assert sorted(done) == sorted(j.key for j in jobs)  # on_done once per report
    return outputs


@pytest.fixture(scope="module")
def small_runs() -> dict[str, dict[str, ReportOutput]]:
    """The test notebooks through both local executors."""
    jobs = [job("shows", greeting="hi there"), job("fails"), job("updates")]
    return {name: {out.key: out for out in run(name, jobs)} for name in ("local", "kernels")}


def test_local_and_kernels_give_the_same_reports(small_runs):
    local, kernels = small_runs["local"], small_runs["kernels"]
    for key in ("shows", "fails", "updates"):
        assert visible(local[key]) == visible(kernels[key])
        assert local[key].error == kernels[key].error
        assert local[key].title == kernels[key].title
    shows = outputs_of(local["shows"])
    assert shows == outputs_of(kernels["shows"])  # same outputs, types and execution counts
    assert [o["output_type"] for o in shows[2]] == ["stream"]  # print(greeting)
    assert shows[2][0]["text"] == "hi there\n"
    assert [o["output_type"] for o in shows[3]] == ["display_data", "execute_result"]
    assert shows[3][1]["data"]["text/plain"] == "42"
    assert "image/png" in shows[4][0]["data"]  # the inline backend shows the figure
    assert shows[5][0]["name"] == "stderr"
    assert local["shows"].warnings == kernels["shows"].warnings == 1
    assert "a figure" not in visible(local["shows"])  # titles are inside the PNG
    updates = outputs_of(local["updates"])
    assert updates == outputs_of(kernels["updates"])
    assert [o["data"]["text/plain"] for o in updates[0] + updates[2]] == ["'third'"] * 2
    assert updates[1] == [{"output_type": "stream", "name": "stdout", "text": "b\n"}]


def test_a_failing_cell_fails_the_report_on_each_executor(small_runs):
    for outputs in small_runs.values():
        failed = outputs["fails"]
        assert failed.error == "ValueError: broken on purpose (cell In [3])"
        assert failed.html is not None and "This report could not be produced" in failed.html
        assert "broken on purpose" in failed.log
        assert not any(c for c in outputs_of(failed)[-1])  # the cell after it never ran


@pytest.mark.parametrize("executor_name", ["local", "kernels"])
def test_state_left_by_a_report_does_not_reach_the_next(executor_name):
    leaves, finds = run(executor_name, [job("leaves_state"), job("finds_state")], workers=1)
    assert leaves.error is None and finds.error is None
    printed = outputs_of(finds)[-1][0]["text"]
    assert printed == ("module global: False\nrcParams: False\nenvironment: None\n"
                       f"working folder: {NOTEBOOKS.name}\n")


@pytest.mark.parametrize("executor_name", ["local", "kernels"])
def test_a_report_whose_process_dies_is_failed_and_the_others_run(executor_name):
    dies, shows = run(executor_name, [job("dies"), job("shows")])
    assert dies.error is not None and dies.html is None
    assert dies.name == "dies" and dies.key == "dies"
    assert "FAILED" in dies.log
    assert shows.error is None


def test_reports_see_the_environment_of_the_run_not_of_the_fork_servers_start(monkeypatch):
    run("local", [job("shows")])  # the fork server is running
    monkeypatch.setenv("SALESOPS_LEFT", "set by the caller")
    [finds] = run("local", [job("finds_state")])
    assert "environment: set by the caller\n" in outputs_of(finds)[-1][0]["text"]


def test_local_executor_calls_on_done_in_the_callers_thread():
    threads = set()
    with make_executor("local", 2, None) as executor:
        executor.run([job("shows"), job("fails")],
                     lambda out: threads.add(threading.current_thread()))
    assert threads == {threading.current_thread()}


def test_unknown_executor_and_dask_without_scheduler_are_clear_errors():
    with pytest.raises(ExecutorError, match="unknown executor 'spark'.*local, kernels, dask"):
        make_executor("spark", 2, None)
    with pytest.raises(ExecutorError, match="--scheduler"):
        make_executor("dask", 2, None)


def test_real_notebooks_render_the_same_locally_and_in_kernels():
    data = str(ensure_sample_dataset(end=AS_OF))
    jobs = [job(name, REAL_NOTEBOOKS, as_of=AS_OF, data_dir=data, scope="region=EMEA")
            for name in ("performance_review", "data_quality")]
    local, kernels = run("local", jobs), run("kernels", jobs)
    for ours, theirs in zip(local, kernels, strict=True):
        assert ours.error is None and theirs.error is None, (ours.error, theirs.error)
        assert visible(ours) == visible(theirs)
        assert ours.title == theirs.title
