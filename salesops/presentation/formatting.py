"""Number formatting shared by tables, charts and narrative: money, percentages, counts."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "C$", "AUD": "A$"}


def missing(value: object) -> bool:
    """True for None, NaN, NA and anything that is not a number (shown as an en dash)."""
    try:
        return value is None or math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def _dash_if_missing(fn: Callable[..., str]) -> Callable[..., str]:
    """Format missing values (see ``missing``) as an en dash instead of calling ``fn``."""
    @functools.wraps(fn)
    def wrapper(value: object, *args: object, **kwargs: object) -> str:
        return "–" if missing(value) else fn(value, *args, **kwargs)
    return wrapper


def _rounded(value: float, digits: int) -> float:
    """``value`` rounded to ``digits`` decimals, with -0 made 0 (so -0.2% shows as '0%')."""
    return round(float(value), digits) + 0.0


@_dash_if_missing
def money(value: float | None, currency: str = "USD", compact: bool = False) -> str:
    """'$1,234,567' or, compact, '$1.2M'; missing values show as an en dash."""
    symbol = CURRENCY_SYMBOLS.get(currency, "")
    suffix = "" if symbol else f" {currency}"
    sign = "-" if _rounded(value, 0) < 0 else ""
    v = abs(float(value))
    if compact:
        for threshold, unit in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if v >= threshold:
                return f"{sign}{symbol}{v / threshold:.1f}{unit}{suffix}"
    return f"{sign}{symbol}{v:,.0f}{suffix}"


@_dash_if_missing
def pct(value: float | None, digits: int = 0) -> str:
    """A ratio as a percentage: 0.873 -> '87%'."""
    return f"{_rounded(float(value) * 100, digits):.{digits}f}%"


@_dash_if_missing
def points(value: float | None, digits: int = 0) -> str:
    """A difference of ratios in percentage points with sign: 0.15 -> '+15 pts'."""
    return f"{_rounded(float(value) * 100, digits):+.{digits}f} pts"


@_dash_if_missing
def count(value: float | None) -> str:
    """An integer count with thousands separators."""
    return f"{float(value):,.0f}"


@_dash_if_missing
def number(value: float | None, digits: int = 1) -> str:
    """A plain number with thousands separators and fixed decimals."""
    return f"{_rounded(value, digits):,.{digits}f}"
