"""Funnel on four closed deals and one open one, with the arithmetic written out.

D1 (A): Prospecting d0, Qualification d10, Proposal d15 (Discovery skipped), Closed Won d25
D2 (A): Prospecting d0, Qualification d4, Closed Lost d8
D3 (B): Prospecting d0, Closed Lost d20
D4 (B): Prospecting d0, Qualification d2, Discovery d5, Proposal d9, Negotiation d19, Won d30
D5 (A): open in Prospecting
"""

import pandas as pd
import pytest

from salesops.analysis.funnel import funnel, velocities
from salesops.data.periods import Period
from salesops.data.stages import load_catalogue

T = pd.Timestamp
D0 = T("2026-01-01")
CAT = load_catalogue()
WINDOW = Period("year", T("2026-01-01"), T("2026-12-31"), "2026")
PATHS = {
    "D1": [("Prospecting", 0), ("Qualification", 10), ("Proposal", 15), ("Closed Won", 25)],
    "D2": [("Prospecting", 0), ("Qualification", 4), ("Closed Lost", 8)],
    "D3": [("Prospecting", 0), ("Closed Lost", 20)],
    "D4": [("Prospecting", 0), ("Qualification", 2), ("Discovery", 5), ("Proposal", 9),
           ("Negotiation", 19), ("Closed Won", 30)],
    "D5": [("Prospecting", 0)],
}


def frames():
    hist = pd.DataFrame([(d, s, D0 + pd.Timedelta(days=n)) for d, p in PATHS.items() for s, n in p],
                        columns=["opportunity_id", "stage", "entered_date"]).astype(
                            {"opportunity_id": "string", "stage": "string"})
    deals = pd.DataFrame({
        "opportunity_id": list(PATHS), "team": ["A", "A", "B", "B", "A"],
        "status": ["won", "lost", "lost", "won", "open"],
        "amount": [100.0, 50.0, 50.0, 300.0, 80.0],
        "created_date": [D0] * 5,
        "close_date": [D0 + pd.Timedelta(days=n) for n in (25, 8, 20, 30, 60)],
    }).astype({"opportunity_id": "string", "team": "category"})
    deals["cycle_days"] = (deals["close_date"] - deals["created_date"]).dt.days.astype(float)
    return deals, hist


def result():
    deals, hist = frames()
    return funnel(deals, hist, CAT, WINDOW, "team", min_reached=1)


def test_stage_conversion_counts_skipped_stages_as_passed():
    c = result().conversion.set_index("stage")
    # reached: Prospecting 4; Qualification D1, D2, D4 = 3; Discovery D1 (won, skipped), D4 = 2
    assert c["reached"].tolist() == [4, 3, 2, 2, 2]
    assert c["lost"].tolist() == [1, 1, 0, 0, 0]  # D3 at Prospecting, D2 at Qualification
    assert c.loc["Prospecting", "conversion"] == 3 / 4
    assert c.loc["Qualification", "conversion"] == pytest.approx(2 / 3)
    assert c.loc["Negotiation", "next_stage"] == "Closed Won"


def test_time_in_stage_median_and_p90():
    t = result().time_in_stage.set_index("stage")
    # Prospecting exits: D1 10, D2 4, D3 20, D4 2 -> median (4 + 10) / 2 = 7
    assert t.loc["Prospecting", "median_days"] == 7
    # p90, linear: sorted [2, 4, 10, 20], position 0.9 * 3 = 2.7 -> 10 + 0.7 * 10 = 17
    assert t.loc["Prospecting", "p90_days"] == pytest.approx(17)
    # Qualification: D1 15-10 = 5, D2 8-4 = 4, D4 5-2 = 3 -> median 4; open D5 is not counted
    assert t.loc["Qualification", "median_days"] == 4 and t.loc["Prospecting", "exits"] == 4


def test_velocity_and_bottlenecks():
    f = result()
    deals, _ = frames()
    v = velocities(deals, WINDOW, "team").set_index("group")
    company = v.loc["All"]
    # 1 open deal x win rate 2/4 x avg won size (100 + 300) / 2 / median cycle (25 + 30) / 2
    assert company["velocity_per_day"] == pytest.approx(1 * 0.5 * 200 / 27.5)
    # team A: D5 open; D1 won, D2 lost -> 1 x 1/2 x 100 / 25
    assert v.loc["A", "velocity_per_day"] == pytest.approx(1 * 0.5 * 100 / 25)
    b = f.bottlenecks.set_index("group")
    # B loses 1 of 2 at Prospecting (50%) vs company 1 of 4 (25%): +25 points
    assert b.loc["B", "stage"] == "Prospecting" and b.loc["B", "gap"] == pytest.approx(0.25)
    # A loses 1 of 2 at Qualification (50%) vs company 1 of 3: +16.7 points
    assert b.loc["A", "stage"] == "Qualification"
    assert b.loc["A", "gap"] == pytest.approx(0.5 - 1 / 3)


def test_ungrouped_funnel_has_no_group_tables_and_velocity_one_row():
    deals, hist = frames()
    f = funnel(deals, hist, CAT, WINDOW, by=None, min_reached=1)
    assert f.conversion_by_group is None and f.bottlenecks is None
    assert f.conversion["reached"].tolist() == [4, 3, 2, 2, 2]  # same company funnel as by team
    assert velocities(deals, WINDOW, None)["group"].tolist() == ["All"]
