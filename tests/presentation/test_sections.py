"""Sections the data cannot support: their sentence instead of content, and figures embedded once."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from IPython.display import HTML, Image  # noqa: E402

from salesops.data.requirements import AVAILABLE, Availability  # noqa: E402
from salesops.presentation.sections import (  # noqa: E402
    as_image,
    only_if,
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


def test_as_image_closes_the_figure_and_passes_sentences_through():
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    image = as_image(fig)
    assert isinstance(image, Image) and image.data[:4] == b"\x89PNG"
    assert not plt.fignum_exists(fig.number)
    note = HTML("<p>x</p>")
    assert as_image(note) is note
