"""Secret refusal for --param: folded names (NFKC, homoglyphs), token-like values, never echoed."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesops.orchestration.contract import declared
from salesops.orchestration.params import ParamError, parse_param
from salesops.orchestration.secretlike import (
    contains_token,
    is_high_entropy,
    looks_like_secret_name,
    name_words,
    shannon_entropy,
)

SHIPPED = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.mark.parametrize("name", [
    "pw", "PW", "pwd", "auth", "stripe", "bearer", "jwt", "session", "cookie", "private",
    "p\u0430ssword",            # Cyrillic а
    "\uff50\uff41\uff53\uff53\uff57\uff4f\uff52\uff44",  # fullwidth "password"
    "\U0001d429\U0001d430",     # mathematical bold "pw"
    "p\u03acssword",            # Greek alpha with tonos
    "\u03a1assword",            # Greek capital rho
    "\u0455ecret",              # Cyrillic dze
    "authToken", "APIKey", "auth_mode", "stripe_account", "session_id", "pw2", "private_notes",
    "sessions", "db_passwd", "crm_token", "client_secret", "x_api_key",
])
def test_names_that_fold_to_secret_words_are_refused(name):
    assert looks_like_secret_name(name)
    with pytest.raises(ParamError, match="looks like a secret"):
        parse_param(f"{name}=abc")


@pytest.mark.parametrize("name", [
    "author", "keyword_count", "monkey", "authority", "passes", "region", "label", "seed",
    "stale_days", "compare_to", "risk_level", "pipeline",
])
def test_ordinary_names_containing_short_secret_words_pass(name):
    assert not looks_like_secret_name(name)
    assert parse_param(f"{name}=x") == (name, "x")


def test_every_shipped_notebook_parameter_name_passes():
    names = {n for nb in SHIPPED.glob("*.ipynb") for n in declared(nb)}
    assert names and not [n for n in names if looks_like_secret_name(n)]


def test_names_are_folded_like_python_folds_identifiers():
    assert name_words("ＡＰＩＫｅｙ_v2") == ["api", "key", "v"]
    assert parse_param("\uff4c\uff41\uff42\uff45\uff4c=x") == ("label", "x")
    with pytest.raises(ParamError, match="--as-of"):
        parse_param("\uff41\uff53_of=2026-01-01")


SECRET_VALUES = [
    "sk_live_51H8abcdEFGHijkl", "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "rk_live_abcd1234",
    "pk_live_abcd1234", "ghp_abcdefgh12345678", "gho_abcdefgh12345678",
    "github_pat_11ABCDEFG0123_x", "xoxb-1234-5678-abcd", "xoxp-99-abc", "AKIAIOSFODNN7EXAMPLE",
    "Bearer abc.def.ghi123", "bearer 0123456789abcdef", "Basic dXNlcjpwYXNz",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
    "https://x/?api_key=abc", "https://x.example/a?page=2&token=zz", "https://x/?sig=1",
    "https://s3.example/x?X-Amz-Signature=ab12", "https://x/cb#access_token=a1",
    "https://x/?password=p", "https://x/?secret=s", "https://x/?key=k",
    "cIm2IfpZgmNbMxIcQCzWtYV5", "9f86d081884c7d659a2feaa0c55ad015",
    "team EMEA sk_live_51H8abcdEFGHijkl",
]


@pytest.mark.parametrize("value", SECRET_VALUES)
def test_token_like_values_are_refused_without_echoing_them(value):
    with pytest.raises(ParamError, match="looks like a credential") as err:
        parse_param(f"label={value}")
    assert value not in str(err.value)


@pytest.mark.parametrize("value", [
    "Basic plan", "Basic training course", "Bearer of bad news", "region=EMEA",
    "manager=Jane Doe", "https://example.com/a?page=2&sort=asc", "reports/2026-03-31/region-emea",
    "steeper_accelerator_2026_plan", "SteeperAcceleratorPlanV2Final", "2026-03-31", "a # b",
    "data/processed/2026-03-31_v2", "quarterly_pipeline_review_EMEA_2026Q1",
    "https://example.com/keyboard?keyword=x", "abcdefghijklmnopqrstuvwxyz0123456789",
    "1234567890123456789012345678", "sk_live_",
])
def test_ordinary_values_pass(value):
    assert not contains_token(value)
    assert parse_param(f"label={value}") == ("label", value)


def test_entropy_is_bits_per_character():
    assert shannon_entropy("aaaa") == 0 and shannon_entropy("abcd") == 2
    assert shannon_entropy("") == 0
    assert is_high_entropy("cIm2IfpZgmNbMxIcQCzWtYV5")
    assert not is_high_entropy("a1" * 12)  # low entropy
    assert not is_high_entropy("2026-03-31/2026-04-30/2026-05-31")  # no letters
