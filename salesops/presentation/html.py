"""Small escaped HTML blocks for reports: headline figures and narrative paragraphs."""

from __future__ import annotations

import html
from collections.abc import Sequence

from IPython.display import HTML

from salesops.presentation.style import PRIMARY


def paragraphs(texts: Sequence[str], title: str | None = None) -> HTML:
    """Escaped paragraphs (e.g. a generated executive summary), optionally under a heading."""
    body = "".join(f"<p>{html.escape(t)}</p>" for t in texts)
    head = f"<h3>{html.escape(title)}</h3>" if title else ""
    return HTML(f'<div class="salesops-summary">{head}{body}</div>')


def bullet_list(items: Sequence[str], title: str | None = None) -> HTML:
    """An escaped bullet list."""
    body = "".join(f"<li>{html.escape(t)}</li>" for t in items)
    head = f"<h3>{html.escape(title)}</h3>" if title else ""
    return HTML(f"{head}<ul>{body}</ul>")


def kpi_tiles(tiles: Sequence[tuple[str, str]]) -> HTML:
    """A row of headline figures, each (label, formatted value)."""
    cells = "".join(
        '<div style="display:inline-block;min-width:150px;margin:4px 12px 8px 0;padding:8px 12px;'
        f'border-left:4px solid {PRIMARY};background:#f7f9fc">'
        f'<div style="font-size:12px;color:#555">{html.escape(label)}</div>'
        f'<div style="font-size:22px;font-weight:bold">{html.escape(value)}</div></div>'
        for label, value in tiles
    )
    return HTML(f"<div>{cells}</div>")
