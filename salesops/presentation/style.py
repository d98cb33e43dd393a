"""The house chart style: one look for every salesops chart (fonts, palette, money axes)."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from salesops.presentation import formatting

#: Brand palette: primary, secondary, accent, good, bad, neutral.
PALETTE = ["#1f4e79", "#2e86c1", "#f39c12", "#27ae60", "#c0392b", "#7f8c8d", "#8e44ad", "#16a085"]
GOOD, BAD, NEUTRAL, PRIMARY = "#27ae60", "#c0392b", "#7f8c8d", "#1f4e79"


def apply_house_style() -> None:
    """Set seaborn/matplotlib defaults for readable, consistent report charts."""
    sns.set_theme(style="whitegrid", palette=PALETTE, font_scale=1.0)
    matplotlib.rcParams.update({
        "figure.figsize": (9, 4.5),
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "savefig.bbox": "tight",
        "axes.titlesize": 13,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": 11,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
        "figure.autolayout": True,
    })


def money_axis(ax: Axes, currency: str = "USD", axis: str = "y") -> None:
    """Format an axis as compact money ($1.2M)."""
    fmt = FuncFormatter(lambda v, _pos: formatting.money(v, currency, compact=True))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def percent_axis(ax: Axes, axis: str = "y", digits: int = 0) -> None:
    """Format an axis holding ratios (1.0 = 100%) as percentages."""
    fmt = PercentFormatter(xmax=1.0, decimals=digits)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def count_axis(ax: Axes, axis: str = "y") -> None:
    """Whole-number ticks on an axis of counts (no "1.5 reps")."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_locator(MaxNLocator(integer=True))


def figure_height_for(n_rows: int, per_row: float = 0.28, minimum: float = 3.0) -> float:
    """Height in inches that keeps one label per row readable (e.g. 40+ reps on a bar chart)."""
    return max(minimum, n_rows * per_row + 1.0)


def new_figure(width: float = 9, height: float = 4.5):
    """A figure and axes in the house style."""
    apply_house_style()
    return plt.subplots(figsize=(width, height))
