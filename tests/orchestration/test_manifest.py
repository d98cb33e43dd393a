"""Manifests: headline numbers per report, and the check that two reports publishing the same
number (key and period) agree on its value and text."""

from __future__ import annotations

from salesops.orchestration.manifest import (
    NotebookResult,
    build_manifest,
    headline_disagreements,
)

COMPANY = {"scope": "company", "label": "Company", "slug": ""}


def _item(key: str, value: float | None, text: str, period: str = "FY2027 Q1") -> dict:
    return {"key": key, "label": key, "value": value, "text": text, "period": period, "note": ""}


def _manifest(headlines: dict[str, list[dict]], previous: dict | None = None) -> dict:
    results = [NotebookResult(name=name, status="OK", seconds=1.0, headline={"items": items})
               for name, items in headlines.items()]
    return build_manifest("2026-12-01", COMPANY, {"fingerprint": "abc"}, results,
                          "2026-12-01T08:00:00", 2.0, 2, previous)


def test_each_report_keeps_its_headline_and_a_subset_run_keeps_the_others():
    first = _manifest({"performance_review": [_item("bookings", 6.7e6, "$6.7M")],
                       "forecast": [_item("forecast", 16.6e6, "$16.6M")]})
    second = _manifest({"forecast": [_item("forecast", 16.7e6, "$16.7M")]}, previous=first)
    assert {n["name"]: n["headline"]["items"][0]["text"] for n in second["notebooks"]} == {
        "forecast": "$16.7M", "performance_review": "$6.7M"}


def test_reports_that_agree_on_every_shared_number_have_no_disagreement():
    # 0.3 computed two ways differs in the last bits only: float rounding, not a disagreement
    manifest = _manifest({
        "performance_review": [_item("coverage_next", 0.1 + 0.2, "0.3x"),
                               _item("bookings", 6.7e6, "$6.7M", period="FY2026 Q4")],
        "forecast": [_item("coverage_next", 0.3, "0.3x"), _item("coverage_needed_next", None, "–"),
                     _item("bookings", 7.1e6, "$7.1M", period="FY2027 Q1")],  # another period
        "data_quality": [_item("coverage_needed_next", None, "–")],
    })
    assert 0.1 + 0.2 != 0.3
    assert headline_disagreements(manifest) == []


def test_a_planted_disagreement_is_named_with_both_reports_values_and_texts():
    # the old code: the review held coverage against a fixed 3x, the forecast against 1.6x
    manifest = _manifest({
        "performance_review": [_item("coverage_needed_next", 3.0, "3.0x")],
        "forecast": [_item("coverage_needed_next", 1.6, "1.6x")],
    })
    assert headline_disagreements(manifest) == [
        "coverage_needed_next for FY2027 Q1: forecast has 1.6 ('1.6x'), "
        "performance_review 3.0 ('3.0x')"]  # reports by name, as the manifest lists them


def test_the_same_value_with_another_text_or_a_missing_value_is_a_disagreement():
    manifest = _manifest({
        "performance_review": [_item("reps_at_quota", 2 / 26, "2 of 26 (8%)"),
                               _item("coverage_next", None, "–")],
        "forecast": [_item("reps_at_quota", 2 / 26, "2 of 26 (7%)"),
                     _item("coverage_next", 1.1, "1.1x")],
    })
    assert [d.partition(":")[0] for d in headline_disagreements(manifest)] == [
        "reps_at_quota for FY2027 Q1", "coverage_next for FY2027 Q1"]
