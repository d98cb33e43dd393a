import math

import pandas as pd
import pytest

from salesops.analysis.planning.attrition import Attrition, estimate_attrition

T = pd.Timestamp


def test_attrition_is_leavers_per_rep_month_employed():
    reps = pd.DataFrame({
        "rep_id": ["A", "B", "C", "D", "E", "F"],
        "hire_date": [T("2020-01-01"), T("2026-07-01"), T("2019-01-01"), T("2019-01-01"),
                      T("2027-01-05"), pd.NaT],
        "termination_date": [pd.NaT, pd.NaT, T("2026-03-31"), T("2025-06-30"), pd.NaT,
                             T("2027-02-01")],
    })
    att = estimate_attrition(reps, T("2026-12-31"), months=12)
    # window 2026-01-01..2026-12-31. A: 365 days; B: Jul-Dec 31+31+30+31+30+31 = 184; C: Jan-Mar
    # 31+28+31 = 90 and leaves in the window; D left before it: 0; E: hired after as_of, not on
    # the roster; F: hire unknown -> from the window's start, termination after as_of unknown:
    # 365. Exposure (365 + 184 + 90 + 365) / (365.25 / 12) = 1004 / 30.4375 = 32.985626 months
    assert att.window.start == T("2026-01-01")
    assert att.leavers == 1
    assert att.exposure_months == pytest.approx(1004 / 30.4375)
    assert att.monthly_rate == pytest.approx(30.4375 / 1004)   # 0.030316
    # annual: 1 - (1 - 0.030316)^12 = 0.30905
    assert att.annual_rate == pytest.approx(1 - (1 - 30.4375 / 1004) ** 12)
    assert att.source == "history" and att.availability


def test_given_attrition_and_no_exposure():
    att = Attrition.given(0.2)
    # 1 - 0.8^(1/12) = 0.018423 a month, back to 20% a year
    assert att.monthly_rate == pytest.approx(1 - 0.8 ** (1 / 12))
    assert att.annual_rate == pytest.approx(0.2)
    with pytest.raises(ValueError, match=r"\[0, 1\), got 1.5"):
        Attrition.given(1.5)
    empty = pd.DataFrame({"rep_id": ["A"], "hire_date": [T("2030-01-01")],
                          "termination_date": [pd.NaT]})
    none = estimate_attrition(empty, T("2026-12-31"), months=12)
    assert not none.availability and math.isnan(none.monthly_rate)
    assert none.availability.reason == ("Attrition cannot be measured: no rep was employed in "
                                        "the 12 months to 2026-12-31; give an attrition rate "
                                        "instead.")
