"""The data quality report on the sample, for the company and for Region EMEA, read back as a VP
reads it: the summary states its date; every figure of the summary agrees with the report's
loading and hygiene tables and with the headline numbers it publishes for the cover; the text
has no doc path or unformatted figure."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import SAMPLE_AS_OF as AS_OF
from conftest import SAMPLE_FOLDERS as FOLDERS
from conftest import visible_text
from report_text import agrees, numbers, summary_sentences, table_cells, tables


def page(day: Path, slug: str) -> str:
    return (day / slug / "data_quality.html").read_text()


def summary(day: Path, slug: str) -> list[str]:
    return summary_sentences(page(day, slug), "Summary")


def published(day: Path, slug: str) -> dict[str, dict]:
    manifest = json.loads((day / slug / "manifest.json").read_text())
    entry = next(nb for nb in manifest["notebooks"] if nb["name"] == "data_quality")
    return {item["key"]: item for item in entry["headline"]["items"]}


def full_table(html: str, caption: str):
    """The longest table with ``caption`` (a cut table's expandable copy holds every row)."""
    found = [i for i, t in enumerate(tables(html)) if caption.lower() in t["caption"].lower()]
    assert found, caption
    return max((table_cells(html, i) for i in found), key=len)


def count(text: str) -> int:
    return int(text.replace(",", ""))


@pytest.mark.parametrize("slug", FOLDERS)
def test_the_summary_states_its_date(day, slug):
    assert summary(day, slug)[0] == (f"The data as known on {AS_OF}: open deals, owners and "
                                     "stages on that date.")


@pytest.mark.parametrize("slug", FOLDERS)
def test_loading_sentence_agrees_with_the_rows_table_and_the_headline(day, slug):
    rows = table_cells(page(day, slug), "Rows per table")
    line = next(s for s in summary(day, slug) if "passed validation" in s or "were quarantined" in s)
    n_in = numbers(line)[0]
    assert n_in.value == sum(count(v) for v in rows["Rows in"])
    assert f"of the {len(rows)} tables" in line
    quarantined = sum(count(v) for v in rows["Quarantined"])
    items = published(day, slug)
    assert items["rows_in"]["text"] == n_in.text
    assert items["rows_quarantined"]["value"] == quarantined
    assert items["rows_quarantined"]["text"] == f"{quarantined:,} (0%)"  # none on the sample


@pytest.mark.parametrize("slug", FOLDERS)
def test_hygiene_sentence_agrees_with_the_hygiene_and_rep_tables(day, slug):
    html = page(day, slug)
    checks = table_cells(html, "CRM hygiene of open deals").set_index("Check")
    reps = full_table(html, "Reps with flagged open deals")
    line = next(s for s in summary(day, slug) if s.startswith("Of ") and "need" in s)
    figures = numbers(line)
    n_open, n_flagged = figures[0], figures[2]
    flagged_share, flagged_value = figures[3], figures[4]
    assert n_open.kind == n_flagged.kind == "count"
    # each flagged deal once: the reps' flagged deals add up to it, their known value too
    assert n_flagged.value == sum(count(v) for v in reps["Flagged deals"])
    assert flagged_share.text == f"{round(100 * n_flagged.value / n_open.value)}%"
    total = sum(float(v.replace("$", "").replace(",", "")) for v in reps["Flagged value (known)"])
    assert agrees(flagged_value, f"${total:,.0f}")
    past_due = re.search(r"([\d,]+) past their expected close date", line)
    stale = re.search(r"([\d,]+) without a stage change", line)
    assert count(past_due[1]) == count(checks.loc["past due", "Deals"])
    assert count(stale[1]) == count(checks.loc["stale", "Deals"])
    share_of_value = re.search(r"\((\d+%) of the known open value\)", line)[1]
    assert published(day, slug)["open_flagged"]["text"] == f"{share_of_value} ({flagged_value.text})"


@pytest.mark.parametrize("slug", FOLDERS)
def test_the_worst_rep_is_the_first_row_of_the_rep_table(day, slug):
    html = page(day, slug)
    first = table_cells(html, "Reps with flagged open deals").iloc[0]
    line = next(s for s in summary(day, slug) if "has the most flagged pipeline" in s)
    assert line.startswith(f"{first['Rep']} ({first['Team']}")
    value, share = [f for f in numbers(line) if f.kind in ("money", "percent")]
    assert agrees(value, first["Flagged value (known)"]) and share.text == first["Flagged share"]


@pytest.mark.parametrize("slug", FOLDERS)
def test_the_text_has_no_doc_paths_or_unformatted_figures(day, slug):
    text = visible_text(page(day, slug))
    for bad in (r"docs/", r"\(s\)", r"\$\d+\.0[KMB]", r"\+0%", r"\bnan\b", r"\bNaN\b",
                r"\bNaT\b"):
        assert re.search(bad, text) is None, (bad, re.search(bad, text))
