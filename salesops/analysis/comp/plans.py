"""Compensation plan files: dataclasses and validation of the YAML documented in docs/comp-plans.md.

Parsing is pure (a dict in, a ``Plan`` out); the file read goes through ``salesops.data.config``
so that every error names the file, the field and the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from salesops.data.config import ConfigError, load_yaml, optional, reject_unknown, require
from salesops.data.periods import FREQS

METHODS = ("marginal", "retroactive")
BASES = ("attainment", "amount")
SCOPES = ("period", "deal")
RATE_UNITS = ("value", "target_incentive")
CREDITS = ("amount", "count")
ADJUSTMENT_KINDS = ("cancelled", "refund")
#: Rates of deal value are held exactly as integer parts per million of the value.
RATE_SCALE = 1_000_000
NUMBER = (int, float)


@dataclass(frozen=True)
class Band:
    """One tier: [lower, upper) of the basis (None = no upper bound) paid at ``rate``."""

    lower: Decimal
    upper: Decimal | None
    rate: Decimal
    label: str


@dataclass(frozen=True)
class Tiers:
    """How a measure's credit turns into commission (see docs/comp-plans.md, 'Tiers')."""

    method: str  # marginal: each slice at its band's rate; retroactive: all at the reached rate
    basis: str  # band bounds as attainment fractions of quota, or as amounts
    scope: str  # period: cumulative over the quota period; deal: each deal tiered on its own
    rate_unit: str  # value: fraction of credited value; target_incentive: TI fraction per 1.0 att.
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class Measure:
    """A thing the plan pays on (bookings, new logos, a product line) and its tiers."""

    name: str
    weight: Decimal
    credit: str  # amount (deal value) or count (one per deal)
    products: tuple[str, ...] | None  # None = all products
    new_logo_only: bool
    quota_share: Decimal  # share of the quotas table amount (amount measures)
    quota_fixed: Decimal | None  # fixed target per quota period (overrides quota_share)
    threshold: Decimal  # no payout below this attainment (fraction) in the quota period
    tiers: Tiers


@dataclass(frozen=True)
class Spif:
    """A fixed amount per credited won deal of ``products`` closed in [start, end]."""

    name: str
    products: tuple[str, ...] | None
    start: pd.Timestamp
    end: pd.Timestamp
    amount_per_deal: Decimal
    min_deal_amount: Decimal


@dataclass(frozen=True)
class Clawback:
    window_days: int
    kinds: tuple[str, ...]
    affects_attainment: bool


@dataclass(frozen=True)
class Draw:
    amount: Decimal  # per payout period
    recoverable: bool
    months: int | None  # only in the first N months on the plan; None = every period


@dataclass(frozen=True)
class Ramp:
    months: int
    quota_factors: tuple[Decimal, ...]  # per tenure month; empty = quotas table already ramped
    guarantee: Decimal  # minimum variable pay per payout period during the ramp (0 = none)


@dataclass(frozen=True)
class Cap:
    multiple_of_target: Decimal | None  # of the payout period's (prorated) target incentive
    amount_per_period: Decimal | None


@dataclass(frozen=True)
class Plan:
    """A validated compensation plan."""

    name: str
    role: str | None
    teams: tuple[str, ...] | None
    rep_ids: tuple[str, ...] | None
    ote: Decimal  # annual on-target earnings
    base_share: Decimal
    variable_share: Decimal
    payout_period: str
    quota_period: str
    measures: tuple[Measure, ...]
    cap: Cap | None
    spifs: tuple[Spif, ...]
    clawback: Clawback | None
    draw: Draw | None
    ramp: Ramp | None
    prorate_quota: bool  # True when the quotas table holds full-period (unprorated) quotas
    split_credit: bool
    true_up: bool
    true_up_negative: bool
    source: str

    @property
    def target_incentive(self) -> Decimal:
        """Annual variable pay at 100% attainment (OTE x variable share)."""
        return self.ote * self.variable_share


# -- parsing helpers ---------------------------------------------------------------------------

def _dec(value: Any, source: str, field: str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ConfigError(source, field, f"must be a number, got {value!r}") from None


def _number(m: Any, key: str, source: str, prefix: str, default: Any = ..., minimum: float = 0,
            maximum: float | None = None) -> Decimal:
    if default is ...:
        raw = require(m, key, NUMBER, source, prefix)
    else:
        raw = optional(m, key, NUMBER, source, default, prefix)
    value = _dec(raw, source, prefix + key)
    if value < Decimal(str(minimum)):
        raise ConfigError(source, prefix + key, f"must be >= {minimum}, got {raw}")
    if maximum is not None and value > Decimal(str(maximum)):
        raise ConfigError(source, prefix + key, f"must be <= {maximum}, got {raw}")
    return value


def _choice(m: Any, key: str, choices: tuple[str, ...], source: str, prefix: str,
            default: str | None = None) -> str:
    value = (require(m, key, str, source, prefix) if default is None
             else optional(m, key, str, source, default, prefix))
    if value not in choices:
        raise ConfigError(source, prefix + key, f"must be one of {', '.join(choices)}, got {value!r}")
    return value


def _names(m: Any, key: str, source: str, prefix: str) -> tuple[str, ...] | None:
    values = optional(m, key, list, source, None, prefix)
    if values is None:
        return None
    for i, v in enumerate(values):
        if not isinstance(v, str | int):
            raise ConfigError(source, f"{prefix}{key}[{i}]", f"must be a name, got {v!r}")
    return tuple(str(v) for v in values)


def _date(m: Any, key: str, source: str, prefix: str) -> pd.Timestamp:
    value = require(m, key, (str, dt.date), source, prefix)
    try:
        return pd.Timestamp(value).normalize()
    except ValueError:
        raise ConfigError(source, prefix + key, f"must be an ISO date, got {value!r}") from None


def _mapping(m: Any, key: str, allowed: set[str], source: str, prefix: str = "") -> dict | None:
    value = optional(m, key, dict, source, None, prefix)
    if value is not None:
        reject_unknown(value, allowed, source, f"{prefix}{key}.")
    return value


# -- sections ----------------------------------------------------------------------------------

def _bound_text(value: Decimal | None, basis: str) -> str:
    if value is None:
        return ""
    return f"{value * 100:g}%" if basis == "attainment" else f"{value:,}"


def _bands(raw: list, basis: str, source: str, prefix: str) -> tuple[Band, ...]:
    if not raw:
        raise ConfigError(source, prefix.rstrip("."), "must list at least one band")
    bands: list[Band] = []
    for i, entry in enumerate(raw):
        p = f"{prefix}[{i}]."
        if not isinstance(entry, dict):
            raise ConfigError(source, p.rstrip("."), "must be a mapping with from, to, rate")
        reject_unknown(entry, {"from", "to", "rate", "label"}, source, p)
        lower = _number(entry, "from", source, p)
        upper_raw = optional(entry, "to", NUMBER, source, None, p)
        upper = None if upper_raw is None else _dec(upper_raw, source, p + "to")
        rate = _number(entry, "rate", source, p)
        if (rate * RATE_SCALE) % 1:
            raise ConfigError(source, p + "rate", f"rates take at most 6 decimals, got {rate}")
        if upper is not None and upper <= lower:
            raise ConfigError(source, p + "to", f"must be above 'from' ({lower}), got {upper}")
        if i == 0 and lower != 0:
            raise ConfigError(source, p + "from", f"the first band must start at 0, got {lower}")
        if i > 0:
            prev = bands[-1].upper
            if prev is None:
                raise ConfigError(source, f"{prefix}[{i - 1}].to",
                                  "only the last band may be open-ended")
            if lower < prev:
                raise ConfigError(source, p + "from",
                                  f"bands overlap: starts at {lower}, previous band ends at {prev}")
            if lower > prev:
                raise ConfigError(source, p + "from",
                                  f"bands leave a gap: starts at {lower}, previous ends at {prev}")
        default = f"{_bound_text(lower, basis)}-{_bound_text(upper, basis)}"
        label = optional(entry, "label", str, source, default, p)
        bands.append(Band(lower, upper, rate, label))
    return tuple(bands)


def _tiers(raw: Any, credit: str, source: str, prefix: str) -> Tiers:
    reject_unknown(raw, {"method", "basis", "scope", "rate_unit", "bands"}, source, prefix)
    unit = _choice(raw, "rate_unit", RATE_UNITS, source, prefix, "value")
    if credit == "count" and unit == "value":
        raise ConfigError(source, prefix + "rate_unit",
                          "a count measure has no value: use rate_unit: target_incentive")
    basis = _choice(raw, "basis", BASES, source, prefix, "attainment")
    return Tiers(
        method=_choice(raw, "method", METHODS, source, prefix, "marginal"),
        basis=basis,
        scope=_choice(raw, "scope", SCOPES, source, prefix, "period"),
        rate_unit=unit,
        bands=_bands(require(raw, "bands", list, source, prefix), basis, source, prefix + "bands"),
    )


def _measure(raw: Any, i: int, source: str) -> Measure:
    p = f"measures[{i}]."
    if not isinstance(raw, dict):
        raise ConfigError(source, p.rstrip("."), "must be a mapping")
    reject_unknown(raw, {"name", "weight", "credit", "products", "new_logo_only", "quota",
                         "threshold", "tiers"}, source, p)
    credit = _choice(raw, "credit", CREDITS, source, p, "amount")
    quota = _mapping(raw, "quota", {"share", "fixed"}, source, p) or {}
    fixed = optional(quota, "fixed", NUMBER, source, None, p + "quota.")
    if credit == "count" and fixed is None:
        raise ConfigError(source, p + "quota.fixed", "a count measure needs a fixed target")
    return Measure(
        name=require(raw, "name", str, source, p),
        weight=_number(raw, "weight", source, p, default=1, maximum=1),
        credit=credit,
        products=_names(raw, "products", source, p),
        new_logo_only=optional(raw, "new_logo_only", bool, source, False, p),
        quota_share=_number(quota, "share", source, p + "quota.", default=1),
        quota_fixed=None if fixed is None else _number(quota, "fixed", source, p + "quota."),
        threshold=_number(raw, "threshold", source, p, default=0),
        tiers=_tiers(require(raw, "tiers", dict, source, p), credit, source, p + "tiers."),
    )


def _spif(raw: Any, i: int, source: str) -> Spif:
    p = f"spifs[{i}]."
    if not isinstance(raw, dict):
        raise ConfigError(source, p.rstrip("."), "must be a mapping")
    reject_unknown(raw, {"name", "products", "start", "end", "amount_per_deal",
                         "min_deal_amount"}, source, p)
    start, end = _date(raw, "start", source, p), _date(raw, "end", source, p)
    if end < start:
        raise ConfigError(source, p + "end", f"must not be before start ({start:%Y-%m-%d})")
    return Spif(require(raw, "name", str, source, p), _names(raw, "products", source, p),
                start, end, _number(raw, "amount_per_deal", source, p),
                _number(raw, "min_deal_amount", source, p, default=0))


def _cap(raw: dict | None, source: str) -> Cap | None:
    if raw is None:
        return None
    multiple = optional(raw, "multiple_of_target", NUMBER, source, None, "cap.")
    amount = optional(raw, "amount_per_period", NUMBER, source, None, "cap.")
    if (multiple is None) == (amount is None):
        raise ConfigError(source, "cap", "give exactly one of multiple_of_target, amount_per_period")
    return Cap(None if multiple is None else _number(raw, "multiple_of_target", source, "cap."),
               None if amount is None else _number(raw, "amount_per_period", source, "cap."))


def _clawback(raw: dict | None, source: str) -> Clawback | None:
    if raw is None:
        return None
    kinds = _names(raw, "kinds", source, "clawback.") or ADJUSTMENT_KINDS
    for k in kinds:
        if k not in ADJUSTMENT_KINDS:
            raise ConfigError(source, "clawback.kinds", f"unknown kind {k!r} "
                              f"(allowed: {', '.join(ADJUSTMENT_KINDS)})")
    days = require(raw, "window_days", int, source, "clawback.")
    if days < 0:
        raise ConfigError(source, "clawback.window_days", f"must be >= 0, got {days}")
    return Clawback(days, kinds,
                    optional(raw, "affects_attainment", bool, source, False, "clawback."))


def _draw(raw: dict | None, source: str) -> Draw | None:
    if raw is None:
        return None
    months = optional(raw, "months", int, source, None, "draw.")
    if months is not None and months < 1:
        raise ConfigError(source, "draw.months", f"must be >= 1, got {months}")
    return Draw(_number(raw, "amount", source, "draw."),
                require(raw, "recoverable", bool, source, "draw."), months)


def _ramp(raw: dict | None, source: str) -> Ramp | None:
    if raw is None:
        return None
    months = require(raw, "months", int, source, "ramp.")
    if months < 1:
        raise ConfigError(source, "ramp.months", f"must be >= 1, got {months}")
    factors = optional(raw, "quota_factors", list, source, [], "ramp.")
    if factors and len(factors) != months:
        raise ConfigError(source, "ramp.quota_factors",
                          f"needs one factor per ramp month ({months}), got {len(factors)}")
    parsed = []
    for j, f in enumerate(factors):
        value = _number({"f": f}, "f", source, f"ramp.quota_factors[{j}]", maximum=1)
        parsed.append(value)
    return Ramp(months, tuple(parsed), _number(raw, "guarantee", source, "ramp.", default=0))


def parse_plan(raw: Any, source: str) -> Plan:
    """Validate a parsed plan document into a ``Plan``; raises ``ConfigError`` on the first problem."""
    if not isinstance(raw, dict):
        raise ConfigError(source, "<document>", "must be a mapping")
    reject_unknown(raw, {"plan", "applies_to", "ote", "pay_mix", "payout_period", "quota_period",
                         "measures", "cap", "spifs", "clawback", "draw", "ramp", "proration",
                         "crediting", "true_up"}, source)
    applies = _mapping(raw, "applies_to", {"role", "teams", "rep_ids"}, source) or {}
    mix = require(raw, "pay_mix", dict, source)
    reject_unknown(mix, {"base", "variable"}, source, "pay_mix.")
    base = _number(mix, "base", source, "pay_mix.", maximum=1)
    variable = _number(mix, "variable", source, "pay_mix.", maximum=1)
    if base + variable != 1:
        raise ConfigError(source, "pay_mix", f"base + variable must be 1, got {base + variable}")
    payout = _choice(raw, "payout_period", FREQS, source, "")
    quota_period = _choice(raw, "quota_period", FREQS, source, "")
    if FREQS.index(payout) > FREQS.index(quota_period):
        raise ConfigError(source, "payout_period",
                          f"must not be longer than quota_period ({quota_period})")
    raw_measures = require(raw, "measures", list, source)
    if not raw_measures:
        raise ConfigError(source, "measures", "must list at least one measure")
    measures = tuple(_measure(m, i, source) for i, m in enumerate(raw_measures))
    names = [m.name for m in measures]
    if len(set(names)) != len(names):
        raise ConfigError(source, "measures", "measure names must be unique")
    if sum(m.weight for m in measures) != 1:
        raise ConfigError(source, "measures",
                          f"weights must sum to 1, got {sum(m.weight for m in measures)}")
    proration = _mapping(raw, "proration", {"quota"}, source) or {}
    crediting = _mapping(raw, "crediting", {"splits"}, source) or {}
    true_up = _mapping(raw, "true_up", {"enabled", "allow_negative"}, source) or {}
    return Plan(
        name=require(raw, "plan", str, source),
        role=optional(applies, "role", str, source, None, "applies_to."),
        teams=_names(applies, "teams", source, "applies_to."),
        rep_ids=_names(applies, "rep_ids", source, "applies_to."),
        ote=_number(raw, "ote", source, ""),
        base_share=base,
        variable_share=variable,
        payout_period=payout,
        quota_period=quota_period,
        measures=measures,
        cap=_cap(_mapping(raw, "cap", {"multiple_of_target", "amount_per_period"}, source), source),
        spifs=tuple(_spif(s, i, source)
                    for i, s in enumerate(optional(raw, "spifs", list, source, []))),
        clawback=_clawback(_mapping(raw, "clawback", {"window_days", "kinds",
                                                      "affects_attainment"}, source), source),
        draw=_draw(_mapping(raw, "draw", {"amount", "recoverable", "months"}, source), source),
        ramp=_ramp(_mapping(raw, "ramp", {"months", "quota_factors", "guarantee"}, source), source),
        prorate_quota=optional(proration, "quota", bool, source, False, "proration."),
        split_credit=optional(crediting, "splits", bool, source, True, "crediting."),
        true_up=optional(true_up, "enabled", bool, source, False, "true_up."),
        true_up_negative=optional(true_up, "allow_negative", bool, source, False, "true_up."),
        source=source,
    )


def load_plan(path: str | Path) -> Plan:
    """Load and validate a plan file; a bare name like 'current' means a built-in example plan."""
    path = Path(path)
    if path.suffix == "" and not path.exists():
        ref = resources.files("salesops.config").joinpath("plans", f"{path.name}.yaml")
        with resources.as_file(ref) as p:
            return parse_plan(load_yaml(p), f"{path.name}.yaml")
    return parse_plan(load_yaml(path), path.name)
