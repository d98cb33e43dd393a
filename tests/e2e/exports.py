"""Raw exports shaped as customers send them, built deterministically for the end-to-end tests.

``opportunities_only``: one deals file with its own column names and four stages of its own, reps
and accounts identified by name, no roster, quotas or stage history, and open deals without an
amount or an expected close date. ``transactions_only``: an orders file (date, amount, region,
segment) and nothing else. Both start from the sample generator's deals, reshaped; the numbers the
tests assert are recomputed from the written CSV with plain pandas, never from salesops.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from salesops.data.sample import generate

#: The export's own stages -> (status, default win probability); the sample's are folded into them.
OWN_STAGES = {"Early": ("open", 0.15), "Late": ("open", 0.55), "Signed": ("won", 1.0),
              "Dead": ("lost", 0.0)}
FOLD = {"Prospecting": "Early", "Qualification": "Early", "Discovery": "Early",
        "Proposal": "Late", "Negotiation": "Late", "Closed Won": "Signed", "Closed Lost": "Dead"}

OPPORTUNITIES_MAPPING = """\
# A deals-only export: names as ids, four stages of its own, no quotas or stage history.
stage_catalogue: stages.yaml
tables:
  opportunities:
    file: deals.csv
    columns:
      Deal ID: opportunity_id
      Owner: rep_id
      Company: account_id
      Value: amount
      Opened: created_date
      Expected Close: close_date
      Stage: stage
"""

STAGES_YAML = "stages:\n" + "".join(
    f"  - {{name: {name}, status: {status}, probability: {p}}}\n"
    for name, (status, p) in OWN_STAGES.items())

TRANSACTIONS_MAPPING = """\
# An orders export: date, amount, region, segment; no deals, reps or quotas.
tables:
  transactions:
    file: orders.csv
    columns:
      Order Date: date
      Net Amount: amount
      Sales Region: region
      Customer Segment: segment
"""


def _sample(end: str, seed: int) -> dict[str, pd.DataFrame]:
    return generate(seed=seed, end=end, scale=0.3)


def opportunities_only(out: Path, end: str, seed: int = 11) -> Path:
    """Write deals.csv, mapping.yaml and stages.yaml into ``out``; return the mapping path."""
    data = _sample(end, seed)
    opps, reps, accounts = data["opportunities"], data["reps"], data["accounts"]
    names = reps.set_index("rep_id")["name"]
    companies = accounts.set_index("account_id")["name"]
    rng = np.random.default_rng(seed)
    is_open = (opps["status"] == "open").to_numpy()
    no_amount = is_open & (rng.random(len(opps)) < 0.25)
    no_close = is_open & ~no_amount & (rng.random(len(opps)) < 0.10)
    deals = pd.DataFrame({
        "Deal ID": "D-" + opps["opportunity_id"].str[-6:],
        "Owner": opps["rep_id"].map(names).to_numpy(),
        "Company": opps["account_id"].map(companies).to_numpy(),
        "Value": opps["amount"].round(2).where(~no_amount),
        "Opened": opps["created_date"].dt.strftime("%Y-%m-%d"),
        "Expected Close": opps["close_date"].dt.strftime("%Y-%m-%d").where(~no_close),
        "Stage": opps["stage"].map(FOLD),
    })
    out.mkdir(parents=True, exist_ok=True)
    deals.to_csv(out / "deals.csv", index=False)
    (out / "stages.yaml").write_text(STAGES_YAML)
    (out / "mapping.yaml").write_text(OPPORTUNITIES_MAPPING)
    return out / "mapping.yaml"


def transactions_only(out: Path, end: str, seed: int = 11) -> Path:
    """Write orders.csv (one row per won deal) and mapping.yaml into ``out``; return the mapping."""
    data = _sample(end, seed)
    opps = data["opportunities"]
    won = opps.loc[opps["status"] == "won"]
    accounts = data["accounts"].set_index("account_id")
    orders = pd.DataFrame({
        "Order Date": won["close_date"].dt.strftime("%Y-%m-%d"),
        "Net Amount": won["amount"].round(2),
        "Sales Region": won["account_id"].map(accounts["region"]).to_numpy(),
        "Customer Segment": won["account_id"].map(accounts["segment"]).to_numpy(),
    }).sort_values("Order Date", kind="stable")
    out.mkdir(parents=True, exist_ok=True)
    orders.to_csv(out / "orders.csv", index=False)
    (out / "mapping.yaml").write_text(TRANSACTIONS_MAPPING)
    return out / "mapping.yaml"


#: The sample's stages as HubSpot's default sales pipeline labels them.
HUBSPOT_STAGES = {"Prospecting": "Appointment scheduled", "Qualification": "Qualified to buy",
                  "Discovery": "Presentation scheduled", "Proposal": "Decision maker bought-in",
                  "Negotiation": "Contract sent", "Closed Won": "Closed won",
                  "Closed Lost": "Closed lost"}


def hubspot(out: Path, end: str, seed: int = 11) -> Path:
    """Write a HubSpot deals export (opportunities.csv, HubSpot's column names, owners by name,
    one 'Date entered "<stage> (Sales Pipeline)"' column per stage) into ``out``; return it."""
    data = _sample(end, seed)
    opps, history = data["opportunities"], data["stage_history"]
    names = data["reps"].set_index("rep_id")["name"]
    stamp = "%Y-%m-%d %H:%M"
    deals = pd.DataFrame({
        "Record ID": opps["opportunity_id"].str[-6:].astype(int).to_numpy(),
        "Deal Name": opps["opportunity_id"].to_numpy(),
        "Amount": opps["amount"].round(2).to_numpy(),
        "Close Date": (opps["close_date"] + pd.Timedelta(hours=17)).dt.strftime(stamp).to_numpy(),
        "Create Date": (opps["created_date"] + pd.Timedelta(hours=9)).dt.strftime(stamp)
        .to_numpy(),
        "Deal Stage": opps["stage"].map(HUBSPOT_STAGES).to_numpy(),
        "Pipeline": "Sales Pipeline",
        "Deal owner": opps["rep_id"].map(names).to_numpy(),
    })
    entered = (history.assign(stage=history["stage"].map(HUBSPOT_STAGES))
               .groupby(["opportunity_id", "stage"])["entered_date"].min().unstack())
    entered = entered.reindex(opps["opportunity_id"]).reindex(columns=list(HUBSPOT_STAGES.values()))
    for stage in entered.columns:
        deals[f'Date entered "{stage} (Sales Pipeline)"'] = (
            (entered[stage] + pd.Timedelta(hours=12)).dt.strftime(stamp).to_numpy())
    out.mkdir(parents=True, exist_ok=True)
    deals.to_csv(out / "opportunities.csv", index=False)
    return out
