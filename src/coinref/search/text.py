"""Text normalization shared by the query parser, the ranking and the index queries.

One function decides what a "token" is, for the query and for the coins alike, so the two
always compare like with like:

* :func:`fold` lower-cases, strips accents and control characters and maps the few symbols
  collectors type (``¢``, ``½``, curly quotes) to ASCII.
* :func:`tokens` splits folded text into runs of ``[a-z0-9]`` (the same split the SQLite
  ``unicode61`` tokenizer and the PostgreSQL index expression make), then normalizes each token:
  number words become digits (``three`` -> ``3``), a Roman numeral after ``type`` becomes a digit
  (``type ii`` -> ``type 2``) and a plural ``s`` is dropped (``legs`` -> ``leg``).
* :func:`similarity` is trigram similarity in the pg_trgm manner (padded trigrams, Jaccard),
  and :func:`edit_distance` the optimal-string-alignment distance, both for typo tolerance.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MAX_QUERY_CHARS = 300  # longer input is cut: no coin needs more, and parsing stays cheap

_SYMBOLS = str.maketrans({
    "¢": "c", "½": " 1/2", "⁄": "/", "’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "＄": "$",
})
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
_TOKEN = re.compile(r"[a-z0-9]+")
NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "twenty": "20", "fifty": "50", "first": "1", "second": "2", "third": "3",
}
DIGIT_WORDS = {digit: word for word, digit in NUMBER_WORDS.items() if word not in ("first", "second", "third")}
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
_KEEP_S = frozenset({"gaudens", "always", "series"})  # words that only look plural


def fold(text: str) -> str:
    """Lower-case ASCII-ish text: accents removed, symbols mapped, control characters blanked."""
    text = text.translate(_SYMBOLS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_SYMBOLS)  # NFKD turns ½ into 1⁄2
    return _CONTROL.sub(" ", text).lower()


def _singular(token: str) -> str:
    if len(token) >= 4 and token.endswith("s") and not token.endswith(("ss", "us", "is")) and not token[0].isdigit():
        if token.endswith("ies") and len(token) > 4:
            return token[:-3] + "y"  # pennies -> penny
        if token in _KEEP_S:
            return token
        return token[:-1]
    return token


def normalize_tokens(raw: list[str]) -> list[str]:
    """Normalize a list of raw ``[a-z0-9]+`` tokens (see the module docstring)."""
    out: list[str] = []
    for token in raw:
        if token in NUMBER_WORDS:
            token = NUMBER_WORDS[token]
        elif token in _ROMAN and out and out[-1] in ("type", "ty", "var", "variety"):
            token = _ROMAN[token]
        else:
            token = _singular(token)
        out.append(token)
    return out


@lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[str, ...]:
    """Normalized tokens of a text (cached: coin names repeat across searches)."""
    return tuple(normalize_tokens(_TOKEN.findall(fold(text))))


def raw_tokens(text: str) -> list[str]:
    """Folded ``[a-z0-9]+`` runs without normalization: what the full-text indexes hold."""
    return _TOKEN.findall(fold(text))


@lru_cache(maxsize=65536)
def trigrams(word: str) -> frozenset[str]:
    padded = f"  {word} "
    return frozenset(padded[i:i + 3] for i in range(len(padded) - 2))


def similarity(a: str, b: str) -> float:
    """Trigram similarity of two words, 0..1 (pg_trgm's ``similarity``)."""
    if a == b:
        return 1.0
    ta, tb = trigrams(a), trigrams(b)
    shared = len(ta & tb)
    return shared / (len(ta) + len(tb) - shared) if shared else 0.0


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Optimal string alignment distance (a transposition counts 1), capped at ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def fts_forms(token: str) -> list[tuple[str, bool]]:
    """Index forms of a normalized token as (text, prefix?): ``3`` is also ``three``; words match as prefixes.

    The index holds raw words (``legs``, ``three``), the query normalized ones (``leg``, ``3``); a prefix
    query on the singular and the spelled-out number bridge the two.
    """
    forms = [(token, token.isalpha() and len(token) >= 3)]
    if token in DIGIT_WORDS:
        forms.append((DIGIT_WORDS[token], False))
    return forms
