"""The planning report's sentences and cover numbers: each figure as the tables show it."""

from __future__ import annotations

from planning_fixtures import plan_comp_result

from salesops.presentation.planning_text import comp_headline, comp_sentences, comp_tiles


def test_comp_sentences_give_the_median_year_its_range_budget_and_cost():
    said = comp_sentences(plan_comp_result())
    # payouts 100K..190K: P10 = 100K + 0.1 x 9 x 10K = 109K, median 145K, P90 = 100K + 0.9 x 90K
    # = 181K; 145K / 150K budget = 96.7% -> 97%
    assert said[0] == ("Under AE plan, FY2027's variable pay on the planned quotas is $145K in "
                       "the median of 10 simulated years, between $109K and $181K in 8 years of "
                       "10 (P10 to P90), against a budget of $150K (the on-target variable pay "
                       "of 3 reps on the plan): 97% of budget in the median year.")
    # every year costs 10% of bookings: P10 and P90 show the same figure
    assert said[1] == ("Cost of sales (variable pay / credited bookings): 10.0% in the median "
                       "year, 10.0% in at least 8 years of 10.")
    # at quota 1/3 in five years, 2/3 in five: median (1/3 + 2/3) / 2 = 50%, P10 33%, P90 67%
    assert said[2] == ("Reps on the plan at or above their annual quota: 50% in the median "
                       "year, between 33% and 67% in 8 years of 10.")


def test_comp_tiles_and_headline_show_the_same_figures():
    pc = plan_comp_result()
    assert comp_tiles(pc) == [("P10: 1 simulated year in 10 below", "$109K"),
                              ("Median variable pay", "$145K"),
                              ("P90: 1 simulated year in 10 above", "$181K"),
                              ("Budget (on-target variable pay)", "$150K"),
                              ("Cost of sales, median year", "10.0%")]
    payout, cost = comp_headline(pc)
    assert (payout.key, payout.text, payout.period, payout.value) == (
        "comp_payout", "$145K", "FY2027", 145_000)
    assert payout.note == "80% range $109K to $181K; budget $150K"
    assert (cost.key, cost.text) == ("comp_cost_of_sales", "10.0%")
