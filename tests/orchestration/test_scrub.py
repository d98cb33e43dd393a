"""Scrubbing local paths, credentials and secrets from text that ends up in shared reports."""

from __future__ import annotations

import base64
import string

from hypothesis import given
from hypothesis import strategies as st

from salesops.orchestration.scrub import (
    scrub,
    scrub_code,
    scrub_credentials,
    scrub_html,
    scrub_paths,
    scrub_secrets,
)


def test_absolute_paths_become_base_names():
    assert scrub_paths("File /home/ana/proj/salesops/x.py:12, in f()") == "File x.py:12, in f()"
    assert scrub_paths("open('/tmp/abc/data.csv')") == "open('data.csv')"
    assert scrub_paths(r"C:\Users\ana\data\deals.xlsx missing") == "deals.xlsx missing"
    assert scrub_paths("see ~/work/notes.txt") == "see notes.txt"


def test_urls_fractions_and_relative_paths_are_kept():
    text = "see https://example.com/a/b, ratio 1/2, and/or data/processed"
    assert scrub_paths(text) == text


def test_credentials_are_masked():
    assert (scrub_credentials("postgresql://bob:hunter2@db.local:5432/crm")
            == "postgresql://***@db.local:5432/crm")
    assert scrub_credentials("login bob:hunter2@host failed") == "login ***@host failed"
    assert scrub_credentials("meeting at 12:30 @ office") == "meeting at 12:30 @ office"


def test_ansi_colours_are_removed_before_scrubbing():
    assert scrub("\x1b[0;32m/work/main/a.py\x1b[0m line 3") == "a.py line 3"


segment = st.text(string.ascii_letters + string.digits + "_-.", min_size=1, max_size=8).filter(
    lambda s: s not in {".", ".."})


@given(st.lists(segment, min_size=2, max_size=5))
def test_no_directory_of_an_absolute_path_survives(parts):
    path = "/" + "/".join(parts)
    out = scrub(f"error reading {path} now")
    assert out == f"error reading {parts[-1]} now"


TOKEN = "sk_live_51H8abcdEFGHijklMNOP"
B64 = base64.b64encode(bytes(range(256)) * 3).decode()  # holds '+', '/' and '='


def test_secrets_become_a_mask():
    assert scrub_secrets(f"key {TOKEN} used") == "key *** used"
    assert (scrub_secrets("https://x.example/r?api_key=abc&page=2#access_token=t")
            == "https://x.example/r?api_key=***&page=2#access_token=***")
    assert scrub_secrets("Authorization: Bearer 0123456789abcdef") == "Authorization: ***"
    assert scrub_secrets("id cIm2IfpZgmNbMxIcQCzWtYV5 ok") == "id *** ok"
    assert scrub_secrets("id cIm2IfpZgmNbMxIcQCzWtYV5 ok", entropy=False) == (
        "id cIm2IfpZgmNbMxIcQCzWtYV5 ok")
    assert scrub_secrets("ghp_abcdefgh12345678?token=x") == "***?token=***"


def test_scrub_masks_secrets_and_paths_but_keeps_data_uris():
    uri = f"data:image/png;base64,{B64}"
    text = f"read /home/someone/data/deals.csv with {TOKEN}; chart {uri} done"
    assert scrub(text) == f"read deals.csv with ***; chart {uri} done"
    assert scrub_code(f"var p = '/static/a.js'; var k = '{TOKEN}'; {B64}") == (
        f"var p = '/static/a.js'; var k = '***'; {B64}")


def test_html_text_and_reader_attributes_are_scrubbed_page_attributes_kept():
    html = (f'<div class="x" title="/home/someone/data/a.csv">'
            f'<a href="/reports/2026-03-31/index.html?token=abc&amp;page=2">/home/someone/data</a>'
            f'<img src="data:image/png;base64,{B64}" alt="chart of /home/someone/b.png">'
            f'<link integrity="sha384-{B64[:64]}" href="https://cdn.example/x.css">'
            f'<script>var re = /a\\/b/; var t = "{TOKEN}"; var d = "{B64[:40]}";</script>'
            f'<!-- built from /home/someone/proj -->{TOKEN} cIm2IfpZgmNbMxIcQCzWtYV5</div>')
    assert scrub_html(html) == (
        '<div class="x" title="a.csv">'
        '<a href="/reports/2026-03-31/index.html?token=***&amp;page=2">data</a>'
        f'<img src="data:image/png;base64,{B64}" alt="chart of b.png">'
        f'<link integrity="sha384-{B64[:64]}" href="https://cdn.example/x.css">'
        f'<script>var re = /a\\/b/; var t = "***"; var d = "{B64[:40]}";</script>'
        '<!-- built from proj -->*** ***</div>')
