import pandas as pd

from salesops.data.quality import QualityReport
from salesops.presentation import quality_report as qr

XSS = "<img src=x onerror=alert(1)>"


def report(quarantined: int) -> QualityReport:
    counts = pd.DataFrame({"table": ["reps", "opportunities"], "file": ["reps.csv", "opps.csv"],
                           "rows_in": [40, 19_960], "rows_kept": [40, 19_960 - quarantined],
                           "rows_quarantined": [0, quarantined], "blank_rows_skipped": [0, 0]})
    reasons = pd.DataFrame({"table": ["opportunities"] * 2, "check": ["bad_date", "unknown_stage"],
                            "problems": [quarantined - 1, 1]}) if quarantined else \
        pd.DataFrame(columns=["table", "check", "problems"])
    quarantine = pd.DataFrame({"table": ["opportunities"], "file": ["opps.csv"], "line": [7],
                               "column": ["stage"], "check": ["unknown_stage"],
                               "reason": [f"unknown stage '{XSS}'"]})
    return QualityReport(counts, reasons, quarantine.head(1 if quarantined else 0), ["w"])


def test_ingest_sentences_with_hand_counted_share():
    text = qr.ingest_sentences(report(5))
    # 5 of 40 + 19,960 = 20,000 rows = 0.025%: under 1%, so two decimals (5 / 20000 * 100 is
    # 0.025000000000000001 in binary, shown as 0.03%), never a misleading "0%".
    assert text[0].startswith("5 of 20,000 rows (0.03%) were quarantined")
    assert "bad date in opportunities (4) and unknown stage in opportunities (1)" in text[1]
    assert text[2] == "1 warning(s) were raised while loading."
    clean = qr.ingest_sentences(report(0))
    assert clean[0] == "All 20,000 rows of the 2 tables passed validation; none was quarantined."


def test_hygiene_sentences_name_counts_and_worst_rep():
    summary = pd.DataFrame({"check": ["past_due", "stale", "no_forecast_category", "no_amount"],
                            "deals": [3, 2, 0, 0], "value": [0.0] * 4})
    by_rep = pd.DataFrame({"name": ["Ann"], "team": ["T1"], "flagged_value": [250_000.0],
                           "flagged_share": [0.25]})
    text = qr.hygiene_sentences(summary, by_rep, 40, 2_000_000, stale_days=60)
    assert text[0] == ("Of 40 open deals worth $2.0M: 3 past their expected close date and "
                       "2 without a stage change for over 60 days.")
    assert text[1] == "Ann (T1) has the most flagged pipeline: $250.0K, 25% of their open value."
    assert qr.hygiene_sentences(summary, by_rep, 0, 0, 60) == ["There are no open deals on this date."]


def test_quarantine_table_escapes_data_text():
    html = qr.quarantine_table(report(5)).to_html()
    assert "<img" not in html and "&lt;img src=x" in html and "opps.csv" in html
