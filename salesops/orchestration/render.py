"""Rendering executed notebooks to self-contained, shareable HTML (code hidden, nothing local).

The HTML is built from a *shareable copy* of the notebook: parameter cells and papermill
metadata (which hold local paths) are dropped and error/stream text is scrubbed of paths and
credentials. The executed ``.ipynb`` kept next to the report remains the full audit copy.
"""

from __future__ import annotations

import copy
import threading
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

from salesops.orchestration.scrub import scrub

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_NAME = "salesops_report"
#: Cells papermill reads or writes parameters in; their code must not reach the report.
PARAMETER_TAGS = {"parameters", "injected-parameters"}
#: Notebook metadata kept for rendering (the language drives syntax highlighting).
KEPT_METADATA = ("kernelspec", "language_info", "title")


def _scrub_output(output: NotebookNode) -> None:
    """Scrub the text parts of one output in place (rich HTML/images are left to the notebook)."""
    if output.get("output_type") == "stream":
        output["text"] = scrub(output.get("text", ""))
    elif output.get("output_type") == "error":
        output["evalue"] = scrub(output.get("evalue", ""))
        output["traceback"] = [scrub(line) for line in output.get("traceback", [])]
    elif "text/plain" in output.get("data", {}):
        output["data"]["text/plain"] = scrub(output["data"]["text/plain"])


def shareable_copy(nb: NotebookNode) -> NotebookNode:
    """Copy of ``nb`` without parameter cells, local metadata or paths in error/stream text."""
    shared = copy.deepcopy(nb)
    shared.metadata = NotebookNode({k: shared.metadata[k] for k in KEPT_METADATA
                                    if k in shared.metadata})
    cells = []
    for cell in shared.cells:
        if PARAMETER_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        cell.metadata = NotebookNode()
        for output in cell.get("outputs", []):
            _scrub_output(output)
        cells.append(cell)
    shared.cells = cells
    return shared


def make_exporter() -> Any:
    """The report exporter: code and prompts hidden, images inline, no CDN scripts."""
    from nbconvert import HTMLExporter  # imported on first use: overlaps the first notebook

    return HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


class HtmlRenderer:
    """One HTML exporter reused for every report (its template is compiled once); thread-safe."""

    def __init__(self) -> None:
        self._exporter: Any = None
        self._lock = threading.Lock()

    def render(self, nb: NotebookNode, title: str) -> str:
        """HTML of the shareable copy of ``nb``, titled ``title``."""
        shared = shareable_copy(nb)
        with self._lock:
            if self._exporter is None:
                self._exporter = make_exporter()
            body, _ = self._exporter.from_notebook_node(
                shared, resources={"metadata": {"name": title}}
            )
        return body
