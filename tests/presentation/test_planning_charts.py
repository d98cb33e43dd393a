"""Planning charts: the comp payout range with its P10, median, P90 and budget in the key."""

import matplotlib

matplotlib.use("Agg")

from planning_fixtures import plan_comp_result  # noqa: E402

from salesops.presentation.planning_charts import comp_range_chart  # noqa: E402
from salesops.presentation.sections import figure_texts  # noqa: E402
from salesops.presentation.style import MAX_WIDTH  # noqa: E402


def test_comp_range_chart_marks_the_range_and_the_budget():
    fig = comp_range_chart(plan_comp_result())
    fig.canvas.draw()
    texts = figure_texts(fig)
    # payouts 100K..190K: P10 109K, median 145K, P90 181K (test_planning_text has the arithmetic)
    for label in ("P10, 1 year in 10 below: $109K", "Median: $145K",
                  "P90, 1 year in 10 above: $181K", "Budget: $150K",
                  "FY2027 variable pay under the planned quotas"):
        assert label in texts, label
    assert sum(p.get_height() for p in fig.axes[0].patches) == 10  # one count per year
    assert fig.get_size_inches()[0] <= MAX_WIDTH
