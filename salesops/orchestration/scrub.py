"""Scrubbing text that leaves the machine: local paths and URL credentials out of reports.

Error messages and tracebacks end up in shared HTML and manifests; they must not reveal where
the project lives on disk or any ``user:password@`` part of a connection string.
"""

from __future__ import annotations

import re

#: ANSI colour/cursor escapes (IPython colours its tracebacks with them).
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

#: ``scheme://user:pass@`` or bare ``user:pass@host``: the credential part up to the ``@``.
_CREDENTIALS = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)?[^\s:/@'\"]+:[^\s@/'\"]*@")

#: Absolute POSIX paths (not the path part of a URL) and Windows drive paths.
_SEGMENT = r"[^\s/'\"<>:,;()\[\]]+"
_POSIX_PATH = re.compile(rf"(?<![\w.:/~\-])(?:~/|/)(?:{_SEGMENT}/)*(?P<base>{_SEGMENT})/?")
_WINDOWS_PATH = re.compile(r"\b[A-Za-z]:\\(?:[^\s\\'\"<>]+\\)*(?P<base>[^\s\\'\"<>]*)")


def scrub_credentials(text: str) -> str:
    """Replace the ``user:password@`` part of URLs/DSNs with ``***@``."""
    return _CREDENTIALS.sub(lambda m: f"{m.group('scheme') or ''}***@", text)


def scrub_paths(text: str) -> str:
    """Replace absolute local paths with their base name (``/home/a/x.py`` -> ``x.py``)."""
    text = _WINDOWS_PATH.sub(lambda m: m.group("base") or "<path>", text)
    return _POSIX_PATH.sub(lambda m: m.group("base") or "<path>", text)


def scrub(text: str) -> str:
    """Make free text (error messages, tracebacks) safe to share: no ANSI, paths or credentials."""
    return scrub_paths(scrub_credentials(ANSI_ESCAPE.sub("", text)))
