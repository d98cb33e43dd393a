"""Rendering executed notebooks to self-contained, shareable HTML (code hidden, nothing local).

The HTML is built from a *shareable copy* of the notebook: parameter cells and papermill
metadata (which hold local paths) are dropped, and so are warnings, stderr and tracebacks
(they go to the run log, see ``runlog``); a failed report becomes a short failure page (what
failed, that its numbers are missing, whom to tell) with none of its partial results. Every
remaining output (text, HTML, Markdown, LaTeX, SVG, scripts, image alt text) and every
markdown cell is scrubbed of paths, credentials and secrets (``scrub``); base64 images stay byte
for byte. The executed ``.ipynb`` in the audit folder remains the full, unscrubbed copy.

The page is the template ``templates/salesops_report`` (its own small stylesheet, no notebook
CSS, no scripts): one H1 naming report, audience and as-of date, links to the cover and the
other reports, every table in its own sideways-scrolling box, a print layout, and a glossary
of the abbreviations and jargon the page uses (``presentation.glossary``).
"""

from __future__ import annotations

import base64
import copy
import html
import re
import struct
import threading
from collections.abc import Callable, Iterator, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell

from salesops.orchestration.runlog import is_error, is_stderr
from salesops.orchestration.scrub import scrub, scrub_code, scrub_html
from salesops.presentation.glossary import TERMS, used_terms

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_NAME = "salesops_report"
#: Cells papermill reads or writes parameters in (their code must not reach the report), and
#: the red exception banners papermill adds to a failed notebook (it shows the failure page).
DROPPED_TAGS = {"parameters", "injected-parameters", "papermill-error-cell-tag"}
#: How a failed report names its run log when it is given no path.
DEFAULT_LOG = "the run log"
#: A Markdown heading line: its level and text.
_HEADING = re.compile(r"(#{1,6})\s+(.*?)\s*#*\s*$")
#: How a page title names the company (no audience) and separates its parts.
COMPANY = "Company"
SEP = " · "
#: Notebook metadata kept for rendering (the language drives syntax highlighting).
KEPT_METADATA = ("kernelspec", "language_info", "title")


#: Base64-encoded image outputs: bytes, kept as they are.
BINARY_IMAGES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp")
#: Outputs rendered as markup, scrubbed with their structure, URLs and data: images intact.
MARKUP_TYPES = ("text/html", "image/svg+xml", "text/markdown")
#: Outputs shown as text.
TEXT_TYPES = ("text/plain", "text/latex")
#: What the page can show; an output with none of these (e.g. the headline numbers' JSON,
#: read by the cover page) is left out of the shareable copy.
SHOWN_TYPES = (*BINARY_IMAGES, *MARKUP_TYPES, *TEXT_TYPES)


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



def _headings(source: str) -> Iterator[tuple[int, int, str]]:
    """(line number, level, text) of each Markdown heading of ``source`` outside code fences."""
    fenced = False
    for i, line in enumerate(source.split("\n")):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        match = None if fenced else _HEADING.match(line)
        if match:
            yield i, len(match.group(1)), match.group(2).strip()


def notebook_title(nb: NotebookNode) -> str | None:
    """The first level-1 markdown heading of a notebook (the report's title), if any."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for _, level, text in _headings(cell.source):
                if level == 1:
                    return text
    return None


def date_label(as_of: Any) -> str:
    """``as_of`` (a date, timestamp or ISO string) as YYYY-MM-DD; "" when None."""
    if as_of is None or as_of == "":
        return ""
    return as_of.strftime("%Y-%m-%d") if hasattr(as_of, "strftime") else str(as_of)[:10]


def page_title(title: str, audience: str | None = None, as_of: Any = None) -> str:
    """The report's title and first heading: "Performance review · Region EMEA · as of
    2026-12-01" (audience None: "Company"; no as-of date: no date); a title that already
    names them is returned as it is."""
    parts = [audience or COMPANY] + ([f"as of {date_label(as_of)}"] if date_label(as_of) else [])
    suffix = "".join(f"{SEP}{part}" for part in parts)
    return title if title.endswith(suffix) else title + suffix


def _retitle(cells: list[NotebookNode], heading: str) -> None:
    """The first level-1 heading of the markdown cells becomes ``heading`` (prepended as a cell
    when there is none); later level-1 headings become level 2, so the page has one H1."""
    titled = False
    for cell in cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.split("\n")
        for i, level, text in list(_headings(cell.source)):
            if level == 1:
                lines[i] = f"## {text}" if titled else f"# {heading}"
                titled = True
        cell.source = "\n".join(lines)
    if not titled:
        cells.insert(0, new_markdown_cell(f"# {heading}", id="salesops-title"))


def failure_point(nb: NotebookNode) -> str | None:
    """Where a failed notebook stopped: the last section heading before the first cell with an
    error (or that papermill marked failed); "" when it stopped before its first section, None
    when no cell failed."""
    heading = ""
    for cell in nb.cells:
        if DROPPED_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        if cell.cell_type == "markdown":
            for _, level, text in _headings(cell.source):
                if level > 1:
                    heading = text
        elif (any(is_error(o) for o in cell.get("outputs", []))
              or cell.get("metadata", {}).get("papermill", {}).get("status") == "failed"):
            return re.sub(r"[*_`]", "", scrub_html(heading))
    return None


#: Whom a reader of a failed report tells, when the run names no one.
DEFAULT_CONTACT = "the team that runs these reports"


def failure_html(where: str | None, as_of: Any = None, log: str = DEFAULT_LOG,
                 contact: str | None = None) -> str:
    """What a failed report shows instead of its partial results: that it could not be produced,
    where it stopped, that its numbers are missing, that the other reports are unaffected,
    whom to tell and, for operators, the run log (a relative path)."""
    when = f" for {date_label(as_of)}" if date_label(as_of) else ""
    if where:
        stopped = f" It stopped in the section “{html.escape(where)}”."
    else:
        stopped = "" if where is None else " It stopped before its first section."
    return (
        '<div class="so-failed" role="alert">'
        f"<p><strong>This report could not be produced{when}.</strong>{stopped}</p>"
        "<p>Its numbers are missing: no figures are shown, because the ones computed before "
        "it stopped would be incomplete. The other reports are not affected.</p>"
        f"<p>Please tell {html.escape(contact or DEFAULT_CONTACT)} that this report is "
        "missing.</p>"
        f"<p>For whoever runs the reports: the details are in {_log_named(log)}.</p></div>")


def _log_named(log: str) -> str:
    """The run log as the failure page names it: "the run log (.audit/…/x.log)" for a path."""
    return log if log == DEFAULT_LOG else f"the run log (<code>{html.escape(scrub(log))}</code>)"


def shareable_copy(nb: NotebookNode, log: str = DEFAULT_LOG, failed: bool = False,
                   audience: str | None = None, as_of: Any = None,
                   contact: str | None = None, title: str = "Report") -> NotebookNode:
    """Copy of ``nb`` without parameter cells, local metadata, warnings, stderr or tracebacks,
    every output and markdown cell scrubbed, its title and one H1 the ``page_title``; if it failed (an
    error output, or ``failed``), only that title and the ``failure_html`` (naming ``log``).
    ``title`` is the report's name when ``nb`` has no heading."""
    shared = copy.deepcopy(nb)
    as_of = as_of if as_of is not None else _parameter(nb, "as_of")
    shared.metadata = NotebookNode({k: shared.metadata[k] for k in KEPT_METADATA
                                    if k in shared.metadata})
    shared.metadata["title"] = page_title(notebook_title(nb) or title, audience, as_of)
    heading = html.escape(shared.metadata["title"], quote=False)  # an audience is data
    where = failure_point(nb)
    if failed or where is not None:
        shared.cells = [new_markdown_cell(f"# {heading}", id="salesops-title"),
                        new_markdown_cell(failure_html(where, as_of, log, contact),
                                          id="salesops-failed")]
        return shared
    cells = []
    for cell in shared.cells:
        if DROPPED_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        cell.metadata = NotebookNode()
        if cell.cell_type == "markdown":
            cell.source = scrub_html(cell.source)
        if "outputs" in cell:
            cell.outputs = [o for o in cell.outputs if not is_stderr(o) and _shown(o)]
            for output in cell.outputs:
                _scrub_output(output)
        cells.append(cell)
    _retitle(cells, heading)
    shared.cells = cells
    return shared


def _shown(output: NotebookNode) -> bool:
    """Whether the page can show ``output`` (a stream, or data in one of ``SHOWN_TYPES``)."""
    return output.get("output_type") == "stream" or bool(set(output.get("data", {})) & set(SHOWN_TYPES))


def _parameter(nb: NotebookNode, name: str) -> Any:
    """A parameter papermill ran ``nb`` with (None if it did not)."""
    return nb.metadata.get("papermill", {}).get("parameters", {}).get(name)


class _VisibleText(HTMLParser):
    """The text a reader sees: text nodes (no styles, scripts or title) and image alt texts,
    block elements apart."""

    HIDDEN = ("style", "script", "title")
    BLOCKS = {"p", "div", "br", "li", "tr", "td", "th", "caption", "dt", "dd", "summary",
              "details", "section", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "img"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in self.HIDDEN
        self.parts.extend(f" {v} " for k, v in attrs if k == "alt" and v)
        self.parts.append(" " if tag in self.BLOCKS else "")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in self.HIDDEN and self._hidden > 0
        self.parts.append(" " if tag in self.BLOCKS else "")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(markup: str) -> str:
    """The visible text of ``markup`` (``_VisibleText``), whitespace collapsed."""
    parser = _VisibleText()
    parser.feed(markup)
    parser.close()
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()


_PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


def png_texts(png: bytes) -> list[str]:
    """The texts of a PNG's ``tEXt``/``iTXt`` chunks before its image data (the charts' drawn
    texts, see ``sections.figure_png``)."""
    texts, at = [], 8
    while at + 8 <= len(png):
        size, kind = struct.unpack(">I4s", png[at:at + 8])
        data = png[at + 8:at + 8 + size]
        if kind == b"IDAT":
            break
        if kind == b"tEXt":
            texts.append(data.split(b"\0", 1)[-1].decode("latin-1"))
        elif kind == b"iTXt":
            texts.append(data.split(b"\0", 1)[-1][4:].split(b"\0", 1)[-1].decode("utf-8", "replace"))
        at += 12 + size
    return texts


def chart_texts(markup: str) -> str:
    """Every text drawn on the embedded PNG charts of ``markup``, one per line."""
    return "\n".join(t for m in _PNG.finditer(markup)
                     for t in png_texts(base64.b64decode(m.group(1))))


def glossary_html(text: str) -> str:
    """The "Glossary" section for the terms ``text`` uses ("" when it uses none)."""
    terms = used_terms(text)
    if not terms:
        return ""
    items = "".join(f"<dt>{html.escape(t, quote=False)}</dt><dd>{html.escape(TERMS[t], quote=False)}</dd>"
                    for t in terms)
    return f'<section class="so-glossary"><h2 id="glossary">Glossary</h2><dl>{items}</dl></section>'


#: A table cell holding only a date ("2026-12-01", "2026-11") or a fiscal period ("FY2026 Q4"):
#: kept on one line, so that a squeezed column never breaks it at a hyphen or space.
_WHOLE_CELL = re.compile(r"(<t[dh]\b[^>]*>)\s*(\d{4}-\d{2}(?:-\d{2})?|FY\d{4}(?: [QH][1-4])?)\s*(</t[dh]>)")


def keep_together(page: str) -> str:
    """``page`` with each date or fiscal-period table cell (``_WHOLE_CELL``) in a no-wrap span."""
    return _WHOLE_CELL.sub(r'\1<span class="so-nobr">\2</span>\3', page)


#: The classes pandas' Styler puts on every cell for its position; only a stylesheet would use them.
_POSITIONAL = re.compile(r"(?:data|col_heading|row_heading|blank|index_name|level\d+|row\d+|col\d+"
                         r"|col_trim|row_trim)$")


def slim_tables(page: str) -> str:
    """``page`` without the per-cell ids (``T_…``) and positional classes of pandas tables that
    no stylesheet of the page refers to: about half of a table's markup, none of what it shows."""
    css = " ".join(re.findall(r"<style[^>]*>(.*?)</style>", page, re.S))
    ids, classes = set(re.findall(r"#(T_[\w-]+)", css)), set(re.findall(r"\.([A-Za-z_][\w-]*)", css))

    def kept_classes(match: re.Match[str]) -> str:
        kept = [c for c in match.group(1).split() if c in classes or not _POSITIONAL.match(c)]
        return f' class="{" ".join(kept)}"' if kept else ""

    def slim(match: re.Match[str]) -> str:
        attrs = re.sub(r' id="(T_[\w-]+)"', lambda m: m.group(0) if m.group(1) in ids else "",
                       match.group(2))
        attrs = re.sub(r' class="([^"]*)"', kept_classes, attrs)
        return f"<{match.group(1)}{attrs}>"

    return re.sub(r"<(t[dhr])\b([^>]*)>", slim, page)


#: Where the template leaves room for the glossary, at the end of ``<main>``.
GLOSSARY_MARK = "<!-- salesops:glossary -->"


def with_glossary(page: str) -> str:
    """``page`` with the glossary of what its ``<main>`` shows (text, alt texts, chart texts)
    in place of ``GLOSSARY_MARK``."""
    head, mark, tail = page.rpartition(GLOSSARY_MARK)
    if not mark:
        return page
    shown = head[head.find("<main"):]
    return head + glossary_html(visible_text(shown) + "\n" + chart_texts(shown)) + tail


def make_exporter() -> Any:
    """The report exporter: code and prompts hidden, images inline, no scripts, no anchors."""
    from nbconvert import HTMLExporter  # imported on first use: overlaps the first notebook

    return HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
    )


class HtmlRenderer:
    """One HTML exporter reused for every report (its template is compiled once); thread-safe."""

    def __init__(self) -> None:
        self._exporter: Any = None
        self._lock = threading.Lock()

    def render(self, nb: NotebookNode, title: str, log: str = DEFAULT_LOG,
               failed: bool = False, audience: str | None = None, as_of: Any = None,
               nav: Sequence[tuple[str, str]] = (), contact: str | None = None) -> str:
        """HTML page of the shareable copy of ``nb`` for ``audience`` (None: the company) as of
        ``as_of`` (None: the date papermill ran it with): ``<title>`` and H1 the ``page_title``
        of its first heading (else ``title``), ``nav`` (label, href) links on top and at the
        foot, the glossary at the end; a failed report is the failure page (``contact``, ``log``)."""
        shared = shareable_copy(nb, log, failed, audience, as_of, contact, title)
        resources = {"metadata": {"name": title}, "salesops": {"nav": list(nav)}}
        with self._lock:
            if self._exporter is None:
                self._exporter = make_exporter()
            body, _ = self._exporter.from_notebook_node(shared, resources=resources)
        return with_glossary(keep_together(slim_tables(body)))
