"""Thin copies of a dataset, as real exports arrive: tables dropped, roster only from deal owners,
optional columns absent, open deals without amounts. For tests, docs examples and trying a report
on what a customer really has."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import numpy as np

from salesops.data.ingest import derive_roster
from salesops.data.schema import TABLES, empty_frame
from salesops.data.store import Contents, Dataset, write_dataset


def thin(
    dataset: Dataset, drop: Iterable[str] = ("quotas", "stage_history", "opportunity_history"),
    roster: bool = False, drop_columns: dict[str, tuple[str, ...]] | None = None,
    unknown_open_amounts: float = 0.0, seed: int = 0,
) -> Dataset:
    """``dataset`` without the ``drop`` tables; ``roster=False`` replaces the roster by one derived
    from the deals' owners; ``drop_columns`` blanks optional columns as if the export lacked them;
    ``unknown_open_amounts`` is the share of open deals whose amount is emptied (seeded), in
    their history too."""
    tables = {n: getattr(dataset, n).copy() for n in TABLES}
    missing = {t: tuple(c) for t, c in (drop_columns or {}).items()}
    derived: dict[str, str] = {}
    for name in drop:
        tables[name] = empty_frame(TABLES[name])
    for table, columns in missing.items():
        for col in columns:
            blank = empty_frame(TABLES[table])[col].reindex(range(len(tables[table])))
            tables[table][col] = blank.set_axis(tables[table].index)
    if not roster:
        tables["reps"] = derive_roster(tables["opportunities"])
        derived["reps"] = "derived from the deals' owner column"
        missing["reps"] = tuple(c.name for c in TABLES["reps"].columns
                                if c.optional and c.name != "name")
    if unknown_open_amounts:
        opps = tables["opportunities"]
        open_rows = np.flatnonzero(opps["status"].to_numpy() == "open")
        rng = np.random.default_rng(seed)
        pick = rng.choice(open_rows, size=round(len(open_rows) * unknown_open_amounts),
                          replace=False)
        opps.loc[opps.index[pick], "amount"] = np.nan
        history = tables["opportunity_history"]  # an export without the amount has no history of it
        blank = history["opportunity_id"].isin(opps["opportunity_id"].iloc[pick])
        history.loc[blank.to_numpy(), "amount"] = np.nan
    present = (set(dataset.present) - set(drop)) | set(derived)
    return replace(dataset, **tables, contents=Contents(
        frozenset(present), {**dataset.missing_columns, **missing},
        {**dataset.derived, **derived}))


def write_thin(dataset: Dataset, out_dir: str | Path) -> Path:
    """Write a (thinned) dataset as a processed folder, for ``salesops run --data``."""
    return write_dataset(dataset.tables(), out_dir, dataset.settings, dataset.catalogue,
                         contents=dataset.contents)
