"""Choosing the statement to feature in the report."""

from __future__ import annotations

import pandas as pd

from salesops.analysis.comp.engine import run_plan
from salesops.analysis.comp.statements import featured_statement


def _cancelled(*pairs):
    """Cancellations as (opportunity_id, date) pairs, each reversing the whole deal."""
    return pd.DataFrame({"opportunity_id": [o for o, _ in pairs], "date": [d for _, d in pairs],
                         "kind": "cancelled", "amount": 0.0})


def test_featured_is_the_rep_with_most_clawbacks_in_the_latest_complete_month(make_plan,
                                                                             make_inputs):
    plan = make_plan(clawback={"window_days": 120})
    # r1 has 2 clawbacks in July, r2 one in August and r3 one in September, the incomplete
    # month (the run ends 2026-09-15): August is the latest complete month with a clawback,
    # its only clawback is r2's. r1 (most clawbacks over the run) is not it.
    deals = [("a", "r1", 1000, "2026-06-02"), ("b", "r1", 2000, "2026-06-03"),
             ("c", "r2", 10000, "2026-06-15"), ("d", "r2", 3000, "2026-08-20"),
             ("e", "r3", 4000, "2026-06-20")]
    inputs = make_inputs(deals, reps=("r1", "r2", "r3"),
                         adjustments=_cancelled(("a", "2026-07-01"), ("b", "2026-07-02"),
                                                ("c", "2026-08-12"), ("e", "2026-09-05")))
    res = run_plan(plan, inputs, "2026-06-01", "2026-09-15")
    f = featured_statement(res, inputs.reps, pd.Timestamp("2026-09-15"))
    st = f.statement
    assert (st.rep_id, st.rep_name, st.period_label) == ("r2", "Rep r2", "2026-08")
    assert (f.latest_complete, f.clawback_lines) == ("2026-08", 1)
    # August for r2: commission 10% of 3,000 = 300, clawback of c's 10% of 10,000 = -1,000
    assert st.lines["kind"].tolist() == ["commission", "clawback"]
    assert st.total_cents == 30000 - 100000
    assert f.clawback_rows["opportunity_id"].tolist() == ["c"]


def test_ties_go_to_the_rep_with_more_clawed_back(make_plan, make_inputs):
    plan = make_plan(clawback={"window_days": 120})
    # July: r1 and r2 each have 2 clawback lines; r1 reverses 10% of (1,000 + 1,000) = 200,
    # r2 10% of (1,000 + 5,000) = 600: r2 is featured.
    deals = [("a", "r1", 1000, "2026-06-02"), ("b", "r1", 1000, "2026-06-03"),
             ("c", "r2", 1000, "2026-06-04"), ("d", "r2", 5000, "2026-06-05")]
    inputs = make_inputs(deals, reps=("r1", "r2"), adjustments=_cancelled(
        *((o, "2026-07-10") for o in "abcd")))
    res = run_plan(plan, inputs, "2026-06-01", "2026-07-31")
    f = featured_statement(res, inputs.reps, pd.Timestamp("2026-07-31"))
    assert (f.statement.rep_id, f.statement.period_label, f.clawback_lines) == ("r2", "2026-07", 2)
    assert f.statement.total_cents == -60000


def test_without_clawbacks_the_best_paid_statement_of_the_latest_complete_month(make_plan,
                                                                                make_inputs):
    # The run ends 2026-07-10: July is incomplete (r1's 50,000 deal there is not featured).
    # June: r1 10% of 5,000 = 500, r2 10% of 8,000 = 800 -> r2.
    deals = [("o1", "r1", 5000, "2026-06-10"), ("o2", "r2", 8000, "2026-06-12"),
             ("o3", "r1", 9000, "2026-05-10"), ("o4", "r1", 50000, "2026-07-05")]
    inputs = make_inputs(deals, reps=("r1", "r2"))
    res = run_plan(make_plan(), inputs, "2026-05-01", "2026-07-10")
    f = featured_statement(res, inputs.reps, pd.Timestamp("2026-07-10"))
    assert (f.statement.rep_id, f.statement.period_label, f.statement.total_cents) == (
        "r2", "2026-06", 80000)
    assert (f.latest_complete, f.clawback_lines) == ("2026-06", 0)


def test_a_run_without_a_complete_month_features_its_only_month(make_plan, make_inputs):
    inputs = make_inputs([("o1", "r1", 5000, "2026-06-10")])
    res = run_plan(make_plan(), inputs, "2026-06-01", "2026-06-20")
    f = featured_statement(res, inputs.reps, pd.Timestamp("2026-06-20"))
    # no month has ended by 2026-06-20: June itself, 10% of 5,000 = 500
    assert (f.statement.period_label, f.latest_complete, f.statement.total_cents) == (
        "2026-06", "", 50000)
