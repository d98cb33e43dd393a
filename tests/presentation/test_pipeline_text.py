"""The pipeline inspection's sentences and cover numbers: the figures are those the bridge
table shows, the net change is the difference of the figures shown."""

import pandas as pd
import pytest

from salesops.analysis.inspection.movement import Movement
from salesops.analysis.inspection.slippage import Slippage
from salesops.data.periods import Period
from salesops.presentation.pipeline_text import (
    biggest_steps,
    calls_sentence,
    created_and_won_sentence,
    headline_items,
    movement_sentence,
    net_change,
    pushed_sentence,
    slippage_sentence,
    summary_sentences,
)

STEPS = ["start", "created", "pulled_in", "increased", "won", "lost", "pushed_out", "decreased",
         "end"]
# 12.34M + 1.2M + 0.4M + 0.25M - 2.1M - 0.9M - 1.6M - 0.3M = 9.29M
BRIDGE = pd.DataFrame({"step": STEPS,
                       "amount": [12.34e6, 1.2e6, 0.4e6, 0.25e6, -2.1e6, -0.9e6, -1.6e6, -0.3e6,
                                  9.29e6],
                       "deals": [310, 22, 6, 9, 14, 12, 25, 7, 289]})
START, END = pd.Timestamp("2026-11-24"), pd.Timestamp("2026-12-01")


def test_net_change_is_the_difference_of_the_figures_shown():
    # shown: $12.3M and $9.3M -> down $3M (not the exact 3.05M, which would show $3.1M)
    assert net_change(BRIDGE) == (pytest.approx(-3.0e6), "down $3M")
    flat = BRIDGE.assign(amount=[5e6, 0, 0, 0, 0, 0, 0, 0, 5.01e6])
    assert net_change(flat) == (0.0, "unchanged")


def test_movement_sentence_names_the_window_the_ends_and_the_two_biggest_steps():
    said = movement_sentence("Last 7 days", START, END, "FY2026 Q4", BRIDGE)
    assert said == ("Last 7 days (2026-11-24 to 2026-12-01): the FY2026 Q4 pipeline went from "
                    "$12.3M (310 deals) to $9.3M (289 deals), down $3M; the biggest moves were "
                    "$2.1M won (14 deals) and $1.6M pushed out (25 deals).")


def test_steps_that_moved_nothing_are_never_the_biggest():
    quiet = BRIDGE.assign(amount=[5e6, 0, 0, 1e6, 0, 0, 0, 0, 6e6])
    assert biggest_steps(quiet) == ["increased"]
    said = movement_sentence("Since quarter start", START, END, "FY2026 Q4", quiet)
    assert said.endswith("up $1M; the biggest move was $1M added by larger amounts (9 deals).")
    still = BRIDGE.assign(amount=[5e6] + [0] * 7 + [5e6])
    assert movement_sentence("Last 7 days", START, END, "FY2026 Q4", still).endswith(
        "5M (289 deals), unchanged.")


def test_created_and_won_counts():
    assert created_and_won_sentence(22, 2, "Last 7 days") == (
        "Last 7 days: 22 deals created, 2 of them won within the window.")
    assert created_and_won_sentence(1, 0, "Last 7 days") == (
        "Last 7 days: 1 deal created, none of them won yet.")
    assert created_and_won_sentence(0, 0, "Since quarter start") == (
        "Since quarter start: no deal created.")


def test_slippage_and_pushed_sentences():
    # 30 of 120 = 25%
    assert slippage_sentence(120, 30, 4) == ("Over the last 4 quarters, 30 of 120 deals "
                                             "committed to a quarter (25%) slipped out of it.")
    assert slippage_sentence(0, 0, 4).startswith("No deal was in commit")
    assert pushed_sentence(0.123, 0.41) == ("Closed deals pushed 3 or more times were won 12% "
                                            "of the time, against 41% for the rest.")
    assert pushed_sentence(float("nan"), 0.41) == "No closed deal was pushed 3 or more times."


def test_headline_items_for_the_cover():
    items = {i.key: i for i in headline_items(BRIDGE, "FY2026 Q4", START)}
    assert list(items) == ["pipeline_open", "pipeline_change_7d", "pushed_out_7d"]
    assert (items["pipeline_open"].text, items["pipeline_open"].value) == ("$9.3M", 9.29e6)
    assert items["pipeline_open"].note == "289 deals expected to close"
    # the text is the difference of the figures shown, the value the exact 9.29M - 12.34M
    assert items["pipeline_change_7d"].text == "down $3M"
    assert items["pipeline_change_7d"].value == pytest.approx(-3.05e6)
    assert items["pipeline_change_7d"].note == "from $12.3M on 2026-11-24"
    assert (items["pushed_out_7d"].text, items["pushed_out_7d"].value) == ("$1.6M", 1.6e6)
    assert {i.period for i in items.values()} == {"FY2026 Q4"}


def movement_of(bridge):
    q4 = Period("quarter", pd.Timestamp("2026-10-01"), pd.Timestamp("2026-12-31"), "FY2026 Q4")
    return Movement(start=START, end=END, period=q4, deals=pd.DataFrame(), bridge=bridge,
                    unknown_amount=2, created_and_won=1, created_and_won_amount=5e4)


def test_calls_sentence_counts_the_habits():
    habits = pd.DataFrame({"habit": ["sandbagger", "sandbagger", "optimist", "on target",
                                     "too few quarters"]})
    assert calls_sentence(habits, 45) == (
        "Reps' commit calls on day 45 of past quarters: 2 consistent sandbaggers, 1 consistent "
        "optimist and 1 rep on target; 1 rep with too few quarters measured to judge.")
    few = pd.DataFrame({"habit": ["too few quarters"]})
    assert calls_sentence(few, 15).endswith(": no rep has enough quarters to judge.")
    assert calls_sentence(few.iloc[:0], 15).startswith("No rep's commit call on day 15")


def test_summary_windows_then_unknown_amounts_slippage_pushed_and_calls():
    m = movement_of(BRIDGE)
    slip = Slippage(quarters=("FY2025 Q4", "FY2026 Q1", "FY2026 Q2", "FY2026 Q3"),
                    deals=pd.DataFrame(), by_rep=pd.DataFrame(), by_team=pd.DataFrame(),
                    overall=pd.DataFrame({"committed": [120], "slipped": [30], "share": [0.25]}))
    pushed = pd.DataFrame({"deals": ["Pushed 3+ times", "The rest"], "win_rate": [0.1, 0.4]})
    habits = pd.DataFrame({"habit": ["optimist"]})
    said = summary_sentences([("Last 7 days", m), ("Since quarter start", m)], slip, pushed,
                             habits)
    assert said[0].startswith("Last 7 days (2026-11-24 to 2026-12-01): the FY2026 Q4 pipeline")
    assert said[1].startswith("Since quarter start (")
    assert said[2] == ("2 deals in the pipeline have no amount: they are counted as deals but "
                       "left out of the amounts.")
    assert said[3].startswith("Over the last 4 quarters, 30 of 120 deals")
    assert said[4].startswith("Closed deals pushed 3 or more times were won 10%")
    assert said[5].endswith("1 consistent optimist.")
    assert summary_sentences([("Last 7 days", m)]) == said[:1] + said[2:3]
