"""Plan files: the examples load, and each invalid plan gets one message naming field and reason."""

from __future__ import annotations

import copy

import pytest
from comp_helpers import BASE_PLAN

from salesops.analysis.comp.plans import load_plan, parse_plan
from salesops.data.config import ConfigError


def _with(path: str, value):
    doc = copy.deepcopy(BASE_PLAN)
    target = doc
    keys = path.split(".")
    for k in keys[:-1]:
        target = target[int(k)] if k.isdigit() else target[k]
    target[int(keys[-1]) if keys[-1].isdigit() else keys[-1]] = value
    return doc


@pytest.mark.parametrize("name", ["current", "steeper_accelerator"])
def test_example_plans_load(name):
    plan = load_plan(name)
    assert plan.role == "AE" and plan.target_incentive == 80000
    assert plan.measures[0].tiers.bands[0].lower == 0


BANDS = "measures.0.tiers.bands"


@pytest.mark.parametrize("path, value, field, reason", [
    (BANDS, [{"from": 0, "to": 1.0, "rate": 0.05}, {"from": 0.9, "rate": 0.06}],
     "measures[0].tiers.bands[1].from", "bands overlap"),
    (BANDS, [{"from": 0, "to": 1.0, "rate": 0.05}, {"from": 1.1, "rate": 0.06}],
     "measures[0].tiers.bands[1].from", "bands leave a gap"),
    (BANDS, [{"from": 0.5, "rate": 0.05}], "measures[0].tiers.bands[0].from", "must start at 0"),
    (BANDS, [{"from": 0, "rate": 0.05}, {"from": 1, "rate": 0.06}],
     "measures[0].tiers.bands[0].to", "only the last band may be open-ended"),
    (BANDS, [{"from": 0, "to": 1, "rate": -0.01}], "measures[0].tiers.bands[0].rate", ">= 0"),
    (BANDS, [{"from": 0, "rate": 0.0000001}], "measures[0].tiers.bands[0].rate", "6 decimals"),
    ("measures.0.tiers.method", "stepped", "measures[0].tiers.method", "must be one of"),
    ("pay_mix", {"base": 0.6, "variable": 0.5}, "pay_mix", "must be 1"),
    ("payout_period", "year", "payout_period", "not be longer than quota_period"),
    ("measures.0.weight", 0.5, "measures", "weights must sum to 1"),
    ("measures.0.credit", "count", "measures[0].quota.fixed", "needs a fixed target"),
    ("cap", {"multiple_of_target": 2, "amount_per_period": 10}, "cap", "exactly one"),
    ("spifs", [{"name": "x", "start": "2026-06-30", "end": "2026-06-01", "amount_per_deal": 5}],
     "spifs[0].end", "not be before start"),
    ("ramp", {"months": 3, "quota_factors": [0.5]}, "ramp.quota_factors", "one factor per"),
    ("draw", {"amount": 1000}, "draw.recoverable", "is required"),
    ("clawback", {"window_days": 30, "kinds": ["chargeback"]}, "clawback.kinds", "unknown kind"),
    ("bonus", 1, "bonus", "unknown field"),
])
def test_invalid_plans_name_field_and_reason(path, value, field, reason):
    with pytest.raises(ConfigError) as err:
        parse_plan(_with(path, value), "bad.yaml")
    assert err.value.field == field
    assert reason in err.value.reason
    assert str(err.value).startswith("bad.yaml: field")


def test_count_measure_must_pay_on_target_incentive():
    doc = _with("measures.0.credit", "count")
    doc["measures"][0]["quota"] = {"fixed": 4}
    with pytest.raises(ConfigError, match="rate_unit"):
        parse_plan(doc, "bad.yaml")
