"""Data-quality report pieces: sentences, tables and a chart for ingest and CRM hygiene results."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from salesops.analysis.hygiene import CHECKS
from salesops.data.quality import QualityReport
from salesops.presentation import formatting
from salesops.presentation.narrative import join_clauses, sentence
from salesops.presentation.style import PALETTE, figure_height_for, money_axis, new_figure
from salesops.presentation.tables import report_table


def readable(check: str) -> str:
    """A check code as words: 'unknown_reference' -> 'unknown reference'."""
    return check.replace("_", " ")


def ingest_sentences(report: QualityReport) -> list[str]:
    """How many rows were usable and, if not all, the main reasons with their counts."""
    if report.counts.empty:
        return ["This dataset was not loaded by `salesops ingest`, so no row counts were recorded."]
    n_in, n_bad = report.rows_in, report.rows_quarantined
    tables = len(report.counts)
    if n_bad == 0:
        first = f"All {n_in:,} rows of the {tables} tables passed validation; none was quarantined"
    else:
        share = formatting.pct(n_bad / n_in, 2 if n_bad / n_in < 0.01 else 0)
        first = (f"{n_bad:,} of {n_in:,} rows ({share}) were quarantined and left out of every "
                 "report; each is listed below with its file, line and reason")
    out = [sentence(first)]
    if n_bad:
        top = report.reasons.head(3)
        out.append(sentence("Main reasons: " + join_clauses(
            [f"{readable(r.check)} in {r.table} ({r.problems:,})" for r in top.itertuples()])))
    if report.warnings:
        out.append(sentence(f"{len(report.warnings)} warning(s) were raised while loading"))
    return out


def hygiene_sentences(summary: pd.DataFrame, by_rep: pd.DataFrame, n_open: int, open_value: float,
                      stale_days: int, currency: str = "USD") -> list[str]:
    """Open deals needing attention, by check, and the rep with the most flagged value."""
    if n_open == 0:
        return ["There are no open deals on this date."]
    phrases = {"past_due": "past their expected close date",
               "stale": f"without a stage change for over {stale_days} days",
               "no_forecast_category": "without a forecast category", "no_amount": "with no amount"}
    parts = [f"{r.deals:,} {phrases[r.check]}" for r in summary.itertuples() if r.deals]
    if not parts:
        return [sentence(f"All {n_open:,} open deals ({formatting.money(open_value, currency, True)}) "
                         "pass the hygiene checks")]
    out = [sentence(f"Of {n_open:,} open deals worth {formatting.money(open_value, currency, True)}: "
                    + join_clauses(parts))]
    worst = by_rep.iloc[0] if len(by_rep) else None
    if worst is not None and worst["flagged_value"] > 0:
        out.append(sentence(
            f"{worst['name']} ({worst['team']}) has the most flagged pipeline: "
            f"{formatting.money(worst['flagged_value'], currency, True)}, "
            f"{formatting.pct(worst['flagged_share'])} of their open value"))
    return out


def counts_table(report: QualityReport):
    """Rows in, kept and quarantined per table; tables with quarantined rows highlighted."""
    cols = {"table": ("Table", None), "file": ("File", None), "rows_in": ("Rows in", "int"),
            "rows_kept": ("Kept", "int"), "rows_quarantined": ("Quarantined", "int"),
            "blank_rows_skipped": ("Blank rows skipped", "int")}
    return report_table(report.counts, cols, caption="Rows per table (in = kept + quarantined)",
                        bad={"rows_quarantined": report.counts["rows_quarantined"] > 0})


def reasons_table(report: QualityReport):
    """Problems per table and check."""
    data = report.reasons.assign(check=report.reasons["check"].map(readable))
    cols = {"table": ("Table", None), "check": ("Reason", None), "problems": ("Rows", "int")}
    return report_table(data, cols, caption="Quarantine reasons")


def quarantine_table(report: QualityReport, max_rows: int = 50):
    """The first ``max_rows`` quarantined rows with file, line, column and reason (escaped)."""
    shown = report.quarantine.head(max_rows)
    more = len(report.quarantine) - len(shown)
    caption = "Quarantined rows" + (f" (first {len(shown)}; {more:,} more in quarantine.csv)"
                                    if more > 0 else "")
    cols = {"table": ("Table", None), "file": ("File", None), "line": ("Line", "int"),
            "column": ("Column", None), "reason": ("Reason", None)}
    return report_table(shown, cols, caption=caption)


def hygiene_table(summary: pd.DataFrame, currency: str = "USD"):
    """Per check: what it means, deals and value flagged, share of open deals and value."""
    data = summary.assign(check=summary["check"].map(readable))
    cols = {"check": ("Check", None), "meaning": ("Meaning", None), "deals": ("Deals", "int"),
            "value": ("Value", "money"), "deal_share": ("Share of open deals", "pct"),
            "value_share": ("Share of open value", "pct")}
    return report_table(data, cols, currency, caption="CRM hygiene of open deals")


def hygiene_rep_table(by_rep: pd.DataFrame, currency: str = "USD", max_rows: int = 15):
    """Reps with the most flagged open value; flagged share >= 25% highlighted."""
    shown = by_rep.loc[by_rep["flagged_value"] > 0].head(max_rows)
    cols = {"name": ("Rep", None), "team": ("Team", None), "open_deals": ("Open deals", "int"),
            "open_value": ("Open value", "money"),
            **{c: (readable(c).capitalize(), "int") for c in CHECKS},
            "flagged_value": ("Flagged value", "money"), "flagged_share": ("Flagged share", "pct")}
    return report_table(shown, cols, currency, caption=f"Reps with the most flagged pipeline "
                        f"(top {len(shown)})", bad={"flagged_share": shown["flagged_share"] >= 0.25})


def flagged_by_team_chart(issues: pd.DataFrame, reps: pd.DataFrame, currency: str = "USD") -> Figure:
    """Stacked horizontal bars: flagged open value per team, split by check."""
    data = issues.merge(reps[["rep_id", "team"]], on="rep_id", how="left")
    table = data.pivot_table(index="team", columns="check", values="amount", aggfunc="sum",
                             fill_value=0.0).reindex(columns=list(CHECKS), fill_value=0.0)
    table = table.loc[table.sum(axis=1).sort_values().index]
    fig, ax = new_figure(9, figure_height_for(len(table), per_row=0.5))
    left = pd.Series(0.0, index=table.index)
    for i, check in enumerate(CHECKS):
        ax.barh(table.index, table[check], left=left, color=PALETTE[i], label=readable(check))
        left += table[check]
    money_axis(ax, currency, "x")
    ax.set_xlabel(f"Open value flagged ({currency}; a deal failing two checks counts in both)")
    ax.set_title("Open pipeline needing attention, by team")
    ax.legend(loc="lower right")
    return fig
