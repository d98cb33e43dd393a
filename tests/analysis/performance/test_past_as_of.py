"""The performance review at a past as_of reads the deals as they were then when the data has an
opportunity history (hand-made dataset, perf_handmade.py; review of Q1 2026 as of 2026-03-31).

History: O9 (R1 Ann, created Mar 15, open today at 500 expected May 15) was 300 expected
Sep 30 until Apr 20; O10 (R1, created Mar 20, won Apr 5 at 999) was 800 until Apr 2.
"""

import pandas as pd
import pytest
from perf_handmade import T, handmade_dataset

from salesops.analysis.performance.review import performance_review
from salesops.data.schema import OPPORTUNITY_HISTORY, conform

COLUMNS = ["opportunity_id", "changed_at", "amount", "close_date"]


def with_history():
    data = handmade_dataset()
    rows = [("O9", T("2026-03-15"), 300.0, T("2026-09-30")),
            ("O9", T("2026-04-20"), 500.0, T("2026-05-15")),
            ("O10", T("2026-03-20"), 800.0, T("2026-04-05")),
            ("O10", T("2026-04-02"), 999.0, pd.NaT)]
    frame = pd.DataFrame(rows, columns=COLUMNS).reindex(columns=OPPORTUNITY_HISTORY.column_names)
    data.opportunity_history = conform(frame, OPPORTUNITY_HISTORY)
    return data


def test_the_review_at_a_past_date_shows_the_amounts_and_pipeline_of_then():
    r = performance_review(with_history(), "2026-03-31")
    deals = r.data.deals.set_index("opportunity_id")
    # on Mar 31 O9 was 300 expected Sep 30 and O10 (won later) an open 800 expected Apr 5
    assert deals.loc["O9", ["amount", "close_date"]].tolist() == [300.0, T("2026-09-30")]
    assert deals.loc["O10", "amount"] == 800.0
    ann = r.reps.set_index("rep_id").loc["R1"]
    # next quarter's (Q2) pipeline: O10 800 only, O9 was expected in Q3 then
    # (without history: O9 500 + O10 999 = 1499)
    assert ann["next_period_pipeline"] == 800 and ann["next_period_deals"] == 1
    assert r.coverage_next.pipeline == 800 and r.coverage_next.deals == 1
    # pipeline created in Q1: O1 60 + O3 40 + O9 300 + O10 800 = 1200 (without: 1599);
    # against Ann's quota of 100: 12.0x
    assert ann["pipeline_created"] == 1200
    assert ann["pipeline_to_quota"] == pytest.approx(1200 / 100)
    assert r.headline.loc["current", "next_period_pipeline"] == 800


def test_without_history_the_same_review_uses_todays_values():
    r = performance_review(handmade_dataset(), "2026-03-31")
    ann = r.reps.set_index("rep_id").loc["R1"]
    assert (ann["next_period_pipeline"], ann["pipeline_created"]) == (1499, 1599)
    assert r.coverage_next.pipeline == 1499


def test_a_scoped_review_at_that_date_agrees():
    # Region EMEA (Ann, Bob, Dee) sees Ann's deals as they were then too
    r = performance_review(with_history(), "2026-03-31", scope="region=EMEA")
    assert r.reps.set_index("rep_id").loc["R1", "next_period_pipeline"] == 800
    assert r.coverage_next.pipeline == 800


def test_the_review_after_the_changes_shows_the_new_values():
    r = performance_review(with_history(), "2026-04-30")
    deals = r.data.deals.set_index("opportunity_id")
    # Apr 30: O9 500 expected May 15 (changed Apr 20), O10 won on Apr 5 at 999 (final state)
    assert deals.loc["O9", ["amount", "close_date"]].tolist() == [500.0, T("2026-05-15")]
    assert deals.loc["O10", ["status", "amount"]].tolist() == ["won", 999.0]
