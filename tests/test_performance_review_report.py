"""A scoped performance review (one region) never names a rep of another region."""

import html
from pathlib import Path

import pytest

from salesops.data.builtin import ensure_sample_dataset
from salesops.data.store import load_dataset
from salesops.orchestration.runner import RunOptions, run_reports

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-09-30"


@pytest.fixture(scope="module")
def sample() -> Path:
    return ensure_sample_dataset(end=AS_OF)


def test_region_scoped_report_names_only_that_regions_reps(sample, tmp_path):
    summary = run_reports(RunOptions(
        as_of=AS_OF, reports_dir=tmp_path, notebooks_dir=ROOT / "notebooks", data_dir=sample,
        names=("performance_review",), params={"scope": "region=EMEA"}), progress=lambda _m: None)
    assert summary.ok, [r.error for r in summary.results]
    page = html.unescape((summary.day_dir / "performance_review.html").read_text())
    reps = load_dataset(sample).reps
    inside = set(reps.loc[reps["region"] == "EMEA", "name"])
    outside = set(reps.loc[reps["region"] != "EMEA", "name"]) - inside
    assert inside and outside
    assert any(name in page for name in inside)
    leaked = sorted(name for name in outside if name in page)
    assert not leaked, f"reps of other regions named in the EMEA report: {leaked}"
    assert "Region EMEA" in page
