"""Compensation plan files: pydantic v2 models of the YAML documented in docs/comp-plans.md, and
the frozen ``Plan`` the engine reads.

Parsing is pure (a dict in, a ``Plan`` out); the file read and the translation of pydantic errors
go through ``salesops.data.config`` (``validate``), so every problem is one ``ConfigError`` naming
the file, the field and the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import pandas as pd
from pydantic import (
    BeforeValidator,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

from salesops.data.config import Strict, load_yaml, located, validate
from salesops.data.periods import FREQS

Method = Literal["marginal", "retroactive"]
Basis = Literal["attainment", "amount"]
TierScope = Literal["period", "deal"]
RateUnit = Literal["value", "target_incentive"]
Credit = Literal["amount", "count"]
AdjustmentKind = Literal["cancelled", "refund"]
Freq = Literal[FREQS]
RATE_UNITS: tuple[str, ...] = get_args(RateUnit)
ADJUSTMENT_KINDS: tuple[str, ...] = get_args(AdjustmentKind)
#: Rates of deal value are held exactly as integer parts per million of the value.
RATE_SCALE = 1_000_000


# -- the engine's view of a plan ---------------------------------------------------------------

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

    @property
    def quota_measures(self) -> tuple[str, ...]:
        """Measures whose payout depends on the quotas table (attainment bands, target-incentive
        rates or a threshold, without a fixed target)."""
        return tuple(m.name for m in self.measures if m.quota_fixed is None and (
            m.tiers.basis == "attainment" or m.tiers.rate_unit == "target_incentive"
            or m.threshold > 0))


# -- the plan file, as pydantic models -----------------------------------------------------------

def _to_decimal(value: Any) -> Decimal:
    """A YAML number as an exact Decimal (0.1 stays 0.1); text and booleans are refused."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("must be a number")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError("must be a number") from None


def _to_name(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Number = Annotated[Decimal, BeforeValidator(_to_decimal)]
NonNegative = Annotated[Decimal, BeforeValidator(_to_decimal), Field(ge=0)]
Fraction = Annotated[Decimal, BeforeValidator(_to_decimal), Field(ge=0, le=1)]
Name = Annotated[StrictStr, BeforeValidator(_to_name)]


class BandSpec(Strict):
    lower: NonNegative = Field(alias="from")
    upper: Number | None = Field(None, alias="to")
    rate: NonNegative
    label: StrictStr | None = None

    @field_validator("rate")
    @classmethod
    def _six_decimals(cls, rate: Decimal) -> Decimal:
        if (rate * RATE_SCALE) % 1:
            raise ValueError(f"rates take at most 6 decimals, got {rate}")
        return rate

    @model_validator(mode="after")
    def _upper_above_lower(self) -> BandSpec:
        if self.upper is not None and self.upper <= self.lower:
            raise located("to", f"must be above 'from' ({self.lower}), got {self.upper}")
        return self


class TiersSpec(Strict):
    method: Method = "marginal"
    basis: Basis = "attainment"
    scope: TierScope = "period"
    rate_unit: RateUnit = "value"
    bands: list[BandSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _contiguous(self) -> TiersSpec:
        """Bands start at 0 and follow each other without gap or overlap; only the last is open."""
        if self.bands[0].lower != 0:
            raise located("bands[0].from",
                          f"the first band must start at 0, got {self.bands[0].lower}")
        for i in range(1, len(self.bands)):
            prev, lower = self.bands[i - 1].upper, self.bands[i].lower
            if prev is None:
                raise located(f"bands[{i - 1}].to", "only the last band may be open-ended")
            if lower != prev:
                what = "bands overlap" if lower < prev else "bands leave a gap"
                raise located(f"bands[{i}].from",
                              f"{what}: starts at {lower}, previous band ends at {prev}")
        return self


class QuotaSpec(Strict):
    share: NonNegative = Decimal(1)
    fixed: NonNegative | None = None


class MeasureSpec(Strict):
    name: StrictStr
    weight: Fraction = Decimal(1)
    credit: Credit = "amount"
    products: list[Name] | None = None
    new_logo_only: StrictBool = False
    quota: QuotaSpec = Field(default_factory=QuotaSpec)
    threshold: NonNegative = Decimal(0)
    tiers: TiersSpec

    @model_validator(mode="after")
    def _count_measures(self) -> MeasureSpec:
        if self.credit == "count" and self.quota.fixed is None:
            raise located("quota.fixed", "a count measure needs a fixed target")
        if self.credit == "count" and self.tiers.rate_unit == "value":
            raise located("tiers.rate_unit",
                          "a count measure has no value: use rate_unit: target_incentive")
        return self


class SpifSpec(Strict):
    name: StrictStr
    products: list[Name] | None = None
    start: dt.date
    end: dt.date
    amount_per_deal: NonNegative
    min_deal_amount: NonNegative = Decimal(0)

    @model_validator(mode="after")
    def _dates_in_order(self) -> SpifSpec:
        if self.end < self.start:
            raise located("end", f"must not be before start ({self.start:%Y-%m-%d})")
        return self


class CapSpec(Strict):
    multiple_of_target: NonNegative | None = None
    amount_per_period: NonNegative | None = None

    @model_validator(mode="after")
    def _one_form(self) -> CapSpec:
        if (self.multiple_of_target is None) == (self.amount_per_period is None):
            raise ValueError("give exactly one of multiple_of_target, amount_per_period")
        return self


class ClawbackSpec(Strict):
    window_days: StrictInt = Field(ge=0)
    kinds: list[AdjustmentKind] = list(ADJUSTMENT_KINDS)
    affects_attainment: StrictBool = False


class DrawSpec(Strict):
    amount: NonNegative
    recoverable: StrictBool
    months: StrictInt | None = Field(None, ge=1)


class RampSpec(Strict):
    months: StrictInt = Field(ge=1)
    quota_factors: list[Fraction] = []
    guarantee: NonNegative = Decimal(0)

    @model_validator(mode="after")
    def _one_factor_per_month(self) -> RampSpec:
        if self.quota_factors and len(self.quota_factors) != self.months:
            raise located("quota_factors", f"needs one factor per ramp month ({self.months}), "
                                           f"got {len(self.quota_factors)}")
        return self


class AppliesToSpec(Strict):
    role: StrictStr | None = None
    teams: list[Name] | None = None
    rep_ids: list[Name] | None = None


class PayMixSpec(Strict):
    base: Fraction
    variable: Fraction

    @model_validator(mode="after")
    def _sums_to_one(self) -> PayMixSpec:
        if self.base + self.variable != 1:
            raise ValueError(f"base + variable must be 1, got {self.base + self.variable}")
        return self


class ProrationSpec(Strict):
    quota: StrictBool = False


class CreditingSpec(Strict):
    splits: StrictBool = True


class TrueUpSpec(Strict):
    enabled: StrictBool = False
    allow_negative: StrictBool = False


class PlanFile(Strict):
    """A plan file as written (docs/comp-plans.md); ``to_plan`` gives the engine's ``Plan``."""

    plan: StrictStr
    applies_to: AppliesToSpec = Field(default_factory=AppliesToSpec)
    ote: NonNegative
    pay_mix: PayMixSpec
    payout_period: Freq
    quota_period: Freq
    measures: list[MeasureSpec] = Field(min_length=1)
    cap: CapSpec | None = None
    spifs: list[SpifSpec] = []
    clawback: ClawbackSpec | None = None
    draw: DrawSpec | None = None
    ramp: RampSpec | None = None
    proration: ProrationSpec = Field(default_factory=ProrationSpec)
    crediting: CreditingSpec = Field(default_factory=CreditingSpec)
    true_up: TrueUpSpec = Field(default_factory=TrueUpSpec)

    @model_validator(mode="after")
    def _plan_rules(self) -> PlanFile:
        if FREQS.index(self.payout_period) > FREQS.index(self.quota_period):
            raise located("payout_period",
                          f"must not be longer than quota_period ({self.quota_period})")
        names = [m.name for m in self.measures]
        if len(set(names)) != len(names):
            raise located("measures", "measure names must be unique")
        weights = sum(m.weight for m in self.measures)
        if weights != 1:
            raise located("measures", f"weights must sum to 1, got {weights}")
        return self

    def to_plan(self, source: str) -> Plan:
        """The engine's frozen view of this file."""
        return Plan(
            name=self.plan, role=self.applies_to.role, teams=_names(self.applies_to.teams),
            rep_ids=_names(self.applies_to.rep_ids), ote=self.ote, base_share=self.pay_mix.base,
            variable_share=self.pay_mix.variable, payout_period=self.payout_period,
            quota_period=self.quota_period, measures=tuple(_measure(m) for m in self.measures),
            cap=None if self.cap is None else Cap(self.cap.multiple_of_target,
                                                  self.cap.amount_per_period),
            spifs=tuple(Spif(s.name, _names(s.products), pd.Timestamp(s.start), pd.Timestamp(s.end),
                             s.amount_per_deal, s.min_deal_amount) for s in self.spifs),
            clawback=None if self.clawback is None else Clawback(
                self.clawback.window_days, tuple(self.clawback.kinds),
                self.clawback.affects_attainment),
            draw=None if self.draw is None else Draw(self.draw.amount, self.draw.recoverable,
                                                     self.draw.months),
            ramp=None if self.ramp is None else Ramp(self.ramp.months, tuple(self.ramp.quota_factors),
                                                     self.ramp.guarantee),
            prorate_quota=self.proration.quota, split_credit=self.crediting.splits,
            true_up=self.true_up.enabled, true_up_negative=self.true_up.allow_negative,
            source=source)


def _bound_text(value: Decimal | None, basis: str) -> str:
    if value is None:
        return ""
    return f"{(value * 100).normalize():f}%" if basis == "attainment" else f"{value:,}"


def _names(values: list[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def _measure(m: MeasureSpec) -> Measure:
    t = m.tiers
    bands = tuple(Band(b.lower, b.upper, b.rate, b.label if b.label is not None else
                       f"{_bound_text(b.lower, t.basis)}-{_bound_text(b.upper, t.basis)}")
                  for b in t.bands)
    return Measure(m.name, m.weight, m.credit, _names(m.products), m.new_logo_only, m.quota.share,
                   m.quota.fixed, m.threshold, Tiers(t.method, t.basis, t.scope, t.rate_unit, bands))


def parse_plan(raw: Any, source: str) -> Plan:
    """Validate a parsed plan document into a ``Plan``; raises ``ConfigError`` on the first problem."""
    return validate(PlanFile, raw, source).to_plan(source)


def load_plan(path: str | Path) -> Plan:
    """Load and validate a plan file; a bare name like 'current' means a built-in example plan."""
    path = Path(path)
    if path.suffix == "" and not path.exists():
        ref = resources.files("salesops.config").joinpath("plans", f"{path.name}.yaml")
        with resources.as_file(ref) as p:
            return parse_plan(load_yaml(p), f"{path.name}.yaml")
    return parse_plan(load_yaml(path), path.name)
