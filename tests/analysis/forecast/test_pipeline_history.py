"""The pipeline forecast with an opportunity history: amounts and expected close dates as they
were at each training snapshot, win rates scaled by how deals that far from their expected close
won, close timing from how far won deals slipped (tiny fixture: as of 2026-06-01, one training
snapshot on 2026-02-01)."""

import numpy as np
import pandas as pd
import pytest

from salesops.analysis.forecast.pipeline import (
    close_factors,
    close_timing,
    pipeline_forecast,
    training_observations,
)
from salesops.data.periods import FiscalCalendar
from salesops.data.schema import OPPORTUNITY_HISTORY, conform
from salesops.data.stages import load_catalogue

CAL = FiscalCalendar(1)
CAT = load_catalogue()
AS_OF = pd.Timestamp("2026-06-01")
T = pd.Timestamp


def deal_history():
    """W1 (won Mar 1 at 100) was 150 expected Feb 15 until Feb 5; W2 (won Feb 10) was expected
    Feb 20; L1 (lost, 300 today) was 250, no close date recorded; L2 was in Discovery from Jan 15
    (the stage history says Prospecting). L1's close date recorded after as_of is never read."""
    rows = [("W1", T("2026-01-01"), 150.0, T("2026-02-15"), None),
            ("W1", T("2026-02-05"), 100.0, T("2026-03-01"), None),
            ("W2", T("2026-01-01"), 200.0, T("2026-02-20"), None),
            ("L1", T("2026-01-01"), 250.0, pd.NaT, None),
            ("L2", T("2026-01-15"), None, pd.NaT, "Discovery"),
            ("L1", T("2026-06-02"), 999.0, T("2026-01-01"), None)]
    frame = pd.DataFrame(rows, columns=["opportunity_id", "changed_at", "amount", "close_date",
                                        "stage"])
    return conform(frame.reindex(columns=OPPORTUNITY_HISTORY.column_names), OPPORTUNITY_HISTORY)


def one_snapshot(opps, hist, history=None):
    return training_observations(opps, hist, CAT, AS_OF, lookback_days=0, step_days=30,
                                 settle_days=120, history=history)


def test_training_observations_take_amounts_and_expected_closes_then(tiny):
    opps, hist = tiny
    got = one_snapshot(opps, hist, deal_history()).set_index("opportunity_id").sort_index()
    # Feb 1: W1 150 expected Feb 15 (in 14 days), closed Mar 1 (28 days: slip +14); W2 200
    # expected Feb 20 (19 days), closed Feb 10 (9 days: slip -10); L1 250, no expected close;
    # L2 no amount recorded: today's 400
    assert got["amount"].to_dict() == {"L1": 250.0, "L2": 400.0, "W1": 150.0, "W2": 200.0}
    assert got.loc["W1", "expected_days"] == 14 and got.loc["W2", "expected_days"] == 19
    assert got.loc[["L1", "L2"], "expected_days"].isna().all()
    assert got.loc["L2", "stage"] == "Discovery"  # the history's stage then
    assert got.loc["W1", "days_to_close"] == 28  # Feb 1 -> Mar 1, as without history
    plain = one_snapshot(opps, hist).set_index("opportunity_id").sort_index()
    assert plain["expected_days"].isna().all() and plain.loc["W1", "amount"] == 100.0


def test_the_forecast_passes_the_history_to_its_training(tiny):
    opps, hist = tiny
    q2 = CAL.period(AS_OF, "quarter")
    obs = training_observations(opps, hist, CAT, AS_OF, history=deal_history())
    pd.testing.assert_frame_equal(
        pipeline_forecast(opps, hist, CAT, [q2], AS_OF, sims=50, history=deal_history()).deals,
        pipeline_forecast(opps, hist, CAT, [q2], AS_OF, sims=50, observations=obs).deals)


def test_the_forecast_learns_from_amounts_then(tiny):
    opps, hist = tiny
    pf = pipeline_forecast(opps, hist, CAT, [CAL.period(AS_OF, "quarter")], AS_OF, sims=200,
                           observations=one_snapshot(opps, hist, deal_history()))
    # Proposal on Feb 1: W1 won at 150, L1 lost at 250 -> 150 / 400 = 0.375 over n = 2
    # (without history 100 / 400 = 0.25); strength 10, catalogue 0.40: stage rate
    # (2 * 0.375 + 10 * 0.4) / 12, O1's cell (Proposal, 31-90d) (2 * 0.375 + 10 * stage) / 12;
    # O1 is expected in 44 days (Jul 15): no observation was that far from its expected close,
    # so no close factor
    stage = (2 * 0.375 + 10 * 0.4) / 12
    o1 = pf.deals.set_index("opportunity_id").loc["O1", "p_win"]
    assert o1 == pytest.approx((2 * 0.375 + 10 * stage) / 12)


def slip_obs(slips, days=10, stage="Proposal"):
    """Won deals that closed ``days`` after the snapshot, ``slips`` after the date expected."""
    n = len(slips)
    return pd.DataFrame({"stage": [stage] * n, "won": [True] * n, "days_to_close": [days] * n,
                         "expected_days": days - np.asarray(slips, dtype=float)})


def test_close_timing_from_slips_given_the_expected_close():
    obs = slip_obs([-10.0, 0.0, 5.0, 20.0, 40.0])
    windows = [(1, 30), (31, 90)]
    stages = pd.Series(["Proposal", "Proposal", "Proposal", "Proposal", "Discovery"])
    expected = pd.Series([10.0, -5.0, np.nan, -100.0, 10.0])
    timing = close_timing(obs, stages, windows, min_obs=3, expected_days=expected)
    # expected in 10 days: closes on days 0, 10, 15, 30, 50; after as_of: 10, 15, 30, 50 ->
    # 3/4 in days 1-30 and 1/4 in 31-90
    assert timing[0] == pytest.approx([3 / 4, 1 / 4])
    # 5 days overdue: -15, -5, 0, 15, 35; after as_of: 15 and 35 -> 1/2 and 1/2
    assert timing[1] == pytest.approx([1 / 2, 1 / 2])
    # no expected close, or so overdue that no slip lands after as_of: stage-to-close timing
    # (all won deals took 10 days: day 10 is in 1-30)
    assert timing[2] == pytest.approx([1, 0]) and timing[3] == pytest.approx([1, 0])
    # Discovery has no slips of its own: the pooled ones, as for the first deal
    assert timing[4] == pytest.approx(timing[0])


def test_close_timing_without_enough_slips_is_stage_to_close_timing():
    obs = slip_obs([5.0, np.nan, np.nan])  # one measured slip, min_obs 2
    stages, windows = pd.Series(["Proposal"]), [(1, 5), (6, 30)]
    with_expected = close_timing(obs, stages, windows, min_obs=2,
                                 expected_days=pd.Series([40.0]))
    assert with_expected == pytest.approx(close_timing(obs, stages, windows, min_obs=2))
    assert with_expected[0] == pytest.approx([0, 1])  # all won deals took 10 days


def test_the_forecast_times_closes_from_the_expected_close_date(tiny):
    opps, hist = tiny
    q2, q3 = CAL.period(AS_OF, "quarter"), CAL.shift(CAL.period(AS_OF, "quarter"), 1)
    base = one_snapshot(opps, hist)
    # 20 won Proposal observations (MIN_TIMING_OBS): they closed 10 days after the snapshot,
    # half on the date then expected (10 days) and half 30 days after it (expected -20 days)
    obs = pd.concat([base] + [base.loc[base["opportunity_id"] == "W1"].assign(
        days_to_close=10, expected_days=10.0 - 30 * (i % 2)) for i in range(20)],
        ignore_index=True)
    pf = pipeline_forecast(opps, hist, CAT, [q2, q3], AS_OF, sims=200, observations=obs)
    deals = pf.deals.set_index("opportunity_id")
    # O1 (Proposal) is expected Jul 15, 44 days after Jun 1: it closes on day 44 or 74, both
    # in Q3 (days 30-121), never in Q2 (days 1-29); stage-to-close timing (10 days) would have
    # put it all in Q2
    assert deals.loc["O1", f"p_close_{q2.label}"] == pytest.approx(0)
    assert deals.loc["O1", f"p_close_{q3.label}"] == pytest.approx(1)
    plain = pipeline_forecast(opps, hist, CAT, [q2, q3], AS_OF, sims=200,
                              observations=obs.assign(expected_days=np.nan))
    assert plain.deals.set_index("opportunity_id").loc["O1", f"p_close_{q2.label}"] == 1


def test_close_factors_oracle():
    rates = pd.DataFrame({"stage": ["Proposal"], "age_bucket": ["31-90d"], "win_rate": [0.5]})
    obs = pd.DataFrame({
        "stage": ["Proposal"] * 7, "age_days": [40] * 7, "amount": [100.0] * 7,
        "won": [True, False, False, False, True, True, True],
        "expected_days": [10, 10, 20, 30, 75, 80, np.nan]})
    got = close_factors(obs, rates, prior_strength=2)
    # bucket 1 (1-30 days): won 100 of 4 x 100 at rate 0.5 -> 100 / 200 = 0.5, n = 4:
    # (4 * 0.5 + 2) / (4 + 2) = 2/3; bucket 3 (61-90 days): won 200 against 0.5 x 200 -> 2.0,
    # n = 2: (2 * 2 + 2) / (2 + 2) = 1.5; the deal without an expected close is not counted
    assert got.to_dict() == pytest.approx({1: 2 / 3, 3: 1.5})
    assert close_factors(obs.drop(columns="expected_days"), rates).empty
    assert close_factors(obs.assign(expected_days=np.nan), rates).empty


def test_the_forecast_scales_win_rates_by_the_close_factor(tiny):
    opps, hist = tiny
    q2 = CAL.period(AS_OF, "quarter")
    base = one_snapshot(opps, hist)
    # won and lost Proposal deals seen 40-50 days before their expected close: O1 (44 days)
    # takes that bucket's factor
    obs = pd.concat([base] + [base.loc[base["opportunity_id"] == w].assign(expected_days=45.0)
                              for w in ("W1", "L1", "L1")], ignore_index=True)
    with_factor = pipeline_forecast(opps, hist, CAT, [q2], AS_OF, sims=50, observations=obs)
    without = pipeline_forecast(opps, hist, CAT, [q2], AS_OF, sims=50,
                                observations=obs.assign(expected_days=np.nan))
    factor = close_factors(obs, with_factor.rates)[2]  # bucket 2: 31-60 days
    p = {f: r.deals.set_index("opportunity_id").loc["O1", "p_win"]
         for f, r in (("with", with_factor), ("without", without))}
    assert factor != pytest.approx(1.0)
    assert p["with"] == pytest.approx(p["without"] * factor)
    crm = pipeline_forecast(opps, hist, CAT, [q2], AS_OF, sims=50, observations=obs,
                            probabilities="crm")
    assert crm.deals.set_index("opportunity_id").loc["O1", "p_win"] == 0.4  # the CRM's, as is
