"""A report section that the data cannot support: its one plain sentence instead of the content."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from IPython.display import HTML

from salesops.data.requirements import Availability


def unavailable(av: Availability) -> HTML:
    """The sentence saying why a section is not shown (escaped), styled as a note."""
    return HTML('<p class="salesops-unavailable" style="color:#555;font-style:italic">'
                f"{html.escape(av.reason)}</p>")


def show(av: Availability, render: Callable[[], Any]) -> Any:
    """``render()`` when the section is available, else its sentence; nothing is computed or
    drawn for a section the data cannot support."""
    return render() if av else unavailable(av)
