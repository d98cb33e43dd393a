"""Loading and validating YAML configuration files with errors that name the file and field."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml


class ConfigError(ValueError):
    """A configuration file is invalid; the message names the file, the field and the reason."""

    def __init__(self, source: str | Path, field: str, reason: str) -> None:
        self.source = str(source)
        self.field = field
        self.reason = reason
        super().__init__(f"{self.source}: field '{field}': {reason}")


def load_yaml(path: str | Path) -> Any:
    """Read a YAML file, turning syntax errors and missing files into ``ConfigError``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(path.name, "<file>", f"cannot read file ({exc.strerror})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "<document>"
        raise ConfigError(path.name, where, f"invalid YAML ({getattr(exc, 'problem', exc)})") from None


def require(
    mapping: Any, key: str, kind: type | tuple[type, ...], source: str, prefix: str = ""
) -> Any:
    """Return ``mapping[key]`` checked against ``kind``; raise ``ConfigError`` naming the field."""
    field = f"{prefix}{key}"
    if not isinstance(mapping, Mapping):
        raise ConfigError(source, prefix.rstrip(".") or "<document>", "must be a mapping")
    if key not in mapping:
        raise ConfigError(source, field, "is required")
    return check_type(mapping[key], kind, source, field)


def optional(
    mapping: Mapping, key: str, kind: type | tuple[type, ...], source: str, default: Any = None,
    prefix: str = "",
) -> Any:
    """Return ``mapping[key]`` checked against ``kind``, or ``default`` when absent or null."""
    value = mapping.get(key)
    if value is None:
        return default
    return check_type(value, kind, source, f"{prefix}{key}")


def check_type(value: Any, kind: type | tuple[type, ...], source: str, field: str) -> Any:
    """Check ``value`` is an instance of ``kind`` (bools are not numbers here)."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    numeric = any(k in (int, float) for k in kinds)
    if isinstance(value, bool) and bool not in kinds and numeric:
        raise ConfigError(source, field, f"must be a number, got {value!r}")
    if not isinstance(value, kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise ConfigError(source, field, f"must be {names}, got {type(value).__name__} {value!r}")
    return value


def reject_unknown(mapping: Mapping, allowed: set[str], source: str, prefix: str = "") -> None:
    """Raise on keys not in ``allowed`` so that typos do not pass silently."""
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise ConfigError(
            source, f"{prefix}{unknown[0]}", f"unknown field (allowed: {', '.join(sorted(allowed))})"
        )
