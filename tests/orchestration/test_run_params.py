"""``--param`` parsing: raw text values, identifier names, refusal of secrets."""

from __future__ import annotations

import keyword

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesops.orchestration.params import (
    ParamError,
    check_name,
    parse_param,
    parse_params,
)


def test_values_stay_raw_text():
    # conversion by declared type is contract.bind's job (tests/orchestration/test_contract.py)
    assert parse_param("label=a # b") == ("label", "a # b")
    assert parse_param("n= 3") == ("n", " 3")
    assert parse_param("scope=region=EMEA") == ("scope", "region=EMEA")


@pytest.mark.parametrize("name", ["1abc", "a-b", "x y", "class", "None", "match", "a;import os"])
def test_invalid_names_are_refused(name):
    with pytest.raises(ParamError, match="not a valid Python identifier"):
        check_name(name)


@given(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True))
def test_identifiers_that_are_not_keywords_pass(name):
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        with pytest.raises(ParamError):
            check_name(name)
    else:
        assert check_name(name) == name


@pytest.mark.parametrize("name", ["password", "db_passwd", "client_secret", "crm_token",
                                  "api_key", "apikey", "key", "credentials", "dsn",
                                  "database_url", "conn", "connection_string", "SECRET"])
def test_secret_names_are_refused(name):
    with pytest.raises(ParamError, match="environment variables or a git-ignored .env"):
        parse_param(f"{name}=abc123")


@pytest.mark.parametrize("value", ["postgresql://bob:hunter2@db/crm",
                                   "https://user:pw@example.com/x",
                                   "https://token123@github.com/org/repo",
                                   "host=db user=bob password=hunter2",
                                   "Driver={SQL Server};Server=x;Pwd=hunter2",
                                   "mysql+pymysql://db/crm"])
def test_credential_values_are_refused_without_echoing_them(value):
    with pytest.raises(ParamError) as err:
        parse_param(f"source={value}")
    assert "hunter2" not in str(err.value) and "looks like a credential" in str(err.value)


def test_ordinary_urls_and_names_pass():
    assert parse_param("docs=https://example.com/a") == ("docs", "https://example.com/a")
    assert parse_param("region=West") == ("region", "West")


def test_reserved_duplicate_and_malformed_params():
    with pytest.raises(ParamError, match="--as-of"):
        parse_param("as_of=2026-01-01")
    with pytest.raises(ParamError, match="more than once"):
        parse_params(["n=1", "n=2"])
    with pytest.raises(ParamError, match="key=value"):
        parse_param("novalue")
    assert parse_params(["n=1", "label=x"]) == {"n": "1", "label": "x"}
