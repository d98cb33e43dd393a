"""Fixtures over the hand-made comp inputs in comp_helpers."""

from __future__ import annotations

import pytest
from comp_helpers import inputs_from, plan_from


@pytest.fixture
def make_plan():
    return plan_from


@pytest.fixture
def make_inputs():
    return inputs_from
