"""Statements: one rep's lines for one payout period, whose total is the sum of its lines."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from salesops.analysis.comp.engine import CompResult
from salesops.analysis.comp.lines import KINDS

#: Line columns shown on a statement, in order.
STATEMENT_COLUMNS = ("date", "kind", "measure", "opportunity_id", "credit", "credit_unit", "tier",
                     "rate", "rate_unit", "amount_cents", "balance_cents", "note")


@dataclass(frozen=True)
class Statement:
    """A rep's statement for one payout period."""

    plan: str
    rep_id: str
    rep_name: str
    period: pd.Timestamp
    period_label: str
    lines: pd.DataFrame  # STATEMENT_COLUMNS
    total_cents: int
    target_incentive_cents: int
    draw_balance_cents: int

    @property
    def by_kind(self) -> pd.Series:
        """Subtotal in cents per line kind (kinds with no lines omitted)."""
        sums = self.lines.groupby("kind", observed=True)["amount_cents"].sum()
        return sums.reindex([k for k in KINDS if k in sums.index])


def statements(result: CompResult, reps: pd.DataFrame, rep_ids: list[str] | None = None,
               periods: list[pd.Timestamp] | None = None) -> Iterator[Statement]:
    """Statements for every rep x payout period of a run (optionally only some reps/periods)."""
    summary = result.periods
    if rep_ids is not None:
        summary = summary.loc[summary["rep_id"].isin(rep_ids)]
    if periods is not None:
        summary = summary.loc[summary["period"].isin(pd.to_datetime(periods))]
    lines = result.lines.loc[result.lines["rep_id"].isin(summary["rep_id"])
                             & result.lines["period"].isin(summary["period"])]
    groups = dict(tuple(lines.groupby(["rep_id", "period"], observed=True, sort=False)))
    names = reps.set_index("rep_id")["name"].astype(str)
    empty = result.lines.iloc[:0]
    for row in summary.itertuples(index=False):
        own = groups.get((row.rep_id, row.period), empty)
        yield Statement(
            plan=result.plan.name, rep_id=str(row.rep_id),
            rep_name=names.get(row.rep_id, str(row.rep_id)), period=row.period,
            period_label=row.period_label, lines=own.loc[:, list(STATEMENT_COLUMNS)]
            .reset_index(drop=True), total_cents=int(own["amount_cents"].sum()),
            target_incentive_cents=int(row.target_incentive_cents),
            draw_balance_cents=int(row.draw_balance_cents))


def totals_reconcile(result: CompResult) -> bool:
    """True when every rep x period total equals the sum of its statement lines."""
    sums = result.lines.groupby(["rep_id", "period"], observed=True)["amount_cents"].sum()
    keyed = result.periods.set_index(["rep_id", "period"])["total_cents"]
    return bool((sums.reindex(keyed.index, fill_value=0) == keyed).all()
                and sums.index.isin(keyed.index).all())


@dataclass(frozen=True)
class Featured:
    """The statement a report shows first and what it was chosen for: the rep with the most
    clawback lines in the latest complete payout period that has any (``clawback_lines`` > 0),
    else the best-paid statement of the latest complete period."""

    statement: Statement
    latest_complete: str  # the run's latest complete payout period with lines ("" when none)
    clawback_lines: int  # clawback lines on the statement shown
    unit: str = "month"  # the plan's payout period

    @property
    def clawback_rows(self) -> pd.DataFrame:
        """The statement's clawback lines."""
        return self.statement.lines.loc[self.statement.lines["kind"] == "clawback"]


def featured_statement(result: CompResult, reps: pd.DataFrame,
                       end: pd.Timestamp) -> Featured | None:
    """The statement to show first, among payout periods complete by ``end`` (all periods when
    none with lines is): the rep with the most clawback lines (ties: the larger amount reversed,
    then the first rep) in the latest period with a clawback; without one, the best-paid
    statement of the latest period with lines. None for an empty run."""
    lines = result.lines
    if lines.empty:
        return None
    ends = result.periods.drop_duplicates("period").set_index("period")["period_end"]
    pool = lines.loc[lines["period"].isin(ends.index[ends <= end])]
    latest = str(pool.loc[pool["period"] == pool["period"].max(), "period_label"].iloc[0]
                 ) if len(pool) else ""
    pool = pool if len(pool) else lines
    claws = pool.loc[pool["kind"] == "clawback"]
    chosen = claws if len(claws) else pool
    period = chosen["period"].max()
    own = chosen.loc[chosen["period"] == period].groupby("rep_id", observed=True, sort=False)
    if len(claws):
        rank = pd.DataFrame({"n": own.size(), "reversed": -own["amount_cents"].sum()})
        rep_id = rank.sort_values(["n", "reversed"], ascending=False, kind="stable").index[0]
    else:
        totals = own["amount_cents"].sum()
        rep_id = totals.index[int(totals.to_numpy().argmax())]
    statement = next(statements(result, reps, [rep_id], [period]))
    n = int((statement.lines["kind"] == "clawback").sum())
    return Featured(statement, latest, n, result.plan.payout_period)
