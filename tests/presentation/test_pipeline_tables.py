"""Pipeline inspection tables: readable headers, compact money, names from the (scoped) roster,
text from the data escaped, long tables cut with the rest expandable."""

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from salesops.analysis.inspection.movement import Movement  # noqa: E402
from salesops.data.periods import Period  # noqa: E402
from salesops.presentation.pipeline_tables import (  # noqa: E402
    bridge_table,
    inspect_table,
    moves_table,
    pushed_table,
    slippage_table,
    transitions_table,
    window_section,
    with_names,
)

REPS = pd.DataFrame({"rep_id": ["r1", "r2"], "name": ["Ana <b>Lee</b>", "Bo Ek"],
                     "termination_date": pd.to_datetime([None, "2026-09-15"])})
ACCOUNTS = pd.DataFrame({"account_id": ["a1"], "name": ["Acme & Co"]})


def test_names_from_the_roster_else_the_id_and_departures_marked():
    deals = pd.DataFrame({"rep_id": ["r1", "r2", "r9"], "account_id": ["a1", "a2", None]})
    named = with_names(deals, REPS, ACCOUNTS)
    assert named["rep"].tolist() == ["Ana <b>Lee</b>", "Bo Ek (left 2026-09)", "r9"]
    assert named["account"].tolist()[:2] == ["Acme & Co", "a2"]
    assert with_names(deals)["rep"].tolist() == ["r1", "r2", "r9"]


def test_bridge_table_steps_amounts_and_deals():
    bridge = pd.DataFrame({"step": ["start", "won", "end"], "amount": [3.2e6, -1.25e6, 1.95e6],
                           "deals": [40, 3, 37]})
    html = bridge_table(bridge, caption="Last 7 days", start=pd.Timestamp("2026-11-24")).to_html()
    for text in ("Start 2026-11-24", "Won", "End", "$3.2M", "-$1.2M", "$1.9M", "Last 7 days",
                 ">Step<", ">Amount<", ">Deals<"):
        assert text in html, text


def test_moves_table_names_escaped_reasons_named_and_cut_at_the_limit():
    moves = pd.DataFrame({"opportunity_id": [f"o{i}" for i in range(20)],
                          "rep_id": ["r1"] * 20, "account_id": ["a1"] * 20,
                          "reason": ["pushed_out"] * 19 + ["amount_up"],
                          "start_amount": [1e6] * 20, "end_amount": [0.0] * 19 + [2e6],
                          "change": [-1e6] * 19 + [1e6]})
    html = moves_table(moves, REPS, ACCOUNTS, limit=15).data
    assert "Ana &lt;b&gt;Lee&lt;/b&gt;" in html and "<b>Lee" not in html
    assert "Acme &amp; Co" in html and "Pushed out" in html and "Amount up" in html
    assert "Top 15 of 20 deals shown, by size of the change" in html
    assert "-$1M" in html and ">r1<" not in html  # the rep's name, never the id


def test_slippage_table_by_rep_highest_share_first():
    rows = pd.DataFrame({"rep_id": ["r1", "r2", "r3"], "name": ["Ana <b>Lee</b>", "Bo Ek", "Cy"],
                         "team": ["East", "East", "West"], "committed": [10, 4, 2],
                         "slipped": [2, 3, 0], "share": [0.2, 0.75, 0.0]})
    html = slippage_table(rows, "rep", "Slippage by rep", REPS).data
    assert html.index("Bo Ek (left 2026-09)") < html.index("Ana &lt;b&gt;") < html.index(">Cy<")
    assert "75%" in html and "20%" in html and "Share slipped" in html and "East" in html
    teams = pd.DataFrame({"team": ["East"], "committed": [14], "slipped": [5], "share": [5 / 14]})
    assert "36%" in slippage_table(teams, "team", "Slippage by team").data  # 5 / 14 = 35.7%


def test_pushed_table_and_transitions():
    pushed = pd.DataFrame({"group": ["Pushed 3+ times", "The rest"], "closed": [20, 180],
                           "won": [3, 72], "win_rate": [0.15, 0.4], "won_amount": [0.3e6, 9e6]})
    html = pushed_table(pushed).to_html()
    assert "Pushed 3+ times" in html and "15%" in html and "$9M" in html
    counts = pd.DataFrame([[5, 1, 0], [2, 7, 1234]], index=["pipeline", "commit"],
                          columns=["pipeline", "commit", "won"])
    matrix = pd.concat({"deals": counts, "amount": counts * 1e3}, axis=1)
    html = transitions_table(matrix, "Forecast category: start to end").to_html()
    assert "At the start" in html and "Pipeline" in html and "Commit" in html
    assert "Won" in html and "1,234" in html


def test_inspect_table():
    deals = pd.DataFrame({"opportunity_id": ["o1"], "rep_id": ["r1"], "account_id": ["a1"],
                          "amount": [250_000.0], "close_date": pd.to_datetime(["2026-11-30"]),
                          "stage": ["Negotiation"], "forecast_category": ["commit"],
                          "reasons": ["commit with close date passed"]})
    html = inspect_table(deals, REPS, ACCOUNTS).data
    assert "$250K" in html and "2026-11-30" in html and "commit with close date passed" in html
    assert ">Commit<" in html and ">Negotiation<" in html


def test_a_won_deal_leaving_the_pipeline_is_not_marked_as_a_loss():
    moves = pd.DataFrame({"opportunity_id": ["o1", "o2"], "rep_id": ["r1", "r1"],
                          "account_id": ["a1", "a1"], "reason": ["won", "lost"],
                          "start_amount": [2e5, 1e5], "end_amount": [float("nan")] * 2,
                          "change": [-2e5, -1e5]})
    html = moves_table(moves).data
    assert html.count("background-color: #fbe5e3") == 1  # one rule, for the lost deal's cell
    assert html.index("-$200K") < html.index("-$100K")


def test_window_section_heading_sentences_chart_bridge_and_moves():
    steps = ["start", "created", "pulled_in", "increased", "won", "lost", "pushed_out",
             "decreased", "end"]
    # 2M + 0.5M (created) - 0.3M (pushed out) = 2.2M
    bridge = pd.DataFrame({"step": steps, "amount": [2e6, 5e5, 0, 0, 0, 0, -3e5, 0, 2.2e6],
                           "deals": [4, 2, 0, 0, 0, 0, 1, 0, 5]})
    q4 = Period("quarter", pd.Timestamp("2026-10-01"), pd.Timestamp("2026-12-31"), "FY2026 Q4")
    m = Movement(start=pd.Timestamp("2026-11-24"), end=pd.Timestamp("2026-12-01"), period=q4,
                 deals=pd.DataFrame(), bridge=bridge, unknown_amount=0, created_and_won=1,
                 created_and_won_amount=1e4)
    moves = pd.DataFrame({"opportunity_id": ["o1"], "rep_id": ["r1"], "account_id": ["a1"],
                          "reason": ["pushed_out"], "start_amount": [3e5],
                          "end_amount": [float("nan")], "change": [-3e5]})
    html = window_section("Last 7 days", m, moves, REPS, ACCOUNTS).data
    order = [html.index(t) for t in (
        "<h3>Last 7 days</h3>", "the FY2026 Q4 pipeline went from $2M (4 deals) to $2.2M",
        "Last 7 days: 2 deals created, 1 of them won within the window.", "<img",
        "Last 7 days: FY2026 Q4 pipeline bridge", "Last 7 days: largest moves")]
    assert order == sorted(order)
    assert "no amount" not in html
    empty = window_section("Last 7 days", m, moves.iloc[:0]).data
    assert "Last 7 days: no deal&#x27;s amount in the pipeline changed." in empty
