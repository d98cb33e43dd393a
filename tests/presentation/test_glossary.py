"""Glossary: which terms a text uses (whole words, abbreviations as written, plurals)."""

from __future__ import annotations

from salesops.presentation.glossary import TERMS, used_terms


def test_abbreviations_match_as_written_and_as_whole_words():
    assert used_terms("MASE below 1; sMAPE (%) and MAPE (%)") == ["MAPE", "MASE", "sMAPE"]
    assert used_terms("mase, Tip, TIMING, ETSY, P100, CESAR, non-QTD") == []
    assert used_terms("20% of TI; two TIs") == ["TI"]
    assert used_terms("P10–P90 range (P50 in the middle)") == ["P10", "P50", "P90"]


def test_jargon_matches_in_any_case_with_plurals_and_hyphen_or_space():
    assert used_terms("Win rates fell; the run rate and a Run-Rate") == ["run-rate", "win rate"]
    assert used_terms("Accelerators, Clawbacks and the cost of\nsales") == [
        "accelerator", "clawback", "cost of sales"]
    assert used_terms("committed, coverages, uncommitted") == ["coverage"]


def test_every_term_has_one_plain_sentence():
    for term, definition in TERMS.items():
        assert used_terms(term) == [term], term
        assert definition[0].isupper() and definition.endswith("."), term
        assert definition.count(". ") == 0, term  # one sentence
        assert "docs/" not in definition and "(s)" not in definition, term


def test_terms_are_listed_alphabetically():
    assert used_terms("YoY ARIMA attainment Theta") == ["ARIMA", "attainment", "Theta", "YoY"]
