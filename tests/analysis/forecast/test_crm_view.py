import numpy as np
import pandas as pd
import pytest

from salesops.analysis.forecast.crm_view import crm_view, quota_for, waterfall
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


def quotas():
    return pd.DataFrame({
        "rep_id": ["r1", "r2"],
        "period_start": pd.to_datetime(["2026-07-01", "2026-07-01"]),
        "period_end": pd.to_datetime(["2026-09-30", "2026-09-30"]),
        "quota_amount": [500.0, 700.0],
    })


def model():
    return pd.DataFrame({"period": [Q3.label, Q4.label], "booked": [50.0, 0.0],
                         "open_expected": [300.0, 200.0], "expected": [380.0, 260.0]})


def test_crm_view_oracle():
    view = crm_view(opportunities(), quotas(), [Q3, Q4], AS_OF, model()).set_index("period")
    q3 = view.loc[Q3.label]
    # open in Q3: a 100 (commit, p .9), b 200 (best case, p .5), c 300 (pipeline, no p)
    assert q3["booked"] == 50
    assert q3["crm_weighted"] == pytest.approx(50 + 100 * 0.9 + 200 * 0.5 + 0)  # 240
    assert q3["commit"] == 50 + 100
    assert q3["best_case"] == 150 + 200
    assert q3["open_pipeline"] == 600
    assert q3["quota"] == 1200 and q3["gap_to_quota"] == 1150  # 500 + 700 - 50 booked
    assert q3["coverage"] == pytest.approx(600 / 1150)
    assert q3["coverage_needed"] == pytest.approx(1 / (300 / 600))  # model converts half
    # Q4: no quota rows yet -> quota, gap and coverage missing, not $0
    q4 = view.loc[Q4.label]
    assert np.isnan(q4["quota"]) and np.isnan(q4["gap_to_quota"]) and np.isnan(q4["coverage"])
    assert q4["open_pipeline"] == 400 and q4["coverage_needed"] == pytest.approx(400 / 200)


def test_quota_for_prorates_and_filters_reps():
    august = CAL.period("2026-08-01", "month")  # 31 of the quarter's 92 days
    assert quota_for(quotas(), august) == pytest.approx(1200 * 31 / 92)
    assert quota_for(quotas().loc[lambda q: q["rep_id"] == "r2"], Q3) == 700
    assert quota_for(quotas(), Q4) == 0


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
    view = crm_view(opps, quotas(), [Q3, Q4], AS_OF, model()).set_index("period")
    assert view.loc[Q3.label, "open_pipeline"] == 600 + 400
    assert view.loc[Q4.label, "open_pipeline"] == 0


def test_open_deals_without_amount_or_close_date_are_never_summed_as_zero():
    opps = opportunities()
    opps.loc[0, "amount"] = np.nan  # a (Q3, commit): value unknown
    opps.loc[1, "close_date"] = pd.NaT  # b: quarter unknown
    view = crm_view(opps, quotas(), [Q3, Q4], AS_OF, model()).set_index("period")
    # Q3 keeps only c (300); a's amount is unknown, b cannot be placed in a quarter
    assert view.loc[Q3.label, "open_pipeline"] == 300
    assert view.loc[Q3.label, "commit"] == 50  # booked only: a's commit has no known value


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
