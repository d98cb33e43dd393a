"""Statement exports: a CSV of every line and one escaped HTML page per rep.

Amounts are shown from integer cents exactly (no float formatting of money on statements).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from itertools import groupby
from pathlib import Path

import pandas as pd

from salesops.analysis.comp.statements import Featured, Statement
from salesops.presentation.formatting import CURRENCY_SYMBOLS, count, plural

#: Highlight of a clawback line on a statement (the tables' "bad" highlight).
MARK = "background-color: #fbe5e3"

KIND_LABELS = {
    "commission": "Commission", "retro_uplift": "Retroactive uplift", "cap": "Cap",
    "true_up": "Annual true-up", "spif": "SPIF", "clawback": "Clawback",
    "guarantee": "Ramp guarantee", "draw": "Draw", "draw_recovery": "Draw recovery",
}


def cents_text(cents: int, currency: str | None = None) -> str:
    """Exact money text from integer cents: -123456 -> '-1,234.56' (with symbol if given)."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(int(cents)), 100)
    symbol = CURRENCY_SYMBOLS.get(currency, "") if currency else ""
    return f"{sign}{symbol}{units:,}.{rest:02d}"


def rate_text(rate: float, unit: str) -> str:
    """A tier rate as read on a statement: '8%' of credited value, or for target-incentive
    plans '150% of target incentive per 100% attainment' (1.5% of it per 1% attainment)."""
    if rate != rate:  # NaN: the line has no rate (draws, SPIFs, adjustments)
        return ""
    text = f"{rate * 100:.4f}".rstrip("0").rstrip(".") + "%"
    return f"{text} of target incentive per 100% attainment" if unit == "target_incentive" else text


def credit_text(credit: float, unit: str, currency: str | None = None) -> str:
    """A line's credit: money to the cent with the currency, or a number of deals."""
    if credit != credit or not credit:
        return ""
    if unit == "deals":
        return f"{credit:,.10g} {'deal' if credit == 1 else 'deals'}"
    return cents_text(round(credit * 100), currency)


def statement_rows(statement: Statement, currency: str | None = None) -> pd.DataFrame:
    """The statement's lines as display text (plain strings, not yet escaped), amounts with the
    ``currency`` symbol when given."""
    lines = statement.lines

    def text(value: object, fmt: str = "{}") -> str:
        return "" if value is None or pd.isna(value) else fmt.format(value)

    return pd.DataFrame({
        "Date": [text(d, "{:%Y-%m-%d}") for d in lines["date"]],
        "Line": [KIND_LABELS.get(str(k), str(k)) for k in lines["kind"]],
        "Measure": [text(m) for m in lines["measure"]],
        "Deal": [text(o) for o in lines["opportunity_id"]],
        "Credit": [credit_text(c, str(u), currency)
                   for c, u in zip(lines["credit"], lines["credit_unit"], strict=True)],
        "Tier": [text(t) for t in lines["tier"]],
        "Rate": [rate_text(r, u) for r, u in zip(lines["rate"], lines["rate_unit"], strict=True)],
        "Amount": [cents_text(a, currency) for a in lines["amount_cents"]],
        "Draw balance": [cents_text(b, currency) if not pd.isna(b) else ""
                         for b in lines["balance_cents"]],
        "Note": [text(n) for n in lines["note"]],
    })


#: Statement columns read as numbers (right-aligned); the others are text.
NUMERIC = ("Credit", "Amount", "Draw balance")


def _table(rows: pd.DataFrame, marked: pd.Series | None = None) -> str:
    """An escaped table; rows where ``marked`` is true get the clawback highlight; numbers
    right-aligned, text left, dates on one line."""
    def cell(column: str, value: object) -> str:
        align = ("text-align:right" if column in NUMERIC else "text-align:left")
        nowrap = ";white-space:nowrap" if column in ("Date", *NUMERIC) else ""
        return f"<td style='{align}{nowrap}'>{html.escape(str(value))}</td>"

    head = "".join(f"<th style='text-align:{'right' if c in NUMERIC else 'left'}'>"
                   f"{html.escape(c)}</th>" for c in rows.columns)
    flags = [False] * len(rows) if marked is None else list(marked)
    body = "".join((f"<tr style='{MARK}'>" if flag else "<tr>")
                   + "".join(cell(c, v) for c, v in zip(rows.columns, r, strict=True)) + "</tr>"
                   for r, flag in zip(rows.itertuples(index=False), flags, strict=True))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def lines_text(n: int) -> str:
    """What the total of a statement with ``n`` lines is."""
    if n == 0:
        return "no line this period"
    return "the one line below" if n == 1 else f"the sum of the {count(n)} lines below"


def statement_section(statement: Statement, currency: str = "USD", with_rep: bool = False) -> str:
    """One period's statement as an escaped HTML section; the total is the sum of the lines, and
    clawback lines are highlighted. ``with_rep`` names the rep in the heading (a statement shown
    on its own)."""
    e = html.escape
    kinds = "".join(f"<li>{e(KIND_LABELS[str(k)])}: {e(cents_text(v, currency))}</li>"
                    for k, v in statement.by_kind.items())
    heading = (f"{statement.rep_name} ({statement.rep_id}), {statement.period_label}" if with_rep
               else statement.period_label)
    marked, h = statement.lines["kind"] == "clawback", 3 if with_rep else 2
    return (f"<section><h{h}>{e(heading)}</h{h}>"
            f"<p>Target incentive (variable pay at 100% of quota) for the period: "
            f"{e(cents_text(statement.target_incentive_cents, currency))}. "
            f"Total: <strong>{e(cents_text(statement.total_cents, currency))}</strong> "
            f"({lines_text(len(statement.lines))}"
            f"{', clawback lines highlighted' if marked.any() else ''}).</p><ul>{kinds}</ul>"
            f"{_table(statement_rows(statement, currency), marked)}</section>")


def featured_caption(featured: Featured, currency: str = "USD") -> str:
    """What the featured statement is and why it was chosen, in one or two sentences."""
    st, unit, latest = featured.statement, featured.unit, featured.latest_complete
    when = (f"{st.period_label}, the latest complete {unit}" if st.period_label == latest
            else f"{st.period_label}, a {unit} still in progress" if not latest
            else f"{st.period_label}, the latest {unit} with one")
    if featured.clawback_lines:
        reversed_ = cents_text(-int(featured.clawback_rows["amount_cents"].sum()), currency)
        before = ("" if st.period_label == latest or not latest else
                  f"No rep had a clawback line in {latest}, the latest complete {unit}. ")
        return (f"{before}Shown: the statement of {st.rep_name} for {when}, the rep with the "
                f"most clawback lines that {unit} ({plural(featured.clawback_lines, 'line')} "
                f"reversing {reversed_}).")
    scope = f"a complete {unit} of the run" if latest else "the run"
    return (f"No rep had a clawback line in {scope}. Shown instead: the best-paid statement of "
            f"{when}, {st.rep_name}'s, {cents_text(st.total_cents, currency)}.")


def featured_section(featured: Featured, currency: str = "USD") -> str:
    """The featured statement under its caption (``featured_caption``)."""
    return (f"<p>{html.escape(featured_caption(featured, currency))}</p>"
            f"{statement_section(featured.statement, currency, with_rep=True)}")


STYLE = ("body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;"
         "font-size:13px}th{background:#f2f5f9;text-align:left}td,th{padding:3px 8px;"
         "border-bottom:1px solid #e5e8ec}td{font-variant-numeric:tabular-nums}")


def rep_page(statements: list[Statement], currency: str = "USD") -> str:
    """A standalone, escaped HTML page with all of one rep's statements, oldest first."""
    first = statements[0]
    title = html.escape(f"Commission statement: {first.rep_name} ({first.rep_id})")
    sections = "".join(statement_section(s, currency)
                       for s in sorted(statements, key=lambda s: s.period))
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
            f"<style>{STYLE}</style></head><body><h1>{title}</h1>"
            f"<p>Plan: {html.escape(first.plan)}. Amounts in {html.escape(currency)}; each line is "
            "rounded half-up to the cent and totals are sums of lines.</p>"
            f"{sections}</body></html>")


def _no_formula(text: object) -> object:
    """Keep spreadsheet apps from running text cells as formulas (CSV injection)."""
    return "'" + text if isinstance(text, str) and text[:1] in ("=", "+", "-", "@") else text


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "rep"


def export_statements(statements: Iterable[Statement], out_dir: str | Path,
                      currency: str = "USD") -> list[Path]:
    """Write statements.csv (every line, amounts exact) and one HTML page per rep into
    ``out_dir``; returns the files written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    items = sorted(statements, key=lambda s: (s.rep_id, s.period))
    frames = [s.lines.assign(plan=s.plan, rep_id=s.rep_id, rep_name=s.rep_name,
                             period=s.period_label) for s in items]
    written = []
    if frames:
        csv = pd.concat(frames, ignore_index=True)
        csv["amount"] = [cents_text(c).replace(",", "") for c in csv.pop("amount_cents")]
        csv["draw_balance"] = [cents_text(b).replace(",", "") if not pd.isna(b) else ""
                               for b in csv.pop("balance_cents")]
        for col in ("rep_name", "note", "opportunity_id", "measure", "tier"):
            csv[col] = csv[col].astype(object).map(_no_formula)
        first = ["plan", "rep_id", "rep_name", "period"]
        csv = csv[first + [c for c in csv.columns if c not in first]]
        csv.to_csv(out / "statements.csv", index=False)
        written.append(out / "statements.csv")
    for rep_id, group in groupby(items, key=lambda s: s.rep_id):
        path = out / f"statement_{_safe_name(rep_id)}.html"
        path.write_text(rep_page(list(group), currency), encoding="utf-8")
        written.append(path)
    return written
