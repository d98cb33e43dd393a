"""Account book: trailing bookings, pipeline, potential and the current assignment, on a hand-made
book of three accounts (as_of 2026-12-01, trailing 12 months = close dates 2025-12-02..2026-12-01).

Reps: R1 employed; R2 left on 2026-06-30. Accounts: A1 Enterprise EMEA, A2 SMB EMEA, A3 SMB APAC.
"""

import pandas as pd
import pytest

from salesops.analysis.planning.account_book import (
    BOOK_COLUMNS,
    TERRITORY_NEEDS,
    account_book,
    potential_by_rep,
)
from salesops.data.schema import TABLES, conform, empty_frame
from salesops.data.store import Dataset
from salesops.data.thin import thin

AS_OF = pd.Timestamp("2026-12-01")
STAGE = {"won": "Closed Won", "lost": "Closed Lost"}
#: (id, rep, account, amount, created, close, status, stage if open, probability)
DEALS = [
    ("O1", "R1", "A1", 100_000.0, "2026-01-10", "2026-06-30", "won", None, None),
    ("O2", "R1", "A1", 50_000.0, "2025-06-01", "2025-10-01", "won", None, None),  # before window
    ("O3", "R1", "A1", 40_000.0, "2026-09-01", "2027-01-31", "open", "Proposal", None),
    ("O4", "R2", "A2", 20_000.0, "2026-02-01", "2026-03-01", "won", None, None),
    ("O5", "R1", "A2", None, "2026-01-15", "2027-02-28", "open", "Negotiation", 0.5),
    ("O6", "R1", "A3", 10_000.0, "2026-10-01", "2027-03-31", "open", "Discovery", 0.25),
    ("O7", "R2", "A3", 5_000.0, "2026-04-01", "2026-05-01", "lost", None, None),
]


def dataset(territories: pd.DataFrame | None = None) -> Dataset:
    reps = pd.DataFrame({"rep_id": ["R1", "R2"], "name": ["Ann", "Bo"], "manager": "M",
                         "team": "T", "region": ["EMEA", "EMEA"], "role": "AE",
                         "hire_date": pd.Timestamp("2020-01-01"),
                         "termination_date": [pd.NaT, pd.Timestamp("2026-06-30")]})
    accounts = pd.DataFrame({"account_id": ["A1", "A2", "A3"], "name": ["a", "b", "c"],
                             "segment": ["Enterprise", "SMB", "SMB"], "industry": "Tech",
                             "region": ["EMEA", "EMEA", "APAC"]})
    opps = pd.DataFrame(DEALS, columns=["opportunity_id", "rep_id", "account_id", "amount",
                                        "created_date", "close_date", "status", "stage",
                                        "probability"])
    opps = opps.assign(product="Core", forecast_category=None,
                       stage=opps["stage"].fillna(opps["status"].map(STAGE)),
                       created_date=pd.to_datetime(opps["created_date"]),
                       close_date=pd.to_datetime(opps["close_date"]))
    tables = {"reps": reps, "accounts": accounts, "opportunities": opps,
              "quotas": empty_frame(TABLES["quotas"]),
              "stage_history": empty_frame(TABLES["stage_history"])}
    if territories is not None:
        tables["territories"] = territories
    return Dataset(**{n: conform(f, TABLES[n]) for n, f in tables.items()})


def test_book_figures_by_hand() -> None:
    book = account_book(dataset(), AS_OF)
    rows = book.accounts.set_index("account_id")
    assert list(book.accounts.columns) == list(BOOK_COLUMNS)
    # A1: won 100,000 in the window (O2's 50,000 closed 2025-10-01, before it); open O3 40,000
    # in Proposal, no CRM probability -> the stage's 0.4: 16,000 weighted. 100,000 + 16,000.
    assert rows.loc["A1", ["trailing_bookings", "open_pipeline", "weighted_pipeline",
                           "potential"]].tolist() == [100_000, 40_000, 16_000, 116_000]
    # A2: won 20,000 (O4); open O5 has no amount: adds nothing, counted as unknown.
    assert rows.loc["A2", ["trailing_bookings", "open_pipeline", "potential", "open_deals",
                           "unknown_open_amounts"]].tolist() == [20_000, 0, 20_000, 1, 1]
    # A3: O7 lost; open O6 10,000 x CRM probability 0.25 = 2,500.
    assert rows.loc["A3", ["trailing_bookings", "weighted_pipeline", "potential"]].tolist() == [
        0, 2_500, 2_500]
    assert rows["workload"].tolist() == [1.0, 1.0, 1.0]


def test_current_assignment_from_the_latest_deals_owner_while_employed() -> None:
    book = account_book(dataset(), AS_OF)
    rows = book.accounts.set_index("account_id")
    # A1's latest deal O3 (R1); A2's latest O4 is R2's, who left: unassigned; A3's O6 is R1's.
    assert rows["rep_id"].tolist() == ["R1", pd.NA, "R1"]
    assert rows["territory"].tolist() == ["R1", pd.NA, "R1"]
    # One territory per employed rep; its region: the most common of its accounts (A1 EMEA,
    # A3 APAC: a tie, the first in order, APAC).
    assert book.territories.values.tolist() == [["R1", "R1", "APAC"]]
    assert book.source.startswith("derived from the deals' owners")
    assert potential_by_rep(book).values.tolist() == [["R1", 2, 118_500.0, 100_000.0]]


def test_the_territories_table_wins_when_present() -> None:
    table = pd.DataFrame({"account_id": ["A1", "A2"], "territory": ["East", "West"],
                          "rep_id": ["R1", None]})
    book = account_book(dataset(table), AS_OF)
    assert book.source == "the territories table"
    assert book.accounts["territory"].tolist() == ["East", "West", pd.NA]  # A3 not in it
    assert book.territories.values.tolist() == [["East", "R1", "EMEA"], ["West", pd.NA, "EMEA"]]


def test_workload_weights_by_segment() -> None:
    book = account_book(dataset(), AS_OF, workload_weights={"Enterprise": 3.0})
    assert book.accounts["workload"].tolist() == [3.0, 1.0, 1.0]  # SMB not given: 1


def test_a_window_of_24_months_takes_the_older_win() -> None:
    rows = account_book(dataset(), AS_OF, trailing_months=24).accounts.set_index("account_id")
    assert rows.loc["A1", "trailing_bookings"] == pytest.approx(150_000)  # 100,000 + 50,000


def test_without_accounts_table_the_deals_accounts_are_used() -> None:
    data = thin(dataset(), drop=("accounts",), roster=True)
    book = account_book(data, AS_OF)
    assert book.accounts["account_id"].tolist() == ["A1", "A2", "A3"]
    assert book.accounts["segment"].isna().all() and book.accounts["region"].isna().all()
    assert TERRITORY_NEEDS.check(data).ok


def test_needs_the_deals_account_column() -> None:
    data = thin(dataset(), drop=(), roster=True, drop_columns={"opportunities": ("account_id",)})
    assert TERRITORY_NEEDS.check(data).reason == (
        "Territory planning cannot be shown: the opportunities table has no 'account_id' column; "
        "mapping 'account_id' at ingest would enable it.")
