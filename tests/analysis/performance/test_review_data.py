import pandas as pd
import pytest
from perf_handmade import T

from salesops.analysis.performance.rollups import performance_table
from salesops.analysis.performance.scope import prepare, to_date
from salesops.data.asof import tenure_months


def test_unknown_scope_value_names_the_known_ones(dataset):
    with pytest.raises(ValueError, match="known region values: APAC, EMEA"):
        prepare(dataset, T("2026-03-31"), "region=Mars")


def test_scope_by_a_level_the_roster_lacks_says_so(dataset):
    from salesops.data.thin import thin
    with pytest.raises(ValueError, match="cannot be applied: the reps table has no team values"):
        prepare(thin(dataset, drop=(), roster=False), T("2026-03-31"), "team=T1")


def test_scope_keeps_only_its_reps_and_their_deals(dataset):
    data = prepare(dataset, T("2026-03-31"), "region=APAC")
    assert sorted(data.reps["name"]) == ["Cy", "Eve"]
    assert data.deals.empty  # R3's only deal (O12) is created after as_of
    assert set(data.quotas["rep_id"]) == {"R3", "R5"}


def test_past_as_of_reproduces_what_was_known_then(dataset):
    data = prepare(dataset, T("2026-02-15"))
    assert "R5" not in set(data.reps["rep_id"])  # hired 2026-03-01
    assert set(data.deals["opportunity_id"]) == {"O1", "O2", "O3", "O4", "O5", "O6", "O8", "O11"}
    status = data.deals.set_index("opportunity_id")["status"]
    assert status["O2"] == "open" and status["O4"] == "open"  # closed in March
    t = performance_table(data, data.calendar.period(data.as_of, "quarter")).set_index("rep_id")
    assert t.loc["R1", "bookings"] == 60  # O1 only; O2 closes 2026-03-01
    assert t.loc["R2", "bookings"] == 0
    assert pd.isna(data.reps.set_index("rep_id").loc["R4", "termination_date"]) is False


def test_tenure_and_to_date_helpers():
    hires = pd.Series([T("2025-12-15"), T("2026-01-31")])
    assert tenure_months(hires, T("2026-03-14")).tolist() == [2, 1]  # Dec 15 -> Mar 14: 2 months
    from salesops.data.periods import FiscalCalendar
    q = FiscalCalendar().period(T("2026-01-01"), "quarter")
    assert to_date(q, 10).end == T("2026-01-10") and to_date(q, 400).end == q.end
