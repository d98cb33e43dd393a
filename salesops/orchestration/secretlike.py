"""What looks like a secret: names (after Unicode folding) and token-like values.

One home for the rules used twice: ``params`` refuses such parameters before a run, ``scrub``
masks such text in everything that leaves the machine.

Names are folded before they are compared: NFKC (fullwidth and mathematical letters become
ASCII), Cyrillic and Greek look-alikes become the Latin letters they imitate, accents are
dropped, then the name is split into words at separators, digits and camelCase humps.
*Strong* words (``password``, ``secret``, ``token``, ...) are refused anywhere in the folded
name, even inside a longer word (``tokenizer`` and ``secretary`` are refused too: rename them).
*Short* words that are also parts of ordinary words (``pw``, ``key``, ``auth``, ``session``,
``private``, ...) are refused only as a whole word of the name, or when the whole name folds to
one: ``auth_mode``, ``p_w`` and ``APIKey`` are refused, ``author``, ``keyword_count``,
``monkey`` and ``authority`` pass.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import unicodedata
from collections import Counter
from urllib.parse import unquote

#: Refused anywhere in the folded name (separators removed).
STRONG_WORDS = ("password", "passwd", "passphrase", "secret", "token", "apikey", "credential",
                "bearer", "privatekey", "accesskey", "signingkey", "oauth", "jwt", "cookie",
                "databaseurl", "connstr")
#: Refused as a whole word of the name (plural too) or as the whole folded name.
SHORT_WORDS = ("pw", "pwd", "pass", "key", "auth", "authn", "authz", "stripe", "session",
               "private", "dsn", "conn", "connection", "sig", "signature", "cred", "creds",
               "otp", "sid", "login", "cert")

#: Cyrillic and Greek letters that look like Latin ones (both cases).
_HOMOGLYPHS = str.maketrans(
    "аАвВеЕёЁкКмМнНоОрРсСтТуУхХѕЅіІїЇјЈԁԛԝһӏ"
    "αΑβΒεΕζΖηΗιΙκΚμΜνΝοΟρΡτΤυΥχΧωϲϹ",
    "aAbBeEeEkKmMhHoOpPcCtTyYxXsSiIiIjJdqwhl"
    "aAbBeEzZnHiIkKuMvNoOpPtTuYxXwcC",
)
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def name_words(name: str) -> list[str]:
    """The lower-case ASCII words of a name after NFKC, homoglyph and accent folding."""
    decomposed = unicodedata.normalize("NFKD", name)  # NFKC's folding, accents split off
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = folded.translate(_HOMOGLYPHS)
    return [w.lower() for w in _WORD.findall(folded) if not w.isdigit()]


def looks_like_secret_name(name: str) -> bool:
    """True for ``password``, ``crm_token``, ``pаssword`` (Cyrillic а), ``ｐｗ``, ``auth_mode``."""
    words = name_words(name)
    flat = "".join(words)
    singular = {w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words}
    return (any(word in flat for word in STRONG_WORDS)
            or bool(set(SHORT_WORDS) & (singular | set(words) | {flat})))


#: Tokens with a vendor prefix (Stripe, GitHub, Slack, AWS, GitLab, Google, OpenAI, npm, ...),
#: JSON Web Tokens, and HTTP ``Bearer`` credentials.
KNOWN_TOKEN = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{4,}|rk_[A-Za-z0-9]{8,}"
    r"|(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{8,}|github_pat_[A-Za-z0-9_]{8,}"
    r"|xox[abprse]-[A-Za-z0-9-]{4,}|(?:AKIA|ASIA)[0-9A-Z]{16}"
    r"|glpat-[A-Za-z0-9_-]{8,}|AIza[0-9A-Za-z_-]{30,}|sk-[A-Za-z0-9_-]{20,}|npm_[A-Za-z0-9]{20,}"
    r"|eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"
    r")"
    r"|(?i:\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}"
)
#: ``Basic <base64 of user:password>`` (checked by decoding, so "Basic plan" is not one).
_BASIC = re.compile(r"(?i:\bbasic\s+)([A-Za-z0-9+/]{6,}={0,2})")
#: A query or fragment parameter (``?api_key=...``, ``&X-Amz-Signature=...``, ``#access_token=``).
_QUERY_PARAM = re.compile(r"(?P<lead>[?&#;])(?P<name>[A-Za-z0-9_.%-]+)=(?P<value>[^&#\s\"'<>]*)")
#: Runs long enough to be a generated key.
_RUN = re.compile(r"[A-Za-z0-9+/_=-]{24,}")
_LETTERS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
#: Shannon entropy (bits per character) from which a run may be random; random hex of 24-32
#: characters is about 3.3-3.8, English words joined by '_' about 3.6-4.0, hence the second test.
MIN_ENTROPY = 3.0
#: Mean length of the letter groups of a run below which it is not made of words: random keys
#: break into groups of 1-2.5 letters, names, paths and dates into groups of 3 or more.
MAX_MEAN_WORD = 3.0


def shannon_entropy(text: str) -> float:
    """Bits per character of ``text``'s character distribution."""
    counts, n = Counter(text), len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values()) if n else 0.0


def is_high_entropy(run: str) -> bool:
    """True for a run of key characters that looks generated rather than written."""
    groups = _LETTERS.findall(run)
    if not groups or sum(map(len, groups)) / len(groups) >= MAX_MEAN_WORD:
        return False  # no letters (numbers, dates) or made of words (names, paths)
    return shannon_entropy(run) >= MIN_ENTROPY


def is_basic_credential(encoded: str) -> bool:
    """True when ``encoded`` is base64 of ``user:password`` text."""
    try:
        decoded = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        return ":" in decoded.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False


def secret_spans(text: str, entropy: bool = True) -> list[tuple[int, int]]:
    """Character spans of ``text`` holding a token, a Basic credential, the value of a secret
    query parameter, or (with ``entropy``) a high-entropy run; sorted, may overlap."""
    spans = [m.span() for m in KNOWN_TOKEN.finditer(text)]
    spans += [m.span(1) for m in _BASIC.finditer(text) if is_basic_credential(m.group(1))]
    spans += [m.span("value") for m in _QUERY_PARAM.finditer(text)
              if m.group("value") and looks_like_secret_name(unquote(m.group("name")))]
    if entropy:
        spans += [m.span() for m in _RUN.finditer(text) if is_high_entropy(m.group())]
    return sorted(spans)


def contains_token(text: str) -> bool:
    """True if ``text`` holds a token, Basic credential, secret query parameter or random key."""
    return bool(secret_spans(text))
