"""The ``salesops`` command: run reports, start a project, write sample data, ingest exports,
snapshot the open pipeline.

Exit codes: 0 success, 1 some report failed, 2 usage or input error, 3 ingest refused because
a table lost more than the allowed share of its rows to quarantine. Heavy imports happen
inside each subcommand so that ``salesops --help`` and the data commands start fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from salesops.data.periods import FREQS

if TYPE_CHECKING:
    from salesops.data.ingest import IngestResult

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_QUARANTINE = 0, 1, 2, 3


def _iso_date(text: str) -> str:
    """argparse type: YYYY-MM-DD, 'today' or 'yesterday' (nothing else), returned as YYYY-MM-DD."""
    word = text.strip().lower()
    if word in ("today", "yesterday"):
        return (dt.date.today() - dt.timedelta(days=word == "yesterday")).isoformat()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(
        f"must be a date as YYYY-MM-DD (e.g. 2026-03-31), 'today' or 'yesterday', got {text!r}")


def _positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return value


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _skip_unused_slow_imports() -> None:
    """Halve the runner's start-up by skipping an optional import notebooks never need."""
    # nbformat's jsonschema compiles an IRI grammar on import (~1 s) when rfc3987_syntax is
    # installed; notebook schemas use no IRI format, so marking it absent loses nothing.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]


def _help_params(args: argparse.Namespace) -> int:
    """Print the declared parameters of the named notebooks (all without names)."""
    from salesops.orchestration.contract import help_text
    from salesops.orchestration.params import ParamError
    from salesops.orchestration.runner import RunInputError, discover_notebooks

    try:
        notebooks = discover_notebooks(
            Path(args.notebooks_dir) if args.notebooks_dir else None, tuple(args.notebooks))
        print("\n".join(help_text(path) for path in notebooks), end="")
    except (RunInputError, ParamError) as exc:
        return _error(str(exc))
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """Execute the notebooks and render the dated report folder."""
    if args.help_params:
        return _help_params(args)
    _skip_unused_slow_imports()
    from salesops.orchestration.params import ParamError, parse_params

    try:
        params = parse_params(args.param)
    except ParamError as exc:
        return _error(str(exc))
    from salesops.orchestration.executors import ExecutorError
    from salesops.orchestration.runner import RunInputError, RunOptions, run_reports

    options = RunOptions(
        as_of=args.as_of, reports_dir=Path(args.reports_dir),
        notebooks_dir=Path(args.notebooks_dir) if args.notebooks_dir else None,
        data_dir=Path(args.data) if args.data else None, period=args.period, params=params,
        names=tuple(args.notebooks), workers=args.workers, scope=args.scope,
        for_each=args.for_each, executor=args.executor, scheduler=args.scheduler,
        contact=args.contact or None, snapshot_store=args.snapshot_store,
    )
    try:
        summary = run_reports(options, progress=lambda line: print(line, flush=True))
    except (RunInputError, ParamError, ExecutorError) as exc:
        return _error(str(exc))
    index = summary.index
    if summary.failed:
        print(f"{len(summary.failed)} of {len(summary.results)} report(s) FAILED: "
              f"{', '.join(summary.failed)}; see {index}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{len(summary.results)} report(s) OK: {index}")
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    """Create an analyst's project folder and print the commands to run next."""
    from salesops.orchestration.project import ProjectError, init_project, next_steps

    target = Path(args.directory)
    try:
        written = init_project(target)
    except ProjectError as exc:
        return _error(str(exc))
    notebooks = sum(p.suffix == ".ipynb" for p in written)
    print(f"created {target}: data/raw/, reports/, mapping.yaml (commented template), "
          f"notebooks/ ({notebooks} report notebooks to edit)")
    print("next:")
    for line in next_steps(target):
        print(f"  {line}")
    return EXIT_OK


def cmd_sample_data(args: argparse.Namespace) -> int:
    """Write the synthetic CRM exports (CSV) and print row counts per table."""
    from salesops.data.sample import write_sample

    try:
        counts = write_sample(Path(args.out), seed=args.seed, end=args.end, scale=args.scale)
    except ValueError as exc:
        return _error(str(exc))
    for table, rows in counts.items():
        print(f"{table}: {rows} rows")
    print(f"written to {args.out}")
    return EXIT_OK


def _share(text: str) -> float:
    """argparse type: a share between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be a share between 0 and 1, got {text!r}")
    return value


def _positive_number(text: str) -> float:
    """argparse type: a number > 0 (1e12 is accepted)."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text!r}")
    return value


def cmd_ingest(args: argparse.Namespace) -> int:
    """Validate CRM exports into a processed dataset; print what was kept and quarantined."""
    from salesops.data.ingest import Database, IngestError, TooManyQuarantined, ingest
    from salesops.data.secrets import MissingSecretError, get_secret
    from salesops.data.snapshots import SnapshotError

    if (args.source_dir is None) == (args.source_url_env is None):
        return _error("give either SOURCE_DIR (a folder of exports) or --source-url-env NAME "
                      "(an environment variable holding a database URL), not both or neither")
    try:
        source = (Path(args.source_dir) if args.source_dir is not None else
                  Database(get_secret(args.source_url_env), label=f"${args.source_url_env}"))
        result = ingest(source, Path(args.out), mapping=args.mapping, preset=args.preset,
                        max_quarantine_share=args.max_quarantine_share,
                        max_amount=args.max_amount,
                        snapshots=Path(args.snapshots) if args.snapshots else None)
    except (MissingSecretError, SnapshotError) as exc:
        return _error(str(exc))
    except TooManyQuarantined as exc:
        _print_counts(exc.result)
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_QUARANTINE
    except IngestError as exc:
        return _error(str(exc))
    _print_counts(result)
    print(f"currency {result.settings.currency}, fiscal year starts in month "
          f"{result.settings.fiscal_year_start_month}; written to {args.out} "
          "(quarantine.csv, data_quality.json)")
    return EXIT_OK


def cmd_snapshot(args: argparse.Namespace) -> int:
    """Append the open pipeline of a processed dataset to the snapshot store; say what it wrote."""
    import pandas as pd

    from salesops.data.snapshots import SnapshotError, default_store, take_snapshot
    from salesops.presentation.formatting import count, money

    data = Path(args.data)
    if not data.is_dir():
        return _error(f"data folder '{data}' not found: give the processed dataset folder "
                      "(`salesops ingest --out`) with --data")
    store = Path(args.store) if args.store else default_store(data)
    try:
        w = take_snapshot(data, store, pd.Timestamp(args.as_of))
    except (SnapshotError, FileNotFoundError) as exc:
        return _error(str(exc))
    unknown = f" ({count(w.unknown_amount)} without an amount)" if w.unknown_amount else ""
    print(f"snapshot {w.on:%Y-%m-%d}: {count(w.deals)} open deals, "
          f"{money(w.amount, w.currency)} open amount{unknown}; written to {w.file}")
    return EXIT_OK


def _print_counts(result: IngestResult) -> None:
    """Rows in, kept and quarantined per table, then the warnings."""
    for table, c in result.counts.items():
        reasons = ", ".join(f"{code} {n}" for code, n in sorted(c.reasons.items()))
        print(f"{table:14} {c.file}: {c.rows_in} in, {c.rows_kept} kept, "
              f"{c.rows_quarantined} quarantined" + (f" ({reasons})" if reasons else ""))
    for warning in result.warnings:
        print(f"warning: {warning}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``salesops`` and its subcommands."""
    parser = argparse.ArgumentParser(prog="salesops", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute report notebooks and render HTML reports")
    run.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                     help="notebooks to run, by name (default: all in --notebooks-dir)")
    run.add_argument("--as-of", type=_iso_date, default=_iso_date("today"),
                     help="report date, YYYY-MM-DD (default: today)")
    run.add_argument("--data", help="processed dataset folder (default: built-in sample data)")
    run.add_argument("--period", choices=FREQS, default=None,
                     help="reporting period, given to every notebook (each must declare "
                          "'period'); default: each notebook's own")
    run.add_argument("--scope", default=None, metavar="SCOPE",
                     help="run for one audience, e.g. region=EMEA or 'manager=Jane Doe' "
                          "(into reports/<date>/<slug>/; same as --param scope=SCOPE)")
    run.add_argument("--for-each", default=None, metavar="KIND|FILE",
                     help="run for the company and for each audience: every value of a roster "
                          "column (manager, region, team, ...) on the as-of date, or the scopes "
                          "listed one per line in FILE")
    run.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                     help="notebook parameter, declared by every selected notebook and "
                          "converted by its default's type (repeatable); "
                          "secrets are refused: notebooks read them from the environment/.env")
    run.add_argument("--help-params", action="store_true",
                     help="list the named notebooks' parameters (defaults and comments) and exit")
    run.add_argument("--workers", type=_positive_int, default=os.cpu_count() or 1,
                     help="notebooks run in parallel (default: CPU count)")
    run.add_argument("--executor", choices=("local", "kernels", "dask"), default="local",
                     help="where reports execute: local (default; each report in a fresh "
                          "process forked from a pre-loaded server), kernels (one Jupyter kernel "
                          "per report) or dask (tasks on the cluster at --scheduler)")
    run.add_argument("--scheduler", default=None, metavar="ADDRESS",
                     help="Dask scheduler address for --executor dask, e.g. tcp://HOST:8786")
    run.add_argument("--contact", default=os.environ.get("SALESOPS_CONTACT"), metavar="TEXT",
                     help="whom readers ask about the reports, e.g. 'Sales Ops, ops@example.com': "
                          "on the cover page and on a failed report's page (default: "
                          "$SALESOPS_CONTACT; without it a failed report names 'the team that "
                          "runs these reports')")
    run.add_argument("--snapshot-store", default=None, metavar="DIR",
                     help="append the open pipeline on the as-of date to this snapshot store "
                          "before the reports (default: 'snapshots' beside a --data folder; "
                          "none for the built-in sample; '' turns it off)")
    run.add_argument("--reports-dir", default="reports")
    run.add_argument("--notebooks-dir", default=None,
                     help="folder of notebooks (default: ./notebooks if it exists, else the "
                          "notebooks shipped with salesops)")
    run.set_defaults(func=cmd_run)

    init = sub.add_parser("init", help="create a project folder: data/raw, reports, a commented "
                                       "mapping template and the notebooks to edit")
    init.add_argument("directory", metavar="DIR", help="new (or empty) folder to create")
    init.set_defaults(func=cmd_init)

    sample = sub.add_parser("sample-data", help="write synthetic CRM exports as CSV")
    sample.add_argument("--out", required=True, help="folder to write the CSV files into")
    sample.add_argument("--seed", type=int, default=7)
    sample.add_argument("--end", type=_iso_date, default=None,
                        help="last day of generated history (default: today)")
    sample.add_argument("--scale", type=float, default=1.0, help="size multiplier")
    sample.set_defaults(func=cmd_sample_data)

    ing = sub.add_parser("ingest", help="validate CRM exports into a processed dataset")
    ing.add_argument("source_dir", metavar="SOURCE_DIR", nargs="?", default=None,
                     help="folder of exported CSV, Excel or Parquet files")
    ing.add_argument("--source-url-env", metavar="NAME", default=None,
                     help="read the tables from a SQL database instead: NAME is the environment "
                          "variable (or .env entry) holding its SQLAlchemy URL, never printed")
    ing.add_argument("--out", default="data/processed",
                     help="output folder: new, empty, or an earlier ingest output")
    ing.add_argument("--mapping", default=None, help="YAML mapping of source columns")
    ing.add_argument("--preset", default=None, metavar="NAME",
                     help="a shipped mapping for a CRM's exports (salesforce, hubspot); "
                          "--mapping is layered on top of it")
    ing.add_argument("--max-quarantine-share", type=_share, default=0.5, metavar="SHARE",
                     help="refuse (exit 3, writing only the quarantine) when a table loses more "
                          "than this share of its rows (default 0.5)")
    ing.add_argument("--max-amount", type=_positive_number, default=1e12, metavar="AMOUNT",
                     help="quarantine amounts and quotas above this (default 1e12)")
    ing.add_argument("--snapshots", default=None, metavar="DIR",
                     help="snapshot store of `salesops snapshot`: when the exports hold no "
                          "opportunity history, build it from these nightly snapshots")
    ing.set_defaults(func=cmd_ingest)

    snap = sub.add_parser("snapshot", help="append today's open pipeline to a snapshot store "
                                           "(nightly, so deal history accumulates)")
    snap.add_argument("--data", default="data/processed",
                      help="processed dataset folder (default: data/processed)")
    snap.add_argument("--store", default=None, metavar="DIR",
                      help="snapshot store (default: 'snapshots' beside --data, i.e. "
                           "data/snapshots)")
    snap.add_argument("--as-of", type=_iso_date, default=_iso_date("today"),
                      help="the date the snapshot is of, YYYY-MM-DD (default: today); a past "
                           "date sees the deals and values known then, as far as the data tells")
    snap.set_defaults(func=cmd_snapshot)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``salesops`` console script; returns the exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
