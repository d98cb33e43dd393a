"""Quota allocation: bases, levels, ramp, bottom-up and the exact-cent totals, on a hand-made team.

The team: region North, team N1 with reps A and B; region South, team S1 with rep C; all on the
roster all of FY2027 (the plan year at as_of 2026-12-01, calendar fiscal year), fully ramped.
Target $1,000,000 with 15% over-assignment: $1,150,000 = 115,000,000 cents to allocate.
"""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesops.analysis.planning.quotas import (
    POTENTIAL_NEEDS,
    QUOTA_NEEDS,
    RAMPED_QUOTA_NEEDS,
    basis_rates,
    basis_window,
    bottom_up,
    capacity_rates,
    hire_seats,
    is_planned_hire,
    side_by_side,
    split_cents,
    top_down,
)
from salesops.analysis.planning.seats import plan_year, seat_months
from salesops.data.periods import FiscalCalendar
from salesops.data.schema import TABLES, empty_frame
from salesops.data.store import Contents, Dataset

AS_OF = pd.Timestamp("2026-12-01")
CAL = FiscalCalendar(1)
PLAN = plan_year(AS_OF, CAL)
MONTHS = CAL.periods_between(PLAN.start, PLAN.end, "month")


def roster(extra: list[dict] | None = None) -> pd.DataFrame:
    rows = [
        {"rep_id": "A", "region": "North", "team": "N1", "hire_date": "2020-01-01"},
        {"rep_id": "B", "region": "North", "team": "N1", "hire_date": "2020-01-01"},
        {"rep_id": "C", "region": "South", "team": "S1", "hire_date": "2020-01-01"},
        *(extra or []),
    ]
    reps = pd.DataFrame(rows)
    reps["hire_date"] = pd.to_datetime(reps["hire_date"])
    reps["termination_date"] = pd.to_datetime(reps.get("termination_date"))
    return reps


def history(monthly: dict[str, float], first: str = "2024-12-01", last: str = "2026-11-01",
            overrides: dict[tuple[str, str], float] | None = None) -> pd.DataFrame:
    """Rep-months of fully employed ramped reps booking ``monthly[rep]`` every month."""
    team = {"A": "N1", "B": "N1", "C": "S1", "E": "N1"}
    rows = [{"rep_id": rep, "month": m, "bookings": amount, "employed_days": m.days_in_month,
             "full": True, "tenure_month": 60.0, "team": team[rep]}
            for rep, amount in monthly.items() for m in pd.date_range(first, last, freq="MS")]
    frame = pd.DataFrame(rows)
    for (rep, month), amount in (overrides or {}).items():
        frame.loc[(frame["rep_id"] == rep) & (frame["month"] == pd.Timestamp(month)), "bookings"] = amount
    return frame


def cents(allocation) -> dict[str, int]:
    return dict(zip(allocation.reps["rep_id"], allocation.reps["quota_cents"], strict=True))


def test_plan_year_and_basis_windows():
    assert (PLAN.start, PLAN.end) == (pd.Timestamp("2027-01-01"), pd.Timestamp("2027-12-31"))
    # prior year = FY2026, its months complete by 2026-12-01: January to November
    assert basis_window("prior_year", AS_OF, CAL) == (pd.Timestamp("2026-01-01"), pd.Timestamp("2026-11-01"))
    # trailing 12 complete months: December 2025 .. November 2026
    assert basis_window("trailing_12m", AS_OF, CAL) == (pd.Timestamp("2025-12-01"),
                                                        pd.Timestamp("2026-11-01"))
    # on the last day of November, November is complete
    assert basis_window("trailing_12m", pd.Timestamp("2026-11-30"), CAL)[1] == pd.Timestamp("2026-11-01")
    # fiscal year from February: as_of 2026-12-01 is in FY2027 (Feb 2026 - Jan 2027), the plan is
    # FY2028 and the prior year FY2027, complete from February to November 2026
    feb = FiscalCalendar(2)
    assert plan_year(AS_OF, feb).start == pd.Timestamp("2027-02-01")
    assert basis_window("prior_year", AS_OF, feb) == (pd.Timestamp("2026-02-01"), pd.Timestamp("2026-11-01"))
    # on 15 January 2026 the plan year is FY2027 and no month of FY2026 has ended yet
    with pytest.raises(ValueError, match="no month of FY2026 is complete on 2026-01-15"):
        basis_window("prior_year", pd.Timestamp("2026-01-15"), CAL)


def test_even_split_gives_the_cent_left_over_to_the_first_rep():
    # 115,000,000 / 3 = 38,333,333.33 cents each: floors sum to 114,999,999, the last cent
    # goes to the first of the equal remainders (A)
    seats = seat_months(roster(), MONTHS)
    a = top_down(1_000_000, seats, basis_rates(seats, "even"), 0.15, "even")
    assert cents(a) == {"A": 38_333_334, "B": 38_333_333, "C": 38_333_333}
    assert a.total == 1_150_000.00
    by_region = a.by_region.set_index("region")["quota_cents"].to_dict()
    assert by_region == {"North": 76_666_667, "South": 38_333_333}


def test_prior_year_share():
    # FY2026 Jan-Nov: A 10,000/month, B 20,000, C 30,000 -> rates 10k, 20k, 30k; December 2025
    # (outside the prior year) A booked 500,000, which must not count.
    # Shares 1/6, 2/6, 3/6 of 115,000,000 cents: 19,166,666.67 / 38,333,333.33 / 57,500,000;
    # floors sum to 114,999,999 and the cent goes to A (remainder .67).
    rm = history({"A": 10_000, "B": 20_000, "C": 30_000}, overrides={("A", "2025-12-01"): 500_000})
    seats = seat_months(roster(), MONTHS)
    rates = basis_rates(seats, "prior_year", rm, AS_OF, CAL)
    assert rates.set_index("rep_id")["rate"].to_dict() == {"A": 10_000, "B": 20_000, "C": 30_000}
    assert cents(top_down(1_000_000, seats, rates, 0.15)) == {"A": 19_166_667, "B": 38_333_333,
                                                              "C": 57_500_000}


def test_trailing_twelve_months_includes_last_december():
    # Dec 2025 - Nov 2026: A = 120,000 + 11 x 10,000 = 230,000 over 12 months = 19,166.67/month;
    # B 20,000; C 30,000. Shares 230/830, 240/830, 360/830 of 115,000,000 cents:
    # 31,867,469.88 / 33,253,012.05 / 49,879,518.07: floors sum 114,999,999; cent to A (.88).
    rm = history({"A": 10_000, "B": 20_000, "C": 30_000}, overrides={("A", "2025-12-01"): 120_000})
    seats = seat_months(roster(), MONTHS)
    rates = basis_rates(seats, "trailing_12m", rm, AS_OF, CAL)
    assert rates.set_index("rep_id").loc["A", "rate"] == pytest.approx(230_000 / 12)
    assert cents(top_down(1_000_000, seats, rates, 0.15)) == {"A": 31_867_470, "B": 33_253_012,
                                                              "C": 49_879_518}


def test_potential_share_and_missing_potential_is_zero():
    # potential A 100, B 300, C 600 -> 10% / 30% / 60% of 115,000,000 cents
    seats = seat_months(roster(), MONTHS)
    rates = basis_rates(seats, "potential", potential=pd.Series({"A": 100.0, "B": 300.0, "C": 600.0}))
    assert cents(top_down(1_000_000, seats, rates, 0.15)) == {"A": 11_500_000, "B": 34_500_000,
                                                              "C": 69_000_000}
    # C without potential gets nothing: A 1/4, B 3/4
    rates = basis_rates(seats, "potential", potential=pd.Series({"A": 100.0, "B": 300.0}))
    assert cents(top_down(1_000_000, seats, rates, 0.15)) == {"A": 28_750_000, "B": 86_250_000, "C": 0}


def test_a_basis_per_level():
    # regions by even split (North has 2 reps x 12 months, South 1 x 12: 2/3 and 1/3), reps inside
    # N1 by prior year (A 10k, B 20k: 1/3 and 2/3): A 2/9, B 4/9, C 1/3 of 115,000,000 cents =
    # 25,555,555.56 / 51,111,111.11 / 38,333,333.33: floors 114,999,999, the cent to A (.56)
    rm = history({"A": 10_000, "B": 20_000, "C": 30_000})
    seats = seat_months(roster(), MONTHS)
    even = basis_rates(seats, "even")
    prior = basis_rates(seats, "prior_year", rm, AS_OF, CAL)
    a = top_down(1_000_000, seats, {"region": even, "team": even, "rep": prior}, 0.15)
    assert cents(a) == {"A": 25_555_556, "B": 51_111_111, "C": 38_333_333}


def test_new_hire_gets_a_ramped_share_and_the_team_median_rate():
    # D joins S1 on 1 July 2027 with a 2-month ramp at 50%: effective months 0.5 + 0.5 + 4 = 5.
    # D has no history: rate = S1's median (C's 30,000). Weights: A 10k x 12 = 120k, B 240k,
    # C 360k, D 30k x 5 = 150k; total 870k. D: 150/870 x 115,000,000 = 19,827,586.21 cents.
    rm = history({"A": 10_000, "B": 20_000, "C": 30_000})
    reps = roster([{"rep_id": "D", "region": "South", "team": "S1", "hire_date": "2027-07-01"}])
    ramp = pd.Series([0.5, 0.5], index=[1, 2])
    seats = seat_months(reps, MONTHS, ramp)
    rates = basis_rates(seats, "prior_year", rm, AS_OF, CAL, ramp).set_index("rep_id")
    assert (rates.loc["D", "rate"], rates.loc["D", "rate_source"]) == (30_000, "team median")
    a = top_down(1_000_000, seats, rates.reset_index(), 0.15).reps.set_index("rep_id")
    assert a.loc["D", "effective_months"] == 5
    assert a.loc["D", "quota_cents"] in (19_827_586, 19_827_587)
    assert a["quota_cents"].sum() == 115_000_000


def test_planned_hires_hold_ramped_seats():
    # two hires planned for July 2027 into S1, ramp 50% in months 1-2: effective 0.5 + 0.5 + 4 = 5
    # months each. Even basis: A, B, C 12 each + 2 x 5 = 46; each hire 5/46 of 115,000,000 cents =
    # 12,500,000 exactly; A, B, C 12/46 = 30,000,000 each
    ramp = pd.Series([0.5, 0.5], index=[1, 2])
    hires = hire_seats({"2027-07": 2}, MONTHS, team="S1", region="South")
    assert hires["rep_id"].tolist() == ["TBH-2027-07-1", "TBH-2027-07-2"]
    assert hires["hire_date"].tolist() == [pd.Timestamp("2027-07-01")] * 2
    seats = seat_months(pd.concat([roster(), hires], ignore_index=True), MONTHS, ramp)
    a = top_down(1_000_000, seats, basis_rates(seats, "even"), 0.15)
    assert cents(a) == {"A": 30_000_000, "B": 30_000_000, "C": 30_000_000,
                        "TBH-2027-07-1": 12_500_000, "TBH-2027-07-2": 12_500_000}
    assert is_planned_hire(a.reps["rep_id"]).tolist() == [False, False, False, True, True]
    assert hire_seats(None, MONTHS).empty
    with pytest.raises(ValueError, match="must be whole people to hold a quota, got 1.5"):
        hire_seats({"2027-03": 1.5}, MONTHS)
    with pytest.raises(ValueError, match="planned hires for 2026-05"):
        hire_seats({"2026-05": 1}, MONTHS)


def test_a_rep_with_too_little_history_takes_the_team_median():
    # E (team N1) has only October and November 2026 (2 < 3 effective months): rate = median of
    # A 10k and B 20k = 15k
    rm = pd.concat([history({"A": 10_000, "B": 20_000, "C": 30_000}),
                    history({"E": 99_000}, first="2026-10-01")], ignore_index=True)
    e = {"rep_id": "E", "region": "North", "team": "N1", "hire_date": "2020-01-01"}
    seats = seat_months(roster([e]), MONTHS)
    rates = basis_rates(seats, "trailing_12m", rm, AS_OF, CAL).set_index("rep_id")
    assert (rates.loc["E", "rate"], rates.loc["E", "rate_source"]) == (15_000, "team median")


def test_history_rates_use_only_ramped_months_so_a_ramping_rep_is_not_penalised():
    # A was hired in January 2026 (tenure month = calendar month) and booked 5,000 a month.
    rm = history({"A": 5_000, "B": 20_000, "C": 30_000}, first="2026-01-01")
    rm.loc[rm["rep_id"] == "A", "tenure_month"] = rm.loc[rm["rep_id"] == "A", "month"].dt.month.astype(float)
    # ramping for 11 months: none of A's 11 months is ramped, so A takes N1's median (B: 20,000)
    ramp = pd.Series([0.5] * 11, index=range(1, 12))
    rates = basis_rates(seat_months(roster(), MONTHS, ramp), "prior_year", rm, AS_OF, CAL, ramp)
    assert rates.set_index("rep_id").loc["A", ["rate", "rate_source"]].tolist() == [20_000, "team median"]
    # ramping for 3 months: Jan-Mar are left out, Apr-Nov = 8 ramped months x 5,000 / 8 = 5,000
    ramp = pd.Series([0.5] * 3, index=range(1, 4))
    rates = basis_rates(seat_months(roster(), MONTHS, ramp), "prior_year", rm, AS_OF, CAL, ramp)
    assert rates.set_index("rep_id").loc["A", ["rate", "rate_source"]].tolist() == [5_000, "own"]


def test_bottom_up_and_side_by_side():
    # capacity rates A 10k, B 20k, C 30k over 24 months; 12 effective months each:
    # capacity 720,000, bottom-up quota x 1.15 = 828,000 (N1 414,000; S1 414,000).
    # Top-down even of 1,000,000: N1 = 38,333,334 + 38,333,333 cents = 766,666.67; S1 383,333.33.
    # Difference N1 +352,666.67, S1 -30,666.67, total 1,150,000 - 828,000 = 322,000.
    rm = history({"A": 10_000, "B": 20_000, "C": 30_000})
    seats = seat_months(roster(), MONTHS)
    capacity = capacity_rates(seats, rm, AS_OF, CAL)
    bottom = bottom_up(capacity, seats, 0.15)
    assert bottom.target == 720_000
    assert bottom.total == 828_000
    top = top_down(1_000_000, seats, basis_rates(seats, "even"), 0.15)
    table = side_by_side(top, bottom).set_index("team")
    assert table.loc["N1", "difference"] == pytest.approx(352_666.67)
    assert table.loc["S1", "difference"] == pytest.approx(-30_666.67)
    assert table.loc["Total", "difference"] == pytest.approx(322_000)
    assert table.loc["S1", "difference_share"] == pytest.approx(-30_666.67 / 414_000)


def test_capacity_reads_24_months():
    # A booked 40,000 in December 2024 (month 1 of the 24) and 10,000 every other month:
    # (40,000 + 23 x 10,000) / 24 = 11,250
    rm = history({"A": 10_000, "B": 20_000, "C": 30_000}, first="2024-06-01",
                 overrides={("A", "2024-12-01"): 40_000, ("A", "2024-11-01"): 1_000_000})
    rates = capacity_rates(seat_months(roster(), MONTHS), rm, AS_OF, CAL).set_index("rep_id")
    assert rates.loc["A", "rate"] == 11_250


def test_split_cents_largest_remainder():
    # 100 cents over 1:1:1 -> 33.33 each: floors 99, the cent to the first
    assert split_cents([1, 1, 1], 100).tolist() == [34, 33, 33]
    # 10 cents over 0.15 / 0.35 / 0.5 -> 1.5 / 3.5 / 5: floors 1 + 3 + 5 = 9; ties .5/.5 -> first
    assert split_cents([0.15, 0.35, 0.5], 10).tolist() == [2, 3, 5]
    with pytest.raises(ValueError, match="sum to zero"):
        split_cents([0, 0], 10)
    with pytest.raises(ValueError, match=">= 0"):
        split_cents([1, -1], 10)


def test_bad_input_is_named():
    seats = seat_months(roster(), MONTHS)
    with pytest.raises(ValueError, match="basis must be one of"):
        basis_rates(seats, "gut feel")
    with pytest.raises(ValueError, match="needs each rep's territory potential"):
        basis_rates(seats, "potential")
    with pytest.raises(ValueError, match="needs rep_months and as_of"):
        basis_rates(seats, "prior_year")
    with pytest.raises(ValueError, match="no rep has 3 effective months"):
        basis_rates(seats, "prior_year", history({"A": 1.0}, first="2026-11-01"), AS_OF, CAL)
    with pytest.raises(ValueError, match="over_assignment must be >= 0"):
        top_down(1_000, seats, basis_rates(seats, "even"), -0.1)
    with pytest.raises(ValueError, match="no weight to allocate by at level region"):
        top_down(1_000, seats, basis_rates(seats, "potential", potential=pd.Series(dtype=float)))
    with pytest.raises(ValueError, match="need the keys region, team and rep; missing team"):
        top_down(1_000, seats, {"region": basis_rates(seats, "even"), "rep": basis_rates(seats, "even")})
    with pytest.raises(ValueError, match="no basis rate for rep C"):
        top_down(1_000, seats, basis_rates(seats, "even").iloc[:2])
    zero = basis_rates(seats, "even").assign(rate=0.0)
    with pytest.raises(ValueError, match="no rep has any capacity"):
        bottom_up(zero, seats)


@given(
    weights=st.lists(st.floats(0.01, 1e6), min_size=1, max_size=12),
    months=st.lists(st.integers(1, 12), min_size=12, max_size=12),
    target=st.floats(0, 1e9),
    over=st.floats(0, 0.5),
    per_level=st.booleans(),
)
def test_allocations_sum_to_target_times_over_assignment(weights, months, target, over, per_level):
    # any basis weights, teams and hire months: quotas are >= 0 and sum to round(target x (1+oa)) cents
    n = len(weights)
    reps = pd.DataFrame({"rep_id": [f"R{i:02d}" for i in range(n)],
                         "region": [f"G{i % 2}" for i in range(n)], "team": [f"T{i % 3}" for i in range(n)],
                         "hire_date": [pd.Timestamp(2027, months[i], 1) for i in range(n)]})
    seats = seat_months(reps, MONTHS, pd.Series([0.3, 0.6], index=[1, 2]))
    rates = basis_rates(seats, "potential", potential=pd.Series(weights, index=reps["rep_id"]))
    if per_level:  # regions and teams split evenly, reps by potential
        even = basis_rates(seats, "even")
        rates = {"region": even, "team": even, "rep": rates}
    a = top_down(target, seats, rates, over)
    assert (a.reps["quota_cents"] >= 0).all()
    assert int(a.reps["quota_cents"].sum()) == round(target * (1 + over) * 100)
    total = round(target * (1 + over) * 100)
    assert int(a.by_team["quota_cents"].sum()) == int(a.by_region["quota_cents"].sum()) == total


def test_needs_name_what_is_missing():
    # a deals table without account_id and a roster without hire dates: quotas can be allocated,
    # but not ramped, nor by territory potential; without a roster, not at all
    deals = pd.DataFrame({"opportunity_id": ["O1"], "rep_id": ["A"]})
    tables = {n: empty_frame(TABLES[n]) for n in ("accounts", "quotas", "stage_history")}
    data = Dataset(reps=roster(), opportunities=deals, **tables, contents=Contents(
        present=frozenset({"reps", "opportunities"}),
        missing_columns={"reps": ("hire_date",), "opportunities": ("account_id",)}))
    assert QUOTA_NEEDS.check(data)
    assert RAMPED_QUOTA_NEEDS.check(data).reason == (
        "Ramped quotas for new hires cannot be shown: the reps table has no 'hire_date' column; "
        "mapping 'hire_date' at ingest would enable it.")
    assert POTENTIAL_NEEDS.check(data).reason.startswith(
        "Quotas by territory potential cannot be shown: the opportunities table has no 'account_id'")
    no_roster = Dataset(reps=empty_frame(TABLES["reps"]), opportunities=deals, **tables,
                        contents=Contents(present=frozenset({"opportunities"})))
    assert QUOTA_NEEDS.check(no_roster).reason == (
        "Quota allocation cannot be shown: the data has no reps table; a rep roster (reps.csv) "
        "would enable it.")
