"""The ``salesops`` command line: exit codes, input errors, data subcommands (stubbed)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import salesops.data.builtin
import salesops.data.ingest
import salesops.data.sample
from salesops.orchestration.cli import main
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
    [],
])
def test_usage_and_input_errors_exit_2(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2


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
    monkeypatch.setattr(salesops.data.builtin, "ensure_sample_dataset", lambda: sample)
    resolved = resolve_data_dir(None)
    assert resolved == sample.resolve()
    assert describe_data(None, resolved, "f00") == {
        "source": "built-in sample", "path": None, "fingerprint": "f00", "rows_in": 0,
        "rows_quarantined": 0}


def test_data_path_is_stored_relative_to_the_working_folder(monkeypatch, tmp_path):
    (tmp_path / "data" / "processed").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    resolved = resolve_data_dir(Path("data/processed"))
    assert describe_data(Path("data/processed"), resolved, "f00")["path"] == "data/processed"
