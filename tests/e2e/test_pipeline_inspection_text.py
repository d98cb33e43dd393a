"""The pipeline inspection on the sample, for the company and for Region EMEA: every figure of the
executive summary's sentences is the figure of the report's own tables (each window's start, end,
net change, biggest steps and deals created; slippage; deals pushed often; the reps' habits), and
the cover numbers it publishes are the bridge's. On an opportunities-only export (no history)
every section says in one sentence what is missing and shows nothing else."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import SAMPLE_FOLDERS as FOLDERS
from conftest import visible_text
from exports import opportunities_only
from report_text import agrees, numbers, summary_sentences, table_cells

from salesops.orchestration.cli import main

#: One window's sentence of the executive summary, every part named.
WINDOW = re.compile(
    r"^(?P<label>Last 7 days|Since quarter start) \((?P<start>\d{4}-\d{2}-\d{2}) to "
    r"(?P<end>\d{4}-\d{2}-\d{2})\): the (?P<period>FY\d{4} Q[1-4]) pipeline went from "
    r"(?P<from>\S+) \((?P<n0>[\d,]+) deals?\) to (?P<to>\S+) \((?P<n1>[\d,]+) deals?\), "
    r"(?P<moved>unchanged|(?P<dir>up|down) (?P<diff>\S+))"
    r"(?:; the biggest moves? (?:was|were) (?P<steps>.+))?\.$")
#: A step as the sentence phrases it, and its row in the bridge table.
STEP = re.compile(r"(?P<amount>\S+) (?P<what>in new deals|pulled in|added by larger amounts|won|"
                  r"lost|pushed out|taken off by smaller amounts) \((?P<deals>[\d,]+) deals?\)")
ROWS = {"in new deals": "Created", "pulled in": "Pulled in", "added by larger amounts":
        "Increased", "won": "Won", "lost": "Lost", "pushed out": "Pushed out",
        "taken off by smaller amounts": "Decreased"}


def _page(day: Path, slug: str) -> str:
    return (day / slug / "pipeline_inspection.html").read_text()


def _windows(page: str) -> list[re.Match]:
    said = [s for s in summary_sentences(page) if re.match(r"(Last 7 days|Since quarter) ", s)]
    parsed = [WINDOW.match(s) for s in said]
    assert len(said) == 2 and all(parsed), said
    return parsed


def _bridge(page: str, m: re.Match) -> dict[str, dict[str, str]]:
    table = table_cells(page, f"{m['label']}: {m['period']} pipeline bridge")
    return {row["Step"].split(" 20")[0]: row.to_dict() for _, row in table.iterrows()}


def _value(text: str) -> float:
    return numbers(text)[0].value


@pytest.mark.parametrize("slug", FOLDERS)
def test_each_windows_sentence_says_its_bridge_tables_figures(day, slug):
    page = _page(day, slug)
    for m in _windows(page):
        rows = _bridge(page, m)
        assert m["from"] == rows["Start"]["Amount"] and m["n0"] == rows["Start"]["Deals"]
        assert m["to"] == rows["End"]["Amount"] and m["n1"] == rows["End"]["Deals"]
        # the net change is the difference of the two figures shown
        diff = _value(m["to"]) - _value(m["from"])
        if m["moved"] == "unchanged":
            assert diff == pytest.approx(0)
        else:
            assert (1 if m["dir"] == "up" else -1) * _value(m["diff"]) == pytest.approx(diff)
        steps = {name: abs(_value(r["Amount"])) for name, r in rows.items()
                 if name not in ("Start", "End")}
        said = list(STEP.finditer(m["steps"] or ""))
        assert len(said) == min(2, sum(v > 0 for v in steps.values()))
        for s in said:  # each step named is the table's, unsigned, and among the two largest
            row = rows[ROWS[s["what"]]]
            assert "-" + s["amount"] == row["Amount"] or s["amount"] == row["Amount"]
            assert s["deals"] == row["Deals"]
            assert abs(_value(row["Amount"])) >= sorted(steps.values())[-2]
        n = rows["Created"]["Deals"]  # the deals created inside the window, as the table says
        expect = f"{m['label']}: no deal created." if n == "0" else \
            f"{m['label']}: {n} deal{'' if n == '1' else 's'} created, "
        assert any(s.startswith(expect) for s in summary_sentences(page, m["label"])), expect


@pytest.mark.parametrize("slug", FOLDERS)
def test_slippage_pushed_and_calls_sentences_say_their_tables_figures(day, slug):
    page = _page(day, slug)
    said = summary_sentences(page)
    slip = next(s for s in said if s.startswith("Over the last "))
    part, whole = numbers(slip)[1].value  # "Over the last 4 quarters, 216 of 3,286 deals"
    teams = table_cells(page, "Slippage by team")
    assert part == sum(int(v.replace(",", "")) for v in teams["Slipped"])
    assert whole == sum(int(v.replace(",", "")) for v in teams["Committed deals"])
    assert agrees(numbers(slip)[2], f"{part / whole:.6%}")

    pushed = next(s for s in said if s.startswith("Closed deals pushed"))
    rates = table_cells(page, "Deals pushed often against the rest")["Win rate"].tolist()
    assert [f.text for f in numbers(pushed) if f.kind == "percent"] == rates

    calls = next(s for s in said if s.startswith("Reps' commit calls on day 45"))
    habits = table_cells(page, "Reps' commit calls on day 45 of past quarters")["Habit"]
    for word, habit in (("consistent sandbagger", "sandbagger"),
                        ("consistent optimist", "optimist"), ("on target", "on target"),
                        ("mixed", "mixed"), ("too few quarters", "too few quarters")):
        n = int((habits == habit).sum())
        found = re.search(rf"(\d+) (?:reps? )?(?:with )?{word}", calls)
        assert (int(found[1]) if found else 0) == n, (word, calls)


@pytest.mark.parametrize("slug", FOLDERS)
def test_the_cover_numbers_are_the_last_7_days_bridge(day, slug):
    page = _page(day, slug)
    week = _windows(page)[0]
    rows = _bridge(page, week)
    manifest = json.loads((day / slug / "manifest.json").read_text())
    items = {i["key"]: i for nb in manifest["notebooks"] if nb["name"] == "pipeline_inspection"
             for i in nb["headline"]["items"]}
    assert items["pipeline_open"]["text"] == rows["End"]["Amount"]
    assert items["pipeline_change_7d"]["text"] == week["moved"]
    assert "-" + items["pushed_out_7d"]["text"] == rows["Pushed out"]["Amount"] or \
        items["pushed_out_7d"]["text"] == rows["Pushed out"]["Amount"] == "$0"
    assert {i["period"] for i in items.values()} == {week["period"]}


NOTICES = ("Pipeline movement", "Close-date slippage", "Deals pushed often",
           "Forecast-category transitions", "Reps' calls", "Deals to inspect")


@pytest.fixture(scope="module")
def without_history(tmp_path_factory) -> str:
    """The pipeline inspection of an opportunities-only export (no history), as HTML."""
    root = tmp_path_factory.mktemp("pipeline_opps_only")
    mapping = opportunities_only(root / "raw", "2026-11-27")
    assert main(["ingest", str(root / "raw"), "--out", str(root / "processed"), "--mapping",
                 str(mapping)]) == 0
    assert main(["run", "pipeline_inspection", "--data", str(root / "processed"), "--as-of",
                 "2026-11-27", "--reports-dir", str(root / "reports"),
                 "--snapshot-store", ""]) == 0
    return (root / "reports" / "2026-11-27" / "pipeline_inspection.html").read_text()


def test_without_history_each_section_is_one_sentence(without_history):
    text = visible_text(without_history)
    for what in NOTICES:
        sentence = (f"{what} cannot be shown: the data has no opportunity_history table; an "
                    "opportunity history (Salesforce OpportunityHistory, HubSpot deal property "
                    "history) or nightly snapshots (the salesops snapshot command) would enable it.")
        # pipeline movement: in the executive summary and in its own section; the others once
        assert text.count(sentence) == (2 if what == "Pipeline movement" else 1), what
    assert "<table" not in without_history and "<img" not in without_history
    assert "$" not in text  # no amount at all: nothing is invented
