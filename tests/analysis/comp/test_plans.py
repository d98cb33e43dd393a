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
    (BANDS, [{"from": 0, "to": 1, "rate": -0.01}], "measures[0].tiers.bands[0].rate",
     "must be greater than or equal to 0"),
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
    ("clawback", {"window_days": 30, "kinds": ["chargeback"]}, "clawback.kinds[0]",
     "must be one of 'cancelled', 'refund'"),
    ("bonus", 1, "bonus", "unknown field (allowed: applies_to, cap, clawback, crediting, draw"),
    ("measures.0.tiers.colour", "red", "measures[0].tiers.colour",
     "unknown field (allowed: bands, basis, method, rate_unit, scope)"),
    (BANDS, [{"from": 0, "to": 0, "rate": 0.05}], "measures[0].tiers.bands[0].to",
     "must be above 'from' (0), got 0"),
    (BANDS, [], "measures[0].tiers.bands", "must list at least 1"),
    (BANDS, [{"from": 0, "rate": "5%"}], "measures[0].tiers.bands[0].rate",
     "must be a number"),
    ("ote", True, "ote", "must be a number"),
    ("measures.0.weight", 1.5, "measures[0].weight", "must be less than or equal to 1"),
    ("measures.0.new_logo_only", "yes", "measures[0].new_logo_only", "must be true or false"),
    ("quota_period", "week", "quota_period", "must be one of 'month', 'quarter', 'year'"),
    ("pay_mix", 0.5, "pay_mix", "must be a mapping, got a number"),
    ("measures.0.tiers", None, "measures[0].tiers", "must be a mapping, got nothing"),
    ("plan", None, "plan", "must be text"),
    ("spifs", [{"name": "x", "start": "June", "end": "2026-06-01", "amount_per_deal": 5}],
     "spifs[0].start", "must be an ISO date (YYYY-MM-DD), got text"),
    ("draw", {"amount": 1000, "recoverable": True, "months": 0}, "draw.months", "greater than or equal to 1"),
    ("clawback", {"window_days": 1.5}, "clawback.window_days", "must be a whole number"),
])
def test_invalid_plans_name_field_and_reason(path, value, field, reason):
    with pytest.raises(ConfigError) as err:
        parse_plan(_with(path, value), "bad.yaml")
    assert err.value.field == field
    assert reason in err.value.reason
    assert str(err.value).startswith("bad.yaml: field")


def test_flat_commission_example_needs_no_quota():
    plan = load_plan("flat_commission")
    assert plan.quota_measures == () and plan.role is None
    assert plan.measures[0].tiers.bands[0].rate * 100 == 8


def test_a_document_that_is_not_a_mapping_is_named():
    with pytest.raises(ConfigError) as err:
        parse_plan(["plan"], "bad.yaml")
    assert (err.value.field, err.value.reason) == ("<document>",
                                                   "must be a mapping of fields (see docs)")


def test_ids_may_be_numbers_and_become_text():
    plan = parse_plan(_with("applies_to", {"rep_ids": [7, "R2"]}), "ok.yaml")
    assert plan.rep_ids == ("7", "R2")


def test_default_band_labels_follow_the_basis():
    doc = _with(BANDS, [{"from": 0, "to": 1000, "rate": 0.1}, {"from": 1000, "rate": 0.2}])
    amount = parse_plan(doc, "ok.yaml")
    doc["measures"][0]["tiers"].update(basis="attainment", bands=[
        {"from": 0, "to": 1.0, "rate": 1.0}, {"from": 1.0, "rate": 1.5}])
    attainment = parse_plan(doc, "ok.yaml")
    assert [b.label for b in amount.measures[0].tiers.bands] == ["0-1,000", "1,000-"]
    assert [b.label for b in attainment.measures[0].tiers.bands] == ["0%-100%", "100%-"]


@pytest.mark.parametrize("tiers, threshold, fixed, needs", [
    ({"basis": "amount", "rate_unit": "value"}, 0, None, ()),          # flat rate on bookings
    ({"basis": "attainment", "rate_unit": "value"}, 0, None, ("bookings",)),
    ({"basis": "amount", "rate_unit": "target_incentive"}, 0, None, ("bookings",)),
    ({"basis": "amount", "rate_unit": "value"}, 0.5, None, ("bookings",)),  # threshold of quota
    ({"basis": "attainment", "rate_unit": "target_incentive"}, 0.5, 4, ()),  # fixed target
])
def test_quota_measures_are_those_paying_on_the_quotas_table(tiers, threshold, fixed, needs):
    doc = _with("measures.0.threshold", threshold)
    doc["measures"][0]["tiers"].update(tiers)
    if fixed is not None:
        doc["measures"][0]["quota"] = {"fixed": fixed}
    assert parse_plan(doc, "ok.yaml").quota_measures == needs


def test_count_measure_must_pay_on_target_incentive():
    doc = _with("measures.0.credit", "count")
    doc["measures"][0]["quota"] = {"fixed": 4}
    with pytest.raises(ConfigError, match="rate_unit"):
        parse_plan(doc, "bad.yaml")
