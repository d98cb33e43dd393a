"""The parameter contract: declared parameters, strict binding of --param texts, help text."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from salesops.orchestration.contract import (
    ParamSpec,
    bind,
    convert,
    declared,
    help_text,
    parse_parameters,
)
from salesops.orchestration.params import ParamError

SHIPPED = Path(__file__).resolve().parents[2] / "notebooks"
INJECTED = {"as_of": "2026-03-31", "data_dir": "/data"}


def write_notebook(path: Path, source: str | None) -> Path:
    """A notebook with a title and (unless ``source`` is None) a parameters cell."""
    cells = [new_markdown_cell("# Title")]
    if source is not None:
        cells.append(new_code_cell(source, metadata={"tags": ["parameters"]}))
    nbformat.write(new_notebook(cells=cells), path)
    return path


@pytest.fixture
def notebooks(tmp_path):
    a = write_notebook(tmp_path / "alpha.ipynb",
                       'as_of = None  # ISO date; None = today\ndata_dir = None\n'
                       'scope = None  # "region=EMEA", ...\nlabel = "x"\nhorizon = 4\n'
                       'share = 0.5\nverbose = False\nbudget = None\nperiod = "quarter"\n'
                       'reports_dir = None\n')
    b = write_notebook(tmp_path / "beta.ipynb",
                       "as_of = None\ndata_dir = None\nscope = None\nlabel = 'y'\n")
    return [a, b]


@pytest.mark.parametrize("name", ["comp_plan_evaluation", "data_quality", "forecast",
                                  "performance_review", "pipeline_inspection", "planning"])
def test_shipped_notebooks_declare_as_of_data_dir_and_scope(name):
    # papermill.inspect_notebook drops these three: their comments contain '='
    specs = declared(SHIPPED / f"{name}.ipynb")
    assert {"as_of", "data_dir", "scope"} <= specs.keys()
    assert specs["as_of"] == ParamSpec("as_of", "None", "None", "ISO date; None = today")


def test_types_defaults_and_help_come_from_the_parameters_cell():
    specs = parse_parameters('a = 3  # three\n# the label\n# shown on top\nb: str = None\n'
                             'c = 1.5\nd = True\ne = [1]\nf = os.sep\nx, y = 1, 2\n', "nb")
    assert specs["a"] == ParamSpec("a", "3", "int", "three")
    assert specs["b"] == ParamSpec("b", "None", "str", "the label shown on top")
    assert [specs[n].type_name for n in "cdef"] == ["float", "bool", "list", "None"]
    assert "x" not in specs


def test_a_notebook_without_parameters_cell_or_with_bad_code_is_an_error(tmp_path):
    with pytest.raises(ParamError, match="no cell tagged 'parameters'"):
        declared(write_notebook(tmp_path / "bare.ipynb", None))
    with pytest.raises(ParamError, match="not valid Python"):
        declared(write_notebook(tmp_path / "bad.ipynb", "a = (\n"))


def test_declared_rereads_a_notebook_that_changed(tmp_path):
    path = write_notebook(tmp_path / "nb.ipynb", "a = 1\n")
    assert list(declared(path)) == ["a"]
    write_notebook(path, "a = 1\nb = 2\n")
    os.utime(path, ns=(1, 10**18))  # a different mtime even on coarse file systems
    assert list(declared(path)) == ["a", "b"]


def test_a_typo_names_the_notebooks_and_their_declared_parameters(notebooks):
    with pytest.raises(ParamError) as err:
        bind(notebooks, {"scoep": "region=EMEA"}, INJECTED)
    message = str(err.value)
    assert "--param 'scoep' is not declared by alpha, beta" in message
    assert "did you mean 'scope'?" in message
    assert "beta declares: as_of, data_dir, scope, label" in message


def test_a_param_must_be_declared_by_every_selected_notebook(notebooks):
    with pytest.raises(ParamError, match=r"'horizon' is not declared by beta \(beta declares"):
        bind(notebooks, {"horizon": "2"}, INJECTED)
    assert bind(notebooks[:1], {"horizon": "2"}, INJECTED)["alpha"]["horizon"] == 2


def test_period_given_must_be_declared_by_every_notebook(notebooks):
    with pytest.raises(ParamError, match=r"'period' \(set by --period\) is not declared by beta"):
        bind(notebooks, {}, {**INJECTED, "period": "month"})


def test_as_of_and_data_dir_must_be_declared(tmp_path, notebooks):
    odd = write_notebook(tmp_path / "odd.ipynb", "label = 'z'\n")
    with pytest.raises(ParamError, match=r"'as_of' \(set by --as-of\) is not declared by odd"):
        bind([*notebooks, odd], {}, INJECTED)


def test_injected_values_go_only_where_declared(notebooks):
    bound = bind(notebooks, {"label": "a # b"},
                 {**INJECTED, "reports_dir": "/r", "scope": "region=EMEA"})
    assert bound["alpha"] == {**INJECTED, "reports_dir": "/r", "scope": "region=EMEA",
                              "label": "a # b"}
    assert bound["beta"] == {**INJECTED, "scope": "region=EMEA", "label": "a # b"}


def test_a_param_also_set_by_its_own_option_is_an_error(notebooks):
    with pytest.raises(ParamError, match="both as --param and by its own option"):
        bind(notebooks, {"scope": "region=EMEA"}, {**INJECTED, "scope": "team=x"})


@pytest.mark.parametrize(("type_name", "text", "value"), [
    ("str", "a # b", "a # b"), ("str", " 007 ", " 007 "), ("str", "true", "true"),
    ("str", "3", "3"), ("str", "", ""),
    ("int", "3", 3), ("int", "-4", -4), ("int", " 12 ", 12),
    ("float", "2.5", 2.5), ("float", "3", 3.0), ("float", "1e3", 1000.0),
    ("bool", "true", True), ("bool", "FALSE", False), ("bool", "True", True),
    ("None", "3", 3), ("None", "2.5", 2.5), ("None", "-4", -4), ("None", "true", True),
    ("None", "West", "West"), ("None", "NO", "NO"), ("None", "0123", "0123"),
    ("None", "1:20", "1:20"), ("None", "1_000", "1_000"), ("None", "2026-01-31", "2026-01-31"),
    ("None", "null", "null"), ("None", "[1, 2]", "[1, 2]"), ("None", "x # y", "x # y"),
])
def test_values_are_converted_by_the_declared_type(type_name, text, value):
    got = convert(ParamSpec("p", "d", type_name, ""), text, "nb")
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(("type_name", "text", "expected"), [
    ("int", "3.5", "a whole number"), ("int", "1_000", "a whole number"),
    ("int", "three", "a whole number"), ("int", "", "a whole number"),
    ("float", "nan", "a number"), ("float", "1/2", "a number"),
    ("bool", "yes", "true or false"), ("bool", "1", "true or false"),
    ("list", "1,2", "cannot be set with --param"),
])
def test_strict_types_refuse_other_text(type_name, text, expected):
    with pytest.raises(ParamError, match=expected) as err:
        convert(ParamSpec("p", "d", type_name, ""), text, "nb")
    assert "'p' of nb" in str(err.value)


def test_help_text_lists_defaults_and_comments():
    text = help_text(SHIPPED / "forecast.ipynb")
    assert text.startswith("forecast parameters")
    assert "  horizon = 4  [a whole number]  # periods ahead for the time-series forecast" in text
    assert "  as_of = None  [set with --as-of]  # ISO date; None = today" in text
    assert '  period = "quarter"  [set with --period]' in text
