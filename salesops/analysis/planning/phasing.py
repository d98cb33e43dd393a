"""Phasing annual quotas into months or quarters with the seasonality measured in the history.

Seasonality is the classical ratio to a centred 12-month moving average of the company's monthly
bookings (robust to growth), averaged per fiscal month and scaled to a mean of 1; it is used only
when the fiscal months differ beyond noise (one-way ANOVA of the ratios by fiscal month, which
needs two ratios per month: 36 months of history), else quotas are phased evenly. Each rep's
annual quota (integer cents) is split over the plan periods in proportion to seasonal index x
effective months (employment x ramp), exactly to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import f_oneway

from salesops.analysis.planning.quotas import split_cents
from salesops.data.periods import FiscalCalendar
from salesops.data.requirements import Needs

#: Three years give every fiscal month two ratios to the centred moving average (6 months are
#: lost at each end), the least a test of the pattern against noise needs.
MIN_SEASONAL_MONTHS = 36
#: The fiscal months must differ at this significance level for the pattern to be used.
SEASONALITY_ALPHA = 0.05
#: The most recent three years are measured (older years describe an older business).
SEASONAL_YEARS = 3
PHASING_FREQS = ("month", "quarter")
QUOTA_TABLE_COLUMNS = ("rep_id", "period_start", "period_end", "quota_amount")

PHASING_NEEDS = Needs("Seasonal phasing of quotas", tables=("opportunities",))


@dataclass(frozen=True)
class Seasonality:
    """Seasonal index per fiscal month 1..12 (mean 1); even (all 1) when not ``measured``,
    ``reason`` then saying why in one sentence. ``p_value``: of the test that fiscal months
    differ (NaN when the history is too short to test)."""

    factor: pd.Series
    months_used: int
    measured: bool
    reason: str = ""
    p_value: float = float("nan")


def seasonality(rep_months: pd.DataFrame, calendar: FiscalCalendar | None = None,
                years: int = SEASONAL_YEARS) -> Seasonality:
    """Seasonal index of the company's bookings over the last ``years`` years of ``rep_months``
    (complete months, from the first month with any booking); even unless the pattern is
    significant at ``SEASONALITY_ALPHA``."""
    calendar = calendar or FiscalCalendar()
    monthly = rep_months.groupby("month")["bookings"].sum().sort_index()
    booked = monthly.index[monthly > 0]
    monthly = monthly.loc[booked.min():] if len(booked) else monthly.iloc[:0]
    if len(monthly):
        full = pd.date_range(monthly.index.min(), monthly.index.max(), freq="MS")
        monthly = monthly.reindex(full, fill_value=0.0)
    monthly = monthly.iloc[-12 * years:]
    positions = pd.Index(range(1, 13), name="fiscal_month")
    if len(monthly) < MIN_SEASONAL_MONTHS:
        return Seasonality(pd.Series(1.0, index=positions), len(monthly), False,
                           f"Quotas are phased evenly: the history has {len(monthly)} complete "
                           f"months of bookings and measuring seasonality needs "
                           f"{MIN_SEASONAL_MONTHS}.")
    values = monthly.to_numpy(float)
    kernel = np.r_[0.5, np.ones(11), 0.5] / 12
    centred = np.convolve(values, kernel, mode="valid")  # centred on months 6 .. n-7
    ratios = values[6:len(values) - 6] / np.where(centred > 0, centred, np.nan)
    months = monthly.index[6:len(values) - 6]
    by_month = pd.Series(ratios, index=fiscal_month(months, calendar)).dropna().groupby(level=0)
    index = by_month.mean().reindex(positions)
    if index.isna().any() or (by_month.size() < 2).any():
        return Seasonality(pd.Series(1.0, index=positions), len(monthly), False,
                           "Quotas are phased evenly: some months of the history had no "
                           "bookings around them to measure seasonality against.")
    p_value = float(f_oneway(*[g.to_numpy() for _, g in by_month]).pvalue)
    if not p_value <= SEASONALITY_ALPHA:  # NaN (every month alike) is no pattern either
        return Seasonality(pd.Series(1.0, index=positions), len(monthly), False,
                           f"Quotas are phased evenly: the monthly bookings of the last "
                           f"{len(monthly)} months show no seasonal pattern beyond noise.",
                           p_value)
    return Seasonality((index / index.mean()).rename("factor"), len(monthly), True, "", p_value)


def fiscal_month(months: pd.DatetimeIndex | pd.Series, calendar: FiscalCalendar) -> np.ndarray:
    """Position 1..12 of each month in its fiscal year."""
    m = pd.DatetimeIndex(months).month.to_numpy()
    return (m - calendar.start_month) % 12 + 1


def phase(quotas: pd.DataFrame, seats: pd.DataFrame, season: Seasonality, freq: str = "quarter",
          calendar: FiscalCalendar | None = None) -> pd.DataFrame:
    """The canonical ``quotas`` table (rep_id, period_start, period_end, quota_amount): each rep's
    ``quota_cents`` (from an ``Allocation.reps``) split over the plan's months or quarters.

    A period's weight is the seasonal index x effective months of its months (``seats`` from
    ``quotas.seat_months``); periods the rep is not employed in get no row; rows sum to the
    annual quota exactly in cents.
    """
    if freq not in PHASING_FREQS:
        raise ValueError(f"phasing must be one of {', '.join(PHASING_FREQS)}, got {freq!r}")
    calendar = calendar or FiscalCalendar()
    cells = seats.assign(weight=seats["effective"].to_numpy(float)
                         * season.factor.reindex(fiscal_month(seats["month"], calendar)).to_numpy(float))
    cells["period_start"] = calendar.period_start(cells["month"], freq)
    periods = cells.groupby(["rep_id", "period_start"], as_index=False, sort=True).agg(
        weight=("weight", "sum"))
    periods["period_end"] = [calendar.period(s, freq).end for s in periods["period_start"]]
    annual = quotas.set_index(quotas["rep_id"].astype(str))["quota_cents"]
    missing = sorted(set(annual.index) - set(periods["rep_id"]))
    if missing:
        raise ValueError(f"rep {missing[0]} has a quota but no month employed in the plan year")
    periods = periods.loc[periods["rep_id"].isin(annual.index)].reset_index(drop=True)
    cents = np.zeros(len(periods), dtype=np.int64)
    for rep, rows in periods.groupby("rep_id").indices.items():
        total = int(annual[rep])
        w = periods["weight"].to_numpy(float)[rows]
        if total and w.sum() <= 0:
            raise ValueError(f"rep {rep} has a quota of {total / 100:,.2f} but no productive month "
                             "in the plan year (ramp share 0 throughout)")
        cents[rows] = split_cents(w, total) if total else 0
    periods["quota_amount"] = cents / 100
    return periods[list(QUOTA_TABLE_COLUMNS)]
