"""Rendering executed notebooks to self-contained, shareable HTML (code hidden, nothing local).

The HTML is built from a *shareable copy* of the notebook: parameter cells and papermill
metadata (which hold local paths) are dropped, and so are warnings, stderr and tracebacks
(they go to the run log, see ``runlog``); a failed report says so in one plain sentence.
Every remaining output (text, HTML, Markdown, LaTeX, SVG, scripts, image alt text) and every
markdown cell is scrubbed of paths, credentials and secrets (``scrub``); base64 images stay byte
for byte. The executed ``.ipynb`` in the audit folder remains the full, unscrubbed copy.
"""

from __future__ import annotations

import copy
import html
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell

from salesops.orchestration.runlog import is_error, is_stderr
from salesops.orchestration.scrub import scrub, scrub_code, scrub_html

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
    """A markdown cell holding the failure sentence, styled as a warning banner (a fixed cell
    id: two renders of one failed report are identical)."""
    return new_markdown_cell(f'<p class="salesops-failed" style="color:#a93226;font-weight:bold">'
                             f"{html.escape(failure_sentence(log))}</p>", id="salesops-failed")


#: Base64-encoded image outputs: bytes, kept as they are.
BINARY_IMAGES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp")
#: Outputs rendered as markup, scrubbed with their structure, URLs and data: images intact.
MARKUP_TYPES = ("text/html", "image/svg+xml", "text/markdown")
#: Outputs shown as text.
TEXT_TYPES = ("text/plain", "text/latex")


def _scrub_tree(value: Any, clean: Callable[[str], str]) -> Any:
    """``value`` (text, or JSON made of lists and dicts) with every string passed to ``clean``."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_scrub_tree(v, clean) for v in value]
    if isinstance(value, dict):
        return NotebookNode({k: _scrub_tree(v, clean) for k, v in value.items()})
    return value


def _scrub_data(mime: str, value: Any) -> Any:
    """One output representation, scrubbed by what it is."""
    if mime in BINARY_IMAGES:
        return value
    if mime in MARKUP_TYPES:
        return _scrub_tree(value, scrub_html)
    if mime in TEXT_TYPES:
        return _scrub_tree(value, scrub)
    return _scrub_tree(value, scrub_code)  # scripts and JSON: secrets only


def _scrub_output(output: NotebookNode) -> None:
    """Scrub one stream or rich output in place: every representation that can reach the HTML,
    and its metadata (image alt text). Error outputs never get here (they go to the run log)."""
    if output.get("output_type") == "stream":
        output["text"] = scrub(output.get("text", ""))
    for mime, value in output.get("data", {}).items():
        output["data"][mime] = _scrub_data(mime, value)
    if "metadata" in output:
        output["metadata"] = _scrub_tree(output["metadata"], scrub)


def notebook_title(nb: NotebookNode) -> str | None:
    """The first level-1 markdown heading of a notebook (the report's title), if any."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return None


def with_audience(title: str, audience: str | None) -> str:
    """``title`` naming its audience: "Performance review — Region EMEA"."""
    suffix = f" — {audience}" if audience else ""
    return title if title.endswith(suffix) else title + suffix


def _name_audience(cells: list[NotebookNode], audience: str) -> None:
    """Append the audience to the first level-1 heading of the markdown cells, once."""
    for cell in cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.split("\n")
        for i, line in enumerate(lines):
            if line.startswith("# "):
                lines[i] = with_audience(line.rstrip(), audience)
                cell.source = "\n".join(lines)
                return


def shareable_copy(nb: NotebookNode, log: str = "the run log", failed: bool = False,
                   audience: str | None = None) -> NotebookNode:
    """Copy of ``nb`` without parameter cells, local metadata, warnings, stderr or tracebacks,
    every output and markdown cell scrubbed, its first heading naming ``audience``; if it
    failed (an error output, or ``failed``), the failure sentence (naming ``log``) follows."""
    shared = copy.deepcopy(nb)
    shared.metadata = NotebookNode({k: shared.metadata[k] for k in KEPT_METADATA
                                    if k in shared.metadata})
    cells = []
    for cell in shared.cells:
        if DROPPED_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        cell.metadata = NotebookNode()
        if cell.cell_type == "markdown":
            cell.source = scrub_html(cell.source)
        if "outputs" in cell:
            failed = failed or any(is_error(o) for o in cell.outputs)
            cell.outputs = [o for o in cell.outputs if not (is_stderr(o) or is_error(o))]
            for output in cell.outputs:
                _scrub_output(output)
        cells.append(cell)
    if audience:
        _name_audience(cells, audience)
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
               failed: bool = False, audience: str | None = None) -> str:
        """HTML of the shareable copy of ``nb`` for ``audience`` (None: the company); its
        ``<title>`` is the report's first heading (else ``title``) naming the audience, and
        ``log`` names its run log."""
        shared = shareable_copy(nb, log, failed, audience)
        shared.metadata["title"] = with_audience(notebook_title(shared) or title, audience)
        with self._lock:
            if self._exporter is None:
                self._exporter = make_exporter()
            body, _ = self._exporter.from_notebook_node(
                shared, resources={"metadata": {"name": title}}
            )
        return body
