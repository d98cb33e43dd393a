"""Number formatting shared by tables, charts and narrative: money, percentages, counts."""

from __future__ import annotations

import math

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "C$", "AUD": "A$"}


def _missing(value: object) -> bool:
    try:
        return value is None or math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def money(value: float | None, currency: str = "USD", compact: bool = False) -> str:
    """'$1,234,567' or, compact, '$1.2M'; missing values show as an en dash."""
    if _missing(value):
        return "–"
    symbol = CURRENCY_SYMBOLS.get(currency, "")
    suffix = "" if symbol else f" {currency}"
    sign = "-" if value < 0 else ""
    v = abs(float(value))
    if compact:
        for threshold, unit in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if v >= threshold:
                return f"{sign}{symbol}{v / threshold:.1f}{unit}{suffix}"
    return f"{sign}{symbol}{v:,.0f}{suffix}"


def pct(value: float | None, digits: int = 0) -> str:
    """A ratio as a percentage: 0.873 -> '87%'."""
    if _missing(value):
        return "–"
    return f"{float(value) * 100:.{digits}f}%"


def points(value: float | None, digits: int = 0) -> str:
    """A difference of ratios in percentage points with sign: 0.15 -> '+15 pts'."""
    if _missing(value):
        return "–"
    return f"{float(value) * 100:+.{digits}f} pts"


def count(value: float | None) -> str:
    """An integer count with thousands separators."""
    if _missing(value):
        return "–"
    return f"{float(value):,.0f}"


def number(value: float | None, digits: int = 1) -> str:
    """A plain number with thousands separators and fixed decimals."""
    if _missing(value):
        return "–"
    return f"{float(value):,.{digits}f}"
