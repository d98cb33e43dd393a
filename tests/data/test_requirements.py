"""Needs and availability: the one sentence a report shows for a section the data cannot support."""

from __future__ import annotations

import pandas as pd

from salesops.data.requirements import AVAILABLE, Availability, Needs, check_all
from salesops.data.schema import TABLES, empty_frame
from salesops.data.store import Contents, Dataset


def dataset(present: set[str], missing: dict | None = None, derived: dict | None = None,
            rows: int = 1) -> Dataset:
    tables = {n: empty_frame(t).reindex(range(rows if n in present else 0))
              for n, t in TABLES.items()}
    return Dataset(**tables, contents=Contents(frozenset(present), missing or {}, derived or {}))


def test_available_when_every_table_and_column_is_there() -> None:
    ds = dataset({"opportunities", "quotas", "reps"})
    assert Needs("Attainment", ("opportunities", "quotas")).check(ds) is AVAILABLE
    assert bool(AVAILABLE) and not Availability.missing("x")


def test_missing_table_names_the_table_and_what_would_enable_it() -> None:
    av = Needs("Attainment", ("opportunities", "quotas")).check(dataset({"opportunities"}))
    assert not av
    assert av.reason == ("Attainment cannot be shown: the data has no quotas table; a quotas "
                         "table (quotas.csv) would enable it.")


def test_empty_table_counts_as_missing() -> None:
    ds = dataset({"opportunities", "quotas"}, rows=0)
    assert Needs("Funnel", ("quotas",)).check(ds).reason == (
        "Funnel cannot be shown: the quotas table is empty.")


def test_missing_columns_name_the_derived_source() -> None:
    ds = dataset({"opportunities", "reps"}, missing={"reps": ("team", "hire_date")},
                 derived={"reps": "derived from the deals' owner column"})
    av = Needs("Ramp", columns={"reps": ("hire_date", "team", "region")}).check(ds)
    assert av.reason == ("Ramp cannot be shown: the reps table (derived from the deals' owner "
                         "column) has no 'hire_date' and 'team' columns; mapping 'hire_date' and "
                         "'team' at ingest would enable it.")
    assert ds.has("reps", "region") and not ds.has("reps", "team")
    three = dataset({"reps"}, missing={"reps": ("a", "b", "c")})
    assert "has no 'a', 'b' and 'c' columns; mapping 'a', 'b' and 'c' at ingest" in Needs(
        "X", columns={"reps": ("a", "b", "c")}).check(three).reason


def test_needs_combine_and_check_all() -> None:
    both = Needs("Coverage", ("quotas",)) & Needs("x", columns={"reps": ("team",)})
    assert both.tables == ("quotas",) and both.columns == {"reps": ("team",)}
    ds = dataset({"opportunities", "quotas", "reps"})
    assert check_all(ds, [("c", both)]) == {"c": AVAILABLE}


def test_dataset_built_in_code_counts_given_tables_as_present() -> None:
    tables = {n: empty_frame(t) for n, t in TABLES.items() if n != "transactions"}
    ds = Dataset(**tables)
    assert "transactions" not in ds.present and "quotas" in ds.present
    assert isinstance(ds.transactions, pd.DataFrame)
