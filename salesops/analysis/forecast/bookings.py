"""Time-series forecast of bookings for the total and each dimension member, reconciled.

Each series is forecast with the automatic method (``auto.auto_forecast``); the members are
then reconciled with the total (``reconcile``) so that the region forecasts add up.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from salesops.analysis.forecast.auto import SeriesForecast, auto_forecast
from salesops.analysis.forecast.reconcile import reconcile
from salesops.analysis.forecast.series import SUB_SEASONS, TOTAL, current_period, season_length
from salesops.data.periods import FiscalCalendar, Period

FORECAST_COLUMNS = ["series", "period_start", "period", "forecast", "lower80", "upper80",
                    "lower95", "upper95", "method"]


@dataclass(frozen=True)
class BookingsForecast:
    """Reconciled forecasts (tidy), the per-series results, and the history they came from."""

    freq: str
    history: pd.DataFrame  # wide: period_start x series, including TOTAL
    forecasts: pd.DataFrame  # FORECAST_COLUMNS, reconciled
    results: dict[str, SeriesForecast]

    def model_table(self) -> pd.DataFrame:
        """Backtest accuracy of every candidate per series, with the chosen one flagged."""
        frames = []
        for name, res in self.results.items():
            if res.backtest.empty:
                continue
            frames.append(res.backtest.assign(series=name, chosen=res.backtest["model"] == res.method))
        if not frames:
            return pd.DataFrame(columns=["series", "model", "smape", "mape", "mase", "bias",
                                         "origins", "chosen"])
        table = pd.concat(frames, ignore_index=True)
        return table[["series", *[c for c in table.columns if c != "series"]]]

    def reasons(self) -> pd.DataFrame:
        """The method used for each series and why."""
        return pd.DataFrame([{"series": k, "method": r.method, "reason": r.reason}
                             for k, r in self.results.items()])


def forecast_bookings(
    history: pd.DataFrame, calendar: FiscalCalendar, freq: str, horizon: int,
    as_of: pd.Timestamp, origins: int = 3, select: str = "combination",
) -> BookingsForecast:
    """Forecast the total and every column of ``history`` (from ``bookings_by_period``) for
    the period containing ``as_of`` and the ``horizon - 1`` after it; ``select`` as in
    ``auto_forecast`` (the default combination, or each series' best backtested model).

    The total is the sum of the columns; a history with only the ``TOTAL`` column (no
    dimension) is forecast as it is, and nothing is reconciled.
    """
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1, got {horizon}")
    m = season_length(freq)
    members = [c for c in history.columns if c != TOTAL]
    wide = history[members].copy()
    wide[TOTAL] = wide.sum(axis=1) if members else history[TOTAL]
    results = {name: auto_forecast(wide[name].to_numpy(float), horizon, m, origins=origins,
                                   also_periods=SUB_SEASONS[freq], select=select)
               for name in [TOTAL, *members]}
    total_fc = results[TOTAL].forecast
    parts = {n: results[n].forecast for n in members} if len(members) > 1 else {}
    total_fc, parts = reconcile(total_fc, parts)
    periods = next_periods(calendar, as_of, freq, horizon)
    rows = []
    final = {TOTAL: total_fc, **(parts or {n: results[n].forecast for n in members})}
    for name, fc in final.items():
        for i, p in enumerate(periods):
            rows.append({
                "series": name, "period_start": p.start, "period": p.label,
                "forecast": float(fc.mean[i]),
                "lower80": float(fc.intervals[80][0][i]), "upper80": float(fc.intervals[80][1][i]),
                "lower95": float(fc.intervals[95][0][i]), "upper95": float(fc.intervals[95][1][i]),
                "method": results[name].method,
            })
    forecasts = pd.DataFrame(rows, columns=FORECAST_COLUMNS)
    return BookingsForecast(freq, wide, forecasts, results)


def next_periods(calendar: FiscalCalendar, as_of: pd.Timestamp, freq: str, n: int) -> list[Period]:
    """The first period not complete at the end of ``as_of`` (``current_period``: the one
    containing it, or the next when ``as_of`` is its last day) and the ``n - 1`` after it."""
    current = current_period(calendar, as_of, freq)
    return [calendar.shift(current, i) for i in range(n)]
