import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.data.rep_months import REP_MONTH_COLUMNS, covered_months, month_index, rep_months

T = pd.Timestamp
AS_OF = T("2026-03-15")


def roster():
    return pd.DataFrame({
        "rep_id": ["R1", "R2", "R3", "R4"],
        "name": ["Ann", "Bo", "Cy", "Di"],
        "region": ["EMEA", "EMEA", "APAC", "APAC"],
        "team": ["E1", "E1", "A1", "A1"],
        "manager": ["Mia", "Mia", "Max", "Max"],
        "hire_date": [T("2026-01-15"), pd.NaT, T("2026-04-01"), T("2025-06-01")],
        "termination_date": [pd.NaT, T("2026-02-10"), pd.NaT, T("2026-03-20")],
    })


def deals():
    return pd.DataFrame({
        "opportunity_id": list("ABCDEFGH"),
        "rep_id": ["R2", "R1", "R1", "R1", "R1", "R2", "RX", "R4"],
        "amount": [100.0, 50.0, 30.0, 999.0, 70.0, 40.0, 500.0, np.nan],
        "close_date": [T("2026-01-05"), T("2026-01-20"), T("2026-02-28"), T("2026-02-01"),
                       T("2026-03-10"), T("2026-02-15"), T("2026-01-10"), T("2025-12-01")],
        "status": ["won", "won", "won", "lost", "won", "won", "won", "open"],
    })


def test_rep_months_hand_made():
    out = rep_months(roster(), deals(), AS_OF)
    assert list(out.columns) == list(REP_MONTH_COLUMNS)
    # months: January (first closed deal 2026-01-05; the open deal dated 2025-12-01 does not
    # count) and February; March ends after as_of 2026-03-15, so it is incomplete.
    # R3 is hired after as_of: not on the roster yet. R4's termination (2026-03-20) is after
    # as_of: not known yet, so R4 is employed all of February.
    got = out.set_index(["rep_id", out["month"].dt.strftime("%Y-%m")])
    assert sorted(got.index) == [("R1", "2026-01"), ("R1", "2026-02"), ("R2", "2026-01"),
                                 ("R2", "2026-02"), ("R4", "2026-01"), ("R4", "2026-02")]
    # R1: hired 2026-01-15 -> 31 - 15 + 1 = 17 days of January, tenure month 1; won 50
    # (the 70 of March is outside the complete months, the lost 999 is no booking)
    assert got.loc[("R1", "2026-01"), ["bookings", "won_deals", "employed_days", "full",
                                        "tenure_month"]].tolist() == [50.0, 1, 17, False, 1.0]
    assert got.loc[("R1", "2026-02"), ["bookings", "employed_days", "full",
                                        "tenure_month"]].tolist() == [30.0, 28, True, 2.0]
    # R2: hire date unknown -> employed from the first month, tenure NaN; left 2026-02-10 ->
    # 10 days of February; the 40 won on 2026-02-15 after leaving still books in February
    r2_jan, r2_feb = got.loc[("R2", "2026-01")], got.loc[("R2", "2026-02")]
    assert (r2_jan["bookings"], r2_jan["employed_days"], r2_jan["full"]) == (100.0, 31, True)
    assert np.isnan(r2_jan["tenure_month"])
    assert (r2_feb["bookings"], r2_feb["won_deals"], r2_feb["employed_days"],
            r2_feb["full"]) == (40.0, 1, 10, False)
    # R4: hired 2025-06 -> January 2026 is tenure month (2026*12+0) - (2025*12+5) + 1 = 8
    assert got.loc[("R4", "2026-01"), "tenure_month"] == 8.0
    assert got.loc[("R4", "2026-02"), ["bookings", "full"]].tolist() == [0.0, True]
    # the deal of RX (not on the roster) books nowhere: 50 + 30 + 100 + 40 = 220 in all
    assert out["bookings"].sum() == 220.0
    assert got.loc[("R1", "2026-01"), ["region", "team", "manager", "name"]].tolist() == [
        "EMEA", "E1", "Mia", "Ann"]


def test_rep_months_roster_without_optional_columns():
    reps = roster()[["rep_id"]]
    out = rep_months(reps, deals(), AS_OF)
    # no hire or termination dates: every rep employed both months in full, tenure unknown
    assert list(out.columns) == [c for c in REP_MONTH_COLUMNS
                                 if c not in ("name", "region", "team", "manager")]
    assert len(out) == 4 * 2 and out["full"].all() and out["tenure_month"].isna().all()
    # R1 50 + 30, R2 100 + 40; RX is not on the roster: 220
    assert out["bookings"].sum() == 220.0


def test_rep_months_no_closed_deal_is_empty():
    out = rep_months(roster(), deals().loc[deals()["status"] == "open"], AS_OF)
    assert out.empty and list(out.columns) == list(REP_MONTH_COLUMNS)


def test_rep_months_names_a_missing_column():
    with pytest.raises(ValueError, match="opportunities table has no close_date"):
        rep_months(roster(), deals().drop(columns="close_date"), AS_OF)
    with pytest.raises(ValueError, match="reps table has no rep_id"):
        rep_months(roster().drop(columns="rep_id"), deals(), AS_OF)
    text_dates = roster().assign(hire_date=roster()["hire_date"].astype(str))
    with pytest.raises(ValueError, match="reps.hire_date must hold dates, got"):
        rep_months(text_dates, deals(), AS_OF)


def test_covered_months_and_month_index():
    # first closed deal 2026-01-05, as_of 2026-03-15: January and February
    assert list(covered_months(deals(), AS_OF)) == [T("2026-01-01"), T("2026-02-01")]
    # as_of on a month's last day completes it
    assert covered_months(deals(), T("2026-03-31"))[-1] == T("2026-03-01")
    # 2026-03 -> 2026 * 12 + 2 = 24314
    assert month_index(pd.Series([T("2026-03-31"), pd.NaT])).tolist()[0] == 24314.0
    assert np.isnan(month_index(pd.Series([pd.NaT]))[0])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 119), st.floats(0, 1e6),
                          st.booleans()), min_size=1, max_size=30),
       st.lists(st.tuples(st.integers(0, 150), st.integers(0, 150)), min_size=3, max_size=3))
def test_rep_months_invariants(rows, spells):
    start = T("2025-01-01")
    hires = [start + pd.Timedelta(days=min(a, b)) for a, b in spells]
    terms = [start + pd.Timedelta(days=max(a, b)) for a, b in spells]
    reps = pd.DataFrame({"rep_id": ["R0", "R1", "R2"], "hire_date": hires,
                         "termination_date": terms})
    frame = pd.DataFrame({
        "rep_id": [f"R{r}" for r, _, _, _ in rows],
        "close_date": [start + pd.Timedelta(days=d) for _, d, _, _ in rows],
        "amount": [a for _, _, a, _ in rows],
        "status": ["won" if w else "lost" for _, _, _, w in rows],
    })
    as_of = T("2025-04-30")
    out = rep_months(reps, frame, as_of)
    length = (out["month"] + pd.offsets.MonthEnd(0) - out["month"]).dt.days + 1
    assert (out["employed_days"] >= 1).all() and (out["employed_days"] <= length).all()
    assert (out["full"] == (out["employed_days"] == length)).all()
    assert not out.duplicated(["rep_id", "month"]).any()
    # bookings never exceed what the roster's reps won in the covered months
    won = frame.loc[(frame["status"] == "won") & (frame["close_date"] <= as_of)]
    assert out["bookings"].sum() <= won["amount"].sum() * (1 + 1e-9) + 1e-6
    assert (out["tenure_month"] >= 1).all()


def test_on_the_sample_a_past_as_of_needs_no_as_of_view():
    from salesops.data.builtin import ensure_sample_dataset
    from salesops.data.scope import scoped_view
    from salesops.data.store import load_dataset

    data = load_dataset(ensure_sample_dataset(end="2026-12-01"))
    as_of = T("2026-06-15")
    view = scoped_view(data, as_of, None)
    whole = rep_months(data.reps, data.opportunities, as_of, data.calendar)
    # deals closed by as_of are final and later hires/leavers are unknown either way
    pd.testing.assert_frame_equal(whole, rep_months(view.reps, view.deals, as_of, view.calendar))
    assert whole["month"].max() == T("2026-05-01")   # June is not complete on 2026-06-15
    # every won amount of a roster rep closed in the covered months books once
    won = data.opportunities.loc[(data.opportunities["status"] == "won")
                                 & (data.opportunities["close_date"] < T("2026-06-01"))]
    assert whole["bookings"].sum() == pytest.approx(won["amount"].sum())
