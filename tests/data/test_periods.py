import pandas as pd
import pytest

from salesops.data.periods import FiscalCalendar, elapsed_fraction, parse_date

T = pd.Timestamp


def test_calendar_quarters_default_january_start():
    cal = FiscalCalendar(1)
    p = cal.period("2026-11-27", "quarter")
    assert (p.start, p.end, p.label) == (T("2026-10-01"), T("2026-12-31"), "FY2026 Q4")
    assert cal.previous(p).label == "FY2026 Q3"
    assert cal.same_period_last_year(p).start == T("2025-10-01")


def test_fiscal_year_starting_february_is_named_by_its_end_year():
    cal = FiscalCalendar(2)
    # FY2027 runs 2026-02-01 .. 2027-01-31; its Q1 is Feb-Apr 2026.
    q = cal.period("2026-03-15", "quarter")
    assert (q.start, q.end, q.label) == (T("2026-02-01"), T("2026-04-30"), "FY2027 Q1")
    y = cal.period("2026-01-31", "year")
    assert (y.start, y.end, y.label) == (T("2025-02-01"), T("2026-01-31"), "FY2026")
    assert cal.fiscal_year(T("2026-02-01")) == 2027


def test_month_and_year_periods_and_shift():
    cal = FiscalCalendar(7)
    m = cal.period("2024-02-10", "month")
    assert (m.start, m.end, m.label, m.days) == (T("2024-02-01"), T("2024-02-29"), "2024-02", 29)
    assert cal.shift(m, 11).label == "2025-01"
    y = cal.period("2024-06-30", "year")
    assert (y.start, y.end, y.label) == (T("2023-07-01"), T("2024-06-30"), "FY2024")


def test_vectorised_period_start_and_label_match_scalar_api():
    cal = FiscalCalendar(4)
    dates = pd.Series(pd.to_datetime(["2026-03-31", "2026-04-01", "2026-12-15", None]))
    starts = cal.period_start(dates, "quarter")
    assert starts.iloc[:3].tolist() == [T("2026-01-01"), T("2026-04-01"), T("2026-10-01")]
    assert pd.isna(starts.iloc[3])
    labels = cal.period_label(dates.iloc[:3], "quarter").tolist()
    assert labels == [cal.period(d, "quarter").label for d in dates.iloc[:3]]
    assert labels == ["FY2026 Q4", "FY2027 Q1", "FY2027 Q3"]


def test_periods_between_and_last_n():
    cal = FiscalCalendar(1)
    ps = cal.periods_between(T("2025-11-15"), T("2026-02-01"), "month")
    assert [p.label for p in ps] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    last = cal.last_n(T("2026-05-05"), "quarter", 3)
    assert [p.label for p in last] == ["FY2025 Q4", "FY2026 Q1", "FY2026 Q2"]


def test_elapsed_fraction():
    p = FiscalCalendar(1).period("2026-04-01", "month")  # 30 days
    assert elapsed_fraction(p, T("2026-03-31")) == 0.0
    assert elapsed_fraction(p, T("2026-04-15")) == pytest.approx(15 / 30)
    assert elapsed_fraction(p, T("2026-05-02")) == 1.0


def test_parse_date_and_errors():
    assert parse_date("2026-03-31") == T("2026-03-31")
    assert parse_date(None) == pd.Timestamp.today().normalize()
    with pytest.raises(ValueError, match="as_of must be an ISO date"):
        parse_date("31/31/2026", name="as_of")
    with pytest.raises(ValueError, match="start month must be 1-12"):
        FiscalCalendar(13)
    with pytest.raises(ValueError, match="period must be one of"):
        FiscalCalendar(1).period("2026-01-01", "week")
