"""The snapshot store: nightly partitions, idempotent re-runs, the history they imply."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.data.history import states_on
from salesops.data.schema import TABLES, conform
from salesops.data.snapshots import (
    COLUMNS,
    SnapshotError,
    append_snapshot,
    default_store,
    history_from_snapshots,
    partition,
    read_snapshot,
    snapshot_dates,
)
from salesops.data.store import Dataset

T = pd.Timestamp
NIGHTS = [T("2026-03-01"), T("2026-03-02"), T("2026-03-03")]


def table(name: str, **columns) -> pd.DataFrame:
    spec = TABLES[name]
    return conform(pd.DataFrame(columns).reindex(columns=spec.column_names), spec)


def crm(deals: list[dict]) -> Dataset:
    """The CRM as exported one night: ``deals`` as opportunities (created 2026-02-01 unless
    given), rep R1 and account A1 unless given; no history of its own."""
    rows = [{"rep_id": "R1", "account_id": "A1", "created_date": T("2026-02-01"),
             "status": "open", **d} for d in deals]
    opps = table("opportunities", **{c: [r.get(c) for r in rows]
                                      for c in TABLES["opportunities"].column_names})
    return Dataset(reps=table("reps", rep_id=["R1"]), accounts=table("accounts", account_id=["A1"]),
                   quotas=table("quotas"), opportunities=opps, stage_history=table("stage_history"))


O1 = {"opportunity_id": "O1", "amount": 100.0, "close_date": T("2026-03-31"), "stage": "Proposal",
      "forecast_category": "commit", "probability": 0.4}
O2 = {"opportunity_id": "O2", "amount": 200.0, "close_date": T("2026-03-15"),
      "stage": "Discovery", "forecast_category": "pipeline", "probability": 0.2}
O3 = {"opportunity_id": "O3", "amount": 50.0, "close_date": T("2026-04-30"),
      "stage": "Qualification", "forecast_category": "best_case", "probability": 0.1}
O4 = {"opportunity_id": "O4", "amount": 80.0, "close_date": T("2026-05-31"),
      "stage": "Prospecting", "forecast_category": "pipeline", "probability": 0.05,
      "created_date": T("2026-03-03")}


def three_nights() -> list[Dataset]:
    """Night 1: O1, O2, O3 open. Night 2: O1 pushed 03-31 -> 04-15, O2's amount 200 -> 150.
    Night 3: O2 moves pipeline -> best_case, O1's probability is emptied (no change: the
    history cannot say "cleared"), O3 is won on 03-03 (leaves the open pipeline), O4 created."""
    night2 = [{**O1, "close_date": T("2026-04-15")}, {**O2, "amount": 150.0}, O3]
    night3 = [{**night2[0], "probability": None}, {**night2[1], "forecast_category": "best_case"},
              {**O3, "stage": "Closed Won", "status": "won", "close_date": T("2026-03-03"),
               "forecast_category": None, "probability": 1.0}, O4]
    return [crm([O1, O2, O3]), crm(night2), crm(night3)]


def test_three_nights_give_the_exact_history_rows(tmp_path):
    store = tmp_path / "snapshots"
    for data, night in zip(three_nights(), NIGHTS, strict=True):
        written = append_snapshot(data, store, night)
        assert written == store / f"snapshot_date={night:%Y-%m-%d}" / "part-0.parquet"
    assert snapshot_dates(store) == NIGHTS
    assert read_snapshot(store, NIGHTS[2])["opportunity_id"].tolist() == ["O1", "O2", "O4"]
    history = history_from_snapshots(store)
    N = None
    # a deal's first night: every field; later nights: only what changed; O3 (closed) and
    # O1's emptied probability leave no row on night 3
    expected = table(
        "opportunity_history",
        opportunity_id=["O1", "O1", "O2", "O2", "O2", "O3", "O4"],
        changed_at=[NIGHTS[0], NIGHTS[1], NIGHTS[0], NIGHTS[1], NIGHTS[2], NIGHTS[0], NIGHTS[2]],
        amount=[100.0, N, 200.0, 150.0, N, 50.0, 80.0],
        close_date=[T("2026-03-31"), T("2026-04-15"), T("2026-03-15"), N, N, T("2026-04-30"),
                    T("2026-05-31")],
        stage=["Proposal", N, "Discovery", N, N, "Qualification", "Prospecting"],
        forecast_category=["commit", N, "pipeline", N, "best_case", "best_case", "pipeline"],
        probability=[0.4, N, 0.2, N, N, 0.1, 0.05])
    pd.testing.assert_frame_equal(history, expected)


def test_rerunning_a_night_replaces_its_partition(tmp_path):
    store = tmp_path / "snapshots"
    nights = three_nights()
    append_snapshot(nights[0], store, NIGHTS[0])
    append_snapshot(nights[1], store, NIGHTS[0])  # a corrected re-run of the same date
    append_snapshot(nights[1], store, NIGHTS[0])
    assert snapshot_dates(store) == [NIGHTS[0]]
    assert sorted(p.name for p in store.iterdir()) == [".lock", "snapshot_date=2026-03-01"]
    assert [p.name for p in partition(store, NIGHTS[0]).iterdir()] == ["part-0.parquet"]
    assert read_snapshot(store, NIGHTS[0])["amount"].tolist() == [100.0, 150.0, 50.0]


def test_a_past_date_sees_the_deals_known_then(tmp_path):
    """Night 3's CRM asked about 03-02: O4 (created 03-03) does not exist yet and O3 (won on
    03-03) was still open."""
    append_snapshot(three_nights()[2], tmp_path / "s", NIGHTS[1])
    assert read_snapshot(tmp_path / "s", NIGHTS[1])["opportunity_id"].tolist() == ["O1", "O2", "O3"]


def test_a_dataset_built_from_snapshots_takes_tonights_values_from_its_deals(tmp_path):
    """The nightly cycle: ingest builds the history from nights 1-2, night 3 snapshots the
    ingested data. Night 3 must hold the deals' current values (O2 in best_case), not copy
    night 2 from the history; a past night (1) is rebuilt from the history (O1 closing 03-31,
    its value then, not today's 04-15)."""
    store = tmp_path / "s"
    nights = three_nights()
    for data, night in zip(nights[:2], NIGHTS[:2], strict=True):
        append_snapshot(data, store, night)
    tonight = nights[2]
    tonight.opportunity_history = history_from_snapshots(store)
    append_snapshot(tonight, store, NIGHTS[2])
    night3 = read_snapshot(store, NIGHTS[2]).set_index("opportunity_id")
    assert night3.loc["O2", "forecast_category"] == "best_case"
    assert pd.isna(night3.loc["O1", "probability"])  # emptied tonight, as the CRM shows it
    append_snapshot(tonight, tmp_path / "again", NIGHTS[0])
    night1 = read_snapshot(tmp_path / "again", NIGHTS[0]).set_index("opportunity_id")
    assert night1.loc["O1", "close_date"] == T("2026-03-31")
    assert night1.index.tolist() == ["O1", "O2", "O3"]


def test_snapshot_columns_and_dtypes(tmp_path):
    append_snapshot(three_nights()[0], tmp_path / "s", NIGHTS[0])
    night = read_snapshot(tmp_path / "s", NIGHTS[0])
    assert tuple(night.columns) == COLUMNS
    assert str(night["close_date"].dtype) == "datetime64[ns]"
    assert night["opportunity_id"].dtype == "string"


def test_an_empty_or_missing_store_has_no_dates_and_no_history(tmp_path):
    """The first night's ingest runs before the first snapshot: nothing to build yet."""
    for store in (tmp_path, tmp_path / "not-yet"):
        assert snapshot_dates(store) == []
        history = history_from_snapshots(store)
        assert history.empty
        assert list(history.columns) == TABLES["opportunity_history"].column_names


def test_default_store_is_beside_the_processed_folder(tmp_path):
    assert default_store(tmp_path / "data" / "processed") == tmp_path / "data" / "snapshots"


def test_a_folder_that_is_not_a_store_is_refused_by_name(tmp_path):
    processed = tmp_path / "processed"
    processed.mkdir()
    (processed / "opportunities.parquet").write_bytes(b"")
    message = (f"folder '{processed}' is not a snapshot store: it holds 'opportunities.parquet'")
    for call in (lambda: snapshot_dates(processed), lambda: history_from_snapshots(processed),
                 lambda: append_snapshot(three_nights()[0], processed, NIGHTS[0])):
        with pytest.raises(SnapshotError, match=message):
            call()
    assert [p.name for p in processed.iterdir()] == ["opportunities.parquet"]  # nothing written
    (tmp_path / "odd" / "snapshot_date=2026-02-30").mkdir(parents=True)
    with pytest.raises(SnapshotError, match="holds 'snapshot_date=2026-02-30'"):
        snapshot_dates(tmp_path / "odd")
    (tmp_path / "file").write_text("")
    with pytest.raises(SnapshotError, match="snapshot store '.*file' is a file, not a folder"):
        history_from_snapshots(tmp_path / "file")


def test_a_damaged_partition_is_named(tmp_path):
    store = tmp_path / "s"
    append_snapshot(three_nights()[0], store, NIGHTS[0])
    append_snapshot(three_nights()[1], store, NIGHTS[1])
    damaged = partition(store, NIGHTS[1]) / "part-0.parquet"
    damaged.write_bytes(damaged.read_bytes()[:40])  # truncated, e.g. a disk that filled up
    with pytest.raises(SnapshotError, match=f"snapshot {damaged}: cannot be read as Parquet"):
        history_from_snapshots(store)
    pd.DataFrame({"opportunity_id": ["O1"]}).to_parquet(damaged)
    with pytest.raises(SnapshotError, match="lacks column\\(s\\) amount, close_date, stage"):
        history_from_snapshots(store)
    with pytest.raises(SnapshotError, match="lacks column\\(s\\) rep_id, account_id, amount"):
        read_snapshot(store, NIGHTS[1])
    pd.DataFrame({c: ["x"] for c in COLUMNS}).to_parquet(damaged)  # text where numbers belong
    with pytest.raises(SnapshotError, match=f"snapshot {damaged}: a column has the wrong type"):
        history_from_snapshots(store)


AMOUNTS = st.sampled_from([None, 10.0, 20.0])
CLOSES = st.sampled_from([None, T("2026-06-30"), T("2026-09-30")])
STAGES = st.sampled_from(["Discovery", "Proposal"])
CATEGORIES = st.sampled_from([None, "pipeline", "commit"])
DEAL_NIGHT = st.one_of(st.none(), st.tuples(AMOUNTS, CLOSES, STAGES, CATEGORIES))  # None: absent


@settings(max_examples=25)
@given(st.lists(st.lists(DEAL_NIGHT, min_size=3, max_size=3), min_size=1, max_size=5))
def test_history_reproduces_every_nights_state(tmp_path_factory, nights):
    """For every night and deal present then, ``states_on`` over the rebuilt history gives the
    deal's last non-empty value of each field up to that night (its value that night, unless
    emptied then)."""
    store = tmp_path_factory.mktemp("store")
    ids = ["D0", "D1", "D2"]
    for i, night in enumerate(nights):
        deals = [{"opportunity_id": d, "amount": v[0], "close_date": v[1], "stage": v[2],
                  "forecast_category": v[3]} for d, v in zip(ids, night, strict=True) if v]
        append_snapshot(crm(deals), store, NIGHTS[0] + pd.Timedelta(days=i))
    history = history_from_snapshots(store)
    fields = ["amount", "close_date", "stage", "forecast_category"]
    for i, night in enumerate(nights):
        day = NIGHTS[0] + pd.Timedelta(days=i)
        present = [k for k, v in enumerate(night) if v]
        got = states_on(history, pd.Series([ids[k] for k in present]), day, fields=fields)
        for row, k in enumerate(present):
            for f, field in enumerate(fields):
                seen = [n[k][f] for n in nights[:i + 1] if n[k] and n[k][f] is not None]
                value = got.loc[row, field]
                assert (pd.isna(value) if not seen else value == seen[-1]), (day, ids[k], field)
        assert got["recorded"].all()
    assert not history.duplicated(["opportunity_id", "changed_at"]).any()
    assert np.all(history[["amount", "close_date", "stage", "forecast_category",
                           "probability"]].notna().any(axis=1))  # no row without a change
