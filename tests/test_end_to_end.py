"""Raw sample CSV -> ingest -> salesops run -> leadership HTML, through the real CLI."""

import json
import re

import pandas as pd
import pytest

from salesops.orchestration.cli import main
from salesops.presentation.formatting import money, pct

AS_OF = "2026-06-30"  # last day of FY2026 Q2 (calendar fiscal year)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    assert main(["sample-data", "--out", str(root / "raw"), "--end", AS_OF]) == 0
    assert main(["ingest", str(root / "raw"), "--out", str(root / "processed")]) == 0
    code = main(["run", "performance_review", "--data", str(root / "processed"), "--as-of", AS_OF,
                 "--reports-dir", str(root / "reports"), "--workers", "1"])
    assert code == 0
    return root


def test_report_has_headings_numbers_and_no_code(report):
    html = (report / "reports" / AS_OF / "performance_review.html").read_text()
    for heading in ("Performance review", "1. Executive summary", "2. Rollups by region"):
        assert heading in html
    # Independent oracle from the raw CSV: won deals closed inside FY2026 Q2.
    opps = pd.read_csv(report / "raw" / "opportunities.csv", parse_dates=["close_date"])
    won = opps[(opps.status == "won") & opps.close_date.between("2026-04-01", AS_OF)]
    quotas = pd.read_csv(report / "raw" / "quotas.csv")
    quota = quotas.loc[quotas.period_start == "2026-04-01", "quota_amount"].sum()
    bookings = won.amount.sum()
    assert f"bookings {money(bookings, compact=True)} against a {money(quota, compact=True)}" in html
    assert f"{pct(bookings / quota)} attainment" in html
    assert money(bookings) in html
    # No code cells, no input prompts, no local paths.
    assert "from salesops" not in html and "apply_house_style()" not in html
    assert 'class="highlight hl-ipython3"' not in html  # no rendered code input
    assert not re.search(re.escape(str(report)) + r"\b", html)
    assert "<img" in html  # charts embedded as data URIs


def test_index_and_manifest(report):
    day = report / "reports" / AS_OF
    index = (day / "index.html").read_text()
    assert "performance_review" in index and "OK" in index
    manifest = json.loads((day / "manifest.json").read_text())
    assert manifest["status"] == "OK" and manifest["notebooks"][0]["parameters"]["as_of"] == AS_OF
    assert [(n["name"], n["status"]) for n in manifest["notebooks"]] == [("performance_review", "OK")]
    assert manifest["data"]["fingerprint"] and manifest["data"]["path"] is None  # outside cwd
    assert manifest["data"]["rows_quarantined"] == 0 and manifest["data"]["rows_in"] > 100_000
    assert "0 of " in index and "rows quarantined at ingest" in index
    assert (report / "reports" / ".audit" / AS_OF / "performance_review.ipynb").exists()
    assert "2026-06-30" in (report / "reports" / "index.html").read_text()
    data_quality = json.loads((report / "processed" / "data_quality.json").read_text())
    assert data_quality["tables"]["opportunities"]["rows_quarantined"] == 0
