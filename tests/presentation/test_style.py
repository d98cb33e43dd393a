"""The house chart style: palette, readable fonts at phone width, axes whose tick labels never
repeat, legends off the data, value labels inside the plot, fiscal period axes."""

import matplotlib

matplotlib.use("Agg")

import io  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from PIL import Image  # noqa: E402

from salesops.presentation import formatting, style  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_palette_is_okabe_ito_and_the_old_names_still_work():
    assert style.PALETTE == ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
                             "#F0E442", "#000000"]
    assert (style.PRIMARY, style.GOOD, style.BAD, style.NEUTRAL, style.ACCENT) == (
        "#0072B2", "#009E73", "#D55E00", "#999999", "#E69F00")
    fig, ax = style.new_figure()
    assert ax.plot([0, 1])[0].get_color() == "#0072B2"  # the cycle starts with the palette


def _png_width(fig) -> int:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return Image.open(buffer).size[0]


def test_fonts_are_readable_when_the_chart_is_shown_360_px_wide():
    fig, ax = style.new_figure(12, 4)  # asked wider than the house allows: capped
    assert fig.get_size_inches()[0] == style.MAX_WIDTH
    ax.bar(["Ann Lee", "Bo Chen"], [1.2e6, 0.8e6], label="Bookings")
    ax.set(title="Bookings by rep", xlabel="Rep", ylabel="Bookings")
    style.money_axis(ax)
    style.legend_outside(ax)
    width = _png_width(fig)
    scale = 360 / width  # the image shrinks to the phone's 360 px
    sizes = [t.get_fontsize() * fig.dpi / 72 * scale for t in fig.findobj(Text)
             if t.get_visible() and t.get_text()]
    assert sizes and min(sizes) >= 9.5, (width, min(sizes))


def _labels(ax, axis, low, high):
    """Tick labels matplotlib would draw for the visible ticks of ``axis`` over [low, high]."""
    (ax.set_ylim if axis == "y" else ax.set_xlim)(low, high)
    target = ax.yaxis if axis == "y" else ax.xaxis
    locs = [v for v in target.get_majorticklocs() if low - 1e-12 <= v <= high + 1e-12]
    return target.get_major_formatter().format_ticks(locs)


def test_tick_decimals_come_from_the_step():
    assert style.tick_decimals([0, 0.5, 1.0, 1.5]) == 1   # 0.5 steps need one decimal
    assert style.tick_decimals([0, 25, 50, 75]) == 0
    assert style.tick_decimals([0.1, 0.15, 0.2]) == 2
    assert style.tick_decimals([0.3333, 0.6667]) == 4


def test_percent_axis_half_point_steps_are_not_rounded_to_duplicates():
    fig, ax = style.new_figure()
    style.percent_axis(ax)
    # ticks at 0, 0.5%, 1%, ... would read "0%, 0%, 1%, 2%" with whole percents
    labels = _labels(ax, "y", 0, 0.025)
    assert labels == ["0%", "0.5%", "1%", "1.5%", "2%", "2.5%"]
    assert _labels(ax, "y", 0, 1.0) == ["0%", "20%", "40%", "60%", "80%", "100%"]


def test_money_axis_shares_one_unit_and_shows_the_currency():
    fig, ax = style.new_figure()
    style.money_axis(ax)
    assert _labels(ax, "y", 0, 1.5e6) == ["$0", "$0.2M", "$0.4M", "$0.6M", "$0.8M", "$1M",
                                          "$1.2M", "$1.4M"]
    style.money_axis(ax, "CHF", axis="x")
    assert _labels(ax, "x", -2000, 2000)[:2] == ["-2K CHF", "-1.5K CHF"]


@settings(max_examples=60)
@given(st.floats(-3, 3), st.floats(1e-4, 50), st.sampled_from(["pct", "money"]))
def test_tick_labels_never_repeat(low, span, kind):
    fig, ax = plt.subplots()
    if kind == "pct":
        style.percent_axis(ax)
    else:
        style.money_axis(ax)
        low, span = low * 1e6, span * 1e6
    labels = _labels(ax, "y", low, low + span)
    plt.close(fig)
    assert len(labels) == len(set(labels)), labels
    assert not any(label.startswith("-") and label.strip("-$0%MK") == "" for label in labels)


def test_count_axis_has_whole_numbers_with_separators():
    fig, ax = style.new_figure()
    style.count_axis(ax)
    labels = _labels(ax, "y", 0, 3)
    assert labels == ["0", "1", "2", "3"]
    assert _labels(ax, "y", 0, 20000)[-1] == "20,000"


def _inside(inner, outer, tol=1.0):
    return (inner.x0 >= outer.x0 - tol and inner.x1 <= outer.x1 + tol
            and inner.y0 >= outer.y0 - tol and inner.y1 <= outer.y1 + tol)


@pytest.mark.parametrize("horizontal", [True, False])
def test_bar_labels_fit_inside_the_plot(horizontal):
    fig, ax = style.new_figure()
    names, values = ["Ann Lee", "Bo Chen", "Cy Diaz"], [1.82, 0.4, 1.79]
    bars = ax.barh(names, values) if horizontal else ax.bar(names, values)
    texts = style.bar_labels(ax, bars, lambda v: formatting.pct(v, 1))
    fig.canvas.draw()
    box = ax.get_window_extent()
    assert [t.get_text() for t in texts] == ["182.0%", "40.0%", "179.0%"]
    assert all(_inside(t.get_window_extent(), box) for t in texts)


def test_bar_labels_of_negative_bars_fit_too():
    fig, ax = style.new_figure()
    bars = ax.bar(["A", "B"], [-3e6, 5.5e6])
    texts = style.bar_labels(ax, bars, lambda v: formatting.money(v, compact=True))
    fig.canvas.draw()
    box = ax.get_window_extent()
    assert all(_inside(t.get_window_extent(), box) for t in texts)


def _overlaps(a, b):
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize("where", ["below", "right"])
def test_legend_is_never_over_the_data(where):
    fig, ax = style.new_figure()
    for i, name in enumerate(("Bookings", "Quota", "Forecast", "Pipeline")):
        ax.plot(np.arange(5), np.arange(5) * i, label=name)
    ax.set_xlabel("Quarter")
    style.legend_outside(ax, where)
    fig.canvas.draw()
    legend = (fig.legends or [ax.get_legend()])[0]
    assert [t.get_text() for t in legend.get_texts()] == ["Bookings", "Quota", "Forecast",
                                                          "Pipeline"]
    assert not _overlaps(legend.get_window_extent(), ax.get_window_extent())
    assert not _overlaps(legend.get_window_extent(), ax.xaxis.label.get_window_extent())


def test_legend_right_of_each_axes_when_there_are_several():
    fig, (top, bottom) = plt.subplots(2, 1)
    top.plot([0, 1], label="a")
    bottom.plot([0, 1], label="b")
    style.legend_outside(top)
    assert top.get_legend() is not None and not fig.legends


def test_period_axis_labels_fiscal_periods_without_crowding():
    fig, ax = style.new_figure()
    labels = [f"FY{2024 + i // 4} Q{i % 4 + 1}" for i in range(10)]
    style.period_axis(ax, labels)
    shown = [t.get_text() for t in ax.get_xticklabels()]
    # 10 periods, at most 8 labels: every 2nd, counting back from the latest
    assert shown == ["", "FY2024 Q2", "", "FY2024 Q4", "", "FY2025 Q2", "", "FY2025 Q4", "",
                     "FY2026 Q2"]
    style.period_axis(ax, labels[:4])
    assert [t.get_text() for t in ax.get_xticklabels()] == labels[:4]
