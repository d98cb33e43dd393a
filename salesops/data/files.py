"""Files shared between processes: atomic writes and advisory locks.

Atomic writes: readers see the old file or the complete new one, never half of it. Locks
(``fcntl.flock``) belong to the open file: a process that dies, even by SIGKILL, releases
them, so a lock that can be taken means nobody holding it is still alive.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Reports are meant to be shared: readable by all, unlike mkstemp's private 0600 default
#: (the audit folder holding private files is itself closed to others).
FILE_MODE = 0o644


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` to a temp file in the same folder, then ``os.replace`` it onto ``path``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
        return path
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def acquire(path: str | Path, blocking: bool = True) -> int | None:
    """Open (creating) ``path`` and lock it exclusively; the open descriptor, or None if
    ``blocking`` is False and another process holds the lock."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    return fd


def release(fd: int) -> None:
    """Unlock and close a descriptor returned by ``acquire``."""
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def locked(path: str | Path) -> Iterator[None]:
    """Hold the exclusive lock on ``path`` (a lock file, created if missing) for the block."""
    fd = acquire(path)
    assert fd is not None
    try:
        yield
    finally:
        release(fd)
