"""Planning tables: readable headers, compact money, text from the data escaped."""

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
from planning_fixtures import (  # noqa: E402
    allocation,
    capacity_result,
    plan_comp_result,
    territory_result,
)

from salesops.analysis.planning.quotas import side_by_side  # noqa: E402
from salesops.analysis.planning.realism import Realism  # noqa: E402
from salesops.presentation import planning_tables as tables  # noqa: E402
from salesops.presentation.planning_tables import comp_reps_table  # noqa: E402


def _html(table) -> str:
    return table.to_html() if hasattr(table, "to_html") else table.data


ROSTER = pd.DataFrame({"rep_id": ["r1"], "name": ["Ann <i>"], "termination_date": pd.NaT})


def test_comp_reps_table_lists_each_reps_pay_range_escaped():
    html = comp_reps_table(plan_comp_result()).data
    assert "Variable pay per rep, FY2027 (over 10 simulated years)" in html
    for header in ("Rep", "Annual quota", "Pay, P10", "Pay, median", "Pay, P90",
                   "Attainment, median"):
        assert f">{header}</th>" in html
    assert "Ann &lt;i&gt;" in html and "<i>" not in html
    assert ">$600K<" in html and ">$60K<" in html and ">110%<" in html
    assert html.index("Ann") < html.index("Bo") < html.index("Cy")  # highest median pay first


def test_hires_table_leaves_out_start_months_too_late_to_matter():
    html = _html(tables.hires_table(capacity_result()))
    # per-hire bookings 60K, 50K, 40K, 1K: 1K is below 10% of 60K, so December is left out
    assert ">2027-01<" in html and ">2027-03<" in html and "2027-12" not in html
    assert "later start months, each hire adding less than 10% of an earliest hire" in html
    assert ">$60K<" in html and ">Hires to close the gap</th>" in html


def test_headcount_table_shows_the_plan_year_only():
    html = _html(tables.headcount_table(capacity_result()))
    assert "2026-12" not in html and ">2027-01<" in html and ">2027-02<" in html
    assert ">8.0<" in html and ">9.0<" in html and ">$450K<" in html


def test_ramp_table_lists_each_tenure_months_share_and_hires():
    html = _html(tables.ramp_table(capacity_result().ramp))
    assert ">25%<" in html and ">50%<" in html and ">100%<" in html and ">Hires measured</th>" in html


def test_compare_table_marks_teams_asked_more_than_their_capacity():
    top = allocation("even", 1e6, {"r1": ("T1", 650_000.0), "r2": ("T2", 550_000.0)})
    bottom = allocation("bottom-up", 1e6, {"r1": ("T1", 500_000.0), "r2": ("T2", 600_000.0)})
    html = _html(tables.compare_table(side_by_side(top, bottom)))
    assert ">$150K<" in html and ">-$50K<" in html and ">30%<" in html
    assert "#fbe5e3" in html  # T1 (and the total) ask more than their capacity


def test_allocation_and_realism_tables_name_reps_from_the_roster():
    top = allocation("even", 1e6, {"r1": ("T1", 650_000.0), "r2": ("T2", 550_000.0)})
    html = tables.allocation_table(top, ROSTER).data
    assert "Ann &lt;i&gt;" in html and ">r2<" in html  # r2 has no roster row: its id
    assert ">$650,000<" in html and html.index("Ann") < html.index(">r2<")
    real = Realism(pd.DataFrame({"rep_id": ["r1"], "team": ["T1"], "quota": [650_000.0],
                                 "p_attain": [0.25], "bookings_p10": [400_000.0],
                                 "bookings_median": [500_000.0], "bookings_p90": [700_000.0],
                                 "attainment_median": [500 / 650]}),
                   0.25, 0.0, 0.5, (0.55, 0.70), 100, (0.7, 0.8))
    html = tables.realism_table(real, ROSTER).data
    assert ">25%<" in html and ">77%<" in html and "#fbe5e3" in html


def test_territory_tables_balance_moves_and_labels():
    tp, _ = territory_result()
    html = _html(tables.balance_table(tp))
    assert ">$150K<" in html and ">$105K<" in html and ">50%<" in html and ">5%<" in html
    moves = tables.moves_table(tp, ROSTER, pd.DataFrame({"account_id": ["a1"],
                                                         "name": ["Acme & Co"]})).data
    assert "Acme &amp; Co" in moves and "Ann &lt;i&gt;" in moves and ">r3<" in moves
    labels = tables.territory_labels(tp, ROSTER)
    assert labels.to_dict() == {"r1": "Ann <i>", "r2": "r2", "r3": "r3"}


def test_current_reps_table_names_reps_and_leaves_unknown_tenure_blank():
    html = tables.current_reps_table(capacity_result()).data
    assert "Ann &lt;i&gt;" in html and ">r2<" in html  # no name: the id
    assert ">2020-01-15<" in html and ">84<" in html and ">–<" in html  # unknown hire date
    assert ">Effective months in FY2027</th>" in html


def test_rep_labels_are_roster_names_else_ids():
    assert tables.rep_labels(pd.Series(["r1", "r9"]), ROSTER).to_dict() == {"r1": "Ann <i>",
                                                                            "r9": "r9"}
