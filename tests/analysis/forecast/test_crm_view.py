import numpy as np
import pandas as pd
import pytest

from salesops.analysis.forecast.crm_view import crm_view, waterfall
from salesops.data.coverage import Coverage
from salesops.data.periods import FiscalCalendar

CAL = FiscalCalendar(1)
Q3 = CAL.period("2026-08-01", "quarter")  # 2026-07-01 .. 2026-09-30, 92 days
Q4 = CAL.shift(Q3, 1)
AS_OF = pd.Timestamp("2026-08-01")


def opportunities():
    return pd.DataFrame({
        "opportunity_id": ["a", "b", "c", "d", "e"],
        "rep_id": ["r1", "r1", "r2", "r2", "r1"],
        "amount": [100.0, 200.0, 300.0, 400.0, 50.0],
        "close_date": pd.to_datetime(["2026-08-20", "2026-09-10", "2026-07-20", "2026-11-05",
                                      "2026-08-25"]),
        "status": ["open", "open", "open", "open", "won"],
        "forecast_category": ["commit", "best_case", "pipeline", "commit", None],
        "probability": [0.9, 0.5, np.nan, 0.8, 1.0],
    })


def model():
    return pd.DataFrame({"period": [Q3.label, Q4.label], "booked": [50.0, 0.0],
                         "open_expected": [300.0, 200.0], "expected": [380.0, 260.0]})


def covers():
    """Coverage of Q3 and Q4 as data.coverage defines it (its own tests check the arithmetic)."""
    q3 = Coverage(period=Q3.label, pipeline=600.0, deals=3, unknown_amount=0, quota=1200.0,
                  booked=50.0, to_close=1150.0, ratio=600 / 1150, conversion=0.4,
                  periods_measured=4, needed=2.5)
    q4 = Coverage(period=Q4.label, pipeline=400.0, deals=1, unknown_amount=0, quota=np.nan,
                  booked=0.0, to_close=np.nan, ratio=np.nan, conversion=0.5,
                  periods_measured=4, needed=2.0)
    return [q3, q4]


def test_crm_view_oracle():
    view = crm_view(opportunities(), covers(), [Q3, Q4], AS_OF, model()).set_index("period")
    q3 = view.loc[Q3.label]
    # open in Q3: a 100 (commit, p .9), b 200 (best case, p .5), c 300 (pipeline, no p)
    assert q3["booked"] == 50
    assert q3["crm_weighted"] == pytest.approx(50 + 100 * 0.9 + 200 * 0.5 + 0)  # 240
    assert q3["commit"] == 50 + 100
    assert q3["best_case"] == 150 + 200
    assert q3["model_expected"] == 380


def test_coverage_is_the_shared_definition_not_the_models_conversion():
    # the old view computed its own need: 1 / (model open_expected 300 / pipeline 600) = 2.0x,
    # beside the review's other standard; now both read data.coverage's figures as they are
    view = crm_view(opportunities(), covers(), [Q3, Q4], AS_OF, model()).set_index("period")
    q3, q4 = view.loc[Q3.label], view.loc[Q4.label]
    assert q3[["open_pipeline", "quota", "gap_to_quota"]].tolist() == [600, 1200, 1150]
    assert q3["coverage"] == pytest.approx(600 / 1150) and q3["coverage_needed"] == 2.5
    # Q4 has no quota yet: quota, still to close and coverage missing, never $0; the coverage
    # needed at the usual conversion (1 / 0.5) is the same figure in every table
    assert np.isnan(q4["quota"]) and np.isnan(q4["gap_to_quota"]) and np.isnan(q4["coverage"])
    assert q4["open_pipeline"] == 400 and q4["coverage_needed"] == 2.0


def test_waterfall_steps_sum_to_expected():
    deals = pd.DataFrame({"forecast_category": ["commit", "best_case", None, "omitted"],
                          f"expected_{Q3.label}": [90.0, 100.0, 30.0, 10.0]})
    row = pd.Series({"period": Q3.label, "booked": 50.0, "run_rate": 20.0})
    steps = waterfall(deals, row).set_index("step")["amount"]
    # uncategorised and unknown categories count as pipeline: 30 + 10
    assert steps.to_dict() == {"Booked": 50, "Commit": 90, "Best case": 100, "Pipeline": 40,
                               "Run-rate (new deals)": 20}
    # without categories in the data: one step for all open deals, 90 + 100 + 30 + 10 = 230
    plain = waterfall(deals, row, categories=False).set_index("step")["amount"]
    assert plain.to_dict() == {"Booked": 50, "Open deals": 230, "Run-rate (new deals)": 20}


def test_overdue_open_deals_count_in_the_first_period_only():
    opps = opportunities()
    opps.loc[3, "close_date"] = pd.Timestamp("2026-06-30")  # d (400, commit) is overdue
    view = crm_view(opps, covers(), [Q3, Q4], AS_OF, model()).set_index("period")
    assert view.loc[Q3.label, "commit"] == 50 + 100 + 400
    assert view.loc[Q4.label, "commit"] == 0


def test_open_deals_without_amount_or_close_date_are_never_summed_as_zero():
    opps = opportunities()
    opps.loc[0, "amount"] = np.nan  # a (Q3, commit): value unknown
    opps.loc[1, "close_date"] = pd.NaT  # b: quarter unknown
    view = crm_view(opps, covers(), [Q3, Q4], AS_OF, model()).set_index("period")
    # a's amount is unknown, b cannot be placed in a quarter
    assert view.loc[Q3.label, "commit"] == 50  # booked only: a's commit has no known value
    assert view.loc[Q3.label, "best_case"] == 50  # b's best case is in no quarter


def test_categories_availability():
    from dataclasses import replace

    from salesops.analysis.forecast.crm_view import categories_availability
    from salesops.data.schema import TABLES, empty_frame
    from salesops.data.store import Contents, Dataset
    opps = opportunities()
    tables = {n: empty_frame(TABLES[n]) for n in TABLES if n not in ("transactions",
                                                                   "opportunities")}
    data = Dataset(**tables, opportunities=opps)
    assert categories_availability(data, opps)
    assert categories_availability(data, opps.assign(forecast_category=None)).reason == (
        "Commit and best-case calls cannot be shown: no open deal has a forecast category.")
    lacking = replace(data, contents=Contents(data.present,
                                              {"opportunities": ("forecast_category",)}))
    assert "has no 'forecast_category' column" in categories_availability(lacking, opps).reason
