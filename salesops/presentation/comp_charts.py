"""Compensation charts (house style), the comp report tables and its generated sentences.

Each chart returns a Figure already closed in pyplot, so that a notebook cell returning it (e.g.
through ``salesops.presentation.sections.show``) displays it exactly once.
"""

from __future__ import annotations

import functools

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator
from pandas.io.formats.style import Styler

from salesops.analysis.comp.engine import CompResult, payout_at_attainment
from salesops.analysis.comp.evaluation import AT_QUOTA_NORM, Distribution, PayForPerformance
from salesops.analysis.comp.plans import Plan
from salesops.analysis.comp.review import CompEvaluation
from salesops.analysis.comp.sensitivity import Sensitivity
from salesops.analysis.comp.whatif import WhatIf
from salesops.presentation.formatting import count, money, number, pct, plural, ratio, versus
from salesops.presentation.headline import Headline
from salesops.presentation.html import paragraphs
from salesops.presentation.style import (
    ACCENT,
    BAD,
    GOOD,
    MAX_WIDTH,
    NEUTRAL,
    PALETTE,
    PRIMARY,
    apply_house_style,
    bar_labels,
    count_axis,
    figure_height_for,
    legend_outside,
    money_axis,
    new_figure,
    percent_axis,
)
from salesops.presentation.tables import departed, limited, report_table


def _closed(fig: Figure) -> Figure:
    plt.close(fig)
    return fig


def pay_curve(outcomes: pd.DataFrame, plans: list[Plan]) -> Figure:
    """Payout / target vs attainment: every rep as a dot, each plan's curve as a line."""
    fig, ax = new_figure(MAX_WIDTH, 5)
    top = max(2.0, float(np.nanquantile(outcomes["attainment"], 0.98)) if len(outcomes) else 2.0)
    grid = np.linspace(0, top, 241)
    for plan, color in zip(plans, (ACCENT, PALETTE[2], PALETTE[4]), strict=False):
        on_target = float(plan.target_incentive) * {"month": 1, "quarter": 3,
                                                     "year": 12}[plan.quota_period] / 12
        ax.plot(grid, payout_at_attainment(plan, grid) / on_target, color=color, lw=2.5,
                label=f"{plan.name}, one full {plan.quota_period}")
    ax.scatter(outcomes["attainment"].clip(upper=top), outcomes["payout_ratio"], color=PRIMARY,
               s=30, alpha=0.8, zorder=3, label="A rep over the whole run")
    ax.axvline(1.0, color=NEUTRAL, lw=1, ls="--", label="100% (quota, on-target pay)")
    ax.axhline(1.0, color=NEUTRAL, lw=1, ls="--")
    percent_axis(ax, "x")
    percent_axis(ax, "y")
    ax.set_xlabel("Attainment (credited bookings / quota)")
    ax.set_ylabel("Payout / target")
    ax.set_title("Pay curve: payout against attainment")
    legend_outside(ax, "below", ncol=1)
    return _closed(fig)


def distributions(outcomes: pd.DataFrame) -> Figure:
    """Attainment above, payout / target below, each with its 100% line (one key below both);
    bars of 12.5 points, the last one 300% and above."""
    apply_house_style()
    fig, axes = plt.subplots(2, 1, figsize=(MAX_WIDTH, 7.5), layout="constrained")
    for ax, col, title, color in ((axes[0], "attainment", "Attainment", PRIMARY),
                                  (axes[1], "payout_ratio", "Payout / target", ACCENT)):
        values = outcomes[col].dropna().clip(upper=3.0)
        ax.hist(values, bins=np.arange(0, 3.125, 0.125), color=color, edgecolor="white",
                label=f"Reps by {title.lower()}")
        ax.axvline(1.0, color=GOOD, lw=2.5, label="100%" if ax is axes[1] else None)
        percent_axis(ax, "x")
        ax.set_xlabel(f"{title} over the whole run (last bar: 300% and above)")
        ax.set_ylabel("Reps")
        count_axis(ax)
        share = (values >= 1).sum() / len(values) if len(values) else float("nan")
        ax.set_title(f"{title}: {pct(share)} of reps at 100% or more")
    handles = [h for ax in axes for h in ax.get_legend_handles_labels()[0]]
    fig.legend(handles=handles, loc="outside lower center", ncol=1)
    return _closed(fig)


def whatif_chart(whatif: WhatIf, currency: str = "USD") -> Figure:
    """Payout change under the alternative plan of each rep it changes, labelled: gains green,
    losses vermillion (a rep who left marked); the unchanged are counted in the title."""
    d = pd.concat([whatif.gains, whatif.losses]).sort_values("difference")
    fig, ax = new_figure(MAX_WIDTH, figure_height_for(len(d), per_row=0.34))
    names = departed(d)["name"].astype(str)
    # one bar per rep: namesakes get their rep id (bars keyed by name would be merged)
    labels = names.where(~d["name"].duplicated(keep=False),
                         names + " (" + d["rep_id"].astype(str) + ")")
    ys = np.arange(len(d))
    bars = ax.barh(ys, d["difference"], color=np.where(d["difference"] > 0, GOOD, BAD))
    for color, label in ((GOOD, "Paid more under the alternative"),
                         (BAD, "Paid less under the alternative")):
        ax.add_patch(Rectangle((0, 0), 0, 0, color=color, label=label))  # the key's entries
    bar_labels(ax, bars, lambda v: money(v, currency, compact=True), fontsize=11)
    low, high = ax.get_xlim()  # room between a loss's label and the rep names beside it
    ax.set_xlim(low - 0.1 * (high - low) if d["difference"].min() < 0 else low, high)
    ax.set_yticks(ys, labels.tolist())
    ax.axvline(0, color=NEUTRAL, lw=1)
    money_axis(ax, currency, axis="x")
    ax.xaxis.set_major_locator(MaxNLocator(4))  # money ticks that never run into each other
    same = len(whatif.per_rep) - len(d)
    ax.set_xlabel("Alternative minus current payout")  # short: a wider label widens the image
    ax.set_title(f"What-if: {count(whatif.winners)} gain, {count(whatif.losers)} lose"
                 + (f", {count(same)} unchanged" if same else ""))
    legend_outside(ax, "below", ncol=1)
    return _closed(fig)


def sensitivity_chart(sim: Sensitivity, currency: str = "USD") -> Figure:
    """Distribution of next period's total payout with P10 / P50 / P90 marked (in the key)."""
    fig, ax = new_figure(MAX_WIDTH, 4.5)
    ax.hist(sim.totals, bins=40, color=PRIMARY, edgecolor="white", label="Simulations")
    q = sim.quantiles()
    for key, style, what in (("P10", ":", "P10, 1 in 10 below"), ("P50", "-", "P50, the median"),
                             ("P90", "--", "P90, 1 in 10 above")):
        ax.axvline(q[key], color=BAD, lw=2, ls=style,
                   label=f"{what}: {money(q[key], currency, compact=True)}")
    money_axis(ax, currency, axis="x")
    ax.set_xlabel("Total variable pay next period (simulated)")
    ax.set_ylabel("Simulations")
    count_axis(ax)
    ax.set_title("Next period's payout: the likely range")
    legend_outside(ax, "below", ncol=1)
    return _closed(fig)


def cost_table(cost: pd.DataFrame, by: str = "team", currency: str = "USD") -> Styler:
    """Payout vs budget and cost of sales per group (overall last); > 110% of budget in red."""
    cols = {by: (by.replace("_", " ").title(), None), "reps": ("Reps", "int"),
            "payout": ("Payout", "money"), "budget": ("Budget", "money"),
            "payout_vs_budget": ("Payout / budget", "pct"), "bookings": ("Credited bookings", "money"),
            "cost_of_sales": ("Cost of sales", "pct1")}
    return report_table(cost, cols, currency,
                        caption="Payout against budget (on-target variable pay) and cost of sales "
                                "(variable pay / credited bookings); over 110% of budget in red",
                        bad={"payout_vs_budget": cost["payout_vs_budget"] > 1.1})


WHATIF_COLUMNS = {"name": ("Rep", None), "team": ("Team", None),
                  "attainment": ("Attainment", "pct"), "payout_base": ("Payout, current", "money"),
                  "payout_alt": ("Payout, alternative", "money"),
                  "difference": ("Difference", "money")}


def whatif_tables(whatif: WhatIf, currency: str = "USD", limit: int = 10) -> HTML:
    """The reps who would gain under the alternative (biggest gain first), then those who would
    lose (biggest loss first), each cut to ``limit`` rows with the rest expandable."""
    parts = []
    for rows, what, order, highlight in ((whatif.gains, "gain", "gain", "good"),
                                         (whatif.losses, "lose", "loss", "bad")):
        if rows.empty:
            parts.append(f"<p>No rep would {what} under the alternative.</p>")
            continue
        render = functools.partial(_highlighted, currency=currency, highlight=highlight,
                                   caption=f"Reps who would {what} under the alternative")
        parts.append(limited(departed(rows), render, limit, noun="reps", order=order).data)
    return HTML("".join(parts))


def _highlighted(rows: pd.DataFrame, currency: str, highlight: str, caption: str) -> Styler:
    """The what-if table with every difference highlighted ``highlight`` ('good' or 'bad')."""
    return report_table(rows, WHATIF_COLUMNS, currency, caption=caption,
                        **{highlight: {"difference": pd.Series(True, rows.index)}})


def windfalls_table(windfalls: pd.DataFrame, currency: str = "USD") -> HTML:
    """Reps paid far above target because of one deal, or the sentence saying there are none."""
    if windfalls.empty:
        return paragraphs(["No windfalls: no rep was paid 1.5x target because of one deal."])
    cols = {"name": ("Rep", None), "team": ("Team", None), "attainment": ("Attainment", "pct"),
            "payout": ("Payout", "money"), "target_incentive": ("Target incentive", "money"),
            "payout_ratio": ("Payout / target", "pct"), "top_deal_payout": ("Paid on top deal", "money")}
    return limited(departed(windfalls), lambda r: report_table(r, cols, currency,
                                                             caption="Windfalls"),
                   noun="reps", order="payout / target")


def misset_quotas_table(misset: pd.DataFrame, currency: str = "USD") -> HTML:
    """Reps whose latest quota is far from their own bookings history and their result, or the
    sentence saying none is."""
    if misset.empty:
        return paragraphs(["No quota looks mis-set: no rep with at least 2 earlier complete "
                           "quarters missed a latest quota above 2x their average bookings or "
                           "reached one below 0.5x of it (reps with less history are not "
                           "judged)."])
    cols = {"name": ("Rep", None), "team": ("Team", None), "quota_period_label": ("Quarter", None),
            "quota": ("Quota", "money"), "history_bookings": ("Average bookings before", "money"),
            "quota_to_history": ("Quota / average bookings", ratio),
            "attainment": ("Attainment", "pct"), "looks": ("Quota looks", None)}
    return limited(departed(misset), lambda r: report_table(
        r, cols, currency, caption="Quotas that look mis-set given the rep's own history"),
        noun="reps", order="quota looks too high first, then quota / average bookings")


def distribution_tiles(d: Distribution) -> list[tuple[str, str]]:
    """Headline figures of the attainment and payout distributions over the whole run."""
    return [("Reps", count(d.reps)),
            ("Reached quota, whole run", f"{count(d.at_quota)} of {count(d.with_quota)} "
                                         f"({pct(d.share_at_quota)})"),
            ("Reached on-target pay", f"{count(d.reaching_ote)} of {count(d.with_target)} "
                                      f"({pct(d.share_reaching_ote)})"),
            ("Median attainment", pct(d.attainment_median)),
            ("Median payout / target", pct(d.payout_ratio_median))]


def p4p_tiles(p: PayForPerformance) -> list[tuple[str, str]]:
    """Headline figures of pay for performance."""
    return [("Rank correlation", number(p.rank_correlation, 2)),
            ("Top quarter of reps: payout / target", pct(p.top_quartile_payout_ratio)),
            ("Bottom quarter of reps: payout / target", pct(p.bottom_quartile_payout_ratio)),
            ("Top / bottom", _times(p.top_to_bottom))]


def _times(value: float) -> str:
    """A multiple as read on a tile: '6.0x'; above 100x (a bottom quartile paid almost
    nothing) '>100x'; '–' when undefined."""
    return ">100x" if value > 100 else ratio(value) if np.isfinite(value) else "–"


def _less_or_more(difference: float, currency: str) -> str:
    """'$49,001 less' / '$12 more' / 'the same' (no '-$')."""
    if round(difference) == 0:
        return "the same"
    return f"{money(abs(difference), currency)} {'more' if difference > 0 else 'less'}"


def whatif_tiles(whatif: WhatIf, currency: str = "USD",
                 attainment: bool = True) -> list[tuple[str, str]]:
    """Headline figures of the what-if comparison (the rank correlation only with attainment)."""
    tiles = [("Cost, current", money(whatif.cost_base, currency)),
             ("Cost, alternative", money(whatif.cost_alt, currency)),
             ("Alternative costs", _less_or_more(whatif.cost_difference, currency)),
             ("Reps who gain / lose", f"{count(whatif.winners)} / {count(whatif.losers)}")]
    if attainment:
        tiles.append(("Rank correlation, current to alternative",
                      f"{number(whatif.p4p_base.rank_correlation, 2)} to "
                      f"{number(whatif.p4p_alt.rank_correlation, 2)}"))
    return tiles


def sensitivity_tiles(sim: Sensitivity, currency: str = "USD") -> list[tuple[str, str]]:
    """P10 / P50 / P90 of next period's payout, said in words."""
    q = sim.quantiles()
    return [("P10: 1 in 10 simulations below", money(q["P10"], currency)),
            ("P50: the median", money(q["P50"], currency)),
            ("P90: 1 in 10 simulations above", money(q["P90"], currency))]


def quota_realism_sentence(rep_periods: pd.DataFrame) -> str:
    """How many complete rep-quarters reached their quota, against the 60-70% norm."""
    if rep_periods.empty:
        return "No complete rep-quarter in the run: quota realism cannot be judged yet."
    hit, n = int((rep_periods["attainment"] >= 1).sum()), len(rep_periods)
    low, high = AT_QUOTA_NORM
    return (f"{count(hit)} of {plural(n, 'complete rep-quarter')} ({pct(hit / n)}) reached that "
            f"quarter's quota (a rep-quarter is one rep's quarter spent entirely on the plan "
            f"and ended; a healthy plan sees {pct(low)}-{pct(high)}).")


def clawback_sentences(result: CompResult, currency: str = "USD") -> list[str]:
    """How many clawback lines reversed how much, and how many cancellations were not clawed
    back (a sentence only when some were not)."""
    claws = result.lines.loc[result.lines["kind"] == "clawback"]
    if len(claws):
        out = [f"{plural(len(claws), 'clawback line')} reversing "
               f"{money(-claws['amount_cents'].sum() / 100, currency)}."]
    else:
        out = ["No clawback: no cancellation or refund reversed a deal paid in the run."]
    ignored = len(result.ignored_adjustments)
    if ignored:
        out.append(f"{count(ignored)} {'cancellation was' if ignored == 1 else 'cancellations were'} "
                   "not clawed back (outside the window or not credited in the run).")
    return out


def sensitivity_sentences(ev: CompEvaluation, currency: str = "USD") -> list[str]:
    """Next period's range in words, and the open deals without an amount it leaves out."""
    assert ev.sim is not None and ev.current is not None
    q, period = ev.sim.quantiles(), ev.current.plan.quota_period
    out = [f"Next {period}'s variable pay is simulated at {money(q['P50'], currency, True)} (the "
           f"median of {plural(len(ev.sim.totals), 'simulation')}), between "
           f"{money(q['P10'], currency, True)} and {money(q['P90'], currency, True)} in 8 of 10 "
           "(the P10 and P90: 1 in 10 simulations falls below the first, 1 in 10 above the "
           f"second), from the attainment history of {plural(len(ev.sim.per_rep), 'rep')}."]
    n = ev.open_unknown_amounts
    if n:
        out.append(f"{count(n)} open {'deal has' if n == 1 else 'deals have'} no amount: the range "
                   "does not use the open pipeline, so they are left out, not counted as $0.")
    return out


def _follows(rho: float) -> str:
    """How closely pay follows performance, from the rank correlation."""
    return ("closely" if rho >= 0.7 else "loosely" if rho >= 0.4 else "only weakly")


def summary_sentences(ev: CompEvaluation, currency: str = "USD") -> list[str]:
    """Plain-language headline findings of the plan evaluation; only what the data supports,
    then the caveats (``ev.notes``)."""
    if not ev.available:
        return [ev.available.reason, *ev.notes]
    cur = ev.current
    cost, d, p = cur.cost.iloc[-1], cur.distribution, cur.p4p
    cos = (f", a cost of sales of {pct(cost['cost_of_sales'], 1)} (variable pay as a share of "
           f"the {money(cost['bookings'], currency, True)} of bookings credited to them)"
           if cost["bookings"] > 0 else ", with no credited bookings")
    out = [f"Under {cur.plan.name}, {plural(d.reps, 'rep')} earned "
           f"{money(cost['payout'], currency, True)} of variable pay, "
           f"{versus(cost['payout'], cost['budget'], currency, 'budget')} "
           f"({pct(cost['payout_vs_budget'])} of budget){cos}."]
    if ev.sections["distributions"]:
        low, high = AT_QUOTA_NORM
        verdict = ("within" if low <= d.share_at_quota <= high else
                   "below" if d.share_at_quota < low else "above")
        out.append(f"{count(d.at_quota)} of {plural(d.with_quota, 'rep')} with a quota "
                   f"({pct(d.share_at_quota)}) reached their quota for the whole run "
                   f"({ev.start:%Y-%m-%d} to {ev.end:%Y-%m-%d}), {verdict} the {pct(low)}-"
                   f"{pct(high)} a healthy plan sees; {count(d.reaching_ote)} of {count(d.with_target)} "
                   f"({pct(d.share_reaching_ote)}) earned at least their on-target pay (what a "
                   "rep earns at 100% of quota).")
    if ev.sections["p4p"]:
        out.append(f"Pay follows performance {_follows(p.rank_correlation)}: a rank correlation "
                   f"of {number(p.rank_correlation, 2)} between attainment and payout (1 would "
                   "mean the higher a rep's attainment, the higher their pay, without exception); "
                   f"the top quarter of reps by attainment was paid "
                   f"{pct(p.top_quartile_payout_ratio)} of their target, the bottom quarter "
                   f"{pct(p.bottom_quartile_payout_ratio)}.")
    if ev.sections["whatif"]:
        w = ev.whatif
        alt, base = (number(x.rank_correlation, 2) for x in (w.p4p_alt, w.p4p_base))
        rho = ("" if not ev.sections["p4p"] or not np.isfinite(w.p4p_alt.rank_correlation) else
               f"; pay would follow performance as {_follows(w.p4p_alt.rank_correlation)} (rank "
               f"correlation {alt}, unchanged)" if alt == base else
               f"; pay would follow performance {_follows(w.p4p_alt.rank_correlation)} (rank "
               f"correlation {alt} instead of {base})")
        out.append(f"{ev.alternative.plan.name} would have cost {money(w.cost_alt, currency)}, "
                   f"{_less_or_more(w.cost_difference, currency)} than the current plan: "
                   f"{count(w.winners)} {'rep gains' if w.winners == 1 else 'reps gain'}, "
                   f"{count(w.losers)} {'loses' if w.losers == 1 else 'lose'}{rho}.")
    if ev.sim is not None:
        out.append(sensitivity_sentences(ev, currency)[0])
    return [*out, *ev.notes]


def headline(ev: CompEvaluation, currency: str = "USD") -> list[Headline]:
    """The cover page's numbers: payout, budget, payout / budget and cost of sales of the run
    (none when the plan cannot be evaluated)."""
    if not ev.available:
        return []
    cost, period = ev.current.cost.iloc[-1], f"{ev.start:%Y-%m-%d} to {ev.end:%Y-%m-%d}"
    share = cost["cost_of_sales"] if cost["bookings"] > 0 else None
    return [Headline("payout", "Variable pay", float(cost["payout"]),
                     money(cost["payout"], currency, True), period),
            Headline("budget", "Budget", float(cost["budget"]),
                     money(cost["budget"], currency, True), period, "on-target variable pay"),
            Headline("payout_vs_budget", "Payout vs budget", float(cost["payout_vs_budget"]),
                     pct(cost["payout_vs_budget"]), period),
            Headline("cost_of_sales", "Cost of sales", share, pct(share, 1), period,
                     "variable pay / credited bookings")]
