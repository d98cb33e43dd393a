"""Report sections: the one plain sentence for a section the data cannot support, scope titles,
and the single way a chart reaches a report (``as_image``): an embedded PNG whose text (titles,
tick labels, legend, annotations) is also in the PNG metadata and whose alt text says what it
shows, so that what a chart says can be read, checked and scrubbed like the rest of the report.
"""

from __future__ import annotations

import base64
import html
import io
import struct
import zlib
from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt
from IPython.display import HTML
from matplotlib.collections import PathCollection, QuadMesh
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.text import Text
from pandas.io.formats.style import Styler

from salesops.data.requirements import Availability
from salesops.data.scope import Scope
from salesops.presentation.style import MAX_WIDTH


def unavailable(av: Availability) -> HTML:
    """The sentence saying why a section is not shown (escaped), styled as a note."""
    return HTML('<p class="salesops-unavailable" style="color:#555;font-style:italic">'
                f"{html.escape(av.reason)}</p>")


def scope_title(title: str | None, scope: Scope) -> str | None:
    """``title`` naming a scoped report's audience ("As of 2026-06-30, Region EMEA"; the label
    alone without a title); the company's title as it is."""
    if scope.is_company:
        return title
    return f"{title}, {scope.label}" if title else scope.label


def show(av: Availability, render: Callable[[], Any]) -> Any:
    """``render()`` when the section is available (a figure as ``as_image``), else its
    sentence; nothing is computed or drawn for a section the data cannot support."""
    return _shown(render()) if av else unavailable(av)


def only_if(av: Availability, render: Callable[[], Any]) -> Any:
    """``render()`` when the section is available (a figure as ``as_image``), else nothing:
    for the later cells of a section whose sentence is already shown once (``show``)."""
    return _shown(render()) if av else None


def _shown(item: Any) -> Any:
    return as_image(item) if isinstance(item, Figure) else item


def block_html(item: Any) -> str:
    """HTML of a sentence (escaped), figure (embedded PNG, then closed), table, HTML block or a
    list of them, in order."""
    if item is None:
        return ""
    if isinstance(item, list | tuple):
        return "".join(block_html(i) for i in item)
    if isinstance(item, str):
        return f"<p>{html.escape(item)}</p>"
    if isinstance(item, Figure):
        return figure_html(item)
    if isinstance(item, Styler):
        return item.to_html()
    if isinstance(item, HTML):
        return item.data
    raise TypeError(f"cannot show a {type(item).__name__} in a report section")


def block(item: Any) -> HTML:
    """One block of a report section from sentences, figures, tables and HTML (``block_html``)."""
    return HTML(block_html(item))


def unavailable_notes(*sections: Availability) -> HTML:
    """The sentences of the sections the data cannot support (nothing for available ones)."""
    return HTML("".join(unavailable(av).data for av in sections if not av))


def figure_texts(figure: Figure) -> list[str]:
    """Every visible text of a figure as last drawn, in drawing order, once each: titles, axis
    labels, tick labels, legend entries, annotations, table cells (tick labels are only set
    when the figure is drawn: call after ``savefig``)."""
    found = (t.get_text().strip() for t in figure.findobj(Text) if t.get_visible())
    return list(dict.fromkeys(t for t in found if t))


def _ticks(axis) -> str:
    """What an axis's tick labels span: 'FY2025 Q1 to FY2026 Q4', one label, or ''."""
    low, high = sorted(axis.get_view_interval())
    pairs = zip(axis.get_majorticklocs(), axis.get_majorticklabels(), strict=False)
    labels = [t.get_text().strip() for loc, t in pairs
              if t.get_visible() and low - 1e-9 * max(1, abs(low)) <= loc <= high + 1e-9 * max(1, abs(high))]
    labels = [t for t in labels if t]
    return "" if not labels else labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"


def _axis_part(name: str, label: str, ticks: str) -> str:
    if label and ticks:
        return f"{name} axis: {label} ({ticks})"
    return f"{name} axis: {label or ticks}" if label or ticks else ""


def _legend_entries(legend) -> list[str]:
    return [t.get_text() for t in legend.get_texts() if t.get_text()] if legend is not None else []


def alt_text(figure: Figure) -> str:
    """What a chart shows, in words: its title(s), then per axes the kind of chart, what each
    axis is (label, and the range its tick labels span once drawn) and the series in its key."""
    parts = [t for t in (figure.get_suptitle(),) if t]
    for ax in figure.axes:
        if ax.get_label() == "<colorbar>":
            continue
        kinds = [kind for kind, hit in (
            ("bar chart", bool(ax.patches)), ("line chart", bool(ax.lines)),
            ("scatter plot", any(isinstance(c, PathCollection) for c in ax.collections)),
            ("heatmap", any(isinstance(c, QuadMesh | AxesImage)
                            for c in (*ax.collections, *ax.images)))) if hit]
        what = " and ".join(kinds[:2]) or "chart"
        axes = [p for p in (_axis_part("x", ax.get_xlabel(), _ticks(ax.xaxis)),
                            _axis_part("y", ax.get_ylabel(), _ticks(ax.yaxis))) if p]
        entries = _legend_entries(ax.get_legend())
        piece = f"{ax.get_title() or ax.get_title('left')}: {what}".lstrip(": ")
        if axes:
            piece += f" ({'; '.join(axes)})"
        if entries:
            piece += f"; legend: {', '.join(entries)}"
        parts.append(piece[0].upper() + piece[1:])
    figure_entries = [e for legend in figure.legends for e in _legend_entries(legend)]
    if figure_entries:
        parts.append(f"Legend: {', '.join(figure_entries)}")
    return ". ".join(p.rstrip(".") for p in parts if p) + "." if parts else "Chart."


def png_text_chunk(keyword: str, text: str) -> bytes:
    """One PNG text chunk: ``tEXt`` when the text is Latin-1, else ``iTXt`` (UTF-8)."""
    try:
        kind, data = b"tEXt", keyword.encode("latin-1") + b"\0" + text.encode("latin-1")
    except UnicodeEncodeError:
        kind, data = b"iTXt", keyword.encode("latin-1") + b"\0\0\0\0\0" + text.encode("utf-8")
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def figure_png(figure: Figure) -> bytes:
    """A figure as PNG bytes, at most ``style.MAX_WIDTH`` inches wide, carrying its title
    ("Title") and every text it draws ("Description", one per line) as PNG text chunks; the
    figure is closed so that it is not drawn a second time. Drawn once: the texts are read
    after ``savefig`` and their chunks inserted after the PNG header chunk (a second layout
    pass cost a third of a chart's time)."""
    width, height = figure.get_size_inches()
    if width > MAX_WIDTH:  # wider charts shrink below readable on a phone
        figure.set_size_inches(MAX_WIDTH, height)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    titles = [t for t in (figure.get_suptitle(), *(ax.get_title() or ax.get_title("left")
                                                   for ax in figure.axes)) if t]
    chunks = (png_text_chunk("Title", " / ".join(titles))
              + png_text_chunk("Description", "\n".join(figure_texts(figure))))
    plt.close(figure)
    png = buffer.getvalue()
    header_end = 8 + 8 + struct.unpack(">I", png[8:12])[0] + 4  # signature + IHDR chunk
    return png[:header_end] + chunks + png[header_end:]


def figure_html(figure: Figure, alt: str | None = None) -> str:
    """A figure as an ``<img>`` element: embedded PNG (``figure_png``) with ``alt`` or, by
    default, its ``alt_text`` (read after drawing, so that it can name the tick labels)."""
    data = base64.b64encode(figure_png(figure)).decode()
    alt = alt or alt_text(figure)
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}">'


def as_image(chart: Figure | HTML, alt: str | None = None) -> HTML:
    """A figure as an embedded, described image (``figure_html``; ``alt`` overrides the
    generated description); a sentence that replaced an empty chart as it is. Every chart of
    every report goes through here: a figure displayed any other way would reach the page
    with nbconvert's "No description has been provided for this image"."""
    return HTML(figure_html(chart, alt)) if isinstance(chart, Figure) else chart
