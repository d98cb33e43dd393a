"""Number formatting shared by tables, charts, sentences and the cover page: money, percentages,
points, ratios, counts, and the differences a sentence states (computed from the figures shown,
so that the text and a table showing the same figures always agree)."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from salesops.data.coverage import Coverage

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "C$", "AUD": "A$"}
#: Compact money units, smallest first: the figure is shown in the largest unit it reaches.
_UNITS = ((1.0, ""), (1e3, "K"), (1e6, "M"), (1e9, "B"))


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


def _compact(value: float) -> tuple[float, str, str]:
    """Absolute ``value`` in compact form: (shown number, its text, unit). One decimal, '.0'
    dropped; a figure that rounds up to 1,000 of its unit moves to the next (999,960 -> 1M)."""
    v = abs(float(value))
    i = max(k for k, (threshold, _) in enumerate(_UNITS) if v >= threshold or k == 0)
    while True:
        threshold, unit = _UNITS[i]
        text = f"{v / threshold:,.{1 if unit else 0}f}".removesuffix(".0")
        if float(text.replace(",", "")) < 1000 or i == len(_UNITS) - 1:
            return float(text.replace(",", "")) * threshold, text, unit
        i += 1


def _symbol(currency: str) -> tuple[str, str]:
    """(prefix, suffix) of a currency: '$' before, or ' CHF' after when it has no symbol."""
    symbol = CURRENCY_SYMBOLS.get(currency, "")
    return symbol, "" if symbol else f" {currency}"


@_dash_if_missing
def money(value: float | None, currency: str = "USD", compact: bool = False) -> str:
    """'$1,234,567' or, compact, '$1.2M', '$500K', '$1M' (999,960); missing shows '–'."""
    symbol, suffix = _symbol(currency)
    if compact:
        shown, text, unit = _compact(value)
        sign = "-" if value < 0 and shown > 0 else ""
        return f"{sign}{symbol}{text}{unit}{suffix}"
    sign = "-" if _rounded(value, 0) < 0 else ""
    return f"{sign}{symbol}{abs(float(value)):,.0f}{suffix}"


def shown_money(value: float, compact: bool = True) -> float:
    """The amount a money figure shows (``money(value, compact=compact)`` read back), signed."""
    shown = _compact(value)[0] if compact else abs(_rounded(value, 0))
    return math.copysign(shown, float(value)) + 0.0


@_dash_if_missing
def pct(value: float | None, digits: int = 0) -> str:
    """A ratio as a percentage: 0.873 -> '87%'."""
    return f"{_rounded(float(value) * 100, digits):.{digits}f}%"


def _points_text(n: float, digits: int, signed: bool) -> str:
    """'+2 pts', '-1 pt', '0 pts' (no sign on zero); unsigned (``n`` >= 0): '2 pts', '1 pt'."""
    if n == 0:
        return f"{0:.{digits}f} pts"
    return f"{n:{'+' if signed else ''}.{digits}f} {'pt' if abs(n) == 1 else 'pts'}"


@_dash_if_missing
def points(value: float | None, digits: int = 0) -> str:
    """A difference of ratios in percentage points with sign: 0.15 -> '+15 pts', 0.01 -> '+1 pt',
    0.004 -> '0 pts' (never '+0')."""
    return _points_text(_rounded(float(value) * 100, digits), digits, signed=True)


@_dash_if_missing
def count(value: float | None) -> str:
    """An integer count with thousands separators."""
    return f"{float(value):,.0f}"


@_dash_if_missing
def number(value: float | None, digits: int = 1) -> str:
    """A plain number with thousands separators and fixed decimals."""
    return f"{_rounded(value, digits):,.{digits}f}"


@_dash_if_missing
def ratio(value: float | None, digits: int = 1) -> str:
    """A multiple, e.g. pipeline coverage: 1.14 -> '1.1x'."""
    return f"{_rounded(value, digits):,.{digits}f}x"


def plural(n: float, noun: str, nouns: str | None = None) -> str:
    """'1 hire', '6 hires', '1,234 deals' (``nouns`` for irregular plurals)."""
    word = noun if n == 1 else nouns or f"{noun}s"
    return f"{count(n)} {word}"


def shown_pct_points(a: float | None, b: float | None, digits: int = 0) -> int | float:
    """``pct(a) - pct(b)`` in points, from the rounded percentages as shown (0.496 vs 0.482 shows
    50% vs 48%: 2); an int for ``digits=0``; NaN when either is missing."""
    if missing(a) or missing(b):
        return math.nan
    diff = _rounded(_rounded(float(a) * 100, digits) - _rounded(float(b) * 100, digits), digits)
    return int(diff) if digits == 0 else diff


def _direction(diff: float, text: str) -> str:
    return "unchanged" if diff == 0 else f"{'up' if diff > 0 else 'down'} {text}"


def change_in_points(a: float | None, b: float | None, digits: int = 0) -> str:
    """'up 2 pts', 'down 1 pt' or 'unchanged': ``a`` against ``b`` as their shown percentages
    differ (``shown_pct_points``); '–' when either is missing."""
    diff = shown_pct_points(a, b, digits)
    return "–" if missing(diff) else _direction(diff, _points_text(abs(diff), digits, signed=False))


def change_pct(a: float | None, b: float | None, digits: int = 0) -> str:
    """Relative change of ``a`` on ``b``: 'up 11%', 'down 3%' or 'unchanged' (the rounded
    percentage is 0); '–' when either is missing or ``b`` is 0."""
    if missing(a) or missing(b) or float(b) == 0:
        return "–"
    change = _rounded((float(a) / float(b) - 1) * 100, digits)
    return _direction(change, pct(abs(change) / 100, digits))


def versus(value: float | None, target: float | None, currency: str = "USD",
           what: str = "quota") -> str:
    """'$3M above the $13.5M quota', '$1.2M short of the $13.5M quota' or 'on the $13.5M
    quota': the difference of the compact figures shown; never '-$'; '–' when either is missing."""
    if missing(value) or missing(target):
        return "–"
    goal = money(target, currency, compact=True)
    diff = shown_money(value) - shown_money(target)
    if round(diff, 6) == 0:
        return f"on the {goal} {what}"
    side = "above the" if diff > 0 else "short of the"
    return f"{money(abs(diff), currency, compact=True)} {side} {goal} {what}"


def coverage_text(c: Coverage, currency: str = "USD") -> str:
    """The standard coverage phrase: 'coverage 1.1x of the $15.4M still to close, against 1.6x
    needed at the usual conversion (61% of such pipeline closed over the last 4 quarters)', or
    why it cannot be said; notes open deals without an amount (never read as $0)."""
    if missing(c.quota):
        return f"coverage cannot be computed: no quota is set for {c.period}"
    if c.to_close == 0:
        return f"nothing is left to close: {money(c.booked, currency, compact=True)} booked " \
               f"of the {money(c.quota, currency, compact=True)} quota"
    if missing(c.ratio):
        return (f"coverage cannot be computed: none of the {plural(c.deals, 'open deal')} "
                f"expected in {c.period} has an amount")
    text = (f"coverage {ratio(c.ratio)} of the {money(c.to_close, currency, compact=True)} "
            f"still to close, ")
    text += f"against {c.standard}" if not missing(c.needed) else f"and {c.standard}"
    if c.unknown_amount:
        text += (f"; known amounts only: {count(c.unknown_amount)} of the "
                 f"{plural(c.deals, 'open deal')} {'has' if c.unknown_amount == 1 else 'have'} no amount")
    return text
