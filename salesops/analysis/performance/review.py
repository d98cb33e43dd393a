"""The full set of performance review metrics in one call (the notebook and the benchmark use it).

Each section's needs are declared once, in its analysis module; ``SECTIONS`` names them and
``performance_review`` checks them against the dataset: a section the data cannot support is not
computed (its field is None) and ``review.sections[name]`` holds the sentence to show instead.
Findings (risks and changes) are ranked by a severity score in comparable units: each is the
relative shortfall or change it describes (0.15 = 15% or 15 points), see docs/metrics.md.
Coverage is ``salesops.data.coverage`` (the forecast's too), judged against the coverage needed
at the usual conversion.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from salesops.analysis import funnel as funnel_analysis
from salesops.analysis.funnel import Funnel, funnel, velocities
from salesops.analysis.performance import attainment, consistency, diagnosis
from salesops.analysis.performance import leaderboard as ranking
from salesops.analysis.performance import ramp as ramp_analysis
from salesops.analysis.performance import trend as trend_analysis
from salesops.analysis.performance.consistency import complete_periods
from salesops.analysis.performance.diagnosis import Diagnosis
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
from salesops.analysis.performance.rollups import NEEDS_BY_LEVEL, performance_table, same_groups
from salesops.analysis.performance.scope import (
    SCOPE_LEVELS,
    ReviewData,
    prepare,
    to_date,
    trailing_window,
)
from salesops.data.coverage import Coverage, coverage
from salesops.data.outcomes import undated_open
from salesops.data.periods import FREQS, Period, elapsed_fraction, parse_date
from salesops.data.requirements import Availability, Needs, check_all
from salesops.data.scope import scoped_view
from salesops.data.store import Dataset

COMPARE_TO = ("previous", "last_year")
#: Without deals there is no review at all: every section says so in this one sentence.
REVIEW_NEEDS = Needs("The performance review", tables=("opportunities",))
#: Each section of the review and what it needs (declared in its analysis module).
SECTIONS: dict[str, Needs] = {
    "deals": Needs("Bookings, win rates, deal sizes and cycles", tables=("opportunities",)),
    "attainment": attainment.NEEDS,
    **{f"rollups_by_{level}": NEEDS_BY_LEVEL[level] for level in SCOPE_LEVELS},
    "leaderboard": ranking.NEEDS,
    "tenure": ranking.TENURE_NEEDS,
    "diagnosis": diagnosis.NEEDS,
    "consistency": consistency.NEEDS,
    "ramp": ramp_analysis.RAMP_NEEDS,
    "turnover": ramp_analysis.TURNOVER_NEEDS,
    "vacated_seats": ramp_analysis.SEATS_NEEDS,
    "funnel": funnel_analysis.NEEDS,
    "bottlenecks": funnel_analysis.BOTTLENECK_NEEDS,
    "velocity": funnel_analysis.VELOCITY_NEEDS,
    "trend": trend_analysis.NEEDS,
}


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
    """Every table and figure of the performance review, computed as of ``data.as_of``.

    A field is None when its section (``sections``) is not available; nothing stands in for it.
    """

    data: ReviewData
    periods: ReviewPeriods
    sections: dict[str, Availability]
    headline: pd.DataFrame | None = None  # one row per compared period: current, previous, ...
    reps: pd.DataFrame | None = None  # leaderboard: rep table with rank, quartile (, at_quota)
    distribution: AttainmentDistribution | None = None  # needs quotas
    rollups: dict[str, pd.DataFrame] = field(default_factory=dict)  # levels the roster has
    one_manager_per_team: bool = False  # manager rollup = team rollup: one table, both columns
    trailing_window: Period | None = None  # diagnosis window (12 months, or since the data began)
    trailing: pd.DataFrame | None = None  # leaderboard over the trailing window
    diagnosis: Diagnosis | None = None
    consistency: pd.DataFrame | None = None
    ramp: pd.DataFrame | None = None  # rep x tenure month
    cohort: pd.DataFrame | None = None  # cohort curve by tenure month
    productive_month: pd.Series | None = None  # time to productivity per ramping rep
    turnover: Turnover | None = None
    funnel: Funnel | None = None
    velocity: pd.DataFrame | None = None  # per team (if known) plus the whole scope
    trend: pd.DataFrame | None = None
    findings: list[Finding] = field(default_factory=list)
    coverage_next: Coverage | None = None  # next period's coverage and its standard (quotas)
    undated_open_deals: int = 0  # open deals with no expected close date (in no period)

    @property
    def new_hires(self) -> pd.DataFrame:
        """Ramp rows of active reps hired in the last 12 months."""
        recent = self.data.reps.loc[
            (self.data.reps["hire_date"] > self.data.as_of - pd.DateOffset(months=12))
            & self.data.reps["termination_date"].isna(), "rep_id"].astype(str)
        return self.ramp.loc[self.ramp["rep_id"].isin(recent)]


def headline(data: ReviewData, periods: ReviewPeriods, quotas: bool = True) -> pd.DataFrame:
    """Scope totals for the current period and its comparisons (same elapsed days); ``measured``
    is False for a comparison that starts before the first deal (its zeros are not data)."""
    frames = []
    for name in ("current", *COMPARE_TO):
        period = getattr(periods, name)
        nxt = periods.next if name == "current" else None
        frames.append(performance_table(data, period, None, nxt, periods.days, quotas).assign(
            compared=name, period=period.label, through=to_date(period, periods.days).end,
            measured=name == "current" or data.measured(period)))
    out = pd.concat(frames).set_index("compared").drop(columns="scope")
    return out


def _merge_team_and_manager(review: PerformanceReview) -> None:
    """With one manager per team (and one team per manager), the two rollups are the same table:
    keep the team rollup with a manager column and drop the manager rollup."""
    if not {"team", "manager"} <= review.rollups.keys():
        return
    managers = same_groups(review.data.reps, "team", "manager")
    if managers is None:
        return
    teams = review.rollups["team"]
    teams.insert(1, "manager", teams["team"].map(managers))
    del review.rollups["manager"]
    review.one_manager_per_team = True


def measured_window(data: ReviewData, months: int = 12) -> Period:
    """The trailing ``months`` to ``as_of``, starting no earlier than the first deal."""
    window = trailing_window(data.as_of, months)
    if data.history_start is None or data.history_start <= window.start:
        return window
    return Period("trailing", data.history_start, data.as_of,
                  f"{data.history_start:%Y-%m-%d} to {data.as_of:%Y-%m-%d}")


def findings(review: PerformanceReview) -> list[Finding]:
    """Risks and changes with a positive severity, largest first; only from available sections
    and measured comparisons (missing numbers never qualify)."""
    out: list[Finding] = []
    if review.sections["attainment"]:
        out += _quota_findings(review)
    for _, row in (review.funnel.bottlenecks.head(1).iterrows()
                   if review.funnel is not None and review.funnel.bottlenecks is not None else ()):
        if row["gap"] > 0:
            out.append(Finding("bottleneck", row["group"], row["loss_rate"],
                               row["company_loss_rate"], row["gap"], row["stage"]))
    t = review.turnover
    if t is not None and t.vacated is not None:
        open_seats = int(t.vacated["open"].sum())
        if open_seats and t.headcount_end:
            out.append(Finding("seats", ", ".join(t.vacated.loc[t.vacated["open"], "team"].unique()),
                               open_seats, t.headcount_end, open_seats / t.headcount_end))
    if t is not None and pd.notna(t.attrition_rate):
        out.append(Finding("attrition", review.data.scope.label, t.attrition_rate,
                           0.15, t.attrition_rate - 0.15))
    ranked = [f for f in out if pd.notna(f.severity) and f.severity > 0]
    return sorted(ranked, key=lambda f: f.severity, reverse=True)


def _quota_findings(review: PerformanceReview) -> list[Finding]:
    """Pace, attainment changes, reps at quota, coverage and the weakest team (needs quotas).

    Coverage is a risk only below the coverage needed at the usual conversion; without a
    measurable standard it is no finding."""
    cur, head, p = review.headline.loc["current"], review.headline, review.periods
    out: list[Finding] = []
    if cur["quota_status"] == "ok" and 0 < p.elapsed < 1:
        pace = cur["attainment"] / p.elapsed
        out.append(Finding("pace", review.data.scope.label, cur["attainment"], p.elapsed,
                           1 - pace))
    for name in COMPARE_TO:
        ref = head.loc[name, "attainment"]
        if head.loc[name, "measured"] and pd.notna(ref) and pd.notna(cur["attainment"]):
            out.append(Finding("change", "attainment", cur["attainment"], ref,
                               abs(cur["attainment"] - ref), getattr(p, name).label))
    dist = review.distribution
    low = dist.healthy_band[0]
    if pd.notna(dist.compared_share):
        out.append(Finding("reps_at_quota", review.data.scope.label, dist.compared_share, low,
                           low - dist.compared_share))
    cov = review.coverage_next
    if cov is not None and pd.notna(cov.ratio) and pd.notna(cov.needed) and cov.needed > 0:
        out.append(Finding("coverage", cov.period, cov.ratio, cov.needed,
                           1 - cov.ratio / cov.needed))
    teams = review.rollups.get("team")
    if teams is not None and len(teams) > 1 and pd.notna(cur["attainment"]) \
            and teams["attainment"].notna().any():
        worst = teams.loc[teams["attainment"].idxmin()]
        out.append(Finding("team", worst["team"], worst["attainment"], cur["attainment"],
                           cur["attainment"] - worst["attainment"], review.data.scope.label))
    return out


def check_sections(dataset: Dataset) -> dict[str, Availability]:
    """Availability of every section in ``SECTIONS``; all say the review needs deals if the
    data has none."""
    review = REVIEW_NEEDS.check(dataset)
    if not review:
        return dict.fromkeys(SECTIONS, review)
    return check_all(dataset, SECTIONS.items())


def _history_checks(data: ReviewData, sections: dict[str, Availability], freq: str,
                    consistency_periods: int, trend_quarters: int) -> None:
    """Sections the tables allow but the history is too short for, with the sentence."""
    if sections["trend"]:
        sections["trend"] = trend_analysis.trend_availability(data, trend_quarters)
    if sections["consistency"] and not complete_periods(data, freq, consistency_periods):
        sections["consistency"] = Availability.missing(
            f"Consistency cannot be shown: the deals cover no complete {freq} yet.")


def performance_review(
    dataset: Dataset, as_of: str | pd.Timestamp | None = None, period: str = "quarter",
    scope: str | None = None, min_tenure_months: int = 3, diagnosis_threshold: float = 0.8,
    consistency_periods: int = 4, trend_quarters: int = 8, diagnosis_min_tenure_months: int = 6,
) -> PerformanceReview:
    """Compute the review for ``scope`` and ``period`` (month/quarter/year) as of ``as_of``;
    only the sections the dataset supports (see ``PerformanceReview.sections``). Reps are ranked
    from ``min_tenure_months`` in the job and diagnosed from ``diagnosis_min_tenure_months``."""
    data = prepare(dataset, parse_date(as_of, name="as_of"), scope)
    periods = ReviewPeriods.build(data, period)
    sections = check_sections(dataset)
    review = PerformanceReview(data=data, periods=periods, sections=sections)
    if not sections["deals"]:
        return review
    _history_checks(data, sections, period, consistency_periods, trend_quarters)
    quotas = bool(sections["attainment"])
    team = "team" if sections["rollups_by_team"] else None
    review.headline = headline(data, periods, quotas)
    reps = performance_table(data, periods.current, "rep_id", periods.next, periods.days, quotas)
    review.reps = leaderboard(reps, min_tenure_months)
    review.rollups = {level: performance_table(data, periods.current, level, periods.next,
                                               quotas=quotas)
                      for level in SCOPE_LEVELS if sections[f"rollups_by_{level}"]}
    _merge_team_and_manager(review)
    window = measured_window(data)
    review.trailing_window = window
    if quotas:
        review.distribution = attainment_distribution(review.reps, periods.elapsed)
        review.trailing = leaderboard(performance_table(data, window), min_tenure_months)
        review.diagnosis = diagnosis.diagnose(review.trailing, diagnosis_threshold,
                                              min_tenure_months=diagnosis_min_tenure_months)
        review.coverage_next = coverage(scoped_view(dataset, data.as_of, scope), periods.next,
                                       data.as_of)
    if sections["consistency"]:
        review.consistency = consistency.consistency(data, period, consistency_periods)
    if sections["ramp"]:
        ramp = ramp_table(data)
        if ramp.empty:
            sections["ramp"] = Availability.missing(
                "Ramp of new hires cannot be shown: no rep was hired inside the period the deals "
                "and quotas cover, so no first month was observed.")
        else:
            review.ramp, review.cohort = ramp, cohort_curve(ramp)
            review.productive_month = time_to_productivity(ramp)
    if sections["turnover"]:
        review.turnover = turnover(data, teams=bool(sections["vacated_seats"]))
    if sections["funnel"]:
        review.funnel = funnel(data.deals, data.stage_history, data.catalogue, window,
                               team if sections["bottlenecks"] else None)
    review.velocity = velocities(data.deals, window, team)
    if sections["trend"]:
        review.trend = trend_analysis.quarterly_trend(data, trend_quarters, quotas,
                                                     min_tenure_months)
    review.undated_open_deals = undated_open(data.deals)
    review.findings = findings(review)
    return review
