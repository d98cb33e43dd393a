"""The ``salesops`` command line: exit codes, input errors, data subcommands (stubbed)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import salesops.data.builtin
import salesops.data.ingest
import salesops.data.sample
from salesops.orchestration.cli import build_parser, main
from salesops.orchestration.runner import describe_data, resolve_data_dir

NOTEBOOKS = str(Path(__file__).parent / "notebooks")


@pytest.mark.parametrize(("param", "message"), [
    ("1x=3", "not a valid Python identifier"),
    ("class=1", "not a valid Python identifier"),
    ("api_key=abc", "environment variables"),
    ("source=postgresql://bob:hunter2@db/crm", "looks like a credential"),
])
def test_bad_params_exit_2_before_running(tmp_path, capsys, param, message):
    code = main(["run", "--notebooks-dir", NOTEBOOKS, "--reports-dir", str(tmp_path),
                 "--param", param])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "hunter2" not in err
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("args", [
    ["run", "nope", "--notebooks-dir", NOTEBOOKS, "--data", "."],
    ["run", "--notebooks-dir", "missing_dir", "--data", "."],
    ["run", "--notebooks-dir", NOTEBOOKS, "--data", "missing_data_dir"],
    ["run", "--as-of", "2026-13-45"],
    ["run", "--workers", "0"],
    ["run", "--period", "week"],
    ["run", "--executor", "spark"],
    ["run", "--notebooks-dir", NOTEBOOKS, "--data", ".", "--executor", "dask"],  # no --scheduler
    [],
])
def test_usage_and_input_errors_exit_2(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    assert not (tmp_path / "reports").exists()  # nothing written


def test_period_is_injected_only_when_given():
    assert build_parser().parse_args(["run"]).period is None
    assert build_parser().parse_args(["run", "--period", "month"]).period == "month"


def test_contact_comes_from_the_option_else_the_environment(monkeypatch):
    monkeypatch.delenv("SALESOPS_CONTACT", raising=False)
    assert build_parser().parse_args(["run"]).contact is None
    monkeypatch.setenv("SALESOPS_CONTACT", "Sales Ops, ops@example.com")
    assert build_parser().parse_args(["run"]).contact == "Sales Ops, ops@example.com"
    assert build_parser().parse_args(["run", "--contact", "Ana"]).contact == "Ana"


def test_help_exits_0(capsys):
    assert main(["--help"]) == 0
    assert "sample-data" in capsys.readouterr().out


def test_sample_data_prints_row_counts(monkeypatch, capsys, tmp_path):
    calls = {}

    def fake_write_sample(out_dir, seed, end, scale):
        calls.update(out_dir=out_dir, seed=seed, end=end, scale=scale)
        return {"reps": 40, "opportunities": 1200}

    monkeypatch.setattr(salesops.data.sample, "write_sample", fake_write_sample)
    code = main(["sample-data", "--out", str(tmp_path), "--seed", "3", "--end", "2026-03-31",
                 "--scale", "0.5"])
    assert code == 0
    assert calls == {"out_dir": tmp_path, "seed": 3, "end": "2026-03-31", "scale": 0.5}
    out = capsys.readouterr().out
    assert "reps: 40 rows" in out and "opportunities: 1200 rows" in out



def test_ingest_prints_counts_and_maps_errors_to_exit_2(capsys, tmp_path):
    valid = Path(__file__).resolve().parents[1] / "data" / "fixtures" / "valid"
    assert main(["ingest", str(valid), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    reps = len(pd.read_csv(valid / "reps.csv"))
    assert f"reps.csv: {reps} in, {reps} kept, 0 quarantined" in out
    assert "quarantine.csv, data_quality.json" in out
    (tmp_path / "empty").mkdir()
    assert main(["ingest", str(tmp_path / "empty"), "--out", str(tmp_path / "o2")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "no opportunities (deals) table found" in err


def test_default_data_is_the_builtin_sample(monkeypatch, tmp_path):
    sample = tmp_path / "cache" / "processed"
    sample.mkdir(parents=True)
    ends = []
    monkeypatch.setattr(salesops.data.builtin, "ensure_sample_dataset",
                        lambda end=None: ends.append(end) or sample)
    resolved = resolve_data_dir(None, "2026-09-30")
    assert resolved == sample.resolve()
    assert ends == ["2026-09-30"]  # the sample ends on the report date, as in JupyterLab
    assert describe_data(None, resolved, "f00") == {
        "source": "built-in sample", "path": None, "fingerprint": "f00", "rows_in": 0,
        "rows_quarantined": 0}


def test_data_path_is_stored_relative_to_the_working_folder(monkeypatch, tmp_path):
    (tmp_path / "data" / "processed").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    resolved = resolve_data_dir(Path("data/processed"))
    assert describe_data(Path("data/processed"), resolved, "f00")["path"] == "data/processed"


VALID = Path(__file__).resolve().parents[1] / "data" / "fixtures" / "valid"


def test_ingest_out_dot_is_refused_without_a_traceback(capsys, tmp_path, monkeypatch):
    (tmp_path / "mine.txt").write_text("keep me")
    monkeypatch.chdir(tmp_path)
    assert main(["ingest", str(VALID), "--out", "."]) == 2
    err = capsys.readouterr().err
    assert err == ("error: output folder '.': is the current folder (or holds it), which ingest "
                   "would replace as a whole; name a folder of its own, e.g. data/processed\n")
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


def test_ingest_exits_3_when_a_table_loses_most_rows(capsys, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    opps = pd.read_csv(VALID / "opportunities.csv", dtype=str, keep_default_na=False)
    opps["amount"] = ["x", "y", "z", "1", "2", "3"]  # the first three quarantined: exactly half
    opps.to_csv(src / "opportunities.csv", index=False)
    assert main(["ingest", str(src), "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    assert main(["ingest", str(src), "--out", str(tmp_path / "out"),
                 "--max-quarantine-share", "0.4"]) == 3
    captured = capsys.readouterr()
    assert "opportunities.csv: 6 in, 3 kept, 3 quarantined (bad_number 3)" in captured.out
    assert captured.err == (
        "error: opportunities.csv: 3 of 6 rows of table opportunities quarantined (50%; main "
        "reasons: bad_number 3)\nmore than 40% of a table's rows were quarantined, so no "
        f"dataset was written: see quarantine.csv and data_quality.json in {tmp_path / 'out'} "
        "(fix the export or the mapping, or allow more with --max-quarantine-share)\n")
    assert main(["ingest", str(src), "--out", str(tmp_path / "o"),
                 "--max-quarantine-share", "2"]) == 2
    assert "must be a share between 0 and 1, got '2'" in capsys.readouterr().err


def test_ingest_needs_exactly_one_source(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("CRM_DB_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    assert main(["ingest", "--source-url-env", "CRM_DB_URL", "--out", "o"]) == 2
    assert capsys.readouterr().err == ("error: secret 'CRM_DB_URL' is not set: export it or add "
                                       "it to a git-ignored .env file\n")
    assert main(["ingest", "--out", "o"]) == 2
    assert main(["ingest", str(VALID), "--source-url-env", "CRM_DB_URL", "--out", "o"]) == 2
    assert capsys.readouterr().err.count("give either SOURCE_DIR") == 2


def test_ingest_from_postgres_never_prints_the_url(capsys, tmp_path, monkeypatch, pg_url):
    import sqlalchemy as sa

    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        for name in ("reps", "opportunities"):
            frame = pd.read_csv(VALID / f"{name}.csv", dtype=str, keep_default_na=False)
            frame.replace("", None).to_sql(name, conn, index=False)
    engine.dispose()
    monkeypatch.setenv("CRM_DB_URL", pg_url)
    assert main(["ingest", "--source-url-env", "CRM_DB_URL", "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "opportunities  opportunities: 6 in, 6 kept, 0 quarantined" in out
    mapping = tmp_path / "m.yaml"
    mapping.write_text("tables: {accounts: {file: crm.accounts}}\n")
    assert main(["ingest", "--source-url-env", "CRM_DB_URL", "--out", str(tmp_path / "out"),
                 "--mapping", str(mapping)]) == 2
    captured = capsys.readouterr()
    assert captured.err == ("error: crm.accounts: table or view not found in $CRM_DB_URL "
                            "(mapped for 'accounts')\n")
    written = "".join(p.read_text(errors="replace") for p in (tmp_path / "out").iterdir()
                      if p.suffix in (".csv", ".json"))
    url = sa.make_url(pg_url)
    for secret in (pg_url, url.render_as_string(hide_password=True), str(url.query["host"])):
        assert secret not in out + captured.out + captured.err + written


# --- snapshots -------------------------------------------------------------------------------
# VALID's open deals on 2024-04-01: O2 $30,000, O4 $8,000, O5 $20,000 = 3 deals, $58,000
# (O1 and O6 were won and O3 lost by then).
SNAP_DAY = "2024-04-01"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder (the working folder) with VALID ingested into data/processed."""
    monkeypatch.chdir(tmp_path)
    salesops.data.ingest.ingest(VALID, Path("data/processed"))
    return tmp_path


def test_snapshot_prints_what_it_wrote_and_rewrites_a_date(project, capsys):
    capsys.readouterr()
    for _ in range(2):  # the same date twice: one partition, replaced
        assert main(["snapshot", "--as-of", SNAP_DAY]) == 0
    part = Path("data/snapshots/snapshot_date=2024-04-01/part-0.parquet")
    assert capsys.readouterr().out == (
        f"snapshot 2024-04-01: 3 open deals, $58,000 open amount; written to {part}\n") * 2
    assert [p.name for p in (project / "data" / "snapshots").iterdir() if p.name[0] != "."] == [
        "snapshot_date=2024-04-01"]
    assert pd.read_parquet(part)["opportunity_id"].tolist() == ["O2", "O4", "O5"]
    assert main(["snapshot", "--as-of", "2024-03-15", "--store", "elsewhere"]) == 0
    # on 03-15 O1 (won 03-20) and O6 (won 03-31) were still open, O3 lost: 30,000 + 8,000 +
    # 20,000 + 50,000 + 5,000 = $113,000 over 5 deals
    assert "snapshot 2024-03-15: 5 open deals, $113,000 open amount" in capsys.readouterr().out


def test_snapshot_errors_name_the_folder(project, capsys):
    assert main(["snapshot", "--data", "nowhere"]) == 2
    assert capsys.readouterr().err == (
        "error: data folder 'nowhere' not found: give the processed dataset folder "
        "(`salesops ingest --out`) with --data\n")
    assert main(["snapshot", "--store", "data/processed"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: folder 'data/processed' is not a snapshot store: it holds ")
    assert main(["snapshot", "--as-of", "2024-02-30"]) == 2


def test_ingest_passes_the_snapshot_store(monkeypatch, tmp_path):
    seen = {}

    def fake_ingest(source, out, **options):
        seen.update(options)
        raise salesops.data.ingest.IngestError("stop here")

    monkeypatch.setattr(salesops.data.ingest, "ingest", fake_ingest)
    main(["ingest", str(VALID), "--out", str(tmp_path / "o"), "--snapshots", "data/snapshots"])
    assert seen["snapshots"] == Path("data/snapshots")
    main(["ingest", str(VALID), "--out", str(tmp_path / "o")])
    assert seen["snapshots"] is None


def test_ingest_builds_history_from_the_snapshots(project, capsys):
    assert main(["snapshot", "--as-of", "2024-03-15"]) == 0
    assert main(["snapshot", "--as-of", SNAP_DAY]) == 0
    src = project / "src"
    src.mkdir()
    for name in ("reps", "accounts", "opportunities"):
        (src / f"{name}.csv").write_text((VALID / f"{name}.csv").read_text())
    assert main(["ingest", str(src), "--out", "data/processed",
                 "--snapshots", "data/snapshots"]) == 0
    history = pd.read_parquet("data/processed/opportunity_history.parquet")
    # 03-15: the five open deals' first rows; 04-01: nothing changed on O2, O4, O5
    assert history["opportunity_id"].tolist() == ["O1", "O2", "O4", "O5", "O6"]
    assert (history["changed_at"] == pd.Timestamp("2024-03-15")).all()
    assert main(["ingest", str(src), "--out", "data/o2", "--snapshots", "data/processed"]) == 2
    assert "is not a snapshot store" in capsys.readouterr().err


def _run(*args: str) -> int:
    return main(["run", "ok_report", "--notebooks-dir", NOTEBOOKS, "--as-of", SNAP_DAY,
                 "--workers", "1", *args])


def test_the_scheduled_run_snapshots_a_real_data_folder_first(project, capsys):
    assert _run("--data", "data/processed") == 0
    out = capsys.readouterr().out
    assert "snapshot  2024-04-01: 3 open deals to data/snapshots/snapshot_date=2024-04-01" in out
    assert out.index("snapshot  2024-04-01") < out.index("running 1 report(s)")
    assert Path("data/snapshots/snapshot_date=2024-04-01/part-0.parquet").is_file()
    # reports never name the store (nor any local path)
    shared = "".join(p.read_text() for p in Path("reports").rglob("*")
                     if p.is_file() and ".audit" not in p.parts)
    assert "snapshot" not in shared and str(project) not in shared
    # a re-run of an older date leaves the store alone
    assert _run("--data", "data/processed", "--as-of", "2024-03-15") == 0
    assert "snapshot  skipped: the store already holds 2024-04-01, later than 2024-03-15" in (
        capsys.readouterr().out)
    assert [p.name for p in Path("data/snapshots").iterdir() if p.name[0] != "."] == [
        "snapshot_date=2024-04-01"]


def test_the_run_takes_no_snapshot_of_the_sample_or_when_turned_off(project, monkeypatch, capsys):
    monkeypatch.setattr(salesops.data.builtin, "ensure_sample_dataset",
                        lambda end=None: project / "data" / "processed")
    assert _run() == 0
    assert _run("--data", "data/processed", "--snapshot-store", "") == 0
    assert "snapshot" not in capsys.readouterr().out
    assert not Path("data/snapshots").exists()
    assert _run("--data", "data/processed", "--snapshot-store", "nightly") == 0
    assert Path("nightly/snapshot_date=2024-04-01/part-0.parquet").is_file()


def test_a_snapshot_that_cannot_be_written_does_not_fail_the_run(project, capsys):
    Path("notes").mkdir()
    Path("notes/todo.txt").write_text("not a store")
    assert _run("--data", "data/processed", "--snapshot-store", "notes") == 0
    out = capsys.readouterr().out
    assert ("WARNING  snapshot for 2024-04-01 not written, the reports run without it: "
            "SnapshotError: folder 'notes' is not a snapshot store: it holds 'todo.txt'") in out
    assert "1 report(s) OK" in out


def test_bookings_only_data_has_nothing_to_snapshot(tmp_path, capsys):
    from salesops.data.schema import TABLES, conform
    from salesops.data.stages import load_catalogue
    from salesops.data.store import Contents, Settings, write_dataset
    from salesops.orchestration.runner import ReportRunner, RunOptions

    orders = conform(pd.DataFrame({"transaction_id": ["T1"], "date": [pd.Timestamp("2024-03-01")],
                                   "amount": [10.0]}).reindex(
        columns=TABLES["transactions"].column_names), TABLES["transactions"])
    data = write_dataset({"transactions": orders}, tmp_path / "processed", Settings(),
                         load_catalogue(), contents=Contents(present=frozenset({"transactions"})))
    assert main(["snapshot", "--data", str(data)]) == 2
    assert "has no opportunities (deals) table: nothing to snapshot" in capsys.readouterr().err
    lines: list[str] = []
    ReportRunner(RunOptions(as_of=SNAP_DAY, data_dir=data), progress=lines.append).snapshot(data)
    assert [line.split("] ", 1)[1] for line in lines] == [
        "snapshot  skipped: the data has no deals (bookings only)"]
    assert not (tmp_path / "snapshots").exists()
