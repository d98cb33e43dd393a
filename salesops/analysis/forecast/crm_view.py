"""The CRM's own view of a period beside the model: weighted pipeline, forecast categories,
quota, what is still to close and the pipeline coverage (``salesops.data.coverage``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from salesops.data.coverage import Coverage
from salesops.data.periods import Period
from salesops.data.requirements import Availability, Needs
from salesops.data.store import Dataset

CATEGORY_ORDER = ("commit", "best_case", "pipeline")
CRM_NEEDS = Needs("The CRM view", tables=("opportunities",))
QUOTA_NEEDS = Needs("Quota, gap to quota, still to close and coverage", tables=("quotas",))
CATEGORY_NEEDS = Needs("Commit and best-case calls",
                       columns={"opportunities": ("forecast_category",)})
#: Columns of the CRM view and summary that need a quota, and those that need categories.
QUOTA_COLUMNS = ("quota", "gap", "gap_to_quota", "still_to_close", "coverage", "coverage_needed")
CATEGORY_COLUMNS = ("commit", "best_case")
PROBABILITY_COLUMNS = ("crm_weighted",)


def categories_availability(dataset: Dataset, open_deals: pd.DataFrame) -> Availability:
    """Whether reps' forecast categories can be shown: the column is in the export and at least
    one open deal has a category."""
    av = CATEGORY_NEEDS.check(dataset)
    if av and not open_deals["forecast_category"].notna().any():
        return Availability.missing("Commit and best-case calls cannot be shown: no open deal "
                                    "has a forecast category.")
    return av


def crm_view(
    opportunities: pd.DataFrame, covers: Sequence[Coverage], periods: Sequence[Period],
    as_of: pd.Timestamp, pipeline_summary: pd.DataFrame,
) -> pd.DataFrame:
    """Per period: booked, CRM-weighted pipeline, commit and best-case calls, the model's
    expected value, and from ``covers`` (``salesops.data.coverage``, one per period: the one
    definition every report uses) open pipeline, quota, still to close, coverage and the
    coverage needed at the usual conversion. Missing figures are NaN, never 0."""
    as_of = pd.Timestamp(as_of)
    open_ = opportunities.loc[opportunities["status"] == "open"]
    has_categories = open_["forecast_category"].notna().any()
    model = pipeline_summary.set_index("period")
    rows = []
    for i, (p, cov) in enumerate(zip(periods, covers, strict=True)):
        # overdue deals (expected before as_of) count in the first period
        in_period = open_.loc[p.contains(open_["close_date"])
                              | ((open_["close_date"] < as_of) & (i == 0))]
        cat = in_period["forecast_category"]
        booked = float(model.loc[p.label, "booked"])
        commit = booked + float(in_period.loc[cat == "commit", "amount"].sum())
        rows.append({
            "period": p.label,
            "booked": booked,
            "crm_weighted": booked + float((in_period["amount"]
                                            * in_period["probability"].fillna(0)).sum()),
            "commit": commit if has_categories else np.nan,
            "best_case": (commit + float(in_period.loc[cat == "best_case", "amount"].sum())
                          if has_categories else np.nan),
            "open_pipeline": cov.pipeline,
            "model_expected": float(model.loc[p.label, "expected"]),
            "quota": cov.quota,
            "gap_to_quota": cov.to_close,
            "coverage": cov.ratio,
            "coverage_needed": cov.needed,
        })
    return pd.DataFrame(rows)


def waterfall(deals: pd.DataFrame, summary_row: pd.Series, categories: bool = True) -> pd.DataFrame:
    """The model's expected value of one period split into steps: booked, then expected from
    commit, best-case and pipeline deals (by the rep's category; one "Open deals" step when
    the data has no categories), then run-rate."""
    label = summary_row["period"]
    steps = [("Booked", float(summary_row["booked"]))]
    if categories:
        cat = deals["forecast_category"].astype(object).where(
            deals["forecast_category"].isin(CATEGORY_ORDER), "pipeline")
        expected = deals[f"expected_{label}"].groupby(cat).sum()
        steps += [(c.replace("_", " ").capitalize(), float(expected.get(c, 0.0)))
                  for c in CATEGORY_ORDER]
    else:
        steps.append(("Open deals", float(deals[f"expected_{label}"].sum())))
    steps.append(("Run-rate (new deals)", float(summary_row["run_rate"])))
    return pd.DataFrame(steps, columns=["step", "amount"])
