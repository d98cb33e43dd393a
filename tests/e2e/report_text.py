"""Reading a rendered report back for text-vs-table tests: the visible sentences of a section,
the figures in a sentence, the visible cells of a table, and whether a rounded figure in a
sentence agrees with the fuller figure of a table.

    sentences = summary_sentences(page, heading="Executive summary")
    figures = numbers(sentences[0])          # [Figure(text="$6.7M", kind="money", ...), ...]
    table = table_cells(page, "Headline vs comparison periods")
    assert agrees(figures[0], table.loc[0, "Bookings"])    # "$6.7M" vs "$6,700,100"
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pandas as pd

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
#: Elements whose text is sentences (not tables, captions, code or chart images).
PROSE = ("p", "li")
_SKIP = ("script", "style", "table", "svg")
_VOID = ("br", "img", "hr", "meta", "link", "input", "col", "wbr", "source")


class _Sections(HTMLParser):
    """Headings and the prose text under each: [(level, heading text, [prose blocks])]."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[tuple[int, str, list[str]]] = [(0, "", [])]
        self._skip = 0
        self._heading: list[str] | None = None
        self._level = 0
        self._prose: list[str] | None = None
        self._depth = 0  # nesting of prose elements (a <p> inside an <li>)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _VOID:
            return
        if tag in _SKIP:
            self._skip += 1
        elif tag in HEADINGS and not self._skip:
            self._heading, self._level = [], int(tag[1])
        elif tag in PROSE and not self._skip:
            self._depth += 1
            if self._prose is None:
                self._prose = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and self._skip:
            self._skip -= 1
        elif tag in HEADINGS and self._heading is not None:
            self.sections.append((self._level, _squash("".join(self._heading)), []))
            self._heading = None
        elif tag in PROSE and self._prose is not None and not self._skip:
            self._depth -= 1
            if self._depth == 0:
                text = _squash("".join(self._prose))
                if text:
                    self.sections[-1][2].append(text)
                self._prose = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._heading is not None:
            self._heading.append(data)
        elif self._prose is not None:
            self._prose.append(data)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _heading_matches(heading: str, wanted: str) -> bool:
    """'2. Executive summary' matches 'executive summary' (numbering and case ignored)."""
    bare = re.sub(r"^\s*[\dIVX]+[.)]\s*", "", heading)
    return wanted.strip().lower() in bare.lower()


#: A sentence ends at . ! or ? followed by a space and a capital, a digit or a currency sign
#: (decimals such as "1.1x" or "$6.7M" have no space after the point).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9$€£¥\"'(])")


def split_sentences(text: str) -> list[str]:
    """Sentences of a block of prose; a heading-like lead ("Biggest risks and changes: ...") stays
    with its first sentence."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def summary_sentences(html: str, heading: str = "Executive summary") -> list[str]:
    """The visible sentences (paragraphs and list items, not tables or charts) of the section
    whose heading contains ``heading``, up to the next heading of the same or a higher level.
    ValueError if no heading matches (naming the headings there are)."""
    parser = _Sections()
    parser.feed(html)
    parser.close()
    sections = parser.sections
    for i, (level, text, _) in enumerate(sections):
        if level and _heading_matches(text, heading):
            blocks = list(sections[i][2])
            for sub_level, _, sub_blocks in sections[i + 1:]:
                if sub_level <= level:
                    break
                blocks += sub_blocks
            return [s for block in blocks for s in split_sentences(block)]
    names = [t for lvl, t, _ in sections if lvl]
    raise ValueError(f"no heading matches {heading!r}; headings: {names}")


# -- figures in a sentence ------------------------------------------------------------------

_CODES = "USD|EUR|GBP|JPY|CAD|AUD|CHF|SEK|NOK|DKK|PLN|CZK|INR|BRL|MXN|NZD|SGD|HKD|ZAR|CNY"
_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
#: Text that holds digits but no figure: dates, fiscal periods, times.
_NOT_FIGURES = re.compile(r"\b\d{4}-\d{2}(?:-\d{2})?\b|\bFY\d{4}(?: Q[1-4])?\b|\bQ[1-4]\b"
                          r"|\b[PH]\d{1,2}\b|\b\d{1,2}:\d{2}\b")
_SIGN = r"(?:(?<![\w.,])(?P<sign>[-+]))?"
#: "60-70%": two percentages.
_RANGE = re.compile(rf"(?<![\w.,])(?P<a>{_NUM})[-–](?P<b>{_NUM})%")
_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("share", re.compile(r"(?<![\d.,$€£¥])(?P<a>\d+(?:,\d{3})*) of (?:the )?(?P<b>\d+(?:,\d{3})*)"
                         r"(?![\d.,%KMBx])")),
    ("money", re.compile(rf"{_SIGN}(?P<sym>C\$|A\$|\$|€|£|¥)(?P<num>{_NUM})"
                         r"(?P<unit>[KMB](?![A-Za-z]))?")),
    ("money", re.compile(rf"{_SIGN}(?P<num>{_NUM})(?P<unit>[KMB])? (?P<code>{_CODES})\b")),
    ("percent", re.compile(rf"{_SIGN}(?P<num>{_NUM})%")),
    ("points", re.compile(rf"{_SIGN}(?P<num>{_NUM}) pts?\b")),
    ("ratio", re.compile(rf"(?P<num>{_NUM})x\b")),
    ("count", re.compile(rf"{_SIGN}(?<![\w.])(?P<num>{_NUM})(?![\w%])")),
)
_SCALE = {"": 1.0, "K": 1e3, "M": 1e6, "B": 1e9}
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "C$": "CAD", "A$": "AUD"}


@dataclass(frozen=True)
class Figure:
    """One figure of a sentence: its ``text``, ``kind`` (money, percent, points, ratio, count,
    share) and ``value`` (money in currency units, percent as a ratio 0.08, points as points
    (signed by a sign or a preceding "down"), share as (part, whole)); ``decimals`` and
    ``unit`` (K, M, B or "") say the precision it is shown with."""

    text: str
    kind: str
    value: float | tuple[int, int]
    decimals: int = 0
    unit: str = ""
    currency: str = ""


def _decimals(num: str) -> int:
    return len(num.split(".")[1]) if "." in num else 0


def _number(num: str) -> float:
    return float(num.replace(",", ""))


def _figure(kind: str, m: re.Match, before: str) -> Figure:
    if kind == "share":
        return Figure(m.group(0), kind, (int(_number(m["a"])), int(_number(m["b"]))))
    g = m.groupdict()
    num, sign = g["num"], -1.0 if g.get("sign") == "-" else 1.0
    if kind == "money":
        unit = g.get("unit") or ""
        currency = _SYMBOLS.get(g.get("sym") or "", g.get("code") or "")
        return Figure(m.group(0), kind, sign * _number(num) * _SCALE[unit], _decimals(num), unit,
                      currency)
    if kind == "percent":
        return Figure(m.group(0), kind, sign * _number(num) / 100, _decimals(num))
    if kind == "points":
        down = re.search(r"\b(down|fell|lower|below|under)\s*$", before) is not None
        return Figure(m.group(0), kind, -_number(num) if sign < 0 or down else _number(num),
                      _decimals(num))
    return Figure(m.group(0), kind, sign * _number(num), _decimals(num))


def numbers(sentence: str) -> list[Figure]:
    """The figures of ``sentence`` in reading order (see ``Figure``); dates ("2026-12-01"),
    fiscal periods ("FY2026 Q4", "Q1") and percentiles ("P90") are not figures; a range
    "60-70%" is two percentages. A number in a name ("APAC Team 1") reads as a count."""
    taken = [m.span() for m in _NOT_FIGURES.finditer(sentence)]
    found: list[tuple[int, Figure]] = []
    for m in _RANGE.finditer(sentence):
        taken.append(m.span())
        found += [(m.start(k), Figure(f"{m[k]}%", "percent", _number(m[k]) / 100,
                                      _decimals(m[k]))) for k in ("a", "b")]
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(sentence):
            start, end = m.span()
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            found.append((start, _figure(kind, m, sentence[:start])))
    return [f for _, f in sorted(found, key=lambda x: x[0])]


# -- tables ---------------------------------------------------------------------------------

class _Tables(HTMLParser):
    """Every table: its caption, header rows and body rows of cell texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self._stack: list[dict] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self._part = "body"
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "table":
            self._stack.append({"caption": "", "head": [], "body": []})
        elif not self._stack:
            return
        elif tag == "caption":
            self._caption = []
        elif tag == "thead":
            self._part = "head"
        elif tag == "tbody":
            self._part = "body"
        elif tag == "tr":
            self._stack[-1][self._part].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif not self._stack:
            return
        elif tag == "table":
            self.tables.append(self._stack.pop())
        elif tag == "caption" and self._caption is not None:
            self._stack[-1]["caption"] = _squash("".join(self._caption))
            self._caption = None
        elif tag == "thead":
            self._part = "body"
        elif tag in ("td", "th") and self._cell is not None:
            rows = self._stack[-1][self._part] or self._stack[-1]["body"]
            if not rows:
                rows.append([])
            rows[-1].append(_squash("".join(self._cell)))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif self._caption is not None:
            self._caption.append(data)


def tables(html: str) -> list[dict]:
    """Every table of the page in document order: {"caption", "head": rows, "body": rows}."""
    parser = _Tables()
    parser.feed(html)
    parser.close()
    return parser.tables


def table_cells(html: str, caption_or_index: str | int) -> pd.DataFrame:
    """The visible strings of one rendered table as a DataFrame (columns: the last header row;
    a table without one gets 0, 1, ...): the first whose caption contains the text (case
    ignored), or the n-th table of the page. ValueError naming the captions if none matches."""
    found = tables(html)
    if isinstance(caption_or_index, int):
        table = found[caption_or_index]
    else:
        matches = [t for t in found if caption_or_index.lower() in t["caption"].lower()]
        if not matches:
            raise ValueError(f"no table caption contains {caption_or_index!r}; captions: "
                             f"{[t['caption'] for t in found]}")
        table = matches[0]
    header = table["head"][-1] if table["head"] else None
    rows = [r for r in table["body"] if r]
    width = max([len(header or [])] + [len(r) for r in rows])
    rows = [r + [""] * (width - len(r)) for r in rows]
    columns = header + [""] * (width - len(header)) if header else list(range(width))
    return pd.DataFrame(rows, columns=columns)


# -- agreement ------------------------------------------------------------------------------

def _one(figure: str | Figure) -> Figure:
    if isinstance(figure, Figure):
        return figure
    found = numbers(figure)
    if len(found) != 1:
        raise ValueError(f"expected one figure in {figure!r}, found {[f.text for f in found]}")
    return found[0]


def _rounds_to(value: float, shown: float, decimals: int) -> bool:
    """``value`` rounded to ``decimals`` is ``shown``; a value exactly half-way (a table figure
    that is itself rounded) agrees with both neighbours."""
    scaled, target = value * 10 ** decimals, shown * 10 ** decimals
    if abs(abs(scaled) % 1 - 0.5) < 1e-6:
        return abs(abs(target) - math.floor(abs(scaled))) < 1e-6 or \
            abs(abs(target) - math.ceil(abs(scaled))) < 1e-6
    return abs(round(scaled) - target) < 1e-6


def agrees(figure_text: str | Figure, cell_text: str | Figure, signed: bool = True) -> bool:
    """Whether a sentence figure ("$6.7M", "50%", "1.1x") agrees with a table figure
    ("$6,700,100", "49.6%", "1.06"): the table value rounded to the sentence's precision (its
    unit and decimals) gives the sentence's figure. Kinds must match, except that a plain table
    number may stand for a ratio or a count; currencies must match. ``signed=False`` compares
    magnitudes ("$1.2M short" against a gap of "-$1,234,567")."""
    said, cell = _one(figure_text), _one(cell_text)
    plain = cell.kind == "count" and said.kind in ("ratio", "count")
    if said.kind != cell.kind and not plain:
        return False
    if said.kind == "share":
        return said.value == cell.value
    if said.kind == "money" and said.currency != cell.currency:
        return False
    a, b = float(said.value), float(cell.value)
    if not signed:
        a, b = abs(a), abs(b)
    if said.kind == "money":
        scale = _SCALE[said.unit]  # $1M for 999,960: 0.99996 rounds to 1
        return _rounds_to(b / scale, a / scale, said.decimals)
    if said.kind == "percent":
        return _rounds_to(b * 100, a * 100, said.decimals)
    return _rounds_to(b, a, said.decimals)

