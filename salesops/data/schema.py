"""The canonical data model: every table the analyses use, defined once.

Ingestion validates raw exports against these specs; analyses may rely on the dtypes
(``conform`` casts a validated frame to them). See docs/data-model.md.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    optional: bool = False  # a source may lack the column entirely (stored all-null, recorded)
    nullable_when_open: bool = False  # may be empty on open deals only (value unknown, not 0)
    time_of_day: bool = False  # a date column that keeps the time of day (else the day only)

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
    required: bool = False  # only the deals (or, bookings-only, the transactions) are needed

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for col in self.columns:
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
        Column("name", "text", "Display name (the rep id when the export has none).", optional=True),
        Column("manager", "text", "Name of the rep's first-line manager.", optional=True),
        Column("team", "text", "Team the rep belongs to.", optional=True),
        Column("region", "category", "Sales region.", optional=True),
        Column("role", "category", "Role, e.g. AE, SDR; drives which comp plan applies.",
               optional=True),
        Column("hire_date", "date", "First day in the role (unknown: no ramp or tenure rules).",
               optional=True),
        Column("termination_date", "date", "Last day, empty while employed.", nullable=True,
               optional=True),
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
        Column("name", "text", "Account name.", optional=True),
        Column("segment", "category", "Customer segment, e.g. SMB, Mid-Market, Enterprise.",
               optional=True),
        Column("industry", "category", "Industry.", optional=True),
        Column("region", "category", "Region of the account.", optional=True),
    ),
    key=("account_id",),
)

OPPORTUNITIES = Table(
    name="opportunities",
    description="Deals, one row per opportunity in its current state.",
    columns=(
        Column("opportunity_id", "id", "Unique opportunity identifier."),
        Column("rep_id", "id", "Owner rep."),
        Column("account_id", "id", "Customer account.", optional=True),
        Column("product", "category", "Product line.", optional=True),
        Column("amount", "amount",
               "Deal value in the dataset currency, >= 0; may be empty on open deals (unknown).",
               nullable_when_open=True),
        Column("created_date", "date", "Date the opportunity was created."),
        Column(
            "close_date", "date",
            "Actual close date for won/lost deals, expected close date for open ones (may be "
            "empty on open deals).", nullable_when_open=True,
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
    required=True,
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

OPPORTUNITY_HISTORY = Table(
    name="opportunity_history",
    description="One row per change of an opportunity: the new value of each field that changed "
                "(Salesforce OpportunityHistory, HubSpot deal property history, nightly snapshots).",
    columns=(
        Column("opportunity_id", "id", "Opportunity that changed."),
        Column("changed_at", "date", "When the change was made (may carry a time of day).",
               time_of_day=True),
        Column("amount", "amount", "New amount, >= 0 (empty: unchanged).", nullable=True),
        Column("close_date", "date", "New expected close date (empty: unchanged).", nullable=True),
        Column("stage", "category", "New stage (empty: unchanged).", nullable=True),
        Column("forecast_category", "category", "New forecast category (empty: unchanged).",
               nullable=True, values=OPPORTUNITIES.column("forecast_category").values),
        Column("probability", "probability", "New CRM win probability 0-1 (empty: unchanged).",
               nullable=True),
    ),
    key=("opportunity_id", "changed_at"),
    foreign_keys=(ForeignKey("opportunity_id", "opportunities", "opportunity_id"),),
)

TERRITORIES = Table(
    name="territories",
    description="Territory plan: the territory (and its rep) each account belongs to.",
    columns=(
        Column("account_id", "id", "Account assigned."),
        Column("territory", "text", "Territory the account belongs to."),
        Column("rep_id", "id", "Rep covering the territory (empty: territory without a rep).",
               nullable=True),
    ),
    key=("account_id",),
    foreign_keys=(ForeignKey("account_id", "accounts", "account_id"),
                  ForeignKey("rep_id", "reps", "rep_id")),
)

TRANSACTIONS = Table(
    name="transactions",
    description="Bookings-only path: orders or transactions (date, amount, optional dimensions), "
                "for sources with no deals, reps or quotas.",
    columns=(
        Column("transaction_id", "id", "Order or transaction id (the source line if absent).",
               optional=True),
        Column("date", "date", "Order or booking date."),
        Column("amount", "amount", "Order value in the dataset currency, >= 0."),
        Column("region", "category", "Region.", nullable=True, optional=True),
        Column("segment", "category", "Customer segment.", nullable=True, optional=True),
        Column("product", "category", "Product or product line.", nullable=True, optional=True),
        Column("customer", "text", "Customer name or id.", nullable=True, optional=True),
    ),
    key=("transaction_id",),
)

#: Tables in dependency order (a table's foreign keys point to tables listed before it).
TABLES: dict[str, Table] = {
    t.name: t for t in (REPS, ACCOUNTS, QUOTAS, OPPORTUNITIES, OPPORTUNITY_HISTORY, STAGE_HISTORY,
                        TERRITORIES, TRANSACTIONS)
}
#: The tables of a CRM export (the sample generator writes these).
CRM_TABLES: tuple[str, ...] = ("reps", "accounts", "quotas", "opportunities",
                               "opportunity_history", "stage_history")
#: Dimensions a transactions table can be forecast by.
TRANSACTION_DIMENSIONS: tuple[str, ...] = ("region", "segment", "product", "customer")
#: At least one of these must be in a source: deals, or (bookings-only) transactions.
PRIMARY_TABLES: tuple[str, ...] = ("opportunities", "transactions")


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
