"""Realism before the year: whole historical months resampled per rep, P(attain), the share of reps
at quota against 55-70%, and quotas high or low for the territory's potential."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.analysis.planning.realism import (
    DRAW_COLUMNS,
    HEALTHY_BAND,
    draw_months,
    potential_flags,
    realism,
    scale_for_share,
    simulated_bookings,
)
from salesops.analysis.planning.seats import plan_months, seat_months

AS_OF = pd.Timestamp("2026-12-01")
MONTHS = plan_months(AS_OF)


def rep_history(rep: str, team: str, months: list[str], bookings: list[float],
                tenure: list[float] | None = None, full: list[bool] | None = None) -> pd.DataFrame:
    return pd.DataFrame({"rep_id": rep, "team": team, "month": pd.to_datetime(months),
                         "bookings": bookings,
                         "tenure_month": tenure if tenure is not None else [60.0] * len(months),
                         "full": full if full is not None else [True] * len(months)})


def months_of(first: str, n: int) -> list[str]:
    return [f"{m:%Y-%m-%d}" for m in pd.date_range(first, periods=n, freq="MS")]


def roster(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"rep_id": [r for r, _, _ in rows], "region": "North",
                         "team": [t for _, t, _ in rows],
                         "hire_date": pd.to_datetime([h for _, _, h in rows])})


@pytest.fixture
def history() -> pd.DataFrame:
    # A (team T): 6 ramped months Jun-Nov 2026 booking 1..6 (x1000); B (team T): 2 ramped months
    # (too few of its own: draws from team T's 8 ramped months); N: a hire of March 2026 whose
    # tenure months 1-3 (Mar-May) book 10, 20, 30 and who is ramped afterwards (not full in March)
    a = rep_history("A", "T", months_of("2026-06-01", 6), [1_000, 2_000, 3_000, 4_000, 5_000, 6_000])
    b = rep_history("B", "T", months_of("2026-10-01", 2), [70_000, 80_000])
    n = rep_history("N", "U", months_of("2026-03-01", 3), [10, 20, 30], tenure=[1.0, 2.0, 3.0],
                    full=[False, True, True])
    return pd.concat([a, b, n], ignore_index=True)


def test_draws_come_from_the_right_pools(history):
    # ramp of 3 months: tenure 1-3 is ramping. A is ramped with 6 own months (own pool); B has 2
    # (< 6: team T's 8 months); H, hired 1 March 2027 into team U, is ramping in March-May 2027
    # (tenure 1, 2, 3: N's month at that tenure) and from June draws from team U's ramped months:
    # none (N's months are all ramping), so the company's 8 (A's and B's).
    seats = seat_months(roster([("A", "T", "2020-01-01"), ("B", "T", "2020-01-01"),
                                ("H", "U", "2027-03-01")]), MONTHS)
    drawn = draw_months(history, seats, ramped_after=3, draws=200, seed=1)
    assert list(drawn.columns) == list(DRAW_COLUMNS)
    a = drawn.loc[drawn["rep_id"] == "A"]
    assert set(a["source"]) == {"own"} and set(a["source_rep_id"]) == {"A"}
    assert set(a["source_month"]) == set(pd.to_datetime(months_of("2026-06-01", 6)))
    b = drawn.loc[drawn["rep_id"] == "B"]
    assert set(b["source"]) == {"team"} and set(b["source_rep_id"]) == {"A", "B"}
    h = drawn.loc[drawn["rep_id"] == "H"].set_index("plan_month")
    assert set(h.loc["2027-03-01", "source_month"]) == {pd.Timestamp("2026-03-01")}  # N's tenure 1
    assert set(h.loc["2027-05-01", "source_month"]) == {pd.Timestamp("2026-05-01")}  # N's tenure 3
    assert set(h.loc["2027-06-01", "source"]) == {"company"}
    # one draw per (draw, rep, plan month): A and B 12 months, H 10 (March to December)
    assert len(drawn) == 200 * (12 + 12 + 10)
    assert not drawn.duplicated(["draw", "rep_id", "plan_month"]).any()


def test_draws_are_seeded(history):
    seats = seat_months(roster([("A", "T", "2020-01-01")]), MONTHS)
    first = draw_months(history, seats, draws=50, seed=3)
    pd.testing.assert_frame_equal(first, draw_months(history, seats, draws=50, seed=3))
    assert not first.equals(draw_months(history, seats, draws=50, seed=4))


def test_simulated_bookings_sum_the_drawn_months(history):
    # draw 0: A repeats June (1,000) and November (6,000) -> 7,000; draw 1: July twice -> 4,000
    drawn = pd.DataFrame({"draw": [0, 0, 1, 1], "rep_id": "A",
                          "plan_month": pd.to_datetime(["2027-01-01", "2027-02-01"] * 2),
                          "source_rep_id": "A",
                          "source_month": pd.to_datetime(["2026-06-01", "2026-11-01",
                                                          "2026-07-01", "2026-07-01"]),
                          "source": "own"})
    sim = simulated_bookings(drawn, history)
    assert sim["bookings"].tolist() == [7_000, 4_000]


def test_realism_oracle():
    # X (quota 100) books 50, 100, 150, 200 in draws 0-3: reaches it in 3 of 4 (100 >= 100): 0.75.
    # Y (quota 200) books 100, 100, 300, 300: 0.5. Share at quota per draw: 0, 1/2, 1, 1: mean 0.625
    # (within 55-70%). P10 of (0, 0.5, 1, 1): position 0.1 x 3 = 0.3 -> 0 + 0.3 x 0.5 = 0.15.
    # Z has a zero quota and is left out.
    sim = pd.DataFrame({"draw": [0, 1, 2, 3] * 3, "rep_id": ["X"] * 4 + ["Y"] * 4 + ["Z"] * 4,
                        "bookings": [50, 100, 150, 200, 100, 100, 300, 300, 0, 0, 0, 0]})
    quotas = pd.DataFrame({"rep_id": ["X", "Y", "Z"], "team": "T", "quota": [100.0, 200.0, 0.0]})
    r = realism(sim, quotas)
    assert r.band == HEALTHY_BAND and r.draws == 4
    assert r.share_at_quota == 0.625 and r.verdict == "within"
    assert r.share_p10 == pytest.approx(0.15) and r.share_p90 == 1.0
    per = r.reps.set_index("rep_id")
    assert per.loc["X", "p_attain"] == 0.75 and per.loc["Y", "p_attain"] == 0.5
    assert "Z" not in per.index
    # median of X's 50, 100, 150, 200 = 125: 125% of quota
    assert per.loc["X", "attainment_median"] == 1.25
    # every rep-year's bookings / quota, largest first: 2, 1.5, 1.5, 1.5, 1, .5, .5, .5 (n = 8).
    # 70% of 8 = 5.6 -> the 6th largest, 0.5 (at half the quotas all 8 reach them, the 6th among
    # them); 55% of 8 = 4.4 -> the 5th, 1.0 (5 of 8 reach the quotas as they are)
    assert r.band_scale == (0.5, 1.0)
    # the same draws against doubled quotas: X reaches 200 once, Y 400 never: share 1/8 = 0.125
    assert realism(sim, quotas.assign(quota=quotas["quota"] * 2)).verdict == "below"


def test_potential_flags_oracle():
    # quota / potential: A 100/100 = 1, B 100/50 = 2, C 100/200 = 0.5, D 100/100 = 1, E 50/0 = none.
    # Median of A-D's ratios (1, 2, 0.5, 1) = 1: B at 2x the median is high (> 1.5), C at 0.5x
    # low (< 2/3); E has a quota on no potential: high. A and D are not listed.
    quotas = pd.DataFrame({"rep_id": list("ABCDE"), "team": "T", "quota": [100.0, 100, 100, 100, 50]})
    potential = pd.Series({"A": 100.0, "B": 50.0, "C": 200.0, "D": 100.0})
    flags = potential_flags(quotas, potential)
    assert flags["rep_id"].tolist() == ["E", "B", "C"]
    assert flags["looks"].tolist() == ["high", "high", "low"]
    assert flags.set_index("rep_id").loc["B", "relative"] == 2.0


def test_bad_input_is_named(history):
    seats = seat_months(roster([("A", "T", "2020-01-01")]), MONTHS)
    with pytest.raises(ValueError, match="draws must be >= 1"):
        draw_months(history, seats, draws=0)
    with pytest.raises(ValueError, match="no fully employed, ramped rep-month in the last 24 months"):
        draw_months(history.assign(full=False), seats)
    with pytest.raises(ValueError, match="no rep with a quota above zero"):
        realism(pd.DataFrame({"draw": [0], "rep_id": ["A"], "bookings": [1.0]}),
                pd.DataFrame({"rep_id": ["A"], "team": ["T"], "quota": [0.0]}))
    with pytest.raises(ValueError, match="no rep with a quota has any territory potential"):
        potential_flags(pd.DataFrame({"rep_id": ["A"], "team": ["T"], "quota": [1.0]}),
                        pd.Series(dtype=float))


@settings(max_examples=30)
@given(seed=st.integers(0, 2**31), hires=st.lists(st.integers(1, 12), min_size=1, max_size=4))
def test_every_plan_month_repeats_exactly_one_month_a_rep_really_had(seed, hires):
    a = rep_history("A", "T", months_of("2025-01-01", 23), list(np.arange(23.0) * 1_000))
    n = rep_history("N", "T", months_of("2025-01-01", 4), [1.0, 2.0, 3.0, 4.0], tenure=[1.0, 2.0, 3.0, 4.0])
    history = pd.concat([a, n], ignore_index=True)
    hired = [(f"H{i}", "T", f"2027-{m:02d}-01") for i, m in enumerate(hires)]
    reps = roster([("A", "T", "2020-01-01"), *hired])
    seats = seat_months(reps, MONTHS)
    drawn = draw_months(history, seats, ramped_after=4, draws=20, seed=seed)
    cells = seats[["rep_id", "month"]].rename(columns={"month": "plan_month"})
    counts = drawn.groupby(["rep_id", "plan_month"]).size()
    assert len(counts) == len(cells) and (counts == 20).all()
    real = set(zip(history["rep_id"], history["month"], strict=True))
    assert set(zip(drawn["source_rep_id"], drawn["source_month"], strict=True)) <= real


@given(ratios=st.lists(st.floats(0, 10), min_size=1, max_size=50), share=st.floats(0.01, 1.0))
def test_scale_for_share_is_the_largest_that_reaches_the_share(ratios, share):
    r = np.array(ratios)
    s = scale_for_share(r, share)
    assert (r >= s).mean() >= share - 1e-9
    above = r[r > s]
    if above.size:  # any larger factor (the next ratio up) reaches fewer than share
        assert (r >= above.min()).mean() < share
