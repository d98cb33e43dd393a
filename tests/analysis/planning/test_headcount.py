import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.analysis.planning.attrition import Attrition
from salesops.analysis.planning.headcount import (
    CURRENT_COLUMNS,
    HEADCOUNT_COLUMNS,
    current_reps,
    headcount_plan,
)
from salesops.analysis.planning.ramp_profile import RampProfile

T = pd.Timestamp
REPS = pd.DataFrame({"rep_id": ["A", "B", "N", "L"],
                     "hire_date": [T("2020-01-01"), T("2020-01-01"), T("2026-12-01"),
                                   T("2020-01-01")],
                     "termination_date": [pd.NaT, pd.NaT, pd.NaT, T("2026-10-31")]})
RAMP = RampProfile.given([0.25, 0.5, 0.75])


def test_headcount_plan_hand_computed():
    hc = headcount_plan(REPS, T("2026-12-31"), RAMP, Attrition(0.1, "given"),
                        hires={"2027-03-15": 1}, backfill_delay=1)
    assert list(hc.columns) == list(HEADCOUNT_COLUMNS) and len(hc) == 12
    assert hc["in_plan_year"].all() and hc["month"].iloc[0] == T("2027-01-01")
    jan, feb, mar = (hc.iloc[i] for i in range(3))
    # on roll: A, B, N (L left before as_of and is not refilled). January: each loses 10%:
    # leavers 0.3, on roll 0.9 x 3 = 2.7; N is in tenure month 2 (hired Dec): share 0.5;
    # effective 0.9 + 0.9 + 0.9 x 0.5 = 2.25; ramping (tenure <= 3) 0.9
    assert (jan["leavers"], jan["headcount"], jan["effective_headcount"], jan["ramping"],
            jan["backfills"]) == pytest.approx((0.3, 2.7, 2.25, 0.9, 0.0))
    # February: leavers 0.09 x 3 = 0.27, on roll 0.81 x 3; January's 0.3 leavers backfilled
    # (delay 1) at tenure 1: headcount 2.43 + 0.3 = 2.73; effective 0.81 x 2 + 0.81 x 0.75
    # (N, tenure 3) + 0.3 x 0.25 = 2.3025; ramping 0.81 + 0.3 = 1.11
    assert (feb["leavers"], feb["backfills"], feb["headcount"], feb["effective_headcount"],
            feb["ramping"]) == pytest.approx((0.27, 0.3, 2.73, 2.3025, 1.11))
    # March: leavers 0.081 x 3 + 0.03 = 0.273; backfills 0.27 + 1 planned hire join at tenure 1;
    # headcount 0.729 x 3 + 0.27 + 1.27 = 3.727; effective 0.729 x 3 (N now ramped)
    # + 0.27 x 0.5 + 1.27 x 0.25 = 2.6395; ramping 0.27 + 1.27 = 1.54
    assert (mar["leavers"], mar["backfills"], mar["new_hires"], mar["headcount"],
            mar["effective_headcount"], mar["ramping"]) == pytest.approx(
        (0.273, 0.27, 1.0, 3.727, 2.6395, 1.54))


def test_a_seat_vacated_before_as_of_is_refilled_after_it():
    no_hire = REPS.loc[REPS["rep_id"] != "N"]
    zero = Attrition(0.0, "given")
    # L left in October 2026; with a 3-month delay the backfill is due in October + 3 = January
    # 2027, after as_of (December): it joins then
    hc = headcount_plan(no_hire, T("2026-12-31"), RAMP, zero, backfill_delay=3)
    assert hc["backfills"].tolist() == [1.0] + [0.0] * 11
    assert hc["headcount"].tolist() == [3.0] * 12   # A, B and L's backfill
    assert hc["effective_headcount"].iloc[0] == 2.25   # 1 + 1 + 0.25 (backfill in month 1)
    # with a 2-month delay it was due in December, on or before as_of: not in the plan
    assert (headcount_plan(no_hire, T("2026-12-31"), RAMP, zero, backfill_delay=2)["backfills"]
            == 0).all()
    # N, hired 2026-12-01 after L left, is taken as L's backfill: nothing more is due
    assert (headcount_plan(REPS, T("2026-12-31"), RAMP, zero, backfill_delay=3)["backfills"]
            == 0).all()
    assert (headcount_plan(no_hire, T("2026-12-31"), RAMP, zero, backfill_delay=3,
                           backfill=False)["backfills"] == 0).all()


def test_current_reps_by_tenure():
    reps = current_reps(REPS.assign(hire_date=REPS["hire_date"].where(REPS["rep_id"] != "B")),
                        T("2026-12-31"), RAMP)
    assert list(reps.columns) == list(CURRENT_COLUMNS)
    # L left before as_of. A: (2026 x 12 + 11) - (2020 x 12 + 0) + 1 = 84; N hired in December:
    # tenure 1; B's hire date unknown: unknown tenure, listed last, counted ramped
    assert reps["rep_id"].tolist() == ["A", "N", "B"]
    assert reps["tenure_month"].tolist()[:2] == [84.0, 1.0] and np.isnan(reps["tenure_month"][2])
    # N in FY2027 is in tenure months 2..13: 0.5 + 0.75 + 10 x 1 = 11.25 effective months
    assert reps["plan_effective_months"].tolist() == [12.0, 11.25, 12.0]


def test_months_before_the_plan_year_are_simulated_and_flagged():
    hc = headcount_plan(REPS, T("2026-10-15"), RAMP, Attrition(0.0, "given"))
    # November and December 2026 precede FY2027: 14 months, the first two outside the plan year
    assert len(hc) == 14 and hc["in_plan_year"].tolist() == [False, False] + [True] * 12
    # no attrition: A, B and L (its termination after 2026-10-15 is unknown then) stay on roll;
    # N, hired 2026-12-01, is not known yet
    assert (hc["headcount"] == 3).all()


def test_planned_hires_outside_the_simulated_months_are_refused():
    with pytest.raises(ValueError, match="planned hires for 2028-01: only the months 2027-01 "
                                         "to 2027-12 can be planned"):
        headcount_plan(REPS, T("2026-12-31"), RAMP, Attrition(0.0, "given"), hires={"2028-01": 1})
    with pytest.raises(ValueError, match="must be >= 0"):
        headcount_plan(REPS, T("2026-12-31"), RAMP, Attrition(0.0, "given"), hires={"2027-01": -1})


@settings(max_examples=40, deadline=None)
@given(st.floats(0, 0.3), st.integers(0, 4), st.booleans(),
       st.lists(st.integers(0, 3), min_size=12, max_size=12))
def test_headcount_flows_balance(rate, delay, backfill, hires):
    plan = {f"2027-{m + 1:02d}": h for m, h in enumerate(hires)}
    hc = headcount_plan(REPS, T("2026-12-31"), RAMP, Attrition(rate, "given"), hires=plan,
                        backfill_delay=delay, backfill=backfill)
    before = np.r_[3.0, hc["headcount"].to_numpy()[:-1]]
    flows = before - hc["leavers"] + hc["backfills"] + hc["new_hires"]
    assert np.allclose(hc["headcount"], flows)
    assert (hc["effective_headcount"] <= hc["headcount"] + 1e-9).all()
    assert (hc["ramping"] <= hc["headcount"] + 1e-9).all()
    if not backfill:
        assert (hc["backfills"] == 0).all()
