"""An orders export (date, amount, region, segment; no deals, reps or quotas): the forecast runs on
it by region with actuals matching plain pandas sums of the file, and every section that needs
deals, reps or quotas says so instead of showing anything."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import assert_clean, ingest_and_run
from exports import transactions_only

from salesops.presentation.formatting import count, money

AS_OF = "2026-11-27"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("orders")
    mapping = transactions_only(root / "raw", AS_OF)
    orders = pd.read_csv(root / "raw" / "orders.csv", parse_dates=["Order Date"])
    return orders, ingest_and_run(root, root / "raw", AS_OF, "--mapping", str(mapping))


def quarter_sum(orders: pd.DataFrame, start: str, end: str) -> float:
    return float(orders.loc[orders["Order Date"].between(start, end), "Net Amount"].sum())


def test_forecast_actuals_and_booked_match_the_raw_file(run):
    orders, texts = run
    text = texts["forecast"]
    booked = quarter_sum(orders, "2026-10-01", AS_OF)
    assert "FY2026 Q4 $" in text and f"{money(booked, compact=True)} FY2027 Q1" in text
    # Accuracy history: each past quarter's actual is the sum of its orders.
    for label, start, end in [("FY2025 Q4", "2025-10-01", "2025-12-31"),
                              ("FY2026 Q2", "2026-04-01", "2026-06-30"),
                              ("FY2026 Q3", "2026-07-01", "2026-09-30")]:
        assert f"{label} {money(quarter_sum(orders, start, end), compact=True)} " in text
    # Forecast by the orders' region: one reconciled series per region.
    for region in orders["Sales Region"].unique():
        assert f"{region} FY2026 Q4 $" in text


def test_sections_needing_deals_reps_or_quotas_are_left_out(run):
    orders, texts = run
    assert "The pipeline forecast cannot be shown: the data has no opportunities table" in \
        texts["forecast"]
    assert "Quota, gap to quota, still to close and coverage cannot be shown" in texts["forecast"]
    assert "The performance review cannot be shown: the data has no opportunities table" in \
        texts["performance_review"]
    assert "$" not in texts["performance_review"] and "$" not in texts["comp_plan_evaluation"]
    assert ("CRM hygiene of open deals cannot be shown: the data has no opportunities table"
            in texts["data_quality"])
    assert f"All {count(len(orders))} rows of the transactions table passed validation" in \
        texts["data_quality"]
    assert_clean(texts)
