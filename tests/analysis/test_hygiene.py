import math
from dataclasses import replace

import pandas as pd
import pytest

from salesops.analysis.hygiene import (
    CHECKS,
    HYGIENE_NEEDS,
    STALE_NEEDS,
    TEAM_NEEDS,
    declared_needs,
    hygiene,
    hygiene_by_rep,
    hygiene_issues,
    hygiene_summary,
    open_as_of,
)
from salesops.data.requirements import Needs
from salesops.data.schema import TABLES, conform, empty_frame
from salesops.data.scope import scoped_view
from salesops.data.store import Contents, Dataset

T = pd.Timestamp
NaT, NaN = pd.NaT, float("nan")
AS_OF = T("2026-06-30")


def frames():
    """Open on AS_OF: A, B, F (rep R1), C, D, G (R2), H (R3); E is won. F and H have no amount,
    F and G no expected close date."""
    opps = pd.DataFrame({
        "opportunity_id": ["A", "B", "C", "D", "E", "F", "G", "H"],
        "rep_id": ["R1", "R1", "R2", "R2", "R1", "R1", "R2", "R3"],
        "amount": [100.0, 200.0, 0.0, 400.0, 50.0, NaN, 300.0, NaN],
        "created_date": [T("2026-01-01"), T("2026-05-01"), T("2026-06-01"), T("2026-02-01"),
                         T("2026-01-01"), T("2026-06-15"), T("2026-06-20"), T("2026-06-01")],
        "close_date": [T("2026-06-20"), T("2026-08-31"), T("2026-07-15"), T("2026-09-30"),
                       T("2026-03-01"), NaT, NaT, T("2026-09-01")],
        "stage": ["Proposal", "Discovery", "Prospecting", "Qualification", "Closed Won",
                  "Discovery", "Prospecting", "Prospecting"],
        "status": ["open", "open", "open", "open", "won", "open", "open", "open"],
        "forecast_category": ["commit", None, "pipeline", "best_case", None, None, "pipeline",
                              "pipeline"],
        "probability": [0.4, 0.2, 0.05, 0.1, 1.0, 0.2, 0.05, 0.05],
    })
    hist = pd.DataFrame({
        "opportunity_id": ["A", "A", "B", "C", "D", "D", "E", "E", "F", "G", "H"],
        "stage": ["Prospecting", "Proposal", "Discovery", "Prospecting", "Prospecting",
                  "Qualification", "Prospecting", "Closed Won", "Discovery", "Prospecting",
                  "Prospecting"],
        "entered_date": [T("2026-01-01"), T("2026-06-10"), T("2026-05-01"), T("2026-06-01"),
                         T("2026-02-01"), T("2026-03-01"), T("2026-01-01"), T("2026-03-01"),
                         T("2026-06-15"), T("2026-06-20"), T("2026-06-01")],
    })
    reps = pd.DataFrame({"rep_id": ["R1", "R2", "R3"], "name": ["Ann", "Bo", "Cy"],
                         "team": ["T1", "T2", "T1"]})
    reps = conform(reps.reindex(columns=TABLES["reps"].column_names), TABLES["reps"])
    return opps, hist, reps


def dataset(present=("opportunities", "reps", "stage_history"), missing=None) -> Dataset:
    opps, hist, reps = frames()
    tables = {n: empty_frame(TABLES[n]) for n in TABLES}
    tables.update(opportunities=opps, stage_history=hist, reps=reps)
    for name in TABLES:
        if name not in present:
            tables[name] = empty_frame(TABLES[name])
    return Dataset(**tables, contents=Contents(frozenset(present), missing or {}))


def issues_on(day, stale_days=60):
    """Open deals on ``day`` and their issues, from the view of the test dataset."""
    view = scoped_view(dataset(), day)
    open_deals = open_as_of(view)
    return open_deals, hygiene_issues(open_deals, view.open_now, day, stale_days=stale_days)


def test_each_check_with_hand_computed_days():
    _, issues = issues_on(AS_OF)
    got = {(r.opportunity_id, r.check): r.days for r in issues.itertuples()}
    # A: expected close 2026-06-20 -> 10 days past due on 2026-06-30.
    # D: last stage change 2026-03-01 -> 121 days (Mar 30 + Apr 30 + May 31 + Jun 30) > 60: stale.
    #    B: last change 2026-05-01 -> 60 days, not over 60.
    # B and F: open today with no forecast category. C: amount 0. F, H: no amount (unknown).
    # F, G: no expected close date (never past due). E is won: never flagged.
    assert set(got) == {("A", "past_due"), ("D", "stale"), ("B", "no_forecast_category"),
                        ("F", "no_forecast_category"), ("C", "zero_amount"), ("F", "no_amount"),
                        ("H", "no_amount"), ("F", "no_close_date"), ("G", "no_close_date")}
    assert got[("A", "past_due")] == 10 and got[("D", "stale")] == 121


def test_summary_counts_unknown_values_and_never_sums_them_as_zero():
    open_deals, issues = issues_on(AS_OF)
    summary = hygiene_summary(issues, open_deals).set_index("check")
    # 7 open deals; known open value 100 + 200 + 0 + 400 + 300 = 1,000 (F and H unknown).
    assert summary.loc["stale", ["deals", "value"]].tolist() == [1, 400.0]
    assert summary.loc["stale", "value_share"] == pytest.approx(400 / 1000)
    assert summary.loc["past_due", "deal_share"] == pytest.approx(1 / 7)
    # no close date: F (unknown) and G (300): value 300 of known amounts, 1 unknown.
    assert summary.loc["no_close_date", ["deals", "value", "unknown_value_deals"]].tolist() == \
        [2, 300.0, 1]
    # no amount: F and H, value unknown (NaN, shown as 'unknown'), not $0.
    assert summary.loc["no_amount", ["deals", "unknown_value_deals"]].tolist() == [2, 2]
    assert math.isnan(summary.loc["no_amount", "value"])
    assert math.isnan(summary.loc["no_amount", "value_share"])
    assert summary.loc["zero_amount", ["deals", "value"]].tolist() == [1, 0.0]


def test_rep_table_with_hand_computed_values():
    _, _, reps = frames()
    open_deals, issues = issues_on(AS_OF)
    by_rep = hygiene_by_rep(issues, open_deals, reps)
    # R2: C (0, zero amount), D (400, stale), G (300, no close date): 3 flagged, 700 of 700.
    # R1: A (100, past due), B (200, no category), F (unknown; three checks): 3 flagged,
    #     300 of the 300 known. R3: H only, amount unknown: its values are unknown, not $0.
    assert by_rep["rep_id"].tolist() == ["R2", "R1", "R3"]  # flagged value, unknown last
    r = by_rep.set_index("rep_id")
    assert r.loc["R1", ["open_deals", "unknown_value_deals", "past_due", "no_forecast_category",
                        "no_amount", "no_close_date", "flagged_deals"]].tolist() == [3, 1, 1, 2, 1, 1, 3]
    assert r.loc["R1", ["open_value", "flagged_value", "flagged_share"]].tolist() == [300, 300, 1.0]
    assert r.loc["R2", ["open_value", "flagged_value", "zero_amount"]].tolist() == [700, 700, 1]
    assert r.loc["R3", ["open_deals", "flagged_deals", "no_amount"]].tolist() == [1, 1, 1]
    assert r.loc["R3", ["open_value", "flagged_value", "flagged_share"]].isna().all()


def test_hygiene_lists_incomplete_deals_with_reasons_per_rep():
    result = hygiene(dataset(), AS_OF, stale_days=60)
    assert result.incomplete[["name", "opportunity_id", "reason"]].values.tolist() == [
        ["Ann", "F", "no amount and no expected close date"],
        ["Bo", "G", "no expected close date"],
        ["Cy", "H", "no amount"],
    ]
    assert result.checks == list(CHECKS) and all(result.available.values())


def test_checks_the_data_cannot_support_are_not_run_and_say_why():
    no_history = hygiene(dataset(present=("opportunities", "reps")), AS_OF)
    assert no_history.available["stale"].reason == STALE_NEEDS.check(
        dataset(present=("opportunities", "reps"))).reason
    assert "no stage_history table" in no_history.available["stale"].reason
    assert "stale" not in set(no_history.issues["check"]) | set(no_history.summary["check"])
    assert "stale" not in no_history.by_rep.columns
    no_category = hygiene(dataset(missing={"opportunities": ("forecast_category",)}), AS_OF)
    assert "no 'forecast_category' column" in no_category.available["no_forecast_category"].reason
    assert "no_forecast_category" not in set(no_category.summary["check"])
    no_team = hygiene(dataset(missing={"reps": ("team",)}), AS_OF)
    assert not no_team.available["by_team"] and "'team'" in no_team.available["by_team"].reason
    assert TEAM_NEEDS.check(dataset()).ok


def test_unused_forecast_categories_skip_that_check():
    ds = dataset()
    opps = ds.opportunities.assign(forecast_category=pd.Series([None] * 8, dtype="string"))
    result = hygiene(replace(ds, opportunities=opps), AS_OF)
    assert result.available["no_forecast_category"].reason == (
        "The forecast-category check cannot be shown: no open deal has a forecast category, "
        "so the data does not use them.")


def test_transactions_only_dataset_has_no_hygiene():
    ds = dataset(present=("transactions",))
    result = hygiene(ds, AS_OF)
    assert not result.available["hygiene"]
    assert result.available["hygiene"].reason == HYGIENE_NEEDS.check(ds).reason
    assert "no opportunities table" in result.available["hygiene"].reason
    assert result.issues.empty and result.open_deals.empty


def test_past_snapshot_does_not_blame_unknown_forecast_categories():
    # On 2026-02-15, E (won 2026-03-01) was open; its category then is unknown, not missing.
    day = T("2026-02-15")
    _, issues = issues_on(day, stale_days=30)
    assert "E" not in set(issues.loc[issues["check"] == "no_forecast_category", "opportunity_id"])
    # E entered Prospecting on 2026-01-01: 45 days without change by 2026-02-15.
    assert issues.loc[(issues.opportunity_id == "E") & (issues.check == "stale"), "days"].item() == 45


def test_no_open_deals_gives_empty_frames():
    _, _, reps = frames()
    open_deals, issues = issues_on(T("2025-01-01"))
    assert issues.empty and list(issues.columns)[-2:] == ["check", "days"]
    assert hygiene_summary(issues, open_deals)["deal_share"].isna().all()
    assert hygiene_by_rep(issues, open_deals, reps).empty


def test_declared_needs_collects_each_section_once():
    needs = declared_needs()
    whats = [n.what for n in needs]
    assert all(isinstance(n, Needs) and n.what for n in needs)
    assert len(whats) == len(set(whats))
    assert {HYGIENE_NEEDS.what, STALE_NEEDS.what, TEAM_NEEDS.what} <= set(whats)


def test_flagged_deals_count_once_with_their_known_value():
    result = hygiene(dataset(), T("2026-06-12"), stale_days=60)
    # Open on 2026-06-12: A, B, C, D, H (F and G created later, E won in March).
    # Flagged: B (no forecast category), C (zero amount), D (last change 2026-03-01: 103 days),
    # H (no amount). A (close 2026-06-20, changed 2026-06-10) passes.
    assert sorted(result.flagged["opportunity_id"]) == ["B", "C", "D", "H"]
    # known flagged value 200 + 0 + 400 = 600 (H unknown) of the known open 100 + 200 + 0 + 400
    assert result.flagged_value == 600.0
    assert result.flagged_share == pytest.approx(600 / 700)
    f = hygiene(dataset(), AS_OF, stale_days=60)
    # F fails three checks and counts once: all 7 open deals are flagged
    assert len(f.flagged) == 7 and f.flagged["opportunity_id"].is_unique


def test_a_departed_owner_is_marked_in_the_rep_tables():
    data = dataset()
    reps = data.reps.copy()
    reps.loc[reps["rep_id"] == "R3", "termination_date"] = T("2026-06-05")
    result = hygiene(replace(data, reps=reps), AS_OF)
    # Cy (R3) left on 2026-06-05 and still owns H, open without an amount
    left = result.by_rep.set_index("rep_id")["left"]
    assert left.loc["R3"] == T("2026-06-05") and left.drop("R3").isna().all()
    assert result.incomplete.set_index("opportunity_id").loc["H", "left"] == T("2026-06-05")
