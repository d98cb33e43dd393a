"""Scrubbing local paths and credentials from text that ends up in shared reports."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from salesops.orchestration.scrub import scrub, scrub_credentials, scrub_paths


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
