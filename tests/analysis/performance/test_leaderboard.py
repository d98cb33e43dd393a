import math

import pandas as pd
from perf_handmade import T

from salesops.analysis.performance.leaderboard import (
    attainment_distribution,
    leaderboard,
    reps_at_quota,
)
from salesops.analysis.performance.rollups import performance_table
from salesops.analysis.performance.scope import prepare


def board(dataset):
    data = prepare(dataset, T("2026-03-31"))
    return leaderboard(performance_table(data, data.calendar.period(data.as_of, "quarter")), 3)


def test_ranks_quartiles_and_reasons(dataset):
    b = board(dataset).set_index("name")
    # Ann 110%, Bob 50%, Cy 0% ranked; Dee left on 2026-02-15; Eve hired 2026-03-01
    assert b.loc[["Ann", "Bob", "Cy"], "rank"].tolist() == [1, 2, 3]
    # quartile = floor((rank - 1) * 4 / 3) + 1
    assert b.loc[["Ann", "Bob", "Cy"], "quartile"].tolist() == [1, 2, 3]
    assert b.loc["Dee", "not_ranked"] == "left" and pd.isna(b.loc["Dee", "rank"])
    assert b.loc["Eve", "not_ranked"] == "under 3 months tenure"


def test_distribution_share_and_band(dataset):
    d = attainment_distribution(board(dataset), elapsed=1.0)
    assert (d.ranked_reps, d.at_quota) == (3, 1)
    assert d.share_at_quota == 1 / 3 and d.median_attainment == 0.5
    assert d.position == "below"  # 33% < 60%
    mid = attainment_distribution(board(dataset), elapsed=0.5)
    assert mid.on_pace == 2 and mid.compared_share == 2 / 3  # Ann and Bob >= 50%: within band


def test_tie_shares_the_better_rank():
    reps = pd.DataFrame({"rep_id": list("abc"), "attainment": [1.0, 1.0, 0.5],
                         "active": True, "tenure_months": 12, "quota_status": "ok"})
    assert leaderboard(reps)["rank"].tolist() == [1, 1, 3]


def test_no_ranked_rep_gives_unknown_not_a_division_error():
    reps = pd.DataFrame({"rep_id": ["a"], "attainment": [float("nan")], "active": [True],
                         "tenure_months": [12], "quota_status": ["zero"]})
    d = attainment_distribution(leaderboard(reps))
    assert d.ranked_reps == 0 and d.position == "unknown"


def test_reps_at_quota_counts_ranked_reps_only(dataset):
    # Ann 110% at quota; Bob 50%, Cy 0% ranked; Dee (left) and Eve (new, zero quota) not ranked
    counted = reps_at_quota(board(dataset))
    assert (counted.at_quota, counted.ranked) == (1, 3) and counted.share == 1 / 3
    none = reps_at_quota(board(dataset).assign(rank=float("nan")))
    assert none.ranked == 0 and math.isnan(none.share)
