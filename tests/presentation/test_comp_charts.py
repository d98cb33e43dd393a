"""Comp charts render and carry their headline in the title."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from salesops.analysis.comp.plans import load_plan  # noqa: E402
from salesops.analysis.comp.sensitivity import Sensitivity  # noqa: E402
from salesops.analysis.comp.whatif import compare  # noqa: E402
from salesops.presentation import comp_charts  # noqa: E402


def _outcomes(payout):
    return pd.DataFrame({"rep_id": ["a", "b"], "name": ["A", "B"], "team": ["T", "T"],
                         "left": pd.to_datetime([None, "2026-09-11"]),
                         "attainment": [0.5, 1.5], "target_incentive": [100.0, 100.0],
                         "payout": payout, "payout_ratio": np.array(payout) / 100})


def test_charts_render():
    base, alt = _outcomes([40.0, 180.0]), _outcomes([30.0, 220.0])
    fig = comp_charts.pay_curve(base, [load_plan("current"), load_plan("steeper_accelerator")])
    assert len(fig.axes[0].lines) >= 2
    title = comp_charts.whatif_chart(compare(base, alt)).axes[0].get_title(loc="left")
    assert title == "What-if: 1 gain, 1 lose"
    sim = Sensitivity(np.arange(100.0), pd.DataFrame(), 0.3)
    assert comp_charts.sensitivity_chart(sim).axes[0].get_title(loc="left").startswith("Next")
    assert len(comp_charts.distributions(base).axes) == 2


def test_tiles_and_sentences_with_hand_numbers():
    from salesops.analysis.comp.evaluation import Distribution, PayForPerformance

    # 4 reps, 4 with a quota (2 at it), 4 with a target (1 reaching it)
    d = Distribution(reps=4, with_quota=4, at_quota=2, with_target=4, reaching_ote=1,
                     attainment_p10=0.3, attainment_median=0.95, attainment_p90=1.4,
                     payout_ratio_median=0.9)
    assert comp_charts.distribution_tiles(d) == [
        ("Reps", "4"), ("Reached quota, whole run", "2 of 4 (50%)"),
        ("Reached on-target pay", "1 of 4 (25%)"), ("Median attainment", "95%"),
        ("Median payout / target", "90%")]
    # top / bottom = 1.8 / 0.3 = 6.0
    p = PayForPerformance(rank_correlation=0.876, top_quartile_payout_ratio=1.8,
                          bottom_quartile_payout_ratio=0.3)
    assert comp_charts.p4p_tiles(p) == [("Rank correlation", "0.88"),
                                        ("Top quarter of reps: payout / target", "180%"),
                                        ("Bottom quarter of reps: payout / target", "30%"),
                                        ("Top / bottom", "6.0x")]
    # 3 of 4 complete rep-quarters at or above 100%.
    rp = pd.DataFrame({"attainment": [1.0, 1.2, 0.4, 1.05]})
    assert comp_charts.quota_realism_sentence(rp) == (
        "3 of 4 complete rep-quarters (75%) reached that quarter's quota (a rep-quarter is one "
        "rep's quarter spent entirely on the plan and ended; a healthy plan sees 60%-70%).")
    assert "cannot be judged" in comp_charts.quota_realism_sentence(rp.iloc[:0])


def test_tables_have_readable_headers_and_escape_names():
    base = _outcomes([40.0, 180.0]).assign(name=["<b>A</b>", "B"])
    html = comp_charts.whatif_tables(compare(base, _outcomes([30.0, 220.0]))).data
    assert "Payout, alternative" in html and "payout_alt" not in html
    assert "&lt;b&gt;A&lt;/b&gt;" in html and "<b>A</b>" not in html


def test_whatif_tables_split_gains_and_losses_and_mark_who_left():
    # b gains 220 - 180 = 40 (and left on 2026-09-11), a loses 40 - 30 = 10
    html = comp_charts.whatif_tables(compare(_outcomes([40.0, 180.0]),
                                             _outcomes([30.0, 220.0]))).data
    gain, loss = html.split("Reps who would lose")
    assert "B (left 2026-09)" in gain and "$40" in gain and ">A<" not in gain
    assert ">A<" in loss and "-$10" in loss


def test_a_cut_table_says_top_n_of_m():
    n = 12
    per_rep = pd.DataFrame({"rep_id": [f"r{i}" for i in range(n)],
                            "name": [f"Rep {i}" for i in range(n)], "team": "T",
                            "left": pd.NaT, "attainment": 1.0, "target_incentive": 100.0,
                            "payout": 100.0, "payout_ratio": 1.0})
    alt = per_rep.assign(payout=100.0 + 10 * np.arange(1, n + 1))  # all 12 gain 10..120
    html = comp_charts.whatif_tables(compare(per_rep, alt)).data
    assert "Top 10 of 12 reps shown, by gain; all 12 are in the expandable table below." in html
    assert "No rep would lose under the alternative." in html


def test_departed_reps_are_marked_in_rep_tables():
    left = pd.to_datetime(["2026-09-11", None])
    misset = pd.DataFrame({"rep_id": ["a", "b"], "name": ["Ann", "Bo"], "team": "T",
                           "left": left, "quota_period_label": "FY2026 Q3",
                           "quota": [300.0, 40.0], "history_bookings": [100.0, 100.0],
                           "quota_to_history": [3.0, 0.4], "attainment": [0.2, 3.0],
                           "looks": ["too high", "too low"]})
    html = comp_charts.misset_quotas_table(misset).data
    # 300 / 100 = 3.0x, 40 / 100 = 0.4x
    assert "Ann (left 2026-09)" in html and ">Bo<" in html and "3.0x" in html and "0.4x" in html
    windfall = misset[["rep_id", "name", "team", "left"]].assign(
        attainment=1.0, payout=300.0, target_incentive=100.0, payout_ratio=3.0,
        top_deal_payout=250.0)
    assert "Ann (left 2026-09)" in comp_charts.windfalls_table(windfall).data


def test_whatif_chart_keeps_namesakes_apart():
    base, alt = _outcomes([40.0, 180.0]), _outcomes([30.0, 220.0])
    base["name"] = alt["name"] = "Sam Lee"  # two reps, one name
    ax = comp_charts.whatif_chart(compare(base, alt)).axes[0]
    assert len(ax.containers[0]) == 2  # two bars (the key adds two empty patches)
    # b left on 2026-09-11: marked as well
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == [
        "Sam Lee (a)", "Sam Lee (left 2026-09) (b)"]


def _legends(fig):
    return [*fig.legends, *(a.get_legend() for a in fig.axes if a.get_legend() is not None)]


def _keyed_colours(fig):
    """Colours of the legend entries (patches, lines and dots)."""
    from matplotlib.colors import to_hex

    out = set()
    for legend in _legends(fig):
        for handle in legend.legend_handles:
            colour = (handle.get_facecolor() if hasattr(handle, "get_facecolor")
                      else handle.get_color())
            colour = colour[0] if np.ndim(colour) == 2 else colour
            out.add(to_hex(colour))
    return out


def _outside_data(fig):
    """Every legend's box lies outside every axes' box (never over data), as saved."""
    import io

    fig.savefig(io.BytesIO(), format="png")
    boxes = [a.get_window_extent() for a in fig.axes]
    return all(not legend.get_window_extent().overlaps(box) for legend in _legends(fig)
               for box in boxes)


def test_charts_key_every_colour_outside_the_data_and_label_values_unclipped():
    from matplotlib.colors import to_hex

    base, alt = _outcomes([40.0, 180.0]), _outcomes([30.0, 220.0])
    fig = comp_charts.whatif_chart(compare(base, alt))
    ax = fig.axes[0]
    bar_colours = {to_hex(p.get_facecolor()) for p in ax.patches}
    assert bar_colours == {"#009e73", "#d55e00"} and bar_colours <= _keyed_colours(fig)
    assert _outside_data(fig)
    # value labels: a loses 10, b gains 40; each inside the axes (the axis grew to fit them)
    labels = {t.get_text() for t in ax.texts}
    assert labels == {"-$10", "$40"} and _outside_data(fig)
    box = ax.get_window_extent()
    assert all(box.x0 <= t.get_window_extent().x0 and t.get_window_extent().x1 <= box.x1
               for t in ax.texts)
    dist = comp_charts.distributions(base)
    colours = {to_hex(p.get_facecolor()) for a in dist.axes for p in a.patches}
    assert colours <= _keyed_colours(dist) and "#009e73" in _keyed_colours(dist)  # 100% line
    assert _outside_data(dist)
    sim = Sensitivity(np.arange(101) * 100.0, pd.DataFrame(), 0.3)
    chart = comp_charts.sensitivity_chart(sim)
    texts = [t.get_text() for legend in _legends(chart) for t in legend.get_texts()]
    # totals 0..10,000: P10 1,000, P50 5,000, P90 9,000
    assert texts == ["Simulations", "P10, 1 in 10 below: $1K", "P50, the median: $5K",
                     "P90, 1 in 10 above: $9K"]
    assert _outside_data(chart)
    curve = comp_charts.pay_curve(base, [load_plan("current")])
    assert _outside_data(curve) and "#0072b2" in _keyed_colours(curve)
    assert curve.axes[0].xaxis.get_major_formatter()(1.0, 0).endswith("%")


def test_count_axes_have_whole_number_ticks():
    outcomes = _outcomes([40.0, 180.0])
    for ax in comp_charts.distributions(outcomes).axes:
        ticks = ax.get_yticks()
        assert np.allclose(ticks, np.round(ticks))  # 2 reps: no 0.5 or 1.5 ticks


# -- generated sentences: one test per branch ----------------------------------------------------

from types import SimpleNamespace  # noqa: E402

from salesops.analysis.comp.evaluation import Distribution, PayForPerformance  # noqa: E402
from salesops.data.requirements import AVAILABLE, Availability  # noqa: E402

NO = Availability.missing("no")


def _ev(**changes):
    """A hand-made evaluation: 4 reps paid 1,100 of a 1,000 budget on 20,000 of bookings."""
    cost = pd.DataFrame({"team": ["All"], "payout": [1100.0], "budget": [1000.0],
                         "payout_vs_budget": [1.1], "bookings": [20000.0],
                         "cost_of_sales": [0.055]})
    current = SimpleNamespace(
        plan=SimpleNamespace(name="Plan A", quota_period="quarter"), cost=cost,
        distribution=Distribution(4, 4, 2, 4, 1, 0.3, 0.95, 1.4, 0.9),
        p4p=PayForPerformance(0.876, 1.8, 0.3))
    base = pd.concat([_outcomes([40.0, 180.0]), _outcomes([60.0, 120.0]).assign(
        rep_id=["c", "d"], attainment=[0.7, 1.2])], ignore_index=True)
    alt = base.assign(payout=[30.0, 220.0, 60.0, 130.0])
    sim = Sensitivity(np.arange(101) * 100.0, pd.DataFrame({"rep_id": ["a", "b"]}), 0.3)
    ev = dict(available=AVAILABLE, current=current, start=pd.Timestamp("2025-01-01"),
              end=pd.Timestamp("2026-12-01"),
              alternative=SimpleNamespace(plan=SimpleNamespace(name="Plan B")),
              whatif=compare(base, alt), sim=sim, notes=(), open_unknown_amounts=0,
              sections={"distributions": AVAILABLE, "p4p": AVAILABLE, "whatif": AVAILABLE})
    ev.update(changes)
    return SimpleNamespace(**ev)


def test_summary_with_everything():
    # what-if: payouts 400 -> 440 (+40): a loses 10, b gains 40, c unchanged, d gains 10;
    # alternative pay ratios .3, 2.2, .6, 1.3 rank as attainment .5, 1.5, .7, 1.2: correlation 1
    # sensitivity totals 0..10,000: P10 1,000, P50 5,000, P90 9,000
    # compact: $1.1K paid vs $1K budget, difference of the figures shown $100; 1,100 / 1,000
    assert comp_charts.summary_sentences(_ev()) == [
        "Under Plan A, 4 reps earned $1.1K of variable pay, $100 above the $1K budget (110% of "
        "budget), a cost of sales of 5.5% (variable pay as a share of the $20K of bookings "
        "credited to them).",
        "2 of 4 reps with a quota (50%) reached their quota for the whole run (2025-01-01 to "
        "2026-12-01), below the 60%-70% a healthy plan sees; 1 of 4 (25%) earned at least their "
        "on-target pay (what a rep earns at 100% of quota).",
        "Pay follows performance closely: a rank correlation of 0.88 between attainment and "
        "payout (1 would mean the higher a rep's attainment, the higher their pay, without "
        "exception); the top quarter of reps by attainment was paid 180% of their target, the "
        "bottom quarter 30%.",
        "Plan B would have cost $440, $40 more than the current plan: 2 reps gain, 1 loses; pay "
        "would follow performance as closely (rank correlation 1.00, unchanged).",
        "Next quarter's variable pay is simulated at $5K (the median of 101 simulations), "
        "between $1K and $9K in 8 of 10 (the P10 and P90: 1 in 10 simulations falls below the "
        "first, 1 in 10 above the second), from the attainment history of 2 reps."]


def test_summary_when_the_plan_cannot_run_is_its_sentence_and_the_notes():
    ev = _ev(available=Availability.missing("Payouts under Plan A cannot be shown: no quotas."),
             notes=("No hire dates.",))
    assert comp_charts.summary_sentences(ev) == [
        "Payouts under Plan A cannot be shown: no quotas.", "No hire dates."]


def test_summary_without_quotas_history_or_alternative():
    ev = _ev(sections={"distributions": NO, "p4p": NO, "whatif": NO}, whatif=None, sim=None,
             notes=("A note.",))
    ev.current.cost.loc[0, ["bookings", "cost_of_sales"]] = [0.0, float("nan")]
    assert comp_charts.summary_sentences(ev) == [
        "Under Plan A, 4 reps earned $1.1K of variable pay, $100 above the $1K budget (110% of "
        "budget), with no credited bookings.", "A note."]


def test_summary_what_if_without_attainment_has_no_rank_correlation():
    ev = _ev(sections={"distributions": AVAILABLE, "p4p": NO, "whatif": AVAILABLE}, sim=None)
    assert comp_charts.summary_sentences(ev)[-1] == (
        "Plan B would have cost $440, $40 more than the current plan: 2 reps gain, 1 loses.")


def test_summary_what_if_with_too_few_reps_to_rank_has_no_rank_correlation():
    base = _outcomes([40.0, 180.0])  # 2 reps: no rank correlation
    ev = _ev(whatif=compare(base, base.assign(payout=[30.0, 220.0])), sim=None)
    assert comp_charts.summary_sentences(ev)[-1] == (
        "Plan B would have cost $250, $30 more than the current plan: 1 rep gains, 1 loses.")


@pytest.mark.parametrize("share, verdict", [(0.65, "within"), (0.5, "below"), (0.8, "above")])
def test_summary_quota_norm_verdict(share, verdict):
    ev = _ev()
    ev.current.distribution = Distribution(20, 20, round(20 * share), 20, 5, 0.3, 0.95, 1.4, 0.9)
    assert f"), {verdict} the 60%-70% a healthy plan sees;" in comp_charts.summary_sentences(ev)[1]


def test_summary_one_rep_and_many_winners():
    ev = _ev()
    ev.current.distribution = Distribution(1, 1, 1, 1, 1, 1, 1, 1, 1)
    base = _outcomes([40.0, 180.0])
    ev.whatif = compare(base, base.assign(payout=[50.0, 190.0]))  # both gain 10, nobody loses
    out = comp_charts.summary_sentences(ev)
    assert out[0].startswith("Under Plan A, 1 rep earned")
    assert "$20 more than the current plan: 2 reps gain, 0 lose." in out[3]


def test_sensitivity_sentences_say_how_many_open_deals_were_left_out():
    one_rep = Sensitivity(np.arange(101) * 100.0, pd.DataFrame({"rep_id": ["a"]}), 0.3)
    assert comp_charts.sensitivity_sentences(_ev(sim=one_rep)) == [
        "Next quarter's variable pay is simulated at $5K (the median of 101 simulations), "
        "between $1K and $9K in 8 of 10 (the P10 and P90: 1 in 10 simulations falls below the "
        "first, 1 in 10 above the second), from the attainment history of 1 rep."]
    assert comp_charts.sensitivity_sentences(_ev(open_unknown_amounts=1))[1] == (
        "1 open deal has no amount: the range does not use the open pipeline, so they are left "
        "out, not counted as $0.")
    assert comp_charts.sensitivity_sentences(_ev(open_unknown_amounts=275))[1].startswith(
        "275 open deals have no amount:")


def _result(claw_cents, ignored):
    lines = pd.DataFrame({"kind": ["commission"] + ["clawback"] * len(claw_cents),
                          "amount_cents": [100000, *claw_cents]})
    return SimpleNamespace(lines=lines, ignored_adjustments=pd.DataFrame({"x": range(ignored)}))


def test_clawback_sentences_each_branch():
    # two lines reversing 150.00 + 50.00 = 200; 3 cancellations ignored
    assert comp_charts.clawback_sentences(_result([-15000, -5000], 3)) == [
        "2 clawback lines reversing $200.",
        "3 cancellations were not clawed back (outside the window or not credited in the run)."]
    assert comp_charts.clawback_sentences(_result([-5000], 1)) == [
        "1 clawback line reversing $50.",
        "1 cancellation was not clawed back (outside the window or not credited in the run)."]
    assert comp_charts.clawback_sentences(_result([], 0)) == [
        "No clawback: no cancellation or refund reversed a deal paid in the run."]


def test_empty_tables_are_replaced_by_a_sentence():
    empty = pd.DataFrame(columns=["rep_id"])
    assert "No windfalls" in comp_charts.windfalls_table(empty).data
    assert "No quota looks mis-set" in comp_charts.misset_quotas_table(empty).data


def test_whatif_tiles_without_attainment_and_p4p_multiples():
    w = compare(_outcomes([40.0, 180.0]), _outcomes([30.0, 220.0]))
    assert comp_charts.whatif_tiles(w, attainment=False) == [
        ("Cost, current", "$220"), ("Cost, alternative", "$250"),
        ("Alternative costs", "$30 more"), ("Reps who gain / lose", "1 / 1")]
    # bottom quartile paid 0.04% of target: 1.75 / 0.0004 = 4,375x reads '>100x'; 0 / 0 is '-'
    assert comp_charts.p4p_tiles(PayForPerformance(0.9, 1.75, 0.0004))[-1] == ("Top / bottom",
                                                                              ">100x")
    assert comp_charts.p4p_tiles(PayForPerformance(0.9, 0.0, 0.0))[-1] == ("Top / bottom", "–")


# -- the report's cells on thin data: no warning, each section content or its sentence -----------

import dataclasses  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis" / "comp"))
from comp_helpers import tiny_dataset  # noqa: E402

from salesops.analysis.comp.review import evaluate  # noqa: E402
from salesops.data.store import Contents  # noqa: E402
from salesops.data.thin import thin  # noqa: E402
from salesops.presentation import statements_html  # noqa: E402
from salesops.presentation.html import kpi_tiles  # noqa: E402
from salesops.presentation.sections import show  # noqa: E402

VARIANTS = {
    "full": lambda d: d,
    "no quotas": lambda d: thin(d, drop=("quotas",), roster=True),
    "no roster": lambda d: thin(d, drop=(), roster=False),
    "unknown open amounts": lambda d: thin(d, drop=(), roster=True, unknown_open_amounts=1.0),
    "all at once": lambda d: thin(d, drop=("quotas", "stage_history"), roster=False,
                                  unknown_open_amounts=1.0),
    "transactions only": lambda d: dataclasses.replace(
        d, contents=Contents(frozenset({"transactions"}))),
}


def _cells(ev):
    """What the notebook's cells display, in order."""
    s, cur = ev.sections, ev.current
    out = [comp_charts.summary_sentences(ev)]
    out.append(show(s["cost"], lambda: comp_charts.cost_table(cur.cost).to_html()))
    out.append(show(s["pay_curve"], lambda: comp_charts.pay_curve(cur.outcomes, ev.plans)))
    out.append(show(s["distributions"], lambda: comp_charts.distributions(cur.outcomes)))
    out.append(show(s["p4p"], lambda: kpi_tiles(comp_charts.p4p_tiles(cur.p4p))))
    out.append(show(s["windfalls"], lambda: comp_charts.windfalls_table(cur.windfalls)))
    out.append(show(s["quota_realism"], lambda: (
        comp_charts.quota_realism_sentence(cur.rep_periods),
        comp_charts.misset_quotas_table(cur.misset_quotas).data)))
    out.append(show(s["whatif"], lambda: (comp_charts.whatif_tiles(ev.whatif),
                                          comp_charts.whatif_chart(ev.whatif),
                                          comp_charts.whatif_tables(ev.whatif).data)))
    out.append(show(s["sensitivity"], lambda: (comp_charts.sensitivity_chart(ev.sim),
                                               comp_charts.sensitivity_tiles(ev.sim),
                                               comp_charts.sensitivity_sentences(ev))))
    out.append(show(s["clawbacks"], lambda: comp_charts.clawback_sentences(cur.result)))
    out.append(show(s["statement"],
                    lambda: statements_html.featured_section(ev.featured)))
    return out


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("plan", ["current", "flat_commission"])
def test_report_cells_on_thin_data_raise_no_warning(variant, plan):
    data = VARIANTS[variant](tiny_dataset())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ev = evaluate(data, "2026-06-30", plan, plan, seed=1)
        cells = _cells(ev)
    assert len(cells) == 11
    if not ev.available:  # the summary is the one sentence; every section points to it
        assert cells[0][0] == ev.available.reason
        assert all("see the summary" in c.data for c in cells[1:])


def test_headline_publishes_payout_budget_ratio_and_cost_of_sales():
    items = {h.key: h for h in comp_charts.headline(_ev())}
    # 1,100 paid of a 1,000 budget = 110%; 1,100 / 20,000 bookings = 5.5%
    assert list(items) == ["payout", "budget", "payout_vs_budget", "cost_of_sales"]
    assert [(h.value, h.text) for h in items.values()] == [
        (1100.0, "$1.1K"), (1000.0, "$1K"), (1.1, "110%"), (0.055, "5.5%")]
    assert {h.period for h in items.values()} == {"2025-01-01 to 2026-12-01"}
    assert comp_charts.headline(_ev(available=NO)) == []


def test_summary_what_if_says_how_the_rank_correlation_changes():
    base = pd.concat([_outcomes([40.0, 180.0]), _outcomes([60.0, 120.0]).assign(
        rep_id=["c", "d"], attainment=[0.7, 1.2])], ignore_index=True)
    # attainment .5, 1.5, .7, 1.2 ranks 1, 4, 2, 3; alternative pay ratios .5, 1.2, .2, 1.5
    # rank 2, 3, 1, 4: rank differences 1, 1, 1, 1 -> 1 - 6 * 4 / (4 * 15) = 0.60
    alt = base.assign(payout=[50.0, 120.0, 20.0, 150.0], payout_ratio=[0.5, 1.2, 0.2, 1.5])
    ev = _ev(whatif=compare(base, alt), sim=None)
    assert comp_charts.summary_sentences(ev)[-1].endswith(
        "pay would follow performance loosely (rank correlation 0.60 instead of 1.00).")
