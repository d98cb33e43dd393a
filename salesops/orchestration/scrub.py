"""Scrubbing text that leaves the machine: local paths, credentials and secrets out of reports.

Error messages, tracebacks and every notebook output end up in shared HTML and manifests; they
must not reveal where the project lives on disk, any ``user:password@`` part of a connection
string, or anything token-like (see ``secretlike``), which becomes ``***``. ``data:`` URIs
(inline images: base64 is random-looking and holds '/') are never touched, and neither are
the HTML attributes that carry code or page URLs (only secrets are masked there).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from salesops.orchestration.secretlike import secret_spans

MASK = "***"

#: ANSI colour/cursor escapes (IPython colours its tracebacks with them).
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

#: ``scheme://user:pass@`` or bare ``user:pass@host``: the credential part up to the ``@``.
_CREDENTIALS = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)?[^\s:/@'\"]+:[^\s@/'\"]*@")

#: Absolute POSIX paths (not the path part of a URL) and Windows drive paths.
_SEGMENT = r"[^\s/'\"<>:,;()\[\]]+"
_POSIX_PATH = re.compile(rf"(?<![\w.:/~\-])(?:~/|/)(?:{_SEGMENT}/)*(?P<base>{_SEGMENT})/?")
_WINDOWS_PATH = re.compile(r"\b[A-Za-z]:\\(?:[^\s\\'\"<>]+\\)*(?P<base>[^\s\\'\"<>]*)")

#: An inline ``data:`` URI (kept byte for byte).
_DATA_URI = re.compile(r"data:[\w.+-]+/[\w.+-]+(?:;[\w.+-]+=[\w.+-]+)*(?:;base64)?,"
                       r"[A-Za-z0-9+/=%._~-]*")


def scrub_credentials(text: str) -> str:
    """Replace the ``user:password@`` part of URLs/DSNs with ``***@``."""
    return _CREDENTIALS.sub(lambda m: f"{m.group('scheme') or ''}{MASK}@", text)


def scrub_paths(text: str) -> str:
    """Replace absolute local paths with their base name (``/home/a/x.py`` -> ``x.py``)."""
    text = _WINDOWS_PATH.sub(lambda m: m.group("base") or "<path>", text)
    return _POSIX_PATH.sub(lambda m: m.group("base") or "<path>", text)


def scrub_secrets(text: str, entropy: bool = True) -> str:
    """Replace tokens, Basic credentials, secret query values and (with ``entropy``)
    high-entropy runs with ``***``."""
    out, end = [], 0
    for start, stop in secret_spans(text, entropy):
        if start >= end:
            out += [text[end:start], MASK]
        end = max(end, stop)  # overlapping spans share one mask
    return "".join(out) + text[end:]


def _outside_data_uris(text: str, clean: Callable[[str], str]) -> str:
    """Apply ``clean`` to the parts of ``text`` between ``data:`` URIs."""
    parts, last = [], 0
    for m in _DATA_URI.finditer(text):
        parts += [clean(text[last:m.start()]), m.group()]
        last = m.end()
    return "".join(parts) + clean(text[last:])


def scrub(text: str) -> str:
    """Make free text (outputs, error messages, tracebacks) safe to share: no ANSI, credentials,
    paths or secrets; ``data:`` URIs are kept."""
    return _outside_data_uris(ANSI_ESCAPE.sub("", text),
                              lambda t: scrub_secrets(scrub_paths(scrub_credentials(t))))


def scrub_code(text: str) -> str:
    """Mask credentials and known tokens only, for code and opaque data (scripts, JSON, URLs)
    where paths and random-looking runs are legitimate."""
    return _outside_data_uris(text, lambda t: scrub_secrets(scrub_credentials(t), entropy=False))


#: Attributes holding text a reader sees (scrubbed like text); every other attribute holds code,
#: style or URLs of the page and only has its secrets masked.
TEXT_ATTRIBUTES = {"alt", "title", "label", "placeholder", "value", "summary", "content"}
_MARKUP = re.compile(r"(<(script|style)\b[^>]*>)(.*?)(</\2\s*>)|<!--.*?-->|<[^>]*>",
                     re.IGNORECASE | re.DOTALL)
_ATTRIBUTE = re.compile(r"(?P<name>[\w:.-]+)(?P<eq>\s*=\s*)"
                        r"(?P<value>\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+)")


def _scrub_attribute(m: re.Match[str]) -> str:
    """One ``name=value`` of a tag, its value scrubbed by what the attribute holds."""
    name, value = m.group("name").lower(), m.group("value")
    text = name in TEXT_ATTRIBUTES or name.startswith("aria-")
    return f"{m.group('name')}{m.group('eq')}{scrub(value) if text else scrub_code(value)}"


def _scrub_tag(tag: str) -> str:
    return _ATTRIBUTE.sub(_scrub_attribute, tag)


def _scrub_markup(m: re.Match[str]) -> str:
    """A tag (attributes scrubbed), a comment (as text) or a script/style block (code)."""
    if m.group(1):
        return _scrub_tag(m.group(1)) + scrub_code(m.group(3)) + m.group(4)
    return scrub(m.group()) if m.group().startswith("<!--") else _scrub_tag(m.group())


def scrub_html(markup: str) -> str:
    """Scrub HTML, SVG or Markdown: text fully, attributes and scripts for secrets only, so
    the page's structure, URLs and ``data:`` images stay intact."""
    parts, last = [], 0
    for m in _MARKUP.finditer(markup):
        parts += [scrub(markup[last:m.start()]), _scrub_markup(m)]
        last = m.end()
    return "".join(parts) + scrub(markup[last:])
