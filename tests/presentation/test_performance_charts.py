import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from salesops.analysis.performance.diagnosis import Diagnosis  # noqa: E402
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


def test_histogram_has_unit_labels_and_no_ranked_reps_is_a_sentence():
    b = board(10)
    fig = charts.attainment_histogram(b, attainment_distribution(b, 0.5))
    assert "%" in fig.axes[0].get_xlabel() and "count" in fig.axes[0].get_ylabel()
    empty = b.assign(rank=np.nan)
    assert charts.attainment_histogram(empty, attainment_distribution(empty)) == charts.NO_RANKED_REP
    assert charts.leaderboard_chart(empty) == charts.NO_RANKED_REP


def test_tables_escape_names_and_format_money():
    html = charts.leaderboard_table(board(3)).data
    assert "<b>" not in html and "&lt;b&gt;" in html and "$" in html and "%" in html
    rollup = pd.DataFrame({"team": ["<T>"], "bookings": [1234.0], "quota": [0.0],
                           "attainment": [np.nan]})
    html = charts.rollup_table(rollup, "team").data
    assert "&lt;T&gt;" in html and "$1,234" in html and "–" in html


def test_long_rep_tables_say_they_are_cut_and_keep_every_row():
    html = charts.leaderboard_table(board(40)).data
    assert "Top 15 of 40 reps shown, by rank (attainment)" in html
    assert html.count("<details") == 1 and "All 40 reps" in html
    assert "Top 15" not in charts.leaderboard_table(board(15)).data


def test_departed_reps_are_marked_where_listed():
    b = board(3)
    left = b["rep_id"] == "R1"
    b = b.assign(termination_date=pd.Series(pd.Timestamp("2026-09-11"), b.index).where(left),
                 active=~left)
    html = charts.leaderboard_table(leaderboard(b)).data
    assert "Rep &lt;b&gt;1&lt;/b&gt; Longname (left 2026-09)" in html
    assert html.count("(left ") == 1
    consistency = pd.DataFrame({"name": ["Ann", "Dee"], "label": ["mixed", "volatile"],
                                "share_at_quota": [0.5, 0.25],
                                "termination_date": [pd.NaT, pd.Timestamp("2026-02-15")]})
    assert "Dee (left 2026-02)" in charts.consistency_table(consistency).data


def test_known_amounts_header_only_when_some_amount_is_unknown():
    rollup = pd.DataFrame({"team": ["A", "B"], "bookings": [10.0, 20.0],
                           "pipeline_created": [5.0, 6.0], "created_without_amount": [0, 0],
                           "coverage": [1.14, 0.5], "next_period_without_amount": [0, 0]})
    html = charts.rollup_table(rollup, "team").data
    assert "Pipeline created</th>" in html and "known amounts" not in html
    assert "Next-period coverage</th>" in html and "1.1x" in html and "0.5x" in html
    unknown = charts.rollup_table(rollup.assign(created_without_amount=[1, 0]), "team").data
    assert "Pipeline created (known amounts)" in unknown and "Created without amount" in unknown


def test_without_quota_the_leaderboard_charts_bookings_and_tables_leave_quota_out():
    reps = board(5).drop(columns=["quota", "attainment", "quota_status", "at_quota"])
    b = leaderboard(reps)  # ranked by bookings
    fig = charts.leaderboard_chart(b)
    assert "Bookings" in fig.axes[0].get_xlabel() and "by bookings" in fig.axes[0].get_title(loc="left")
    html = charts.leaderboard_table(b).data
    assert "Quota" not in html and "Attainment" not in html and "Leaderboard by bookings" in html
    rollup = pd.DataFrame({"team": ["A", "B"], "bookings": [10.0, 20.0], "win_rate": [0.5, 0.2]})
    assert "Quota" not in charts.rollup_table(rollup, "team").data
    chart = charts.bookings_chart(rollup, "team")
    assert chart.axes[0].get_title(loc="left") == "Bookings by team"


def test_without_team_labels_have_no_team():
    b = board(3).drop(columns=["team"])
    labels = [t.get_text() for t in charts.leaderboard_chart(b).axes[0].get_yticklabels()]
    assert labels[0].endswith("Longname") and "(" not in labels[0]


def test_empty_charts_and_tables_are_sentences():
    empty = pd.DataFrame(columns=["quarter", "bookings", "complete"])
    assert charts.trend_chart(empty).startswith("No quarter is covered")
    assert charts.bookings_chart(pd.DataFrame(columns=["team", "bookings"]), "team").startswith(
        "No team has deals")
    conv = pd.DataFrame({"group": ["All"], "stage": ["Prospecting"], "reached": [0],
                         "loss_rate": [np.nan]})
    assert charts.loss_heatmap(conv) == charts.NO_CLOSED_DEAL
    assert charts.stage_time_chart(pd.DataFrame(columns=["stage", "median_days", "p90_days"])
                                   ).startswith("No deal left a stage")
    nobody = Diagnosis(pd.DataFrame(), pd.DataFrame(), 0.8, 6, True)
    assert charts.diagnosis_table(nobody, window="12 months to 2026-03-31") == (
        "No rep is diagnosed below the bar over 12 months to 2026-03-31.")
    assert charts.vacated_table(pd.DataFrame()) == "No seat was vacated recently."
    assert charts.consistency_table(pd.DataFrame({"label": ["too new to judge"],
                                                  "share_at_quota": [np.nan]})).startswith("No rep")
    assert charts.leaderboard_table(pd.DataFrame()).startswith("No rep")


def test_trend_without_quota_draws_bookings_and_win_rate_only():
    trend = pd.DataFrame({"quarter": ["FY2026 Q1", "FY2026 Q2"], "bookings": [1.0, 2.0],
                          "win_rate": [0.2, 0.3], "complete": [True, False]})
    figs = charts.trend_chart(trend)
    assert [key(f) for f in figs] == [["Bookings"], ["Win rate (count)"]]
    assert "Quota" not in charts.trend_table(trend).to_html()


def test_section_shows_content_or_the_one_sentence():
    from types import SimpleNamespace

    from salesops.data.requirements import Availability
    ok, gone = Availability(True), Availability(False, "Trend <needs> more.")
    review = SimpleNamespace(sections={"deals": ok, "trend": gone, "velocity": ok})
    fig = charts.bookings_chart(pd.DataFrame({"team": ["A"], "bookings": [1.0]}), "team")
    html = charts.section(review, "velocity", lambda: ["a <b> sentence", fig, None]).data
    assert "a &lt;b&gt; sentence" in html and html.count("data:image/png;base64,") == 1
    assert "Trend &lt;needs&gt; more." in charts.section(review, "trend", lambda: 1 / 0).data
    no_deals = SimpleNamespace(sections={"deals": gone, "trend": gone})
    assert charts.section(no_deals, "trend", lambda: 1 / 0).data == ""
    assert "Trend" in charts.section(no_deals, "deals", lambda: 1 / 0).data


def key(fig) -> list[str]:
    """The entries of a figure's key (legends of the figure and of its axes)."""
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
    return [t.get_text() for lg in legends for t in lg.get_texts()]


def drawn_bar_colours(ax) -> set[str]:
    from matplotlib.colors import to_hex
    return {to_hex(p.get_facecolor()) for p in ax.patches if p.get_width() and p.get_height()}


def key_colours(fig) -> set[str]:
    from matplotlib.colors import to_hex
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
    return {to_hex(h.get_facecolor()) for lg in legends for h in lg.legend_handles
            if hasattr(h, "get_facecolor") and h.get_label() != "Quota"}


def inside_axes(fig) -> bool:
    """Whether any legend is drawn over an axes' plotting area."""
    fig.canvas.draw()
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
    boxes = [lg.get_window_extent() for lg in legends]
    return any(b.overlaps(ax.get_window_extent()) for b in boxes for ax in fig.axes)


def test_every_leaderboard_colour_is_in_the_key_and_no_legend_over_bars():
    fig = charts.leaderboard_chart(board(12))
    ax = fig.axes[0]
    assert drawn_bar_colours(ax) <= key_colours(fig)  # green, blue and vermillion: all named
    assert {"At or above quota", "50% to 99%", "Under 50%", "Quota"} <= set(key(fig))
    assert not inside_axes(fig)


def test_bar_labels_fit_inside_the_axis():
    fig = charts.leaderboard_chart(board(12))
    ax = fig.axes[0]
    fig.canvas.draw()
    right = ax.get_window_extent().x1
    labels = [t for t in ax.texts if t.get_text().endswith("%")]
    assert labels and all(t.get_window_extent().x1 <= right + 1 for t in labels)
    team = pd.DataFrame({"team": ["A", "B"], "bookings": [2.0e6, 1.0e6], "quota": [2.5e6, 1e6]})
    fig = charts.bookings_chart(team, "team")
    fig.canvas.draw()
    ax = fig.axes[0]
    assert all(t.get_window_extent().x1 <= ax.get_window_extent().x1 + 1 for t in ax.texts)
    assert [t.get_text() for t in ax.texts] == ["$2M", "$1M", "$2.5M", "$1M"]


def test_consistency_labels_each_have_their_own_colour_in_the_key():
    table = pd.DataFrame({"cv": [0.5, 0.6, 1.5, 0.9], "share_at_quota": [1.0, 0.0, 0.5, 0.5],
                          "label": ["consistently good", "consistently weak", "volatile",
                                    "mixed"]})
    fig = charts.consistency_chart(table)
    from matplotlib.colors import to_hex
    colours = {to_hex(c.get_facecolor()[0]) for c in fig.axes[0].collections}
    assert len(colours) == 4  # the old chart drew volatile in the consistently-good green
    assert key(fig) == ["Consistently good", "Consistently weak", "Volatile", "Mixed"]
    assert not inside_axes(fig)


def test_trend_chart_has_fiscal_quarters_and_keys_outside():
    trend = pd.DataFrame({"quarter": ["FY2026 Q3", "FY2026 Q4"], "bookings": [1e6, 2e6],
                          "quota": [1.5e6, 1.5e6], "attainment": [0.67, 1.33],
                          "share_at_quota": [0.4, 0.6], "win_rate": [0.2, 0.3],
                          "complete": [True, False]})
    money, rates = charts.trend_chart(trend)
    for fig in (money, rates):
        fig.canvas.draw()
        assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["FY2026\nQ3",
                                                                         "FY2026\nQ4*"]
        assert not inside_axes(fig)
    assert key(rates) == ["Attainment", "Ranked reps at quota", "Win rate (count)"]
