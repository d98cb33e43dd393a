import pandas as pd

from salesops.analysis.planning.ramp_profile import RampProfile
from salesops.analysis.planning.seats import plan_months, plan_year, seat_months
from salesops.data.periods import FiscalCalendar

T = pd.Timestamp


def test_plan_year_is_the_fiscal_year_after_as_of():
    assert plan_year(T("2026-12-01")).label == "FY2027"
    # fiscal years starting in February: 2026-12-01 is in FY2027 (Feb 2026-Jan 2027)
    feb = FiscalCalendar(2)
    assert (plan_year(T("2026-12-01"), feb).start, plan_year(T("2026-12-01"), feb).end) == (
        T("2027-02-01"), T("2028-01-31"))
    months = plan_months(T("2026-12-01"), feb)
    assert len(months) == 12 and months[0].start == T("2027-02-01")


def test_seat_months_share_employed_and_ramp():
    reps = pd.DataFrame({"rep_id": ["A", "N"], "region": ["EMEA", "EMEA"], "team": ["E", "E"],
                         "hire_date": [T("2020-01-01"), T("2027-01-17")],
                         "termination_date": [pd.NaT, pd.NaT]})
    seats = seat_months(reps, plan_months(T("2026-12-01"))[:2], RampProfile.given([0.25, 0.5]))
    n = seats.loc[seats["rep_id"] == "N"]
    n = n.set_index(n["month"].dt.month)
    # N hired 2027-01-17: 31 - 17 + 1 = 15 of 31 January days at ramp 0.25 -> 15/31 x 0.25
    assert n.loc[1, "employed_share"] == 15 / 31 and n.loc[1, "effective"] == 15 / 31 * 0.25
    assert (n.loc[2, "tenure_month"], n.loc[2, "effective"]) == (2.0, 0.5)
    a = seats.loc[seats["rep_id"] == "A"]
    assert a["effective"].tolist() == [1.0, 1.0]
