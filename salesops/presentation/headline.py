"""Headline numbers a report publishes for the cover page: a display output of its own MIME type
in the executed notebook (nothing shows in the HTML report), read back by the runner."""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from IPython.display import display
from nbformat import NotebookNode

from salesops.data.coverage import Coverage
from salesops.presentation import formatting

HEADLINE_MIME = "application/vnd.salesops.headline+json"


@dataclass(frozen=True)
class Headline:
    """One headline number: ``value`` unrounded (None when missing), ``text`` as the report
    shows it (made by ``formatting``), ``period`` the fiscal period label it is about."""

    key: str
    label: str
    value: float | None
    text: str
    period: str = ""
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        """The item as plain JSON (a missing or NaN value is null)."""
        item = asdict(self)
        value = item["value"]
        item["value"] = None if value is None or math.isnan(float(value)) else float(value)
        return item


@dataclass(frozen=True)
class Published:
    """A report's headline bundle; displayed (the last output of the executive-summary cell) it
    is one output holding only ``HEADLINE_MIME``, no text or HTML form."""

    report: str
    items: tuple[Headline, ...]

    @property
    def data(self) -> dict[str, Any]:
        return {"report": self.report, "items": [item.as_json() for item in self.items]}

    def _ipython_display_(self) -> None:
        display({HEADLINE_MIME: self.data}, raw=True)


def publish(report: str, items: Sequence[Headline]) -> Published:
    """The headline bundle of ``report`` (e.g. "forecast") to display as a cell's last output."""
    return Published(report, tuple(items))


def read(nb: NotebookNode) -> dict[str, Any]:
    """``{"report": ..., "items": [...]}`` published in an executed notebook (the last one if
    several), {} if none."""
    found: dict[str, Any] = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else ():
            if is_headline(output):
                found = output["data"][HEADLINE_MIME]
    return copy.deepcopy(dict(found))


def is_headline(output: NotebookNode) -> bool:
    """Whether a notebook output is a headline bundle (for the cover only: a report page can
    drop it before export, which otherwise warns that it cannot be represented)."""
    return HEADLINE_MIME in output.get("data", {})


def as_value(v: float | None) -> float | None:
    """A headline value: None when missing, else the unrounded float."""
    return None if formatting.missing(v) else float(v)


def coverage_items(cov: Coverage, currency: str = "USD") -> list[Headline]:
    """The ``coverage_next`` and ``coverage_needed_next`` items of a period's ``Coverage``,
    worded alike in every report that publishes them (the review and the forecast)."""
    to_close = formatting.money(cov.to_close, currency, compact=True)
    needed_note = ("at the usual conversion: " + cov.basis) if not formatting.missing(cov.needed) \
        else cov.basis
    return [Headline("coverage_next", "Pipeline coverage", as_value(cov.ratio),
                     formatting.ratio(cov.ratio), cov.period,
                     "" if formatting.missing(cov.ratio) else f"of the {to_close} still to close"),
            Headline("coverage_needed_next", "Coverage needed", as_value(cov.needed),
                     formatting.ratio(cov.needed), cov.period, needed_note)]
