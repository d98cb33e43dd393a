"""Notebook parameters from the command line: raw ``key=value`` texts, checked before injection.

Values stay text here; ``contract.bind`` converts them by the type each notebook declares.
papermill writes parameter names unescaped into a code cell, so names must be plain Python
identifiers. Secrets must never travel as parameters (they would be stored in the executed
notebook and the manifest): notebooks read them from the environment or a git-ignored ``.env``.
"""

from __future__ import annotations

import keyword
import re
import unicodedata

from salesops.orchestration.secretlike import contains_token, looks_like_secret_name

#: Parameters the runner sets itself from dedicated options.
RESERVED = {"as_of": "--as-of", "data_dir": "--data", "period": "--period",
            "reports_dir": "--reports-dir"}

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


def looks_like_secret_value(text: str) -> bool:
    """True for tokens and keys (see ``secretlike``), URLs with a ``user[:password]@`` part,
    database URLs and connection strings."""
    text = text.strip()
    return bool(_URL_WITH_USERINFO.search(text) or _DSN_FIELD.search(text)
                or _DB_SCHEME.match(text) or contains_token(text))


def check_not_secret(name: str, value: str) -> None:
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
    name = unicodedata.normalize("NFKC", name.strip())  # what Python makes of the identifier
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
