"""The planning report on the sample, for the company and for Region EMEA: the executive summary's
figures are those of the report's own tables and tiles, the cover numbers are the summary's, and
the quotas.csv and territories.csv it writes beside the report load through salesops ingest with
the rest of the export. On an opportunities-only export (no roster, hence no hire or leaving
dates) capacity, quotas and territories are one sentence each; on an orders-only export
every section is one sentence and nothing else."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import LEAKS, SAMPLE_AS_OF, SAMPLE_FOLDERS, visible_text
from exports import opportunities_only, transactions_only
from report_text import numbers, summary_sentences, table_cells

from salesops.data.builtin import ensure_sample_dataset
from salesops.data.ingest import ingest
from salesops.data.sample import write_sample
from salesops.data.store import load_dataset
from salesops.orchestration.cli import main

SECTIONS = ("Capacity", "Quotas", "Realism", "Comp under the planned quotas", "Territories")


@pytest.fixture(scope="module")
def planning_day(tmp_path_factory) -> Path:
    """The planning report on the sample as of ``SAMPLE_AS_OF``: company and Region EMEA."""
    root = tmp_path_factory.mktemp("planning_reports")
    (root / "scopes.txt").write_text("region=EMEA\n")
    assert main(["run", "planning", "--as-of", SAMPLE_AS_OF, "--for-each",
                 str(root / "scopes.txt"), "--reports-dir", str(root / "reports"),
                 "--workers", "2"]) == 0
    return root / "reports" / SAMPLE_AS_OF


def _page(day: Path, slug: str) -> str:
    return (day / slug / "planning.html").read_text()


def _said(page: str, start: str) -> str:
    return next(s for s in summary_sentences(page) if s.startswith(start))


def _tiles(page: str) -> dict[str, str]:
    """The KPI tiles of the page: label -> value as shown."""
    pairs = re.findall(r'<div style="font-size:12px;color:#555">([^<]*)</div>'
                       r'<div style="font-size:22px;font-weight:bold">([^<]*)</div>', page)
    return {label.replace("&#x27;", "'"): value for label, value in pairs}


@pytest.mark.parametrize("slug", SAMPLE_FOLDERS)
def test_the_summary_says_the_tables_figures(planning_day, slug):
    page = _page(planning_day, slug)
    assert LEAKS.search(visible_text(page)) is None
    tiles = _tiles(page)
    capacity = numbers(_said(page, "The team can book "))
    # capacity, its P10 and P90 are the tiles'; the gap is the difference of the figures shown
    assert [f.text for f in capacity[:3]] == [tiles["Capacity, expected"],
                                              tiles["Capacity, P10"], tiles["Capacity, P90"]]
    quotas = numbers(_said(page, "Quotas of "))
    compared = table_cells(page, "Quota per team: top-down against bottom-up")
    total = compared.loc[compared["Team"] == "Total"].iloc[0]
    assert quotas[0].text == total["Top-down"]  # the quota total, as the table's total row
    assert [f.text for f in quotas if f.kind == "money"][-1] in (
        total["Bottom-up (capacity)"], *compared["Difference"].tolist())
    comp = [f.text for f in numbers(_said(page, "Under AE plan (current), FY2027's variable "))
            if f.kind == "money"]
    assert comp == [tiles["Median variable pay"], tiles["P10: 1 simulated year in 10 below"],
                    tiles["P90: 1 simulated year in 10 above"],
                    tiles["Budget (on-target variable pay)"]]


@pytest.mark.parametrize("slug", SAMPLE_FOLDERS)
def test_the_cover_numbers_are_the_summarys(planning_day, slug):
    page = _page(planning_day, slug)
    manifest = json.loads((planning_day / slug / "manifest.json").read_text())
    items = {i["key"]: i for nb in manifest["notebooks"] if nb["name"] == "planning"
             for i in nb["headline"]["items"]}
    assert {i["period"] for i in items.values()} == {"FY2027"}
    assert items["capacity"]["text"] == numbers(_said(page, "The team can book "))[0].text
    assert items["quota_total"]["text"] == numbers(_said(page, "Quotas of "))[0].text
    assert items["expected_at_quota"]["text"] == numbers(_said(page, "Simulated "))[1].text
    moved = numbers(_said(page, "Territories, "))
    assert items["accounts_moved"]["text"] in [f.text for f in moved]
    index = (planning_day / slug / "index.html").read_text()
    assert index.index('id="planning"') > 0  # the cover has the planning card


def test_the_planned_tables_load_through_ingest(planning_day, tmp_path):
    raw = tmp_path / "raw"
    write_sample(raw, end=SAMPLE_AS_OF)
    for name in ("quotas.csv", "territories.csv"):
        shutil.copy(planning_day / "planning" / name, raw / name)
    result = ingest(raw, tmp_path / "processed")
    for table in ("quotas", "territories"):
        counts = result.counts[table]
        assert counts.rows_quarantined == 0 and counts.rows_kept == counts.rows_in > 0, table
    text = visible_text(_page(planning_day, ""))
    assert ("The planned tables were written as planning/quotas.csv and "
            "planning/territories.csv beside this report") in text


def _run_thin(root: Path, export, as_of: str = "2026-11-27") -> str:
    mapping = export(root / "raw", as_of)
    assert main(["ingest", str(root / "raw"), "--out", str(root / "processed"), "--mapping",
                 str(mapping)]) == 0
    assert main(["run", "planning", "--data", str(root / "processed"), "--as-of", as_of,
                 "--reports-dir", str(root / "reports"), "--snapshot-store", ""]) == 0
    return (root / "reports" / as_of / "planning.html").read_text()


def test_an_orders_only_export_shows_one_sentence_and_nothing_else(tmp_path):
    page = _run_thin(tmp_path, transactions_only)
    text = visible_text(page)
    sentence = ("The plan (it needs deals and the reps who own them) cannot be shown: the data "
                "has no opportunities table; an opportunities (deals) table would enable it.")
    # once in the summary, once per section
    assert text.count(sentence) == 1 + len(SECTIONS)
    assert "<table" not in page and "<img" not in page and "$" not in text


def test_an_opportunities_only_export_plans_nothing_for_a_team_it_cannot_name(tmp_path):
    # no roster: the reps derived from deal owners include everyone who ever sold, so neither
    # capacity, quotas nor territories can say who is on next year's team
    page = _run_thin(tmp_path, opportunities_only)
    text = visible_text(page)
    assert LEAKS.search(text) is None
    said = summary_sentences(page)
    derived = "the reps table (derived from the deals' owner column) has no"
    for section in ("Capacity", "Quota allocation", "Territory planning"):
        assert any(s.startswith(f"{section} cannot be shown: {derived}") for s in said), said
    assert not any(s.startswith(("Quotas of ", "Territories, ")) for s in said)


def test_an_audiences_planned_tables_hold_only_its_reps(planning_day):
    reps = load_dataset(ensure_sample_dataset(end=SAMPLE_AS_OF)).reps
    emea = set(reps.loc[reps["region"] == "EMEA", "rep_id"])
    folder = planning_day / "region-emea" / "planning"
    quotas = pd.read_csv(folder / "quotas.csv")
    territories = pd.read_csv(folder / "territories.csv")
    assert set(quotas["rep_id"]) <= emea and len(quotas)
    assert set(territories["rep_id"].dropna()) <= emea and len(territories)
    company = pd.read_csv(planning_day / "planning" / "quotas.csv")
    assert set(company["rep_id"]) > set(quotas["rep_id"])
