"""The canonical data model: every table the analyses use, defined once.

Ingestion validates raw exports against these specs; analyses may rely on the dtypes
(``conform`` casts a validated frame to them). See docs/data-model.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

#: Column kinds and the pandas dtype each is stored as once validated.
KIND_DTYPES: dict[str, str] = {
    "id": "string",
    "text": "string",
    "category": "string",
    "date": "datetime64[ns]",
    "amount": "float64",
    "number": "float64",
    "probability": "float64",
}

STATUSES: tuple[str, ...] = ("open", "won", "lost")


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    kind: str
    description: str
    nullable: bool = False
    values: tuple[str, ...] | None = None  # allowed values (after normalisation), if restricted

    @property
    def dtype(self) -> str:
        return KIND_DTYPES[self.kind]


@dataclass(frozen=True)
class ForeignKey:
    """``column`` must match a value of ``table.ref_column``; rows that do not are quarantined."""

    column: str
    table: str
    ref_column: str


@dataclass(frozen=True)
class Table:
    """A canonical table: its columns, unique key and references to other tables."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    required: bool = True
    optional_columns: tuple[Column, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for col in self.columns + self.optional_columns:
            if col.name == name:
                return col
        raise KeyError(f"table '{self.name}' has no column '{name}'")

    @property
    def dtypes(self) -> dict[str, str]:
        return {c.name: c.dtype for c in self.columns}


REPS = Table(
    name="reps",
    description="Sales reps (the roster), one row per rep.",
    columns=(
        Column("rep_id", "id", "Unique rep identifier."),
        Column("name", "text", "Display name."),
        Column("manager", "text", "Name of the rep's first-line manager."),
        Column("team", "text", "Team the rep belongs to."),
        Column("region", "category", "Sales region."),
        Column("role", "category", "Role, e.g. AE, SDR; drives which comp plan applies."),
        Column("hire_date", "date", "First day in the role."),
        Column("termination_date", "date", "Last day, empty while employed.", nullable=True),
    ),
    key=("rep_id",),
)

QUOTAS = Table(
    name="quotas",
    description="Quota per rep per period (usually fiscal quarter); ramped for new hires.",
    columns=(
        Column("rep_id", "id", "Rep the quota belongs to."),
        Column("period_start", "date", "First day of the quota period."),
        Column("period_end", "date", "Last day of the quota period (inclusive)."),
        Column("quota_amount", "amount", "Bookings target for the period, >= 0."),
    ),
    key=("rep_id", "period_start"),
    foreign_keys=(ForeignKey("rep_id", "reps", "rep_id"),),
)

ACCOUNTS = Table(
    name="accounts",
    description="Customer accounts.",
    columns=(
        Column("account_id", "id", "Unique account identifier."),
        Column("name", "text", "Account name."),
        Column("segment", "category", "Customer segment, e.g. SMB, Mid-Market, Enterprise."),
        Column("industry", "category", "Industry."),
        Column("region", "category", "Region of the account."),
    ),
    key=("account_id",),
)

OPPORTUNITIES = Table(
    name="opportunities",
    description="Deals, one row per opportunity in its current state.",
    columns=(
        Column("opportunity_id", "id", "Unique opportunity identifier."),
        Column("rep_id", "id", "Owner rep."),
        Column("account_id", "id", "Customer account."),
        Column("product", "category", "Product line."),
        Column("amount", "amount", "Deal value in the dataset currency, >= 0."),
        Column("created_date", "date", "Date the opportunity was created."),
        Column(
            "close_date", "date",
            "Actual close date for won/lost deals, expected close date for open ones.",
        ),
        Column("stage", "category", "Current stage name (from the stage catalogue)."),
        Column("status", "category", "open / won / lost, derived from the stage.", values=STATUSES),
        Column(
            "forecast_category", "category",
            "Rep's call for open deals: pipeline / best_case / commit (empty if unused).",
            nullable=True, values=("pipeline", "best_case", "commit", "omitted", "closed"),
        ),
        Column("probability", "probability", "CRM win probability 0-1.", nullable=True),
    ),
    key=("opportunity_id",),
    foreign_keys=(
        ForeignKey("rep_id", "reps", "rep_id"),
        ForeignKey("account_id", "accounts", "account_id"),
    ),
)

STAGE_HISTORY = Table(
    name="stage_history",
    description="One row per stage change of an opportunity (reconstructs funnel and past snapshots).",
    columns=(
        Column("opportunity_id", "id", "Opportunity that changed stage."),
        Column("stage", "category", "Stage entered."),
        Column("entered_date", "date", "Date the stage was entered."),
    ),
    key=("opportunity_id", "stage", "entered_date"),
    foreign_keys=(ForeignKey("opportunity_id", "opportunities", "opportunity_id"),),
)

#: Tables in dependency order (a table's foreign keys point to tables listed before it).
TABLES: dict[str, Table] = {
    t.name: t for t in (REPS, ACCOUNTS, QUOTAS, OPPORTUNITIES, STAGE_HISTORY)
}


def empty_frame(table: Table) -> pd.DataFrame:
    """An empty frame with the table's columns and dtypes."""
    return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in table.columns})


def conform(df: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Select the table's columns in canonical order and cast them to canonical dtypes.

    Expects already-validated values (ingest guarantees this); extra columns are kept after
    the canonical ones so that optional data (e.g. a ``currency`` column) is not lost.
    """
    missing = [c for c in table.column_names if c not in df.columns]
    if missing:
        raise KeyError(f"table '{table.name}' is missing columns: {', '.join(missing)}")
    out = df.copy()
    for col in table.columns:
        if col.kind == "date":
            out[col.name] = pd.to_datetime(out[col.name]).astype("datetime64[ns]")
        else:
            out[col.name] = out[col.name].astype(col.dtype)
    extra = [c for c in out.columns if c not in table.column_names]
    return out[table.column_names + extra].reset_index(drop=True)
