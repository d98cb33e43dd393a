"""The CLI's parameter surface: strict --as-of, --help-params, the contract enforced before running."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from salesops.orchestration.cli import build_parser, main

NOTEBOOKS = str(Path(__file__).parent / "notebooks")
SHIPPED = str(Path(__file__).resolve().parents[2] / "notebooks")


@pytest.mark.parametrize("text", ["2026-3-1", "tomorrow", "31/03/2026", "2026-02-30",
                                  "20260331", "2026-03-31T00:00", "now", ""])
def test_as_of_refuses_anything_but_iso_dates_today_and_yesterday(text, capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["run", "--as-of", text])
    assert exit_.value.code == 2 and "YYYY-MM-DD" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "days_back"), [("today", 0), ("yesterday", 1),
                                                 ("Yesterday", 1)])
def test_as_of_today_and_yesterday(text, days_back):
    args = build_parser().parse_args(["run", "--as-of", text])
    assert args.as_of == (dt.date.today() - dt.timedelta(days=days_back)).isoformat()
    assert build_parser().parse_args(["run", "--as-of", "2026-03-31"]).as_of == "2026-03-31"


def test_help_params_lists_parameters_with_defaults_and_comments(capsys):
    assert main(["run", "forecast", "--notebooks-dir", SHIPPED, "--help-params"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("forecast parameters")
    assert "  horizon = 4  [a whole number]  # periods ahead for the time-series forecast" in out
    assert "  scope = None" in out and '"region=EMEA"' in out


def test_help_params_for_an_unknown_notebook_exits_2(capsys):
    assert main(["run", "nope", "--notebooks-dir", SHIPPED, "--help-params"]) == 2
    assert "unknown notebook(s): nope" in capsys.readouterr().err


def test_a_typo_in_a_param_exits_2_before_anything_runs(tmp_path, capsys):
    code = main(["run", "ok_report", "--notebooks-dir", NOTEBOOKS, "--reports-dir", str(tmp_path),
                 "--param", "lable=hello"])
    err = capsys.readouterr().err
    assert code == 2
    assert "'lable' is not declared by ok_report" in err and "did you mean 'label'?" in err
    assert "ok_report declares: as_of, data_dir, period, label" in err
    assert not any(tmp_path.iterdir())


def test_scoep_for_the_shipped_notebooks_exits_2_instead_of_the_company_report(tmp_path, capsys):
    code = main(["run", "--notebooks-dir", SHIPPED, "--reports-dir", str(tmp_path),
                 "--param", "scoep=region=EMEA"])
    err = capsys.readouterr().err
    assert code == 2 and "did you mean 'scope'?" in err
    assert ("--param 'scoep' is not declared by comp_plan_evaluation, data_quality, forecast, "
            "performance_review") in err
    assert "data_quality declares: as_of, data_dir, scope" in err
    assert not any(tmp_path.iterdir())


def test_period_for_a_notebook_without_period_exits_2(tmp_path, capsys):
    code = main(["run", "comp_plan_evaluation", "forecast", "--notebooks-dir", SHIPPED,
                 "--reports-dir", str(tmp_path), "--period", "month"])
    err = capsys.readouterr().err
    assert code == 2 and "'period' (set by --period) is not declared by comp_plan_evaluation" in err
    assert not any(tmp_path.iterdir())


def test_a_hash_in_a_param_value_reaches_the_notebook_as_typed(tmp_path):
    data = tmp_path / "processed"
    data.mkdir()
    (data / "settings.json").write_text('{"currency": "USD", "fiscal_year_start_month": 1}')
    reports = tmp_path / "reports"
    code = main(["run", "ok_report", "--notebooks-dir", NOTEBOOKS, "--reports-dir", str(reports),
                 "--data", str(data), "--as-of", "2026-03-31", "--param", "label=EMEA # west"])
    assert code == 0
    html = (reports / "2026-03-31" / "ok_report.html").read_text()
    assert "label=EMEA # west" in html  # YAML would have cut the value at '#'


@pytest.mark.parametrize(("param", "message"), [
    ("pw=x", "looks like a secret"), ("auth=x", "looks like a secret"),
    ("stripe=x", "looks like a secret"), ("p\u0430ssword=x", "looks like a secret"),
    ("\uff50\uff57=x", "looks like a secret"),
    ("label=sk_live_51H8abcdEFGHijkl", "looks like a credential"),
    ("label=Bearer abcdefgh12345678", "looks like a credential"),
    ("label=https://x.example/?api_key=abc123", "looks like a credential"),
])
def test_secret_params_exit_2_without_echoing_the_value(tmp_path, capsys, param, message):
    code = main(["run", "ok_report", "--notebooks-dir", NOTEBOOKS, "--reports-dir", str(tmp_path),
                 "--param", param])
    err = capsys.readouterr().err
    value = param.partition("=")[2]
    assert code == 2 and message in err and (value == "x" or value not in err)
    assert not any(tmp_path.iterdir())
