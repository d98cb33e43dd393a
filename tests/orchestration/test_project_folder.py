"""Notebooks found from any folder (checkout and built wheel), and ``salesops init``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from salesops.data.ingest import ingest
from salesops.data.mapping import load_mapping
from salesops.orchestration import project
from salesops.orchestration.cli import main

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
VALID = ROOT / "tests" / "data" / "fixtures" / "valid"


def _uncommented(template: str) -> str:
    """The template with every example enabled: lines starting '#' then YAML (no space after
    '#' at the top level, the YAML's own indentation below it); '# ' starts prose."""
    return "\n".join(line[1:] if re.match(r"#(\S|  )", line) else line
                     for line in template.splitlines())


def test_from_a_folder_without_notebooks_the_checkouts_notebooks_are_used(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert project.default_notebooks_dir() == ROOT / "notebooks"
    (tmp_path / "notebooks").mkdir()
    assert project.default_notebooks_dir() == Path("notebooks")  # a local folder wins


def test_salesops_run_from_any_folder_runs_the_shipped_notebook(tmp_path, monkeypatch, capsys):
    ingest(VALID, tmp_path / "processed")
    work = tmp_path / "elsewhere"
    work.mkdir()
    monkeypatch.chdir(work)
    code = main(["run", "data_quality", "--as-of", "2026-03-31", "--data", "../processed"])
    assert code == 0, capsys.readouterr()
    assert (work / "reports" / "2026-03-31" / "data_quality.html").is_file()
    assert not (work / "notebooks").exists()


def test_wheel_build_ships_the_top_level_notebooks_inside_the_package(tmp_path):
    build = tmp_path / "lib"
    subprocess.run([sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(build)],
                   cwd=ROOT, check=True, capture_output=True)
    packaged = build / "salesops" / "notebooks"
    assert sorted(p.name for p in packaged.glob("*.ipynb")) == SHIPPED
    for name in SHIPPED:  # copies of the one source of truth, not a second edited copy
        assert (packaged / name).read_bytes() == (ROOT / "notebooks" / name).read_bytes()
    assert (build / "salesops" / "orchestration" / "templates" / "mapping.yaml").is_file()
    # the built package, imported from an unrelated folder, finds its own notebooks
    out = subprocess.run(
        [sys.executable, "-c", "from salesops.orchestration.project import "
         "default_notebooks_dir; print(default_notebooks_dir().resolve())"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(build)}, check=True,
        capture_output=True, text=True)
    assert Path(out.stdout.strip()) == packaged.resolve()


def test_init_creates_the_project_and_prints_the_next_commands(tmp_path, capsys):
    target = tmp_path / "acme"
    assert main(["init", str(target)]) == 0
    out = capsys.readouterr().out
    assert sorted(p.name for p in target.iterdir()) == ["data", "mapping.yaml", "notebooks",
                                                       "reports"]
    assert (target / "data" / "raw").is_dir() and not any((target / "data" / "raw").iterdir())
    assert sorted(p.name for p in (target / "notebooks").iterdir()) == SHIPPED
    for name in SHIPPED:
        assert json.loads((target / "notebooks" / name).read_text())["cells"]
    assert f"cd {target}" in out
    assert "salesops ingest data/raw --out data/processed --mapping mapping.yaml" in out
    assert "salesops run --data data/processed" in out


def test_mapping_template_loads_as_is_and_with_every_example_enabled(tmp_path):
    template = project.MAPPING_TEMPLATE.read_text()
    as_is = load_mapping(project.MAPPING_TEMPLATE)
    assert as_is.fiscal_year_start_month == 1 and as_is.currency is None
    full = tmp_path / "mapping.yaml"
    full.write_text(_uncommented(template))
    enabled = load_mapping(full)
    assert sorted(enabled.tables) == ["accounts", "opportunities", "quotas", "reps",
                                      "stage_history", "transactions"]
    opps = enabled.tables["opportunities"]
    assert opps.columns["Owner"] == ("rep_id",) and opps.date_formats["close_date"] == "%m/%d/%Y"
    assert enabled.currency == "USD" and enabled.rates == {"EUR": 1.08, "GBP": 1.27}
    assert enabled.tables["reps"].columns["Full Name"] == ("rep_id", "name")
    assert opps.value_maps == {"product": {"Core Platform": "Core", "core": "Core"}}
    assert opps.defaults == {"forecast_category": "pipeline"}
    # as written, it layers on a shipped preset (the command its header suggests)
    assert load_mapping(project.MAPPING_TEMPLATE, preset="salesforce").tables["opportunities"]


@pytest.mark.parametrize("existing", ["file", "folder"])
def test_init_refuses_a_non_empty_target(tmp_path, capsys, existing):
    target = tmp_path / "taken"
    if existing == "file":
        target.write_text("x")
    else:
        target.mkdir()
        (target / "notes.txt").write_text("mine")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    assert main(["init", str(target)]) == 2
    assert "not an empty folder" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_init_into_an_empty_folder_is_fine(tmp_path):
    assert main(["init", str(tmp_path)]) == 0
    assert (tmp_path / "mapping.yaml").is_file()
