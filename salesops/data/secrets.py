"""Secrets (database URLs, API tokens) by name: from the environment or a git-ignored ``.env``.

They are never notebook parameters, so they never reach an executed notebook or a report.
"""

from __future__ import annotations

import os
from pathlib import Path


class MissingSecretError(KeyError):
    """A secret was asked for by name and is set neither in the environment nor in ``.env``."""

    def __str__(self) -> str:
        return f"secret {self.args[0]!r} is not set: export it or add it to a git-ignored .env file"


def read_dotenv(path: str | Path) -> dict[str, str]:
    """Parse ``KEY=value`` lines (``#`` comments, optional quotes, optional ``export``)."""
    values: dict[str, str] = {}
    path = Path(path)
    if not path.exists():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def get_secret(name: str, dotenv: str | Path = ".env") -> str:
    """The secret called ``name``: the environment wins over ``.env``; missing is an error."""
    if name in os.environ:
        return os.environ[name]
    values = read_dotenv(dotenv)
    if name in values:
        return values[name]
    raise MissingSecretError(name)
