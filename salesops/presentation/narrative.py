"""Sentences generated from numbers: executive summaries that never print a NaN.

The first part is generic (any report can phrase a value, a change or a share with it); the
performance-review summary at the end composes those phrases.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from salesops.analysis.performance.leaderboard import ranked_by, reps_at_quota
from salesops.analysis.performance.review import Finding, parse_compare_to
from salesops.presentation import formatting
from salesops.presentation.formatting import missing, plural
from salesops.presentation.headline import Headline, as_value, coverage_items

if TYPE_CHECKING:
    from salesops.analysis.performance.diagnosis import Diagnosis
    from salesops.analysis.performance.leaderboard import AttainmentDistribution, RepsAtQuota
    from salesops.analysis.performance.ramp import Turnover
    from salesops.analysis.performance.review import PerformanceReview
    from salesops.data.coverage import Coverage

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
    """'up 12%', 'down 5 pts' (ratios change in points, between the rounded percentages shown),
    'unchanged'; None if not comparable."""
    if missing(current) or missing(reference):
        return None
    if kind == "pct":
        return formatting.change_in_points(current, reference)
    if float(reference) == 0:
        return None
    return formatting.change_pct(current, reference)


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
        return f"not comparable with the {rng} {what}"
    where = "below" if value < low else "above" if value > high else "within"
    return f"{where} the {rng} {what}"


def join_or(items: Sequence[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    items = [c for c in items if c]
    return "".join(items) if len(items) <= 1 else ", ".join(items[:-1]) + " or " + items[-1]


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
    ``parse_compare_to``), outcomes, reps at quota, next period's pipeline and the three biggest
    risks or changes; only what the data supports (one sentence if it has no deals)."""
    if not review.sections["deals"]:
        return [review.sections["deals"].reason]
    cur, ccy = review.headline.loc["current"], review.data.currency
    names = parse_compare_to(compare_to)
    lines = [headline_sentence(review)]
    if review.sections["attainment"] and cur["quota_status"] == "ok":
        lines.append(comparison_sentence(
            "Attainment is", cur["attainment"],
            [_reference(review, n, "attainment", "no quota was set then") for n in names], "pct"))
    lines.append(comparison_sentence(
        "Bookings are", cur["bookings"],
        [_reference(review, n, "bookings", "nothing was booked then") for n in names],
        "money", ccy))
    lines.append(outcome_sentence(cur, ccy))
    if review.distribution is not None:
        lines.append(distribution_sentence(review.distribution))
    lines.append(pipeline_sentence(review))
    if review.undated_open_deals:
        lines.append(undated_sentence(review.undated_open_deals))
    risks = [finding_sentence(f, ccy, review.coverage_next) for f in review.findings[:3]]
    if risks:
        lines.append("Biggest risks and changes: " + " ".join(risks))
    return lines


def headline_sentence(review: PerformanceReview) -> str:
    """'Company, FY2026 Q4 to date (...): bookings $5.8M against a $13.6M quota, 42% attainment.'
    Without a quotas table, bookings and won deals only."""
    p, cur, ccy = review.periods, review.headline.loc["current"], review.data.currency
    when = p.current.label if p.elapsed >= 1 else (
        f"{p.current.label} to date ({formatting.pct(p.elapsed)} of the {p.current.freq} "
        f"elapsed on {review.data.as_of:%Y-%m-%d})")
    booked = (f"{review.data.scope.label}, {when}: bookings {show(cur['bookings'], 'money', ccy)}")
    if not review.sections["attainment"]:
        won = int(cur["won_deals"])
        return sentence(f"{booked} from {plural(won, 'won deal')}" if won else
                        f"{booked}: no deal won yet")
    if cur["quota_status"] == "ok":
        return sentence(f"{booked} against a {show(cur['quota'], 'money', ccy)} quota, "
                        f"{show(cur['attainment'], 'pct')} attainment")
    why = "the period's quota is zero" if cur["quota_status"] == "zero" else \
        "no quota is set for the period"
    return sentence(f"{booked}; {why}, so attainment is not computed")


def comparison_sentence(subject: str, current: float, refs: Sequence[tuple[str, float, str]],
                        kind: str, currency: str = "USD") -> str:
    """'Attainment is down 6 pts on Q3 (48%); Q4 cannot be compared (reason).' ``refs``: (label,
    value, why it is not comparable if its value is missing or zero); ``subject`` ends in its verb."""
    moved, lacking = [], {}
    for label, value, why in refs:
        if change(current, value, kind) is None:
            lacking.setdefault(why, []).append(label)
        else:
            moved.append(versus(current, value, label, kind, currency))
    if not moved:
        parts = [f"{join_or(labels)} ({why})" for why, labels in lacking.items()]
        return sentence(f"{subject.rsplit(' ', 1)[0]} cannot be compared with {join_or(parts)}")
    text = f"{subject} {join_clauses(moved)}"
    for why, labels in lacking.items():
        text += f"; {join_clauses(labels)} cannot be compared ({why})"
    return sentence(text)


def _reference(review: PerformanceReview, name: str, column: str, why: str
               ) -> tuple[str, float, str]:
    """(label, value, reason) of one comparison; not measured: NaN, 'before the deals begin'."""
    row = review.headline.loc[name]
    label = _compared_label(review, name)
    if not row["measured"]:
        return label, float("nan"), (f"the deals begin on {review.data.history_start:%Y-%m-%d}"
                                     if review.data.history_start is not None else "no deals then")
    return label, row[column], why


def outcome_sentence(cur: pd.Series, currency: str = "USD") -> str:
    """Win rate of the closed deals, average won deal and median cycle of the period."""
    closed = int(cur["won_deals"] + cur["lost_deals"])
    if closed == 0:
        return sentence("No deal has closed in the period yet, so win rate, deal size and cycle "
                        "are not known")
    rate = f"win rate {show(cur['win_rate'], 'pct')} of {plural(closed, 'closed deal')}"
    if cur["won_deals"] == 0:
        return sentence(f"{rate}; no deal won yet, so deal size and cycle are not known")
    return sentence(f"{rate}, average won deal {show(cur['avg_deal_size'], 'money', currency)}, "
                    f"median sales cycle {show(cur['median_cycle_days'], 'days')}")


def distribution_sentence(dist: AttainmentDistribution) -> str:
    """How many ranked reps are at quota (or on pace), against the healthy band."""
    if dist.ranked_reps == 0:
        return sentence("No rep qualifies for ranking against quota in the period, so the share "
                        "at quota is not known")
    ranked = share_phrase(dist.at_quota, dist.ranked_reps, "ranked reps")
    band = band_phrase(dist.compared_share, dist.healthy_band, "a healthy plan reaches")
    if dist.elapsed >= 1:
        return sentence(f"{ranked} finished at or above quota, {band}")
    pace = share_phrase(dist.on_pace, dist.ranked_reps)
    return sentence(f"{ranked} are already at or above quota and {pace} are on pace for it, "
                    f"{band}")


def reps_at_quota_text(counted: RepsAtQuota) -> str:
    """'2 of 26 (8%)': ranked reps at quota, as the summary and the trend count them."""
    if counted.ranked == 0:
        return "no ranked rep"
    return f"{counted.at_quota:,} of {counted.ranked:,} ({formatting.pct(counted.share)})"


def pipeline_sentence(review: PerformanceReview) -> str:
    """Open deals expected to close next period: how many, how many without an amount, the known
    value and (with quotas) its coverage against the standard, never reading an unknown amount
    as $0."""
    cur, ccy, nxt = review.headline.loc["current"], review.data.currency, review.periods.next.label
    n, unknown = int(cur["next_period_deals"]), int(cur["next_period_without_amount"])
    value = show(cur["next_period_pipeline"], "money", ccy)
    if n == 0:
        return sentence(f"No open deal is expected to close in {nxt}")
    if unknown == 0:
        text = f"{plural(n, 'open deal')} worth {value} are expected to close in {nxt}"
    elif unknown == n:
        text = (f"{plural(n, 'open deal')} are expected to close in {nxt}, none with an amount, "
                "so their value is unknown")
    else:
        text = (f"{plural(n, 'open deal')} are expected to close in {nxt}, {unknown:,} of them "
                f"without an amount; the {n - unknown:,} with one total {value}")
    if n == 1:
        text = text.replace(" are expected", " is expected").replace("their value", "its value")
    cov = review.coverage_next
    return sentence(text + (f"; {formatting.coverage_text(cov, ccy)}" if cov else ""))


def undated_sentence(n: int) -> str:
    """Open deals without an expected close date are in no period's pipeline."""
    if n == 1:
        return "1 open deal has no expected close date, so it is in no period's pipeline."
    return f"{n:,} open deals have no expected close date, so they are in no period's pipeline."


def finding_sentence(f: Finding, currency: str = "USD", coverage: Coverage | None = None) -> str:
    """One sentence with its number for a review finding (see ``review.findings``); a coverage
    finding needs the ``coverage`` it was drawn from. Point gaps are between the rounded
    percentages the sentence shows."""
    val, ref = f.value, f.reference

    def pts(a: float, b: float, noun: str = "pt") -> str:
        return plural(abs(formatting.shown_pct_points(a, b)), noun)

    text = {
        "pace": lambda: f"{f.subject} has booked {show(val, 'pct')} of quota with "
                        f"{show(ref, 'pct')} of the period gone",
        "change": lambda: f"attainment is {versus(val, ref, f.detail, 'pct')}",
        "reps_at_quota": lambda: f"only {show(val, 'pct')} of ranked reps are at or on pace for "
                                 f"quota, {pts(ref, val)} under the {show(ref, 'pct')} floor of "
                                 "a healthy plan",
        "coverage": lambda: f"{f.subject} pipeline has {formatting.coverage_text(coverage, currency)}",
        "team": lambda: f"{f.subject} is at {show(val, 'pct')} attainment, "
                        f"{pts(ref, val)} below {f.detail} ({show(ref, 'pct')})",
        "bottleneck": lambda: f"{f.subject} loses {show(val, 'pct')} of deals at {f.detail}, "
                              f"{pts(val, ref, 'point')} worse than the company",
        "seats": lambda: (f"{plural(val, 'recently vacated seat')} still open ({f.subject})"),
        "attrition": lambda: f"attrition over the last 12 months is {show(val, 'pct')} of average "
                             f"headcount",
    }
    if f.kind not in text:
        raise ValueError(f"unknown finding kind {f.kind!r}")
    return sentence(text[f.kind]())


def _compared_label(review: PerformanceReview, name: str) -> str:
    period = getattr(review.periods, name)
    return period.label if review.periods.elapsed >= 1 else f"the same point of {period.label}"


def leaderboard_note(review: PerformanceReview) -> list[str]:
    """How the leaderboard ranks: by attainment, or by bookings without quotas; that tenure is
    unknown without hire dates (no rep left out for short tenure) and departures without
    termination dates."""
    out = []
    if ranked_by(review.reps) == "bookings":
        out.append("Reps are ranked by bookings in the period.")
    else:
        out.append("Reps are ranked by attainment: active reps past the minimum tenure with a "
                   "quota; the others are listed last with the reason.")
    if not review.sections["tenure"]:
        out.append("Tenure is unknown (the data has no hire dates), so no rep is left out of the "
                   "ranking for short tenure.")
    if not review.data.has("reps", "termination_date"):
        out.append("Departures are unknown (the data has no termination dates), so " + (
            "a rep who left may still be listed." if review.data.has("reps", "hire_date") else
            "a rep is listed when they own a deal created or closed in the period, or one still "
            "open."))
    return out


def bottleneck_sentences(bottlenecks: pd.DataFrame) -> list[str]:
    """'Team X loses 48% of deals at Proposal, 15 points worse than the company.' per group."""
    out = []
    for _, row in bottlenecks.iterrows():
        gap = formatting.shown_pct_points(row["loss_rate"], row["company_loss_rate"])
        pts = plural(abs(gap), "point")
        where = (f"{pts} worse than the company" if gap > 0 else
                 "in line with the company" if gap == 0 else f"{pts} better than the company")
        out.append(sentence(f"{row['group']} loses {show(row['loss_rate'], 'pct')} of deals at "
                            f"{row['stage']}, {where}"))
    return out


def consistency_sentence(table: pd.DataFrame) -> str:
    """'Of 23 reps with enough history: 7 consistently good, 4 volatile and 2 mixed.'"""
    labels = table["label"].value_counts()
    judged = int(labels.drop("too new to judge", errors="ignore").sum())
    if not judged:
        return sentence("No rep has enough history to judge consistency yet (2 periods with "
                        "quota and 6 months observed)")
    mix = join_clauses([f"{int(labels[k])} {k}" for k in
                        ("consistently good", "consistently weak", "volatile", "mixed")
                        if labels.get(k, 0)])
    return sentence(f"Of {plural(judged, 'rep')} with enough history: {mix}")


def ramp_sentence(productive_month: pd.Series) -> str:
    """How many hires observed from their first month reached productivity, and how fast."""
    reached = productive_month.dropna()
    hires = share_phrase(len(reached), len(productive_month),
                         "hires observed from their first month")
    rule = "(3-month average at 80% of a steady quota)"
    if len(productive_month) == 0:
        return sentence("No hire was observed from their first month, so ramp is not known")
    if len(reached) == 0:
        return sentence(f"None of the {plural(len(productive_month), 'hire')} observed from "
                        f"their first month has reached productivity yet {rule}")
    median = float(reached.median())
    months = plural(median, "month") if median == int(median) else f"{median:.1f} months"
    return sentence(f"{hires} reached productivity {rule}, after a median of {months}")


def turnover_sentence(t: Turnover) -> str:
    """Hires, leavers, attrition and headcount over the trailing window."""
    rate = (f"attrition {show(t.attrition_rate, 'pct')} of average headcount"
            if not missing(t.attrition_rate) else "attrition cannot be computed (no headcount)")
    return sentence(f"Over {t.window.label}: {plural(t.hires, 'hire')}, "
                    f"{plural(t.leavers, 'leaver')}, {rate}; headcount {t.headcount_start} -> "
                    f"{t.headcount_end}")


def seats_sentence(vacated: pd.DataFrame, days: int = 180) -> str:
    """Seats vacated in the last ``days`` days and how many are still open."""
    open_seats = int(vacated["open"].sum())
    if vacated.empty:
        return sentence(f"No seat was vacated in the last {days} days")
    if open_seats == 0:
        every = "The 1 seat" if len(vacated) == 1 else f"All {len(vacated):,} seats"
        verb = "has" if len(vacated) == 1 else "have"
        return sentence(f"{every} vacated in the last {days} days {verb} been backfilled")
    verb = "is" if open_seats == 1 else "are"
    return sentence(f"{open_seats} of {plural(len(vacated), 'seat')} vacated in the last {days} "
                    f"days {verb} still open")


def diagnosis_sentences(diagnosis: Diagnosis, window: str) -> list[str]:
    """Who is diagnosed (ranked reps below the bar over ``window``, past the minimum tenure) and
    against whom, then who is left out for short tenure and why."""
    months = plural(diagnosis.min_tenure_months, "month")
    who = (f"Ranked reps below {formatting.pct(diagnosis.threshold)} attainment over {window}"
           + (f" with at least {months} in the job" if diagnosis.tenure_known else ""))
    lines = [sentence(f"{who}, each with the driver furthest below their peers: the median of "
                      "the other ranked reps of their team (of every other ranked rep in scope "
                      "when the team has fewer than 3 others)")]
    if not diagnosis.tenure_known:
        lines.append("Tenure is unknown (the data has no hire dates), so no rep is left out for "
                     "short tenure.")
    elif len(diagnosis.too_new):
        reps = join_clauses([f"{r['name']} ({plural(r['tenure_months'], 'month')}, "
                             f"{formatting.pct(r['attainment'])})"
                             for _, r in diagnosis.too_new.iterrows()])
        verb = "is" if len(diagnosis.too_new) == 1 else "are"
        lines.append(sentence(f"{reps} {verb} below the bar but not diagnosed: under {months} in "
                              "the job, still ramping"))
    return lines


def headline_items(review: PerformanceReview) -> list[Headline]:
    """The review's headline numbers for the cover (keys agreed across reports): bookings, quota
    and attainment of the period to date, ranked reps at quota, next period's coverage and the
    coverage needed at the usual conversion; a missing figure has value None and text '–'."""
    if not review.sections["deals"]:
        return []
    cur, ccy, period = review.headline.loc["current"], review.data.currency, review.periods
    now = period.current.label
    items = [Headline("bookings", "Bookings", as_value(cur["bookings"]),
                      formatting.money(cur["bookings"], ccy, compact=True), now,
                      "to date" if period.elapsed < 1 else "")]
    if not review.sections["attainment"]:
        return items
    counted = reps_at_quota(review.reps)
    cov = review.coverage_next
    return [*items,
            Headline("quota", "Quota", as_value(cur["quota"]),
                     formatting.money(cur["quota"], ccy, compact=True), now),
            Headline("attainment", "Attainment", as_value(cur["attainment"]),
                     formatting.pct(cur["attainment"]), now),
            Headline("reps_at_quota", "Ranked reps at quota", as_value(counted.share),
                     reps_at_quota_text(counted), now),
            *coverage_items(cov, ccy)]
