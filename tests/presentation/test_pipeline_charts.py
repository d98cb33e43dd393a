"""The movement waterfall: start and end bars, up and down steps in their own colours, each
bar labelled in compact money, floating from where the step before ended, within MAX_WIDTH."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import pandas as pd  # noqa: E402
from IPython.display import HTML  # noqa: E402

from salesops.presentation.pipeline_charts import COLOURS, step_label, waterfall  # noqa: E402
from salesops.presentation.sections import figure_texts  # noqa: E402
from salesops.presentation.style import BAD, GOOD, MAX_WIDTH, PRIMARY  # noqa: E402

STEPS = ["start", "created", "pulled_in", "increased", "won", "lost", "pushed_out", "decreased",
         "end"]


def bridge(amounts, deals=None):
    return pd.DataFrame({"step": STEPS, "amount": amounts,
                         "deals": deals or [1] * len(STEPS)})


# start 10M + created 2M + pulled in 1M + increased 0.5M - won 3M - lost 1M - pushed out 2M
# - decreased 0.5M = 7M
AMOUNTS = [10e6, 2e6, 1e6, 0.5e6, -3e6, -1e6, -2e6, -0.5e6, 7e6]


def bars(fig):
    return [p for p in fig.axes[0].patches]


def test_bars_float_from_the_running_total_in_the_house_colours():
    fig = waterfall(bridge(AMOUNTS), "Last 7 days", start=pd.Timestamp("2026-11-24"),
                    end=pd.Timestamp("2026-12-01"))
    fig.canvas.draw()
    patches = sorted(bars(fig), key=lambda p: p.get_y())
    assert len(patches) == 9
    # (left edge, right edge) of each bar in millions: running totals 10, 12, 13, 13.5, 10.5,
    # 9.5, 7.5, 7; start and end stand on zero
    spans = [(round(min(p.get_x(), p.get_x() + p.get_width()) / 1e6, 6),
              round(max(p.get_x(), p.get_x() + p.get_width()) / 1e6, 6)) for p in patches]
    assert spans == [(0, 10), (10, 12), (12, 13), (13, 13.5), (10.5, 13.5), (9.5, 10.5),
                     (7.5, 9.5), (7, 7.5), (0, 7)]
    colours = [mcolors.to_hex(p.get_facecolor()) for p in patches]
    assert colours == [PRIMARY.lower(), *[GOOD.lower()] * 3, *[BAD.lower()] * 4, PRIMARY.lower()]
    assert len({c for c, _ in COLOURS.values()}) == 3
    texts = figure_texts(fig)
    for label in ("$10M", "+$2M", "+$1M", "+$500K", "-$3M", "-$1M", "-$2M", "-$500K", "$7M",
                  "Start 2026-11-24", "End 2026-12-01", "Pushed out", "Pulled in",
                  "Pipeline on the date", "Added", "Taken out"):
        assert label in texts, label
    assert fig.get_size_inches()[0] <= MAX_WIDTH
    # the start is read first, at the top
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0] == "Start 2026-11-24" and labels[-1] == "End 2026-12-01"
    assert fig.axes[0].yaxis_inverted()


def test_every_label_stays_inside_the_axes():
    fig = waterfall(bridge(AMOUNTS), "Since quarter start")
    fig.canvas.draw()
    ax = fig.axes[0]
    right = ax.get_window_extent().x1
    for text in ax.texts:
        assert text.get_window_extent().x1 <= right + 1, text.get_text()


def test_nothing_to_chart_is_one_sentence():
    out = waterfall(bridge([0.0] * 9), "Last 7 days")
    assert isinstance(out, HTML) and "nothing to chart" in out.data


def test_step_names():
    assert step_label("pushed_out") == "Pushed out"
    assert step_label("start", pd.Timestamp("2026-09-30")) == "Start 2026-09-30"
    assert step_label("end") == "End"
