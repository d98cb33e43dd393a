import pandas as pd
import pytest

from salesops.analysis.performance.diagnosis import diagnose, median_of_others, shortfall


def board():
    """Team T: A, B, C, F (4 ranked reps: each has 3 team peers); team S: D, E (1 peer each)."""
    return pd.DataFrame({
        "rep_id": list("abcdef"), "name": list("ABCDEF"), "team": ["T"] * 3 + ["S"] * 2 + ["T"],
        "rank": [1, 2, 3, 5, 6, 4], "attainment": [1.2, 0.5, 0.6, 0.4, 1.0, 0.9],
        "tenure_months": [24, 24, 24, 24, 24, 24],
        "pipeline_to_quota": [3.0, 1.0, 3.0, 2.0, 2.0, 3.0],
        "win_rate": [0.3, 0.3, 0.1, 0.3, 0.3, 0.3],
        "avg_deal_size": [100.0] * 6,
        "median_cycle_days": [30.0, 30.0, 30.0, 60.0, 30.0, 30.0],
    })


def test_shortfall_direction():
    assert shortfall(pd.Series([50.0]), pd.Series([100.0]), True)[0] == 0.5
    assert shortfall(pd.Series([150.0]), pd.Series([100.0]), False)[0] == 0.5


def test_driver_is_the_largest_shortfall_against_peers():
    d = diagnose(board(), threshold=0.8).reps.set_index("name")
    assert list(d.index) == ["D", "B", "C"]  # below 80%, worst first
    # B: pipeline 1.0 vs the median of A, C, F (3.0, 3.0, 3.0) = 3.0 -> 67% short
    assert d.loc["B", "driver"] == "too little pipeline"
    assert d.loc["B", "driver_gap"] == pytest.approx(2 / 3)
    # C: win rate 0.1 vs the median of A, B, F (0.3) -> 67% short
    assert d.loc["C", "driver"] == "low win rate"
    # D: team S has 1 other ranked rep (< 3): compared with the 5 others in scope; cycle 60 vs
    # the median of A, B, C, E, F (all 30) -> 100% longer
    assert d.loc["D", "peers"] == "company" and d.loc["D", "driver"] == "long cycle"
    assert d.loc["D", "driver_gap"] == pytest.approx(1.0)


def test_peer_median_leaves_the_rep_out():
    """The old median included the rep being judged; now C's win rate is judged against A, B
    and F only."""
    b = board().assign(win_rate=[0.3, 0.2, 0.1, 0.3, 0.3, 0.4])
    d = diagnose(b, threshold=0.8).reps.set_index("name")
    # C against A, B, F: median(0.3, 0.2, 0.4) = 0.3 -> (0.3 - 0.1) / 0.3 = 2/3 short.
    # With C in the median: median(0.3, 0.2, 0.1, 0.4) = 0.25 -> 0.6 short (the old figure)
    assert d.loc["C", "peer_win_rate"] == pytest.approx(0.3)
    assert d.loc["C", "driver_gap"] == pytest.approx(2 / 3)
    # B's win rate 0.2 against A, C, F: median(0.3, 0.1, 0.4) = 0.3
    assert d.loc["B", "peer_win_rate"] == pytest.approx(0.3)


def test_median_of_others_by_group():
    values = pd.Series([1.0, 2.0, 6.0, 5.0, float("nan")])
    groups = pd.Series(["x", "x", "x", "y", "y"])
    # x: others of 1 -> median(2, 6) = 4; of 2 -> median(1, 6) = 3.5; of 6 -> 1.5
    # y: 5's only other is NaN -> NaN; the NaN row's other is 5
    out = median_of_others(values, groups)
    assert out.tolist()[:3] == [4.0, 3.5, 1.5]
    assert pd.isna(out[3]) and out[4] == 5.0


def test_short_tenure_reps_are_listed_not_diagnosed():
    """A 3-month hire at 40% (the worst) does not top the list: left out, named apart."""
    b = board().assign(tenure_months=[24, 24, 24, 3, 24, 24])
    d = diagnose(b, threshold=0.8, min_tenure_months=6)
    assert d.reps["name"].tolist() == ["B", "C"]
    assert d.too_new["name"].tolist() == ["D"] and d.too_new["tenure_months"].tolist() == [3]
    assert d.tenure_known and d.min_tenure_months == 6
    assert diagnose(b, threshold=0.8, min_tenure_months=3).reps["name"].tolist() == ["D", "B", "C"]


def test_unknown_tenure_leaves_no_one_out():
    d = diagnose(board().drop(columns="tenure_months"), threshold=0.8)
    assert d.reps["name"].tolist() == ["D", "B", "C"] and d.too_new.empty
    assert not d.tenure_known


def test_no_single_driver_when_all_close_to_peers():
    b = board().assign(pipeline_to_quota=2.0, win_rate=0.3, median_cycle_days=30.0)
    assert set(diagnose(b).reps["driver"]) == {"no single driver"}
