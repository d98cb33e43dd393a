"""A five-rep hand-made dataset; every test writes its arithmetic out against it.

Fiscal year = calendar year; Q1 2026 = 2026-01-01..2026-03-31.
Reps: R1 Ann, R2 Bob, R4 Dee (left 2026-02-15) in team T1 / manager Mia / EMEA; R3 Cy and R5 Eve
(hired 2026-03-01, zero quota) in team T2 / manager Max / APAC.
"""

import pandas as pd

from salesops.data.store import Dataset

T = pd.Timestamp
NaN = float("nan")


def reps() -> pd.DataFrame:
    return pd.DataFrame({
        "rep_id": ["R1", "R2", "R3", "R4", "R5"],
        "name": ["Ann", "Bob", "Cy", "Dee", "Eve"],
        "manager": ["Mia", "Mia", "Max", "Mia", "Max"],
        "team": ["T1", "T1", "T2", "T1", "T2"],
        "region": ["EMEA", "EMEA", "APAC", "EMEA", "APAC"],
        "role": ["AE"] * 5,
        "hire_date": [T("2024-01-01")] * 3 + [T("2025-06-01"), T("2026-03-01")],
        "termination_date": [pd.NaT, pd.NaT, pd.NaT, T("2026-02-15"), pd.NaT],
    }).astype({c: "string" for c in ("rep_id", "name", "manager", "team", "region", "role")})


def quotas() -> pd.DataFrame:
    rows = [("R1", "2026-01-01", 100), ("R2", "2026-01-01", 200), ("R3", "2026-01-01", 100),
            ("R4", "2026-01-01", 100), ("R5", "2026-01-01", 0)]
    rows += [(r, "2025-10-01", 100) for r in ("R1", "R2", "R3", "R4")]
    df = pd.DataFrame(rows, columns=["rep_id", "period_start", "quota_amount"])
    df["period_start"] = pd.to_datetime(df["period_start"])
    df["period_end"] = df["period_start"] + pd.offsets.QuarterEnd(0)
    df["quota_amount"] = df["quota_amount"].astype(float)
    return df[["rep_id", "period_start", "period_end", "quota_amount"]].astype({"rep_id": "string"})


OPPS = [  # id, rep, amount, created, close, status
    ("O1", "R1", 60, "2026-01-01", "2026-01-31", "won"),
    ("O2", "R1", 50, "2025-12-02", "2026-03-01", "won"),
    ("O3", "R1", 40, "2026-01-10", "2026-02-10", "lost"),
    ("O4", "R2", 100, "2026-02-01", "2026-03-03", "won"),
    ("O5", "R2", 100, "2026-01-05", "2026-03-05", "lost"),
    ("O6", "R2", 50, "2026-02-01", "2026-03-10", "lost"),
    ("O7", "R2", NaN, "2026-03-01", "2026-03-11", "won"),  # no amount
    ("O8", "R4", 30, "2025-12-20", "2026-02-01", "won"),
    ("O9", "R1", 500, "2026-03-15", "2026-05-15", "open"),
    ("O10", "R1", 999, "2026-03-20", "2026-04-05", "won"),  # closes after 2026-03-31
    ("O11", "R2", 80, "2025-10-01", "2025-11-15", "won"),
    ("O12", "R3", 100, "2026-04-02", "2026-06-30", "open"),  # created after 2026-03-31
]
STAGE = {"won": "Closed Won", "lost": "Closed Lost", "open": "Proposal"}


def opportunities() -> pd.DataFrame:
    df = pd.DataFrame(OPPS, columns=["opportunity_id", "rep_id", "amount", "created_date",
                                     "close_date", "status"])
    for col in ("created_date", "close_date"):
        df[col] = pd.to_datetime(df[col])
    df["amount"] = df["amount"].astype(float)
    df["account_id"] = "A1"
    df["product"] = "Core"
    df["stage"] = df["status"].map(STAGE)
    df["forecast_category"] = None
    df["probability"] = df["status"].map({"won": 1.0, "lost": 0.0, "open": 0.4})
    return df.astype({c: "string" for c in ("opportunity_id", "rep_id", "account_id", "product",
                                            "stage", "status", "forecast_category")})


def stage_history() -> pd.DataFrame:
    rows = []
    for oid, _rep, _amt, created, close, status in OPPS:
        rows.append((oid, "Prospecting", created))
        if status != "open":
            rows.append((oid, STAGE[status], close))
    df = pd.DataFrame(rows, columns=["opportunity_id", "stage", "entered_date"])
    df["entered_date"] = pd.to_datetime(df["entered_date"])
    return df.astype({"opportunity_id": "string", "stage": "string"})


def accounts() -> pd.DataFrame:
    return pd.DataFrame({"account_id": ["A1"], "name": ["Acme"], "segment": ["SMB"],
                         "industry": ["Retail"], "region": ["EMEA"]}).astype("string")


def handmade_dataset() -> Dataset:
    return Dataset(reps=reps(), accounts=accounts(), quotas=quotas(),
                   opportunities=opportunities(), stage_history=stage_history())
