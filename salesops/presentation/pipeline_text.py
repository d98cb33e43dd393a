"""The pipeline inspection report's generated sentences (what changed in each window, the
biggest reasons, slippage, pushed deals) and its headline numbers for the cover. Every figure
is formatted as the report's tables show it, and a difference is that of the figures shown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from salesops.presentation import formatting
from salesops.presentation.formatting import plural
from salesops.presentation.headline import Headline, as_value

if TYPE_CHECKING:
    from salesops.analysis.inspection.movement import Movement
    from salesops.analysis.inspection.slippage import Slippage

#: How a bridge step reads in a sentence, after its amount ("$1.6M pushed out").
STEP_PHRASES = {"created": "in new deals", "pulled_in": "pulled in", "increased": "added by "
                "larger amounts", "won": "won", "lost": "lost", "pushed_out": "pushed out",
                "decreased": "taken off by smaller amounts"}


def _money(v: float, currency: str) -> str:
    return formatting.money(v, currency, compact=True)


def _steps(bridge: pd.DataFrame) -> pd.DataFrame:
    return bridge.set_index(bridge["step"].astype(str))


def net_change(bridge: pd.DataFrame, currency: str = "USD") -> tuple[float, str]:
    """The end less the start as the bridge table shows them (the difference of the compact
    figures) and in words: 'up $1.2M', 'down $300K' or 'unchanged'."""
    b = _steps(bridge)
    diff = formatting.shown_money(b.at["end", "amount"]) - formatting.shown_money(
        b.at["start", "amount"])
    if round(diff, 6) == 0:
        return 0.0, "unchanged"
    return diff, f"{'up' if diff > 0 else 'down'} {_money(abs(diff), currency)}"


def biggest_steps(bridge: pd.DataFrame, n: int = 2) -> list[str]:
    """The ``n`` steps that moved the pipeline most (by amount, ties in bridge order), none
    that moved nothing."""
    b = _steps(bridge).drop(index=["start", "end"], errors="ignore")
    b = b.loc[b["amount"].abs().round(2) > 0]
    return b["amount"].abs().sort_values(ascending=False, kind="stable").index[:n].tolist()


def step_phrase(bridge: pd.DataFrame, step: str, currency: str = "USD") -> str:
    """'$1.6M pushed out (25 deals)': a step's amount as the bridge table shows it, unsigned."""
    row = _steps(bridge).loc[step]
    return f"{_money(abs(row['amount']), currency)} {STEP_PHRASES[step]} " \
           f"({plural(row['deals'], 'deal')})"


def movement_sentence(label: str, start: pd.Timestamp, end: pd.Timestamp, period: str,
                      bridge: pd.DataFrame, currency: str = "USD") -> str:
    """'Last 7 days (2026-11-24 to 2026-12-01): the FY2026 Q4 pipeline went from $12.3M (310
    deals) to $9.2M (286 deals), down $3.1M; the biggest moves were $2.1M won (14 deals) and
    $1.6M pushed out (25 deals).'"""
    b = _steps(bridge)
    _, moved = net_change(bridge, currency)
    text = (f"{label} ({start:%Y-%m-%d} to {end:%Y-%m-%d}): the {period} pipeline went from "
            f"{_money(b.at['start', 'amount'], currency)} "
            f"({plural(b.at['start', 'deals'], 'deal')}) to "
            f"{_money(b.at['end', 'amount'], currency)} ({plural(b.at['end', 'deals'], 'deal')})"
            f", {moved}")
    steps = [step_phrase(bridge, s, currency) for s in biggest_steps(bridge)]
    if len(steps) == 1:
        text += f"; the biggest move was {steps[0]}"
    elif steps:
        text += f"; the biggest moves were {' and '.join(steps)}"
    return text + "."


def created_and_won_sentence(created: int, won: int, label: str) -> str:
    """'Last 7 days: 22 deals created, 2 of them won within the window.' (a deal created and
    won in between is in neither end of the bridge)."""
    if not created:
        return f"{label}: no deal created."
    done = "none of them won yet" if not won else \
        f"{formatting.count(won)} of them won within the window"
    return f"{label}: {plural(created, 'deal')} created, {done}."


def slippage_sentence(committed: int, slipped: int, quarters: int) -> str:
    """'Over the last 4 quarters, 30 of 120 deals committed to a quarter (25%) slipped out of
    it.'"""
    if not committed:
        return f"No deal was in commit for its quarter over the last {plural(quarters, 'quarter')}."
    return (f"Over the last {plural(quarters, 'quarter')}, {formatting.count(slipped)} of "
            f"{plural(committed, 'deal')} committed to a quarter "
            f"({formatting.pct(slipped / committed)}) slipped out of it.")


def pushed_sentence(often: float, rest: float, times: int = 3) -> str:
    """'Closed deals pushed 3 or more times were won 12% of the time, against 41% for the
    rest.' (the rates as the table shows them)."""
    if formatting.missing(often):
        return f"No closed deal was pushed {times} or more times."
    return (f"Closed deals pushed {times} or more times were won {formatting.pct(often)} of the "
            f"time, against {formatting.pct(rest)} for the rest.")


def headline_items(bridge: pd.DataFrame, period: str, start: pd.Timestamp,
                   currency: str = "USD") -> list[Headline]:
    """The cover's numbers from the last 7 days' bridge: the open pipeline closing in
    ``period`` now, its net change over the 7 days, and what was pushed out of it."""
    b = _steps(bridge)
    _, moved = net_change(bridge, currency)
    end, pushed = b.at["end", "amount"], abs(b.at["pushed_out", "amount"])
    diff = end - b.at["start", "amount"]  # unrounded; the text is the shown figures' difference
    return [Headline("pipeline_open", "Open pipeline", as_value(end), _money(end, currency),
                     period, f"{plural(b.at['end', 'deals'], 'deal')} expected to close"),
            Headline("pipeline_change_7d", "Change in the last 7 days", as_value(diff), moved,
                     period, f"from {_money(b.at['start', 'amount'], currency)} on "
                             f"{start:%Y-%m-%d}"),
            Headline("pushed_out_7d", "Pushed out in the last 7 days", as_value(pushed),
                     _money(pushed, currency), period,
                     plural(b.at["pushed_out", "deals"], "deal"))]



def unknown_amount_sentence(n: int) -> str:
    """Deals in the pipeline without an amount: counted as deals, left out of the amounts."""
    if not n:
        return ""
    one = n == 1
    return (f"{plural(n, 'deal')} in the pipeline {'has' if one else 'have'} no amount: "
            f"{'it is' if one else 'they are'} counted as {'a deal' if one else 'deals'} but "
            "left out of the amounts.")


def calls_sentence(habits: pd.DataFrame, day: int) -> str:
    """How far the reps' commit calls on ``day`` can be trusted, from their habits
    (``CallScores.at(day)``): how many reps consistently sandbag, are optimists, are on target
    or mixed, and how many have too few quarters to judge."""
    if habits.empty:
        return f"No rep's commit call on day {day} of a past quarter could be measured."
    n = habits["habit"].value_counts()
    judged = [plural(n.get(h, 0), what, whats) for h, what, whats in (
        ("sandbagger", "consistent sandbagger", None), ("optimist", "consistent optimist", None),
        ("on target", "rep on target", "reps on target"), ("mixed", "rep mixed", "reps mixed"))
        if n.get(h, 0)]
    text = f"Reps' commit calls on day {day} of past quarters: "
    text += (", ".join(judged[:-1]) + " and " + judged[-1]) if len(judged) > 1 else \
        (judged[0] if judged else "no rep has enough quarters to judge")
    few = int(n.get("too few quarters", 0))
    if few and judged:
        text += f"; {plural(few, 'rep')} with too few quarters measured to judge"
    return text + "."


def summary_sentences(moves: Sequence[tuple[str, Movement]], slip: Slippage | None = None,
                      pushed: pd.DataFrame | None = None, habits: pd.DataFrame | None = None,
                      day: int = 45, times: int = 3, currency: str = "USD") -> list[str]:
    """The executive summary: per window what changed and why, then slippage, how deals pushed
    often end, and how far the reps' calls can be trusted (each only when given)."""
    out = [movement_sentence(label, m.start, m.end, m.period.label, m.bridge, currency)
           for label, m in moves]
    if moves and moves[-1][1].unknown_amount:
        out.append(unknown_amount_sentence(moves[-1][1].unknown_amount))
    if slip is not None:
        total = slip.overall.iloc[0]
        out.append(slippage_sentence(int(total["committed"]), int(total["slipped"]),
                                     len(slip.quarters)))
    if pushed is not None:
        out.append(pushed_sentence(pushed["win_rate"].iloc[0], pushed["win_rate"].iloc[1], times))
    if habits is not None:
        out.append(calls_sentence(habits, day))
    return out
