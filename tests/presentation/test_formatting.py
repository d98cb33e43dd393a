import math

from salesops.presentation import formatting as f


def test_money():
    assert f.money(1234567.4) == "$1,234,567"
    assert f.money(-1500, "EUR") == "-€1,500"
    assert f.money(1_250_000, compact=True) == "$1.2M"  # 1.25 rounds half-even to 1.2
    assert f.money(999, compact=True) == "$999"
    assert f.money(2500, "CHF") == "2,500 CHF"
    assert f.money(None) == "–" and f.money(math.nan) == "–"


def test_pct_points_counts():
    assert f.pct(0.873) == "87%" and f.pct(0.8735, 1) == "87.4%"
    assert f.points(0.15) == "+15 pts" and f.points(-0.042, 1) == "-4.2 pts"
    assert f.count(12345.0) == "12,345" and f.number(3.14159, 2) == "3.14"
    assert f.pct(None) == "–" and f.count(math.nan) == "–"


def test_no_negative_zero():
    # -0.0025 is -0.25%: rounds to 0 and must not read "-0%"; same for money and points
    assert f.pct(-0.0025) == "0%" and f.pct(-0.0025, 1) == "-0.2%"
    assert f.points(-0.004) == "+0 pts"
    assert f.money(-0.4) == "$0" and f.money(-0.6) == "-$1"
    assert f.number(-0.04) == "0.0"
