"""The seeded cancellations scenario (clawbacks on the built-in sample)."""

from __future__ import annotations

import pandas as pd

from salesops.analysis.comp.credits import seeded_cancellations


def _won(n: int) -> pd.DataFrame:
    return pd.DataFrame({"opportunity_id": [f"OPP{i:05d}" for i in range(n)], "status": "won",
                         "close_date": pd.Timestamp("2026-01-01"), "amount": 100.0})


def test_a_deal_is_cancelled_in_a_scope_exactly_as_in_the_company():
    company = seeded_cancellations(_won(20000), seed=7, share=0.02)
    region = seeded_cancellations(_won(20000).iloc[::3], seed=7, share=0.02)
    # every third deal: the region's cancellations are the company's among its deals, same dates
    expected = company.loc[company["opportunity_id"].isin(_won(20000).iloc[::3]["opportunity_id"])]
    assert region.reset_index(drop=True).equals(expected.reset_index(drop=True))
    # about 2% of 20,000 deals, each 1 to 120 days after its close date
    assert 300 < len(company) < 500
    days = (company["date"] - pd.Timestamp("2026-01-01")).dt.days
    assert days.between(1, 120).all()


def test_the_scenario_follows_its_seed():
    one, again, other = (seeded_cancellations(_won(5000), seed=s) for s in (7, 7, 8))
    assert one.equals(again) and not one["opportunity_id"].equals(other["opportunity_id"])
