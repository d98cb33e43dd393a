"""Benchmark: ``salesops run`` against the naive pipeline and against a compute floor.

Run: ``.venv/bin/python benchmarks/bench_reports.py [--repeat N] [--workers N]``.

* naive: for each notebook, one after the other, the ``papermill`` CLI then
  ``jupyter nbconvert --to html --no-input`` (each a fresh Python process);
* salesops: one ``salesops run`` process (parallel workers, one reused exporter);
* floor: per notebook one kernel start plus its own cell execution time (imports included,
  taken from the naive run's executed notebooks), spread over the cores:
  ``max(longest notebook, total / cores)``; no scheduler can beat it.

Both pipelines run on the built-in sample data in the same invocation; outputs go to
``benchmarks/.cache`` (git-ignored). Best of ``--repeat`` runs is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import start_new_kernel

from salesops.data.builtin import ensure_sample_dataset

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CACHE = ROOT / "benchmarks" / ".cache"
AS_OF = "2026-03-31"


def timed(cmd: list[str]) -> float:
    """Wall time of a subprocess; its output is discarded unless it fails."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return seconds


def cell_seconds(executed: Path) -> float:
    """Sum of the cells' execution times papermill recorded in an executed notebook."""
    nb = nbformat.read(executed, as_version=4)
    return sum(c.metadata.get("papermill", {}).get("duration") or 0.0 for c in nb.cells)


def run_naive(notebooks: list[Path], data: Path) -> tuple[float, dict[str, float]]:
    """Sequential papermill CLI + nbconvert CLI per notebook; wall time and compute per notebook."""
    out = CACHE / "naive"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    t0 = time.perf_counter()
    for nb in notebooks:
        executed = out / nb.name
        timed([str(BIN / "papermill"), str(nb), str(executed), "--no-progress-bar",
               "--cwd", str(nb.parent), "-p", "as_of", AS_OF, "-p", "data_dir", str(data),
               "-p", "period", "quarter", "-p", "reports_dir", str(out)])
        timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
               "--output-dir", str(out), str(executed)])
    wall = time.perf_counter() - t0
    return wall, {nb.stem: cell_seconds(out / nb.name) for nb in notebooks}


def run_salesops(notebooks_dir: Path, data: Path, workers: int) -> tuple[float, dict]:
    """One ``salesops run`` process; wall time and its manifest."""
    reports = CACHE / "reports"
    shutil.rmtree(reports, ignore_errors=True)
    wall = timed([str(BIN / "salesops"), "run", "--as-of", AS_OF, "--data", str(data),
                  "--workers", str(workers), "--reports-dir", str(reports),
                  "--notebooks-dir", str(notebooks_dir)])
    return wall, json.loads((reports / AS_OF / "manifest.json").read_text())


def kernel_start_seconds() -> float:
    """Time to start a python3 kernel and get its first reply."""
    t0 = time.perf_counter()
    km, kc = start_new_kernel(kernel_name="python3")
    seconds = time.perf_counter() - t0
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each pipeline (best kept)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--notebooks-dir", type=Path, default=ROOT / "notebooks")
    args = parser.parse_args()

    notebooks = sorted(args.notebooks_dir.glob("*.ipynb"))
    data = ensure_sample_dataset()  # generated once and cached, outside both timings
    cores = os.cpu_count() or 1
    print(f"{len(notebooks)} notebook(s), {cores} core(s), {args.workers} worker(s), "
          f"best of {args.repeat}")

    naive = salesops = float("inf")
    for _ in range(args.repeat):
        wall, compute = run_naive(notebooks, data)
        naive = min(naive, wall)
        wall, manifest = run_salesops(args.notebooks_dir, data, args.workers)
        salesops = min(salesops, wall)
    start = min(kernel_start_seconds() for _ in range(3))

    print(f"\n{'notebook':<28}{'compute (naive)':>16}{'compute (run)':>15}{'status':>8}")
    for entry in manifest["notebooks"]:
        print(f"{entry['name']:<28}{compute[entry['name']]:>15.2f}s"
              f"{entry['compute_seconds'] or 0:>14.2f}s{entry['status']:>8}")
    per_notebook = [start + seconds for seconds in compute.values()]
    floor = max(max(per_notebook), sum(per_notebook) / min(cores, args.workers))

    print(f"\nkernel start: {start:.2f}s per notebook")
    print(f"naive pipeline:  {naive:7.2f}s")
    print(f"salesops run:    {salesops:7.2f}s   speed-up vs naive {naive / salesops:.2f}x "
          "(target >= 3x)")
    print(f"floor estimate:  {floor:7.2f}s   salesops run / floor {salesops / floor:.2f}x "
          "(target <= 1.5x)")


if __name__ == "__main__":
    main()
