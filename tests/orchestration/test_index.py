"""Index pages and manifests: the cover page (headline numbers in reading order, failed reports
without numbers, run details collapsed), everything escaped, dates and audiences listed, subset
runs merged."""

from __future__ import annotations

import json
import re

from salesops.orchestration.index import (
    audience_summaries,
    cover_cards,
    reading_order,
    render_day_index,
    render_top_index,
    report_days,
)
from salesops.orchestration.manifest import (
    MANIFEST_FILE,
    NotebookResult,
    build_manifest,
    manifest_text,
    read_manifest,
)

EVIL = "<script>alert(1)</script>"
COMPANY = {"scope": "company", "label": "Company", "slug": ""}


def _results(statuses: dict[str, str], error: str = "boom",
             headlines: dict[str, list[dict]] | None = None) -> list[NotebookResult]:
    return [NotebookResult(name=n, status=s, seconds=1.5, error=None if s == "OK" else error,
                           html=f"{n}.html", parameters={"as_of": "2026-03-31", "region": EVIL},
                           headline={"items": (headlines or {}).get(n, [])})
            for n, s in statuses.items()]


def _item(key: str, label: str, text: str, value: float | None = 1.0, period: str = "FY2026 Q4",
          note: str = "") -> dict:
    return {"key": key, "label": label, "value": value, "text": text, "period": period,
            "note": note}


def _details(html: str) -> tuple[str, str]:
    """The page's body before the collapsed run details, and the details section."""
    before, _, rest = html.partition("<body>")[2].partition('<details class="run">')
    return before, rest.partition("</details>")[0]


def _manifest(as_of: str, statuses: dict[str, str], error: str = "boom", scope=COMPANY,
              previous=None, headlines=None) -> dict:
    return build_manifest(as_of, scope, {"source": "folder", "path": "data/processed",
                                         "fingerprint": "abc123", "rows_in": 106128,
                                         "rows_quarantined": 0},
                          _results(statuses, error, headlines), "2026-04-01T08:00:00", 3.0, 2,
                          previous)


def _write(folder, manifest):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST_FILE).write_text(manifest_text(manifest))


def test_day_index_escapes_names_errors_and_parameters():
    manifest = _manifest("2026-03-31", {EVIL: "FAILED", "pipeline": "OK"}, error=EVIL)
    html = render_day_index("2026-03-31", manifest)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="pipeline.html">Pipeline</a>' in html and "1.5 s" in html
    assert "region=&lt;script&gt;" in html


def test_reading_order_puts_the_six_reports_first_and_others_after_by_name():
    names = ["zeta", "data_quality", "alpha", "pipeline_inspection", "forecast", "planning",
             "comp_plan_evaluation", "performance_review"]
    assert reading_order(names) == ["performance_review", "forecast", "pipeline_inspection",
                                    "comp_plan_evaluation", "planning", "data_quality", "alpha",
                                    "zeta"]


def test_cover_shows_each_reports_headline_numbers_in_reading_order_with_its_link():
    headlines = {
        "data_quality": [_item("rows_quarantined", "Rows quarantined at ingest", "0 of 106,128",
                               value=0, period="2026-12-01")],  # the as-of date: not repeated
        "performance_review": [_item("bookings", "Bookings FY2026 Q4 to date",
                                     "$6.7M of the $13.5M quota (50%)", value=6.7e6),
                               _item("coverage_next", "Pipeline coverage", "1.1x",
                                     period="FY2027 Q1")],  # two periods: two groups
        "forecast": [_item("forecast", "Forecast FY2026 Q4",
                           "$16.6M (80% range $15.3M to $17.9M)", value=16.6e6,
                           note="the range is P10 to P90")],
        "comp_plan_evaluation": [_item("payout", "Variable pay", "$4.5M, 108% of budget",
                                       period="FY2026")],
    }
    manifest = _manifest("2026-12-01", dict.fromkeys(
        ["data_quality", "forecast", "ops_extra", "comp_plan_evaluation", "performance_review"],
        "OK"), headlines=headlines)
    html = render_day_index("2026-12-01", manifest, contact="Sales Ops <ops@example.com>")
    assert "<title>Sales reports · Company · as of 2026-12-01</title>" in html
    assert "<h1>Sales reports · Company · as of 2026-12-01</h1>" in html
    cover, details = _details(html)
    cards = [cover.index(f'id="{name}"') for name in
             ("performance_review", "forecast", "comp_plan_evaluation", "data_quality",
              "ops_extra")]
    assert cards == sorted(cards)  # the order a leader reads, others after
    assert ("<dt>Bookings FY2026 Q4 to date</dt>\n<dd><span class=\"headline-text\">"
            "$6.7M of the $13.5M quota (50%)</span></dd>") in cover
    assert ('<span class="headline-text">$16.6M (80% range $15.3M to $17.9M)</span>'
            '<span class="note">the range is P10 to P90</span>') in cover
    assert "<dt>Rows quarantined at ingest</dt>" in cover and ">0 of 106,128<" in cover
    review = cover[cover.index('id="performance_review"'):].partition("</section>")[0]
    assert re.findall(r'<h3 class="period">(.*?)</h3>\n<dl class="headlines">\n<dt>(.*?)</dt>',
                      review) == [("FY2026 Q4", "Bookings FY2026 Q4 to date"),
                                  ("FY2027 Q1", "Pipeline coverage")]  # numbers by period
    dq = cover[cover.index('id="data_quality"'):].partition("</section>")[0]
    assert "period" not in dq  # the as-of date is the page's own
    assert '<a href="forecast.html">Open the report</a>' in cover
    assert "All 5 reports of this date" in cover
    assert "Questions about these reports: Sales Ops &lt;ops@example.com&gt;" in cover
    # operators' fields only in the collapsed details
    for operator in ("abc123", "2 workers", "region=", "1.5 s", "2026-04-01T08:00:00"):
        assert operator not in cover and operator in details, operator
    assert "0 of 106,128 rows quarantined at ingest" in details
    rows = [details.index(f"<td>{name}") for name in ("performance_review", "forecast",
                                                      "data_quality", "ops_extra")]
    assert rows == sorted(rows)  # the details list the reports in the same order


def test_a_failed_reports_card_says_its_numbers_are_missing_and_shows_none_of_them():
    partial = [_item("forecast", "Forecast FY2026 Q4", "$99.9M (partial)")]
    manifest = _manifest("2026-12-01", {"performance_review": "OK", "forecast": "FAILED"},
                         error="ValueError: cannot read deals.csv",
                         headlines={"forecast": partial})
    manifest["notebooks"][0]["headline"] = {"items": partial}  # even if a partial run left some
    [perf, forecast] = cover_cards(manifest)
    assert (perf["name"], forecast["name"], forecast["ok"], forecast["groups"]) == (
        "performance_review", "forecast", False, [])
    cover, details = _details(render_day_index("2026-12-01", manifest))
    assert "1 of 2 reports produced; 1 report could not be produced" in cover
    card = cover[cover.index('id="forecast"'):].partition("</section>")[0]
    assert "could not be produced this time, so its numbers are missing" in card
    assert "$99.9M" not in cover and "ValueError" not in cover and "FAILED" not in cover
    assert '<a href="forecast.html">Read the notice</a>' in card
    assert "ValueError: cannot read deals.csv" in details  # for whoever runs the reports


def test_cover_escapes_headline_labels_texts_and_notes():
    evil = [_item("x", EVIL, EVIL, note=EVIL)]
    html = render_day_index("2026-12-01", _manifest("2026-12-01", {"forecast": "OK"},
                                                    headlines={"forecast": evil}),
                            contact=EVIL)
    esc = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert "<script>" not in html
    assert (f'<dt>{esc}</dt>\n<dd><span class="headline-text">{esc}</span>'
            f'<span class="note">{esc}</span></dd>') in html
    assert f"Questions about these reports: {esc}" in html


def test_manifest_round_trip_and_status(tmp_path):
    manifest = _manifest("2026-03-31", {"a": "OK", "b": "FAILED"})
    _write(tmp_path, manifest)
    back = read_manifest(tmp_path)
    assert back == json.loads(json.dumps(manifest))
    assert back["status"] == "FAILED" and back["versions"]["python"]
    assert read_manifest(tmp_path / "missing") is None


def test_a_subset_run_keeps_the_other_reports_entries():
    first = json.loads(manifest_text(_manifest("2026-03-31", {"a": "OK", "b": "FAILED"})))
    second = build_manifest("2026-03-31", COMPANY, first["data"],
                            [NotebookResult(name="b", status="OK", seconds=2.0)],
                            "2026-04-01T09:00:00", 2.0, 1, previous=first)
    assert [(n["name"], n["status"]) for n in second["notebooks"]] == [("a", "OK"), ("b", "OK")]
    assert second["notebooks"][0] == first["notebooks"][0]  # untouched, parameters included
    assert second["status"] == "OK" and second["started_at"] == "2026-04-01T09:00:00"


def test_audience_index_names_the_scope_and_the_company_index_links_audiences(tmp_path):
    day = tmp_path / "2026-03-31"
    emea = {"scope": "region=EMEA", "label": "Region EMEA", "slug": "region-emea"}
    _write(day / "region-emea", _manifest("2026-03-31", {"a": "OK"}, scope=emea))
    html = render_day_index("2026-03-31", read_manifest(day / "region-emea"))
    assert "<title>Sales reports · Region EMEA · as of 2026-03-31</title>" in html
    assert "../index.html" not in html  # an audience's folder stands alone
    evil = {"scope": f"team={EVIL}", "label": f"Team {EVIL}", "slug": "team-script"}
    audiences = audience_summaries(day, {"team-script": _manifest("2026-03-31", {"a": "FAILED"},
                                                                  scope=evil)})
    assert [(a["slug"], a["status"]) for a in audiences] == [("region-emea", "OK"),
                                                           ("team-script", "FAILED")]
    company = render_day_index("2026-03-31", None, audiences)
    cover, details = _details(company)
    assert '<a href="region-emea/index.html">Region EMEA</a>' in cover
    assert "(1 of 1 report could not be produced)" in cover
    assert 'class="FAILED">FAILED' in details and "FAILED" not in cover
    assert "Team &lt;script&gt;" in company and "<script>" not in company


def test_top_index_lists_every_dated_folder_newest_first(tmp_path):
    for as_of, statuses in [("2026-01-31", {"a": "OK"}), ("2026-03-31", {"a": "OK", "b": "FAILED"})]:
        _write(tmp_path / as_of, _manifest(as_of, statuses))
    _write(tmp_path / "2026-03-31" / "region-na",
           _manifest("2026-03-31", {"a": "FAILED"}, scope={"label": "Region NA", "slug": "region-na"}))
    (tmp_path / "not-a-date").mkdir()
    (tmp_path / "2026-02-28").mkdir()  # no manifest: not listed
    days = report_days(tmp_path)
    assert [d["as_of"] for d in days] == ["2026-03-31", "2026-01-31"]
    assert (days[0]["status"], days[0]["total"], days[0]["failed"], days[0]["audiences"]) == (
        "FAILED", 3, 2, 1)
    html = render_top_index(tmp_path)
    assert html.index("2026-03-31/index.html") < html.index("2026-01-31/index.html")
    assert "not-a-date" not in html



def test_a_ranges_bounds_are_shown_in_the_note_of_the_item_they_bound():
    from salesops.orchestration.index import by_period
    items = [{"key": "forecast", "text": "$16.6M", "period": "FY2026 Q4",
              "note": "80% range $15.3M to $17.9M"},
             {"key": "forecast_low", "text": "$15.3M", "period": "FY2026 Q4"},
             {"key": "forecast_high", "text": "$17.9M", "period": "FY2026 Q4"},
             {"key": "forecast_low", "text": "$1M", "period": "FY2027 Q1"}]  # no forecast there
    groups = by_period(items, "2026-12-01")
    assert [[i["text"] for i in g["items"]] for g in groups] == [["$16.6M"], ["$1M"]]


def test_a_card_without_headline_numbers_says_why_instead_of_showing_nothing():
    # an opportunities-only export: the comp evaluation runs but has no quotas to pay on
    page = render_day_index("2026-03-31", _manifest("2026-03-31", {"comp_plan_evaluation": "OK"}))
    card = re.search(r'<section class="report" id="comp_plan_evaluation">(.*?)</section>', page,
                     re.S)[1]
    assert "cannot support its headline numbers" in card and "headline-text" not in card
