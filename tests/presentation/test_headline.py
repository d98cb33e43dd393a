import json
import math
import warnings

import nbformat
import papermill
import pytest
from nbconvert import HTMLExporter

from salesops.presentation.headline import HEADLINE_MIME, Headline, is_headline, publish, read

ITEMS = [Headline("bookings", "Bookings", 1_512_345.6, "$1.5M", "FY2027 Q1"),
         Headline("quota", "Quota", math.nan, "–", "FY2027 Q1", note="no quota set")]


def test_bundle_is_plain_json_with_missing_values_as_null():
    data = publish("forecast", ITEMS).data
    assert data == {"report": "forecast", "items": [
        {"key": "bookings", "label": "Bookings", "value": 1_512_345.6, "text": "$1.5M",
         "period": "FY2027 Q1", "note": ""},
        {"key": "quota", "label": "Quota", "value": None, "text": "–", "period": "FY2027 Q1",
         "note": "no quota set"}]}
    json.dumps(data, allow_nan=False)  # valid JSON: no NaN


def _notebook(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def _output(data):
    return nbformat.v4.new_output("display_data", data=data)


def test_read_finds_the_bundle_or_nothing():
    nb = _notebook("x", "y")
    assert read(nb) == {}
    nb.cells[0].outputs = [_output({"text/plain": "1"})]
    nb.cells[1].outputs = [_output({HEADLINE_MIME: publish("forecast", ITEMS).data})]
    assert read(nb)["report"] == "forecast" and read(nb)["items"][0]["value"] == 1_512_345.6
    assert is_headline(nb.cells[1].outputs[0]) and not is_headline(nb.cells[0].outputs[0])
    read(nb)["items"].clear()  # a copy: the notebook is not changed
    assert len(read(nb)["items"]) == 2


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """A tiny notebook publishing a headline as its cell's last output, run by papermill."""
    folder = tmp_path_factory.mktemp("headline")
    code = ("import math\nfrom salesops.presentation.headline import Headline, publish\n"
            "print('visible text')\n"
            "publish('forecast', [Headline('bookings', 'Bookings', 1512345.6, 'ONE-POINT-FIVE',"
            " 'FY2027 Q1'), Headline('quota', 'Quota', math.nan, '–')])")
    nbformat.write(_notebook(code), folder / "in.ipynb")
    papermill.execute_notebook(str(folder / "in.ipynb"), str(folder / "out.ipynb"),
                               kernel_name="python3", progress_bar=False)
    return nbformat.read(folder / "out.ipynb", as_version=4)


def test_executed_notebook_stores_only_the_headline_representation(executed):
    outputs = executed.cells[0].outputs
    assert [o.output_type for o in outputs] == ["stream", "display_data"]  # no execute_result
    assert list(outputs[1].data) == [HEADLINE_MIME]  # no text/plain, no text/html
    found = read(executed)
    assert found["report"] == "forecast"
    assert [(i["key"], i["value"], i["text"]) for i in found["items"]] == [
        ("bookings", 1512345.6, "ONE-POINT-FIVE"), ("quota", None, "–")]


def test_html_export_shows_nothing_of_the_bundle(executed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbconvert: the bundle "is not able to be represented"
        page, _ = HTMLExporter(exclude_input=True).from_notebook_node(executed)
    assert "visible text" in page
    assert "ONE-POINT-FIVE" not in page and "1512345" not in page and "salesops" not in page


def test_coverage_items_say_the_need_and_what_it_rests_on_once():
    from salesops.data.coverage import Coverage
    from salesops.presentation.headline import coverage_items
    cov = Coverage(period="FY2027 Q1", pipeline=16_300_000, deals=205, unknown_amount=0,
                   quota=15_400_000, booked=0, to_close=15_400_000, ratio=16.3 / 15.4,
                   conversion=0.4, periods_measured=4, needed=2.5)
    ratio, needed = coverage_items(cov)
    assert (ratio.key, ratio.text, ratio.note) == ("coverage_next", "1.1x",
                                                   "of the $15.4M still to close")
    assert (needed.key, needed.text, needed.period) == ("coverage_needed_next", "2.5x", "FY2027 Q1")
    # the note does not repeat the "2.5x" its text already shows
    assert needed.note == "at the usual conversion: 40% of such pipeline closed over the last 4 quarters"
    unmeasured = Coverage("FY2027 Q1", 0.0, 0, 0, math.nan, 0.0, math.nan, math.nan, math.nan, 0,
                          math.nan)
    ratio, needed = coverage_items(unmeasured)
    assert (ratio.value, ratio.text, ratio.note) == (None, "–", "")
    assert needed.note == "the usual conversion cannot be measured: fewer than 2 past quarters"
