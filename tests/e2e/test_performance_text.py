"""The performance review on the sample, for the company and for Region EMEA, read back as a VP
reads it: every figure of the executive summary agrees with the report's own tables (headline
table, trend table, leaderboard, rollups) and with the headline numbers it publishes for the
cover; a point difference is the difference of the rounded percentages shown beside it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import SAMPLE_FOLDERS as FOLDERS
from report_text import agrees, numbers, summary_sentences, table_cells, tables


def page(day: Path, slug: str) -> str:
    return (day / slug / "performance_review.html").read_text()


def summary(day: Path, slug: str) -> list[str]:
    return summary_sentences(page(day, slug), "Executive summary")


def sentence(sentences: list[str], start: str) -> str:
    found = [s for s in sentences if s.startswith(start) or f" {start}" in s]
    assert found, (start, sentences)
    return found[0]


def published(day: Path, slug: str) -> dict[str, dict]:
    manifest = json.loads((day / slug / "manifest.json").read_text())
    review = next(nb for nb in manifest["notebooks"] if nb["name"] == "performance_review")
    return {item["key"]: item for item in review["headline"]["items"]}


def shown_pct(text: str) -> int:
    """'48%' -> 48 (a percentage as the page shows it)."""
    return int(re.fullmatch(r"(\d+)%", text.strip())[1])


def full_table(html: str, caption: str):
    """The longest table with ``caption`` (a cut table's expandable copy holds every row)."""
    found = [t for t in tables(html) if caption.lower() in t["caption"].lower()]
    best = max(range(len(found)), key=lambda i: len(found[i]["body"]))
    index = tables(html).index(found[best])
    return table_cells(html, index)


@pytest.mark.parametrize("slug", FOLDERS)
def test_headline_sentence_agrees_with_the_headline_table(day, slug):
    head = table_cells(page(day, slug), "Headline vs comparison periods").set_index("")
    now = head.loc["This period"]
    line = sentence(summary(day, slug), "FY2026 Q4 to date")
    money = [f for f in numbers(line) if f.kind == "money"]
    bookings, quota = money[0], money[1]
    attainment = [f for f in numbers(line) if f.kind == "percent"][-1]
    assert agrees(bookings, now["Bookings"]) and agrees(quota, now["Quota"])
    assert attainment.text == now["Attainment"]  # "50%" beside "50%", never 49% or 51%
    items = published(day, slug)
    assert items["bookings"]["text"] == bookings.text and items["quota"]["text"] == quota.text
    assert items["attainment"]["text"] == now["Attainment"]


#: The comparison periods of the sample's FY2026 Q4 and their rows in the headline table.
COMPARED = {"FY2026 Q3": "Previous period", "FY2025 Q4": "Same period last year"}


def comparisons(line: str) -> list[tuple[str, str]]:
    """The clauses of a comparison sentence that compare with a period, with its table row."""
    out = []
    for clause in re.split(r" and |; ", line):
        period = next((p for p in COMPARED if p in clause), None)
        if period is not None and "cannot" not in clause:
            out.append((clause, COMPARED[period]))
    return out


@pytest.mark.parametrize("slug", FOLDERS)
def test_attainment_change_is_the_difference_of_the_shown_percentages(day, slug):
    head = table_cells(page(day, slug), "Headline vs comparison periods").set_index("")
    now = shown_pct(head.loc["This period", "Attainment"])
    for clause, row in comparisons(sentence(summary(day, slug), "Attainment is")):
        then = head.loc[row, "Attainment"]
        figures = numbers(clause)
        ref = next(f for f in figures if f.kind == "percent")
        assert ref.text == then, clause
        moved = next((f for f in figures if f.kind == "points"), None)
        expected = now - shown_pct(then)
        if moved is None:
            assert expected == 0 and "unchanged" in clause, clause
        else:
            assert moved.value == expected, clause  # e.g. 50% vs 48%: up 2 pts


@pytest.mark.parametrize("slug", FOLDERS)
def test_bookings_change_agrees_with_the_table(day, slug):
    head = table_cells(page(day, slug), "Headline vs comparison periods").set_index("")
    amount = numbers(head.loc["This period", "Bookings"])[0].value
    for clause, row in comparisons(sentence(summary(day, slug), "Bookings are")):
        cell = head.loc[row, "Bookings"]
        change, ref = [f for f in numbers(clause) if f.kind in ("percent", "money")]
        assert agrees(ref, cell), clause
        then = numbers(cell)[0].value
        sign = -1 if "down" in clause else 1
        assert sign * change.value * 100 == round((amount / then - 1) * 100), clause


@pytest.mark.parametrize("slug", FOLDERS)
def test_reps_at_quota_is_one_count_in_summary_trend_leaderboard_and_headline(day, slug):
    html = page(day, slug)
    line = sentence(summary(day, slug), "ranked reps")
    share = next(f for f in numbers(line) if f.kind == "share")
    pct = next(f for f in numbers(line) if f.kind == "percent")
    trend = table_cells(html, "Quarterly trend").set_index("Quarter")
    cell = trend.loc["FY2026 Q4", "Ranked reps at quota"]  # "2 of 26 (8%)"
    assert numbers(cell)[0].value == share.value and cell.endswith(f"({pct.text})")
    board = full_table(html, "Leaderboard")
    ranked = board.loc[board["Rank"] != "–"]
    at_quota = sum(shown_pct(a) >= 100 for a in ranked["Attainment"])
    assert share.value == (at_quota, len(ranked))
    assert published(day, slug)["reps_at_quota"]["text"] == cell


@pytest.mark.parametrize("slug", FOLDERS)
def test_coverage_is_one_figure_against_one_standard(day, slug):
    html = page(day, slug)
    lines = summary(day, slug)
    line = sentence(lines, "FY2027 Q1")
    assert "target" not in " ".join(lines) and "3x" not in " ".join(lines)
    ratios = [f for f in numbers(line) if f.kind == "ratio"]
    cover, needed = ratios[0], ratios[1]
    items = published(day, slug)
    assert items["coverage_next"]["text"] == cover.text
    assert items["coverage_needed_next"]["text"] == needed.text
    assert f"against {needed.text} needed at the usual conversion" in line
    # pipeline / still to close, as the sentence states them
    pipeline, to_close = [f for f in numbers(line) if f.kind == "money"][:2]
    assert agrees(cover, f"{pipeline.value / to_close.value:.3f}")
    risks = sentence(lines, "Biggest risks and changes")
    if "FY2027 Q1 pipeline has coverage" in risks:  # a risk only below the standard
        assert float(cover.value) < float(needed.value)
    teams = table_cells(html, "By team")
    assert all(c.endswith("x") for c in teams["Next-period coverage"])  # a multiple, "1.1x"


def test_a_region_report_has_no_one_row_region_rollup(day):
    html = page(day, "region-emea")
    assert not [t for t in tables(html) if t["caption"] == "By region"]
    assert "Region EMEA has one region (EMEA): its rollup is the headline above." in " ".join(
        summary_sentences(html, "Rollups"))
    assert [t["caption"] for t in tables(page(day, "")) if t["caption"] == "By region"]


@pytest.mark.parametrize("slug", FOLDERS)
def test_point_gaps_in_the_risks_are_between_the_shown_figures(day, slug):
    risks = sentence(summary(day, slug), "Biggest risks and changes")
    for part in re.findall(r"[^.]*\d+ pts? (?:below|under)[^.]*", risks):
        figures = numbers(part)
        gap = next(f for f in figures if f.kind == "points")
        shown = [f for f in figures if f.kind == "percent"]
        assert abs(gap.value) == abs(round(shown[-1].value * 100) - round(shown[0].value * 100)), part


@pytest.mark.parametrize("slug", FOLDERS)
def test_report_text_has_no_doc_paths_or_raw_formats(day, slug):
    html = page(day, slug)
    text = " ".join(summary_sentences(html, "Performance review"))
    assert "docs/" not in html and ".md" not in text
    assert not re.search(r"\(s\)|\.0[KMB]\b|\+0%|\b\d+\.\d+(?!\d|x|%|[KMB])", text), text
