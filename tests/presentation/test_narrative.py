import math

import pandas as pd
import pytest

from salesops.analysis.performance.review import Finding
from salesops.presentation import narrative as n


def test_change_phrases_ratios_in_points_and_values_in_percent():
    assert n.change(0.52, 0.37, "pct") == "up 15 pts"
    assert n.change(90, 100, "money") == "down 10%"
    assert n.change(100.2, 100, "money") == "flat"
    assert n.change(5, 0, "money") is None and n.change(math.nan, 1) is None


def test_versus_and_shares_never_show_nan_or_divide_by_zero():
    assert n.versus(0.5, math.nan, "Q3", "pct") == "no comparable figure for Q3"
    assert n.versus(1.2e6, 1e6, "Q3", "money") == "up 20% on Q3 ($1.0M)"
    assert n.share_phrase(0, 0) == "no reps"
    assert n.share_phrase(4, 26, "ranked reps") == "4 of 26 ranked reps (15%)"
    assert n.band_phrase(0.65, (0.6, 0.7), "a healthy plan reaches") == (
        "within the 60-70% a healthy plan reaches")


def test_sentence_and_join():
    assert n.sentence("team x lost") == "Team x lost."
    assert n.join_clauses(["a", "b", "c"]) == "a, b and c"
    with pytest.raises(ValueError, match="unknown value kind"):
        n.show(1, "euros")


def test_bottleneck_sentence_matches_the_issue_wording():
    b = pd.DataFrame({"group": ["Team X", "Team Y"], "stage": ["Proposal", "Discovery"],
                      "loss_rate": [0.48, 0.20], "gap": [0.15, -0.01]})
    assert n.bottleneck_sentences(b) == [
        "Team X loses 48% of deals at Proposal, 15 points worse than the company.",
        "Team Y loses 20% of deals at Discovery, 1 point better than the company."]
    f = Finding("bottleneck", "Team X", 0.48, 0.33, 0.15, "Proposal")
    assert n.finding_sentence(f) == (
        "Team X loses 48% of deals at Proposal, 15 points worse than the company.")


def test_summary_of_scope_without_quota_and_deals_has_no_nan():
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis" / "performance"))
    from perf_handmade import handmade_dataset

    from salesops.analysis.performance.review import performance_review
    ds = handmade_dataset()
    ds.quotas = ds.quotas.iloc[0:0]
    text = " ".join(n.performance_summary(performance_review(ds, "2026-01-15")))
    assert "nan" not in text.lower() and "no quota is set" in text
