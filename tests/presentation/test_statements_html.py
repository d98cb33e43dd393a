"""Statement exports: exact cents, escaped HTML, CSV safe to open in a spreadsheet."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis" / "comp"))
from comp_helpers import inputs_from, plan_from  # noqa: E402

from salesops.analysis.comp.engine import run_plan  # noqa: E402
from salesops.analysis.comp.statements import (  # noqa: E402
    Featured,
    featured_statement,
    statements,
)
from salesops.presentation.statements_html import (  # noqa: E402
    cents_text,
    export_statements,
    featured_caption,
    featured_section,
    lines_text,
    rate_text,
    rep_page,
    statement_rows,
    statement_section,
)


def test_cents_text_is_exact():
    assert cents_text(123456) == "1,234.56"
    assert cents_text(-5, "USD") == "-$0.05"
    assert cents_text(10**17 + 1) == "1,000,000,000,000,000.01"


def _run():
    inputs = inputs_from([("<b>o1</b>", "r1", 1234.56, "2026-01-10")])
    inputs.reps.loc[0, "name"] = "=HYPERLINK(\"x\") <script>"
    return run_plan(plan_from(), inputs, "2026-01-01", "2026-01-31"), inputs.reps


def test_rep_page_escapes_data_text():
    res, reps = _run()
    page = rep_page(list(statements(res, reps)))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;o1&lt;/b&gt;" in page
    # 10% of 1,234.56 = 123.456 -> 123.46 (half-up)
    assert "$123.46" in page


def test_export_writes_csv_and_one_page_per_rep(tmp_path):
    res, reps = _run()
    files = export_statements(statements(res, reps), tmp_path)
    assert sorted(f.name for f in files) == ["statement_r1.html", "statements.csv"]
    csv = pd.read_csv(tmp_path / "statements.csv", dtype=str)
    assert csv["amount"].tolist() == ["123.46"]
    assert csv["rep_name"].iloc[0].startswith("'=")  # not run as a formula


def test_rate_text_names_its_unit_in_plain_words():
    assert rate_text(0.08, "value") == "8%"  # of the credited deal value
    assert rate_text(0.0825, "value") == "8.25%"
    # 1.5 of the target incentive per 1.0 of attainment: 1.5% of it per 1% attainment
    assert rate_text(1.5, "target_incentive") == "150% of target incentive per 100% attainment"
    assert rate_text(float("nan"), "value") == ""


def test_statement_amounts_carry_the_currency():
    res, reps = _run()
    rows = statement_rows(next(statements(res, reps)), "EUR")
    # credit 1,234.56 on the deal, 10% of it = 123.46
    assert rows[["Credit", "Amount"]].iloc[0].tolist() == ["€1,234.56", "€123.46"]
    section = statement_section(next(statements(res, reps)), "EUR")
    assert ">€123.46</td>" in section and ">123.46</td>" not in section


def test_statement_total_says_how_many_lines_make_it():
    assert lines_text(0) == "no line this period"
    assert lines_text(1) == "the one line below"
    assert lines_text(1200) == "the sum of the 1,200 lines below"
    res, reps = _run()
    # one deal in January: one commission line of 123.46
    section = statement_section(next(statements(res, reps)))
    assert "Total: <strong>$123.46</strong> (the one line below)." in section


def test_a_statement_shown_alone_names_its_rep_escaped():
    res, reps = _run()
    section = statement_section(next(statements(res, reps)), with_rep=True)
    assert "<h3>=HYPERLINK(&quot;x&quot;) &lt;script&gt; (r1), 2026-01</h3>" in section


def _clawback_run():
    """r1 paid 10% of 1,000 (o1) and of 2,000 (o2) in June; both cancelled in July; r2 paid
    10% of 5,000 in July and August. The run ends 2026-08-31."""
    adjustments = pd.DataFrame({"opportunity_id": ["o1", "o2"], "kind": "cancelled",
                                "date": ["2026-07-03", "2026-07-20"], "amount": 0.0})
    inputs = inputs_from([("o1", "r1", 1000, "2026-06-10"), ("o2", "r1", 2000, "2026-06-11"),
                          ("o3", "r2", 5000, "2026-07-10"), ("o4", "r2", 5000, "2026-08-10")],
                         reps=("r1", "r2"), adjustments=adjustments)
    plan = plan_from(clawback={"window_days": 120})
    return run_plan(plan, inputs, "2026-06-01", "2026-08-31"), inputs.reps


def test_featured_caption_names_the_rep_month_and_clawbacks_shown():
    res, reps = _clawback_run()
    f = featured_statement(res, reps, pd.Timestamp("2026-08-31"))
    # August, the latest complete month, has no clawback; July has r1's two: -100 and -200.
    assert featured_caption(f) == (
        "No rep had a clawback line in 2026-08, the latest complete month. Shown: the "
        "statement of Rep r1 for 2026-07, the latest month with one, the rep with the most "
        "clawback lines that month (2 lines reversing $300.00).")
    section = featured_section(f)
    assert "<h3>Rep r1 (r1), 2026-07</h3>" in section
    assert section.count("<tr style='background-color: #fbe5e3'>") == 2
    assert ">Clawback</td>" in section and ">-$200.00</td>" in section


def test_featured_caption_in_the_latest_complete_month_and_without_clawbacks():
    res, reps = _clawback_run()
    f = featured_statement(res, reps, pd.Timestamp("2026-07-31"))
    # the run read to 2026-07-31: July is the latest complete month, r1's two clawbacks in it
    assert featured_caption(f) == (
        "Shown: the statement of Rep r1 for 2026-07, the latest complete month, the rep with "
        "the most clawback lines that month (2 lines reversing $300.00).")
    plain = Featured(next(statements(res, reps, ["r2"], [pd.Timestamp("2026-08-01")])),
                     "2026-08", 0)
    # r2's August: 10% of 5,000 = 500
    assert featured_caption(plain, "EUR") == (
        "No rep had a clawback line in a complete month of the run. Shown instead: the best-paid "
        "statement of 2026-08, the latest complete month, Rep r2's, €500.00.")
