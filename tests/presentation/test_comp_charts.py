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
                         "attainment": [0.5, 1.5], "target_incentive": [100.0, 100.0],
                         "payout": payout, "payout_ratio": np.array(payout) / 100})


def test_charts_render():
    base, alt = _outcomes([40.0, 180.0]), _outcomes([30.0, 220.0])
    fig = comp_charts.pay_curve(base, [load_plan("current"), load_plan("steeper_accelerator")])
    assert len(fig.axes[0].lines) >= 2
    assert "1 reps gain, 1 lose" in comp_charts.whatif_chart(compare(base, alt)).axes[0].get_title(loc="left")
    sim = Sensitivity(np.arange(100.0), pd.DataFrame(), 0.3)
    assert comp_charts.sensitivity_chart(sim).axes[0].get_title(loc="left").startswith("Sensitivity")
    assert len(comp_charts.distributions(base).axes) == 2


def test_tiles_and_sentences_with_hand_numbers():
    from salesops.analysis.comp.evaluation import Distribution, PayForPerformance

    d = Distribution(reps=4, share_at_quota=0.5, share_reaching_ote=0.25, attainment_p10=0.3,
                     attainment_median=0.95, attainment_p90=1.4, payout_ratio_median=0.9)
    assert comp_charts.distribution_tiles(d) == [
        ("Reps", "4"), ("At quota", "50%"), ("Reaching OTE", "25%"), ("Median attainment", "95%"),
        ("Median payout / target", "90%")]
    # top / bottom = 1.8 / 0.3 = 6.0
    p = PayForPerformance(rank_correlation=0.876, top_quartile_payout_ratio=1.8,
                          bottom_quartile_payout_ratio=0.3)
    assert comp_charts.p4p_tiles(p) == [("Rank correlation", "0.88"),
                                        ("Top quartile payout / target", "180%"),
                                        ("Bottom quartile payout / target", "30%"),
                                        ("Top / bottom", "6.0x")]
    # 3 of 4 complete rep-quarters at or above 100%.
    rp = pd.DataFrame({"attainment": [1.0, 1.2, 0.4, 1.05]})
    assert comp_charts.quota_realism_sentence(rp) == (
        "75% of 4 complete rep-quarters reached quota (a healthy plan sees 60%-70%).")
    assert "cannot be judged" in comp_charts.quota_realism_sentence(rp.iloc[:0])


def test_tables_have_readable_headers_and_escape_names():
    base = _outcomes([40.0, 180.0]).assign(name=["<b>A</b>", "B"])
    html = comp_charts.whatif_table(compare(base, _outcomes([30.0, 220.0]))).to_html()
    assert "Payout, alternative" in html and "payout_alt" not in html
    assert "&lt;b&gt;A&lt;/b&gt;" in html and "<b>A</b>" not in html


def test_whatif_chart_keeps_namesakes_apart():
    base, alt = _outcomes([40.0, 180.0]), _outcomes([30.0, 220.0])
    base["name"] = alt["name"] = "Sam Lee"  # two reps, one name
    ax = comp_charts.whatif_chart(compare(base, alt)).axes[0]
    assert len(ax.patches) == 2
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == ["Sam Lee (a)", "Sam Lee (b)"]


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
        distribution=Distribution(4, 0.5, 0.25, 0.3, 0.95, 1.4, 0.9),
        p4p=PayForPerformance(0.876, 1.8, 0.3))
    base = pd.concat([_outcomes([40.0, 180.0]), _outcomes([60.0, 120.0]).assign(
        rep_id=["c", "d"], attainment=[0.7, 1.2])], ignore_index=True)
    alt = base.assign(payout=[30.0, 220.0, 60.0, 130.0])
    sim = Sensitivity(np.arange(101) * 100.0, pd.DataFrame({"rep_id": ["a", "b"]}), 0.3)
    ev = dict(available=AVAILABLE, current=current,
              alternative=SimpleNamespace(plan=SimpleNamespace(name="Plan B")),
              whatif=compare(base, alt), sim=sim, notes=(), open_unknown_amounts=0,
              sections={"distributions": AVAILABLE, "p4p": AVAILABLE, "whatif": AVAILABLE})
    ev.update(changes)
    return SimpleNamespace(**ev)


def test_summary_with_everything():
    # what-if: payouts 400 -> 440 (+40): a loses 10, b gains 40, c unchanged, d gains 10;
    # alternative pay ratios .3, 2.2, .6, 1.3 rank as attainment .5, 1.5, .7, 1.2: correlation 1
    # sensitivity totals 0..10,000: P10 1,000, P50 5,000, P90 9,000
    assert comp_charts.summary_sentences(_ev()) == [
        "Under Plan A, 4 reps earned $1,100 of variable pay against a budget of $1,000 (110%), "
        "a cost of sales of 5.5%.",
        "50% of reps reached quota over the run (below the 60%-70% norm) and 25% reached "
        "on-target pay.",
        "Pay follows performance with a rank correlation of 0.88; the top attainment quartile "
        "was paid 180% of target, the bottom quartile 30%.",
        "Plan B would have cost $440 (+$40): 2 reps gain, 1 loses; rank correlation 1.00.",
        "Next quarter's variable pay is simulated at $5,000 (P10 $1,000, P90 $9,000) from the "
        "attainment history of 2 reps."]


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
        "Under Plan A, 4 reps earned $1,100 of variable pay against a budget of $1,000 (110%), "
        "with no credited bookings.", "A note."]


def test_summary_what_if_without_attainment_has_no_rank_correlation():
    ev = _ev(sections={"distributions": AVAILABLE, "p4p": NO, "whatif": AVAILABLE}, sim=None)
    assert comp_charts.summary_sentences(ev)[-1] == "Plan B would have cost $440 (+$40): 2 reps " \
        "gain, 1 loses."


def test_summary_what_if_with_too_few_reps_to_rank_has_no_rank_correlation():
    base = _outcomes([40.0, 180.0])  # 2 reps: no rank correlation
    ev = _ev(whatif=compare(base, base.assign(payout=[30.0, 220.0])), sim=None)
    assert comp_charts.summary_sentences(ev)[-1] == "Plan B would have cost $250 (+$30): 1 rep " \
        "gains, 1 loses."


@pytest.mark.parametrize("share, verdict", [(0.65, "within"), (0.5, "below"), (0.8, "above")])
def test_summary_quota_norm_verdict(share, verdict):
    ev = _ev()
    ev.current.distribution = Distribution(4, share, 0.25, 0.3, 0.95, 1.4, 0.9)
    assert f"({verdict} the 60%-70% norm)" in comp_charts.summary_sentences(ev)[1]


def test_summary_one_rep_and_many_winners():
    ev = _ev()
    ev.current.distribution = Distribution(1, 1.0, 1.0, 1, 1, 1, 1)
    base = _outcomes([40.0, 180.0])
    ev.whatif = compare(base, base.assign(payout=[50.0, 190.0]))  # both gain 10, nobody loses
    out = comp_charts.summary_sentences(ev)
    assert out[0].startswith("Under Plan A, 1 rep earned")
    assert "(+$20): 2 reps gain, 0 lose." in out[3]


def test_sensitivity_sentences_say_how_many_open_deals_were_left_out():
    one_rep = Sensitivity(np.arange(101) * 100.0, pd.DataFrame({"rep_id": ["a"]}), 0.3)
    assert comp_charts.sensitivity_sentences(_ev(sim=one_rep)) == [
        "Next quarter's variable pay is simulated at $5,000 (P10 $1,000, P90 $9,000) from the "
        "attainment history of 1 rep."]
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
    assert [k for k, _ in comp_charts.whatif_tiles(w, attainment=False)] == [
        "Cost, current", "Cost, alternative", "Difference", "Winners / losers"]
    # bottom quartile paid 0.04% of target: 1.75 / 0.0004 = 4,375x reads '>100x'; 0 / 0 is '-'
    assert comp_charts.p4p_tiles(PayForPerformance(0.9, 1.75, 0.0004))[-1] == ("Top / bottom",
                                                                              ">100x")
    assert comp_charts.p4p_tiles(PayForPerformance(0.9, 0.0, 0.0))[-1] == ("Top / bottom", "-")


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
        comp_charts.misset_quotas_table(cur.misset_quotas))))
    out.append(show(s["whatif"], lambda: (comp_charts.whatif_tiles(ev.whatif),
                                          comp_charts.whatif_chart(ev.whatif),
                                          comp_charts.whatif_table(ev.whatif).to_html())))
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
