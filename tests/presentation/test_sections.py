"""Sections the data cannot support: their sentence instead of content, and figures embedded once."""

import matplotlib

matplotlib.use("Agg")

import base64  # noqa: E402
import html  # noqa: E402
import io  # noqa: E402
import re  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from IPython.display import HTML  # noqa: E402
from PIL import Image  # noqa: E402

from salesops.data.requirements import AVAILABLE, Availability  # noqa: E402
from salesops.data.scope import parse_scope  # noqa: E402
from salesops.presentation.sections import (  # noqa: E402
    alt_text,
    as_image,
    block,
    only_if,
    scope_title,
    show,
    unavailable,
    unavailable_notes,
)
from salesops.presentation.tables import styled_table  # noqa: E402


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
    ax.set_yticks([0, 1.5, 3.0])  # tick labels independent of the style other tests set
    ax.annotate("Best: Bo Chen", (1, 4))
    ax.legend()
    return fig


def _image(html_text):
    """The alt text and the PNG's text chunks of the one embedded image."""
    alt = html.unescape(re.search(r'alt="([^"]*)"', html_text).group(1))
    data = re.search(r'src="data:image/png;base64,([^"]+)"', html_text).group(1)
    return alt, Image.open(io.BytesIO(base64.b64decode(data))).text


def test_as_image_embeds_the_png_with_its_text_and_alt_text_and_closes_the_figure():
    fig = _chart()
    alt, chunks = _image(as_image(fig).data)
    assert alt == ("Bookings by rep: bar chart and line chart (x axis: Ann <Lee> to Bo Chen; "
                   "y axis: USD (0.0 to 3.0)); legend: Quota, Bookings.")  # lines before bars
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
    ax.set(xticks=[], yticks=[])
    assert alt_text(fig) == 'Team "A" <b>: line chart.'
    assert 'alt="Team &quot;A&quot; &lt;b&gt;: line chart."' in as_image(fig).data


def test_alt_text_names_each_axis_by_its_label_and_tick_range_and_the_figure_key():
    from salesops.presentation import style
    fig, ax = style.new_figure()
    ax.plot(range(4), [0.2, 0.5, 0.4, 0.9], label="Attainment")
    ax.plot(range(4), [1, 1, 1, 1], label="Quota")
    style.period_axis(ax, ["FY2026 Q1", "FY2026 Q2", "FY2026 Q3", "FY2026 Q4"])
    style.percent_axis(ax)
    ax.set(title="Attainment by quarter", ylim=(0, 1))
    style.legend_outside(ax)
    alt, _ = _image(as_image(fig).data)
    assert alt == ("Attainment by quarter: line chart (x axis: FY2026 Q1 to FY2026 Q4; y axis: "
                   "0% to 100%). Legend: Attainment, Quota.")


def test_alt_override_and_an_empty_figure_still_has_a_description():
    fig, ax = plt.subplots()
    ax.plot([1, 2])
    assert 'alt="Bookings rose every quarter."' in as_image(fig, alt="Bookings rose every "
                                                             "quarter.").data
    empty = plt.figure()
    assert alt_text(empty) == "Chart."


def test_wide_figures_are_narrowed_to_the_house_width():
    from salesops.presentation import style
    fig, _ = plt.subplots(1, 2, figsize=(12, 4))
    fig.axes[0].bar(["a"], [1])
    data = re.search(r'base64,([^"]+)"', as_image(fig).data).group(1)
    width = Image.open(io.BytesIO(base64.b64decode(data))).size[0]
    assert width <= style.MAX_WIDTH * fig.dpi + 10  # bbox "tight" trims or pads a few px


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


def test_block_joins_sentences_figures_tables_and_html_in_order():
    fig, _ = plt.subplots()
    out = block(["a <b>", None, HTML("<hr>"), [styled_table(pd.DataFrame({"x": [1]})), fig]]).data
    assert out.startswith("<p>a &lt;b&gt;</p><hr><style")
    assert out.index("<table") < out.index("<img")
