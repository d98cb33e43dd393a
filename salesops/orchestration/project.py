"""Where the report notebooks live, and ``salesops init``: a new analyst's project folder.

One source of truth for the notebooks: the repository's top-level ``notebooks/``. A wheel
carries them inside the package (``salesops/notebooks/``, copied there at build time by
``setup.py``); a source checkout or editable install reads the top-level folder itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import salesops

#: The notebooks folder inside an installed wheel (see setup.py).
PACKAGED_NOTEBOOKS = "notebooks"
#: The folder ``salesops run`` uses when it exists in the working folder.
LOCAL_NOTEBOOKS = Path("notebooks")
#: The commented mapping template ``salesops init`` writes.
MAPPING_TEMPLATE = Path(__file__).parent / "templates" / "mapping.yaml"
PROJECT_FOLDERS = ("data/raw", "reports", "notebooks")


class ProjectError(ValueError):
    """The project folder cannot be created (exit code 2)."""


def shipped_notebooks_dir() -> Path | None:
    """The notebooks shipped with salesops: inside the installed package (wheel), else the
    top-level ``notebooks/`` of the source checkout it is installed from; None if neither."""
    package = Path(salesops.__file__).parent
    checkout = package.parent
    candidates = [package / PACKAGED_NOTEBOOKS]
    if (checkout / "pyproject.toml").is_file():  # source checkout / editable install
        candidates.append(checkout / "notebooks")
    return next((c for c in candidates if any(c.glob("*.ipynb"))), None)


def default_notebooks_dir() -> Path:
    """``./notebooks`` when the working folder has one, else the shipped notebooks."""
    if LOCAL_NOTEBOOKS.is_dir():
        return LOCAL_NOTEBOOKS
    shipped = shipped_notebooks_dir()
    if shipped is None:
        raise ProjectError("no notebooks/ folder here and no notebooks shipped with this "
                           "salesops install; pass --notebooks-dir or run `salesops init DIR`")
    return shipped


def init_project(target: Path) -> list[Path]:
    """Create an analyst's project folder: data/raw, reports, mapping.yaml (commented
    template) and copies of the shipped notebooks; refuses a folder that is not empty."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ProjectError(f"'{target}' already exists and is not an empty folder; "
                           "choose a new folder")
    source = shipped_notebooks_dir()
    if source is None:
        raise ProjectError("this salesops install ships no notebooks to copy")
    for folder in PROJECT_FOLDERS:
        (target / folder).mkdir(parents=True, exist_ok=True)
    written = [target / folder for folder in PROJECT_FOLDERS]
    written.append(Path(shutil.copyfile(MAPPING_TEMPLATE, target / "mapping.yaml")))
    for notebook in sorted(source.glob("*.ipynb")):
        written.append(Path(shutil.copyfile(notebook, target / "notebooks" / notebook.name)))
    return written


def next_steps(target: Path) -> list[str]:
    """The commands an analyst runs next in a new project folder."""
    return [
        f"cd {target}",
        "# copy your CRM export files into data/raw/, then edit mapping.yaml to match them",
        "salesops ingest data/raw --out data/processed --mapping mapping.yaml",
        "salesops run --data data/processed --as-of YYYY-MM-DD   # reports in reports/<date>/",
        "jupyter lab notebooks/   # edit the report notebooks (salesops run uses ./notebooks)",
    ]
