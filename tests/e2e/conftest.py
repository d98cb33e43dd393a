"""Shared steps of the end-to-end tests: ingest a raw export through the CLI, run every report on
it, and read each report back as visible text (tags stripped, entities unescaped)."""

from __future__ import annotations

import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from salesops.orchestration.cli import main

sys.path.insert(0, str(Path(__file__).parent))

REPORTS = ("performance_review", "forecast", "pipeline_inspection", "comp_plan_evaluation",
           "planning", "data_quality")
REPO = Path(__file__).resolve().parents[2]
DATASETS = Path(os.environ.get("SALESOPS_DATASETS", REPO.parent / "shared" / "datasets"))


class _Text(HTMLParser):
    """Visible text of a report: no scripts, styles or image data."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def ingest_and_run(root: Path, source: Path, as_of: str, *options: str) -> dict[str, str]:
    """Ingest ``source`` with ``options`` (--mapping/--preset), run all reports; visible texts."""
    processed = root / "processed"
    assert main(["ingest", str(source), "--out", str(processed), *options]) == 0
    code = main(["run", *REPORTS, "--data", str(processed), "--as-of", as_of,
                 "--reports-dir", str(root / "reports"), "--workers", "2"])
    day = root / "reports" / as_of
    texts = {name: visible_text((day / f"{name}.html").read_text()) for name in REPORTS}
    assert code == 0, {n: t[:300] for n, t in texts.items()}
    return texts


#: Text that must never reach leadership: code errors, warnings, unformatted missing values.
LEAKS = re.compile(r"Traceback|Error:|Warning|\bnan\b|\bNaN\b|\bNaT\b|\bNone\b|<NA>")


def assert_clean(texts: dict[str, str]) -> None:
    for name, text in texts.items():
        leak = LEAKS.search(text)
        assert leak is None, f"{name}: {text[max(0, leak.start() - 150):leak.end() + 150]}"


#: The sample reports the text, browser and weight tests read (``day``): one run per test
#: process, for the company (the dated folder itself) and Region EMEA.
SAMPLE_AS_OF = "2026-12-01"
SAMPLE_FOLDERS = ("", "region-emea")


def run_sample(root: Path, as_of: str) -> Path:
    """The dated folder of one run of the six reports on the sample data as of ``as_of``, for
    the company (the folder itself) and Region EMEA (``region-emea/``)."""
    scopes = root / "scopes.txt"
    scopes.write_text("region=EMEA\n")
    code = main(["run", *REPORTS, "--as-of", as_of, "--for-each", str(scopes),
                 "--reports-dir", str(root / "reports"), "--workers", "2"])
    assert code == 0
    return root / "reports" / as_of


@pytest.fixture(scope="session")
def day(tmp_path_factory) -> Path:
    """The sample reports as of ``SAMPLE_AS_OF`` (``run_sample``)."""
    return run_sample(tmp_path_factory.mktemp("sample_reports"), SAMPLE_AS_OF)


@pytest.fixture(scope="module")
def shared_datasets() -> Path:
    if not (DATASETS / "salesforce_demo" / "opportunities.csv").exists():
        pytest.skip(f"shared datasets not found at {DATASETS} (set SALESOPS_DATASETS)")
    return DATASETS
