"""Comp charts render and carry their headline in the title."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

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
