"""The report-reading helpers on a hand-written page shaped like a rendered report."""

import pandas as pd
import pytest
from report_text import Figure, agrees, numbers, split_sentences, summary_sentences, table_cells

PAGE = """<html><head><style>p { color: red } .x { content: "1.5x" }</style></head><body><main>
<div class="so-text"><h1>Performance review · Region EMEA · as of 2026-12-01</h1>
<p>An introduction with 3 numbers 4 and 5.</p></div>
<div class="so-text"><h2>1. Executive summary</h2></div>
<div class="so-out"><div class="salesops-summary">
<p>Region EMEA, FY2026 Q4 to date: bookings $6.7M against a $13.5M quota, 50% attainment.
Attainment is up 2 pts on FY2026 Q3 (48%).</p>
<p>2 of 26 ranked reps (8%) are at quota; coverage 1.1x of the &euro;15.4M still to close.</p>
<ul><li>Tom &amp; Ann lead with $999K.</li></ul>
<table><caption>Headline</caption><thead><tr><th></th><th>Bookings</th><th>Attainment</th></tr>
</thead><tbody><tr><th>This period</th><td>$6,700,100</td><td>49.6%</td></tr>
<tr><th>Previous</th><td>$6,026,100</td><td>48.2%</td></tr></tbody></table>
<img src="data:image/png;base64,AAAA" alt="Chart: 12 reps">
</div></div>
<div class="so-text"><h3>Notes</h3><p>A sub-section note of 7 deals.</p></div>
<div class="so-text"><h2>2. Rollups</h2><p>Not in the summary: 99 reps.</p></div>
<details><summary>All 40 reps</summary><table><caption>All reps</caption>
<tr><td>Ann</td><td>1</td></tr><tr><td>Bo</td></tr></table></details>
</main></body></html>"""


def test_summary_sentences_are_the_prose_of_the_section_and_its_subsections():
    assert summary_sentences(PAGE) == [
        "Region EMEA, FY2026 Q4 to date: bookings $6.7M against a $13.5M quota, 50% attainment.",
        "Attainment is up 2 pts on FY2026 Q3 (48%).",
        "2 of 26 ranked reps (8%) are at quota; coverage 1.1x of the €15.4M still to close.",
        "Tom & Ann lead with $999K.",
        "A sub-section note of 7 deals.",  # the h3 below the h2 belongs to it
    ]  # no table cells, captions, alt text, styles, nor the next h2
    assert summary_sentences(PAGE, heading="rollups") == ["Not in the summary: 99 reps."]


def test_summary_sentences_names_the_headings_when_none_matches():
    with pytest.raises(ValueError, match="Executive summary"):
        summary_sentences(PAGE, heading="Forecast")


def test_sentences_split_at_full_stops_not_at_decimals():
    assert split_sentences("Coverage 1.1x of $6.7M. Needed 1.6x. 205 deals.") == [
        "Coverage 1.1x of $6.7M.", "Needed 1.6x.", "205 deals."]


def test_numbers_reads_each_kind_of_figure():
    found = numbers("2 of 26 reps (8%): $6.7M, $500K, €1,234, 500K CHF, up 2 pts, down 1 pt, "
                    "-4.2 pts, 1.1x, 1,234 deals, -$3M, 60-70% on 2026-12-01 in FY2026 Q4 (P90)")
    assert [(f.text, f.kind) for f in found] == [
        ("2 of 26", "share"), ("8%", "percent"), ("$6.7M", "money"), ("$500K", "money"),
        ("€1,234", "money"), ("500K CHF", "money"), ("2 pts", "points"), ("1 pt", "points"),
        ("-4.2 pts", "points"), ("1.1x", "ratio"), ("1,234", "count"), ("-$3M", "money"),
        ("60%", "percent"), ("70%", "percent")]
    values = [f.value for f in found]
    assert values[:6] == [(2, 26), 0.08, 6_700_000, 500_000, 1234, 500_000]
    assert values[6:] == [2, -1, -4.2, 1.1, 1234, -3_000_000, 0.6, 0.7]  # "down" signs a point
    assert [f.currency for f in found if f.kind == "money"] == ["USD", "USD", "EUR", "CHF",
                                                                "USD"]
    assert (found[2].unit, found[2].decimals) == ("M", 1)


def test_table_cells_by_caption_or_position():
    head = table_cells(PAGE, "headline")
    assert list(head.columns) == ["", "Bookings", "Attainment"]
    assert head.values.tolist() == [["This period", "$6,700,100", "49.6%"],
                                    ["Previous", "$6,026,100", "48.2%"]]
    every = table_cells(PAGE, 1)  # inside <details>: visible once opened; short rows padded
    assert every.equals(pd.DataFrame([["Ann", "1"], ["Bo", ""]], columns=[0, 1]))
    with pytest.raises(ValueError, match="captions: \\['Headline', 'All reps'\\]"):
        table_cells(PAGE, "Quota")


@pytest.mark.parametrize(("said", "cell", "ok"), [
    ("$6.7M", "$6,700,100", True),     # 6.7001M at one decimal: 6.7
    ("$6.8M", "$6,700,100", False),
    ("$1M", "$999,960", True),         # 0.99996M at no decimal: 1 (the formatter's promotion)
    ("$500K", "$500,000", True),
    ("€6.7M", "$6,700,100", False),    # currencies differ
    ("50%", "49.6%", True),            # 49.6 at no decimal: 50
    ("49%", "49.6%", False),
    ("8%", "7.5%", True),              # a rounded table figure half-way agrees with both sides
    ("7%", "7.5%", True),
    ("7%", "8%", False),               # "2 of 26 (8%)" beside 7%: the disagreement
    ("1.1x", "1.06x", True),
    ("1.1x", "1.06", True),            # a plain table number stands for a ratio
    ("1.1x", "1.2", False),
    ("26", "26", True),
    ("2 of 26", "2 of 26", True),
    ("2 pts", "+2 pts", True),
    ("50%", "$50", False),             # kinds differ
])
def test_agrees_rounds_the_table_figure_to_the_sentence_precision(said, cell, ok):
    assert agrees(said, cell) is ok


def test_agrees_takes_figures_and_can_compare_magnitudes():
    short = numbers("$1.2M short of the $13.5M quota")[0]
    assert isinstance(short, Figure)
    assert not agrees(short, "-$1,234,567") and agrees(short, "-$1,234,567", signed=False)
    with pytest.raises(ValueError, match="expected one figure"):
        agrees("$1M and $2M", "$1,000,000")
