"""The full set of performance review metrics in one call (the notebook and the benchmark use it).

Findings (risks and changes) are ranked by a severity score in comparable units: each is the
relative shortfall or change it describes (0.15 = 15% or 15 points), see docs/metrics.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from salesops.analysis.funnel import Funnel, funnel
from salesops.analysis.performance.consistency import consistency
from salesops.analysis.performance.diagnosis import diagnose
from salesops.analysis.performance.leaderboard import (
    AttainmentDistribution,
    attainment_distribution,
    leaderboard,
)
from salesops.analysis.performance.ramp import (
    Turnover,
    cohort_curve,
    ramp_table,
    time_to_productivity,
    turnover,
)
from salesops.analysis.performance.rollups import performance_table
from salesops.analysis.performance.scope import (
    SCOPE_LEVELS,
    ReviewData,
    prepare,
    to_date,
    trailing_window,
)
from salesops.analysis.performance.trend import quarterly_trend
from salesops.data.periods import FREQS, Period, elapsed_fraction, parse_date
from salesops.data.store import Dataset

COMPARE_TO = ("previous", "last_year")


def parse_compare_to(text: str | None) -> tuple[str, ...]:
    """'previous', 'last_year' or both comma-separated (None: both), validated."""
    if text is None or not str(text).strip():
        return COMPARE_TO
    names = tuple(n.strip() for n in str(text).split(",") if n.strip())
    unknown = [n for n in names if n not in COMPARE_TO]
    if unknown or not names:
        raise ValueError(f"compare_to must list {' and/or '.join(COMPARE_TO)}, got {text!r}")
    return names


@dataclass(frozen=True)
class ReviewPeriods:
    """The reviewed period, the periods it is compared with, and the next one.

    Comparisons count deals over the same number of days (``days``) as have elapsed in the
    current period on ``as_of``, against their full quota.
    """

    current: Period
    previous: Period
    last_year: Period
    next: Period
    days: int
    elapsed: float

    @classmethod
    def build(cls, data: ReviewData, freq: str) -> ReviewPeriods:
        if freq not in FREQS:
            raise ValueError(f"period must be one of {', '.join(FREQS)}, got {freq!r}")
        cal = data.calendar
        current = cal.period(data.as_of, freq)
        return cls(
            current=current,
            previous=cal.previous(current),
            last_year=cal.same_period_last_year(current),
            next=cal.shift(current, 1),
            days=(min(current.end, data.as_of) - current.start).days + 1,
            elapsed=elapsed_fraction(current, data.as_of),
        )


@dataclass(frozen=True)
class Finding:
    """A risk or change worth a sentence: what, about whom, the number and its reference."""

    kind: str  # pace, change, reps_at_quota, coverage, team, bottleneck, seats, attrition
    subject: str
    value: float
    reference: float
    severity: float  # comparable score; the summary shows the largest three
    detail: str = ""  # e.g. the stage of a bottleneck, the compared period


@dataclass
class PerformanceReview:
    """Every table and figure of the performance review, computed as of ``data.as_of``."""

    data: ReviewData
    periods: ReviewPeriods
    headline: pd.DataFrame  # one row per compared period: current, previous, last_year
    reps: pd.DataFrame  # leaderboard: rep performance table with rank, quartile, at_quota
    distribution: AttainmentDistribution
    rollups: dict[str, pd.DataFrame]
    trailing: pd.DataFrame  # leaderboard over the trailing 12 months (diagnosis basis)
    diagnosis: pd.DataFrame
    consistency: pd.DataFrame
    ramp: pd.DataFrame  # rep x tenure month
    cohort: pd.DataFrame  # cohort curve by tenure month
    productive_month: pd.Series  # time to productivity per ramping rep
    turnover: Turnover
    funnel: Funnel
    trend: pd.DataFrame
    findings: list[Finding]
    coverage_basis: str  # which quota the coverage figure divides by

    @property
    def new_hires(self) -> pd.DataFrame:
        """Ramp rows of active reps hired in the last 12 months."""
        recent = self.data.reps.loc[
            (self.data.reps["hire_date"] > self.data.as_of - pd.DateOffset(months=12))
            & self.data.reps["termination_date"].isna(), "rep_id"].astype(str)
        return self.ramp.loc[self.ramp["rep_id"].isin(recent)]


def headline(data: ReviewData, periods: ReviewPeriods) -> pd.DataFrame:
    """Scope totals for the current period and its comparisons (same elapsed days)."""
    frames = []
    for name in ("current", *COMPARE_TO):
        period = getattr(periods, name)
        nxt = periods.next if name == "current" else None
        frames.append(performance_table(data, period, None, nxt, periods.days).assign(
            compared=name, period=period.label, through=to_date(period, periods.days).end))
    out = pd.concat(frames).set_index("compared").drop(columns="scope")
    return out


def coverage(headline: pd.DataFrame) -> tuple[float, str]:
    """Next period's open pipeline / its quota; without that quota, / this period's quota."""
    cur = headline.loc["current"]
    if cur["next_period_quota"] > 0:
        return float(cur["coverage"]), "next period's quota"
    if cur["quota"] > 0:
        return float(cur["next_period_pipeline"] / cur["quota"]), \
            "this period's quota (next period's quota is not set)"
    return float("nan"), "no quota set"


def findings(review: PerformanceReview, coverage_target: float = 3.0) -> list[Finding]:
    """Risks and changes with a positive severity, largest first (missing numbers never qualify)."""
    cur, head, p = review.headline.loc["current"], review.headline, review.periods
    out: list[Finding] = []
    if cur["quota_status"] == "ok" and 0 < p.elapsed < 1:
        pace = cur["attainment"] / p.elapsed
        out.append(Finding("pace", review.data.scope.label, cur["attainment"], p.elapsed,
                           1 - pace))
    for name in COMPARE_TO:
        ref = head.loc[name, "attainment"]
        if pd.notna(ref) and pd.notna(cur["attainment"]):
            diff = cur["attainment"] - ref
            out.append(Finding("change", "attainment", cur["attainment"], ref, abs(diff),
                               getattr(p, name).label))
    dist = review.distribution
    low = dist.healthy_band[0]
    if pd.notna(dist.compared_share):
        out.append(Finding("reps_at_quota", review.data.scope.label, dist.compared_share, low,
                           low - dist.compared_share))
    cov, basis = coverage(review.headline)
    if pd.notna(cov):
        out.append(Finding("coverage", basis, cov, coverage_target, 1 - cov / coverage_target))
    teams = review.rollups["team"]
    if len(teams) > 1 and pd.notna(cur["attainment"]):
        worst = teams.loc[teams["attainment"].idxmin()] if teams["attainment"].notna().any() else None
        if worst is not None:
            out.append(Finding("team", worst["team"], worst["attainment"], cur["attainment"],
                               cur["attainment"] - worst["attainment"], review.data.scope.label))
    for _, row in review.funnel.bottlenecks.head(1).iterrows():
        if row["gap"] > 0:
            out.append(Finding("bottleneck", row["group"], row["loss_rate"],
                               row["company_loss_rate"], row["gap"], row["stage"]))
    seats = review.turnover.vacated
    open_seats = int(seats["open"].sum())
    if open_seats and review.turnover.headcount_end:
        out.append(Finding("seats", ", ".join(seats.loc[seats["open"], "team"].unique()),
                           open_seats, review.turnover.headcount_end,
                           open_seats / review.turnover.headcount_end))
    if pd.notna(review.turnover.attrition_rate):
        out.append(Finding("attrition", review.data.scope.label, review.turnover.attrition_rate,
                           0.15, review.turnover.attrition_rate - 0.15))
    ranked = [f for f in out if pd.notna(f.severity) and f.severity > 0]
    return sorted(ranked, key=lambda f: f.severity, reverse=True)


def performance_review(
    dataset: Dataset, as_of: str | pd.Timestamp | None = None, period: str = "quarter",
    scope: str | None = None, min_tenure_months: int = 3, diagnosis_threshold: float = 0.8,
    consistency_periods: int = 4, trend_quarters: int = 8,
) -> PerformanceReview:
    """Compute the review for ``scope`` and ``period`` (month/quarter/year) as of ``as_of``."""
    data = prepare(dataset, parse_date(as_of, name="as_of"), scope)
    periods = ReviewPeriods.build(data, period)
    reps = performance_table(data, periods.current, "rep_id", periods.next, periods.days)
    board = leaderboard(reps, min_tenure_months)
    window = trailing_window(data.as_of)
    trailing = leaderboard(performance_table(data, window), min_tenure_months)
    ramp = ramp_table(data)
    review = PerformanceReview(
        data=data,
        periods=periods,
        headline=headline(data, periods),
        reps=board,
        distribution=attainment_distribution(board, periods.elapsed),
        rollups={level: performance_table(data, periods.current, level, periods.next)
                 for level in SCOPE_LEVELS},
        trailing=trailing,
        diagnosis=diagnose(trailing, diagnosis_threshold),
        consistency=consistency(data, period, consistency_periods),
        ramp=ramp,
        cohort=cohort_curve(ramp),
        productive_month=time_to_productivity(ramp),
        turnover=turnover(data),
        funnel=funnel(data.deals, data.stage_history, data.catalogue, window, "team"),
        trend=quarterly_trend(data, trend_quarters),
        findings=[],
        coverage_basis="",
    )
    review.findings = findings(review)
    review.coverage_basis = coverage(review.headline)[1]
    return review
