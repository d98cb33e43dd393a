"""Phasing: seasonality measured as the ratio to a centred 12-month average, quotas split to the
cent, and the canonical quotas table loading through ingest."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesops.analysis.planning.phasing import QUOTA_TABLE_COLUMNS, Seasonality, phase, seasonality
from salesops.analysis.planning.seats import plan_year, seat_months
from salesops.data.ingest import ingest
from salesops.data.periods import FiscalCalendar
from salesops.data.store import load_dataset

CAL = FiscalCalendar(1)
PLAN = plan_year(pd.Timestamp("2026-12-01"), CAL)
MONTHS = CAL.periods_between(PLAN.start, PLAN.end, "month")
#: Quarter-end heavy pattern, mean exactly 1: (0.5 + 0.5 + 2) x 4 / 12
PATTERN = [0.5, 0.5, 2.0] * 4


def company_history(values: list[float], first: str = "2023-12-01") -> pd.DataFrame:
    months = pd.date_range(first, periods=len(values), freq="MS")
    return pd.DataFrame({"rep_id": "A", "month": months, "bookings": values})


def reps(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"rep_id": [r for r, _ in rows], "region": "North", "team": "N1",
                         "hire_date": pd.to_datetime([h for _, h in rows])})


def season(factors: list[float]) -> Seasonality:
    return Seasonality(pd.Series(factors, index=range(1, 13)), 36, True)


def test_seasonality_recovers_a_pattern_on_a_flat_level():
    # 36 months from January 2024 of 1,000 x PATTERN. The centred 2x12 average of month t is
    # (0.5 y[t-6] + y[t-5] + ... + y[t+5] + 0.5 y[t+6]) / 12; y[t-6] = y[t+6] (period 12), so it is
    # one full cycle / 12 = 12,000 / 12 = 1,000: every ratio is PATTERN itself.
    s = seasonality(company_history([1_000 * p for p in PATTERN * 3], first="2024-01-01"), CAL)
    assert s.measured and s.months_used == 36
    assert s.factor.tolist() == pytest.approx(PATTERN)


def test_seasonality_is_not_fooled_by_growth():
    # the same pattern on a level growing 2% a month (27% a year): the ratio to the centred average
    # stays within 1% of the pattern, where shares of each calendar year would tilt to December
    level = 1_000 * 1.02 ** np.arange(36)
    s = seasonality(company_history(list(level * np.array(PATTERN * 3)), first="2024-01-01"), CAL)
    assert s.factor.to_numpy() == pytest.approx(PATTERN, rel=0.01)


def test_seasonality_uses_fiscal_months_and_the_last_three_years():
    # fiscal year from April: April is fiscal month 1. 48 months from January 2022; the first 12
    # are 5x larger and out of the 3-year window, so the pattern still comes back exactly.
    values = [5_000 * p for p in PATTERN] + [1_000 * p for p in PATTERN * 3]
    values[0] = 1e9  # far outside the window
    s = seasonality(company_history(values, first="2022-01-01"), FiscalCalendar(4))
    # fiscal month 1 = April (calendar month 4, PATTERN[3] = 0.5), fiscal month 12 = March (2.0)
    assert s.factor.loc[1] == pytest.approx(0.5) and s.factor.loc[12] == pytest.approx(2.0)
    assert s.months_used == 36


def test_short_history_is_phased_evenly_with_a_sentence():
    # 35 months of bookings (after leading empty months, which do not count)
    s = seasonality(company_history([0.0] * 5 + [100.0 * p for p in PATTERN * 3][:35]), CAL)
    assert not s.measured and s.factor.tolist() == [1.0] * 12 and s.months_used == 35
    assert s.reason == ("Quotas are phased evenly: the history has 35 complete months of bookings "
                        "and measuring seasonality needs 36.")


def test_no_pattern_is_phased_evenly_with_a_sentence():
    # the same bookings every month: every ratio is 1, nothing to test, nothing to phase by
    s = seasonality(company_history([100.0] * 36), CAL)
    assert not s.measured and s.factor.tolist() == [1.0] * 12
    assert s.reason == ("Quotas are phased evenly: the monthly bookings of the last 36 months show "
                        "no seasonal pattern beyond noise.")


def noisy(pattern: list[float], seed: int, noise: float = 0.2) -> pd.DataFrame:
    """36 months of a level growing 0.6% a month x pattern x lognormal noise (sd ``noise``)."""
    rng = np.random.default_rng(seed)
    values = 1_000 * 1.006 ** np.arange(36) * np.tile(pattern, 3) * rng.lognormal(0, noise, 36)
    return company_history(list(values), first="2024-01-01")


def test_noise_alone_is_rarely_taken_for_seasonality():
    # 200 seeded series without a pattern (20% noise): the 5% test calls 3% of them seasonal
    # (measured when written); the bound leaves room for another numpy's random streams
    false_positives = sum(seasonality(noisy([1.0] * 12, seed), CAL).measured for seed in range(200))
    assert false_positives / 200 <= 0.06


def test_a_clear_pattern_is_found_through_noise():
    # quarter-end months 1.5x the others (factors 0.857 / 1.286), 10% noise: found in every one
    # of 100 seeded series, the factors within 10% of the truth on average
    pattern = np.array([1.0, 1.0, 1.5] * 4) / (3.5 / 3)
    found = [seasonality(noisy(list(pattern), seed, 0.1), CAL) for seed in range(100)]
    assert all(s.measured and s.p_value <= 0.05 for s in found)
    mean_factor = np.mean([s.factor.to_numpy() for s in found], axis=0)
    assert mean_factor == pytest.approx(pattern, rel=0.1)


def test_quarters_of_a_ramped_rep_and_a_new_hire_sum_to_the_cent():
    # A (ramped): 1,000,000.00 over quarters of weight 0.5+0.5+2 = 3 each: 250,000.00 each.
    # D hired 1 July 2027, ramp 50% in months 1-2: Q3 weight 0.5x0.5 + 0.5x0.5 + 1x2 = 2.5,
    # Q4 3; 110,000.00 = 11,000,000 cents: Q3 2.5/5.5 -> 5,000,000, Q4 6,000,000. No rows before.
    seats = seat_months(reps([("A", "2020-01-01"), ("D", "2027-07-01")]), MONTHS,
                        pd.Series([0.5, 0.5], index=[1, 2]))
    quotas = pd.DataFrame({"rep_id": ["A", "D"], "quota_cents": [100_000_000, 11_000_000]})
    table = phase(quotas, seats, season(PATTERN), "quarter", CAL)
    assert list(table.columns) == list(QUOTA_TABLE_COLUMNS)
    a = table.loc[table["rep_id"] == "A"]
    assert a["quota_amount"].tolist() == [250_000.0] * 4
    assert a["period_end"].tolist() == pd.to_datetime(["2027-03-31", "2027-06-30", "2027-09-30",
                                                       "2027-12-31"]).tolist()
    d = table.loc[table["rep_id"] == "D"]
    assert d["period_start"].tolist() == pd.to_datetime(["2027-07-01", "2027-10-01"]).tolist()
    assert d["quota_amount"].tolist() == [50_000.0, 60_000.0]


def test_months_follow_the_seasonality_to_the_cent():
    # 1,000.00 = 100,000 cents over 12 months of weights PATTERN (sum 12): 0.5/12 x 100,000 =
    # 4,166.67 cents for the 8 light months, 2/12 x 100,000 = 16,666.67 for the 4 heavy ones.
    # Floors: 8 x 4,166 + 4 x 16,666 = 99,992: the 8 cents left go to the 8 largest remainders
    # (.67 each, all equal: the first 8 months, January to August).
    seats = seat_months(reps([("A", "2020-01-01")]), MONTHS)
    table = phase(pd.DataFrame({"rep_id": ["A"], "quota_cents": [100_000]}), seats,
                  season(PATTERN), "month", CAL)
    cents = (table["quota_amount"] * 100).round().astype(int).tolist()
    assert cents == [4_167, 4_167, 16_667, 4_167, 4_167, 16_667, 4_167, 4_167, 16_666, 4_166, 4_166, 16_666]
    assert sum(cents) == 100_000


def test_bad_input_is_named():
    seats = seat_months(reps([("A", "2020-01-01")]), MONTHS)
    with pytest.raises(ValueError, match="phasing must be one of month, quarter"):
        phase(pd.DataFrame({"rep_id": ["A"], "quota_cents": [1]}), seats, season(PATTERN), "week")
    with pytest.raises(ValueError, match="rep Z has a quota but no month employed"):
        phase(pd.DataFrame({"rep_id": ["Z"], "quota_cents": [1]}), seats, season(PATTERN))
    zero = seat_months(reps([("A", "2027-12-01")]), MONTHS, pd.Series([0.0], index=[1]))
    with pytest.raises(ValueError, match="rep A has a quota of 1.00 but no productive month"):
        phase(pd.DataFrame({"rep_id": ["A"], "quota_cents": [100]}), zero, season(PATTERN))


@given(quota=st.lists(st.integers(0, 10**12), min_size=1, max_size=6),
       hire=st.lists(st.integers(1, 12), min_size=6, max_size=6),
       factors=st.lists(st.floats(0.05, 5.0), min_size=12, max_size=12),
       freq=st.sampled_from(["month", "quarter"]))
def test_phasing_sums_to_the_annual_quota_to_the_cent(quota, hire, factors, freq):
    ids = [f"R{i}" for i in range(len(quota))]
    roster = reps([(r, f"2027-{hire[i]:02d}-01") for i, r in enumerate(ids)])
    seats = seat_months(roster, MONTHS, pd.Series([0.25, 0.5, 0.75], index=[1, 2, 3]))
    table = phase(pd.DataFrame({"rep_id": ids, "quota_cents": quota}), seats, season(factors), freq, CAL)
    got = (table["quota_amount"] * 100).round().astype(np.int64).groupby(table["rep_id"]).sum()
    assert got.reindex(ids).tolist() == quota
    assert (table["quota_amount"] >= 0).all()
    assert (table["period_end"] >= table["period_start"]).all()


def test_the_table_loads_through_ingest(tmp_path):
    # the phased quotas, written as CSV beside a roster and a deal, are accepted row for row
    raw = tmp_path / "raw"
    raw.mkdir()
    roster = reps([("A", "2020-01-01"), ("D", "2027-07-01")])
    roster.to_csv(raw / "reps.csv", index=False)
    pd.DataFrame({"opportunity_id": ["O1"], "rep_id": ["A"], "amount": [100.0],
                  "created_date": ["2026-01-05"], "close_date": ["2026-02-05"],
                  "stage": ["Closed Won"], "status": ["won"]}).to_csv(raw / "opportunities.csv", index=False)
    seats = seat_months(roster, MONTHS, pd.Series([0.5], index=[1]))
    table = phase(pd.DataFrame({"rep_id": ["A", "D"], "quota_cents": [123_456_789, 5_000_001]}),
                  seats, season(PATTERN), "month", CAL)
    table.to_csv(raw / "quotas.csv", index=False, date_format="%Y-%m-%d")
    result = ingest(raw, tmp_path / "processed")
    assert result.quarantine.empty
    loaded = load_dataset(tmp_path / "processed").quotas
    assert len(loaded) == len(table) == 12 + 6
    assert (loaded["quota_amount"].sum() * 100).round() == 123_456_789 + 5_000_001
