"""Planning tables: readable headers, compact money, text from the data escaped."""

import matplotlib

matplotlib.use("Agg")

from planning_fixtures import plan_comp_result  # noqa: E402

from salesops.presentation.planning_tables import comp_reps_table  # noqa: E402


def test_comp_reps_table_lists_each_reps_pay_range_escaped():
    html = comp_reps_table(plan_comp_result()).data
    assert "Variable pay per rep, FY2027 (over 10 simulated years)" in html
    for header in ("Rep", "Annual quota", "Pay, P10", "Pay, median", "Pay, P90",
                   "Attainment, median"):
        assert f">{header}</th>" in html
    assert "Ann &lt;i&gt;" in html and "<i>" not in html
    assert ">$600K<" in html and ">$60K<" in html and ">110%<" in html
    assert html.index("Ann") < html.index("Bo") < html.index("Cy")  # highest median pay first
