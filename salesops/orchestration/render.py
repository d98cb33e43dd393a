"""Rendering executed notebooks to self-contained, shareable HTML (code hidden, nothing local).

The HTML is built from a *shareable copy* of the notebook: parameter cells and papermill
metadata (which hold local paths) are dropped, and so are warnings, stderr and tracebacks
(they go to the run log, see ``runlog``); a failed report says so in one plain sentence.
Remaining text outputs are scrubbed of paths and credentials. The executed ``.ipynb`` kept
next to the report remains the full audit copy.
"""

from __future__ import annotations

import copy
import html
import threading
from pathlib import Path
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell

from salesops.orchestration.runlog import is_error, is_stderr
from salesops.orchestration.scrub import scrub

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_NAME = "salesops_report"
#: Cells papermill reads or writes parameters in (their code must not reach the report), and
#: the red exception banners papermill adds to a failed notebook (replaced by one sentence).
DROPPED_TAGS = {"parameters", "injected-parameters", "papermill-error-cell-tag"}
#: Notebook metadata kept for rendering (the language drives syntax highlighting).
KEPT_METADATA = ("kernelspec", "language_info", "title")


def failure_sentence(log: str) -> str:
    """What a reader of a failed report is told instead of a traceback."""
    return ("This report is incomplete: a step failed while it was being produced, so the "
            "sections after that point are missing and nothing shown here replaces them. "
            f"Whoever runs the reports finds the details in the run log ({log}).")


def _failure_cell(log: str) -> NotebookNode:
    """A markdown cell holding the failure sentence, styled as a warning banner."""
    return new_markdown_cell(f'<p class="salesops-failed" style="color:#a93226;font-weight:bold">'
                             f"{html.escape(failure_sentence(log))}</p>")


def _scrub_output(output: NotebookNode) -> None:
    """Scrub the text parts of one output in place (rich HTML/images are left to the notebook)."""
    if output.get("output_type") == "stream":
        output["text"] = scrub(output.get("text", ""))
    elif "text/plain" in output.get("data", {}):
        output["data"]["text/plain"] = scrub(output["data"]["text/plain"])


def shareable_copy(nb: NotebookNode, log: str = "the run log", failed: bool = False
                   ) -> NotebookNode:
    """Copy of ``nb`` without parameter cells, local metadata, warnings, stderr or tracebacks;
    if it failed (an error output, or ``failed``), the failure sentence (naming ``log``)
    follows its title."""
    shared = copy.deepcopy(nb)
    shared.metadata = NotebookNode({k: shared.metadata[k] for k in KEPT_METADATA
                                    if k in shared.metadata})
    cells = []
    for cell in shared.cells:
        if DROPPED_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        cell.metadata = NotebookNode()
        if "outputs" in cell:
            failed = failed or any(is_error(o) for o in cell.outputs)
            cell.outputs = [o for o in cell.outputs if not (is_stderr(o) or is_error(o))]
            for output in cell.outputs:
                _scrub_output(output)
        cells.append(cell)
    if failed:
        titled = bool(cells) and cells[0].cell_type == "markdown"
        cells.insert(1 if titled else 0, _failure_cell(log))
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

    def render(self, nb: NotebookNode, title: str, log: str = "the run log",
               failed: bool = False) -> str:
        """HTML of the shareable copy of ``nb``, titled ``title``; ``log`` names its run log."""
        shared = shareable_copy(nb, log, failed)
        with self._lock:
            if self._exporter is None:
                self._exporter = make_exporter()
            body, _ = self._exporter.from_notebook_node(
                shared, resources={"metadata": {"name": title}}
            )
        return body
