"""Build step: ship the top-level ``notebooks/`` inside the wheel as ``salesops/notebooks/``.

The repository keeps one copy of the report notebooks (``notebooks/``); building a wheel copies
them into the package so ``salesops run`` and ``salesops init`` find them from any folder
(``salesops.orchestration.project``). Everything else is configured in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

NOTEBOOKS = Path(__file__).parent / "notebooks"


class BuildWithNotebooks(build_py):
    """``build_py`` that also copies ``notebooks/*.ipynb`` into the built package."""

    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "salesops" / "notebooks"
        self.mkpath(str(target))
        for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
            self.copy_file(str(notebook), str(target / notebook.name))


setup(cmdclass={"build_py": BuildWithNotebooks})
