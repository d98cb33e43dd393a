"""The house chart style: one look for every salesops chart.

Colour-blind-safe Okabe-Ito palette; figures at most ``MAX_WIDTH`` inches wide with fonts sized
so that a chart scaled down to a 360 px phone screen still reads (about 9 px text and more);
axes for money (with the currency), percentages and counts whose tick labels never repeat;
legends beside or below the data, never over it; value labels that never clip; fiscal period
axes ("FY2026 Q4").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, MaxNLocator

from salesops.presentation import formatting

#: Okabe-Ito, safe for the common colour-vision deficiencies: blue, orange, bluish green,
#: vermillion, reddish purple, sky blue, yellow, black.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
PRIMARY, GOOD, BAD, NEUTRAL, ACCENT = "#0072B2", "#009E73", "#D55E00", "#999999", "#E69F00"
#: Widest figure (inches) and the default size: wider charts shrink more on a phone.
MAX_WIDTH, DEFAULT_SIZE = 6.5, (6.5, 4.0)
#: Font sizes (points) that stay >= ~9.5 px when a MAX_WIDTH chart is shown 360 px wide.
TEXT, LABEL, TITLE = 13, 13, 14
#: Decimals tried for tick labels, fewest first.
_DECIMALS = range(0, 10)


def apply_house_style() -> None:
    """Set seaborn/matplotlib defaults for readable, consistent report charts."""
    sns.set_theme(style="whitegrid", palette=PALETTE, font_scale=1.0)
    matplotlib.rcParams.update({
        "figure.figsize": DEFAULT_SIZE,
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "savefig.bbox": "tight",
        "font.size": TEXT,
        "axes.titlesize": TITLE,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": LABEL,
        "xtick.labelsize": TEXT,
        "ytick.labelsize": TEXT,
        "legend.fontsize": TEXT,
        "legend.title_fontsize": TEXT,
        "figure.titlesize": TITLE,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
        "legend.frameon": False,
        "figure.autolayout": True,
    })


def new_figure(width: float = DEFAULT_SIZE[0], height: float = DEFAULT_SIZE[1]):
    """A figure and axes in the house style, at most ``MAX_WIDTH`` inches wide."""
    apply_house_style()
    return plt.subplots(figsize=(min(width, MAX_WIDTH), height))


def figure_height_for(n_rows: int, per_row: float = 0.28, minimum: float = 3.0) -> float:
    """Height in inches that keeps one label per row readable (e.g. 40+ reps on a bar chart)."""
    return max(minimum, n_rows * per_row + 1.0)


def _axis(ax: Axes, axis: str):
    return ax.yaxis if axis == "y" else ax.xaxis


def tick_decimals(values: Sequence[float]) -> int:
    """Fewest decimals that show every tick value exactly (0.5 steps: 1), else the fewest that
    keep the labels distinct."""
    values = [float(v) for v in values if np.isfinite(v)]
    for digits in _DECIMALS:
        if all(abs(round(v, digits) - v) < 1e-9 * max(1.0, abs(v)) for v in values):
            return digits
    for digits in _DECIMALS:
        if len({round(v, digits) for v in values}) == len(set(values)):
            return digits
    return _DECIMALS[-1]


def _trimmed(number: float, digits: int) -> str:
    """``number`` with ``digits`` decimals, thousands separators, trailing zeros dropped."""
    text = f"{round(number, digits) + 0.0:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class _StepFormatter(Formatter):
    """Tick labels formatted together: ``label(value, unit, decimals)`` with the unit and the
    decimals chosen from all the ticks shown (so that no two labels read the same)."""

    def __init__(self, label: Callable[[float, float, int], str],
                 unit: Callable[[float], float] = lambda _top: 1.0) -> None:
        self.label, self.unit = label, unit
        self._ticks: list[float] = []

    def set_locs(self, locs: Sequence[float]) -> None:
        self._ticks = [float(v) for v in locs]

    def _visible(self) -> list[float]:
        low, high = sorted(self.axis.get_view_interval()) if self.axis else (-math.inf, math.inf)
        return [v for v in self._ticks if low - 1e-12 <= v <= high + 1e-12] or self._ticks

    def __call__(self, value: float, pos: int | None = None) -> str:
        shown = self._visible() or [value]
        unit = self.unit(max(abs(v) for v in shown))
        return self.label(value, unit, tick_decimals([v / unit for v in shown]))


def _money_unit(top: float) -> float:
    return next((t for t in (1e9, 1e6, 1e3) if top >= t), 1.0)


def money_axis(ax: Axes, currency: str = "USD", axis: str = "y") -> None:
    """An axis of amounts as compact money in ``currency`` ($0, $0.5M, $1M, $1.5M): one unit
    for all ticks, as many decimals as the tick step needs."""
    symbol = formatting.CURRENCY_SYMBOLS.get(currency, "")
    suffix = "" if symbol else f" {currency}"
    units = {1e9: "B", 1e6: "M", 1e3: "K", 1.0: ""}

    def label(value: float, unit: float, digits: int) -> str:
        text = _trimmed(abs(value) / unit, digits)
        if text == "0":
            return f"{symbol}0{suffix}"
        return f"{'-' if value < 0 else ''}{symbol}{text}{units[unit]}{suffix}"

    _axis(ax, axis).set_major_formatter(_StepFormatter(label, _money_unit))


def percent_axis(ax: Axes, axis: str = "y", digits: int | None = None) -> None:
    """An axis holding ratios (1.0 = 100%) as percentages; decimals from the tick step (0%,
    0.5%, 1%: never '0%, 0%, 1%') unless ``digits`` fixes them."""
    def label(value: float, _unit: float, auto: int) -> str:
        return f"{_trimmed(value * 100, auto if digits is None else digits)}%"

    _axis(ax, axis).set_major_formatter(_StepFormatter(label, lambda _top: 0.01))


def count_axis(ax: Axes, axis: str = "y") -> None:
    """Whole-number ticks on an axis of counts (no "1.5 reps"), with thousands separators."""
    _axis(ax, axis).set_major_locator(MaxNLocator(integer=True))
    _axis(ax, axis).set_major_formatter(_StepFormatter(lambda v, _u, _d: formatting.count(v)))


def period_axis(ax: Axes, labels: Sequence[str], axis: str = "x",
                positions: Sequence[float] | None = None, most: int = 8) -> None:
    """Fiscal period labels ("FY2026 Q4") at ``positions`` (default 0, 1, ...); with more than
    ``most`` periods every k-th is labelled (the latest always) so that labels never overlap."""
    where = list(range(len(labels))) if positions is None else list(positions)
    step = max(1, math.ceil(len(labels) / most))
    keep = {i for i in range(len(labels) - 1, -1, -step)}
    shown = [text if i in keep else "" for i, text in enumerate(labels)]
    (ax.set_xticks if axis == "x" else ax.set_yticks)(where, shown)
    if axis == "x":
        ax.tick_params(axis="x", which="major", length=3)


def legend_outside(ax: Axes, where: str = "below", **kwargs) -> None:
    """The legend of ``ax`` outside the data: centred below the chart (a figure with one axes)
    or at its right; nothing when nothing is labelled."""
    handles, labels = ax.get_legend_handles_labels()
    if not labels:
        return
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    fig = ax.figure
    if where == "below" and _single_axes(fig):
        try:
            fig.set_layout_engine("constrained")
        except RuntimeError:  # a colorbar made under another layout: keep it, legend right
            where = "right"
        else:
            fig.legend(handles, labels, loc="outside lower center",
                       ncol=min(len(labels), kwargs.pop("ncol", 3)), **kwargs)
            return
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0,
              **kwargs)


def _single_axes(fig: Figure) -> bool:
    return len([a for a in fig.axes if a.get_label() != "<colorbar>"]) == 1


def bar_labels(ax: Axes, bars: BarContainer, fmt: Callable[[float], str],
               fontsize: float = TEXT) -> list:
    """Value labels at the end of each bar (``fmt(value)``, e.g. ``formatting.pct``); the value
    axis grows so that every label fits inside the plot, never clipped at its edge."""
    values = np.asarray(bars.datavalues, dtype=float)
    texts = ["" if not np.isfinite(v) else fmt(v) for v in values]
    made = ax.bar_label(bars, labels=texts, padding=3, fontsize=fontsize)
    horizontal = bars.orientation == "horizontal"
    fig_w, fig_h = ax.figure.get_size_inches()
    box = ax.get_position()
    inches = (box.width * fig_w) if horizontal else (box.height * fig_h)
    widest = max((len(t) for t in texts), default=0)
    # text extent along the value axis, in inches: characters ~0.62 em wide across, one line up
    extent = ((widest * 0.62 if horizontal else 1.3) * fontsize + 6) / 72
    low, high = ax.get_xlim() if horizontal else ax.get_ylim()
    ends = values[np.isfinite(values)]
    span = high - low
    share = min(extent / max(inches * 0.8, 1e-6), 0.6)  # the layout may narrow the axes ~20%
    pad = span * share / (1 - share)
    new = (min(low, ends.min() - pad) if len(ends) and ends.min() < 0 else low,
           max(high, ends.max() + pad) if len(ends) and ends.max() > 0 else high)
    (ax.set_xlim if horizontal else ax.set_ylim)(*new)
    return made
