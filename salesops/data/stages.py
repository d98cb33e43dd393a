"""The stage catalogue: ordered stage names, each with its status and default win probability.

Every CRM names its stages differently; anything that needs stage order (funnel, snapshots,
pipeline forecast) reads it from here. Loaded from YAML, validated with messages naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from salesops.data.config import ConfigError, load_yaml, reject_unknown, require
from salesops.data.schema import STATUSES

DEFAULT_CATALOGUE = "stages.yaml"


@dataclass(frozen=True)
class Stage:
    name: str
    status: str  # open / won / lost
    probability: float


@dataclass(frozen=True)
class StageCatalogue:
    """Ordered stages. Open stages come first in funnel order; won and lost stages are terminal."""

    stages: tuple[Stage, ...]

    def __post_init__(self) -> None:
        names = [s.name for s in self.stages]
        if len(set(names)) != len(names):
            raise ValueError("stage names must be unique")

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]

    @property
    def open_stages(self) -> list[str]:
        return [s.name for s in self.stages if s.status == "open"]

    @property
    def won_stages(self) -> list[str]:
        return [s.name for s in self.stages if s.status == "won"]

    @property
    def lost_stages(self) -> list[str]:
        return [s.name for s in self.stages if s.status == "lost"]

    def get(self, name: str) -> Stage:
        for s in self.stages:
            if s.name == name:
                return s
        raise KeyError(f"unknown stage '{name}' (known: {', '.join(self.names)})")

    def status_of(self, stages: pd.Series) -> pd.Series:
        """Status (open/won/lost) of each stage name; NaN for unknown names."""
        return stages.map({s.name: s.status for s in self.stages})

    def probability_of(self, stages: pd.Series) -> pd.Series:
        """Default win probability of each stage name; NaN for unknown names."""
        return stages.map({s.name: s.probability for s in self.stages}).astype("float64")

    def order_of(self, stages: pd.Series) -> pd.Series:
        """Position of each stage in the catalogue (0 = first); NaN for unknown names."""
        return stages.map({s.name: i for i, s in enumerate(self.stages)}).astype("float64")

    def to_dict(self) -> dict:
        return {"stages": [s.__dict__ for s in self.stages]}


def parse_catalogue(raw: object, source: str) -> StageCatalogue:
    """Validate a parsed YAML document into a ``StageCatalogue``."""
    entries = require(raw, "stages", list, source)
    if not entries:
        raise ConfigError(source, "stages", "must list at least one stage")
    stages: list[Stage] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        prefix = f"stages[{i}]."
        reject_unknown(entry if isinstance(entry, dict) else {}, {"name", "status", "probability"},
                       source, prefix)
        name = require(entry, "name", str, source, prefix)
        if name in seen:
            raise ConfigError(source, f"{prefix}name", f"duplicate stage '{name}'")
        seen.add(name)
        status = require(entry, "status", str, source, prefix)
        if status not in STATUSES:
            raise ConfigError(source, f"{prefix}status", f"must be one of {', '.join(STATUSES)}")
        prob = float(require(entry, "probability", (int, float), source, prefix))
        if not 0.0 <= prob <= 1.0:
            raise ConfigError(source, f"{prefix}probability", "must be between 0 and 1")
        stages.append(Stage(name, status, prob))
    statuses = {s.status for s in stages}
    for needed in STATUSES:
        if needed not in statuses:
            raise ConfigError(source, "stages", f"needs at least one '{needed}' stage")
    return StageCatalogue(tuple(stages))


def load_catalogue(path: str | Path | None = None) -> StageCatalogue:
    """Load a stage catalogue YAML file; ``None`` gives the built-in default catalogue."""
    if path is None:
        ref = resources.files("salesops.config").joinpath(DEFAULT_CATALOGUE)
        with resources.as_file(ref) as p:
            return parse_catalogue(load_yaml(p), DEFAULT_CATALOGUE)
    path = Path(path)
    return parse_catalogue(load_yaml(path), path.name)
