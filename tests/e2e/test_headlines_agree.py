"""The six reports on the sample, for the company and for one region: every headline number two
reports publish for the same period (bookings, quota, next quarter's coverage and the coverage
needed, ...) has the same value and the same text, and each cover page shows exactly the texts
its reports published, each under its own report."""

from __future__ import annotations

import copy
import html
import json
import re
from pathlib import Path

import pytest
from conftest import REPORTS, run_sample

from salesops.orchestration.manifest import headline_disagreements

AS_OF = "2026-11-15"
FOLDERS = ("", "region-emea")  # the company, and Region EMEA
#: Numbers the performance review and the forecast both publish (the agreed keys).
SHARED = ("bookings", "quota", "coverage_next", "coverage_needed_next")


@pytest.fixture(scope="module")
def day(tmp_path_factory) -> Path:
    """The sample reports mid-quarter (the other e2e tests read them at the quarter's end)."""
    return run_sample(tmp_path_factory.mktemp("headlines"), AS_OF)


def _manifest(day: Path, slug: str) -> dict:
    return json.loads((day / slug / "manifest.json").read_text())


def _items(manifest: dict) -> dict[str, list[dict]]:
    return {nb["name"]: nb["headline"].get("items", []) for nb in manifest["notebooks"]}


@pytest.mark.parametrize("slug", FOLDERS)
def test_every_report_publishes_headline_numbers(day, slug):
    items = _items(_manifest(day, slug))
    assert sorted(items) == sorted(REPORTS)
    for name in REPORTS:
        assert items[name], f"{slug or 'company'}/{name} published no headline numbers"
    keys = {name: {(i["key"], i["period"]) for i in items[name]} for name in REPORTS}
    for key in SHARED:  # the comparison below is not vacuous: both reports publish these
        review = {p for k, p in keys["performance_review"] if k == key}
        forecast = {p for k, p in keys["forecast"] if k == key}
        assert review & forecast, (key, review, forecast)


@pytest.mark.parametrize("slug", FOLDERS)
def test_two_reports_never_disagree_on_a_shared_number(day, slug):
    assert headline_disagreements(_manifest(day, slug)) == []


def test_a_disagreement_planted_in_a_real_manifest_is_caught(day):
    manifest = copy.deepcopy(_manifest(day, ""))
    forecast = next(nb for nb in manifest["notebooks"] if nb["name"] == "forecast")
    needed = next(i for i in forecast["headline"]["items"] if i["key"] == "coverage_needed_next")
    needed["value"], needed["text"] = 3.0, "3.0x"  # the old fixed target
    [found] = headline_disagreements(manifest)
    assert found.startswith(f"coverage_needed_next for {needed['period']}: forecast has 3.0")


def _cover_texts(page: str) -> dict[str, list[str]]:
    """The headline texts each report's card on a cover page shows, by report."""
    cards = re.findall(r'<section class="report[^"]*" id="([^"]+)">(.*?)</section>', page, re.S)
    return {name: [html.unescape(t) for t in
                   re.findall(r'<span class="headline-text">(.*?)</span>', card, re.S)]
            for name, card in cards}


@pytest.mark.parametrize("slug", FOLDERS)
def test_the_cover_shows_exactly_the_published_texts(day, slug):
    page = (day / slug / "index.html").read_text()
    items = _items(_manifest(day, slug))
    # the forecast's range bounds are not rows of their own: the forecast's note gives them
    bounds = ("forecast_low", "forecast_high")
    published = {name: [i["text"] for i in its if i["key"] not in bounds]
                 for name, its in items.items()}
    assert _cover_texts(page) == published
    assert list(_cover_texts(page)) == list(REPORTS)  # in reading order
    low, high = (next(i["text"] for i in items["forecast"] if i["key"] == k) for k in bounds)
    assert html.escape(f"80% range {low} to {high}") in page
