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
