"""Pipeline inspection charts in the house style: the movement waterfall (start, each reason's
step, end) of one window; a sentence instead when there is nothing to chart."""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from salesops.presentation import formatting
from salesops.presentation.html import paragraphs
from salesops.presentation.style import (
    BAD,
    GOOD,
    PRIMARY,
    TEXT,
    figure_height_for,
    legend_outside,
    money_axis,
    new_figure,
)

#: The bridge's steps as a reader names them, in the order the waterfall draws them.
STEP_NAMES = {"start": "Start", "created": "Created", "pulled_in": "Pulled in",
              "increased": "Increased", "won": "Won", "lost": "Lost",
              "pushed_out": "Pushed out", "decreased": "Decreased", "end": "End"}
#: Bar colours (Okabe-Ito) and their key: the pipeline at either date, steps up, steps down.
COLOURS = {"level": (PRIMARY, "Pipeline on the date"), "up": (GOOD, "Added"),
           "down": (BAD, "Taken out")}


def step_label(step: str, start: pd.Timestamp | None = None,
               end: pd.Timestamp | None = None) -> str:
    """A bridge step's name: 'Pushed out'; the start and end rows carry their date when given
    ('Start 2026-11-24')."""
    name = STEP_NAMES.get(step, step.replace("_", " ").capitalize())
    when = {"start": start, "end": end}.get(step)
    return f"{name} {pd.Timestamp(when):%Y-%m-%d}" if when is not None else name


def _kind(step: str, amount: float) -> str:
    if step in ("start", "end"):
        return "level"
    return "down" if amount < 0 else "up"


def waterfall(bridge: pd.DataFrame, title: str, currency: str = "USD",
              start: pd.Timestamp | None = None, end: pd.Timestamp | None = None
              ) -> Figure | HTML:
    """The movement bridge as a horizontal waterfall read top to bottom: the pipeline at the
    start, each step floating from where the one before ended (up steps green, down steps
    vermillion, each labelled in signed compact money), the pipeline at the end; every colour
    in the key below. ``bridge``: rows start, ..., end with step and amount (down steps
    negative). A sentence instead when the pipeline was empty at both dates and nothing moved."""
    steps = bridge["step"].astype(str).tolist()
    amounts = bridge["amount"].to_numpy(float)
    if not np.any(amounts):
        return paragraphs([f"{title}: no open pipeline at either date and nothing moved, so "
                           "nothing to chart."])
    levels = np.cumsum(np.where([s == "end" for s in steps], 0.0, amounts))
    lefts = np.where([s in ("start", "end") for s in steps], 0.0, levels - amounts)
    kinds = [_kind(s, a) for s, a in zip(steps, amounts, strict=True)]
    fig, ax = new_figure(height=figure_height_for(len(steps), per_row=0.42, minimum=3.5))
    y = np.arange(len(steps))
    for kind, (colour, name) in COLOURS.items():
        at = [i for i, k in enumerate(kinds) if k == kind]
        if at:
            ax.barh(y[at], amounts[at], left=lefts[at], color=colour, label=name, height=0.7)
    rights = np.maximum(lefts, lefts + amounts)
    span = max(rights.max(), 0) - min(lefts.min(), 0) or 1.0
    for i, (step, amount) in enumerate(zip(steps, amounts, strict=True)):
        text = formatting.money(amount, currency, compact=True)
        if step not in ("start", "end") and formatting.shown_money(amount) > 0:
            text = "+" + text
        ax.text(rights[i] + span * 0.015, i, text, va="center", ha="left", fontsize=TEXT)
    widest = max(len(formatting.money(a, currency, compact=True)) + 1 for a in amounts)
    # room at the right for the widest label: ~0.62 em per character of the axes' ~4 inches
    room = widest * 0.62 * TEXT / 72 / 4.0
    ax.set_xlim(min(lefts.min(), 0), rights.max() + span * (0.03 + room / (1 - room)))
    ax.set_yticks(y, [step_label(s, start, end) for s in steps])
    ax.invert_yaxis()  # read from the start at the top to the end at the bottom
    ax.grid(axis="y", visible=False)
    ax.set_title(title)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4))  # money ticks never run together
    money_axis(ax, currency, axis="x")
    legend_outside(ax, ncol=3)
    return fig
