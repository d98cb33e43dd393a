import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from salesops.presentation.forecast_charts import (  # noqa: E402
    accuracy_chart,
    fan_chart,
    waterfall_chart,
)


def test_fan_chart_draws_history_forecast_and_bands():
    history = pd.Series([10.0, 12.0, 11.0],
                        index=pd.to_datetime(["2026-01-01", "2026-04-01", "2026-07-01"]))
    fc = pd.DataFrame({"period_start": pd.to_datetime(["2026-10-01", "2027-01-01"]),
                       "forecast": [12.0, 13.0], "lower80": [10.0, 10.0], "upper80": [14, 16],
                       "lower95": [9.0, 8.0], "upper95": [15.0, 18.0]})
    fig = fan_chart(history, fc, "Bookings <script>")
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Bookings <script>"
    assert len(ax.lines) == 2 and len(ax.collections) == 2
    forecast_line = ax.lines[1]
    assert list(forecast_line.get_ydata()) == [11.0, 12.0, 13.0]  # joined to the last actual
    plt.close(fig)


def test_waterfall_bars_stack_to_total():
    steps = pd.DataFrame({"step": ["Booked", "Commit", "Run-rate"], "amount": [5.0, 3.0, 2.0]})
    fig = waterfall_chart(steps, "Q4", quota=12.0)
    bars = fig.axes[0].patches
    assert [b.get_y() for b in bars] == [0.0, 5.0, 8.0, 0.0]
    assert bars[-1].get_height() == 10.0
    plt.close(fig)


def test_accuracy_chart_two_panels():
    table = pd.DataFrame({
        "period": ["Q1", "Q2"], "actual": [10.0, 12.0], "pipeline": [11.0, 11.0],
        "pipeline_p10": [9.0, 9.5], "pipeline_p90": [13.0, 12.5], "time_series": [9.0, 13.0],
        "pipeline_pct_error": [0.1, -0.083], "time_series_pct_error": [-0.1, 0.083],
    })
    fig = accuracy_chart(table)
    assert len(fig.axes) == 2
    plt.close(fig)
