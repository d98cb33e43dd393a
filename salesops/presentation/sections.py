"""A report section that the data cannot support: its one plain sentence instead of the content."""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt
from IPython.display import HTML, Image
from matplotlib.figure import Figure

from salesops.data.requirements import Availability


def unavailable(av: Availability) -> HTML:
    """The sentence saying why a section is not shown (escaped), styled as a note."""
    return HTML('<p class="salesops-unavailable" style="color:#555;font-style:italic">'
                f"{html.escape(av.reason)}</p>")


def show(av: Availability, render: Callable[[], Any]) -> Any:
    """``render()`` when the section is available, else its sentence; nothing is computed or
    drawn for a section the data cannot support."""
    return render() if av else unavailable(av)


def only_if(av: Availability, render: Callable[[], Any]) -> Any:
    """``render()`` when the section is available, else nothing: for the later cells of a
    section whose sentence is already shown once (``show``)."""
    return render() if av else None


def unavailable_notes(*sections: Availability) -> HTML:
    """The sentences of the sections the data cannot support (nothing for available ones)."""
    return HTML("".join(unavailable(av).data for av in sections if not av))


def figure_png(figure: Figure) -> bytes:
    """A figure as PNG bytes; the figure is closed so that it is not drawn a second time."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def as_image(chart: Figure | HTML) -> Image | HTML:
    """A figure as an embedded PNG image; a sentence that replaced an empty chart as it is."""
    return Image(data=figure_png(chart), format="png") if isinstance(chart, Figure) else chart
