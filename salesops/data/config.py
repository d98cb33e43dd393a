"""Loading and validating YAML configuration files with errors that name the file and field.

``load_yaml`` rejects duplicate keys; ``validate`` checks a parsed document against a pydantic
model and turns its first error into a ``ConfigError`` naming the file and the dotted field.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

M = TypeVar("M", bound=BaseModel)


class ConfigError(ValueError):
    """A configuration file is invalid; the message names the file, the field and the reason."""

    def __init__(self, source: str | Path, field: str, reason: str) -> None:
        self.source = str(source)
        self.field = field
        self.reason = reason
        super().__init__(f"{self.source}: field '{field}': {reason}")


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key repeated within one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *alias`: keys given may override
                continue
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if isinstance(key, typing.Hashable) and key in seen:
                raise _DuplicateKey(key, line, seen[key])
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int, first: int) -> None:
        self.key, self.line, self.first = key, line, first


def load_yaml(path: str | Path) -> Any:
    """Read a YAML file; syntax errors, duplicate keys and missing files become ``ConfigError``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise ConfigError(path.name, "<file>", f"cannot read file ({reason})") from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except _DuplicateKey as dup:
        raise ConfigError(path.name, f"line {dup.line}", f"duplicate key '{dup.key}' (first "
                          f"given at line {dup.first}); each key may appear once") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "<document>"
        raise ConfigError(path.name, where, f"invalid YAML ({getattr(exc, 'problem', exc)})") from None


# -- pydantic models ------------------------------------------------------------------------

class Strict(BaseModel):
    """Base of every config model: unknown fields are errors and values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _text(value: Any) -> Any:
    """YAML scalars read as text (``1`` -> ``'1'``); booleans are refused as ambiguous."""
    if isinstance(value, bool):
        raise ValueError("must be text, got true/false (quote it: 'yes')")
    return str(value) if isinstance(value, int | float) else value


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be a number, got true/false")
    return value


def fraction(value: float) -> float:
    """A share from 0 to 1 inclusive."""
    if not 0.0 <= value <= 1.0:
        raise ValueError("must be between 0 and 1")
    return value


def _str_keys(value: Any) -> Any:
    """Mapping keys read as text (YAML reads ``2024:`` as a number)."""
    return {_text(k): v for k, v in value.items()} if isinstance(value, Mapping) else value


def _none_as_empty(value: Any) -> Any:
    return {} if value is None else value


#: A text value: numbers written unquoted in YAML are accepted as their text.
Text = typing.Annotated[str, BeforeValidator(_text)]
#: A number that is not a boolean.
Number = typing.Annotated[float, BeforeValidator(_number)]
Integer = typing.Annotated[int, BeforeValidator(_number)]


def text_dict(value_type: Any) -> Any:
    """``dict[str, value_type]`` whose keys are read as text and whose null is empty."""
    return typing.Annotated[dict[Text, value_type], BeforeValidator(_str_keys),
                            BeforeValidator(_none_as_empty)]


def located(path: str, reason: str) -> ValueError:
    """An error raised by a model validator about a field below the model (``path`` is dotted,
    relative to the model); ``validate`` joins it to the model's own location."""
    return ValueError(f"@{path}@{reason}")


def validate(model: type[M], raw: Any, source: str, context: dict | None = None) -> M:
    """``model`` validated from ``raw``; raises ``ConfigError`` naming ``source`` and the field."""
    if not isinstance(raw, Mapping):
        raise ConfigError(source, "<document>", "must be a mapping of fields (see docs)")
    try:
        return model.model_validate(raw, context=context)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [p for p in err["loc"] if p != "[key]"]
        reason = _reason(model, err, loc)
        if reason.startswith("@"):
            sub, reason = reason[1:].split("@", 1)
            loc = [*loc, *sub.split(".")]
        raise ConfigError(source, dotted(loc), reason) from None


def dotted(loc: list) -> str:
    """A pydantic location as a field path: ``tables.reps.joins[0].key``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<document>"


_KINDS = {"string": "text", "dict": "a mapping", "list": "a list", "float": "a number",
          "int": "a whole number", "bool": "true or false", "tuple": "a list",
          "model": "a mapping", "date": "an ISO date (YYYY-MM-DD)"}


def _reason(model: type[BaseModel], err: dict, loc: list) -> str:
    """A short reason for one pydantic error, in the words the docs use; never echoes values."""
    kind, msg = err["type"], err["msg"]
    if kind == "extra_forbidden" or (kind == "literal_error" and err["loc"][-1:] == ("[key]",)):
        allowed = _fields_at(model, loc[:-1])
        return "unknown field" + (f" (allowed: {', '.join(allowed)})" if allowed else "")
    if kind == "missing":
        return "is required"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind == "too_short":
        return f"must list at least {err['ctx']['min_length']}"
    if kind == "literal_error":
        return f"must be one of {err['ctx']['expected'].replace(' or ', ', ')}"
    base = kind.split("_")[0]
    if kind.endswith(("_type", "_parsing")) and base in _KINDS:
        return f"must be {_KINDS[base]}, got {_type_name(err['input'])}"
    return msg.replace("Input should be", "must be").replace("Value should", "must")


def _type_name(value: Any) -> str:
    return {str: "text", dict: "a mapping", list: "a list", bool: "true/false",
            type(None): "nothing"}.get(type(value), "a number")


def _fields_at(model: Any, loc: list) -> list[str]:
    """Field names of the model found by following ``loc`` from ``model`` (empty if none)."""
    for part in loc:
        model = _unwrap(model)
        if isinstance(model, type) and issubclass(model, BaseModel):
            field = model.model_fields.get(str(part))
            if field is None:
                return []
            model = field.annotation
        else:
            args = typing.get_args(model)
            model = args[-1] if args else None
    model = _unwrap(model)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return sorted(f.alias or n for n, f in model.model_fields.items() if not f.exclude)
    args = typing.get_args(model)
    keys = typing.get_args(_unwrap(args[0])) if args else ()
    return sorted(map(str, keys))


def _unwrap(tp: Any) -> Any:
    """``X`` from ``Annotated[X, ...]`` and ``X | None``."""
    while True:
        if typing.get_origin(tp) is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif typing.get_origin(tp) in (typing.Union, types.UnionType):
            tp = next(a for a in typing.get_args(tp) if a is not type(None))
        else:
            return tp
