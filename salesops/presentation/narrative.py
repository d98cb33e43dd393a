"""Sentences generated from numbers: executive summaries that never print a NaN.

The first part is generic (any report can phrase a value, a change or a share with it); the
performance-review summary at the end composes those phrases.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from salesops.analysis.performance.review import Finding, coverage, parse_compare_to
from salesops.presentation import formatting
from salesops.presentation.formatting import missing

if TYPE_CHECKING:
    from salesops.analysis.performance.review import PerformanceReview

#: Value kinds: how a value is shown and how a change in it is phrased.
KINDS = ("money", "pct", "count", "number", "days")


def show(value: float | None, kind: str = "number", currency: str = "USD") -> str:
    """A value as text: money compact ($1.2M), pct (53%), count, number, days ('47 days')."""
    if kind == "money":
        return formatting.money(value, currency, compact=True)
    if kind == "pct":
        return formatting.pct(value)
    if kind == "count":
        return formatting.count(value)
    if kind == "days":
        return "–" if missing(value) else f"{float(value):,.0f} days"
    if kind == "number":
        return formatting.number(value)
    raise ValueError(f"unknown value kind {kind!r} (known: {', '.join(KINDS)})")


def change(current: float | None, reference: float | None, kind: str = "number") -> str | None:
    """'up 12%', 'down 5 pts' (ratios change in points), 'flat'; None if not comparable."""
    if missing(current) or missing(reference):
        return None
    if kind == "pct":
        diff = float(current) - float(reference)
        if round(diff * 100) == 0:
            return "flat"
        return f"{'up' if diff > 0 else 'down'} {abs(diff) * 100:.0f} pts"
    if float(reference) == 0:
        return None
    rel = float(current) / float(reference) - 1
    if round(rel * 100) == 0:
        return "flat"
    return f"{'up' if rel > 0 else 'down'} {abs(rel) * 100:.0f}%"


def versus(current: float | None, reference: float | None, label: str, kind: str = "number",
           currency: str = "USD") -> str:
    """'up 12% on FY2026 Q3 ($3.9M)' or 'no comparable figure for FY2026 Q3'."""
    moved = change(current, reference, kind)
    if moved is None:
        return f"no comparable figure for {label}"
    return f"{moved} on {label} ({show(reference, kind, currency)})"


def share_phrase(part: int, whole: int, noun: str = "reps") -> str:
    """'4 of 26 reps (15%)'; 'none of 0 reps' never divides by zero."""
    if whole <= 0:
        return f"no {noun}"
    return f"{part:,} of {whole:,} {noun} ({formatting.pct(part / whole)})"


def band_phrase(value: float, band: tuple[float, float], what: str) -> str:
    """'below the 60-70% a healthy plan reaches' style comparison against a range of ratios."""
    low, high = band
    rng = f"{low * 100:.0f}-{high * 100:.0f}%"
    if missing(value):
        return f"{what} cannot be compared with {rng}"
    where = "below" if value < low else "above" if value > high else "within"
    return f"{where} the {rng} {what}"


def join_clauses(clauses: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [c for c in clauses if c]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def sentence(text: str) -> str:
    """Capitalise the first letter and end with a full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


# -- performance review ------------------------------------------------------------------------
def performance_summary(review: PerformanceReview, compare_to: str | None = None) -> list[str]:
    """Executive summary of a performance review: headline, comparisons (``compare_to``: see
    ``parse_compare_to``), reps at quota, coverage and the three biggest risks or changes."""
    p, cur, cur_ccy = review.periods, review.headline.loc["current"], review.data.currency
    when = p.current.label if p.elapsed >= 1 else (
        f"{p.current.label} to date ({formatting.pct(p.elapsed)} of the {p.current.freq} "
        f"elapsed on {review.data.as_of:%Y-%m-%d})")
    booked = f"{review.data.scope.label}, {when}: bookings {show(cur['bookings'], 'money', cur_ccy)}"
    if cur["quota_status"] == "ok":
        lines = [sentence(f"{booked} against a {show(cur['quota'], 'money', cur_ccy)} quota, "
                          f"{show(cur['attainment'], 'pct')} attainment")]
        compared = [versus(cur["attainment"], review.headline.loc[name, "attainment"],
                           _compared_label(review, name), "pct")
                    for name in parse_compare_to(compare_to)]
        lines.append(sentence(f"Attainment is {join_clauses(compared)}"))
    else:
        lines = [sentence(f"{booked}; no quota is set for the period ({cur['quota_status']}), "
                          "so attainment is not computed")]
    booked_vs = [versus(cur["bookings"], review.headline.loc[name, "bookings"],
                        _compared_label(review, name), "money", cur_ccy)
                 for name in parse_compare_to(compare_to)]
    lines.append(sentence(f"Bookings are {join_clauses(booked_vs)}"))
    dist = review.distribution
    ranked = share_phrase(dist.at_quota, dist.ranked_reps, "ranked reps")
    band = band_phrase(dist.compared_share, dist.healthy_band, "a healthy plan reaches")
    if dist.elapsed >= 1:
        lines.append(sentence(f"{ranked} finished at or above quota, {band}"))
    else:
        pace = share_phrase(dist.on_pace, dist.ranked_reps)
        lines.append(sentence(f"{ranked} are already at or above quota and {pace} are on pace "
                              f"for it, {band}"))
    cov, basis = coverage(review.headline)
    if not missing(cov):
        pipe = show(review.headline.loc["current", "next_period_pipeline"], "money", cur_ccy)
        lines.append(sentence(f"Open pipeline expected to close in {p.next.label} is {pipe}, "
                              f"{cov:.1f}x {basis}"))
    else:
        lines.append(sentence(f"Pipeline coverage of {p.next.label} cannot be computed: {basis}"))
    risks = [finding_sentence(f, cur_ccy) for f in review.findings[:3]]
    if risks:
        lines.append("Biggest risks and changes: " + " ".join(risks))
    return lines


def finding_sentence(f: Finding, currency: str = "USD") -> str:
    """One sentence with its number for a review finding (see ``review.findings``)."""
    val, ref = f.value, f.reference
    text = {
        "pace": lambda: f"{f.subject} has booked {show(val, 'pct')} of quota with "
                        f"{show(ref, 'pct')} of the period gone",
        "change": lambda: f"attainment is {versus(val, ref, f.detail, 'pct')}",
        "reps_at_quota": lambda: f"only {show(val, 'pct')} of ranked reps are at or on pace for "
                                 f"quota, {abs(ref - val) * 100:.0f} pts under the "
                                 f"{show(ref, 'pct')} floor of a healthy plan",
        "coverage": lambda: f"next-period pipeline covers {val:.1f}x {f.subject}, "
                            f"against a {ref:.0f}x target",
        "team": lambda: f"{f.subject} is at {show(val, 'pct')} attainment, "
                        f"{(ref - val) * 100:.0f} pts below {f.detail} ({show(ref, 'pct')})",
        "bottleneck": lambda: f"{f.subject} loses {show(val, 'pct')} of deals at {f.detail}, "
                              f"{(val - ref) * 100:.0f} points worse than the company",
        "seats": lambda: f"{show(val, 'count')} recently vacated seat(s) still open ({f.subject})",
        "attrition": lambda: f"attrition over the last 12 months is {show(val, 'pct')} of average "
                             f"headcount",
    }
    if f.kind not in text:
        raise ValueError(f"unknown finding kind {f.kind!r}")
    return sentence(text[f.kind]())


def _compared_label(review: PerformanceReview, name: str) -> str:
    period = getattr(review.periods, name)
    return period.label if review.periods.elapsed >= 1 else f"the same point of {period.label}"


def bottleneck_sentences(bottlenecks: pd.DataFrame) -> list[str]:
    """'Team X loses 48% of deals at Proposal, 15 points worse than the company.' per group."""
    out = []
    for _, row in bottlenecks.iterrows():
        gap = row["gap"] * 100
        pts = f"{abs(gap):.0f} point{'' if round(abs(gap)) == 1 else 's'}"
        where = (f"{pts} worse than the company" if round(gap) > 0 else
                 "in line with the company" if round(gap) == 0 else f"{pts} better than the company")
        out.append(sentence(f"{row['group']} loses {show(row['loss_rate'], 'pct')} of deals at "
                            f"{row['stage']}, {where}"))
    return out


def people_sentences(review: PerformanceReview) -> list[str]:
    """Consistency, ramp and turnover in a few sentences."""
    labels = review.consistency["label"].value_counts()
    judged = int(labels.drop("too new to judge", errors="ignore").sum())
    mix = join_clauses([f"{int(labels.get(k, 0))} {k}" for k in
                        ("consistently good", "consistently weak", "volatile", "mixed")])
    lines = [sentence(f"Of {judged} reps with enough history: {mix}")] if judged else []
    months = review.productive_month
    if len(months):
        reached = months.dropna()
        median = show(reached.median(), "number").rstrip("0").rstrip(".") if len(reached) else None
        lines.append(sentence(
            f"{share_phrase(len(reached), len(months), 'hires observed from their first month')} "
            "reached productivity (3-month average at 80% of a steady quota)"
            + (f", after a median of {median} months" if median else "")))
    t = review.turnover
    lines.append(sentence(
        f"Over {t.window.label}: {t.hires} hire(s), {t.leavers} leaver(s), attrition "
        f"{show(t.attrition_rate, 'pct')} of average headcount; headcount {t.headcount_start} -> "
        f"{t.headcount_end}; {int(t.vacated['open'].sum())} recently vacated seat(s) still open"))
    return lines
