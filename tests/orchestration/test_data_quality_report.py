"""The data_quality notebook run end to end on thin exports: a deals-only export (no roster,
quotas, stage history or forecast categories; open deals without amount or close date) and an
orders-only export. Expected counts are recomputed from the written CSV with plain pandas."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest

from salesops.data.ingest import ingest
from salesops.orchestration.runner import RunOptions, run_reports

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("e2e_exports", ROOT / "tests" / "e2e" / "exports.py")
exports = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(exports)  # the end-to-end tests' export builders (tests/ is no package)
END = "2026-11-27"


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """HTML and log of the data_quality report on each export."""
    out = {}
    for name, build in (("deals", exports.opportunities_only),
                        ("orders", exports.transactions_only)):
        root = tmp_path_factory.mktemp(name)
        mapping = build(root / "raw", end=END)
        ingest(root / "raw", root / "processed", mapping=mapping)
        summary = run_reports(RunOptions(
            as_of=END, reports_dir=root / "reports", notebooks_dir=ROOT / "notebooks",
            names=("data_quality",), data_dir=root / "processed"), progress=lambda _: None)
        assert summary.ok, summary.results
        out[name] = {"html": (summary.day_dir / "data_quality.html").read_text(),
                     "log": (root / "reports" / ".audit" / END / "_logs" / "data_quality.log").read_text(),
                     "raw": root / "raw"}
    return out


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_deals_only_export_flags_incomplete_open_deals_and_keeps_their_value_unknown(reports):
    deals = pd.read_csv(reports["deals"]["raw"] / "deals.csv")
    opened = pd.to_datetime(deals["Opened"]) <= pd.Timestamp(END)
    open_now = deals.loc[deals["Stage"].isin(["Early", "Late"]) & opened]
    no_amount = int(open_now["Value"].isna().sum())
    incomplete = int((open_now["Value"].isna() | open_now["Expected Close"].isna()).sum())
    assert no_amount > 0 and incomplete > no_amount  # the export has both kinds
    text = _text(reports["deals"]["html"])
    assert f"{incomplete:,} open deals lack an amount or an expected close date" in text
    known = len(open_now) - no_amount
    assert f"Of {len(open_now):,} open deals ({known:,} worth " in text
    assert f"; {no_amount:,} of unknown value)" in text
    assert "never counted as $0" in text and " unknown " in text
    # what the export lacks, in one sentence each, and no chart or table for it
    assert "The stale-deal check (no stage change for a long time) cannot be shown: the data " \
           "has no stage_history table" in text
    assert "The forecast-category check cannot be shown: the opportunities table has no " \
           "'forecast_category' column" in text
    assert "The chart of flagged pipeline by team cannot be shown" in text
    assert "by team" not in text.replace("The chart of flagged pipeline by team", "") \
        .replace("Bottlenecks by team", "")
    assert "What your data has" in text and "derived from the deals' owner column" in text
    assert "Notes from loading" in text and "no rep roster" in text  # ingest's own notes


def test_orders_only_export_shows_loading_and_says_hygiene_needs_deals(reports):
    text = _text(reports["orders"]["html"])
    orders = len(pd.read_csv(reports["orders"]["raw"] / "orders.csv"))
    assert f"All {orders:,} rows of the transactions table passed validation" in text
    assert "Rows per table" in text
    assert text.count("CRM hygiene of open deals cannot be shown: the data has no "
                      "opportunities table") == 2  # the summary and the section, once each
    assert "Reps with flagged open deals" not in text and "Open value" not in text


@pytest.mark.parametrize("name", ["deals", "orders"])
def test_no_warning_or_traceback_reaches_the_report(reports, name):
    html = reports[name]["html"]
    for noise in ("UserWarning", "FutureWarning", "DeprecationWarning", "RuntimeWarning",
                  "warnings.warn", "Traceback", 'data-mime-type="application/vnd.jupyter.stderr"',
                  "could not be produced"):
        assert noise not in html, noise
    assert reports[name]["log"].endswith("no warnings, messages or errors\n")
