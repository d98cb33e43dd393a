"""Planning report tables: readable headers, formatted figures, escaped text (via
``tables.report_table``); one function per table of notebooks/planning.ipynb."""

from __future__ import annotations

from IPython.display import HTML
from pandas.io.formats.style import Styler

from salesops.analysis.planning.plan_comp import PlanComp
from salesops.presentation.tables import limited, report_table

M = "money_compact"


def comp_reps_table(pc: PlanComp, currency: str = "USD", limit: int = 15) -> HTML:
    """Each rep on the plan: annual quota, target incentive, variable pay over the simulated
    years (P10, median, P90) and median attainment; highest median pay first."""
    def render(rows) -> Styler:
        return report_table(rows, {
            "name": ("Rep", None), "team": ("Team", None), "quota": ("Annual quota", M),
            "target_incentive": ("Target incentive", M), "payout_p10": ("Pay, P10", M),
            "payout_median": ("Pay, median", M), "payout_p90": ("Pay, P90", M),
            "attainment_median": ("Attainment, median", "pct")}, currency,
            f"Variable pay per rep, {pc.year.label} (over {pc.draws:,} simulated years)")
    return limited(pc.by_rep, render, limit, "reps", "median pay")
