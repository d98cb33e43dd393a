"""A report for an audience names nobody outside it, on every notebook, in its text, its images'
alt text and the text its charts carry (PNG text chunks); the company report still names
everyone. Runs the shipped notebooks on the built-in sample through ``salesops run --for-each``
(a scopes file: one region, one manager; the company comes with it)."""

from __future__ import annotations

import base64
import html
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO, REPORTS, visible_text
from PIL import Image

from salesops.data.builtin import ensure_sample_dataset
from salesops.data.scope import Scope, audiences, parse_scope, scoped_view
from salesops.data.store import Dataset, load_dataset
from salesops.orchestration.cli import main

AS_OF = "2026-11-27"
DATA_URI = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> tuple[Dataset, list[Scope], Path]:
    dataset = load_dataset(ensure_sample_dataset(end=AS_OF))
    scopes = [parse_scope("region=EMEA"), audiences(dataset, "manager", AS_OF)[0]]
    root = tmp_path_factory.mktemp("audiences")
    (root / "scopes.txt").write_text("".join(f"{s}\n" for s in scopes), encoding="utf-8")
    code = main(["run", *REPORTS, "--as-of", AS_OF, "--for-each", str(root / "scopes.txt"),
                 "--reports-dir", str(root / "reports"), "--workers", "4"])
    assert code == 0
    return dataset, scopes, root / "reports" / AS_OF


def names(data: Dataset) -> set[str]:
    """Every rep, manager, team and account name of ``data``."""
    reps, accounts = data.reps, data.accounts
    found = {*reps["name"], *reps["manager"], *reps["team"], *accounts["name"]}
    return {str(n).strip() for n in found if isinstance(n, str) and n.strip()}


def report_text(path: Path) -> dict[str, str]:
    """What a report says: its HTML with image data removed (text, attributes, alt texts) and
    the text chunks of every embedded PNG."""
    page = path.read_text(encoding="utf-8")
    chunks = [Image.open(io.BytesIO(base64.b64decode(m))).text for m in DATA_URI.findall(page)]
    return {"html": html.unescape(DATA_URI.sub("data:", page)),
            "alt": " | ".join(html.unescape(a) for a in re.findall(r'alt="([^"]*)"', page)),
            "png": "\n".join(v for c in chunks for v in c.values())}


def named(text: str, candidates: set[str], allowed: set[str] = frozenset()) -> set[str]:
    """The ``candidates`` that ``text`` names as whole words, once the ``allowed`` names (which
    may contain a candidate, e.g. 'EMEA Team 1' in 'EMEA Team 10') are blanked out."""
    for name in sorted(allowed, key=len, reverse=True):
        text = text.replace(name, " ")
    candidates = {n for n in candidates if n in text}  # a plain search first: fast
    if not candidates:
        return set()
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)"
                                  for n in sorted(candidates, key=len, reverse=True)))
    return set(pattern.findall(text))


@pytest.mark.parametrize("which", [0, 1], ids=["region", "manager"])
def test_an_audience_report_names_nobody_outside_its_scope(reports, which):
    dataset, scopes, day = reports
    scope = scopes[which]
    inside = names(scoped_view(dataset, AS_OF, scope))
    outside = names(dataset) - inside
    assert len(outside) > 10 and len(inside) > 3
    for report in REPORTS:
        texts = report_text(day / scope.slug / f"{report}.html")
        for kind, text in texts.items():
            leaked = named(text, outside, inside)
            assert not leaked, f"{scope.label}: {report} {kind} names {sorted(leaked)[:10]}"
        assert scope.label in visible_text(texts["html"]), f"{report} does not name its scope"


def test_every_chart_carries_its_text_and_a_description(reports):
    _, scopes, day = reports
    for folder in (day, day / scopes[0].slug):
        for report in REPORTS:
            page = (folder / f"{report}.html").read_text(encoding="utf-8")
            images = re.findall(r"<img\b[^>]*>", page)
            assert "No description has been provided" not in page, report
            for tag in images:
                alt = re.search(r'alt="([^"]+)"', tag)
                assert alt and len(alt.group(1)) > 10, f"{report}: {tag[:80]}"
                chunks = Image.open(io.BytesIO(base64.b64decode(
                    DATA_URI.search(tag).group(1)))).text
                assert chunks.get("Description"), f"{report}: a chart without its text"
    charts = (day / "performance_review.html").read_text(encoding="utf-8").count("<img")
    assert charts >= 5


def test_the_company_report_names_everyone_it_should(reports):
    dataset, scopes, day = reports
    company = {r: report_text(day / f"{r}.html")["html"] for r in REPORTS}
    roster = scoped_view(dataset, AS_OF).reps
    everyone = set(roster["manager"]) | set(roster["team"])
    assert named(company["performance_review"], everyone) == everyone  # rollups list them all
    # what the scoped reports may not say, the company's do: the test above has teeth
    for scope in scopes:
        outside = names(dataset) - names(scoped_view(dataset, AS_OF, scope))
        for report, text in company.items():
            assert named(text, outside), f"company {report} names nobody outside {scope.label}"


def test_a_scoped_data_quality_report_lists_only_the_quarantined_rows_of_its_scope(
        tmp_path, shared_datasets):
    """The Salesforce demo export quarantines 931 self-contradicting deals; the report for one
    owner lists only theirs and says how many others there are, naming no other owner."""
    source = shared_datasets / "salesforce_demo"
    raw = pd.read_csv(source / "opportunities.csv")
    closed_stage = raw["StageName"].isin(["Closed Won", "Closed Lost"])
    bad = raw.loc[(closed_stage != raw["IsClosed"]) | ((raw["StageName"] == "Closed Won")
                                                       != raw["IsWon"])]
    owner, theirs = bad["OpportunityOwner"].value_counts().index[0], \
        int(bad["OpportunityOwner"].value_counts().iloc[0])
    processed = tmp_path / "processed"
    assert main(["ingest", str(source), "--out", str(processed), "--preset", "salesforce",
                 "--mapping", str(REPO / "docs" / "examples" / "salesforce_demo_mapping.yaml")]) == 0
    scope = parse_scope(f"name={owner}")
    code = main(["run", "data_quality", "--data", str(processed), "--as-of", "2019-03-01",
                 "--scope", str(scope), "--param", "max_quarantine_rows=1000",
                 "--reports-dir", str(tmp_path / "reports")])
    assert code == 0
    report = tmp_path / "reports" / "2019-03-01" / scope.slug / "data_quality.html"
    text = visible_text(report.read_text(encoding="utf-8"))
    assert len(bad) == 931 and text.count("inconsistent with stage") == theirs  # all theirs
    assert (f"{len(bad) - theirs:,} other quarantined rows are not attributable to "
            f"{scope.label} and not listed.") in text
    assert not named(report_text(report)["html"], set(raw["OpportunityOwner"]) - {owner})
