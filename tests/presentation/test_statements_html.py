"""Statement exports: exact cents, escaped HTML, CSV safe to open in a spreadsheet."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis" / "comp"))
from comp_helpers import inputs_from, plan_from  # noqa: E402

from salesops.analysis.comp.engine import run_plan  # noqa: E402
from salesops.analysis.comp.statements import statements  # noqa: E402
from salesops.presentation.statements_html import (  # noqa: E402
    cents_text,
    export_statements,
    lines_text,
    rate_text,
    rep_page,
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


def test_rate_text_names_its_unit():
    assert rate_text(0.08, "value") == "8.0000%"  # of the credited deal value
    # 1.5 of the target incentive per 1.0 of attainment: 1.5% of TI per 1% attainment
    assert rate_text(1.5, "target_incentive") == "150.00% of TI per 100% attainment"
    assert rate_text(float("nan"), "value") == ""


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
    assert "<h2>=HYPERLINK(&quot;x&quot;) &lt;script&gt; (r1), 2026-01</h2>" in section
