"""Report tables: formatted (money, %, counts), HTML-escaped, with optional highlights.

pandas ``Styler`` does not escape cell text by default; every table in a report goes through
``styled_table`` so that text from the data (names, accounts) is shown as text, never as HTML.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

import pandas as pd
from IPython.display import HTML
from pandas.io.formats.style import Styler

from salesops.presentation import formatting

Formatter = str | Callable[[object], str]
HIGHLIGHT_GOOD = "background-color: #e3f4ea; color: #1e7b45"
HIGHLIGHT_BAD = "background-color: #fbe5e3; color: #a93226"


def _formatter(kind: Formatter, currency: str) -> Callable[[object], str]:
    if callable(kind):
        return kind
    table = {
        "money": lambda v: formatting.money(v, currency),
        "money_compact": lambda v: formatting.money(v, currency, compact=True),
        "pct": lambda v: formatting.pct(v),
        "pct1": lambda v: formatting.pct(v, 1),
        "points": lambda v: formatting.points(v),
        "int": formatting.count,
        "float": formatting.number,
        "ratio": formatting.ratio,
        "date": lambda v: "–" if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d"),
    }
    if kind not in table:
        raise ValueError(f"unknown column format {kind!r} (known: {', '.join(table)})")
    return table[kind]


def _escaped(fn: Callable[[object], str]) -> Callable[[object], str]:
    return lambda v: html.escape(fn(v))


def styled_table(
    df: pd.DataFrame,
    formats: Mapping[str, Formatter] | None = None,
    currency: str = "USD",
    caption: str | None = None,
    good: Mapping[str, pd.Series] | None = None,
    bad: Mapping[str, pd.Series] | None = None,
    hide_index: bool = True,
) -> Styler:
    """An escaped, formatted Styler; ``good``/``bad`` map a column to a boolean mask to highlight."""
    formats = dict(formats or {})
    data = df.reset_index(drop=True) if hide_index else df
    default = _escaped(lambda v: "–" if v is None or (not isinstance(v, str) and pd.isna(v))
                       else str(v))
    fmt = {col: _escaped(_formatter(formats[col], currency)) if col in formats else default
           for col in data.columns}
    styler = data.style.format(fmt).format_index(escape="html", axis=1)
    if not hide_index:
        styler = styler.format_index(escape="html", axis=0)
    else:
        styler = styler.hide(axis="index")
    for masks, css in ((good, HIGHLIGHT_GOOD), (bad, HIGHLIGHT_BAD)):
        for col, mask in (masks or {}).items():
            mask = pd.Series(mask).reset_index(drop=True) if hide_index else pd.Series(mask)
            styler = styler.map(lambda _v, _css=css: _css, subset=pd.IndexSlice[mask[mask].index, col])
    if caption:
        styler = styler.set_caption(html.escape(caption))
    styler = styler.set_table_styles([
        {"selector": "th", "props": "text-align: left; background: #f2f5f9; padding: 4px 8px;"},
        {"selector": "td", "props": "padding: 3px 8px; font-variant-numeric: tabular-nums;"},
        {"selector": "caption", "props": "caption-side: top; font-weight: bold; text-align: left;"},
    ])
    text_cols = [c for c in data.columns if c not in formats
                 and not pd.api.types.is_numeric_dtype(data[c])]
    # one rule per text column (not per cell: a 40-row table listed 40 selectors per column)
    return styler.set_table_styles({c: [{"selector": "td", "props": "text-align: left;"}]
                                    for c in text_cols}, overwrite=False)


def report_table(df: pd.DataFrame, columns: dict[str, tuple[str, str | None]], currency: str = "USD",
                 caption: str | None = None, good: dict | None = None, bad: dict | None = None):
    """``styled_table`` over selected columns renamed to headers; ``columns``: col -> (header,
    format or None); highlight masks are keyed by original column name."""
    cols = [c for c in columns if c in df.columns]
    out = df[cols].reset_index(drop=True).rename(columns={c: columns[c][0] for c in cols})
    formats = {columns[c][0]: columns[c][1] for c in cols if columns[c][1]}
    remap = lambda masks: {columns[c][0]: pd.Series(m).reset_index(drop=True)  # noqa: E731
                           for c, m in (masks or {}).items() if c in cols}
    return styled_table(out, formats, currency=currency, caption=caption, good=remap(good),
                        bad=remap(bad))


def _html(table: Styler | HTML | str) -> str:
    return table.to_html() if isinstance(table, Styler) else getattr(table, "data", table)


def limited(df: pd.DataFrame, render: Callable[[pd.DataFrame], Styler | HTML | str],
            limit: int = 15, noun: str = "rows", order: str = "") -> HTML:
    """``render(df)``; a table longer than ``limit`` rows is cut and says so: "Top 15 of 40 reps
    shown, by attainment; all 40 are in the expandable table below.", then the first ``limit``
    rows and the whole table in a collapsed ``<details>``."""
    if len(df) <= limit:
        return HTML(_html(render(df)))
    n, what = formatting.count(len(df)), html.escape(noun)
    by = f", by {html.escape(order)}" if order else ""
    note = (f'<p class="salesops-cut">Top {formatting.count(limit)} of {n} {what} shown{by}; '
            f"all {n} are in the expandable table below.</p>")
    return HTML(f"{note}{_html(render(df.head(limit)))}{_all_rows(df, render, noun)}")


def both_ends(df: pd.DataFrame, by: str, render: Callable[[pd.DataFrame, str], Styler],
              ends: int, sides: tuple[str, str], caption: str, noun: str = "reps") -> HTML:
    """``df`` (sorted by ``by``, highest first) whole when it has at most 2 x ``ends`` rows;
    else a note, the ``ends`` highest and the ``ends`` lowest (lowest first; rows without
    ``by`` are no end), each captioned "n of N", and the whole table in a collapsed
    ``<details>`` (``limited`` for a ranking whose two ends both matter)."""
    if len(df) <= 2 * ends:
        return HTML(_html(render(df, caption)))
    measured = df.loc[df[by].notna()]
    n, total = formatting.count(ends), formatting.count(len(df))
    what = html.escape(noun)
    top = render(measured.head(ends), f"{sides[0]}: {n} of {total} {noun}")
    bottom = render(measured.tail(ends).iloc[::-1], f"{sides[1]}: {n} of {total} {noun}")
    note = (f'<p class="salesops-cut">{html.escape(caption)}: the {n} {what} at each end shown '
            f"({html.escape(sides[0].lower())}, {html.escape(sides[1].lower())}); all {total} "
            "are in the expandable table below.</p>")
    return HTML(f"{note}{_html(top)}{_html(bottom)}"
                f"{_all_rows(df, lambda d: render(d, caption), noun)}")


def _all_rows(df: pd.DataFrame, render: Callable[[pd.DataFrame], Styler | HTML | str],
              noun: str) -> str:
    """Every row of ``df`` in a collapsed ``<details>`` ("All 40 reps")."""
    return (f'<details class="salesops-all"><summary>All {formatting.count(len(df))} '
            f"{html.escape(noun)}</summary>{_html(render(df))}</details>")


def departed(rows: pd.DataFrame, left: str = "left", name: str = "name") -> pd.DataFrame:
    """``rows`` with each rep who left named as a table shows them, "Ana Lee (left 2026-09)"
    (``left``: the termination date column; rows without it are returned as they are)."""
    if left not in rows or name not in rows:
        return rows
    when = pd.to_datetime(rows[left])
    marked = rows[name].astype(str) + " (left " + when.dt.strftime("%Y-%m") + ")"
    return rows.assign(**{name: rows[name].where(when.isna(), marked)})
