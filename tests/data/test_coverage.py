"""Coverage on a hand-made dataset: as of 2026-05-15, calendar quarters (Q2 = Apr-Jun 2026)."""

import math

import pandas as pd
import pytest

from salesops.data.coverage import Coverage, coverage
from salesops.data.periods import FiscalCalendar
from salesops.data.schema import OPPORTUNITIES, QUOTAS, TABLES, conform, empty_frame
from salesops.data.store import Dataset

AS_OF = pd.Timestamp("2026-05-15")
CAL = FiscalCalendar(1)
Q2 = CAL.period(AS_OF, "quarter")  # 2026-04-01 .. 2026-06-30; as_of is 44 days after its start
Q3 = CAL.shift(Q2, 1)  # 2026-07-01 .. 2026-09-30; as_of is 47 days before its start


def deal(oid, created, close, status, amount):
    stage = {"open": "Proposal", "won": "Closed Won", "lost": "Closed Lost"}[status]
    return {"opportunity_id": oid, "rep_id": "R1", "account_id": "A1", "product": "P",
            "amount": amount, "created_date": created, "close_date": close, "stage": stage,
            "status": status, "forecast_category": None, "probability": None}


DEALS = [
    # on as_of, expected in Q2
    deal("O1", "2026-04-01", "2026-06-10", "open", 1000.0),
    deal("O2", "2026-03-01", "2026-04-20", "open", 500.0),   # overdue: counts for the current Q2
    deal("O3", "2026-04-05", "2026-06-20", "open", None),    # amount unknown: counted, not summed
    deal("W6", "2026-04-10", "2026-05-20", "won", 700.0),    # won after as_of: open on as_of
    deal("W5", "2026-04-02", "2026-05-01", "won", 300.0),    # booked in Q2 by as_of
    deal("O4", "2026-04-03", "2026-08-01", "open", 800.0),   # expected in Q3 (next)
    # FY2026 Q1 (Jan-Mar), measured at Jan 1 + 44 days = Feb 14
    deal("H1", "2026-01-05", "2026-03-10", "won", 400.0),    # open on Feb 14, won in Q1
    deal("H2", "2026-01-10", "2026-03-01", "lost", 600.0),   # open on Feb 14, lost
    deal("H3", "2026-01-20", "2026-02-01", "won", 1000.0),   # closed before Feb 14: not pipeline
    deal("H4", "2026-02-20", "2026-03-15", "won", 900.0),    # created after Feb 14
    deal("H5", "2026-01-02", "2026-04-10", "won", 250.0),    # slipped to Q2: booked in Q2
    # FY2025 Q4 (Oct-Dec), measured at Oct 1 + 44 days = Nov 14
    deal("G1", "2025-10-01", "2025-12-01", "won", 300.0),    # open on Nov 14, won in Q4
    deal("G2", "2025-09-15", "2025-12-20", "open", 200.0),   # still open: also overdue in Q2
    deal("G3", "2025-11-01", "2025-11-10", "won", 50.0),     # closed before Nov 14
]
# The data begins 2025-09-15 (G2): FY2025 Q3 (point Aug 14) and Q2 (May 15) predate it.


def dataset(deals=DEALS, quotas=(("2026-04-01", "2026-06-30", 2000.0),
                                 ("2026-07-01", "2026-09-30", 3000.0))) -> Dataset:
    tables = {n: empty_frame(TABLES[n]) for n in TABLES if n != "transactions"}
    tables["opportunities"] = conform(pd.DataFrame(deals), OPPORTUNITIES)
    tables["quotas"] = conform(pd.DataFrame(
        [("R1", s, e, a) for s, e, a in quotas],
        columns=["rep_id", "period_start", "period_end", "quota_amount"]).astype(
        {"period_start": "datetime64[ns]", "period_end": "datetime64[ns]"}), QUOTAS)
    return Dataset(**tables)


def test_current_period_coverage_and_usual_conversion():
    c = coverage(dataset(), Q2, AS_OF)
    # open on as_of and expected by Q2's end: O1 1000 + O2 500 (overdue) + W6 700 (won later)
    # + G2 200 (overdue since 2025-12-20) = 2400; O3 counted with no amount
    assert (c.period, c.pipeline, c.deals, c.unknown_amount) == ("FY2026 Q2", 2400, 5, 1)
    # booked by as_of: W5 300 + H5 250 = 550; to close 2000 - 550 = 1450
    assert (c.quota, c.booked, c.to_close) == (2000, 550, 1450)
    assert c.ratio == pytest.approx(2400 / 1450)  # 1.66x
    # Q1 on Feb 14: H1 400 + H2 600 + G2 200 (overdue since 2025-12-20, as in the current
    # period) = 1200, won 400; Q4 on Nov 14: G1 300 + G2 200 = 500, won 300
    # conversion (400 + 300) / (1200 + 500) = 0.4118; needed 1700 / 700 = 2.43x
    assert c.periods_measured == 2
    assert c.conversion == pytest.approx(700 / 1700)
    assert c.needed == pytest.approx(1700 / 700)
    assert c.standard == ("2.4x needed at the usual conversion (41% of such pipeline closed "
                          "over the last 2 quarters)")
    assert c.basis == "41% of such pipeline closed over the last 2 quarters"


def test_next_period_has_no_overdue_deals_and_too_little_history():
    c = coverage(dataset(), Q3, AS_OF)
    # only O4 (800) is expected in Q3; nothing booked yet; to close 3000; 800 / 3000 = 0.27x
    assert (c.pipeline, c.deals, c.booked, c.to_close) == (800, 1, 0, 3000)
    assert c.ratio == pytest.approx(800 / 3000)
    # Q2 is not complete; Q1 at Jan 1 - 47 days = 2025-11-15: no deal open then expected in Q1;
    # Q4 2025 at Aug 15 2025 and earlier predate the data: nothing measured
    assert c.periods_measured == 0 and math.isnan(c.conversion) and math.isnan(c.needed)
    assert c.standard == "the usual conversion cannot be measured: fewer than 2 past quarters"
    assert c.basis == c.standard


def test_min_history_one_measured_period_is_enough_when_asked():
    # history=1: only Q1 2026 is looked at: 400 / 1200 = 33%, needed 3.0x
    c = coverage(dataset(), Q2, AS_OF, history=1, min_history=1)
    assert c.periods_measured == 1 and c.conversion == pytest.approx(1 / 3)
    assert c.standard == ("3.0x needed at the usual conversion (33% of such pipeline closed "
                          "over the last quarter)")


def test_without_quota_everything_to_close_is_missing_not_zero():
    c = coverage(dataset(quotas=()), Q2, AS_OF)
    assert c.pipeline == 2400 and c.booked == 550
    assert math.isnan(c.quota) and math.isnan(c.to_close) and math.isnan(c.ratio)


def test_quota_already_reached_has_no_ratio():
    # quota 500 <= booked 550: nothing to close, max(500 - 550, 0) = 0; a ratio over 0 is NaN
    c = coverage(dataset(quotas=(("2026-04-01", "2026-06-30", 500.0),)), Q2, AS_OF)
    assert c.to_close == 0 and math.isnan(c.ratio)


def test_pipeline_of_unknown_amounts_only_has_no_ratio():
    only_unknown = [d for d in DEALS if d["opportunity_id"] not in ("O1", "O2", "W6", "G2")]
    c = coverage(dataset(only_unknown), Q2, AS_OF)
    assert (c.deals, c.unknown_amount, c.pipeline) == (1, 1, 0)  # never read as $0 coverage
    assert math.isnan(c.ratio)


def emea_view(data: Dataset):
    """``data`` with R1 on the roster in EMEA, and its Region EMEA view on as_of."""
    from salesops.data.scope import scoped_view
    data.reps = pd.DataFrame({"rep_id": ["R1"], "name": ["A"], "manager": ["M"], "team": ["T"],
                              "region": ["EMEA"], "role": ["AE"],
                              "hire_date": pd.to_datetime(["2020-01-01"]),
                              "termination_date": pd.to_datetime([None])}).astype(
        {"rep_id": "string"})
    return scoped_view(data, AS_OF, "region=EMEA")


def test_a_scoped_view_gives_the_same_coverage():
    data = dataset()
    view = emea_view(data)
    assert coverage(view, Q2, AS_OF) == coverage(data, Q2, AS_OF)


def test_coverage_is_frozen():
    c = coverage(dataset(), Q2, AS_OF)
    assert isinstance(c, Coverage)
    with pytest.raises(AttributeError):
        c.ratio = 3.0  # type: ignore[misc]


def test_no_open_deal_is_zero_coverage_and_nothing_to_measure():
    data = dataset()
    data.opportunities = empty_frame(TABLES["opportunities"])
    c = coverage(data, Q2, AS_OF)
    # no pipeline at all is a known $0 (unlike deals of unknown amount): 0 / 2000 = 0x
    assert (c.pipeline, c.deals, c.booked, c.to_close, c.ratio) == (0, 0, 0, 2000, 0)
    assert c.periods_measured == 0 and math.isnan(c.needed)


def with_history() -> Dataset:
    """dataset() with an opportunity history. H5 (won Apr 10, 250) was expected on Mar 25 until
    Mar 20: on Feb 14 it sat in Q1's pipeline and slipped. H1 (won Mar 10, 400) was 500 until
    Mar 1. W6 (won May 20, 700) was 600 expected May 31 until May 18."""
    data = dataset()
    rows = [("H1", "2026-01-05", 500.0, "2026-03-10"), ("H1", "2026-03-01", 400.0, None),
            ("H5", "2026-01-02", 250.0, "2026-03-25"), ("H5", "2026-03-20", None, "2026-04-10"),
            ("W6", "2026-04-10", 600.0, "2026-05-31"), ("W6", "2026-05-18", 700.0, None)]
    frame = pd.DataFrame(rows, columns=["opportunity_id", "changed_at", "amount", "close_date"])
    data.opportunity_history = conform(
        frame.assign(changed_at=pd.to_datetime(frame["changed_at"]),
                     close_date=pd.to_datetime(frame["close_date"])).reindex(
            columns=TABLES["opportunity_history"].column_names), TABLES["opportunity_history"])
    return data


def test_with_history_past_pipelines_are_what_they_were_then():
    c = coverage(with_history(), Q2, AS_OF)
    # on as_of W6 was 600: O1 1000 + O2 500 + W6 600 + G2 200 = 2300 (no history: 2400)
    assert (c.pipeline, c.deals, c.booked, c.to_close) == (2300, 5, 550, 1450)
    assert c.ratio == pytest.approx(2300 / 1450)
    # Q1 on Feb 14: H1 at 500 + H2 600 + G2 200 + H5 250 (then expected Mar 25: it slipped to
    # Apr 10, so it is pipeline that did not close in Q1) = 1550, won H1's 500;
    # Q4 on Nov 14 as without history: 500, won 300
    # conversion (500 + 300) / (1550 + 500) = 800 / 2050 = 0.390; needed 2050 / 800 = 2.56x
    # (no history: 1700 / 700 = 2.43x, the slipped H5 missing from Q1's pipeline)
    assert c.periods_measured == 2
    assert c.conversion == pytest.approx(800 / 2050)
    assert c.needed == pytest.approx(2050 / 800)
    assert c.needed != pytest.approx(coverage(dataset(), Q2, AS_OF).needed)


def test_with_history_a_scoped_view_gives_the_same_coverage():
    data = with_history()
    view = emea_view(data)
    assert coverage(view, Q2, AS_OF) == coverage(data, Q2, AS_OF)
