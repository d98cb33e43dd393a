import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.analysis.planning.attrition import Attrition
from salesops.analysis.planning.capacity import (
    attainment_factor,
    capacity_plan,
    over_assignment,
    quota_capacity,
    ramped_productivity,
)
from salesops.analysis.planning.ramp_profile import RampProfile

T = pd.Timestamp
AS_OF = T("2026-12-31")
REPS = pd.DataFrame({"rep_id": ["R1", "R2"], "hire_date": [T("2020-01-01")] * 2,
                     "termination_date": [pd.NaT, pd.NaT]})
QUARTER_ENDS = {3: 400.0, 6: 600.0, 9: 400.0, 12: 600.0}


def history():
    """R1 and R2 ramped all of 2026: 100 and 300 in the first two months of each quarter, both
    400 / 600 / 400 / 600 in the quarter's last month (Mar, Jun, Sep, Dec)."""
    rows = []
    for m in range(1, 13):
        for rep, usual in (("R1", 100.0), ("R2", 300.0)):
            rows.append((rep, T(f"2026-{m:02d}-01"), QUARTER_ENDS.get(m, usual), True, 80 + m))
    return pd.DataFrame(rows, columns=["rep_id", "month", "bookings", "full", "tenure_month"])


def test_worked_example_from_the_issue():
    # 7 ramped reps x 150,000 x 85% = 892,500; 3 new reps x 150,000 x 40% = 180,000; sum 1,072,500
    assert quota_capacity([(7, 150_000, 0.85), (3, 150_000, 0.40)]) == pytest.approx(1_072_500)
    # a $800,000 target on $1,000,000 of street quota: 800,000 / 1,000,000 = 80% attainment
    # factor; 1,000,000 / 800,000 = 125% over-assignment
    assert attainment_factor(800_000, 1_000_000) == pytest.approx(0.80)
    assert over_assignment(800_000, 1_000_000) == pytest.approx(1.25)


def test_ramped_productivity_hand_computed():
    prod = ramped_productivity(history(), months=12, ramped_after=1)
    # 24 rep-months: 8 x 100, 8 x 300, 4 x 400, 4 x 600; mean (800 + 2400 + 1600 + 2400) / 24
    # = 7200 / 24 = 300. Sorted positions 0..23 (linear): P10 at 2.3 -> 100, median at 11.5 ->
    # 300 (positions 8-15 are 300), P90 at 20.7 -> 600
    assert (prod.mean, prod.p10, prod.median, prod.p90) == pytest.approx((300, 100, 300, 600))
    # per rep: R1 (8 x 100 + 2000) / 12 = 233.33, R2 (8 x 300 + 2000) / 12 = 366.67; across the
    # two reps P10 = 233.33 + 0.1 x 133.33 = 246.67, median 300, P90 = 353.33
    assert (prod.rep_p10, prod.rep_median, prod.rep_p90) == pytest.approx(
        (740 / 3, 300, 1060 / 3))
    assert (prod.rep_months, prod.reps) == (24, 2)
    # monthly means: 200 in the quarters' first two months, 400 / 600 in their last
    assert prod.by_month[T("2026-01-01")] == 200 and prod.by_month[T("2026-06-01")] == 600
    assert (prod.first_month, prod.last_month) == (T("2026-01-01"), T("2026-12-01"))


def test_capacity_range_gap_and_hires_hand_computed():
    plan = capacity_plan(history(), REPS, AS_OF, target=8400, ramp=RampProfile.given([0.5]),
                         attrition=Attrition.given(0.0))
    assert plan.availability and plan.year.label == "FY2027"
    # no attrition, no hires: 2 ramped reps all 12 months -> 24 effective rep-months x 300
    assert plan.by_month["effective_headcount"].tolist() == [2.0] * 12
    assert plan.capacity == pytest.approx(7200)
    assert plan.by_month["capacity"].tolist() == pytest.approx([600.0] * 12)
    # range: each plan month redraws the productivity of a 2026 month in the same position of
    # the quarter: first two months always 200; the last from {400, 600, 400, 600}. Year =
    # 2 reps x (8 x 200 + sum of 4 draws) = 2 x (1600 + 1600 + 200 K), K ~ Binomial(4, 1/2):
    # P(K <= 0) = 1/16, P(K <= 1) = 5/16 -> P10 at K = 1: 2 x 3400 = 6800;
    # P(K <= 2) = 11/16 < 0.9 <= P(K <= 3) = 15/16 -> P90 at K = 3: 2 x 3800 = 7600
    assert (plan.capacity_low, plan.capacity_high) == pytest.approx((6800, 7600))
    # gap 8400 - 7200 = 1200 (at P10: 8400 - 6800 = 1600), coverage 7200 / 8400
    assert (plan.gap, plan.gap_at_low, plan.coverage) == pytest.approx((1200, 1600, 7200 / 8400))
    first, last = plan.hires_needed.iloc[0], plan.hires_needed.iloc[-1]
    # one more hire from January: 0.5 (month 1) + 11 ramped months = 11.5 x 300 = 3450
    # -> ceil(1200 / 3450) = 1 hire; at P10: 3450 x 6800 / 7200 = 3258.3 -> ceil(1600 / 3258.3) = 1
    assert (first["hire_month"], first["capacity_per_hire"], first["hires"],
            first["hires_at_low"]) == (T("2027-01-01"), pytest.approx(3450), 1, 1)
    # from December: 0.5 x 300 = 150 -> ceil(1200 / 150) = 8; at P10 150 x 6800 / 7200 = 141.67
    # -> ceil(1600 / 141.67) = ceil(11.29) = 12
    assert (last["hire_month"], last["capacity_per_hire"], last["hires"],
            last["hires_at_low"]) == (T("2027-12-01"), pytest.approx(150), 8, 12)


def test_no_target_no_gap_and_enough_capacity_needs_no_hire():
    plan = capacity_plan(history(), REPS, AS_OF, ramp=RampProfile.given([0.5]),
                         attrition=Attrition.given(0.0))
    assert plan.gap is None and plan.coverage is None
    assert plan.hires_needed["hires"].isna().all()
    covered = capacity_plan(history(), REPS, AS_OF, target=7000, ramp=RampProfile.given([0.5]),
                            attrition=Attrition.given(0.0))
    assert covered.gap == pytest.approx(-200) and (covered.hires_needed["hires"] == 0).all()
    with pytest.raises(ValueError, match="positive amount"):
        capacity_plan(history(), REPS, AS_OF, target=0)


def test_too_short_a_history_is_one_sentence():
    short = history().loc[lambda h: h["month"] >= T("2026-09-01")]
    plan = capacity_plan(short, REPS, AS_OF, target=8400, ramp=RampProfile.given([0.5]),
                         attrition=Attrition.given(0.0))
    assert not plan.availability and math.isnan(plan.capacity)
    assert plan.availability.reason == (
        "Productivity of a ramped rep cannot be measured: the history has 4 months with ramped "
        "reps (past month 1, employed the whole month); at least 6 are needed.")
    # an estimated ramp that the history cannot give makes the plan unavailable with its reason
    no_hires = capacity_plan(history(), REPS, AS_OF, attrition=Attrition.given(0.0))
    assert not no_hires.availability
    assert no_hires.availability.reason.startswith("The ramp profile cannot be estimated")


def test_capacity_needs_termination_dates():
    from salesops.analysis.planning.capacity import CAPACITY_NEEDS
    from salesops.data.builtin import ensure_sample_dataset
    from salesops.data.store import load_dataset
    from salesops.data.thin import thin

    data = load_dataset(ensure_sample_dataset(end="2026-12-01"))
    assert CAPACITY_NEEDS.check(data)
    # a roster derived from the deals' owners lists everyone who ever sold: no headcount today
    assert CAPACITY_NEEDS.check(thin(data)).reason == (
        "Capacity cannot be shown: the reps table (derived from the deals' owner column) has no "
        "'termination_date' column; mapping 'termination_date' at ingest would enable it.")


def test_seeded_range_is_deterministic_and_brackets_the_point():
    kwargs = dict(target=8400, ramp=RampProfile.given([0.5]), attrition=Attrition.given(0.1))
    a = capacity_plan(history(), REPS, AS_OF, seed=3, **kwargs)
    b = capacity_plan(history(), REPS, AS_OF, seed=3, **kwargs)
    assert (a.capacity_low, a.capacity_high) == (b.capacity_low, b.capacity_high)
    assert a.capacity_low < a.capacity < a.capacity_high
    assert np.all(np.diff(a.hires_needed["capacity_per_hire"]) < 0)  # later hires add less


def test_capacity_on_the_sample():
    from salesops.data.builtin import ensure_sample_dataset
    from salesops.data.rep_months import rep_months
    from salesops.data.store import load_dataset

    data = load_dataset(ensure_sample_dataset(end="2026-12-01"))
    as_of = T("2026-12-01")
    months = rep_months(data.reps, data.opportunities, as_of, data.calendar)
    plan = capacity_plan(months, data.reps, as_of, target=75e6, calendar=data.calendar)
    assert plan.availability and plan.ramp.source == "history" and plan.year.label == "FY2027"
    # the sample's hires reach full productivity within the profile's 12 months
    assert plan.ramp.shares[0] < 0.1 and plan.ramp.shares[-1] == 1.0
    assert plan.capacity_low < plan.capacity < plan.capacity_high
    prod = plan.productivity
    assert prod.p10 <= prod.median <= prod.p90 and prod.rep_p10 <= prod.rep_median <= prod.rep_p90
    # the last 12 complete months booked what the capacity's mean was measured on
    assert prod.first_month == T("2025-12-01") and prod.last_month == T("2026-11-01")
    assert plan.gap == pytest.approx(75e6 - plan.capacity) and plan.gap > 0
    assert (plan.hires_needed["hires"].diff().dropna() >= 0).all()   # later hires: more needed


@settings(max_examples=25, deadline=None)
@given(st.floats(1000, 50_000), st.floats(0, 0.5), st.integers(0, 3))
def test_hires_needed_is_the_fewest_whole_hires_closing_the_gap(target, annual, delay):
    plan = capacity_plan(history(), REPS, AS_OF, target=target, ramp=RampProfile.given([0.5]),
                         attrition=Attrition.given(annual), backfill_delay=delay, draws=200)
    per_hire, hires = plan.hires_needed["capacity_per_hire"], plan.hires_needed["hires"]
    gap = max(plan.gap, 0.0)
    assert (hires * per_hire >= gap - 1e-6).all()
    assert ((hires - 1) * per_hire < gap).all() or gap == 0
    assert plan.capacity_low <= plan.capacity_high
