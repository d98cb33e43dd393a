"""Reps' commit and best-case calls: this quarter's beside the model, and past quarters' scored
against what each rep closed, with the bias-corrected call (docs/forecasting.md, "Reps' calls").

A rep's call for a quarter on a day is what the CRM showed then: won in the quarter by that day,
plus the open deals in commit (best case: and in best case) expected to close in it (overdue
deals count in it), each with the amount, close date and category it had that day
(``salesops.data.history.states_on``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops.analysis.forecast.accuracy import accuracy_table, call_snapshots, snapshot_dates
from salesops.data.history import states_on
from salesops.data.periods import FiscalCalendar, Period
from salesops.data.requirements import Needs

CALL_DAYS = (15, 45, 75)
CALLS_NEEDS = Needs("Reps' calls", tables=("opportunities", "opportunity_history"),
                    columns={"opportunities": ("forecast_category",)})
#: A habit needs this many measured quarters; so does a bias correction (from earlier quarters).
MIN_QUARTERS = 3
MAX_CORRECTION = 2.0  # a bias correction at most doubles or halves a call
#: A habit is "consistent" when at least this share of the measured quarters agree.
CONSISTENT = 0.75
#: A quarter's call within this of the actual (as a share of it) is on target.
ON_TARGET = 0.10
HABITS = ("sandbagger", "optimist", "on target", "mixed", "too few quarters")
#: The day whose calls the habits, the ranking and the bias correction shown are judged on.
HABIT_DAY = 45
CALL_COLUMNS = ["quarter", "start", "rep_id", "day", "on", "won", "commit", "best_case",
                "actual", "accuracy", "bias", "past_quarters", "past_bias", "corrected"]
REP_COLUMNS = ["rep_id", "name", "left", "day", "quarters", "mean_accuracy", "median_bias",
               "under", "over", "within", "habit"]


@dataclass(frozen=True)
class CallScores:
    """Per (past quarter, rep, day): the calls, the actual and their scores; per (rep, day): the
    quarters measured, mean accuracy, median bias and habit."""

    calls: pd.DataFrame  # CALL_COLUMNS
    reps: pd.DataFrame  # REP_COLUMNS, most optimistic first

    def team(self, day: int = CALL_DAYS[0]) -> pd.DataFrame:
        """Per quarter, the reps' calls on ``day`` added up: commit, the bias-corrected commit,
        best case and actual (what the accuracy history sets beside the forecasts)."""
        rows = self.calls.loc[self.calls["day"] == day]
        out = rows.groupby("quarter", sort=False).agg(
            start=("start", "first"), commit=("commit", "sum"), corrected=("corrected", "sum"),
            best_case=("best_case", "sum"), actual=("actual", "sum"),
            reps_corrected=("past_bias", "count")).reset_index()
        return out.sort_values("start").reset_index(drop=True)

    def history(self, day: int = CALL_DAYS[0]) -> pd.DataFrame:
        """Per quarter, the reps' calls on ``day`` added up, as made and corrected, against
        what was won, with the errors of each (``accuracy.accuracy_table``)."""
        team = self.team(day)
        return accuracy_table(pd.DataFrame({"period": team["quarter"], "actual": team["actual"]}),
                              calls=call_snapshots(team))

    def at(self, day: int = HABIT_DAY) -> pd.DataFrame:
        """The reps' scores of the calls made on ``day``, most optimistic first."""
        return self.reps.loc[self.reps["day"] == day].reset_index(drop=True)


def rep_names(rep_ids: pd.Series, reps: pd.DataFrame | None = None) -> pd.Series:
    """Each rep's name from the roster ``reps``; the owner id where the roster has none (or
    there is no roster)."""
    ids = rep_ids.astype(str)
    if reps is None:
        return ids
    return ids.map(reps.assign(rep_id=reps["rep_id"].astype(str)).set_index("rep_id")["name"]
                   ).fillna(ids).astype(str)


def rep_left(rep_ids: pd.Series, reps: pd.DataFrame | None = None) -> pd.Series:
    """Each rep's termination date from the roster ``reps`` as known on the report's date
    (``data.asof.roster_as_of``); NaT while employed, or without a roster."""
    if reps is None or "termination_date" not in reps.columns:
        return pd.Series(pd.NaT, index=rep_ids.index, dtype="datetime64[ns]")
    left = reps.assign(rep_id=reps["rep_id"].astype(str)).set_index("rep_id")["termination_date"]
    return rep_ids.astype(str).map(left[~left.index.duplicated()]).astype("datetime64[ns]")


def call_parts(deals: pd.DataFrame, start: pd.Series | pd.Timestamp,
               end: pd.Series | pd.Timestamp, on: pd.Series | pd.Timestamp) -> pd.DataFrame:
    """Per deal (status, amount, close date and category as known at the end of ``on``): its
    share of its rep's won, commit and best-case call for the period [start, end]. Won: closed
    won in the period by ``on``; commit: that plus open commit deals expected in the period or
    overdue; best case: commit plus such best-case deals. Amounts unknown count 0."""
    close, status = deals["close_date"], deals["status"]
    amount = deals["amount"].astype(float).fillna(0.0)
    category = deals["forecast_category"].astype(object)
    won = (status == "won") & (close >= start) & (close <= end) & (close <= on)
    placed = (status == "open") & (((close >= start) & (close <= end)) | (close < on))
    commit = won | (placed & (category == "commit"))
    best = commit | (placed & (category == "best_case"))
    return pd.DataFrame({"won": amount.where(won, 0.0), "commit": amount.where(commit, 0.0),
                         "best_case": amount.where(best, 0.0)}, index=deals.index)


def accuracy_of(call: pd.Series, actual: pd.Series) -> pd.Series:
    """1 - |call - actual| / actual, floored at 0 (a call off by all that was won, or more, is
    no better than no call; unfloored, one wild quarter drags a mean to -400%); NaN where
    nothing was closed (actual 0)."""
    return (1 - (call - actual).abs() / actual.where(actual > 0)).clip(lower=0)


def bias_of(call: pd.Series, actual: pd.Series) -> pd.Series:
    """(call - actual) / actual: above 0 the call was too high; NaN where actual is 0."""
    return (call - actual) / actual.where(actual > 0)


def call_dates(calendar: FiscalCalendar, as_of: pd.Timestamp, quarters: int,
               days: Sequence[int] = CALL_DAYS) -> pd.DataFrame:
    """(quarter, start, end, day, on) for each of the ``quarters`` quarters complete at the end
    of ``as_of`` and each call day (day 1 is the quarter's first day)."""
    rows = [(q.label, q.start, q.end, d, on) for d in days
            for on, q in snapshot_dates(calendar, pd.Timestamp(as_of), quarters, d)]
    return pd.DataFrame(rows, columns=["quarter", "start", "end", "day", "on"])


def _states(opportunities: pd.DataFrame, history: pd.DataFrame,
            dates: pd.DataFrame) -> pd.DataFrame:
    """One row per (call date, deal that matters to it): deals closed won in the quarter (their
    final state) and deals open at the end of that day, with the amount, close date and category
    they had then (before the deal's history starts: its first recorded values; a field never
    recorded: today's value)."""
    opps = opportunities[["opportunity_id", "rep_id", "created_date", "status", "amount",
                          "close_date", "forecast_category"]]
    closed = opps["status"] != "open"
    pairs = []
    for i, d in enumerate(dates.itertuples(index=False)):
        known = opps["created_date"] <= d.on
        relevant = known & (~closed | (opps["close_date"] >= d.start))
        pairs.append(np.column_stack([np.flatnonzero(relevant),
                                      np.full(int(relevant.sum()), i)]))
    deal, date = np.concatenate(pairs).T if pairs else (np.array([], int), np.array([], int))
    rows = opps.iloc[deal].reset_index(drop=True).join(
        dates.iloc[date].reset_index(drop=True))
    open_then = ((rows["status"] == "open") | (rows["close_date"] > rows["on"])).to_numpy()
    fields = ["amount", "close_date", "forecast_category"]
    then = states_on(history, rows.loc[open_then, "opportunity_id"],
                     pd.DatetimeIndex(rows.loc[open_then, "on"]), fields, before="first")
    for f in fields:
        values = rows[f].astype(object).to_numpy(copy=True)
        past = then[f].astype(object).to_numpy()
        known_then = then[f].notna().to_numpy()
        values[np.flatnonzero(open_then)[known_then]] = past[known_then]
        rows[f] = values
    rows["amount"] = rows["amount"].astype(float)
    rows["close_date"] = pd.to_datetime(rows["close_date"])
    rows["status"] = rows["status"].astype(object).where(~open_then, "open")
    return rows


def call_scores(opportunities: pd.DataFrame, history: pd.DataFrame,
                reps: pd.DataFrame | None, calendar: FiscalCalendar, as_of: pd.Timestamp,
                quarters: int = 8, days: Sequence[int] = CALL_DAYS) -> CallScores:
    """Each rep's commit and best-case calls on each call day of the last ``quarters`` complete
    quarters against what they closed won in the quarter; accuracy, bias, the bias-corrected
    commit (``corrected``) and per rep the habit (``habit``). ``opportunities`` as known at the
    end of ``as_of``; ``history`` cut there too."""
    dates = call_dates(calendar, as_of, quarters, days)
    rows = _states(opportunities, history, dates)
    parts = call_parts(rows, rows["start"], rows["end"], rows["on"])
    keys = ["quarter", "start", "rep_id", "day", "on"]
    calls = parts.join(rows[keys]).groupby(keys, observed=True, sort=False).sum().reset_index()
    won = opportunities.loc[opportunities["status"] == "won"]
    won = won.assign(quarter=calendar.period_label(won["close_date"], "quarter"))
    actual = won.loc[won["quarter"].isin(dates["quarter"])].groupby(
        ["rep_id", "quarter"], observed=True)["amount"].sum().rename("actual").reset_index()
    grid = actual.merge(dates[["quarter", "start", "day", "on"]], on="quarter")
    calls = calls.merge(grid, on=keys, how="outer")
    calls[["won", "commit", "best_case", "actual"]] = calls[
        ["won", "commit", "best_case", "actual"]].astype(float).fillna(0.0)
    calls = calls.loc[(calls["commit"] > 0) | (calls["best_case"] > 0) | (calls["actual"] > 0)]
    calls["accuracy"] = accuracy_of(calls["commit"], calls["actual"])
    calls["bias"] = bias_of(calls["commit"], calls["actual"])
    calls = corrected_calls(calls.sort_values(["rep_id", "day", "start"]))
    calls = calls.sort_values(["start", "day", "rep_id"]).reset_index(drop=True)[CALL_COLUMNS]
    return CallScores(calls, rep_habits(calls, reps))


def corrected_calls(calls: pd.DataFrame, min_quarters: int = MIN_QUARTERS) -> pd.DataFrame:
    """``calls`` with each rep's commit corrected by the same rep's bias on the same day over
    EARLIER measured quarters only (no look-ahead), pooled: past_bias = their calls added up
    over what they won added up, less 1; corrected = commit / (1 + past_bias), the factor held
    within 1/MAX_CORRECTION..MAX_CORRECTION (a rep who called a tenth of what they won would
    otherwise have their call multiplied by ten), when at least
    ``min_quarters`` earlier quarters were measured; the raw commit otherwise. Pooled rather
    than a median of quarterly biases, which one quarter with little won blows up.
    ``calls`` must be sorted by (rep_id, day, start)."""
    measured = calls["bias"].notna()
    keys = [calls["rep_id"], calls["day"]]

    def earlier(values: pd.Series) -> pd.Series:
        return values.groupby(keys, observed=True, sort=False).cumsum() - values

    past_n = earlier(measured.astype(int))
    won = earlier(calls["actual"].where(measured, 0.0).astype(float))
    called = earlier(calls["commit"].where(measured, 0.0).astype(float))
    usable = (past_n >= min_quarters) & (called > 0)
    past = (called / won.where(won > 0) - 1).where(usable)
    factor = (1 / (1 + past)).clip(1 / MAX_CORRECTION, MAX_CORRECTION).fillna(1.0)
    return calls.assign(past_quarters=past_n.astype(int), past_bias=past,
                        corrected=calls["commit"] * factor)


def habit(bias: pd.Series) -> str:
    """A rep's habit from the biases of their measured quarters (NaN: not measured): with at
    least ``MIN_QUARTERS``, "sandbagger" when at least ``CONSISTENT`` of them were more than
    ``ON_TARGET`` below the actual, "optimist" when as many were more than that above, "on
    target" when as many were within it, else "mixed"."""
    b = bias.dropna()
    if len(b) < MIN_QUARTERS:
        return "too few quarters"
    for label, share in (("sandbagger", (b < -ON_TARGET).mean()),
                         ("optimist", (b > ON_TARGET).mean()),
                         ("on target", (b.abs() <= ON_TARGET).mean())):
        if share >= CONSISTENT:
            return label
    return "mixed"


def rep_habits(calls: pd.DataFrame, reps: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per (rep, day): quarters measured, mean accuracy, median bias, how many quarters were
    under, over and within ``ON_TARGET``, and the habit; names and leavers from ``reps``."""
    bias = calls["bias"]
    out = calls.assign(under=bias < -ON_TARGET, over=bias > ON_TARGET,
                       within=bias.abs() <= ON_TARGET).groupby(
        ["rep_id", "day"], observed=True).agg(
        quarters=("bias", "count"), mean_accuracy=("accuracy", "mean"),
        median_bias=("bias", "median"), under=("under", "sum"), over=("over", "sum"),
        within=("within", "sum"), habit=("bias", habit)).reset_index()
    out.insert(1, "name", rep_names(out["rep_id"], reps))
    out.insert(2, "left", rep_left(out["rep_id"], reps))
    out = out.sort_values(["day", "median_bias"], ascending=[True, False], na_position="last")
    return out.reset_index(drop=True)[REP_COLUMNS]


def latest_call_day(period: Period, as_of: pd.Timestamp,
                    days: Sequence[int] = CALL_DAYS) -> int:
    """The latest of ``days`` reached in ``period`` by ``as_of`` (the first before it): the
    past calls this quarter's calls are most like."""
    today = (pd.Timestamp(as_of) - period.start).days + 1
    return int(max([d for d in days if d <= today], default=min(days, default=CALL_DAYS[0])))


def rep_calls(known: pd.DataFrame, expected: pd.DataFrame, period: Period, as_of: pd.Timestamp,
              reps: pd.DataFrame | None = None, scores: CallScores | None = None) -> pd.DataFrame:
    """Per rep, this period: the commit and best-case calls (``call_parts`` on the deals as
    known at ``as_of``) beside the model's expected value of the same (booked plus the open
    deals' ``expected_<period>`` in ``expected``, the pipeline forecast's deals); with
    ``scores``, the commit corrected by the rep's bias in past quarters' calls made on the
    latest call day reached by ``as_of`` (``corrected_calls``; ``bias_day``)."""
    parts = call_parts(known, period.start, period.end, pd.Timestamp(as_of))
    in_period = period.contains(expected["close_date"]) | (expected["close_date"] < as_of)
    model = expected.loc[in_period].groupby("rep_id", observed=True)[
        f"expected_{period.label}"].sum()
    out = parts.assign(rep_id=known["rep_id"]).groupby("rep_id", observed=True).sum()
    out = out.join(model.rename("model_expected"), how="outer").fillna(0.0)
    out["model_expected"] += out["won"]
    out = out.loc[(out[["commit", "best_case", "model_expected"]] > 0).any(axis=1)].reset_index()
    out["commit_vs_model"] = out["commit"] - out["model_expected"]
    if scores is not None:  # the bias of the past calls made on the latest call day so far
        day = latest_call_day(period, as_of, scores.calls["day"].unique())
        now = out[["rep_id", "commit"]].assign(quarter=period.label, start=period.start,
                                               day=day, actual=np.nan, bias=np.nan)
        stacked = pd.concat([scores.calls.loc[scores.calls["day"] == day], now],
                            ignore_index=True)
        latest = corrected_calls(stacked.sort_values(["rep_id", "day", "start"], kind="stable"))
        latest = latest.loc[latest["quarter"] == period.label, ["rep_id", "past_bias",
                                                                "corrected"]]
        out = out.merge(latest.assign(bias_day=day), on="rep_id", how="left")
    out.insert(1, "name", rep_names(out["rep_id"], reps))
    out.insert(2, "left", rep_left(out["rep_id"], reps))
    return out.drop(columns="won").sort_values("commit_vs_model", ascending=False
                                               ).reset_index(drop=True)
