"""Notebook parameters from the command line: raw ``key=value`` texts, checked before injection.

Values stay text here; ``contract.bind`` converts them by the type each notebook declares.
papermill writes parameter names unescaped into a code cell, so names must be plain Python
identifiers. Secrets must never travel as parameters (they would be stored in the executed
notebook and the manifest): notebooks read them from the environment or a git-ignored ``.env``.
"""

from __future__ import annotations

import keyword
import re
from typing import Any

#: Parameters the runner sets itself from dedicated options.
RESERVED = {"as_of": "--as-of", "data_dir": "--data", "period": "--period",
            "reports_dir": "--reports-dir"}

#: Name parts that mark a secret (names are split on "_" and compared part by part too).
_SECRET_WORDS = ("password", "passwd", "pwd", "secret", "token", "apikey", "api_key", "key",
                 "credential", "credentials", "dsn", "database_url", "conn", "connection",
                 "connection_string", "conn_str", "connstr")
_URL_WITH_USERINFO = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/\s@]+@")
_DSN_FIELD = re.compile(r"(?i)(?:^|[\s;])(?:password|pwd|passwd)\s*=")
_DB_SCHEME = re.compile(
    r"(?i)^(?:postgres(?:ql)?|mysql|mariadb|mssql|oracle|mongodb(?:\+srv)?|redis|rediss|"
    r"snowflake|redshift|bigquery|databricks|amqp|jdbc:[a-z]+|odbc)[a-z0-9+]*:"
)

SECRET_ADVICE = (
    "secrets are not accepted as parameters (they would be stored in the executed notebook and "
    "the manifest); notebooks read them by name from environment variables or a git-ignored .env"
)


class ParamError(ValueError):
    """A ``--param`` is malformed, clashes with a dedicated option, or looks like a secret."""


def check_name(name: str) -> str:
    """Return ``name`` if it is a Python identifier and not a keyword; raise ``ParamError``."""
    if not name.isidentifier() or keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise ParamError(
            f"parameter name {name!r} is not a valid Python identifier "
            "(letters, digits and '_', not starting with a digit, not a keyword)"
        )
    return name


def looks_like_secret_name(name: str) -> bool:
    """True for names such as ``password``, ``api_key``, ``crm_token`` or ``db_dsn``."""
    lowered = name.lower()
    parts = lowered.split("_")
    return any(word in parts or (len(word) > 4 and word in lowered) for word in _SECRET_WORDS)


def looks_like_secret_value(value: Any) -> bool:
    """True for URLs with a ``user[:password]@`` part and database connection strings."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    return bool(_URL_WITH_USERINFO.search(text) or _DSN_FIELD.search(text)
                or _DB_SCHEME.match(text))


def check_not_secret(name: str, value: Any) -> None:
    """Refuse a parameter whose name or value looks like a credential (message never echoes it)."""
    if looks_like_secret_name(name):
        raise ParamError(f"parameter {name!r} looks like a secret: {SECRET_ADVICE}")
    if looks_like_secret_value(value):
        raise ParamError(
            f"the value of parameter {name!r} looks like a credential or connection string: "
            f"{SECRET_ADVICE}"
        )


def parse_param(text: str) -> tuple[str, str]:
    """Split and check one ``key=value`` argument; raise ``ParamError`` with the reason."""
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep:
        raise ParamError(f"--param expects key=value, got {name!r}")
    check_name(name)
    if name in RESERVED:
        raise ParamError(f"parameter {name!r} is set with {RESERVED[name]}, not --param")
    check_not_secret(name, raw)
    return name, raw


def parse_params(items: list[str]) -> dict[str, str]:
    """Raw ``--param`` texts by name (``contract.bind`` converts them by the declared types);
    a name given twice is an error rather than a silent override."""
    params: dict[str, str] = {}
    for item in items:
        name, value = parse_param(item)
        if name in params:
            raise ParamError(f"parameter {name!r} given more than once")
        params[name] = value
    return params
