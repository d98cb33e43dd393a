"""Atomic writes and file locks shared between processes."""

from __future__ import annotations

import pytest

from salesops.data.files import acquire, atomic_write_text, locked, release


def test_atomic_write_keeps_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old complete report")
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(target, "<html>half" + "\ud800")  # unencodable: fails mid-write
    assert target.read_text() == "old complete report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_a_held_lock_cannot_be_taken_until_released(tmp_path):
    lock = tmp_path / "sub" / ".lock"
    with locked(lock):
        assert acquire(lock, blocking=False) is None  # another open file: refused
    fd = acquire(lock, blocking=False)
    assert fd is not None
    release(fd)
