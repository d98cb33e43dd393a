"""The forecast report on the sample, for the company and for Region EMEA: every figure of the
executive summary's sentences is the figure of the report's own tables (forecast, 80% range,
quota, booked, what is still to close, coverage and the coverage needed), the difference to
quota is the difference of the figures shown, and the published headline numbers are the
tables' figures too."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import SAMPLE_FOLDERS as FOLDERS
from report_text import agrees, numbers, summary_sentences, table_cells

SUMMARY = "This quarter and the next two"
#: One quarter's sentence of the executive summary, every optional part named.
QUARTER = re.compile(
    r"^(?P<period>FY\d{4} Q[1-4]): forecast (?P<forecast>\S+) \(80% range (?P<low>\S+) to "
    r"(?P<high>\S+)\)"
    r"(?:, (?P<vs>(?P<diff>\S+) (?P<side>above|short of) the (?P<quota>\S+) quota|on the "
    r"(?P<on>\S+) quota))?"
    r"(?:, counting (?P<run>\S+) from deals not created yet)?"
    r"(?:; (?P<booked>\S+) booked, coverage (?P<cov>\S+) of the (?P<close>\S+) still to close, "
    r"against (?P<need>\S+) needed at the usual conversion \((?P<conv>\d+%) of such pipeline "
    r"closed over the last (?P<n>\d) quarters?\))?"
    r"(?P<none>; no quota set yet)?\.$")


def _page(day: Path, slug: str) -> str:
    return (day / slug / "forecast.html").read_text()


def _quarters(page: str) -> list[re.Match]:
    """The quarter sentences of the executive summary, each parsed in full."""
    said = [s for s in summary_sentences(page) if re.match(r"FY\d{4} Q[1-4]:", s)]
    assert len(said) == 3, said  # this quarter and the next two
    parsed = [QUARTER.match(s) for s in said]
    assert all(parsed), [s for s, m in zip(said, parsed, strict=True) if not m]
    return parsed


def _rows(page: str, caption: str) -> dict[str, dict[str, str]]:
    table = table_cells(page, caption)
    return {row["Quarter"]: row.to_dict() for _, row in table.iterrows()}


@pytest.mark.parametrize("slug", FOLDERS)
def test_summary_sentences_say_the_summary_tables_figures(day, slug):
    page = _page(day, slug)
    rows = _rows(page, SUMMARY)
    lead = next(c for c in table_cells(page, SUMMARY).columns if c.startswith("Forecast ("))
    with_quota = 0
    for m in _quarters(page):
        row = rows[m["period"]]
        for said, column in (("forecast", lead), ("low", "80% range low"),
                             ("high", "80% range high")):
            assert m[said] == row[column], (m[0], column)
            assert agrees(m[said], row[column])
        if m["none"]:
            assert row["Quota"] == "–"
            continue
        with_quota += 1
        assert (m["quota"] or m["on"]) == row["Quota"]
        assert m["vs"] == row["Forecast vs quota"]  # the same words, never '-$'
        if m["diff"]:  # the difference of the figures shown: forecast - quota
            forecast, quota, diff = (numbers(m[k])[0].value for k in ("forecast", "quota",
                                                                      "diff"))
            sign = 1 if m["side"] == "above" else -1
            assert sign * diff == pytest.approx(forecast - quota), m[0]
        if m["cov"]:
            assert m["booked"] == row["Booked"]
            assert m["close"] == row["Still to close"]
            assert m["cov"] == row["Coverage"] and m["need"] == row["Coverage needed"]
            # what is said to be still to close is the quota less what is booked, as shown
            quota, booked, close = (numbers(m[k])[0].value for k in ("quota", "booked", "close"))
            assert close == pytest.approx(quota - booked, abs=0.11e6)
    assert with_quota == 2  # FY2026 Q4 and FY2027 Q1 have quotas in the sample


@pytest.mark.parametrize("slug", FOLDERS)
def test_coverage_and_run_rate_agree_with_the_other_tables(day, slug):
    page = _page(day, slug)
    crm = _rows(page, "CRM view, quota and coverage")
    pipeline = _rows(page, "Pipeline forecast")
    summary = _rows(page, SUMMARY)
    for m in _quarters(page):
        # one coverage and one coverage needed per quarter in every table
        assert crm[m["period"]]["Coverage"] == summary[m["period"]]["Coverage"]
        assert crm[m["period"]]["Coverage needed"] == summary[m["period"]]["Coverage needed"]
        if m["cov"]:
            assert m["close"] == crm[m["period"]]["Still to close"]
        if m["run"]:
            assert m["run"] == pipeline[m["period"]]["Run-rate (new deals)"]
            # said only when the pipeline does not cover what is still to close
            assert numbers(m["cov"])[0].value < numbers(m["need"])[0].value


@pytest.mark.parametrize("slug", FOLDERS)
def test_published_headline_is_what_the_tables_show(day, slug):
    page = _page(day, slug)
    manifest = json.loads((day / slug / "manifest.json").read_text())
    [forecast] = [nb for nb in manifest["notebooks"] if nb["name"] == "forecast"]
    items = {i["key"]: i for i in forecast["headline"]["items"]}
    summary = table_cells(page, SUMMARY)
    now, nxt = summary.iloc[0], summary.iloc[1]
    lead = next(c for c in summary.columns if c.startswith("Forecast ("))
    assert [items[k]["period"] for k in ("forecast", "bookings", "coverage_next")] == [
        now["Quarter"], now["Quarter"], nxt["Quarter"]]
    for key, cell in (("forecast", now[lead]), ("forecast_low", now["80% range low"]),
                      ("forecast_high", now["80% range high"]), ("bookings", now["Booked"]),
                      ("quota", now["Quota"]), ("coverage_next", nxt["Coverage"]),
                      ("coverage_needed_next", nxt["Coverage needed"])):
        assert items[key]["text"] == cell, key
        assert agrees(items[key]["text"], cell)


@pytest.mark.parametrize("slug", FOLDERS)
def test_the_page_has_no_negative_shortfall_doc_path_or_plural_hedge(day, slug):
    page = _page(day, slug)
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)[^>]*>.*?</\1>", "", page, flags=re.S))
    for bad in ("-$", "docs/", "(s)", ".0K", ".0M", "+0%", "Short of quota"):
        assert bad not in text, bad


#: The accuracy history's sentence on the reps' bias-corrected calls.
CORRECTION = re.compile(
    r"^The reps' commit calls on day (?P<day>\d+), added up, missed by (?P<raw>\S+) on average "
    r"over (?P<n>\d+) quarters?; corrected by each rep's bias in earlier quarters they missed by "
    r"(?P<fixed>\S+): the correction (?P<verdict>helped|did not help|made no difference)\.$")
ACCURACY = "Forecast made on day 15 vs actual"


def _pct(text: str) -> float:
    return float(text.rstrip("%").replace("−", "-"))


@pytest.mark.parametrize("slug", FOLDERS)
def test_the_bias_correction_verdict_is_what_the_accuracy_table_shows(day, slug):
    page = _page(day, slug)
    said = [m for s in summary_sentences(page, "Accuracy history") if (m := CORRECTION.match(s))]
    table = table_cells(page, ACCURACY)
    if "Corrected commit error" not in table.columns:  # no deal history: no calls, no sentence
        assert not said
        assert any(s.startswith("Reps' calls cannot be shown")
                   for s in summary_sentences(page, "Accuracy history"))
        return
    [m] = [m for m in said if m["day"] == "15"]
    both = table.loc[(table["Corrected commit error"] != "–") & (table["Commit error"] != "–")]
    assert int(m["n"]) == len(both) > 0
    # each mean absolute error is the mean of the errors shown (each rounded to 1%)
    for said_pct, column in ((m["raw"], "Commit error"), (m["fixed"], "Corrected commit error")):
        mean = both[column].map(lambda c: abs(_pct(c))).mean()
        assert abs(_pct(said_pct) - mean) <= 1, (column, said_pct, mean)
    raw, fixed = _pct(m["raw"]), _pct(m["fixed"])
    verdict = "made no difference" if raw == fixed else "helped" if fixed < raw else "did not help"
    assert m["verdict"] == verdict
