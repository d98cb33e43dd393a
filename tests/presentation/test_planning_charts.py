"""Planning charts: headcount by month, seasonality, the comp payout range with its P10, median,
P90 and budget in the key, territory balance today and rebalanced."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from planning_fixtures import capacity_result, plan_comp_result, territory_result  # noqa: E402

from salesops.analysis.planning.phasing import Seasonality  # noqa: E402
from salesops.analysis.planning.realism import Realism  # noqa: E402
from salesops.data.periods import FiscalCalendar  # noqa: E402
from salesops.presentation import planning_charts as charts  # noqa: E402
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


def test_headcount_chart_draws_the_plan_year_months():
    fig = charts.headcount_chart(capacity_result())
    fig.canvas.draw()
    texts = figure_texts(fig)
    assert "Headcount by month, FY2027" in texts and "2027-01" in texts and "2026-12" not in texts
    # two plan-year months: effective reps 8 and 9 as bars, 10 on roll as the line
    assert [p.get_height() for p in fig.axes[0].patches] == [8.0, 9.0]
    assert list(fig.axes[0].lines[0].get_ydata()) == [10.0, 10.0]


def test_seasonality_chart_names_fiscal_months_from_the_years_start():
    season = Seasonality(pd.Series(np.linspace(0.5, 1.5, 12), index=range(1, 13)), 36, True)
    fig = charts.seasonality_chart(season, FiscalCalendar(2))  # the fiscal year starts in February
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks[0] == "Feb" and ticks[-1] == "Jan"
    assert "Seasonality over 36 months of bookings" in figure_texts(fig)


def test_balance_chart_shows_each_territory_today_and_rebalanced():
    tp, _ = territory_result()
    fig = charts.balance_chart(tp, pd.Series({"r1": "Ann", "r2": "Bo", "r3": "Cy"}))
    fig.canvas.draw()
    # ordered by today's deviation (-50%, 0, +50%): Cy, Bo, Ann from the bottom
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Cy", "Bo", "Ann"]
    today, rebalanced = ([round(p.get_width(), 6) for p in c] for c in fig.axes[0].containers)
    # deviations 150K / 100K / 50K and 105K / 100K / 95K of the 100K average, in that order
    assert today == [-0.5, 0.0, 0.5] and rebalanced == [-0.05, 0.0, 0.05]
    assert "Within 5% of the average" in figure_texts(fig)


def test_realism_chart_draws_each_reps_range_against_100_percent():
    reps = pd.DataFrame({"rep_id": ["r1", "r2", "r3"], "team": "T1", "quota": [100.0, 200.0, 0.0],
                         "p_attain": [0.1, 0.6, 0.0], "bookings_p10": [20.0, 150.0, 0.0],
                         "bookings_median": [50.0, 220.0, 0.0], "bookings_p90": [80.0, 300.0, 0.0],
                         "attainment_median": [0.5, 1.1, np.nan]})
    real = Realism(reps, 0.3, 0.0, 0.5, (0.55, 0.70), 100, (0.5, 0.6))
    fig = charts.realism_chart(real, pd.Series({"r1": "Ann"}), limit=1)
    fig.canvas.draw()
    # r3 has no quota; of r1 and r2 the least likely (r1) only: 20/100 to 80/100, median 50%
    bar = fig.axes[0].containers[0][0]
    assert (round(bar.get_x(), 6), round(bar.get_x() + bar.get_width(), 6)) == (0.2, 0.8)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Ann"]
    assert fig.axes[0].get_xlim()[0] == 0  # attainment starts at nothing
    assert "Simulated attainment by rep, the 1 least likely" in figure_texts(fig)
