"""Raw exports shaped as customers send them, built deterministically for the end-to-end tests.

``hubspot`` and ``salesforce``: the sample's deals with the vendor's column names and its deal
history (HubSpot's deal property history, long; Salesforce's OpportunityHistory).
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


#: The sample's stages as HubSpot's internal stage ids, and its forecast categories as
#: HubSpot's internal hs_forecast_category values.
HUBSPOT_STAGE_IDS = {"Prospecting": "appointmentscheduled", "Qualification": "qualifiedtobuy",
                     "Discovery": "presentationscheduled", "Proposal": "decisionmakerboughtin",
                     "Negotiation": "contractsent", "Closed Won": "closedwon",
                     "Closed Lost": "closedlost"}
HUBSPOT_CATEGORIES = {"pipeline": "PIPELINE", "best_case": "BEST_CASE", "commit": "COMMIT",
                      "omitted": "OMIT", "closed": "CLOSED"}
#: HubSpot's internal property name of each history field.
HUBSPOT_PROPERTIES = {"amount": "amount", "close_date": "closedate", "stage": "dealstage",
                      "forecast_category": "hs_forecast_category",
                      "probability": "hs_deal_stage_probability"}
ISO = "%Y-%m-%dT%H:%M:%S.000Z"


def hubspot_property_history(history: pd.DataFrame) -> pd.DataFrame:
    """The history as HubSpot's propertiesWithHistory flattens it: one row per deal, property,
    value and timestamp (internal names and values, ISO timestamps in UTC)."""
    values = {
        "amount": history["amount"].round(2).astype("string"),
        "close_date": history["close_date"].dt.strftime(ISO),
        "stage": history["stage"].map(HUBSPOT_STAGE_IDS),
        "forecast_category": history["forecast_category"].map(HUBSPOT_CATEGORIES),
        "probability": history["probability"].round(4).astype("string"),
    }
    parts = [pd.DataFrame({"dealId": history["opportunity_id"].str[-6:].astype(int),
                           "property": HUBSPOT_PROPERTIES[field], "value": value,
                           "timestamp": history["changed_at"].dt.strftime(ISO),
                           "sourceType": "CRM_UI"})[value.notna()]
             for field, value in values.items()]
    return pd.concat(parts).sort_index(kind="stable")


def hubspot(out: Path, end: str, seed: int = 11) -> Path:
    """Write a HubSpot deals export (opportunities.csv, HubSpot's column names, owners by name,
    one 'Date entered "<stage> (Sales Pipeline)"' column per stage) and its deal property
    history (deal_property_history.csv) into ``out``; return it."""
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
    hubspot_property_history(data["opportunity_history"]).to_csv(
        out / "deal_property_history.csv", index=False)
    return out


#: Salesforce ForecastCategory API values of the sample's categories.
SALESFORCE_CATEGORIES = {"pipeline": "Pipeline", "best_case": "BestCase", "commit": "Forecast",
                         "omitted": "Omitted", "closed": "Closed"}
#: The sample's stages as Salesforce's standard sales process names them.
SALESFORCE_STAGES = {"Prospecting": "Prospecting", "Qualification": "Qualification",
                     "Discovery": "Needs Analysis", "Proposal": "Proposal/Price Quote",
                     "Negotiation": "Negotiation/Review", "Closed Won": "Closed Won",
                     "Closed Lost": "Closed Lost"}


def salesforce(out: Path, end: str, seed: int = 11) -> Path:
    """Write a Salesforce Data Loader export (opportunities.csv, reps.csv and
    OpportunityHistory.csv with API field names; no stage_history file) into ``out``; return it.
    Every OpportunityHistory row holds all five fields as they were after the change, as
    Salesforce writes them."""
    data = _sample(end, seed)
    opps, history = data["opportunities"], data["opportunity_history"]
    out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({
        "Id": opps["opportunity_id"], "OwnerId": opps["rep_id"], "AccountId": opps["account_id"],
        "Amount": opps["amount"].round(2), "CloseDate": opps["close_date"].dt.strftime("%Y-%m-%d"),
        "CreatedDate": (opps["created_date"] + pd.Timedelta(hours=9)).dt.strftime(ISO),
        "StageName": opps["stage"].map(SALESFORCE_STAGES),
        "ForecastCategory": opps["forecast_category"].map(SALESFORCE_CATEGORIES),
        "Probability": (opps["probability"] * 100).round(1),
        "IsClosed": opps["status"].ne("open").map({True: "true", False: "false"}),
        "IsWon": opps["status"].eq("won").map({True: "true", False: "false"}),
    }).to_csv(out / "opportunities.csv", index=False)
    reps = data["reps"]
    pd.DataFrame({"Id": reps["rep_id"], "Name": reps["name"], "Manager.Name": reps["manager"],
                  "Department": reps["team"]}).to_csv(out / "reps.csv", index=False)
    full = history.groupby("opportunity_id", sort=False)[
        ["amount", "close_date", "stage", "forecast_category", "probability"]].ffill()
    pd.DataFrame({
        "Id": [f"008H{i:07d}" for i in range(len(history))],
        "OpportunityId": history["opportunity_id"],
        "CreatedDate": history["changed_at"].dt.strftime(ISO),
        "StageName": full["stage"].map(SALESFORCE_STAGES),
        "Amount": full["amount"].round(2),
        "ExpectedRevenue": (full["amount"] * full["probability"]).round(2),
        "CloseDate": full["close_date"].dt.strftime("%Y-%m-%d"),
        "Probability": (full["probability"] * 100).round(1),
        "ForecastCategory": full["forecast_category"].map(SALESFORCE_CATEGORIES),
    }).to_csv(out / "OpportunityHistory.csv", index=False)
    return out
