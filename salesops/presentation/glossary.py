"""The reports' glossary: every abbreviation and piece of jargon a report may use, with one plain
sentence each, and which of them a given text uses (the report's glossary lists only those)."""

from __future__ import annotations

import re

#: Term as written in the reports -> one plain sentence. A term with a capital letter (an
#: abbreviation or a name) matches only as written; an all-lowercase term in any case.
TERMS: dict[str, str] = {
    "ACV": "Annual contract value: what a contract is worth per year.",
    "AE": "Account executive: a quota-carrying sales rep who closes deals.",
    "ARIMA": "Autoregressive integrated moving average: a statistical forecasting method that "
             "projects a series from its own recent values and recent errors.",
    "ARR": "Annual recurring revenue: the yearly value of subscriptions in force.",
    "CES": "Complex exponential smoothing: a forecasting method that smooths the series and "
           "its recent momentum together, without assuming a fixed trend.",
    "CRM": "Customer relationship management system: where the sales team records accounts, "
           "deals and their stages (such as Salesforce or HubSpot).",
    "CV": "Coefficient of variation: the standard deviation divided by the average; the higher "
          "it is, the less steady the figure from month to month.",
    "CSV": "Comma-separated values: a plain-text table file that any spreadsheet opens.",
    "Damped Holt": "A forecasting method that follows the level and trend of a series and "
                   "lets the trend flatten out over time.",
    "ETS": "Error, trend, seasonality: exponential smoothing that models the level, trend and "
           "seasonal pattern of a series.",
    "LP": "Linear programming relaxation: the assignment model solved with accounts allowed to "
          "be split between territories; fast, and it bounds how good any plan can be.",
    "M3": "A public collection of 3,003 business and economic series from a forecasting "
          "competition, used to compare forecasting methods.",
    "MILP": "Mixed-integer linear program: an optimisation model whose choices are whole (each "
            "account goes to exactly one territory), solved by a solver.",
    "MAPE": "Mean absolute percentage error: the average miss of a forecast as a percentage "
            "of the actual value (0% is perfect).",
    "MASE": "Mean absolute scaled error: a forecast's average miss divided by that of the "
            "seasonal naive forecast; below 1 beats it.",
    "Monte Carlo": "A simulation that draws many random scenarios and reports the spread of "
                   "their results.",
    "OTE": "On-target earnings: base salary plus the variable pay a rep earns at exactly 100% "
           "of quota.",
    "P10": "The low end of a forecast range: a 10% chance that the outcome is below it.",
    "P50": "The middle of a forecast range: as likely to be beaten as missed.",
    "P90": "The high end of a forecast range: a 90% chance that the outcome is below it.",
    "QoQ": "Quarter over quarter: compared with the same point of the previous quarter.",
    "QTD": "Quarter to date: from the first day of the quarter up to the as-of date.",
    "SMB": "Small and medium-sized businesses: the segment of smaller customer accounts.",
    "SDR": "Sales development rep: books first meetings for the account executives.",
    "SES": "Simple exponential smoothing: a forecast that is a weighted average of past values, "
           "recent ones weighing most, with no trend.",
    "SPIF": "Sales performance incentive fund: a short-term bonus for selling a particular "
            "product or deal.",
    "Theta": "A forecasting method that blends a straight-line trend with exponential "
             "smoothing; it did well on the M3 competition series.",
    "TI": "Target incentive: the variable pay a rep earns at exactly 100% of quota.",
    "YoY": "Year over year: compared with the same point one year earlier.",
    "YTD": "Year to date: from the first day of the fiscal year up to the as-of date.",
    "sMAPE": "Symmetric mean absolute percentage error: the average miss of a forecast as a "
             "percentage of the average of forecast and actual (0% is perfect).",
    "accelerator": "A higher commission rate paid on bookings above a threshold, usually "
                   "above quota.",
    "attainment": "Bookings divided by quota, as a percentage.",
    "backtest": "A check of a forecasting method on the past: it forecasts earlier periods from "
                "the data before them and compares with what happened.",
    "bias": "How far a forecast is off on average in one direction; above 0 means it "
            "forecast too high.",
    "best case": "A rep's call of what could close this period: the commit plus deals that "
                 "might also close.",
    "bridge": "A table that walks from the pipeline on one date to the pipeline on a later date, "
              "step by step: new deals, deals pulled in, won, lost, pushed out, larger and "
              "smaller amounts.",
    "clawback": "Commission taken back when a deal it was paid on is cancelled or refunded.",
    "commit": "A rep's call of the deals that will close this period.",
    "cost of sales": "Variable pay as a share of the bookings it paid for.",
    "coverage": "Open pipeline expected to close in a period divided by what is still needed "
                "to reach its quota, written like 1.1x.",
    "decelerator": "A lower commission rate paid on bookings past a threshold, such as above "
                   "150% of quota.",
    "forecast category": "A rep's call on a deal: pipeline, best case or commit (omitted: "
                         "left out of the forecast).",
    "optimist": "A rep whose commit calls are consistently above what they then win (3 quarters "
                "in 4 or more, by over 10%).",
    "prediction interval": "The range the outcome is expected to fall in with a stated "
                           "probability, such as 80%.",
    "pulled in": "A deal whose expected close date moved into the period from outside it.",
    "pushed out": "A deal whose expected close date moved out of the period, usually to a later "
                  "one.",
    "quartile": "One of four equal groups after ranking by a figure; the top quartile is the "
                "best quarter of the group.",
    "ramp": "The months a new rep takes to reach full productivity.",
    "rank correlation": "How closely two rankings agree, from -1 (reversed) through 0 "
                        "(unrelated) to 1 (the same order).",
    "run-rate": ("Bookings expected from deals not created yet, at the rate such deals were created "
                 "and won in the past."),
    "sandbagger": "A rep whose commit calls are consistently below what they then win (3 "
                  "quarters in 4 or more, by over 10%).",
    "sandbagging": "Calling deals later or smaller than they are likely to be.",
    "seasonal naive": "A forecast that repeats the value of the same period one year earlier.",
    "slippage": "Deals whose expected close date moved out of the quarter they were committed "
                "to (in commit with a close date in that quarter).",
    "transition matrix": "A table counting deals by their forecast category on one date (rows) "
                         "and on a later date (columns).",
    "velocity": "How fast deals move from creation to close.",
    "waterfall": "A chart of floating bars that walks from a starting figure to an ending one, "
                 "each bar one step up or down.",
    "win rate": "The share of closed deals, won or lost, that were won.",
}


def _pattern(term: str) -> re.Pattern[str]:
    """The term as a whole word (a plural "s" allowed); a space or hyphen in it matches either,
    and an all-lowercase term matches in any case."""
    body = r"[\s-]+".join(re.escape(word) for word in re.split(r"[\s-]+", term))
    flags = re.IGNORECASE if term.islower() else 0
    return re.compile(rf"(?<![\w-]){body}(?:e?s)?(?![\w])", flags)


_PATTERNS = {term: _pattern(term) for term in TERMS}


def used_terms(text: str) -> list[str]:
    """The glossary terms ``text`` uses, in alphabetical order (case aside)."""
    return sorted((t for t, p in _PATTERNS.items() if p.search(text)), key=str.casefold)
