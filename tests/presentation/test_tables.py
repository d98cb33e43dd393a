import re

import pandas as pd
import pytest

from salesops.presentation.html import bullet_list, kpi_tiles, paragraphs
from salesops.presentation.tables import HIGHLIGHT_BAD, limited, styled_table

XSS = "<img src=x onerror=alert(1)>"


def test_cells_headers_and_caption_are_escaped():
    df = pd.DataFrame({XSS: [XSS, "Bob"], "amount": [1234.5, None], "att": [0.87, 1.2]})
    html = styled_table(df, {"amount": "money", "att": "pct"}, caption=XSS).to_html()
    assert "<img" not in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") == 3
    assert "$1,234" in html and "87%" in html and "120%" in html and "–" in html


def test_highlight_marks_only_masked_cells():
    df = pd.DataFrame({"rep": ["A", "B"], "att": [0.5, 1.1]})
    html = styled_table(df, {"att": "pct"}, bad={"att": df["att"] < 1}).to_html()
    assert HIGHLIGHT_BAD.split(";")[0].replace(" ", "") in html.replace(" ", "")
    assert html.count("#fbe5e3") == 1


def test_unknown_format_is_rejected():
    with pytest.raises(ValueError, match="unknown column format 'euros'"):
        styled_table(pd.DataFrame({"a": [1]}), {"a": "euros"})


def test_html_blocks_escape_text():
    for block in (paragraphs([XSS], title=XSS), bullet_list([XSS]), kpi_tiles([(XSS, XSS)])):
        assert "<img" not in block.data and "&lt;img" in block.data


def test_text_columns_are_left_aligned_numbers_are_not():
    df = pd.DataFrame({"rep": ["A"], "amount": [5.0]})
    html = styled_table(df, {"amount": "money"}).to_html()
    assert re.search(r"td\.col0 \{\s*text-align: left", html)
    assert not re.search(r"col1 \{\s*text-align: left", html)


def test_text_alignment_is_one_rule_per_column_not_per_cell():
    df = pd.DataFrame({"rep": [f"R{i}" for i in range(40)], "amount": range(40)})
    css = re.search(r"<style.*?</style>", styled_table(df, {"amount": "int"}).to_html(), re.S)[0]
    assert css.count("text-align: left") == 3  # th, caption, and the one text column's td rule
    assert "_row" not in css


def test_report_table_selects_renames_and_highlights_by_original_name():
    from salesops.presentation.tables import report_table

    df = pd.DataFrame({"name": ["A", "B"], "att": [1.2, 0.3], "hidden": [1, 2]})
    html = report_table(df, {"name": ("Rep", None), "att": ("Attainment", "pct")},
                        bad={"att": df["att"] < 0.5}).to_html()
    assert "Attainment" in html and "hidden" not in html and "120%" in html
    assert html.count("#fbe5e3") == 1


def _reps(n):
    return pd.DataFrame({"rep": [f"Rep {i}" for i in range(n)], "att": [1 - i / 100 for i in range(n)]})


def test_limited_short_table_is_rendered_whole_without_note():
    out = limited(_reps(15), lambda d: styled_table(d, {"att": "pct"}), noun="reps").data
    assert out.count("<table") == 1 and "Rep 14" in out
    assert "shown" not in out and "<details" not in out


def test_limited_long_table_says_it_is_cut_and_keeps_all_rows_expandable():
    out = limited(_reps(40), lambda d: styled_table(d, {"att": "pct"}), noun="reps",
                  order="attainment").data
    assert ("Top 15 of 40 reps shown, by attainment; all 40 are in the expandable table below."
            in out)
    shown, rest = out.split("<details", 1)
    assert "Rep 14<" in shown and "Rep 15<" not in shown  # rows 0..14 are the first 15
    assert "<summary>All 40 reps</summary>" in rest and "Rep 39<" in rest
    assert rest.count("<table") == 1 and out.count("<table") == 2


def test_limited_accepts_html_strings_and_escapes_the_noun():
    out = limited(_reps(3), lambda d: d.to_html(), limit=2, noun=XSS).data
    assert "Top 2 of 3" in out and "<img" not in out and out.count("<table") == 2


def test_ratio_column_format():
    html = styled_table(pd.DataFrame({"coverage": [1.14, None]}), {"coverage": "ratio"}).to_html()
    assert ">1.1x<" in html and ">–<" in html


def test_departed_marks_only_reps_who_left_and_keeps_other_rows_as_they_are():
    from salesops.presentation.tables import departed
    rows = pd.DataFrame({"name": ["Ann", "Bo", None],
                         "left": [pd.Timestamp("2026-09-14"), pd.NaT, pd.NaT]})
    names = departed(rows)["name"]
    assert names[:2].tolist() == ["Ann (left 2026-09)", "Bo"] and pd.isna(names[2])  # not "nan"
    roster = rows.rename(columns={"left": "termination_date"})
    assert departed(roster, left="termination_date")["name"][0] == "Ann (left 2026-09)"
    assert departed(rows.drop(columns="left")).equals(rows.drop(columns="left"))
