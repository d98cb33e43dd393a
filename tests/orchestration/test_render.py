"""Rendering: every output type scrubbed, images byte-identical, titles and headings name the audience."""

from __future__ import annotations

import base64
import re

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from salesops.orchestration.render import HtmlRenderer, shareable_copy

TOKEN = "sk_live_51H8abcdEFGHijklMNOP"
LOCAL = "/home/someone/data"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 3).decode()  # '+', '/', '='


def report() -> dict:
    """A notebook whose outputs leak a local path and a key through every output type."""
    leak = f"{LOCAL}/deals.csv {TOKEN}"
    outputs = [
        new_output("stream", name="stdout", text=f"read {leak}\n"),
        new_output("display_data", data={
            "text/html": f'<p title="{LOCAL}">{leak}</p><img src="data:image/png;base64,{PNG}">',
            "text/plain": leak}),
        new_output("display_data", data={"text/markdown": f"**{leak}**"}),
        new_output("display_data", data={"text/latex": f"$x$ {leak}"}),
        new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"},
                   metadata={"image/png": {"alt": f"chart of {leak}"}}),
        new_output("execute_result", data={"application/json": {"path": leak}},
                   execution_count=1),
    ]
    return new_notebook(cells=[
        new_markdown_cell("# OK report\nWritten from " + LOCAL),
        new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        new_code_cell("show()", outputs=outputs),
        new_markdown_cell("# Second heading"),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}})


@pytest.fixture(scope="module")
def html() -> str:
    return HtmlRenderer().render(report(), "ok_report")


def test_no_local_path_or_key_reaches_the_html(html):
    assert LOCAL not in html and "someone" not in html
    assert TOKEN not in html and "sk_live_" not in html
    assert html.count("deals.csv ***") >= 4  # stream, html, markdown, latex (alt: see below)


def test_base64_images_survive_byte_identical(html):
    assert html.count(f"data:image/png;base64,{PNG}") == 2  # the image output and the inline one


def test_image_alt_text_and_markdown_cells_are_scrubbed():
    shared = shareable_copy(report())
    outputs = shared.cells[1].outputs
    assert outputs[4].metadata["image/png"]["alt"] == "chart of deals.csv ***"
    assert outputs[4].data["image/png"] == PNG
    assert outputs[5].data["application/json"] == {"path": f"{LOCAL}/deals.csv ***"}
    assert shared.cells[0].source == "# OK report\nWritten from data"


def test_title_is_the_report_heading_not_the_file_name(html):
    assert re.search(r"<title>OK report</title>", html)


def test_audience_names_the_first_heading_and_the_title():
    html = HtmlRenderer().render(report(), "ok_report", audience="Region EMEA")
    assert "<title>OK report — Region EMEA</title>" in html
    assert re.search(r"<h1[^>]*>OK report — Region EMEA", html)
    assert "Second heading — Region EMEA" not in html
    shared = shareable_copy(shareable_copy(report(), audience="Region EMEA"),
                            audience="Region EMEA")
    assert shared.cells[0].source.startswith("# OK report — Region EMEA\n")  # only once


def test_without_heading_the_given_title_is_used():
    nb = new_notebook(cells=[new_code_cell("1", outputs=[])])
    assert "<title>fallback — Team A</title>" in HtmlRenderer().render(nb, "fallback",
                                                                       audience="Team A")


def test_two_renders_of_a_failed_report_are_identical():
    nb = new_notebook(cells=[new_markdown_cell("# Report"), new_code_cell("1/0", outputs=[])])
    renderer = HtmlRenderer()
    first = renderer.render(nb, "report", failed=True)
    assert "This report is incomplete" in first
    assert renderer.render(nb, "report", failed=True) == first
