"""The review on the built-in sample thinned every way real exports arrive: it runs without error or
warning, leaves out exactly the sections the data cannot support and writes no 'nan'."""

import warnings

import pytest

from salesops.analysis.performance.review import performance_review
from salesops.data.builtin import ensure_sample_dataset
from salesops.data.store import load_dataset
from salesops.data.thin import thin
from salesops.presentation import narrative as n

AS_OF = "2026-09-30"
QUOTA = {"attainment", "diagnosis", "consistency", "ramp"}
ROSTER = {"rollups_by_region", "rollups_by_manager", "rollups_by_team", "tenure", "consistency",
          "ramp", "turnover", "vacated_seats", "bottlenecks"}
CASES = {
    "full": ({"drop": (), "roster": True}, set()),
    "no quotas": ({"drop": ("quotas",), "roster": True}, QUOTA),
    "no stage history": ({"drop": ("stage_history",), "roster": True},
                         {"funnel", "bottlenecks"}),
    "no roster": ({"drop": (), "roster": False}, ROSTER),
    "unknown open amounts": ({"drop": (), "roster": True, "unknown_open_amounts": 0.25}, set()),
    "all at once": ({"drop": ("quotas", "stage_history", "accounts"), "roster": False,
                     "unknown_open_amounts": 0.25,
                     "drop_columns": {"opportunities": ("account_id", "product")}},
                    QUOTA | ROSTER | {"funnel"}),
}


@pytest.fixture(scope="module")
def sample():
    return load_dataset(ensure_sample_dataset(end=AS_OF))


def sentences(r) -> list[str]:
    out = n.performance_summary(r) + n.leaderboard_note(r)
    if r.consistency is not None:
        out.append(n.consistency_sentence(r.consistency))
    if r.productive_month is not None:
        out.append(n.ramp_sentence(r.productive_month))
    if r.turnover is not None:
        out.append(n.turnover_sentence(r.turnover))
        if r.turnover.vacated is not None:
            out.append(n.seats_sentence(r.turnover.vacated))
    if r.funnel is not None and r.funnel.bottlenecks is not None:
        out += n.bottleneck_sentences(r.funnel.bottlenecks)
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_sample_thinned_runs_and_leaves_out_what_it_cannot_support(sample, case):
    kwargs, missing = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = performance_review(thin(sample, **kwargs), AS_OF)
        text = " ".join(sentences(r))
    assert {name for name, av in r.sections.items() if not av} == missing
    for name in missing:
        assert r.sections[name].reason.endswith(".")
    assert "nan" not in text.lower().split() and "$0 " not in text
    assert (r.funnel is None) == ("funnel" in missing)
    assert (r.turnover is None) == ("turnover" in missing)
    assert (r.diagnosis is None) == ("diagnosis" in missing)
    merged = {"manager"} if r.one_manager_per_team else set()  # one table with the team's
    assert set(r.rollups) == {lv for lv in ("region", "manager", "team")
                              if f"rollups_by_{lv}" not in missing} - merged
    if "attainment" in missing:
        assert "quota" not in text.lower() and "attainment" not in text.lower()
        assert not {"quota", "attainment"} & (set(r.reps.columns) | set(r.headline.columns))
    if kwargs.get("unknown_open_amounts"):
        cur = r.headline.loc["current"]
        assert 0 < cur["next_period_without_amount"] < cur["next_period_deals"]
        assert f"{int(cur['next_period_without_amount']):,} of them without an amount" in text


def test_transactions_only_sample_needs_deals(sample):
    drop = ("reps", "accounts", "quotas", "opportunities", "stage_history")
    r = performance_review(thin(sample, drop=drop, roster=True), AS_OF)
    assert not any(r.sections.values())
    assert n.performance_summary(r) == [r.sections["deals"].reason]
    assert "no opportunities table" in r.sections["deals"].reason
