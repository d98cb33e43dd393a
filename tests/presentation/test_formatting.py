import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesops.presentation import formatting as f

ratios = st.floats(min_value=-5, max_value=5, allow_nan=False)
amounts = st.floats(min_value=-1e11, max_value=1e11, allow_nan=False)


def test_money():
    assert f.money(1234567.4) == "$1,234,567"
    assert f.money(-1500, "EUR") == "-€1,500"
    assert f.money(1_250_000, compact=True) == "$1.2M"  # 1.25 rounds half-even to 1.2
    assert f.money(999, compact=True) == "$999"
    assert f.money(2500, "CHF") == "2,500 CHF"
    assert f.money(None) == "–" and f.money(math.nan) == "–"


@pytest.mark.parametrize(("value", "shown"), [
    (500_000, "$500K"),        # 500.0K: the ".0" is dropped, never "$500.0K"
    (6_700_100, "$6.7M"),      # 6.7001M -> 6.7M
    (999_960, "$1M"),          # 999.96K rounds to 1,000.0K: promoted to 1.0M -> "$1M"
    (999_949, "$999.9K"),      # 999.949K -> 999.9K stays in K
    (999.6, "$1K"),            # rounds to $1,000 -> 1K
    (13_500_000, "$13.5M"),
    (2_000_000_000, "$2B"),
    (-1500, "-$1.5K"),
    (-0.4, "$0"),              # rounds to 0: no "-$0"
    (0, "$0"),
])
def test_compact_money(value, shown):
    assert f.money(value, compact=True) == shown


def test_compact_money_without_symbol():
    assert f.money(500_000, "CHF", compact=True) == "500K CHF"


@given(amounts)
def test_compact_money_never_shows_point_zero_or_a_thousand_of_a_unit(v):
    text = f.money(v, compact=True)
    number = text.lstrip("-$").rstrip("KMB")
    assert not number.endswith(".0")
    assert text[-1] not in "KM" or float(number.replace(",", "")) < 1000


@given(amounts)
def test_shown_money_reads_back_the_compact_text(v):
    text = f.money(v, compact=True)
    scale = {"K": 1e3, "M": 1e6, "B": 1e9}.get(text[-1], 1.0)
    number = float(text.lstrip("-$").rstrip("KMB").replace(",", "")) * scale
    assert f.shown_money(v) == pytest.approx(math.copysign(number, v) if number else 0.0)


def test_pct_points_counts():
    assert f.pct(0.873) == "87%" and f.pct(0.8735, 1) == "87.4%"
    assert f.points(0.15) == "+15 pts" and f.points(-0.042, 1) == "-4.2 pts"
    assert f.points(0.01) == "+1 pt" and f.points(-0.01) == "-1 pt"  # one point, singular
    assert f.count(12345.0) == "12,345" and f.number(3.14159, 2) == "3.14"
    assert f.pct(None) == "–" and f.count(math.nan) == "–"


def test_no_negative_zero_and_no_plus_zero():
    # -0.0025 is -0.25%: rounds to 0 and must not read "-0%"; same for money and points
    assert f.pct(-0.0025) == "0%" and f.pct(-0.0025, 1) == "-0.2%"
    assert f.points(-0.004) == "0 pts" and f.points(0.004) == "0 pts"  # never "+0 pts"
    assert f.money(-0.4) == "$0" and f.money(-0.6) == "-$1"
    assert f.number(-0.04) == "0.0"


def test_ratio_and_plural():
    assert f.ratio(1.14) == "1.1x" and f.ratio(1.6, 2) == "1.60x" and f.ratio(None) == "–"
    assert f.plural(1, "hire") == "1 hire" and f.plural(6, "hire") == "6 hires"
    assert f.plural(1234, "deal") == "1,234 deals" and f.plural(0, "rep") == "0 reps"
    assert f.plural(2, "opportunity", "opportunities") == "2 opportunities"


def test_shown_pct_points_uses_the_rounded_figures():
    # 0.496 shows "50%", 0.482 shows "48%": 50 - 48 = 2 (the raw difference 1.4 would say 1)
    assert f.shown_pct_points(0.496, 0.482) == 2
    assert isinstance(f.shown_pct_points(0.496, 0.482), int)
    # one decimal: 49.6% - 48.2% = 1.4
    assert f.shown_pct_points(0.496, 0.482, 1) == pytest.approx(1.4)
    assert math.isnan(f.shown_pct_points(None, 0.5))


@given(ratios, ratios, st.integers(0, 2))
def test_shown_pct_points_is_the_difference_of_the_shown_numbers(a, b, digits):
    shown = float(f.pct(a, digits)[:-1]) - float(f.pct(b, digits)[:-1])
    assert f.shown_pct_points(a, b, digits) == pytest.approx(shown, abs=1e-9)


def test_change_in_points():
    assert f.change_in_points(0.496, 0.482) == "up 2 pts"     # 50% vs 48%
    assert f.change_in_points(0.48, 0.49) == "down 1 pt"      # 48% vs 49%
    assert f.change_in_points(0.501, 0.499) == "unchanged"    # 50% vs 50%
    assert f.change_in_points(0.4962, 0.482, 1) == "up 1.4 pts"  # 49.6% - 48.2%
    assert f.change_in_points(None, 0.5) == "–"


@given(ratios, ratios)
def test_change_in_points_agrees_with_the_shown_percentages(a, b):
    text = f.change_in_points(a, b)
    diff = int(f.pct(a)[:-1]) - int(f.pct(b)[:-1])
    if diff == 0:
        assert text == "unchanged"
    else:
        word = "up" if diff > 0 else "down"
        assert text == f"{word} {abs(diff)} {'pt' if abs(diff) == 1 else 'pts'}"


def test_change_pct():
    assert f.change_pct(111, 100) == "up 11%"     # 111 / 100 - 1 = 0.11
    assert f.change_pct(97, 100) == "down 3%"     # 97 / 100 - 1 = -0.03
    assert f.change_pct(100.4, 100) == "unchanged"  # +0.4% rounds to 0%: never "+0%"
    assert f.change_pct(5, 0) == "–" and f.change_pct(None, 1) == "–"


def test_versus():
    # 16.5M - 13.5M = 3M above
    assert f.versus(16.5e6, 13.5e6) == "$3M above the $13.5M quota"
    # shown $12.3M (12.34M) vs $13.5M: 12.3 - 13.5 = -1.2 -> short by $1.2M, never "-$"
    assert f.versus(12.34e6, 13.5e6) == "$1.2M short of the $13.5M quota"
    # 13.52M shows "$13.5M", the same as the quota
    assert f.versus(13.52e6, 13.5e6) == "on the $13.5M quota"
    # shown figures, not raw: 13.56M shows $13.6M; 13.6 - 13.5 = 0.1 -> $100K (raw gap is $60K)
    assert f.versus(13.56e6, 13.5e6, what="budget") == "$100K above the $13.5M budget"
    assert f.versus(1e6, 2e6, "EUR") == "€1M short of the €2M quota"
    assert f.versus(None, 1) == "–"


@given(amounts, st.floats(min_value=0, max_value=1e11, allow_nan=False))
def test_versus_never_shows_a_negative_amount(value, target):
    assert "-" not in f.versus(value, target).replace("short of", "")


def _coverage(**changes):
    from dataclasses import replace

    from salesops.data.coverage import Coverage
    base = Coverage(period="FY2027 Q1", pipeline=16_342_400, deals=205, unknown_amount=0,
                    quota=15_436_300, booked=0, to_close=15_436_300, ratio=16_342_400 / 15_436_300,
                    conversion=0.61, periods_measured=4, needed=1 / 0.61)
    return replace(base, **changes)


def test_coverage_text_states_the_standard():
    # 16,342,400 / 15,436,300 = 1.06 -> 1.1x; 1 / 0.61 = 1.64 -> 1.6x
    assert f.coverage_text(_coverage()) == (
        "coverage 1.1x of the $15.4M still to close, against 1.6x needed at the usual "
        "conversion (61% of such pipeline closed over the last 4 quarters)")
    no_history = _coverage(conversion=math.nan, needed=math.nan, periods_measured=1)
    assert f.coverage_text(no_history, "EUR") == (
        "coverage 1.1x of the €15.4M still to close, and the usual conversion cannot be "
        "measured: fewer than 2 past quarters")


def test_coverage_text_notes_unknown_amounts_and_missing_figures():
    assert f.coverage_text(_coverage(unknown_amount=1)).endswith(
        "; known amounts only: 1 of the 205 open deals has no amount")
    assert f.coverage_text(_coverage(unknown_amount=3)).endswith("3 of the 205 open deals have no amount")
    assert f.coverage_text(_coverage(quota=math.nan, to_close=math.nan, ratio=math.nan)) == (
        "coverage cannot be computed: no quota is set for FY2027 Q1")
    assert f.coverage_text(_coverage(booked=16e6, to_close=0.0, ratio=math.nan)) == (
        "nothing is left to close: $16M booked of the $15.4M quota")
    assert f.coverage_text(_coverage(pipeline=0, unknown_amount=205, ratio=math.nan)) == (
        "coverage cannot be computed: none of the 205 open deals expected in FY2027 Q1 has an "
        "amount")
