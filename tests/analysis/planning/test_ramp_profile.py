import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.analysis.planning.ramp_profile import (
    RampProfile,
    estimate_ramp_profile,
    ramp_share,
    ramped_month_means,
)

M1, M2, M3 = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01"), pd.Timestamp("2026-03-01")


def frame(rows):
    return pd.DataFrame(rows, columns=["rep_id", "month", "bookings", "full", "tenure_month"])


def team(hires):
    """Ramped reps A and B (tenure 20+) in M1..M3, plus ``hires`` rows (hired in M1)."""
    ramped = [("A", M1, 100, True, 20), ("B", M1, 300, True, 30),   # mean 200
              ("A", M2, 50, True, 21), ("B", M2, 150, True, 31),    # mean 100
              ("A", M3, 400, True, 22), ("B", M3, 400, True, 32),   # mean 400
              ("C", M2, 9999, False, 40)]                           # part month: not a reference
    return frame(ramped + hires)


def hires_rows(t2=True):
    rows = [("H1", M1, 0, False, 1), ("H2", M1, 20, False, 1), ("H3", M1, 40, False, 1),
            ("H1", M3, 100, True, 3), ("H2", M3, 100, True, 3), ("H3", M3, 160, True, 3)]
    if t2:
        rows += [("H1", M2, 30, True, 2), ("H2", M2, 30, True, 2), ("H3", M2, 60, True, 2)]
    else:
        rows += [("H1", M2, 30, True, 2), ("H2", M2, 30, True, 2)]
    return rows


def test_ramped_month_means():
    # full months past tenure 3: M1 (100 + 300) / 2 = 200, M2 (50 + 150) / 2 = 100 (C's part
    # month left out), M3 400
    means = ramped_month_means(team([]), ramped_after=3)
    assert means.to_dict() == {M1: 200.0, M2: 100.0, M3: 400.0}


def test_profile_is_hires_over_ramped_reps_in_the_same_months_made_monotone():
    profile = estimate_ramp_profile(team(hires_rows()), ramped_after=3, min_hires=3)
    # tenure 1 (M1): (0 + 20 + 40) / (3 x 200) = 60 / 600 = 0.1 (the hire month counts though
    # part-time); tenure 2 (M2): (30 + 30 + 60) / (3 x 100) = 0.4; tenure 3 (M3):
    # (100 + 100 + 160) / (3 x 400) = 0.3 < 0.4: pooled with tenure 2, 3 hires each:
    # (0.4 + 0.3) / 2 = 0.35
    assert np.allclose(profile.shares, (0.1, 0.35, 0.35))
    assert profile.hires == (3, 3, 3) and profile.source == "history" and profile.availability
    assert profile.series.index.tolist() == [1, 2, 3]
    assert np.allclose(profile.series, (0.1, 0.35, 0.35))


def test_a_tenure_month_seen_for_too_few_hires_is_interpolated():
    profile = estimate_ramp_profile(team(hires_rows(t2=False)), ramped_after=3, min_hires=3)
    # tenure 2 has 2 hires (< 3): between tenure 1 (0.1) and tenure 3 (0.3): (0.1 + 0.3) / 2
    assert np.allclose(profile.shares, (0.1, 0.2, 0.3))
    assert profile.hires == (3, 2, 3)


def test_too_few_hires_is_a_sentence():
    rows = [r for r in hires_rows() if r[0] != "H3"]
    profile = estimate_ramp_profile(team(rows), ramped_after=3, min_hires=3)
    assert not profile.availability and profile.shares == ()
    assert profile.availability.reason == (
        "The ramp profile cannot be estimated from the history: 2 reps were hired since "
        "January 2026 and seen from their hire month beside ramped reps (at least 3 are "
        "needed); give a ramp profile instead.")


def test_no_hire_dates_is_a_sentence():
    unknown = team(hires_rows()).assign(tenure_month=np.nan)
    profile = estimate_ramp_profile(unknown, ramped_after=3)
    assert profile.availability.reason == ("The ramp profile cannot be estimated from the "
                                           "history: no rep has a hire date; give a ramp "
                                           "profile instead.")


def test_given_profile_and_ramp_share():
    ramp = RampProfile.given([0.2, 0.5])
    tenure = pd.Series([np.nan, 0, 1, 2, 5])
    # unknown tenure: ramped (1); before the hire month: 0; months 1-2: the profile; after: 1
    assert ramp_share(tenure, ramp).tolist() == [1.0, 0.0, 0.2, 0.5, 1.0]
    assert ramp_share(tenure, ramp.series).tolist() == [1.0, 0.0, 0.2, 0.5, 1.0]
    assert ramp_share(tenure, None).tolist() == [1.0] * 5
    assert ramp.months == 2 and ramp.source == "given"
    try:
        RampProfile.given([0.5, 1.2])
    except ValueError as err:
        assert "[0, 1], got 1.2" in str(err)
    else:
        raise AssertionError("a share above 1 must be refused")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1000), min_size=9, max_size=9))
def test_profile_is_non_decreasing_within_0_and_1(values):
    rows = [(f"H{i % 3}", [M1, M2, M3][i // 3], v, i >= 3, i // 3 + 1)
            for i, v in enumerate(values)]
    profile = estimate_ramp_profile(team(rows), ramped_after=3, min_hires=3)
    shares = np.array(profile.shares)
    assert ((shares >= 0) & (shares <= 1)).all()
    assert (np.diff(shares) >= -1e-12).all()
