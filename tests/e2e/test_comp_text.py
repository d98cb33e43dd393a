"""The comp plan evaluation on the sample, for the company and for Region EMEA, read back as a VP
reads it: every figure of the summary agrees with the report's own cost table, tiles and what-if
tables and with the headline numbers it publishes for the cover; the featured statement is the
one its caption names; quota realism flags no rep against their own result; the text has no doc
path, '(s)', '$500.0K' or '+0%'."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import SAMPLE_FOLDERS as FOLDERS
from conftest import visible_text
from report_text import agrees, numbers, summary_sentences, table_cells, tables


def page(day: Path, slug: str) -> str:
    return (day / slug / "comp_plan_evaluation.html").read_text()


def sentence(day: Path, slug: str, start: str) -> str:
    found = [s for s in summary_sentences(page(day, slug), "Summary") if s.startswith(start)]
    assert found, (start, summary_sentences(page(day, slug), "Summary"))
    return found[0]


class _Tiles(HTMLParser):
    """KPI tiles: a label div followed by a value div, inside a tile div."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        style = dict(attrs).get("style") or ""
        self._open = tag == "div" and "font-size" in style

    def handle_data(self, data: str) -> None:
        if self._open:
            self.texts.append(data.strip())
            self._open = False


def tiles(html: str) -> dict[str, str]:
    """Tile label -> value text."""
    parser = _Tiles()
    parser.feed(html)
    return dict(zip(parser.texts[::2], parser.texts[1::2], strict=False))


def full_table(html: str, caption: str):
    """The longest table with ``caption`` (a cut table's expandable copy holds every row)."""
    found = [i for i, t in enumerate(tables(html)) if caption.lower() in t["caption"].lower()]
    assert found, caption
    return max((table_cells(html, i) for i in found), key=len)


def published(day: Path, slug: str) -> dict[str, dict]:
    manifest = json.loads((day / slug / "manifest.json").read_text())
    entry = next(nb for nb in manifest["notebooks"] if nb["name"] == "comp_plan_evaluation")
    return {item["key"]: item for item in entry["headline"]["items"]}


@pytest.mark.parametrize("slug", FOLDERS)
def test_cost_sentence_agrees_with_the_cost_table_and_the_headline(day, slug):
    html = page(day, slug)
    total = table_cells(html, "Payout against budget").set_index("Team").loc["All"]
    line = sentence(day, slug, "Under ")
    money = [f for f in numbers(line) if f.kind == "money"]
    payout, gap, budget, bookings = money
    assert agrees(payout, total["Payout"]) and agrees(budget, total["Budget"])
    assert agrees(bookings, total["Credited bookings"])
    # the gap is the difference of the compact figures shown: "$4.5M ... $400K above the $4.1M"
    assert gap.value == pytest.approx(abs(payout.value - budget.value))
    assert ("above" in line) == (payout.value > budget.value)
    shares = [f.text for f in numbers(line) if f.kind == "percent"]
    assert shares == [total["Payout / budget"], total["Cost of sales"]]
    assert re.search(rf"\b{total['Reps']} reps? earned", line)
    items = published(day, slug)
    assert [items[k]["text"] for k in ("payout", "budget", "payout_vs_budget",
                                       "cost_of_sales")] == [payout.text, budget.text, *shares]


@pytest.mark.parametrize("slug", FOLDERS)
def test_reps_at_quota_and_pay_for_performance_agree_with_the_tiles(day, slug):
    html, tile = page(day, slug), tiles(page(day, slug))
    line = next(s for s in summary_sentences(html, "Summary")
                if "reached their quota for the whole run" in s)
    at_quota, ote = [f for f in numbers(line) if f.kind == "share"]
    pcts = [f.text for f in numbers(line) if f.kind == "percent"]
    assert tile["Reached quota, whole run"] == f"{at_quota.text} ({pcts[0]})"
    assert tile["Reached on-target pay"] == f"{ote.text} ({pcts[3]})"  # after the 60%-70% norm
    part, whole = at_quota.value
    assert pcts[0] == f"{round(100 * part / whole)}%"
    p4p = sentence(day, slug, "Pay follows performance")
    rho = numbers(p4p)[0]
    assert rho.text == tile["Rank correlation"]
    top, bottom = [f.text for f in numbers(p4p) if f.kind == "percent"]
    assert (top, bottom) == (tile["Top quarter of reps: payout / target"],
                             tile["Bottom quarter of reps: payout / target"])


@pytest.mark.parametrize("slug", FOLDERS)
def test_what_if_and_next_period_agree_with_their_tiles_and_tables(day, slug):
    html, tile = page(day, slug), tiles(page(day, slug))
    line = next(s for s in summary_sentences(html, "Summary") if "would have cost" in s)
    cost, difference = [f for f in numbers(line) if f.kind == "money"][:2]
    assert cost.text == tile["Cost, alternative"]
    assert f"{difference.text} {'less' if 'less than' in line else 'more'}" == \
        tile["Alternative costs"]
    gain, lose = (int(n) for n in re.search(r"(\d+) reps? gains?, (\d+) loses?", line).groups())
    assert tile["Reps who gain / lose"] == f"{gain} / {lose}"
    assert len(full_table(html, "Reps who would gain")) == gain
    assert len(full_table(html, "Reps who would lose")) == lose
    nxt = next(s for s in summary_sentences(html, "Summary") if s.startswith("Next "))
    median, low, high = [f for f in numbers(nxt) if f.kind == "money"]
    assert agrees(median, tile["P50: the median"])
    assert agrees(low, tile["P10: 1 in 10 simulations below"])
    assert agrees(high, tile["P90: 1 in 10 simulations above"])


@pytest.mark.parametrize("slug", FOLDERS)
def test_quota_realism_counts_and_directions(day, slug):
    html = page(day, slug)
    line = next(s for s in summary_sentences(html, "Quota realism")
                if "complete rep-quarters" in s and "reached that quarter's quota" in s)
    share = next(f for f in numbers(line) if f.kind == "share")
    part, whole = share.value
    assert f"({round(100 * part / whole)}%)" in line
    if "No quota looks mis-set" in html:
        return
    misset = full_table(html, "Quotas that look mis-set")
    attained = misset["Attainment"].str.rstrip("%").astype(float)
    # too high: missed (under 100%); too low: reached (100% or more)
    assert (attained[misset["Quota looks"] == "too high"] < 100).all()
    assert (attained[misset["Quota looks"] == "too low"] >= 100).all()


@pytest.mark.parametrize("slug", FOLDERS)
def test_the_featured_statement_is_the_one_its_caption_names(day, slug):
    html = page(day, slug)
    caption = next(s for s in summary_sentences(html, "Statements and clawbacks")
                   if s.startswith("Shown"))
    who, month = re.search(r"the statement of (.+?) for (\d{4}-\d{2})", caption).groups()
    assert re.search(rf"<h3>{re.escape(who)} \(R\d+\), {month}</h3>", html), caption
    statement = next(table_cells(html, i) for i, t in enumerate(tables(html))
                     if t["head"] and t["head"][-1][:2] == ["Date", "Line"])
    claws = statement.loc[statement["Line"] == "Clawback"]
    n = int(re.search(r"\((\d+) lines? reversing", caption)[1])
    reversed_ = re.search(r"reversing (\$[\d,.]+)\)", caption)[1]
    assert len(claws) == n
    cents = claws["Amount"].str.replace(r"[-$,]", "", regex=True).astype(float).sum()
    assert f"${cents:,.2f}" == reversed_
    assert statement["Amount"].str.match(r"^-?\$[\d,]+\.\d\d$").all()  # currency on every line
    assert claws["Date"].str.startswith(month).all()  # clawbacks are booked in their month


@pytest.mark.parametrize("slug", FOLDERS)
def test_the_text_has_no_doc_paths_or_unformatted_figures(day, slug):
    text = visible_text(page(day, slug))
    for bad in (r"docs/", r"\(s\)", r"\$\d+\.0[KMB]", r"\+0%", r"\bTI\b", r"\bOTE\b",
                r"\bnan\b", r"\bNaN\b", r"\bNaT\b"):
        assert re.search(bad, text) is None, (bad, re.search(bad, text))
