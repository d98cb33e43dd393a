"""The stage catalogue: ordered stage names, each with its status and default win probability.

Every CRM names its stages differently; anything that needs stage order (funnel, snapshots,
pipeline forecast) reads it from here. Loaded from YAML and validated by a pydantic model,
with messages naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
from pydantic import AfterValidator, Field, model_validator

from salesops.data.config import Number, Strict, Text, fraction, load_yaml, located, validate
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


class _StageEntry(Strict):
    name: Text
    status: Literal["open", "won", "lost"]
    probability: Annotated[Number, AfterValidator(fraction)]


class CatalogueFile(Strict):
    """A stage catalogue YAML file: ``stages:``, a list of ``{name, status, probability}``."""

    stages: list[_StageEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_and_complete(self) -> CatalogueFile:
        seen: set[str] = set()
        for i, stage in enumerate(self.stages):
            if stage.name in seen:
                raise located(f"stages[{i}].name", f"duplicate stage '{stage.name}'")
            seen.add(stage.name)
        statuses = {s.status for s in self.stages}
        for needed in STATUSES:
            if needed not in statuses:
                raise located("stages", f"needs at least one '{needed}' stage")
        return self


def parse_catalogue(raw: object, source: str) -> StageCatalogue:
    """Validate a parsed YAML document into a ``StageCatalogue``."""
    spec = validate(CatalogueFile, raw, source)
    return StageCatalogue(tuple(Stage(s.name, s.status, s.probability) for s in spec.stages))


def load_catalogue(path: str | Path | None = None) -> StageCatalogue:
    """Load a stage catalogue YAML file; ``None`` gives the built-in default catalogue."""
    if path is None:
        ref = resources.files("salesops.config").joinpath(DEFAULT_CATALOGUE)
        with resources.as_file(ref) as p:
            return parse_catalogue(load_yaml(p), DEFAULT_CATALOGUE)
    path = Path(path)
    return parse_catalogue(load_yaml(path), path.name)
