"""Reports per audience: --scope / --param scope into the audience's folder, --for-each fan-out,
exit codes, usage errors before anything runs (tiny notebooks, the small fixture roster)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from salesops.data.ingest import ingest
from salesops.orchestration.cli import main

TINY = str(Path(__file__).parent / "notebooks" / "tiny")
NOTEBOOKS = str(Path(__file__).parent / "notebooks")
VALID = Path(__file__).resolve().parents[1] / "data" / "fixtures" / "valid"
AS_OF = "2026-03-31"  # managers then: Barbara Liskov, Grace Hopper; regions EMEA, NA


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fixture") / "processed"
    ingest(VALID, out)
    return out


def _run(reports: Path, data: Path, *args: str) -> int:
    return main(["run", *args, "--as-of", AS_OF, "--data", str(data), "--reports-dir",
                 str(reports), "--notebooks-dir", TINY, "--workers", "2"])


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def test_a_scoped_run_goes_to_its_own_folder_and_never_over_the_company(tmp_path, data, capsys):
    reports = tmp_path / "reports"
    day = reports / AS_OF
    assert _run(reports, data, "alpha") == 0
    company = {p.name: p.read_bytes() for p in day.iterdir() if p.is_file()}
    assert _run(reports, data, "alpha", "--param", "scope=region=EMEA") == 0
    assert f"1 report(s) OK: {day / 'region-emea' / 'index.html'}" in capsys.readouterr().out
    assert (day / "alpha.html").read_bytes() == company["alpha.html"]
    assert _manifest(day) == json.loads(company["manifest.json"])
    emea = day / "region-emea"
    assert sorted(p.name for p in emea.iterdir()) == ["alpha.html", "index.html", "manifest.json"]
    manifest = _manifest(emea)
    assert manifest["scope"] == {"scope": "region=EMEA", "label": "Region EMEA",
                                 "slug": "region-emea"}
    assert manifest["notebooks"][0]["parameters"] == {"as_of": AS_OF, "scope": "region=EMEA"}
    assert "Sales reports · Region EMEA · as of 2026-03-31" in (emea / "index.html").read_text()
    assert ("<title>Alpha report · Region EMEA · as of 2026-03-31</title>"
            in (emea / "alpha.html").read_text())
    assert "<title>Alpha report · Company · as of 2026-03-31</title>" in company["alpha.html"].decode()
    index = (day / "index.html").read_text()
    assert '<a href="alpha.html">' in index and '<a href="region-emea/index.html">Region EMEA</a>' in index
    executed = (reports / ".audit" / AS_OF / "region-emea" / "alpha.ipynb").read_text()
    assert "alpha as of 2026-03-31 for region=EMEA" in executed
    assert _run(reports, data, "beta", "--scope", "region=EMEA") == 0  # --scope: the same
    assert [n["name"] for n in _manifest(emea)["notebooks"]] == ["alpha", "beta"]


def test_for_each_manager_runs_the_company_and_every_manager(tmp_path, data, capsys):
    reports = tmp_path / "reports"
    assert _run(reports, data, "alpha", "beta", "--for-each", "manager") == 0
    assert "6 report(s) OK" in capsys.readouterr().out
    day = reports / AS_OF
    assert [n["name"] for n in _manifest(day)["notebooks"]] == ["alpha", "beta"]
    index = (day / "index.html").read_text()
    for slug, label in (("manager-barbara-liskov", "Manager Barbara Liskov"),
                        ("manager-grace-hopper", "Manager Grace Hopper")):
        assert f'<a href="{slug}/index.html">{label}</a>' in index
        manifest = _manifest(day / slug)
        assert manifest["scope"]["label"] == label
        assert [n["name"] for n in manifest["notebooks"]] == ["alpha", "beta"]
        assert all(n["parameters"]["scope"] == label.replace("Manager ", "manager=")
                   for n in manifest["notebooks"])
        assert (day / slug / "alpha.html").is_file()
    top = (reports / "index.html").read_text()
    assert "<td>6</td>" in top and "<td>2</td>" in top  # reports, audiences


def test_for_each_file_and_a_failing_audience_exits_1(tmp_path, data, capsys):
    scopes = tmp_path / "scopes.txt"
    scopes.write_text("# the regional VPs\nregion=EMEA\n\nregion=NA\n")
    reports = tmp_path / "reports"
    assert _run(reports, data, "picky", "--for-each", str(scopes)) == 1
    err = capsys.readouterr().err
    assert "1 of 3 report(s) FAILED: region-emea/picky" in err
    day = reports / AS_OF
    assert _manifest(day / "region-emea")["status"] == "FAILED"
    assert _manifest(day / "region-na")["status"] == "OK" and _manifest(day)["status"] == "OK"
    assert 'class="FAILED">FAILED' in (day / "index.html").read_text()


@pytest.mark.parametrize(("args", "message"), [
    (["--for-each", "planet"], "'planet' is not a column of the reps table"),
    (["--for-each", "missing/scopes.txt"], "no such scope file"),
    (["--scope", "region=Mars"], "scope region=Mars matches nobody on 2026-03-31"),
    (["--param", "scope=regoin=EMEA"], "'regoin' is not a column"),
    (["--scope", "region"], "scope must be"),
    (["--scope", "region=EMEA", "--param", "scope=region=NA"], "the scope is given twice"),
    (["--scope", "region=EMEA", "--for-each", "region"], "cannot be combined with --scope"),
])
def test_bad_scopes_exit_2_before_anything_runs(tmp_path, data, capsys, args, message):
    reports = tmp_path / "reports"
    assert _run(reports, data, "alpha", *args) == 2
    assert message in capsys.readouterr().err
    assert not reports.exists()


@pytest.mark.parametrize(("lines", "message"), [
    ("# nobody\n\n", "no scope listed"),
    ("region=EMEA\nregion=Atlantis\n", "scope region=Atlantis matches nobody"),
    ("region=EMEA\nregion EMEA\n", "line 2"),
])
def test_bad_scope_files_exit_2(tmp_path, data, capsys, lines, message):
    scopes = tmp_path / "scopes.txt"
    scopes.write_text(lines)
    reports = tmp_path / "reports"
    assert _run(reports, data, "alpha", "--for-each", str(scopes)) == 2
    assert message in capsys.readouterr().err
    assert not reports.exists()


def test_a_notebook_without_scope_cannot_run_for_an_audience(tmp_path, data, capsys):
    reports = tmp_path / "reports"
    code = main(["run", "ok_report", "--as-of", AS_OF, "--data", str(data), "--reports-dir",
                 str(reports), "--notebooks-dir", NOTEBOOKS, "--scope", "region=EMEA"])
    err = capsys.readouterr().err
    assert code == 2 and "needs a 'scope' parameter, which ok_report does not declare" in err
    assert "ok_report declares: as_of, data_dir, period, label" in err
    assert not reports.exists()
