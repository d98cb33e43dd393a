"""An opportunities-only export (names as ids, four stages of its own, no roster, quotas or stage
history, open deals without amounts or close dates): every report runs, the numbers match plain
pandas arithmetic on the raw file, and nothing the data cannot support is shown."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import assert_clean, ingest_and_run
from exports import opportunities_only

from salesops.presentation.formatting import count, money

AS_OF = "2026-11-27"  # FY2026 Q4 (calendar fiscal year) runs 2026-10-01 .. 2026-12-31


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("opps_only")
    mapping = opportunities_only(root / "raw", AS_OF)
    deals = pd.read_csv(root / "raw" / "deals.csv", parse_dates=["Opened", "Expected Close"])
    return deals, ingest_and_run(root, root / "raw", AS_OF, "--mapping", str(mapping))


def test_bookings_and_leaderboard_match_the_raw_file(run):
    deals, texts = run
    won = deals[(deals["Stage"] == "Signed")
                & deals["Expected Close"].between("2026-10-01", AS_OF)]
    text = texts["performance_review"]
    assert (f"bookings {money(won['Value'].sum(), compact=True)} from {len(won)} won deals"
            in text)
    # Leaderboard by bookings (no quotas): each owner's won value this quarter, in full dollars.
    for owner, value in won.groupby("Owner")["Value"].sum().items():
        assert f"{owner} {money(value)}" in text
    # The forecast's booked figure for this quarter is the same sum.
    assert f"FY2026 Q4 {money(won['Value'].sum(), compact=True)}" in texts["forecast"]


def test_unknown_open_values_are_counted_never_zero(run):
    deals, texts = run
    open_ = deals[deals["Stage"].isin(["Early", "Late"])]
    no_amount = int(open_["Value"].isna().sum())
    no_close = int(open_["Expected Close"].isna().sum())
    assert no_amount > 0 and no_close > 0
    assert (f"{count(no_amount)} open deals have no amount: they are counted as deals but left "
            "out of the pipeline value" in texts["forecast"])
    assert (f"Of {count(len(open_))} open deals ({count(len(open_) - no_amount)} worth "
            f"{money(open_['Value'].sum(), compact=True)}; {no_amount} of unknown value)"
            in texts["data_quality"])
    assert f"{no_close} open deals have no expected close date" in texts["performance_review"]
    assert f"All {count(len(deals))} rows of the opportunities table passed validation" in \
        texts["data_quality"]


def test_sections_the_data_cannot_support_say_so_and_show_nothing(run):
    _, texts = run
    review, forecast, comp = (texts[n] for n in ("performance_review", "forecast",
                                                 "comp_plan_evaluation"))
    assert "Attainment against quota cannot be shown: the data has no quotas table" in review
    assert "The funnel (stage conversion and time in stage) cannot be shown: the data has no " \
           "stage_history table" in review
    assert "The rollup by region cannot be shown: the reps table (derived from the deals' " \
           "owner column) has no 'region' column" in review
    assert "at quota" not in review and "Attainment " not in review.replace(
        "Attainment against quota cannot be shown", "")
    assert "Quota, gap to quota, still to close and coverage cannot be shown" in forecast
    assert "CRM weighted" not in forecast  # no probability column in the export
    assert "Commit and best-case calls cannot be shown" in forecast
    assert "pays on attainment of quota, cannot be shown: the data has no quotas table" in comp
    assert "$" not in comp  # no payout, budget or cost figure at all (no guarantees either)
    assert_clean(texts)
