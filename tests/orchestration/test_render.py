"""Rendering: every output type scrubbed, images byte-identical, one title naming report, audience and
date, links, a light page of its own, a glossary, and a failure page instead of partial results."""

from __future__ import annotations

import base64
import re

import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from salesops.orchestration.render import (
    DEFAULT_CONTACT,
    HtmlRenderer,
    chart_texts,
    failure_point,
    keep_together,
    page_title,
    shareable_copy,
    slim_tables,
    visible_text,
)
from salesops.presentation.glossary import TERMS
from salesops.presentation.sections import png_text_chunk

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
        new_output("execute_result", data={"application/json": {"path": leak}, "text/plain": leak},
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
    assert shared.cells[0].source == "# OK report · Company\nWritten from data"


def test_outputs_the_page_cannot_show_are_left_out(recwarn):
    headline = new_output("display_data", data={"application/vnd.salesops.headline+json": {}})
    nb = new_notebook(cells=[new_markdown_cell("# R"), new_code_cell("h", outputs=[headline])])
    assert shareable_copy(nb).cells[1].outputs == []
    HtmlRenderer().render(nb, "r")
    assert not [w for w in recwarn if "not able to be represented" in str(w.message)]


def test_title_is_the_report_heading_not_the_file_name(html):
    assert re.search(r"<title>OK report · Company</title>", html)


def test_title_and_the_one_h1_name_report_audience_and_date():
    html = HtmlRenderer().render(report(), "ok_report", audience="Region EMEA",
                                 as_of="2026-12-01")
    assert "<title>OK report · Region EMEA · as of 2026-12-01</title>" in html
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", html) == ["OK report · Region EMEA · as of 2026-12-01"]
    assert re.search(r"<h2[^>]*>Second heading</h2>", html)  # a later H1 becomes an H2
    again = shareable_copy(shareable_copy(report(), audience="Region EMEA", as_of="2026-12-01"),
                           audience="Region EMEA", as_of="2026-12-01")
    assert again.cells[0].source.startswith("# OK report · Region EMEA · as of 2026-12-01\n")


def test_an_audience_label_is_text_not_markup():
    html = HtmlRenderer().render(report(), "ok_report", audience="Team <b>R&D</b>")
    assert "<title>OK report · Team &lt;b&gt;R&amp;D&lt;/b&gt;</title>" in html
    assert "<h1>OK report · Team &lt;b&gt;R&amp;D&lt;/b&gt;</h1>" in html and "<b>R" not in html


def test_the_date_defaults_to_the_as_of_papermill_ran_with():
    nb = report()
    nb.metadata["papermill"] = {"parameters": {"as_of": "2026-11-30", "data_dir": LOCAL}}
    assert "<title>OK report · Company · as of 2026-11-30</title>" in HtmlRenderer().render(nb, "x")
    assert page_title("Forecast", None, pd.Timestamp("2026-12-01 13:00")) == (
        "Forecast · Company · as of 2026-12-01")


def test_without_heading_the_given_title_is_used():
    nb = new_notebook(cells=[new_code_cell("1", outputs=[])])
    html = HtmlRenderer().render(nb, "fallback", audience="Team A")
    assert "<title>fallback · Team A</title>" in html
    assert "<h1" in html and "fallback · Team A</h1>" in html


def test_nav_links_on_top_and_at_the_foot():
    nav = [("Cover", "index.html"), ("Forecast <new>", "forecast.html")]
    html = HtmlRenderer().render(report(), "ok_report", nav=nav)
    top, foot = html.index('class="so-nav"'), html.index('<footer class="so-footer"')
    assert top < html.index("<main") < html.index("</main>") < foot
    assert html.count('<a href="index.html">Cover</a>') == 2
    assert html.count('<a href="forecast.html">Forecast &lt;new&gt;</a>') == 2
    assert "<nav" not in HtmlRenderer().render(report(), "ok_report")  # no links: no bar


def test_the_page_carries_no_notebook_css_and_no_scripts(html):
    """The old JupyterLab template added ~265 KB of CSS to every report; the page now weighs
    its outputs plus its own stylesheet (a few KB)."""
    outputs = sum(len(str(v)) for c in report().cells for o in c.get("outputs", [])
                  for v in o.get("data", {}).values())
    assert len(html) - outputs < 10_000
    assert "jp-" not in html and "<script" not in html and "--jp-" not in html
    assert "@media print" in html and "overflow-x: auto" in html


def test_every_table_sits_in_a_scrolling_box():
    table = '<table><tr><td>1</td></tr></table>'
    nb = new_notebook(cells=[new_markdown_cell("# T\n\n| a |\n|---|\n| 1 |"),
                             new_code_cell("t", outputs=[new_output("display_data", data={
                                 "text/html": table + table, "text/plain": "t"})])])
    html = HtmlRenderer().render(nb, "t")
    assert html.count("<table") == 3
    assert html.count('<div class="so-table"><table') == 3


def test_table_cells_lose_the_ids_and_classes_no_stylesheet_uses():
    table = ('<style>#T_a td {padding: 1px} #T_a_row0_col1 {color: red} .note {x: 1}</style>'
             '<table id="T_a"><tr class="row0"><th class="col_heading level0 col0" id="T_a_level0_col0">'
             'A</th></tr><tr><td class="data row0 col0" id="T_a_row0_col0">1</td>'
             '<td class="data row0 col1 note" id="T_a_row0_col1">2</td></tr></table>')
    assert slim_tables(table) == (
        '<style>#T_a td {padding: 1px} #T_a_row0_col1 {color: red} .note {x: 1}</style>'
        '<table id="T_a"><tr><th>A</th></tr><tr><td>1</td>'
        '<td class="note" id="T_a_row0_col1">2</td></tr></table>')


def test_dates_and_fiscal_periods_in_cells_never_break():
    cells = ("<td>2026-12-01</td><td>2026-11</td><th>FY2026 Q4</th><td> FY2027 </td>"
             "<td>from 2026-01-01</td><td>12026-11-01</td>")
    assert keep_together(f"<table><tr>{cells}</tr></table>") == (
        '<table><tr><td><span class="so-nobr">2026-12-01</span></td>'
        '<td><span class="so-nobr">2026-11</span></td><th><span class="so-nobr">FY2026 Q4</span></th>'
        '<td><span class="so-nobr">FY2027</span></td><td>from 2026-01-01</td><td>12026-11-01</td>'
        "</tr></table>")


def test_glossary_lists_the_terms_the_page_uses_and_only_those():
    nb = new_notebook(cells=[
        new_markdown_cell("# Forecast\n\nScored by MASE, with a backtest."),
        new_code_cell("t", outputs=[new_output("display_data", data={
            "text/html": '<img src="data:image/png;base64,AAAA" alt="P90 of the run-rate">'
                         '<p style="color:red">The win rates</p><style>.ARIMA {}</style>',
            "text/plain": "t"})]),
    ])
    html = HtmlRenderer().render(nb, "forecast")
    glossary = html[html.index('<section class="so-glossary">'):]
    assert re.findall(r"<dt>(.*?)</dt>", glossary) == ["backtest", "MASE", "P90", "run-rate",
                                                       "win rate"]
    assert f"<dd>{TERMS['MASE']}</dd>" in glossary
    assert glossary.index("</section>") < glossary.index("</main>")
    plain = HtmlRenderer().render(new_notebook(cells=[new_markdown_cell("# Plain")]), "plain")
    assert "Glossary" not in plain


def test_chart_texts_reach_the_glossary():
    png = b"\x89PNG\r\n\x1a\n" + png_text_chunk("Description", "P10 to P90\nŁódź CES")
    data = base64.b64encode(png + b"\0\0\0\0IDAT").decode()
    img = f'<img src="data:image/png;base64,{data}" alt="Forecast">'
    assert chart_texts(img) == "P10 to P90\nŁódź CES"
    nb = new_notebook(cells=[new_markdown_cell("# F"), new_code_cell("t", outputs=[
        new_output("display_data", data={"text/html": img, "text/plain": "t"})])])
    assert re.findall(r"<dt>(.*?)</dt>", HtmlRenderer().render(nb, "f")) == ["CES", "P10", "P90"]


def failed_report() -> dict:
    """A report that ran two sections and failed in the third, after printing a number."""
    error = new_output("error", ename="ValueError", evalue=f"no column in {LOCAL}",
                       traceback=["Traceback (most recent call last)", "ValueError: no column"])
    return new_notebook(cells=[
        new_markdown_cell("# Report\n\nThe intro."),
        new_markdown_cell("## 1. Summary"),
        new_code_cell("s", outputs=[new_output("display_data", data={
            "text/html": "<p>Bookings $6.7M, MASE 0.6</p>", "text/plain": "s"})]),
        new_markdown_cell("## 2. Teams *by region*\n\n### Detail"),
        new_code_cell("t", outputs=[new_output("stream", name="stdout", text="42 rows\n"), error]),
        new_markdown_cell("## 3. Never reached"),
        new_code_cell("u", outputs=[]),
    ])


def test_a_failed_report_is_a_friendly_page_without_partial_numbers():
    html = HtmlRenderer().render(failed_report(), "report", log=".audit/2026-12-01/_logs/r.log",
                                 audience="Region EMEA", as_of="2026-12-01",
                                 nav=[("Cover", "index.html")], contact="Sales Ops (ops@example.com)")
    text = visible_text(html[html.index("<main"):])
    assert text.startswith("Report · Region EMEA · as of 2026-12-01 "
                           "This report could not be produced for 2026-12-01. "
                           "It stopped in the section “Detail”. Its numbers are missing")
    assert "The other reports are not affected." in text
    assert "Please tell Sales Ops (ops@example.com) that this report is missing." in text
    assert "the details are in the run log (.audit/2026-12-01/_logs/r.log)" in text
    for partial in ("6.7M", "42 rows", "MASE", "The intro", "Summary", "Traceback", "ValueError",
                    LOCAL, "Glossary"):
        assert partial not in html, partial
    assert '<a href="index.html">Cover</a>' in html  # the way back to the cover stays


def test_failure_page_defaults_and_where_it_stopped():
    nb = failed_report()
    assert failure_point(nb) == "Detail"
    nb.cells[3].source = "## 2. Teams *by region*"
    assert failure_point(nb) == "2. Teams by region"
    assert failure_point(report()) is None
    before = new_notebook(cells=[new_markdown_cell("# Report"), nb.cells[4]])
    assert failure_point(before) == ""
    html = HtmlRenderer().render(before, "report", log="/home/someone/r.log")
    assert "It stopped before its first section." in html
    assert f"Please tell {DEFAULT_CONTACT} that this report is missing." in html
    assert "/home/someone" not in html and "(<code>r.log</code>)" in html  # never an absolute path
    assert "the details are in the run log.</p>" in HtmlRenderer().render(before, "report")
    flagged = HtmlRenderer().render(report(), "report", failed=True)  # failed without an error
    assert "This report could not be produced." in flagged and "It stopped" not in flagged
    assert "deals.csv" not in flagged


def test_two_renders_of_a_failed_report_are_identical():
    nb = new_notebook(cells=[new_markdown_cell("# Report"), new_code_cell("1/0", outputs=[])])
    renderer = HtmlRenderer()
    first = renderer.render(nb, "report", failed=True)
    assert "This report could not be produced" in first
    assert renderer.render(nb, "report", failed=True) == first
