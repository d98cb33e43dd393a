"""Data-quality report pieces: sentences, tables and a chart for ingest and CRM hygiene results."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure

from salesops.analysis.hygiene import CHECKS, Hygiene
from salesops.data.quality import QualityReport
from salesops.data.scope import Scope
from salesops.presentation import formatting
from salesops.presentation.formatting import count, plural
from salesops.presentation.headline import Headline
from salesops.presentation.html import paragraphs
from salesops.presentation.narrative import join_clauses, sentence
from salesops.presentation.style import (
    MAX_WIDTH,
    PALETTE,
    bar_labels,
    figure_height_for,
    legend_outside,
    money_axis,
    new_figure,
)
from salesops.presentation.tables import departed, limited, report_table


def readable(check: str) -> str:
    """A check code as words: 'unknown_reference' -> 'unknown reference'."""
    return check.replace("_", " ")


def ingest_sentences(report: QualityReport) -> list[str]:
    """How many rows were usable and, if not all, the main reasons with their counts."""
    if report.counts.empty:
        return ["This dataset was not loaded by salesops ingest, so no row counts were recorded."]
    n_in, n_bad = report.rows_in, report.rows_quarantined
    tables = len(report.counts)
    if n_bad == 0:
        where = f"the {report.counts['table'].iloc[0]} table" if tables == 1 else \
            f"the {tables} tables"
        first = f"All {count(n_in)} rows of {where} passed validation; none was quarantined"
    else:
        which = ("each is listed below" if report.scope.is_company else
                 f"those attributable to {report.scope.label} are listed below, each")
        first = (f"{count(n_bad)} of {count(n_in)} rows ({quarantined_share(report)}) were "
                 f"quarantined and left out of every report; {which} with its file, line and "
                 "reason")
    out = [sentence(first)]
    if n_bad:
        top = report.reasons.head(3)
        out.append(sentence("Main reasons: " + join_clauses(
            [f"{readable(r.check)} in {r.table} ({count(r.problems)})"
             for r in top.itertuples()])))
    if report.warnings:
        out.append(sentence(f"Loading left {plural(len(report.warnings), 'note')} on the data, "
                            "listed under Loading"))
    return out


def quarantined_share(report: QualityReport) -> str:
    """Quarantined rows as a share of rows in: two decimals under 1% (never a misleading 0%)."""
    share = report.rows_quarantined / report.rows_in
    return formatting.pct(share, 2 if 0 < share < 0.01 else 0)


def as_of_sentence(day: pd.Timestamp) -> str:
    """The date the report reads the data as of."""
    return f"The data as known on {day:%Y-%m-%d}: open deals, owners and stages on that date."


def hygiene_sentences(result: Hygiene, stale_days: int, currency: str = "USD") -> list[str]:
    """Open deals needing attention (each once, with their known value and share) by check, the
    unknown values, and the rep with the most flagged pipeline (or, when no flagged value is
    known, the most flagged deals)."""
    open_deals = result.open_deals
    if not result.available["hygiene"]:
        return [result.available["hygiene"].reason]
    if len(open_deals) == 0:
        return ["There are no open deals on this date."]
    n_open, unknown = len(open_deals), int(open_deals["amount"].isna().sum())
    known = open_deals["amount"].sum(min_count=1)
    money = formatting.money(known, currency, True)
    if unknown == n_open:
        worth = f"Of {plural(n_open, 'open deal')} (none with a known amount)"
    elif unknown:
        worth = (f"Of {plural(n_open, 'open deal')} ({count(n_open - unknown)} worth {money}; "
                 f"{count(unknown)} of unknown value)")
    else:
        worth = f"Of {plural(n_open, 'open deal')} worth {money}"
    phrases = {"past_due": "past their expected close date",
               "no_close_date": "without an expected close date",
               "stale": f"without a stage change for over {stale_days} days",
               "no_forecast_category": "without a forecast category",
               "no_amount": "without an amount", "zero_amount": "with an amount of zero"}
    hits = [r for r in result.summary.itertuples() if r.deals]
    if not hits:
        every = ("The only open deal passes" if n_open == 1
                 else f"All {count(n_open)} open deals pass")
        return [sentence(f"{every} the hygiene checks that the data allows")]
    n = len(result.flagged)
    value = ("" if formatting.missing(result.flagged_value) else
             f", worth {formatting.money(result.flagged_value, currency, True)}"
             + ("" if formatting.missing(result.flagged_share) else
                f" ({formatting.pct(result.flagged_share)} of the known open value)"))
    need = "needs" if n == 1 else "need"
    both = " (a deal can fail more than one check)" if sum(r.deals for r in hits) > n else ""
    out = [sentence(f"{worth}, {count(n)} ({formatting.pct(n / n_open)}) {need} attention"
                    f"{value}: " + join_clauses([f"{count(r.deals)} {phrases[r.check]}"
                                                  for r in hits]) + both)]
    if unknown:
        out.append(sentence("A deal without an amount counts as a deal, but its value is "
                            "unknown: it is left out of every value in this report, never "
                            "counted as $0"))
    worst = _worst_rep(result.by_rep)
    if worst is not None:
        left = worst.get("left")
        about = [t for t in (worst["team"] if isinstance(worst["team"], str) else None,
                             None if pd.isna(left) else f"left {left:%Y-%m}") if t]
        who = worst["name"] + (f" ({', '.join(about)})" if about else "")
        if worst["flagged_value"] > 0:
            out.append(sentence(
                f"{who} has the most flagged pipeline: "
                f"{formatting.money(worst['flagged_value'], currency, True)}, "
                f"{formatting.pct(worst['flagged_share'])} of their open value of known amount"))
        else:
            out.append(sentence(f"{who} has the most flagged open deals: "
                                f"{count(worst['flagged_deals'])} of their "
                                f"{count(worst['open_deals'])}"))
    return out


def headline(result: Hygiene, report: QualityReport, day: pd.Timestamp,
             currency: str = "USD") -> list[Headline]:
    """The cover page's numbers: rows loaded, rows quarantined (both the whole export's, which a
    scoped cover says), and the open pipeline flagged (its share of the known open value;
    without one, the flagged deals)."""
    period, items = f"{day:%Y-%m-%d}", []
    whole = "" if report.scope.is_company else f"the whole export, not only {report.scope.label}"
    if len(report.counts):
        items += [Headline("rows_in", "Rows loaded", float(report.rows_in),
                           count(report.rows_in), period, whole),
                  Headline("rows_quarantined", "Rows quarantined",
                           float(report.rows_quarantined),
                           f"{count(report.rows_quarantined)} ({quarantined_share(report)})",
                           period, whole and f"{whole}; the report lists {report.scope.label}'s")]
    if result.available["hygiene"] and len(result.open_deals):
        share, n = result.flagged_share, len(result.flagged)
        text = (plural(n, "deal") if formatting.missing(share) else
                f"{formatting.pct(share)} "
                f"({formatting.money(result.flagged_value, currency, compact=True)})")
        items.append(Headline("open_flagged", "Open pipeline needing attention",
                              None if formatting.missing(share) else float(share), text, period,
                              f"{plural(n, 'open deal')} flagged"))
    return items


def scope_sentences(reps: int, scope: Scope) -> list[str]:
    """What a scoped report covers (nothing to say for the company): its reps' deals and
    quarantined rows; the row counts of loading are the whole dataset's."""
    if scope.is_company:
        return []
    who = plural(reps, "rep")
    return [sentence(f"This report covers {scope.label} ({who} known on this date): hygiene, reps "
                    "and quarantined rows are theirs only; the row counts of loading are for the "
                    "whole dataset")]


def unlisted_sentence(report: QualityReport) -> str | None:
    """How many quarantined rows are not listed because they are not the scope's (None: all are
    listed)."""
    n = report.unlisted
    if not n:
        return None
    rows = "1 other quarantined row is" if n == 1 else f"{count(n)} other quarantined rows are"
    return sentence(f"{rows} not attributable to {report.scope.label} and not listed")


def skipped_sentences(result: Hygiene) -> list[str]:
    """Why each hygiene check the data cannot support was not run (none if hygiene itself is
    unavailable: its own sentence says so)."""
    if not result.available["hygiene"]:
        return []
    return [av.reason for check, av in result.available.items() if check in CHECKS and not av]


def _worst_rep(by_rep: pd.DataFrame) -> pd.Series | None:
    """The rep with the most flagged known value, else with the most flagged deals; None if
    no deal is flagged."""
    flagged = by_rep.loc[by_rep["flagged_deals"] > 0]
    if flagged.empty:
        return None
    if (flagged["flagged_value"] > 0).any():
        return flagged.loc[flagged["flagged_value"].idxmax()]
    return flagged.sort_values(["flagged_deals", "name"], ascending=[False, True]).iloc[0]


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
    """The first ``max_rows`` quarantined rows with file, line, column and reason (escaped); a
    cut list says so (every row is in quarantine.csv beside the processed data)."""
    shown = report.quarantine.head(max_rows)
    n = len(report.quarantine)
    caption = ("Quarantined rows" if n <= max_rows else
               f"Quarantined rows: first {count(len(shown))} of {count(n)} shown, in file "
               "order; all are in quarantine.csv beside the processed data")
    cols = {"table": ("Table", None), "file": ("File", None), "line": ("Line", "int"),
            "column": ("Column", None), "reason": ("Reason", None)}
    return report_table(shown, cols, caption=caption)


def _value_or_unknown(currency: str):
    """Money formatter that writes a missing value as 'unknown' (no known amount), never $0."""
    return lambda v: "unknown" if formatting.missing(v) else formatting.money(v, currency)


def contents_table(contents: pd.DataFrame):
    """"What your data has": tables present or derived, optional columns missing, and the
    report sections that disables."""
    cols = {"table": ("Table", None), "in_data": ("In your data", None),
            "missing_columns": ("Optional columns missing", None),
            "disables": ("Report sections this disables", None)}
    return report_table(contents, cols, caption="What your data has",
                        bad={"disables": contents["disables"] != ""})


def hygiene_table(summary: pd.DataFrame, currency: str = "USD"):
    """Per check run: what it means, deals flagged, their known value and how many have no
    amount, share of open deals and of known open value."""
    data = summary.assign(check=summary["check"].map(readable))
    cols = {"check": ("Check", None), "meaning": ("Meaning", None), "deals": ("Deals", "int"),
            "value": ("Value (known amounts)", _value_or_unknown(currency)),
            "unknown_value_deals": ("Of which amount unknown", "int"),
            "deal_share": ("Share of open deals", "pct"),
            "value_share": ("Share of known open value", "pct")}
    return report_table(data, cols, currency, caption="CRM hygiene of open deals")


def hygiene_rep_table(by_rep: pd.DataFrame, checks: list[str], show_team: bool,
                      currency: str = "USD", max_rows: int = 15) -> HTML:
    """Reps with flagged open deals, most flagged value first (a rep who left marked): deals
    per check that flagged any (the reason), flagged value of known amount; flagged share >=
    25% highlighted; cut to ``max_rows`` with every rep expandable."""
    flagged = by_rep.loc[by_rep["flagged_deals"] > 0]
    hit = [c for c in checks if c != "no_amount" and flagged[c].sum() > 0]
    cols = {"name": ("Rep", None), **({"team": ("Team", None)} if show_team else {}),
            "open_deals": ("Open deals", "int"),
            "open_value": ("Open value (known)", _value_or_unknown(currency)),
            "unknown_value_deals": ("Without amount", "int"),
            **{c: (readable(c).capitalize(), "int") for c in hit},
            "flagged_deals": ("Flagged deals", "int"),
            "flagged_value": ("Flagged value (known)", _value_or_unknown(currency)),
            "flagged_share": ("Flagged share", "pct")}

    def render(rows: pd.DataFrame):
        return report_table(rows, cols, currency, caption="Reps with flagged open deals (a deal "
                            "counts once however many checks it fails; 25% or more of their "
                            "open value flagged in red)",
                            bad={"flagged_share": rows["flagged_share"] >= 0.25})

    return limited(departed(flagged), render, max_rows, noun="reps",
                   order="flagged value")


def incomplete_table(incomplete: pd.DataFrame, max_rows: int = 50) -> HTML:
    """Open deals without an amount or an expected close date: owner (a departed owner
    marked), stage and reason; cut to ``max_rows`` with every deal expandable."""
    cols = {"name": ("Rep", None), "opportunity_id": ("Deal", None), "stage": ("Stage", None),
            "reason": ("Reason", None)}
    return limited(departed(incomplete),
                   lambda rows: report_table(rows, cols, caption="Open deals without an amount "
                                             "or an expected close date"),
                   max_rows, noun="deals", order="owner")


def incomplete_sentence(incomplete: pd.DataFrame) -> str:
    """How many open deals lack an amount or an expected close date (or that none does)."""
    n = len(incomplete)
    if n == 1:
        return sentence("1 open deal lacks an amount or an expected close date; ask its owner "
                        "to complete it")
    if n:
        return sentence(f"{count(n)} open deals lack an amount or an expected close date; ask their "
                        "owners to complete them")
    return "Every open deal has an amount and an expected close date."


def flagged_by_team_chart(issues: pd.DataFrame, reps: pd.DataFrame, currency: str = "USD"
                          ) -> Figure | HTML:
    """Stacked horizontal bars: flagged open value of known amount per team, split by check
    (each colour in the key below), the team's total at the bar's end; a sentence instead when
    no flagged deal has a known amount (an empty chart says nothing)."""
    data = issues.merge(reps[["rep_id", "team"]], on="rep_id", how="left").dropna(
        subset=["amount"])
    if not (data["amount"] > 0).any():
        return paragraphs(["No flagged open deal has a known amount, so there is no flagged "
                           "value to chart."])
    table = data.pivot_table(index="team", columns="check", values="amount", aggfunc="sum",
                             fill_value=0.0).reindex(columns=list(CHECKS), fill_value=0.0)
    table = table.loc[:, table.sum() > 0]
    table = table.loc[table.sum(axis=1).sort_values().index]
    fig, ax = new_figure(MAX_WIDTH, figure_height_for(len(table), per_row=0.5))
    left = pd.Series(0.0, index=table.index)
    for color, check in zip(PALETTE, table.columns, strict=False):
        ax.barh(table.index, table[check], left=left, color=color, label=readable(check))
        left += table[check]
    totals = ax.barh(table.index, left, color="none")  # unlabelled: carries the totals' labels
    bar_labels(ax, totals, lambda v: formatting.money(v, currency, compact=True))
    money_axis(ax, currency, "x")
    ax.set_xlabel("Flagged value (known amounts, per check)")  # short: the chart fits phones
    ax.set_title("Open pipeline needing attention, by team")
    legend_outside(ax, "below")
    return fig
