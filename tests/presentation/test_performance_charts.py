import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from salesops.analysis.performance.leaderboard import attainment_distribution, leaderboard  # noqa: E402
from salesops.presentation import performance_charts as charts  # noqa: E402


def board(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    reps = pd.DataFrame({
        "rep_id": [f"R{i}" for i in range(n)], "name": [f"Rep <b>{i}</b> Longname" for i in range(n)],
        "team": [f"Team {i % 5}" for i in range(n)], "attainment": rng.gamma(2, 0.5, n),
        "bookings": rng.uniform(0, 1e6, n), "quota": 5e5, "win_rate": 0.3,
        "active": True, "tenure_months": 12, "quota_status": "ok",
    })
    return leaderboard(reps)


def test_leaderboard_labels_do_not_overlap_for_45_reps():
    fig = charts.leaderboard_chart(board(45))
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in fig.axes[0].get_yticklabels()]
    assert len(boxes) == 45
    ordered = sorted(boxes, key=lambda b: b.y0)
    assert all(a.y1 <= b.y0 + 0.5 for a, b in zip(ordered, ordered[1:], strict=False))


def test_large_leaderboard_shows_top_and_bottom_only():
    fig = charts.leaderboard_chart(board(500), max_bars=60)
    assert len(fig.axes[0].get_yticklabels()) == 60
    assert "top and bottom 30 of 500" in fig.axes[0].get_title(loc="left")
    assert fig.get_figheight() < 20


def test_histogram_has_unit_labels_and_handles_no_ranked_reps():
    b = board(10)
    fig = charts.attainment_histogram(b, attainment_distribution(b, 0.5))
    assert "%" in fig.axes[0].get_xlabel() and "count" in fig.axes[0].get_ylabel()
    empty = b.assign(rank=np.nan)
    charts.attainment_histogram(empty, attainment_distribution(empty))


def test_tables_escape_names_and_format_money():
    html = charts.leaderboard_table(board(3)).to_html()
    assert "<b>" not in html and "&lt;b&gt;" in html and "$" in html and "%" in html
    rollup = pd.DataFrame({"team": ["<T>"], "bookings": [1234.0], "quota": [0.0],
                           "attainment": [np.nan]})
    html = charts.rollup_table(rollup, "team").to_html()
    assert "&lt;T&gt;" in html and "$1,234" in html and "–" in html
