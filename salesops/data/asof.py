"""As-of snapshots: the opportunities table as it was known on a past date.

Rebuilt from ``stage_history``: deals created after the date do not exist yet, deals closed
after it are still open, and each open deal sits in the last stage it had entered by then.
Amounts and close dates are today's values (the model keeps no history of them).
"""

from __future__ import annotations

import pandas as pd

from salesops.data.stages import StageCatalogue


def stage_as_of(
    stage_history: pd.DataFrame, catalogue: StageCatalogue, as_of: pd.Timestamp
) -> pd.Series:
    """Stage each opportunity was in on ``as_of`` (index: opportunity_id).

    Ties on the same day are broken by catalogue order (the later stage wins).
    """
    hist = stage_history.loc[stage_history["entered_date"] <= as_of,
                             ["opportunity_id", "stage", "entered_date"]]
    hist = hist.assign(_order=catalogue.order_of(hist["stage"]).fillna(-1))
    last = hist.sort_values(["opportunity_id", "entered_date", "_order"]).drop_duplicates(
        "opportunity_id", keep="last"
    )
    return last.set_index("opportunity_id")["stage"]


def snapshot(
    opportunities: pd.DataFrame,
    stage_history: pd.DataFrame,
    catalogue: StageCatalogue,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """Opportunities as known at the end of ``as_of``: existence, stage, status, probability.

    Deals closed on or before ``as_of`` keep their final status. Deals closed later are open,
    in their last stage entered by ``as_of`` (the first open stage if history has none), with
    the catalogue's default probability and an unknown forecast category.
    """
    as_of = pd.Timestamp(as_of)
    known = opportunities.loc[opportunities["created_date"] <= as_of].copy()
    closed_later = (known["status"] != "open") & (known["close_date"] > as_of)
    if closed_later.any():
        stages = stage_as_of(stage_history, catalogue, as_of)
        ids = known.loc[closed_later, "opportunity_id"]
        past_stage = ids.map(stages)
        # A stage that was already terminal by as_of cannot apply to a deal still open then.
        past_status = catalogue.status_of(past_stage)
        fallback = catalogue.open_stages[0]
        past_stage = past_stage.where(past_status == "open", fallback)
        known.loc[closed_later, "stage"] = past_stage.astype(known["stage"].dtype)
        known.loc[closed_later, "status"] = "open"
        known.loc[closed_later, "probability"] = catalogue.probability_of(past_stage)
        known.loc[closed_later, "forecast_category"] = pd.NA
    return known.reset_index(drop=True)
