from dataclasses import replace

import pandas as pd
import pytest

from salesops.analysis.forecast.series import (
    attach_dimension,
    booked_in,
    booking_events,
    bookings_by_period,
    current_period,
    dimension_availability,
    dimensions,
    enough_history,
    tagged,
)
from salesops.data.periods import FiscalCalendar
from salesops.data.schema import TABLES, conform, empty_frame
from salesops.data.store import Contents, Dataset

CAL = FiscalCalendar(1)


def reps():
    return pd.DataFrame({"rep_id": ["R1", "R2"], "region": ["EMEA", "APAC"], "name": ["a", "b"]})


def transactions(rows):
    return conform(pd.DataFrame(rows, columns=["transaction_id", "date", "amount", "region",
                                               "segment", "product", "customer"]),
                   TABLES["transactions"])


def tx_dataset(tx, missing=("segment", "product", "customer")):
    empty = {n: empty_frame(TABLES[n]) for n in TABLES if n != "transactions"}
    return Dataset(**empty, transactions=tx,
                   contents=Contents(frozenset({"transactions"}), {"transactions": missing}))


def test_bookings_by_period_oracle(tiny):
    opps, _ = tiny
    events = booking_events(opportunities=attach_dimension(opps, "region", reps()))
    table = bookings_by_period(events, CAL, "month", pd.Timestamp("2026-06-01"), "region")
    # history from the first close (Feb 10 -> first full month March) to May
    assert table.index.strftime("%Y-%m").tolist() == ["2026-03", "2026-04", "2026-05"]
    # W1 (R1, EMEA) won 100 on March 1; W2 (Feb) is before the first full month
    assert table.loc["2026-03-01", "EMEA"] == 100.0
    assert table["APAC"].sum() == 0.0 and table.loc["2026-04-01"].sum() == 0.0


def test_booking_events_take_exactly_one_source(tiny):
    opps, _ = tiny
    events = booking_events(opportunities=opps)
    # the 4 closed deals (the 2 open ones are not events); lost ones book nothing
    assert sorted(events["opportunity_id"]) == ["L1", "L2", "W1", "W2"]
    assert events.loc[events["booked"], "amount"].sum() == 300.0  # W1 100 + W2 200
    with pytest.raises(ValueError, match="exactly one source"):
        booking_events()
    with pytest.raises(ValueError, match="exactly one source"):
        booking_events(opps, transactions(()))


def test_transactions_and_deals_give_the_same_series():
    # the same bookings as two won deals and as two orders, through one function
    deals = conform(pd.DataFrame([
        {"opportunity_id": "W1", "rep_id": "R1", "account_id": None, "product": None,
         "amount": 100.0, "created_date": "2025-12-01", "close_date": "2026-01-01",
         "stage": "Closed Won", "status": "won", "forecast_category": None, "probability": None},
        {"opportunity_id": "W2", "rep_id": "R1", "account_id": None, "product": None,
         "amount": 50.0, "created_date": "2025-12-01", "close_date": "2026-03-31",
         "stage": "Closed Won", "status": "won", "forecast_category": None, "probability": None},
    ]), TABLES["opportunities"])
    tx = transactions([("T1", "2026-01-01", 100.0, "EMEA", None, None, None),
                       ("T2", "2026-03-31", 50.0, "EMEA", None, None, None)])
    as_of = pd.Timestamp("2026-05-10")
    from_deals = bookings_by_period(booking_events(opportunities=deals), CAL, "month", as_of)
    from_tx = bookings_by_period(booking_events(transactions=tx), CAL, "month", as_of)
    pd.testing.assert_frame_equal(from_deals, from_tx)
    # Jan 100, Feb 0, Mar 50 (the 31st counts), Apr 0; May is not complete
    assert from_tx["Total"].tolist() == [100.0, 0.0, 50.0, 0.0]


@pytest.mark.parametrize("as_of, freq, current", [
    ("2024-02-28", "month", "2024-02"),  # Feb 2024 has a 29th: not complete yet
    ("2024-02-29", "month", "2024-03"),  # leap day: February is complete, in full
    ("2026-01-30", "month", "2026-01"),
    ("2026-01-31", "month", "2026-02"),  # 31-day month complete on its 31st
    ("2026-03-31", "quarter", "FY2026 Q2"),
    ("2026-03-30", "quarter", "FY2026 Q1"),
])
def test_current_period_is_the_first_one_not_complete(as_of, freq, current):
    assert current_period(CAL, pd.Timestamp(as_of), freq).label == current


def test_a_complete_previous_month_is_counted_in_full_leap_day_and_31st():
    tx = transactions([
        ("T0", "2023-12-31", 1.0, None, None, None, None),  # starts the history (Jan 2024)
        ("T1", "2024-01-31", 10.0, None, None, None, None),
        ("T2", "2024-02-01", 20.0, None, None, None, None),
        ("T3", "2024-02-29", 40.0, None, None, None, None),
    ])
    events = booking_events(transactions=tx)
    on_leap_day = bookings_by_period(events, CAL, "month", pd.Timestamp("2024-02-29"))
    # as of the end of Feb 29, February is complete: Jan 10 (the 31st), Feb 20 + 40 = 60
    assert on_leap_day["Total"].tolist() == [10.0, 60.0]
    day_before = bookings_by_period(events, CAL, "month", pd.Timestamp("2024-02-28"))
    assert day_before["Total"].tolist() == [10.0]  # February still open: not history yet
    feb = CAL.period(pd.Timestamp("2024-02-10"), "month")
    assert booked_in(events, feb, pd.Timestamp("2024-02-28")) == 20.0  # T3 not booked yet
    assert booked_in(events, feb, pd.Timestamp("2024-03-05")) == 60.0


@pytest.mark.parametrize("n, freq, reason", [
    (0, "quarter", "not enough history (0 quarters; a forecast needs 4)"),
    (1, "quarter", "not enough history (1 quarter; a forecast needs 4)"),
    (3, "month", "not enough history (3 months; a forecast needs 4)"),
])
def test_enough_history_sentence(n, freq, reason):
    av = enough_history(n, freq)
    assert not av and av.reason == f"The time-series forecast cannot be shown: {reason}."


def test_enough_history_from_the_minimum():
    assert enough_history(4, "quarter") and enough_history(40, "month")


def test_unknown_dimension_is_an_error(tiny):
    opps, _ = tiny
    with pytest.raises(ValueError, match="unknown dimension"):
        attach_dimension(opps, "planet", reps())


def test_dimensions_of_a_transactions_table_and_the_sentence():
    tx = transactions([("T1", "2026-01-05", 10.0, "EMEA", None, "Pro", "Acme")])
    data = tx_dataset(tx, missing=("segment",))
    assert dimensions(data) == ["region", "product", "customer"]
    assert dimension_availability(data, "region")
    av = dimension_availability(data, "segment")
    assert av.reason == ("The forecast by segment cannot be shown: the transactions have no "
                         "segment values; available: region, product, customer.")
    bare = tx_dataset(transactions([("T1", "2026-01-05", 10.0, None, None, None, None)]),
                      missing=("region", "segment", "product", "customer"))
    assert dimension_availability(bare, "region").reason == (
        "The forecast by region cannot be shown: the transactions have no region values; it "
        "has no dimension to split by.")
    assert tagged(tx, data, "region") is tx  # the transactions' own column


def test_region_from_accounts_when_the_roster_has_none(tiny):
    opps, hist = tiny
    roster = reps().assign(region=None).reindex(columns=TABLES["reps"].column_names)
    accounts = pd.DataFrame({"account_id": ["A1"], "region": ["LATAM"]}).reindex(
        columns=TABLES["accounts"].column_names)
    data = Dataset(reps=roster, accounts=accounts, quotas=empty_frame(TABLES["quotas"]),
                   opportunities=opps, stage_history=hist)
    data = replace(data, contents=Contents(data.present, {"reps": ("region",)}))
    assert set(tagged(opps, data, "region")["region"]) == {"LATAM"}  # the roster's is absent
    no_accounts = replace(data, contents=Contents(data.present - {"accounts"},
                                                  {"reps": ("region",)}))
    assert dimension_availability(no_accounts, "region").reason == (
        "The forecast by region cannot be shown: the deals, their reps or accounts have no "
        "region values; available: product.")


def test_largest_members_group_the_rest_as_other():
    from salesops.analysis.forecast.series import OTHER, largest_members
    tx = transactions([(f"T{i}", "2026-01-05", float(a), None, None, None, c)
                       for i, (a, c) in enumerate([(50, "A"), (40, "B"), (30, "C"), (5, "D"),
                                                   (1, "E")])])
    events = booking_events(transactions=tx)
    grouped, others = largest_members(events, "customer", limit=3)
    # the 2 largest (A 50, B 40) stay; C, D and E (30 + 5 + 1 = 36) become Other
    assert others == 3
    assert grouped.groupby("customer")["amount"].sum().to_dict() == {"A": 50, "B": 40, OTHER: 36}
    same, none = largest_members(events, "customer", limit=5)
    assert none == 0 and same is events
