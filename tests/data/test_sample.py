"""The sample CRM generator: deterministic, schema-valid, internally consistent and realistic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesops.data.sample import DEFAULT_SEED, generate, write_sample
from salesops.data.sample_quotas import ramped_days
from salesops.data.schema import CRM_TABLES, TABLES
from salesops.data.stages import load_catalogue

END = "2026-03-15"
END_TS = pd.Timestamp(END)
CATALOGUE = load_catalogue()


@pytest.fixture(scope="module")
def full() -> dict[str, pd.DataFrame]:
    return generate(seed=DEFAULT_SEED, end=END)


@pytest.fixture(scope="module")
def small() -> dict[str, pd.DataFrame]:
    return generate(seed=3, end=END, scale=0.2)


def _attainment(data: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Quota rows of completed quarters with bookings (won amount by close quarter) and attainment."""
    opps = data["opportunities"]
    won = opps[opps["status"] == "won"]
    booked = won.groupby(["rep_id", won["close_date"].dt.to_period("Q").dt.start_time])["amount"]
    quotas = data["quotas"].set_index(["rep_id", "period_start"])
    quotas["bookings"] = booked.sum().reindex(quotas.index).fillna(0.0)
    quotas["attainment"] = quotas["bookings"] / quotas["quota_amount"]
    return quotas[quotas["period_end"] <= END_TS].reset_index()


def test_same_seed_and_end_give_identical_tables(small):
    again = generate(seed=3, end=END, scale=0.2)
    for name in CRM_TABLES:
        pd.testing.assert_frame_equal(small[name], again[name])


def test_other_seed_or_end_gives_other_data(small):
    assert not small["opportunities"].equals(generate(seed=4, end=END, scale=0.2)["opportunities"])
    other_end = generate(seed=3, end="2025-12-31", scale=0.2)["opportunities"]
    assert other_end["created_date"].max() <= pd.Timestamp("2025-12-31")


def test_default_size_and_shape(full):
    reps, opps = full["reps"], full["opportunities"]
    assert 30 <= len(reps) <= 55
    assert 6 <= reps["manager"].nunique() <= 8
    assert reps["region"].nunique() == 3
    assert 15_000 <= len(opps) <= 25_000
    assert 3 <= opps["product"].nunique() <= 4
    assert set(full["accounts"]["segment"]) == {"SMB", "Mid-Market", "Enterprise"}
    closes = opps.loc[opps["status"] != "open", "close_date"]
    assert 2.9 <= (closes.max() - closes.min()).days / 365.25 <= 3.5
    assert reps["termination_date"].notna().sum() >= 3  # people leave...
    assert (reps["hire_date"] > closes.min()).sum() >= 3  # ...and get replaced


def test_scale_multiplies_reps_and_deals(small, full):
    assert len(small["reps"]) < len(full["reps"]) / 3
    assert len(small["opportunities"]) < len(full["opportunities"]) / 3


@pytest.mark.parametrize("fixture", ["small", "full"])
def test_tables_are_schema_valid(fixture, request):
    data = request.getfixturevalue(fixture)
    assert list(data) == list(CRM_TABLES)
    for name in CRM_TABLES:
        table = TABLES[name]
        frame = data[name]
        assert list(frame.columns) == table.column_names
        assert {c: str(t) for c, t in frame.dtypes.items()} == table.dtypes
        assert not frame.duplicated(list(table.key)).any(), name
        for col in table.columns:
            if not col.nullable:
                assert frame[col.name].notna().all(), f"{name}.{col.name}"
            if col.values:
                assert frame[col.name].dropna().isin(col.values).all(), f"{name}.{col.name}"
        for fk in table.foreign_keys:
            assert frame[fk.column].isin(data[fk.table][fk.ref_column]).all(), f"{name}.{fk.column}"
    assert (data["opportunities"]["amount"] > 0).all()
    assert (data["quotas"]["quota_amount"] > 0).all()
    assert data["accounts"]["name"].str.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+ \d{3,}").all()


def test_stage_status_probability_and_forecast_agree(full):
    opps = full["opportunities"]
    assert (CATALOGUE.status_of(opps["stage"]) == opps["status"]).all()
    is_open = opps["status"] == "open"
    assert np.allclose(opps.loc[is_open, "probability"],
                       CATALOGUE.probability_of(opps.loc[is_open, "stage"]))
    assert (opps.loc[opps["status"] == "won", "probability"] == 1).all()
    assert (opps.loc[opps["status"] == "lost", "probability"] == 0).all()
    assert opps.loc[~is_open, "forecast_category"].isna().all()
    assert set(opps.loc[is_open, "forecast_category"]) == {"commit", "best_case", "pipeline"}


def test_dates_are_ordered_and_never_after_end(full):
    opps, reps, hist = full["opportunities"], full["reps"], full["stage_history"]
    assert (opps["created_date"] <= opps["close_date"]).all()
    assert (opps["created_date"] <= END_TS).all()
    assert (opps.loc[opps["status"] != "open", "close_date"] <= END_TS).all()
    assert (hist["entered_date"] <= END_TS).all()
    assert (reps["hire_date"] <= END_TS).all()
    assert (reps["termination_date"].dropna() <= END_TS).all()
    assert (reps["hire_date"] < reps["termination_date"]).where(
        reps["termination_date"].notna(), True).all()


def test_deals_stay_within_their_reps_employment(full):
    opps = full["opportunities"].merge(full["reps"], on="rep_id")
    assert (opps["created_date"] >= opps["hire_date"]).all()
    left = opps[opps["termination_date"].notna()]
    assert (left["created_date"] <= left["termination_date"]).all()
    closed = left[left["status"] != "open"]
    assert (closed["close_date"] <= closed["termination_date"]).all()
    assert (left["status"] != "open").all()  # a leaver's open deals were closed lost


def test_stage_history_matches_status_and_dates(full):
    opps = full["opportunities"].set_index("opportunity_id")
    hist = full["stage_history"]
    assert set(hist["opportunity_id"]) == set(opps.index)
    steps = hist.groupby("opportunity_id", sort=False)
    assert steps["entered_date"].is_monotonic_increasing.all()
    first = steps.nth(0).set_index("opportunity_id")
    last = steps.nth(-1).set_index("opportunity_id")
    assert (first["entered_date"] == opps.loc[first.index, "created_date"]).all()
    assert (first["stage"] == CATALOGUE.open_stages[0]).all()
    assert (last["stage"] == opps.loc[last.index, "stage"]).all()
    closed = opps["status"] != "open"
    assert (last.loc[closed[closed].index, "entered_date"] == opps.loc[closed, "close_date"]).all()
    # Open stages appear as an unbroken prefix of the catalogue's funnel order.
    order = CATALOGUE.order_of(hist["stage"])
    rank = steps.cumcount()
    is_open_stage = CATALOGUE.status_of(hist["stage"]) == "open"
    assert (order[is_open_stage] == rank[is_open_stage]).all()
    n_open = hist[is_open_stage].groupby("opportunity_id").size()
    won = opps.index[opps["status"] == "won"]
    assert (n_open.loc[won] == len(CATALOGUE.open_stages)).all()
    assert (hist.groupby("opportunity_id").size() - n_open == closed.astype(int)).all()


def test_open_pipeline_at_end_date(full):
    opps = full["opportunities"]
    pipeline = opps[opps["status"] == "open"]
    assert len(pipeline) >= 300
    past_due = (pipeline["close_date"] < END_TS).mean()
    assert 0 < past_due < 0.15  # mostly in the future, a few slipped
    assert set(pipeline["stage"]) == set(CATALOGUE.open_stages)
    commit = pipeline["forecast_category"].eq("commit").groupby(pipeline["stage"]).mean()
    assert commit["Negotiation"] > commit["Proposal"] > commit["Prospecting"]


def test_share_of_rep_quarters_at_quota_is_realistic(full):
    att = _attainment(full)
    assert 0.35 <= (att["attainment"] >= 1).mean() <= 0.55
    by_rep = att.groupby("rep_id")["attainment"].mean()
    assert by_rep.max() > 1.2 > 0.8 > by_rep.min()  # skill varies between reps


def test_new_hires_attain_less_in_their_first_months(full):
    att = _attainment(full).merge(full["reps"][["rep_id", "hire_date"]], on="rep_id")
    months = (att["period_start"] - att["hire_date"]).dt.days / 30.4
    early = att.loc[months.between(-3, 3), "attainment"].mean()
    ramped = att.loc[months >= 12, "attainment"].mean()
    assert early < 0.5 * ramped


def test_quotas_are_ramped_and_prorated_for_new_hires(full):
    quotas = full["quotas"].merge(full["reps"][["rep_id", "hire_date"]], on="rep_id")
    hired = quotas[quotas["hire_date"] > quotas["period_start"].min()].groupby("rep_id")
    several = hired.size() >= 3
    first_q = hired["quota_amount"].first()[several]
    assert len(first_q) >= 5
    assert (first_q < 0.5 * hired["quota_amount"].max()[several]).all()


def test_bookings_show_quarter_end_and_q4_seasonality(full):
    opps, quotas = full["opportunities"], full["quotas"]
    done = quotas.loc[quotas["period_end"] <= END_TS, "period_end"].max()
    won = opps[(opps["status"] == "won")
               & opps["close_date"].between(quotas["period_start"].min(), done)]
    quarter = won["close_date"].dt.to_period("Q")
    month_in_q = (won["close_date"].dt.month - 1) % 3
    per_month = won.groupby([quarter, month_in_q])["amount"].sum().unstack().mean()
    assert per_month[2] > 1.5 * per_month[0]
    per_quarter = won.groupby(quarter)["amount"].sum()
    by_quarter = per_quarter.groupby(per_quarter.index.quarter).mean()
    assert by_quarter[4] > 1.1 * by_quarter[[1, 2, 3]].mean()


def test_deal_sizes_are_lognormal_by_segment(full):
    opps = full["opportunities"]
    segment = opps["account_id"].map(full["accounts"].set_index("account_id")["segment"])
    medians = opps.groupby(segment)["amount"].median()
    assert medians["Enterprise"] > 2 * medians["Mid-Market"] > 4 * medians["SMB"]
    for _, amounts in opps.groupby(segment)["amount"]:
        assert amounts.mean() > amounts.median()  # right-skewed
        assert abs(np.log(amounts).skew()) < 0.5  # roughly symmetric on the log scale


def test_write_sample_writes_iso_csvs(tmp_path):
    counts = write_sample(tmp_path / "sample", seed=1, end=END, scale=0.05)
    for name in CRM_TABLES:
        text = (tmp_path / "sample" / f"{name}.csv").read_text()
        assert len(text.splitlines()) == counts[name] + 1
    reps = pd.read_csv(tmp_path / "sample" / "reps.csv", dtype=str, keep_default_na=False)
    assert reps["hire_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert (reps["termination_date"] == "").any()
    opps = pd.read_csv(tmp_path / "sample" / "opportunities.csv", dtype=str, keep_default_na=False)
    assert (opps["forecast_category"] == "").sum() == (opps["status"] != "open").sum()


def test_rejects_non_positive_scale():
    with pytest.raises(ValueError, match="scale"):
        generate(scale=0)


def test_ramped_days_hand_computed():
    # Hired on day 0, 4-day ramp: days 0..5 count 1/4, 2/4, 3/4, 1, 1, 1.
    hire, ramp = np.array([0]), np.array([4])
    assert ramped_days(np.array([0]), np.array([5]), hire, ramp)[0] == pytest.approx(4.5)
    # Days 2..3 only: 3/4 + 1 = 1.75; days 4..5 (after ramp): 2.
    assert ramped_days(np.array([2]), np.array([3]), hire, ramp)[0] == pytest.approx(1.75)
    assert ramped_days(np.array([4]), np.array([5]), hire, ramp)[0] == pytest.approx(2.0)


@given(st.integers(0, 400), st.integers(0, 200), st.integers(0, 200), st.integers(1, 200))
def test_ramped_days_equals_day_by_day_sum(hire, offset, length, ramp):
    a, b = hire + offset, hire + offset + length
    days = np.arange(a, b + 1)
    expected = np.minimum(1.0, (days - hire + 1) / ramp).sum()
    got = ramped_days(np.array([a]), np.array([b]), np.array([hire]), np.array([ramp]))[0]
    assert got == pytest.approx(expected)
