"""A scoped performance review (one region) never names a rep of another region."""

import html
import re
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
    # into the audience's own folder, never over the company's report
    assert not (summary.day_dir / "performance_review.html").exists()
    page = html.unescape((summary.day_dir / "region-emea" / "performance_review.html").read_text())
    reps = load_dataset(sample).reps
    inside = set(reps.loc[reps["region"] == "EMEA", "name"])
    outside = set(reps.loc[reps["region"] != "EMEA", "name"]) - inside
    assert inside and outside
    assert any(name in page for name in inside)
    leaked = sorted(name for name in outside if name in page)
    assert not leaked, f"reps of other regions named in the EMEA report: {leaked}"
    assert "Region EMEA" in page


THIN = {  # thin case -> what the page must say, and what it must never show
    "every thin case at once": (
        dict(drop=("quotas", "stage_history", "accounts"), roster=False,
             unknown_open_amounts=0.25, drop_columns={"opportunities": ("account_id", "product")}),
        ["Reps are ranked by bookings in the period.", "of them without an amount",
         "Attainment against quota cannot be shown: the data has no quotas table",
         "The funnel (stage conversion and time in stage) cannot be shown",
         "The rollup by team cannot be shown"],
        [">Quota<", ">Attainment<", "at or above quota", "coverage", "Bottleneck per team"]),
    "transactions only": (
        dict(drop=("reps", "accounts", "quotas", "opportunities", "stage_history"), roster=True),
        ["The performance review cannot be shown: the data has no opportunities table"],
        ["<img", "<table", "$"]),
}


@pytest.mark.parametrize("case", list(THIN))
def test_thin_data_report_shows_only_what_the_data_supports(sample, tmp_path, case):
    from salesops.data.thin import thin, write_thin

    kwargs, present, absent = THIN[case]
    data = write_thin(thin(load_dataset(sample), **kwargs), tmp_path / "thin")
    summary = run_reports(RunOptions(
        as_of=AS_OF, reports_dir=tmp_path / "reports", notebooks_dir=ROOT / "notebooks",
        data_dir=data, names=("performance_review",)), progress=lambda _m: None)
    assert summary.ok, [r.error for r in summary.results]
    raw = (summary.day_dir / "performance_review.html").read_text()
    # embedded images are base64: "NaN" can occur in them by chance
    body = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", html.unescape(raw[raw.index("<body"):]))
    for text in present:
        assert text in body, text
    for text in absent:
        assert text not in body, text
    for noise in ("Traceback", "Warning", " nan ", "NaN"):
        assert noise not in body
    if case == "transactions only":
        assert body.count("cannot be shown") == 1  # one sentence, not one per section
