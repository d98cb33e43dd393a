import numpy as np
import pandas as pd
import pytest

from salesops.analysis.forecast.pipeline import (
    close_timing,
    pipeline_forecast,
    training_observations,
    win_rates,
    windows_for,
)
from salesops.data.periods import FiscalCalendar
from salesops.data.stages import load_catalogue

CAL = FiscalCalendar(1)
CAT = load_catalogue()
AS_OF = pd.Timestamp("2026-06-01")


def test_training_observations_oracle(tiny):
    opps, hist = tiny
    # one snapshot (no lookback): as_of - 120 settle days = 2026-02-01
    obs = training_observations(opps, hist, CAT, AS_OF, lookback_days=0, step_days=30,
                                settle_days=120)
    assert obs["snapshot"].unique().tolist() == [pd.Timestamp("2026-02-01")]
    got = obs.set_index("opportunity_id").sort_index()
    # On Feb 1: W1 and L1 sit in Proposal, W2 and L2 in Prospecting; all aged 31 days.
    assert got["stage"].to_dict() == {"L1": "Proposal", "L2": "Prospecting",
                                      "W1": "Proposal", "W2": "Prospecting"}
    assert got["won"].to_dict() == {"L1": False, "L2": False, "W1": True, "W2": True}
    assert got.loc["W1", "days_to_close"] == 28 and got.loc["W2", "days_to_close"] == 9


def test_win_rates_shrink_to_stage_and_catalogue(tiny):
    opps, hist = tiny
    obs = training_observations(opps, hist, CAT, AS_OF, lookback_days=0, step_days=30,
                                settle_days=120)
    rates = win_rates(obs, CAT, prior_strength=2).set_index(["stage", "age_bucket"])
    # Proposal: W1 (100) won, L1 (300) lost -> value rate 100/400 = 0.25 over n = 2;
    # catalogue prior 0.40 -> stage rate (2*0.25 + 2*0.4) / (2 + 2) = 0.325
    assert rates.loc[("Proposal", "31-90d"), "stage_rate"] == pytest.approx(0.325)
    # youngest bucket empty: 0.325; cell (Proposal, 31-90d): (2*0.25 + 2*0.325) / 4 = 0.2875
    assert rates.loc[("Proposal", "31-90d"), "win_rate"] == pytest.approx(0.2875)
    # an empty young cell takes the stage rate, an empty older one the bucket before it;
    # an unseen stage its catalogue prior
    assert rates.loc[("Proposal", "0-30d"), "win_rate"] == pytest.approx(0.325)
    assert rates.loc[("Proposal", ">365d"), "win_rate"] == pytest.approx(0.2875)  # inherits
    assert rates.loc[("Negotiation", "0-30d"), "win_rate"] == pytest.approx(0.70)


def test_close_timing_oracle():
    obs = pd.DataFrame({"stage": ["Proposal"] * 4, "won": [True, True, True, False],
                        "days_to_close": [10, 40, 100, 5]})
    timing = close_timing(obs, pd.Series(["Proposal", "Discovery"]), [(1, 30), (31, 120)],
                          min_obs=3)
    # won days 10, 40, 100: 1/3 within 30 days, 2/3 in 31-120; Discovery has none -> pooled
    assert np.allclose(timing, [[1 / 3, 2 / 3], [1 / 3, 2 / 3]])


def test_pipeline_forecast_expected_value_and_seed(tiny):
    opps, hist = tiny
    periods = [CAL.period(AS_OF, "quarter"), CAL.shift(CAL.period(AS_OF, "quarter"), 1)]
    obs = training_observations(opps, hist, CAT, AS_OF, lookback_days=0, step_days=30,
                                settle_days=120)
    first = pipeline_forecast(opps, hist, CAT, periods, AS_OF, sims=500, seed=3,
                              observations=obs)
    again = pipeline_forecast(opps, hist, CAT, periods, AS_OF, sims=500, seed=3,
                              observations=obs)
    pd.testing.assert_frame_equal(first.periods, again.periods)
    deals = first.deals.set_index("opportunity_id")
    # O1: Proposal aged 31 days. Strength 10: stage rate (2*0.25 + 10*0.4) / 12 = 0.375,
    # youngest bucket empty (0.375), cell (Proposal, 31-90d): (2*0.25 + 10*0.375) / 12
    assert deals.loc["O1", "p_win"] == pytest.approx((0.5 + 3.75) / 12)
    # Q2 window = days 1..29 after June 1: won days 28 and 9 are both inside -> p_close 1
    assert deals.loc["O1", f"p_close_{periods[0].label}"] == pytest.approx(1.0)
    expected_q2 = (deals["amount"] * deals["p_win"] * deals[f"p_close_{periods[0].label}"]).sum()
    row = first.periods.iloc[0]
    assert row["open_expected"] == pytest.approx(expected_q2)
    assert row["expected"] == pytest.approx(row["booked"] + row["open_expected"] + row["run_rate"])
    assert row["p10"] <= row["p50"] <= row["p90"]


def test_windows_for():
    periods = [CAL.period(AS_OF, "month"), CAL.shift(CAL.period(AS_OF, "month"), 1)]
    # June: tomorrow (day 1) to June 30 (day 29); July: day 30 to day 60
    assert windows_for(periods, AS_OF) == [(1, 29), (30, 60)]
    assert np.isclose(sum(hi - lo + 1 for lo, hi in windows_for(periods, AS_OF)), 60)


@pytest.mark.parametrize("source, o1, o2", [
    ("crm", 0.4, 0.05),  # the deals' own CRM probabilities (O1 0.4, O2 0.05)
    ("catalogue", 0.4, 0.05),  # Proposal 0.40, Prospecting 0.05 in the catalogue
])
def test_pipeline_probabilities_from_the_crm_or_the_catalogue(tiny, source, o1, o2):
    opps, hist = tiny
    if source == "crm":  # make the CRM's values differ from the catalogue's
        opps = opps.assign(probability=opps["probability"].where(opps["status"] != "open")
                           .fillna({4: 0.9}))
        o1, o2 = 0.9, 0.05  # O2's CRM probability is empty: its stage's default
    periods = [CAL.period(AS_OF, "quarter")]
    pf = pipeline_forecast(opps, hist.iloc[:0], CAT, periods, AS_OF, sims=100,
                           probabilities=source)
    deals = pf.deals.set_index("opportunity_id")
    assert pf.probabilities == source
    assert deals.loc["O1", "p_win"] == pytest.approx(o1)
    assert deals.loc["O2", "p_win"] == pytest.approx(o2)
    with pytest.raises(ValueError, match="probabilities must be one of history, crm, catalogue"):
        pipeline_forecast(opps, hist, CAT, periods, AS_OF, probabilities="gut")


def test_open_deal_without_amount_is_counted_and_left_out_of_the_value(tiny):
    opps, hist = tiny
    opps = opps.assign(amount=opps["amount"].where(opps["opportunity_id"] != "O2"))
    opps.loc[opps["opportunity_id"] == "O1", "close_date"] = pd.NaT
    periods = [CAL.period(AS_OF, "quarter")]
    pf = pipeline_forecast(opps, hist, CAT, periods, AS_OF, sims=200)
    assert (pf.unknown_amounts, pf.unknown_close_dates) == (1, 1)
    deals = pf.deals.set_index("opportunity_id")
    label = periods[0].label
    assert len(deals) == 2 and np.isnan(deals.loc["O2", f"expected_{label}"])
    # the value is O1's alone: 1000 * p_win * p_close (O2 adds nothing, it is not $0 either)
    assert pf.periods.loc[0, "open_expected"] == pytest.approx(
        1000 * deals.loc["O1", "p_win"] * deals.loc["O1", f"p_close_{label}"])
    assert np.isfinite(pf.periods.loc[0, ["p10", "p50", "p90"]].astype(float)).all()
