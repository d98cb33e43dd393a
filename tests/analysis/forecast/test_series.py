import pandas as pd
import pytest

from salesops.analysis.forecast.series import (
    apply_scope,
    attach_dimension,
    bookings_by_period,
    parse_scope,
)
from salesops.data.periods import FiscalCalendar

CAL = FiscalCalendar(1)


def reps():
    return pd.DataFrame({"rep_id": ["R1", "R2"], "region": ["EMEA", "APAC"], "name": ["a", "b"]})


def test_bookings_by_period_oracle(tiny):
    opps, _ = tiny
    tagged = attach_dimension(opps, "region", reps())
    table = bookings_by_period(tagged, CAL, "month", pd.Timestamp("2026-06-01"), "region")
    # history from the first close (Feb 10 -> first full month March) to May
    assert table.index.strftime("%Y-%m").tolist() == ["2026-03", "2026-04", "2026-05"]
    # W1 (R1, EMEA) won 100 on March 1; W2 (Feb) is before the first full month
    assert table.loc["2026-03-01", "EMEA"] == 100.0
    assert table["APAC"].sum() == 0.0 and table.loc["2026-04-01"].sum() == 0.0


def test_scope_and_errors(tiny):
    opps, _ = tiny
    assert parse_scope("region = EMEA") == ("region", "EMEA")
    assert parse_scope(None) is None
    assert set(apply_scope(opps, "region=EMEA", reps())["rep_id"]) == {"R1"}
    with pytest.raises(ValueError, match="matches nothing"):
        apply_scope(opps, "region=Mars", reps())
    with pytest.raises(ValueError, match="look like"):
        parse_scope("EMEA")
    with pytest.raises(ValueError, match="unknown dimension"):
        attach_dimension(opps, "planet", reps())
