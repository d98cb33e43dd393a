"""The sample's opportunity history: consistent with the deals and their stages, and realistic
(pushes mostly by one period with a 3+ tail that rarely wins, late cuts, reps' habits)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops.data.history import stage_history_from, states_on
from salesops.data.ingest import ingest
from salesops.data.sample import DEFAULT_SEED, generate, rep_habits, write_sample
from salesops.data.sample_org import HABITS, assign_habits
from salesops.data.schema import OPPORTUNITY_HISTORY
from salesops.data.stages import load_catalogue

END = "2026-03-15"
CATALOGUE = load_catalogue()
FIELDS = ["amount", "close_date", "stage", "forecast_category", "probability"]


@pytest.fixture(scope="module")
def full() -> dict[str, pd.DataFrame]:
    return generate(seed=DEFAULT_SEED, end=END)


@pytest.fixture(scope="module")
def moves(full) -> pd.DataFrame:
    """Each change of a deal's close date before its close row: old and new date, its outcome."""
    hist = full["opportunity_history"]
    rows = hist[hist["forecast_category"].isna() | hist["forecast_category"].isin(
        ["pipeline", "best_case", "commit"])]
    known = rows.groupby("opportunity_id")["close_date"].ffill()
    old = known.groupby(rows["opportunity_id"]).shift().where(rows["close_date"].notna())
    out = pd.DataFrame({"opportunity_id": rows["opportunity_id"], "old": old,
                        "new": rows["close_date"]}).dropna()
    status = full["opportunities"].set_index("opportunity_id")["status"]
    return out.assign(status=out["opportunity_id"].map(status).to_numpy())


def _last_known(hist: pd.DataFrame) -> pd.DataFrame:
    """Each deal's last non-empty value of every field (its state after its rows)."""
    return pd.concat({f: hist.loc[hist[f].notna(), ["opportunity_id", f]].drop_duplicates(
        "opportunity_id", keep="last").set_index("opportunity_id")[f] for f in FIELDS}, axis=1)


def _pushes(full, moves) -> np.ndarray:
    """Pushes (close date moved later) per deal, in the opportunities' row order."""
    pushed = moves[moves["new"] > moves["old"]]
    ids = full["opportunities"]["opportunity_id"]
    return pushed.groupby("opportunity_id").size().reindex(ids).fillna(0).to_numpy()


def test_history_ends_in_each_deals_current_row(full):
    opps = full["opportunities"].set_index("opportunity_id")
    last = _last_known(full["opportunity_history"])
    assert set(last.index) == set(opps.index)
    last = last.loc[opps.index]
    for col in ("amount", "close_date", "stage", "probability"):
        pd.testing.assert_series_equal(last[col], opps[col], check_names=False)
    is_open = opps["status"] == "open"
    assert (last.loc[is_open, "forecast_category"] == opps.loc[is_open, "forecast_category"]).all()
    expected = opps.loc[~is_open, "status"].map({"won": "closed", "lost": "omitted"})
    assert (last.loc[~is_open, "forecast_category"] == expected).all()


@pytest.mark.parametrize("seed,end", [(1, "2025-01-01"), (5, "2026-06-30"), (11, "2027-02-14")])
def test_history_agrees_with_deals_and_stages_for_any_seed_and_end(seed, end):
    data = generate(seed=seed, end=end, scale=0.1)
    hist, opps = data["opportunity_history"], data["opportunities"]
    state = states_on(hist, opps["opportunity_id"], pd.Timestamp(end))
    for col in ("amount", "close_date", "stage", "probability"):
        assert (state[col].to_numpy() == opps[col].to_numpy()).all(), col
    is_open = (opps["status"] == "open").to_numpy()
    assert (state["forecast_category"].to_numpy()[is_open]
            == opps["forecast_category"].to_numpy()[is_open]).all()
    assert (hist["changed_at"] < pd.Timestamp(end) + pd.Timedelta(days=1)).all()
    key = ["opportunity_id", "entered_date", "stage"]
    pd.testing.assert_frame_equal(
        stage_history_from(hist).sort_values(key).reset_index(drop=True),
        data["stage_history"].sort_values(key).reset_index(drop=True), check_dtype=False)


def test_closed_deals_end_with_a_row_on_the_close_date(full):
    hist, opps = full["opportunity_history"], full["opportunities"].set_index("opportunity_id")
    final = hist.groupby("opportunity_id").nth(-1).set_index("opportunity_id")
    closed = opps.index[opps["status"] != "open"]
    rows = final.loc[closed]
    assert (rows["changed_at"].dt.normalize() == opps.loc[closed, "close_date"]).all()
    assert (rows["stage"] == opps.loc[closed, "stage"]).all()
    assert rows["probability"].isin([0.0, 1.0]).all()
    assert rows["forecast_category"].isin(["closed", "omitted"]).all()


def test_created_row_is_the_deals_full_initial_state(full):
    hist, opps = full["opportunity_history"], full["opportunities"].set_index("opportunity_id")
    first = hist.groupby("opportunity_id").nth(0).set_index("opportunity_id")
    assert first[FIELDS].notna().all().all()
    assert (first["changed_at"].dt.normalize() == opps.loc[first.index, "created_date"]).all()
    assert (first["stage"] == CATALOGUE.open_stages[0]).all()
    assert (first["probability"] == CATALOGUE.get(CATALOGUE.open_stages[0]).probability).all()
    assert (first["close_date"] >= first["changed_at"].dt.normalize()).all()


def test_stage_changes_are_the_stage_history(full):
    derived = stage_history_from(full["opportunity_history"])
    key = ["opportunity_id", "entered_date", "stage"]
    expected = full["stage_history"].sort_values(key, kind="stable").reset_index(drop=True)
    got = derived.sort_values(key, kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)


def test_rows_are_sorted_unique_and_each_changes_something(full):
    hist = full["opportunity_history"]
    assert hist["opportunity_id"].is_monotonic_increasing
    deal, at = hist["opportunity_id"].to_numpy(object), hist["changed_at"].to_numpy()
    assert ((deal[1:] != deal[:-1]) | (at[1:] > at[:-1])).all()  # by deal, then time
    assert not hist.duplicated(list(OPPORTUNITY_HISTORY.key)).any()
    assert hist[FIELDS].notna().any(axis=1).all()
    # Only changed fields are filled: a value never repeats the deal's previous one.
    for col in ("stage", "forecast_category", "close_date", "amount"):
        filled = hist[hist[col].notna()]
        deal, value = filled["opportunity_id"].to_numpy(object), filled[col].to_numpy(object)
        assert not ((deal[1:] == deal[:-1]) & (value[1:] == value[:-1])).any(), col
    assert (hist["amount"].dropna() > 0).all()
    assert hist["probability"].dropna().between(0, 1).all()


def test_about_six_to_ten_rows_per_deal(full):
    assert 6 <= len(full["opportunity_history"]) / len(full["opportunities"]) <= 10


def test_most_pushes_are_by_one_period_with_a_tail_pushed_three_times(full, moves):
    pushed = moves[moves["new"] > moves["old"]]
    days = (pushed["new"] - pushed["old"]).dt.days
    quarters = (pushed["new"].dt.year * 4 + pushed["new"].dt.quarter
                - pushed["old"].dt.year * 4 - pushed["old"].dt.quarter)
    next_quarter = quarters == 1
    assert ((days <= 38) | next_quarter).mean() > 0.85  # a month or into the next quarter
    count = _pushes(full, moves)
    assert 0.25 < (count > 0).mean() < 0.6
    assert 0.02 < (count >= 3).mean() < 0.1
    assert (moves["new"] < moves["old"]).sum() > 0.02 * len(full["opportunities"])  # pulled in


def test_deals_pushed_three_times_or_more_rarely_win(full, moves):
    opps = full["opportunities"]
    count = _pushes(full, moves)
    closed = opps["status"] != "open"
    won = opps["status"] == "won"
    often, rest = won[closed & (count >= 3)], won[closed & (count < 3)]
    assert len(often) > 100
    assert often.mean() < 0.5 * rest.mean()


def test_changes_are_not_bunched_on_the_last_days(full):
    """Pushes and amount revisions of deals still open are spread over their life, not made on
    the end date (a date still ahead is pushed some day before it; a revision due after the end
    date has not happened yet): the last 3 days see at most twice the daily rate of the 60 before."""
    hist = full["opportunity_history"]
    first = ~hist["opportunity_id"].duplicated()
    days = (pd.Timestamp(END) - hist["changed_at"].dt.normalize()).dt.days
    for field in ("close_date", "amount"):
        changed = hist[field].notna() & ~first
        last3 = (changed & (days < 3)).sum() / 3
        before = (changed & (days >= 3) & (days < 63)).sum() / 60
        assert last3 <= 2 * before, (field, last3, before)


def test_a_minority_of_amounts_revised_mostly_cut_late(full):
    hist, opps = full["opportunity_history"], full["opportunities"].set_index("opportunity_id")
    amounts = hist[hist["amount"].notna()]
    prev = amounts.groupby("opportunity_id")["amount"].shift()
    revision = amounts[prev.notna()].assign(old=prev.dropna())
    revision = revision[revision["changed_at"].dt.normalize()
                        < revision["opportunity_id"].map(opps["close_date"])]
    per_deal = revision.groupby("opportunity_id").size()
    assert 0.15 < len(per_deal) / len(opps) < 0.5
    assert per_deal.max() == 2
    assert 0.6 < (revision["amount"] < revision["old"]).mean() < 0.9  # mostly cuts, some rises
    created = revision["opportunity_id"].map(opps["created_date"])
    life = revision["opportunity_id"].map(opps["close_date"]) - created
    assert ((revision["changed_at"] - created) / life).median() > 0.6  # late in the cycle


def test_categories_advance_with_the_deal_and_sometimes_go_back(full):
    hist = full["opportunity_history"]
    calls = hist[hist["forecast_category"].isin(["pipeline", "best_case", "commit"])]
    level = calls["forecast_category"].map({"pipeline": 0, "best_case": 1, "commit": 2})
    step = level.groupby(calls["opportunity_id"]).diff().dropna()
    assert (step > 0).sum() > (step < 0).sum() > 0.1 * (step > 0).sum()
    reached = level.groupby(calls["opportunity_id"]).max()
    assert (reached == 2).mean() > 0.15 and (reached == 0).mean() > 0.2


def _commit_calls(data: dict[str, pd.DataFrame], habits: pd.Series) -> pd.DataFrame:
    """Per habit and past quarter: commit call on day 45 (won by then + open commit closing in
    the quarter, as known then) against what was won in the quarter."""
    hist, opps = data["opportunity_history"], data["opportunities"]
    rep = opps.set_index("opportunity_id")["rep_id"]
    won = opps[opps["status"] == "won"]
    rows = []
    for quarter in pd.period_range("2023Q3", "2025Q4", freq="Q"):
        day = quarter.start_time + pd.Timedelta(days=44)
        state = _last_known(hist[hist["changed_at"] < day + pd.Timedelta(days=1)])
        commit = state[(state["forecast_category"] == "commit")
                       & (state["close_date"].dt.to_period("Q") == quarter)]
        in_q = won[won["close_date"].dt.to_period("Q") == quarter]
        early = in_q[in_q["close_date"] <= day]
        call = (commit["amount"].groupby(rep.loc[commit.index]).sum()
                .add(early.groupby("rep_id")["amount"].sum(), fill_value=0))
        actual = in_q.groupby("rep_id")["amount"].sum()
        frame = pd.DataFrame({"call": call, "actual": actual}).fillna(0.0)
        rows.append(frame.groupby(habits.reindex(frame.index)).sum().assign(quarter=quarter))
    return pd.concat(rows)


def test_sandbaggers_call_below_what_they_win_and_optimists_above(full):
    calls = _commit_calls(full, rep_habits(seed=DEFAULT_SEED, end=END))
    ratio = (calls["call"] / calls["actual"]).groupby(level=0).mean()
    assert ratio["sandbagger"] < 0.8 < ratio["steady"] < 1.1 < 1.2 < ratio["optimist"]
    by_quarter = (calls["call"] / calls["actual"]).groupby(level=0)
    assert (by_quarter.apply(lambda r: (r < 1).mean())["sandbagger"]) >= 0.8
    assert (by_quarter.apply(lambda r: (r > 1).mean())["optimist"]) >= 0.8


def test_optimists_commits_slip_more_than_sandbaggers(full):
    # Share of the deals a rep ever called commit whose close date was pushed while in commit.
    hist = full["opportunity_history"]
    deal = hist["opportunity_id"]
    category = hist.groupby("opportunity_id")["forecast_category"].ffill()
    close = hist.groupby("opportunity_id")["close_date"].ffill()
    was_commit = category.eq("commit").groupby(deal).shift(fill_value=False).astype(bool)
    pushed = hist["close_date"].gt(close.groupby(deal).shift()) & was_commit
    committed = category.eq("commit").groupby(deal).any()
    slipped = pushed.groupby(deal).any()[committed]
    habit = full["opportunities"].set_index("opportunity_id")["rep_id"].map(
        rep_habits(seed=DEFAULT_SEED, end=END))
    share = slipped.groupby(habit.loc[slipped.index].to_numpy()).mean()
    assert share["optimist"] > share["steady"] > 2 * share["sandbagger"]


def test_a_few_reps_of_each_habit():
    counts = rep_habits(seed=DEFAULT_SEED, end=END).value_counts()
    assert set(counts.index) == set(HABITS)
    assert counts["sandbagger"] >= 3 and counts["optimist"] >= 3 and counts["steady"] > 10
    codes = assign_habits(np.random.default_rng(0), 10)
    assert np.bincount(codes, minlength=3).tolist() == [6, 2, 2]  # 60/20/20


def test_written_sample_ingests_with_nothing_quarantined(tmp_path):
    counts = write_sample(tmp_path / "raw", seed=2, end=END, scale=0.1)
    result = ingest(tmp_path / "raw", tmp_path / "out")
    assert result.quarantine.empty
    text = (tmp_path / "raw" / "opportunity_history.csv").read_text().splitlines()
    assert len(text) == counts["opportunity_history"] + 1
    assert text[1].split(",")[1][10:11] == "T"  # changed_at keeps its time of day
    kept = pd.read_parquet(tmp_path / "out" / "opportunity_history.parquet")
    assert len(kept) == counts["opportunity_history"]
