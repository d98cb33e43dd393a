import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from perf_handmade import T, accounts, quotas, reps, stage_history

from salesops.analysis.performance.rollups import performance_table
from salesops.analysis.performance.scope import prepare
from salesops.data.store import Dataset

AS_OF = T("2026-03-31")


def q1(data):
    return data.calendar.period(AS_OF, "quarter")


def test_rep_level_metrics_match_hand_arithmetic(dataset):
    data = prepare(dataset, AS_OF)
    p = q1(data)
    t = performance_table(data, p, "rep_id", data.calendar.shift(p, 1)).set_index("rep_id")
    ann = t.loc["R1"]
    assert ann["bookings"] == 60 + 50  # O1 + O2; O10 closes 2026-04-05: still open
    assert ann["won_deals"] == 2 and ann["lost_deals"] == 1
    assert ann["win_rate"] == pytest.approx(2 / 3)
    assert ann["win_rate_value"] == pytest.approx(110 / (110 + 40))
    assert ann["avg_deal_size"] == 55  # (60 + 50) / 2
    assert ann["median_cycle_days"] == (30 + 89) / 2  # O1 30 days, O2 89 days
    assert ann["attainment"] == pytest.approx(110 / 100)
    assert ann["pipeline_created"] == 60 + 40 + 500 + 999  # O1, O3, O9, O10 created in Q1
    assert ann["next_period_pipeline"] == 500 + 999  # open on as_of, closing in Q2
    bob = t.loc["R2"]
    assert bob["bookings"] == 100  # O4; O7 has no amount: a win, no value
    assert (bob["won_deals"], bob["priced_wins"], bob["deals_missing_amount"]) == (2, 1, 1)
    assert bob["avg_deal_size"] == 100  # 100 / 1 priced win
    assert bob["win_rate"] == 2 / 4 and bob["win_rate_value"] == pytest.approx(100 / 250)
    assert bob["median_cycle_days"] == (30 + 10) / 2
    assert bob["attainment"] == 100 / 200


def test_rep_with_no_deals_zero_quota_and_leaver(dataset):
    t = performance_table(prepare(dataset, AS_OF), q1(prepare(dataset, AS_OF))).set_index("rep_id")
    cy = t.loc["R3"]  # no deals: zeros, attainment 0, win rate unknown (not 0)
    assert cy["bookings"] == 0 and cy["attainment"] == 0 and math.isnan(cy["win_rate"])
    eve = t.loc["R5"]  # zero quota: no attainment, reported
    assert eve["quota_status"] == "zero" and math.isnan(eve["attainment"])
    dee = t.loc["R4"]  # left mid-period: bookings and quota count, not active
    assert dee["bookings"] == 30 and dee["quota"] == 100 and not dee["active"]


def test_rollups_reconcile_and_recompute_ratios(dataset):
    data = prepare(dataset, AS_OF)
    p = q1(data)
    team = performance_table(data, p, "team").set_index("team")
    assert team.loc["T1", "bookings"] == 110 + 100 + 30
    assert team.loc["T1", "quota"] == 100 + 200 + 100
    assert team.loc["T1", "attainment"] == pytest.approx(240 / 400)
    assert team.loc["T1", "win_rate"] == pytest.approx(5 / 8)  # wins 2+2+1, losses 1+2
    assert team.loc["T1", "median_cycle_days"] == 30  # median of 30, 89, 30, 10, 43
    manager = performance_table(data, p, "manager").set_index("manager")
    assert manager.loc["Max", "bookings"] == 0 and manager.loc["Max", "quota"] == 100 + 0
    total = performance_table(data, p, None).iloc[0]
    assert total["bookings"] == 240 and total["quota"] == 500
    assert total["attainment"] == pytest.approx(0.48)


def test_quota_missing_for_everyone_is_reported_not_divided(dataset):
    ds = Dataset(reps=reps(), accounts=accounts(), quotas=quotas().iloc[0:0],
                 opportunities=dataset.opportunities, stage_history=stage_history())
    data = prepare(ds, AS_OF)
    total = performance_table(data, q1(data), None).iloc[0]
    assert total["quota_status"] == "missing" and math.isnan(total["attainment"])
    assert total["reps_without_quota"] == 5  # all five were employed during Q1


amounts = st.lists(st.tuples(st.integers(0, 4), st.floats(0, 1e6), st.sampled_from(["won", "lost"]),
                             st.integers(0, 89)), min_size=0, max_size=40)


@settings(max_examples=30, deadline=None)
@given(amounts)
def test_levels_always_reconcile_with_reps(deals):
    rep_ids = ["R1", "R2", "R3", "R4", "R5"]
    opps = pd.DataFrame({
        "opportunity_id": pd.Series([f"X{i}" for i in range(len(deals))], dtype="string"),
        "rep_id": pd.Series([rep_ids[d[0]] for d in deals], dtype="string"),
        "amount": pd.Series([d[1] for d in deals], dtype=float),
        "status": pd.Series([d[2] for d in deals], dtype="string"),
        "created_date": pd.to_datetime([T("2026-01-01")] * len(deals)),
        "close_date": pd.to_datetime([T("2026-01-01") + pd.Timedelta(days=d[3]) for d in deals]),
    })
    opps = opps.assign(account_id="A1", product="Core", stage=opps["status"].map(
        {"won": "Closed Won", "lost": "Closed Lost"}), forecast_category=None, probability=np.nan)
    ds = Dataset(reps=reps(), accounts=accounts(), quotas=quotas(), opportunities=opps,
                 stage_history=stage_history().iloc[0:0])
    data = prepare(ds, AS_OF)
    p = q1(data)
    rep = performance_table(data, p, "rep_id")
    for level in ("team", "manager", "region", None):
        table = performance_table(data, p, level)
        for col in ("bookings", "won_deals", "lost_deals", "pipeline_created"):
            assert table[col].sum() == pytest.approx(rep[col].sum())


def test_rollup_coverage_is_data_coverage_of_each_group():
    """A region's row of the company rollup shows the coverage data.coverage gives that region's
    own view: one definition, one denominator (what is still to close of next quarter's quota)."""
    from salesops.data.builtin import ensure_sample_dataset
    from salesops.data.coverage import coverage
    from salesops.data.scope import scoped_view
    from salesops.data.store import load_dataset
    as_of = T("2026-12-01")
    sample = load_dataset(ensure_sample_dataset(end=as_of))
    data = prepare(sample, as_of)
    now = data.calendar.period(as_of, "quarter")
    nxt = data.calendar.shift(now, 1)
    regions = performance_table(data, now, "region", nxt).set_index("region")
    for region in ("EMEA", "APAC"):
        own = coverage(scoped_view(sample, as_of, f"region={region}"), nxt, as_of)
        assert regions.loc[region, "coverage"] == pytest.approx(own.ratio)
        assert regions.loc[region, "next_period_pipeline"] == pytest.approx(own.pipeline)
