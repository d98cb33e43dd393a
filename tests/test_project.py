"""Project-level promises: one dependency list, stripped notebooks, CI runs the README command."""

import json
import re
import subprocess
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
ALIASES = {"pyyaml": "pyyaml"}


def _name(requirement: str) -> str:
    name = re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")
    return ALIASES.get(name, name)


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pyproject = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        pyproject |= {_name(r) for r in extra}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    assert conda == pyproject


def _committed_notebooks() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True)
    files = [ROOT / f for f in out.stdout.split()] if out.returncode == 0 else []
    return files or sorted(ROOT.glob("notebooks/*.ipynb"))


def test_committed_notebooks_carry_no_outputs():
    for path in _committed_notebooks():
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert not cell.get("outputs"), f"{path.name} has outputs: strip them"
                assert cell.get("execution_count") is None, f"{path.name} has execution counts"


def test_every_notebook_has_a_parameters_cell_and_thin_cells():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text())
        tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{path.name} needs exactly one cell tagged 'parameters'"
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                lines = "".join(cell["source"]).strip().splitlines()
                assert len(lines) <= 20, f"{path.name}: a {len(lines)}-line cell belongs in salesops"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make reports" in readme
    assert re.search(r"^make test$", ci, re.M)


def test_generated_artefacts_are_ignored():
    ignored = (ROOT / ".gitignore").read_text().split()
    for entry in (".venv/", "data/processed/", "data/sample/", "reports/*", ".env"):
        assert entry in ignored
