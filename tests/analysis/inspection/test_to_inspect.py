"""Deals to inspect (salesops.analysis.inspection.to_inspect) on a hand-built history."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from salesops.analysis.inspection.to_inspect import CHECKS, COLUMNS, early_stages, to_inspect
from salesops.data.history import FIELDS
from salesops.data.periods import FiscalCalendar
from salesops.data.stages import load_catalogue

T = pd.Timestamp
N = None
AS_OF = T("2026-05-15")
Q2 = FiscalCalendar().period(AS_OF, "quarter")  # 1 Apr - 30 Jun 2026


def opps(rows: list[tuple]) -> pd.DataFrame:
    """Today's opportunities from (id, amount, created, close, stage, status, category)."""
    df = pd.DataFrame(rows, columns=["opportunity_id", "amount", "created_date", "close_date",
                                     "stage", "status", "forecast_category"])
    df["rep_id"] = "rep-" + df["opportunity_id"]
    df["account_id"] = "acct-" + df["opportunity_id"]
    return df.astype({"opportunity_id": "string", "rep_id": "string", "account_id": "string",
                      "amount": "float64", "created_date": "datetime64[ns]",
                      "close_date": "datetime64[ns]", "stage": "string", "status": "string",
                      "forecast_category": "string"})


def hist(rows: list[tuple]) -> pd.DataFrame:
    """History from (id, changed_at, amount, close_date, stage, category); probability empty."""
    df = pd.DataFrame([(*r, N) for r in rows], columns=["opportunity_id", "changed_at", *FIELDS])
    return df.astype({"opportunity_id": "string", "changed_at": "datetime64[ns]",
                      "amount": "float64", "close_date": "datetime64[ns]", "stage": "string",
                      "forecast_category": "string", "probability": "float64"})


OPPS = opps([
    ("P", 1000.0, "2026-01-10", "2026-06-20", "Proposal", "open", "pipeline"),
    ("C", 5000.0, "2026-04-20", "2026-05-10", "Negotiation", "open", "commit"),
    ("E", 3000.0, "2026-05-10", "2026-06-30", "Discovery", "open", "commit"),
    ("M", 6000.0, "2026-04-01", "2026-05-01", "Qualification", "open", "commit"),
    ("K", 7000.0, "2026-04-01", "2026-06-15", "Proposal", "open", "pipeline"),
    ("J", 4000.0, "2026-04-01", "2026-06-15", "Proposal", "open", "pipeline"),
    ("S", 2000.0, "2026-02-01", "2026-06-01", "Proposal", "open", "pipeline"),
    ("U", N, "2026-03-16", "2026-06-01", "Proposal", "open", "pipeline"),
    ("O", 9000.0, "2026-01-05", "2026-07-15", "Proposal", "open", "pipeline"),
    ("W", 8000.0, "2026-01-05", "2026-05-01", "Closed Won", "won", "closed"),
    ("X", 1000.0, "2026-04-10", "2026-06-25", "Proposal", "open", "pipeline"),
    ("F", 500.0, "2026-05-20", "2026-06-30", "Prospecting", "open", "commit"),
])
HISTORY = hist([
    # P: close 03-31 -> 04-15 -> 05-10 -> 06-20: 3 pushes (all three to a later date)
    ("P", "2026-01-10", 1000.0, "2026-03-31", "Discovery", "pipeline"),
    ("P", "2026-03-01", N, "2026-04-15", N, N),
    ("P", "2026-04-01", N, "2026-05-10", "Proposal", N),
    ("P", "2026-05-01", N, "2026-06-20", N, N),
    ("C", "2026-04-20", 5000.0, "2026-05-10", "Negotiation", "commit"),
    ("C", "2026-05-15 16:30", N, N, "Negotiation", N),  # on as_of, late in the day: 0 days
    ("E", "2026-05-10", 3000.0, "2026-06-30", "Discovery", "commit"),
    ("M", "2026-04-01", 6000.0, "2026-05-01", "Qualification", "commit"),
    # K: 10,000 on 04-15 (as_of - 30 days), 7,000 now: cut (10,000 - 7,000) / 10,000 = 30%
    ("K", "2026-04-01", 10000.0, "2026-06-15", "Proposal", "pipeline"),
    ("K", "2026-05-05", 7000.0, N, N, N),
    # J: 5,000 -> 4,000 = a 20% cut, not more than 20%: not flagged
    ("J", "2026-04-01", 5000.0, "2026-06-15", "Proposal", "pipeline"),
    ("J", "2026-05-05", 4000.0, N, N, N),
    # S: last change 03-01, 75 days before as_of (31 March days - 1 + 30 April + 15 May)
    ("S", "2026-03-01", 2000.0, "2026-06-01", "Proposal", "pipeline"),
    # O: pushed 4 times but closes next quarter
    ("O", "2026-01-05", 9000.0, "2026-03-01", "Proposal", "pipeline"),
    ("O", "2026-02-01", N, "2026-04-01", N, N),
    ("O", "2026-03-01", N, "2026-05-01", N, N),
    ("O", "2026-04-01", N, "2026-06-01", N, N),
    ("O", "2026-05-01", N, "2026-07-15", N, N),
    # X: cut 8,000 -> 1,000 and pushed after as_of: unknown on as_of
    ("X", "2026-04-10", 8000.0, "2026-06-10", "Proposal", "pipeline"),
    ("X", "2026-05-20", 1000.0, "2026-06-25", N, N),
])


def test_deals_to_inspect_with_their_reasons_largest_first():
    got = to_inspect(OPPS, HISTORY, AS_OF, Q2)
    assert tuple(got.columns) == COLUMNS
    # U has no history and no amount: created 03-16, 60 days before 05-15 (16 + 30 + 14):
    # stale, listed last (unknown amount)
    assert got["opportunity_id"].tolist() == ["K", "M", "C", "E", "S", "P", "U"]
    assert got.set_index("opportunity_id")["reasons"].to_dict() == {
        "K": "amount cut > 20% in 30 days",
        "M": "commit, close date passed; commit in an early stage",  # closes 05-01, Qualification
        "C": "commit, close date passed",  # closes 05-10, before 05-15
        "E": "commit in an early stage",  # Discovery
        "S": "no change for 60+ days",
        "P": "pushed 3+ times",
        "U": "no change for 60+ days",
    }
    by_id = got.set_index("opportunity_id")
    assert by_id.loc["P", "pushes"] == 3 and by_id.loc["P", "days_unchanged"] == 14  # since 05-01
    assert by_id.loc["K", "cut_share"] == 0.3 and by_id.loc["K", "amount"] == 7000.0
    assert by_id.loc["S", "days_unchanged"] == 75 and by_id.loc["U", "days_unchanged"] == 60
    assert by_id.loc["C", "days_unchanged"] == 0
    assert by_id.loc["P", "close_date"] == T("2026-06-20") and by_id.loc["P", "stage"] == "Proposal"
    assert by_id.loc["M", "rep_id"] == "rep-M" and by_id.loc["M", "account_id"] == "acct-M"
    assert by_id[list(CHECKS)].sum(axis=1).to_dict() == {
        "K": 1, "M": 2, "C": 1, "E": 1, "S": 1, "P": 1, "U": 1}


def test_the_state_is_the_one_known_on_as_of():
    """On 04-20: O's close date was 06-01 (in Q2) after 3 pushes (03-01 -> 04-01 -> 05-01 ->
    06-01); P had been pushed only twice (03-31 -> 04-15 -> 05-10); K was still 10,000 (no cut
    yet); C's close date (05-10) had not passed; M (commit in Qualification) already showed;
    S had changed 50 days before (03-01), U was created 35 days before. W (won 05-01) was
    still open, with no change recorded since its creation on 01-05 (105 days: 26 + 28 + 31 +
    20); its stage then is unknown (today's is the won stage)."""
    got = to_inspect(OPPS, HISTORY, T("2026-04-20"), Q2)
    assert got["opportunity_id"].tolist() == ["O", "W", "M"]  # 9,000, 8,000, 6,000
    assert got["reasons"].tolist() == ["pushed 3+ times", "no change for 60+ days",
                                       "commit in an early stage"]
    assert got.loc[0, "close_date"] == T("2026-06-01") and got.loc[0, "pushes"] == 3
    assert got.loc[1, "days_unchanged"] == 105 and pd.isna(got.loc[1, "stage"])


def test_early_stages_are_the_first_half_of_the_open_stages():
    assert early_stages(load_catalogue()) == ["Prospecting", "Qualification", "Discovery"]


def test_no_deal_needing_a_look_gives_an_empty_table():
    got = to_inspect(OPPS.iloc[:0], HISTORY.iloc[:0], AS_OF, Q2)
    assert got.empty and tuple(got.columns) == COLUMNS


@settings(max_examples=40)
@given(st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 7, 31)),
       st.sets(st.sampled_from(OPPS["opportunity_id"].tolist())))
def test_every_listed_deal_is_open_in_the_period_with_a_reason(day, dropped):
    """Invariants on any date and any subset of the deals: each listed deal existed, was open
    and closing in the period then, has one reason per flagged check, and larger amounts come
    first."""
    as_of = T(day)
    keep = ~OPPS["opportunity_id"].isin(dropped)
    history = HISTORY.loc[~HISTORY["opportunity_id"].isin(dropped)]
    period = FiscalCalendar().period(as_of, "quarter")
    got = to_inspect(OPPS.loc[keep], history, as_of, period)
    assert not got["opportunity_id"].isin(dropped).any()
    assert (got[list(CHECKS)].sum(axis=1) == got["reasons"].str.count("; ") + 1).all()
    assert period.contains(got["close_date"]).all()
    created = OPPS.set_index("opportunity_id").loc[got["opportunity_id"], "created_date"]
    assert (created <= as_of).all()
    amounts = got["amount"].dropna().to_numpy()
    assert (amounts[:-1] >= amounts[1:]).all() and got["amount"].isna().sum() == \
        got["amount"].iloc[len(amounts):].isna().sum()
