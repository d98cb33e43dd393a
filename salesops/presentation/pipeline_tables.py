"""Pipeline inspection tables: readable headers, formatted figures, escaped text (via
``tables.report_table``); one function per table of notebooks/pipeline_inspection.ipynb."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import HTML
from pandas.io.formats.style import Styler

from salesops.presentation import pipeline_text as text
from salesops.presentation.pipeline_charts import step_label, waterfall
from salesops.presentation.sections import block
from salesops.presentation.tables import departed, limited, report_table, styled_table

if TYPE_CHECKING:
    from salesops.analysis.inspection.movement import Movement

M = "money_compact"
#: Movement reasons (``inspection.REASONS``) and forecast categories as a reader names them.
REASON_NAMES = {"created": "Created", "won": "Won", "lost": "Lost", "pulled_in": "Pulled in",
                "pushed_out": "Pushed out", "amount_up": "Amount up",
                "amount_down": "Amount down", "category_changed": "Category changed",
                "no_change": "No change"}
CATEGORY_NAMES = {"pipeline": "Pipeline", "best_case": "Best case", "commit": "Commit",
                  "closed": "Closed", "omitted": "Omitted", "won": "Won", "lost": "Lost",
                  "(none)": "No category"}


def _name(value: object, names: dict[str, str]) -> object:
    return names.get(value, value) if isinstance(value, str) else value


def with_names(df: pd.DataFrame, reps: pd.DataFrame | None = None,
               accounts: pd.DataFrame | None = None) -> pd.DataFrame:
    """``df`` with a ``rep`` and an ``account`` column: the name of its ``rep_id`` and
    ``account_id`` where the (scoped) roster has one, else the id; a rep who left is marked
    ('Ana Lee (left 2026-09)')."""
    out = df.copy()
    for key, table, col in (("rep_id", reps, "rep"), ("account_id", accounts, "account")):
        if key not in out:
            continue
        names = pd.Series(dtype=object)
        if table is not None and "name" in table and key in table:
            marked = departed(table, left="termination_date")
            names = marked.drop_duplicates(key).set_index(key)["name"]
        named = out[key].map(names).astype(object)
        out[col] = named.where(named.notna(), out[key])
    return out


def bridge_table(bridge: pd.DataFrame, currency: str = "USD", caption: str = "Pipeline bridge",
                 start: pd.Timestamp | None = None, end: pd.Timestamp | None = None) -> Styler:
    """The waterfall's figures: each step's amount (down steps negative) and deals, start to end."""
    shown = bridge.assign(step=[step_label(s, start, end) for s in bridge["step"].astype(str)])
    return report_table(shown, {"step": ("Step", None), "amount": ("Amount", M),
                                "deals": ("Deals", "int")}, currency, caption)


def moves_table(moves: pd.DataFrame, reps: pd.DataFrame | None = None,
                accounts: pd.DataFrame | None = None, currency: str = "USD",
                caption: str = "Largest moves", limit: int = 15) -> HTML:
    """The largest moves (``inspection.largest_moves``): rep, account, reason, the amount at
    either date and the change (green up, red down; a won deal leaving is no loss); at most
    ``limit`` rows shown, the rest expandable."""
    shown = with_names(moves, reps, accounts)
    shown = shown.assign(reason=shown["reason"].map(lambda r: _name(r, REASON_NAMES)))

    def render(rows: pd.DataFrame) -> Styler:
        return report_table(rows, {
            "opportunity_id": ("Deal", None), "rep": ("Rep", None), "account": ("Account", None),
            "reason": ("Reason", None), "start_amount": ("Amount before", M),
            "end_amount": ("Amount after", M), "change": ("Change", M),
            "start_close": ("Close date before", "date"), "end_close": ("Close date after", "date"),
        }, currency, caption, good={"change": rows["change"] > 0},
            bad={"change": (rows["change"] < 0) & (rows["reason"] != REASON_NAMES["won"])})
    return limited(shown, render, limit, "deals", "size of the change")


def slippage_table(rows: pd.DataFrame, by: str, caption: str,
                   reps: pd.DataFrame | None = None, limit: int = 15) -> HTML:
    """Deals committed to a quarter and how many slipped out of it (``Slippage.by_rep`` or
    ``by_team``; ``by``: "rep" or "team"), highest share first; the rest expandable."""
    shown = with_names(rows, reps) if by == "rep" else rows
    if by == "rep" and "name" in shown:  # the analysis' name where the roster has none
        shown = shown.assign(rep=shown["rep"].where(shown["rep"] != shown["rep_id"],
                                                    shown["name"]))
    shown = shown.sort_values(["share", "committed"], ascending=False, kind="stable")

    def render(part: pd.DataFrame) -> Styler:
        return report_table(part, {"rep": ("Rep", None), "team": ("Team", None),
                                   "committed": ("Committed deals", "int"),
                                   "slipped": ("Slipped", "int"),
                                   "share": ("Share slipped", "pct")}, caption=caption)
    return limited(shown, render, limit, f"{by}s", "share slipped")


def pushed_table(pushed: pd.DataFrame, currency: str = "USD") -> Styler:
    """Closed deals pushed 3+ times against the rest: closed, won, win rate, won amount."""
    first = pushed.columns[0]
    return report_table(pushed, {first: ("Deals", None), "closed": ("Closed", "int"),
                                 "won": ("Won", "int"), "win_rate": ("Win rate", "pct"),
                                 "won_amount": ("Won amount", M)}, currency,
                        "Deals pushed often against the rest")


def transitions_table(matrix: pd.DataFrame, caption: str) -> Styler:
    """The forecast-category transition matrix (``inspection.category_transitions``): deals by
    category at the start (rows) and at the end, or won or lost (columns), by their names."""
    counts = matrix["deals"] if isinstance(matrix.columns, pd.MultiIndex) else matrix
    shown = counts.rename(index=lambda c: _name(c, CATEGORY_NAMES),
                          columns=lambda c: _name(c, CATEGORY_NAMES))
    shown = shown.rename_axis(None).rename_axis(None, axis=1).reset_index(names="At the start")
    return styled_table(shown, {c: "int" for c in shown.columns[1:]}, caption=caption)


def inspect_table(deals: pd.DataFrame, reps: pd.DataFrame | None = None,
                  accounts: pd.DataFrame | None = None, currency: str = "USD",
                  limit: int = 20) -> HTML:
    """The deals to inspect (``inspection.to_inspect``), largest first: rep, account, amount,
    close date, stage, category and why each needs a look; at most ``limit`` shown, the rest
    expandable."""
    shown = with_names(deals, reps, accounts)
    if "forecast_category" in shown:
        shown = shown.assign(forecast_category=shown["forecast_category"].astype(object).map(
            lambda c: _name(c, CATEGORY_NAMES)))

    def render(rows: pd.DataFrame) -> Styler:
        return report_table(rows, {
            "opportunity_id": ("Deal", None), "rep": ("Rep", None), "account": ("Account", None),
            "amount": ("Amount", M), "close_date": ("Close date", "date"),
            "stage": ("Stage", None), "forecast_category": ("Category", None),
            "reasons": ("Why", None),
        }, currency, "Deals to inspect")
    return limited(shown, render, limit, "deals", "amount")


def window_section(label: str, m: Movement, moves: pd.DataFrame,
                   reps: pd.DataFrame | None = None, accounts: pd.DataFrame | None = None,
                   currency: str = "USD") -> HTML:
    """One window of the movement section: its heading, what changed (the summary's sentence)
    and the deals created and won inside it, the waterfall, the bridge table and the largest
    moves (``moves``: ``inspection.largest_moves``)."""
    period = m.period.label
    return block([
        HTML(f"<h3>{html.escape(label)}</h3>"),
        text.movement_sentence(label, m.start, m.end, period, m.bridge, currency),
        text.created_and_won_sentence(int(m.bridge.set_index("step").at["created", "deals"]),
                                      m.created_and_won, label),
        text.unknown_amount_sentence(m.unknown_amount) or None,
        waterfall(m.bridge, f"{label}: {period} pipeline", currency, m.start, m.end),
        bridge_table(m.bridge, currency, f"{label}: {period} pipeline bridge", m.start, m.end),
        moves_table(moves, reps, accounts, currency, f"{label}: largest moves")
        if len(moves) else f"{label}: no deal's amount in the pipeline changed."])
