import pandas as pd
import pytest

from salesops.analysis.performance.diagnosis import diagnose, shortfall


def board():
    return pd.DataFrame({
        "rep_id": list("abcde"), "name": list("ABCDE"), "team": ["T"] * 3 + ["S"] * 2,
        "rank": [1, 2, 3, 4, 5], "attainment": [1.2, 0.5, 0.6, 0.4, 1.0],
        "pipeline_to_quota": [3.0, 1.0, 3.0, 2.0, 2.0],
        "win_rate": [0.3, 0.3, 0.1, 0.3, 0.3],
        "avg_deal_size": [100.0, 100.0, 100.0, 100.0, 100.0],
        "median_cycle_days": [30.0, 30.0, 30.0, 60.0, 30.0],
    })


def test_shortfall_direction():
    assert shortfall(pd.Series([50.0]), pd.Series([100.0]), True)[0] == 0.5
    assert shortfall(pd.Series([150.0]), pd.Series([100.0]), False)[0] == 0.5


def test_driver_is_the_largest_shortfall_against_peers():
    d = diagnose(board(), threshold=0.8).set_index("name")
    assert list(d.index) == ["D", "B", "C"]  # below 80%, worst first
    # B: pipeline 1.0 vs team median 3.0 -> 67% short
    assert d.loc["B", "driver"] == "too little pipeline"
    assert d.loc["B", "driver_gap"] == pytest.approx(2 / 3)
    # C: win rate 0.1 vs team median 0.3 -> 67% short
    assert d.loc["C", "driver"] == "low win rate"
    # D: team S has 2 ranked reps (< 3): compared with the scope; cycle 60 vs median 30
    assert d.loc["D", "peers"] == "company" and d.loc["D", "driver"] == "long cycle"
    assert d.loc["D", "driver_gap"] == pytest.approx(1.0)


def test_no_single_driver_when_all_close_to_peers():
    b = board().assign(pipeline_to_quota=2.0, win_rate=0.3, median_cycle_days=30.0)
    assert set(diagnose(b)["driver"]) == {"no single driver"}
