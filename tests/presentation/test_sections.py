"""Sections the data cannot support: their sentence instead of content, and figures embedded once."""

import matplotlib

matplotlib.use("Agg")

import base64  # noqa: E402
import io  # noqa: E402
import re  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
from IPython.display import HTML  # noqa: E402
from PIL import Image  # noqa: E402

from salesops.data.requirements import AVAILABLE, Availability  # noqa: E402
from salesops.data.scope import parse_scope  # noqa: E402
from salesops.presentation.sections import (  # noqa: E402
    alt_text,
    as_image,
    only_if,
    scope_title,
    show,
    unavailable,
    unavailable_notes,
)


def test_show_renders_available_sections_and_the_escaped_sentence_otherwise():
    assert show(AVAILABLE, lambda: "table") == "table"
    note = show(Availability.missing("No <quotas> table."), lambda: 1 / 0)  # never computed
    assert note.data == unavailable(Availability.missing("No <quotas> table.")).data
    assert "No &lt;quotas&gt; table." in note.data and "salesops-unavailable" in note.data


def test_only_if_renders_available_sections_and_nothing_else():
    assert only_if(AVAILABLE, lambda: "table") == "table"
    assert only_if(Availability.missing("no"), lambda: 1 / 0) is None  # never computed


def test_unavailable_notes_render_each_missing_sentence_escaped():
    missing = Availability.missing("No <quotas> table.")
    html = unavailable_notes(AVAILABLE, missing).data
    assert html.count("salesops-unavailable") == 1 and "No &lt;quotas&gt; table." in html
    assert unavailable_notes(AVAILABLE).data == ""


def _chart():
    fig, ax = plt.subplots()
    ax.bar(["Ann <Lee>", "Bo Chen"], [3, 4], label="Bookings")
    ax.plot([0, 1], [3.5, 3.5], label="Quota")
    ax.set_title("Bookings by rep")
    ax.set_ylabel("USD")
    ax.annotate("Best: Bo Chen", (1, 4))
    ax.legend()
    return fig


def _image(html_text):
    """The alt text and the PNG's text chunks of the one embedded image."""
    alt = re.search(r'alt="([^"]*)"', html_text).group(1)
    data = re.search(r'src="data:image/png;base64,([^"]+)"', html_text).group(1)
    return alt, Image.open(io.BytesIO(base64.b64decode(data))).text


def test_as_image_embeds_the_png_with_its_text_and_alt_text_and_closes_the_figure():
    fig = _chart()
    alt, chunks = _image(as_image(fig).data)
    assert alt == ("Bookings by rep: bar chart and line chart (y axis: USD); legend: Quota, "
                   "Bookings.")  # matplotlib lists lines before bars
    assert chunks["Title"] == "Bookings by rep"
    lines = chunks["Description"].split("\n")
    for text in ("Ann <Lee>", "Bo Chen", "Best: Bo Chen", "USD", "Bookings", "Quota", "3.0"):
        assert text in lines  # tick labels, annotation, axis label, legend entries
    assert not plt.fignum_exists(fig.number)
    note = HTML("<p>x</p>")
    assert as_image(note) is note


def test_alt_text_is_escaped_in_the_img_element():
    fig, ax = plt.subplots()
    ax.set_title('Team "A" <b>')
    ax.plot([1, 2])
    assert alt_text(fig) == 'Team "A" <b>: line chart.'
    assert 'alt="Team &quot;A&quot; &lt;b&gt;: line chart."' in as_image(fig).data


def test_show_and_only_if_turn_a_figure_into_the_described_image():
    for wrap in (show, only_if):
        out = wrap(AVAILABLE, _chart)
        assert isinstance(out, HTML) and 'alt="Bookings by rep' in out.data


def test_scope_title_names_a_scoped_audience_only():
    company, emea = parse_scope(None), parse_scope("region=EMEA")
    assert scope_title("As of 2026-06-30", company) == "As of 2026-06-30"
    assert scope_title(None, company) is None
    assert scope_title("As of 2026-06-30", emea) == "As of 2026-06-30, Region EMEA"
    assert scope_title(None, emea) == "Region EMEA"


def test_png_text_that_is_not_latin1_is_kept_as_utf8():
    fig, ax = plt.subplots()
    ax.set_title("Team Αθήνα – Zoë")
    ax.bar(["Łukasz"], [1])
    _, chunks = _image(as_image(fig).data)
    assert chunks["Title"] == "Team Αθήνα – Zoë"
    assert "Łukasz" in chunks["Description"].split("\n")
