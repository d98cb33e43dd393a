"""One report as a unit of work: the headline numbers read from its executed notebook."""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_notebook, new_output

from salesops.orchestration.jobs import headline
from salesops.presentation.headline import HEADLINE_MIME, Headline, publish


def _executed(*items: Headline) -> object:
    bundle = publish("forecast", items).data
    cell = new_code_cell("summary()", outputs=[new_output("display_data", {HEADLINE_MIME: bundle})])
    return new_notebook(cells=[cell])


def test_headline_items_come_from_the_executed_notebook_scrubbed():
    nb = _executed(Headline("forecast", "Forecast", 16.6e6, "$16.6M", "FY2026 Q4",
                            note="read from /home/ana/crm/deals.csv"))
    [item] = headline(nb, None)["items"]
    assert (item["key"], item["value"], item["text"], item["period"]) == (
        "forecast", 16.6e6, "$16.6M", "FY2026 Q4")
    assert "/home/ana" not in item["note"]


def test_a_failed_report_or_one_without_a_headline_has_none():
    nb = _executed(Headline("forecast", "Forecast", 1.0, "$1"))
    assert headline(nb, "ValueError: boom (cell In [3])") == {}
    assert headline(None, "no executed notebook was written") == {}
    assert headline(new_notebook(cells=[new_code_cell("1")]), None) == {"items": []}
