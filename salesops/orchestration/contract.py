"""The parameter contract: what a notebook declares in its ``parameters`` cell, checked before
anything runs.

Every ``--param`` must be declared by every selected notebook (a typo fails with exit 2 instead
of producing the unscoped report), and its text is converted by the type of the declared
default: text stays exactly as typed (a ``#`` stays), numbers and true/false are strict.

The cell is read the way ``papermill.inspect_notebook`` reads it (the first cell tagged
``parameters``; names, default source text, and the comment as help), but with Python's own
parser: papermill's inspector skips every line whose comment contains ``=`` (such as
``as_of = None  # ISO date; None = today``), which would hide ``as_of``, ``data_dir`` and
``scope`` from the contract.
"""

from __future__ import annotations

import ast
import difflib
import io
import re
import tokenize
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import nbformat

from salesops.orchestration.params import RESERVED, ParamError

#: Injected values every notebook must declare (the runner always sets them).
REQUIRED = ("as_of", "data_dir")
#: What each default type accepts, as said in help and error messages.
TYPE_LABELS = {"str": "text", "int": "a whole number", "float": "a number",
               "bool": "true or false", "None": "a number, true/false or text"}
_INT = re.compile(r"[-+]?\d+")
_DECIMAL = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_LEADING_ZERO = re.compile(r"[-+]?0\d")  # "0123" is an id, not the number 123


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter: its name, default (source text), default's type, comment."""

    name: str
    default: str
    type_name: str  # "str", "int", "float", "bool", "None" (None or an expression), or other
    help: str


def _type_name(value: ast.expr, annotation: ast.expr | None) -> str:
    """Type of a default: an ``int``/``float``/``str``/``bool`` annotation wins, else the literal's."""
    if isinstance(annotation, ast.Name) and annotation.id in TYPE_LABELS:
        return annotation.id
    try:
        literal = ast.literal_eval(value)
    except ValueError:  # an expression: anything the loose rule gives is accepted
        return "None"
    return "None" if literal is None else type(literal).__name__


def _comments(source: str) -> dict[int, str]:
    """Comment text by line number (1-based) of a cell's source."""
    found: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            found[token.start[0]] = token.string.lstrip("#").strip()
    return found


def parse_parameters(source: str, where: str) -> dict[str, ParamSpec]:
    """Parameters assigned in a parameters cell's ``source``; help is the comment ending the
    line, else the comment lines just above it. ``where`` names the notebook in errors."""
    try:
        tree = ast.parse(source)
        comments = _comments(source)
    except (SyntaxError, tokenize.TokenError) as exc:
        raise ParamError(f"the parameters cell of {where} is not valid Python: {exc}") from None
    lines = source.splitlines()
    specs: dict[str, ParamSpec] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, annotation = node.targets[0], None
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, annotation = node.target, node.annotation
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        help_ = comments.get(node.end_lineno or node.lineno, "")
        above = node.lineno - 1
        block: list[str] = []
        while not help_ and above >= 1 and lines[above - 1].lstrip().startswith("#"):
            block.insert(0, comments.get(above, ""))
            above -= 1
        specs[target.id] = ParamSpec(
            name=target.id, default=ast.get_source_segment(source, node.value) or "",
            type_name=_type_name(node.value, annotation), help=help_ or " ".join(block))
    return specs


@lru_cache(maxsize=256)
def _declared(path: str, mtime_ns: int) -> tuple[ParamSpec, ...]:
    """The parsed contract of one notebook version (cached by path and modification time)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return tuple(parse_parameters(cell.source, Path(path).name).values())
    raise ParamError(f"{Path(path).name} has no cell tagged 'parameters', so it declares no "
                     "parameters and cannot be given any")


def declared(notebook: Path) -> dict[str, ParamSpec]:
    """The parameters ``notebook`` declares, by name; ``ParamError`` without a parameters cell."""
    path = Path(notebook).resolve()
    try:
        mtime_ns = path.stat().st_mtime_ns
    except OSError:
        raise ParamError(f"notebook '{notebook}' not found") from None
    return {spec.name: spec for spec in _declared(str(path), mtime_ns)}


def _loose(text: str) -> Any:
    """Value for a None-typed default: a plain decimal is a number, true/false a bool, else text."""
    plain = text.strip()
    if plain.lower() in ("true", "false"):
        return plain.lower() == "true"
    if _DECIMAL.fullmatch(plain) and not _LEADING_ZERO.match(plain):
        return int(plain) if _INT.fullmatch(plain) else float(plain)
    return text


def convert(spec: ParamSpec, text: str, notebook: str) -> Any:
    """``text`` as the type of ``spec``'s default; ``ParamError`` naming what is expected."""
    kind, plain = spec.type_name, text.strip()
    if kind == "str":
        return text
    if kind == "None":
        return _loose(text)
    if kind == "int" and _INT.fullmatch(plain):
        return int(plain)
    if kind == "float" and _DECIMAL.fullmatch(plain):
        return float(plain)
    if kind == "bool" and plain.lower() in ("true", "false"):
        return plain.lower() == "true"
    if kind not in TYPE_LABELS:
        raise ParamError(f"parameter {spec.name!r} of {notebook} cannot be set with --param "
                         f"(its default {spec.default} is a {kind})")
    raise ParamError(f"parameter {spec.name!r} of {notebook} expects {TYPE_LABELS[kind]} "
                     f"(default {spec.default}), got {text!r}")


def _undeclared(name: str, specs: dict[str, dict[str, ParamSpec]], missing: list[str],
                how: str) -> str:
    """The sentence for a parameter some notebooks do not declare, with what they do declare."""
    lists = "; ".join(f"{stem} declares: {', '.join(specs[stem]) or 'nothing'}"
                      for stem in missing)
    close = difflib.get_close_matches(name, sorted({n for s in missing for n in specs[s]}), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{how} is not declared by {', '.join(missing)}{hint} ({lists})"


def bind(notebooks: list[Path], user: dict[str, str], injected: dict[str, Any]
         ) -> dict[str, dict[str, Any]]:
    """Parameters to inject per notebook stem: ``user`` texts (``--param``, each declared by
    every notebook) converted by type, plus the runner's ``injected`` values for the notebooks
    that declare them (``as_of``, ``data_dir`` and a given ``period`` must be declared by all)."""
    specs = {Path(nb).stem: declared(nb) for nb in notebooks}
    problems = []
    for name in sorted(user.keys() & injected.keys()):
        problems.append(f"parameter {name!r} is given both as --param and by its own option")
    for name in [*user, *REQUIRED, *(["period"] if "period" in injected else [])]:
        missing = [stem for stem, spec in specs.items() if name not in spec]
        if missing:
            how = (f"parameter {name!r} (set by {RESERVED[name]})" if name in RESERVED
                   else f"--param {name!r}")
            problems.append(_undeclared(name, specs, missing, how))
    if problems:
        raise ParamError("; ".join(dict.fromkeys(problems)))
    return {stem: {**{k: v for k, v in injected.items() if k in spec},
                   **{k: convert(spec[k], text, stem) for k, text in user.items()}}
            for stem, spec in specs.items()}


def help_text(notebook: Path) -> str:
    """What ``salesops run NOTEBOOK --help-params`` prints: each parameter, default, comment."""
    specs = declared(notebook)
    name = Path(notebook).stem
    lines = [f"{name} parameters (set with --param NAME=VALUE unless another option is named):"]
    for spec in specs.values():
        how = (f"set with {RESERVED[spec.name]}" if spec.name in RESERVED
               else TYPE_LABELS.get(spec.type_name, f"not settable ({spec.type_name})"))
        lines.append(f"  {spec.name} = {spec.default}  [{how}]"
                     + (f"  # {spec.help}" if spec.help else ""))
    return "\n".join(lines) + "\n"
