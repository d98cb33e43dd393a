"""What the local executor's fork server does once, so that no report pays for it again.

Importing this module is the warm-up: every module of the data, analysis and presentation
floors (and so pandas, numpy, matplotlib, statsmodels...), IPython, the in-process engine,
papermill and nbformat, a figure drawn once (fonts loaded), the HTML exporter with its
templates compiled and the run's dataset read. Each report then
runs in a process forked from the server (see ``executors``): it starts with all of that in
memory and leaves nothing behind for the next one. A module that fails to import is skipped:
the notebook importing it reports the error itself.
"""

from __future__ import annotations

import importlib
import io
import os
import pkgutil
import warnings

import nbformat
from matplotlib.figure import Figure
from nbformat.v4 import new_markdown_cell, new_notebook

import salesops.analysis
import salesops.data
import salesops.presentation
from salesops.orchestration import inprocess  # noqa: F401  (engine, IPython, matplotlib_inline)
from salesops.orchestration.jobs import RENDERER

#: The floors a notebook imports from; all their modules are loaded ahead.
PACKAGES = (salesops.data, salesops.analysis, salesops.presentation)


def import_floors() -> list[str]:
    """Import every module of ``PACKAGES``; the names of those that failed."""
    failed = []
    for package in PACKAGES:
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            try:
                importlib.import_module(module.name)
            except Exception:  # the notebook that imports it shows the error
                failed.append(module.name)
    return failed


def warm_matplotlib() -> None:
    """Draw one figure to PNG (fonts, the Agg canvas), without pyplot or rcParams changes."""
    Figure(figsize=(1, 1)).add_subplot().set_title("warm-up").figure.savefig(
        io.BytesIO(), format="png", bbox_inches="tight")


def warm_renderer() -> None:
    """Render a one-cell notebook, so the exporter and its templates are ready."""
    nb = nbformat.reads(nbformat.writes(new_notebook(cells=[new_markdown_cell("# warm-up")])),
                        as_version=4)
    RENDERER.render(nb, "warm-up")


def load_data() -> None:
    """Keep the run's dataset in memory (``executors.PRELOAD_DATA_ENV``), so that every report
    forked from the server reads it from there; a folder that cannot be read is left to the
    notebooks, which report the error themselves."""
    from salesops.data.store import keep_loaded
    from salesops.orchestration.executors import PRELOAD_DATA_ENV

    folder = os.environ.get(PRELOAD_DATA_ENV)
    if folder:
        try:
            keep_loaded(folder)
        except Exception:  # the notebooks' own load_dataset shows the error
            pass


with warnings.catch_warnings():  # import-time warnings belong to no report
    warnings.simplefilter("ignore")
    import matplotlib.pyplot  # noqa: F401

    FAILED = import_floors()
    warm_matplotlib()
    warm_renderer()
    load_data()
