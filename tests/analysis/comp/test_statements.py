"""Choosing the statement to feature in the report."""

from __future__ import annotations

import pandas as pd

from salesops.analysis.comp.engine import run_plan
from salesops.analysis.comp.statements import featured_statement


def test_featured_statement_is_the_latest_period_of_the_rep_with_most_clawbacks(make_plan,
                                                                              make_inputs):
    plan = make_plan(clawback={"window_days": 120})
    # r2's deal is cancelled in August: its 10% commission (1,000) is reversed there.
    adjustments = pd.DataFrame({"opportunity_id": ["o2"], "date": ["2026-08-12"],
                                "kind": ["cancelled"], "amount": [10000]})
    inputs = make_inputs([("o1", "r1", 5000, "2026-06-10"), ("o2", "r2", 10000, "2026-06-15"),
                          ("o3", "r2", 1000, "2026-09-05")],
                         reps=("r1", "r2"), adjustments=adjustments)
    res = run_plan(plan, inputs, "2026-06-01", "2026-09-30")
    st = featured_statement(res, inputs.reps)
    # r2's latest statement is September (o3); the featured one is August, with the clawback
    assert (st.rep_id, st.period_label) == ("r2", "2026-08")
    assert st.lines["kind"].tolist() == ["clawback"] and st.total_cents == -100000


def test_without_clawbacks_the_best_paid_latest_statement_is_featured(make_plan, make_inputs):
    deals = [("o1", "r1", 5000, "2026-06-10"), ("o2", "r2", 8000, "2026-06-12"),
             ("o3", "r1", 9000, "2026-05-10")]
    inputs = make_inputs(deals, reps=("r1", "r2"))
    res = run_plan(make_plan(), inputs, "2026-05-01", "2026-06-30")
    st = featured_statement(res, inputs.reps)
    # June, the latest period with lines: r1 10% of 5,000 = 500, r2 10% of 8,000 = 800 -> r2
    assert (st.rep_id, st.period_label, st.total_cents) == ("r2", "2026-06", 80000)
