"""Benchmark: a report for every manager, fan-out against the loop a user writes today and the floor.

Run: ``.venv/bin/python benchmarks/bench_fanout.py [--audiences 50] [--workers N] [--scale 7.5]``.

Sample data at ``--scale`` (7 managers per unit of scale: 7.5 gives 52), generated and ingested
once into ``benchmarks/.cache``; the company plus the first ``--audiences`` managers, all four
notebooks each, measured in one invocation:

* loop: ``salesops run --param scope=manager=<name>`` once per audience (and once for the
  company), one after the other, each a fresh process with one Jupyter kernel per report
  (``--executor kernels``: what ``salesops run`` did before the local executor);
* fan-out: one ``salesops run --for-each <file of the same scopes>`` (default executor);
* floor: each report's own compute, i.e. its cells' execution time in the fan-out run (where
  the fork server has done the imports), spread over the cores: ``max(longest, total / cores)``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from bench_reports import timed

from salesops.data.ingest import ingest
from salesops.data.sample import write_sample
from salesops.data.scope import audiences
from salesops.data.store import load_dataset

ROOT = Path(__file__).resolve().parents[1]
SALESOPS = str(Path(sys.executable).parent / "salesops")
CACHE = ROOT / "benchmarks" / ".cache"
AS_OF = "2026-03-31"


def bench_dataset(scale: float) -> Path:
    """The processed sample at ``scale`` ending on ``AS_OF``, generated once."""
    folder = CACHE / f"fanout-s{scale}-{AS_OF}"
    processed = folder / "processed"
    if not (processed / "opportunities.parquet").exists():
        write_sample(folder / "raw", end=AS_OF, scale=scale)
        ingest(folder / "raw", processed)
    return processed


def salesops_run(args: list[str], reports: Path, workers: int) -> float:
    """Wall time of one ``salesops run``; exits if it fails to run (a FAILED report is exit 1)."""
    cmd = [SALESOPS, "run", "--as-of", AS_OF, "--reports-dir", str(reports),
           "--workers", str(workers), *args]
    return timed(cmd)


def reports_of(reports: Path) -> list[dict]:
    """Every manifest entry of the run's dated folder (the company's and each audience's)."""
    return [entry for manifest in sorted((reports / AS_OF).glob("**/manifest.json"))
            for entry in json.loads(manifest.read_text())["notebooks"]]


def fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audiences", type=int, default=50, help="managers to report for")
    parser.add_argument("--scale", type=float, default=7.5, help="sample data scale")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    data = bench_dataset(args.scale)
    managers = audiences(load_dataset(data), "manager", AS_OF)
    if len(managers) < args.audiences:
        sys.exit(f"the sample at scale {args.scale} has {len(managers)} managers; "
                 f"raise --scale for {args.audiences}")
    scopes = [str(m) for m in managers[:args.audiences]]
    work = fresh(CACHE / "fanout")
    scope_file = work / "managers.txt"
    scope_file.write_text("".join(f"{s}\n" for s in scopes))
    cores = os.cpu_count() or 1
    common = ["--data", str(data)]
    print(f"company + {len(scopes)} managers x 4 notebooks, scale {args.scale}, "
          f"{cores} core(s), {args.workers} worker(s)", flush=True)

    fanout = salesops_run([*common, "--for-each", str(scope_file)], work / "fanout", args.workers)
    entries = reports_of(work / "fanout")
    print(f"fan-out: {fanout:.1f} s for {len(entries)} reports", flush=True)

    loop_reports = work / "loop"
    loop = 0.0
    for scope in [None, *scopes]:
        extra = ["--param", f"scope={scope}"] if scope else []
        loop += salesops_run([*common, "--executor", "kernels", *extra], loop_reports,
                             args.workers)
    loop_entries = reports_of(loop_reports)
    print(f"loop:    {loop:.1f} s for {len(loop_entries)} reports", flush=True)

    failed = [e["name"] for e in entries + loop_entries if e["status"] != "OK"]
    compute = [e["compute_seconds"] or 0.0 for e in entries]
    floor = max(max(compute), sum(compute) / min(cores, args.workers))
    overhead = (fanout * min(cores, args.workers) - sum(compute)) / len(entries)
    loop_compute = sum(e["compute_seconds"] or 0.0 for e in loop_entries)

    print(f"\nreports' own compute: {sum(compute):.1f} s in the fan-out "
          f"({loop_compute:.1f} s in the loop's kernels, imports included); "
          f"fan-out overhead {overhead:.2f} s per report and core")
    if failed:
        print(f"FAILED reports: {len(failed)} ({', '.join(sorted(set(failed)))})")
    print(f"loop (salesops run per audience): {loop:8.1f} s")
    print(f"fan-out (salesops run --for-each): {fanout:7.1f} s   speed-up vs loop "
          f"{loop / fanout:.2f}x (target >= 3x)")
    print(f"floor (compute over {min(cores, args.workers)} cores): {floor:8.1f} s   "
          f"fan-out / floor {fanout / floor:.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    main()
