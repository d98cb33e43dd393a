"""The five sample reports in a real headless browser (Debian's chromium, driven by playwright):
no sideways scrolling of the page at 390 px (tables scroll in their own box, charts fit), nothing
clipped when printed on A4, a PDF that prints, and a ``<title>`` naming report, scope and date.
Without the browser: every abbreviation a report shows is in its glossary, and the page weighs
what the report's own content weighs plus a few KB (no notebook CSS).

chromium is a test requirement (``.ci/run`` installs it): without it these tests fail, never skip.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import REPORTS
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from playwright.sync_api import sync_playwright

from salesops.orchestration.render import HtmlRenderer, notebook_title, visible_text

PHONE = {"width": 390, "height": 844}
#: A4 (210 mm) less the print stylesheet's 10 mm side margins, at 96 px per inch: 718 px.
A4_CONTENT = round((210 - 2 * 10) / 25.4 * 96)


def chromium() -> str:
    """The chromium binary ($SALESOPS_CHROMIUM, else ``chromium`` on PATH); fails when missing."""
    path = os.environ.get("SALESOPS_CHROMIUM") or shutil.which("chromium")
    if not path or not Path(path).exists():
        pytest.fail("chromium is needed for the browser tests of the reports and was not found: "
                    "install Debian's package (apt-get install chromium; .ci/run does) or set "
                    "SALESOPS_CHROMIUM to the binary", pytrace=False)
    return path


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(),
                                    args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture(params=REPORTS)
def report(request, day) -> Path:
    return day / f"{request.param}.html"


def opened(browser, report: Path, **context):
    """A new page of ``report`` in its own context (viewport, media)."""
    page = browser.new_context(**context).new_page()
    page.goto(report.as_uri())
    return page


#: Images that stick out of the viewport, and tables without a scrolling box of their own.
OVERFLOW = """(width) => {
  const boxed = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll')  // its own box: no other table or chart scrolls with it
        return a.getBoundingClientRect().right <= width + 0.5 && !a.querySelector('img')
               && a.querySelectorAll('table').length === 1;
    }
    return false;
  };
  const tables = [...document.querySelectorAll('table')];
  return {
    tables: tables.length,
    unboxed: tables.filter((t) => !boxed(t)).map((t) => t.innerText.slice(0, 60)),
    wide_images: [...document.images].filter((i) => i.getBoundingClientRect().right > width + 0.5)
                   .map((i) => i.alt.slice(0, 60)),
  };
}"""


def test_phone_width_page_never_scrolls_sideways(browser, report):
    page = opened(browser, report, viewport=PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    found = page.evaluate(OVERFLOW, PHONE["width"])
    assert found["tables"] > 0
    assert found["unboxed"] == [], "tables not in a scrolling box of their own"
    assert found["wide_images"] == [], "charts wider than the phone"
    page.context.close()


#: Table cells that end past the printed page, or are hidden by an ancestor that clips overflow;
#: tables with cells that do not show (a full table behind a closed <details> that did not print).
CLIPPED = """(width) => {
  const out = [], unseen = [];
  for (const table of document.querySelectorAll('table')) {
    if (![...table.querySelectorAll('td, th')].every((c) => c.checkVisibility()))
      unseen.push(table.innerText.slice(0, 60));
    if (table.getBoundingClientRect().right > width + 0.5) out.push(table.innerText.slice(0, 60));
    for (const cell of table.querySelectorAll('td, th')) {
      const r = cell.getBoundingClientRect();
      for (let a = cell.parentElement; a && a !== document.documentElement; a = a.parentElement) {
        const s = getComputedStyle(a);
        if (s.overflowX !== 'visible' && r.right > a.getBoundingClientRect().right + 0.5) {
          out.push(cell.innerText.slice(0, 40));
          break;
        }
      }
    }
  }
  return {out, unseen, nav: [...document.querySelectorAll('nav')].filter(
    (n) => n.getBoundingClientRect().height > 0).length};
}"""


def test_printed_tables_fit_the_page_and_nothing_is_clipped(browser, report):
    page = opened(browser, report, viewport={"width": A4_CONTENT, "height": 1000})
    page.emulate_media(media="print")
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_CONTENT
    found = page.evaluate(CLIPPED, A4_CONTENT)
    assert found["out"] == [], "table cells past the page or clipped"
    assert found["unseen"] == [], "tables that do not print (closed details?)"
    assert found["nav"] == 0, "the link bars print"
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf)) > 0
    page.context.close()


def test_full_tables_behind_details_print_open(browser, tmp_path):
    rows = "".join(f"<tr><td>Rep {i}</td><td>{i}%</td></tr>" for i in range(40))
    nb = new_notebook(cells=[new_markdown_cell("# Cut table"), new_code_cell("t", outputs=[
        new_output("display_data", data={"text/plain": "t", "text/html": (
            f"<p>Top 15 of 40 reps shown.</p><details><summary>All 40 reps</summary>"
            f"<table>{rows}</table></details>")})])])
    page_file = tmp_path / "cut.html"
    page_file.write_text(HtmlRenderer().render(nb, "cut"))
    page = opened(browser, page_file, viewport={"width": A4_CONTENT, "height": 1000})
    assert page.evaluate(CLIPPED, A4_CONTENT)["unseen"] != []  # closed on screen
    page.emulate_media(media="print")
    assert page.evaluate(CLIPPED, A4_CONTENT)["unseen"] == []
    page.context.close()


def test_title_names_report_scope_and_date(browser, report, day):
    page = opened(browser, report)
    executed = nbformat.read(day.parent / ".audit" / day.name / f"{report.stem}.ipynb", 4)
    expected = f"{notebook_title(executed)} · Company · as of {day.name}"
    assert page.title() == expected
    assert page.locator("h1").all_inner_texts() == [expected]
    page.context.close()


#: Capitals that need no glossary entry: fiscal year, region names, currency codes, the deal-ID
#: prefix of the sample data.
NOT_JARGON = {"FY", "APAC", "EMEA", "AMER", "LATAM", "USD", "EUR", "GBP", "OPP"}


def test_every_abbreviation_shown_is_in_the_glossary(report):
    html = report.read_text()
    glossary = re.findall(r"<dt>(.*?)</dt>", html)
    text = visible_text(html[html.index("<main"):html.index('<section class="so-glossary">')])
    capitals = {re.sub(r"\d+$", "", token) for token in re.findall(r"\b[A-Z]{2,}\d*\b", text)}
    assert capitals - NOT_JARGON - set(glossary) == set()


def test_a_report_weighs_its_content_plus_a_few_kb(report, day):
    """The JupyterLab template added ~265 KB of CSS to every report."""
    html = report.read_text()
    executed = nbformat.read(day.parent / ".audit" / day.name / f"{report.stem}.ipynb", 4)
    content = sum(len(c.source) for c in executed.cells if c.cell_type == "markdown") + sum(
        len(str(o.data["text/html"])) for c in executed.cells for o in c.get("outputs", [])
        if "text/html" in o.get("data", {}))
    assert len(html) - content < 10_000
