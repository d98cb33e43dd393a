"""Run every benchmark in turn (one command: `make bench`); each prints its own ratios.

The M3 forecast benchmark needs ../shared/datasets/m3_monthly.csv; pass another path with --m3.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["bench_reports.py", "bench_fanout.py", "bench_metrics.py", "bench_comp.py",
              "territories_bench.py", "forecast_m3.py"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--m3", default=str(HERE.parent.parent / "shared/datasets/m3_monthly.csv"),
                        help="path to the M3 monthly CSV (long format)")
    args = parser.parse_args()
    failed = []
    for name in BENCHMARKS:
        extra = [args.m3] if name == "forecast_m3.py" else []
        print(f"\n=== {name} ===", flush=True)
        if subprocess.run([sys.executable, str(HERE / name), *extra]).returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
