"""The collector vocabulary (``vocabulary.toml``) as lookup structures for the query parser.

Every phrase of the data file is normalized with :func:`coinref.search.text.tokens` and stored
under its token tuple with one or more meanings (series, years, denomination, strike,
designation, mint, variety group, stopword). The parser walks the query tokens and takes the
longest phrase that starts at each position.

Typo correction (:meth:`Vocabulary.correct`) compares an unknown word with every known word:
the phrase words and the words of the built-in catalog's coin names and series names (read on
first use). A trigram index shortlists candidates and an edit-distance limit decides: 1 for
words up to 5 letters, 2 above and then only with the same first letter. So ``morgn`` becomes
``morgan`` and ``dolar`` ``dollar``, while a real word the catalog does not know is left alone.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

from coinref.catalog.series import all_series
from coinref.search.text import edit_distance, similarity, tokens, trigrams

KINDS = ("series", "years", "denomination", "strike", "designation", "mint", "variety", "stop")


@dataclass(frozen=True)
class VarietyGroup:
    """Variety phrases that mean the same; ``name`` is the first, ``strike`` what it implies."""

    name: str
    alternatives: tuple[tuple[str, ...], ...]
    strike: str | None = None


@dataclass(frozen=True)
class Meaning:
    kind: str  # one of KINDS
    value: object  # tuple of slugs or codes, a str, a years string or a VarietyGroup


class Vocabulary:
    """Phrase lookup and typo correction over the data file and the catalog's words."""

    def __init__(self, data: dict, catalog_tokens: Callable[[], set[str]] | set[str]) -> None:
        self.phrases: dict[tuple[str, ...], list[Meaning]] = defaultdict(list)
        self.designation_strikes: dict[str, str] = dict(data.get("designation_strikes", {}))
        sections = {"series": "series", "years": "years", "denominations": "denomination", "strikes": "strike",
                    "designations": "designation", "mints": "mint"}
        for section, kind in sections.items():
            for phrase, value in data.get(section, {}).items():
                self._add(phrase, Meaning(kind, tuple(value) if isinstance(value, list) else value))
        for entry in data.get("varieties", []):
            alternatives = tuple(dict.fromkeys(tokens(p) for p in entry["phrases"] if tokens(p)))
            group = VarietyGroup(entry["phrases"][0], alternatives, entry.get("strike"))
            for alternative in alternatives:
                self.phrases[alternative].append(Meaning("variety", group))
        for phrase in data.get("stopwords", {}).get("phrases", []):
            self._add(phrase, Meaning("stop", None))
        self.max_phrase = max(len(p) for p in self.phrases)
        self.phrase_words = frozenset(w for phrase in self.phrases for w in phrase)
        self._catalog_source = catalog_tokens

    @cached_property
    def catalog_tokens(self) -> frozenset[str]:
        """Every token of the built-in catalog's coin and series names (loaded on first use)."""
        source = self._catalog_source
        return frozenset(source() if callable(source) else source)

    @cached_property
    def words(self) -> frozenset[str]:
        """Words worth correcting to: the phrase words and the catalog's words of 3+ letters."""
        return self.phrase_words | frozenset(w for w in self.catalog_tokens if w.isalpha() and len(w) >= 3)

    @cached_property
    def _by_trigram(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = defaultdict(list)
        for word in self.words:
            if word.isalpha() and len(word) >= 3:
                for gram in trigrams(word):
                    index[gram].append(word)
        return index

    def is_known(self, word: str) -> bool:
        return word.isdigit() or word in self.phrase_words or word in self.catalog_tokens

    def in_names(self, alternative: tuple[str, ...]) -> bool:
        """Whether coin names can hold this phrase: every word a number or a catalog word."""
        return all(w.isdigit() or w in self.catalog_tokens for w in alternative)

    def _add(self, phrase: str, meaning: Meaning) -> None:
        key = tokens(phrase)
        if key and meaning not in self.phrases[key]:
            self.phrases[key].append(meaning)

    def lookup(self, words: list[str], start: int) -> tuple[int, list[Meaning]]:
        """The longest phrase at ``words[start:]``: (its length, its meanings), or (0, [])."""
        for size in range(min(self.max_phrase, len(words) - start), 0, -1):
            meanings = self.phrases.get(tuple(words[start:start + size]))
            if meanings:
                return size, meanings
        return 0, []

    def correct(self, word: str) -> str | None:
        """The known word a misspelt ``word`` most likely means, or None."""
        if word in self.phrase_words or not word.isalpha() or len(word) < 4 or word in self.words:
            return None
        counts: dict[str, int] = defaultdict(int)
        for gram in trigrams(word):
            for candidate in self._by_trigram.get(gram, ()):
                counts[candidate] += 1
        shortlist = sorted(counts, key=lambda w: (-counts[w], w))[:25]
        limit = 1 if len(word) <= 5 else 2
        best: tuple[int, float, str] | None = None
        for candidate in shortlist:
            distance = edit_distance(word, candidate, limit)
            if distance > limit or (distance == 2 and candidate[0] != word[0]):
                continue
            key = (distance, -similarity(word, candidate), candidate)
            if best is None or key < best:
                best = key
        return best[2] if best else None


def _catalog_tokens() -> set[str]:
    """Tokens of the built-in catalog's names (a broken fact file must not break search)."""
    words = {w for s in all_series() for w in tokens(s.name)}
    try:
        from coinref.catalog.builtin import load_catalog

        for coin in load_catalog():
            words.update(tokens(coin.full_name))
    except Exception:  # noqa: BLE001 - the catalog is being edited; its words are only a help
        pass
    return words


def load_data() -> dict:
    text = resources.files("coinref.search").joinpath("vocabulary.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


_NOT_A_NAME = {"unattributed", "attributed", "jr", "sr"}


def designer_phrases() -> dict[str, list[str]]:
    """Designer names -> the series they designed, from the fact files' ``[[specs]]``.

    Each artist is findable by surname and by full name (``weinman``, ``adolph a weinman``), so
    ``weinman half`` reads as the Weinman series narrowed by the denomination: Walking Liberty
    halves. Placeholders ("varies by issue", "unattributed") are not names. A broken fact file
    yields no phrases rather than a broken search.
    """
    try:
        from coinref.catalog.builtin import load_all_facts

        facts = load_all_facts()
    except Exception:  # noqa: BLE001 - the catalog is being edited; designer words are only a help
        return {}
    phrases: dict[str, list[str]] = defaultdict(list)
    for slug, series in facts.items():
        for spec in series.specs:
            for artist in (spec.obverse_designer, spec.reverse_designer):
                name = artist.split("(")[0]
                words = [w for w in tokens(name) if w not in _NOT_A_NAME]
                if not words or name.startswith("varies"):
                    continue
                surname = name.split()[-1].lower()
                found = {" ".join(words)}
                if tokens(surname) == (surname,):  # "Williams" folds to "william": a first name, not findable
                    found.add(surname)
                for phrase in found:
                    if slug not in phrases[phrase]:
                        phrases[phrase].append(slug)
    return dict(phrases)


def with_designers(data: dict) -> dict:
    """The data file with designer phrases added to ``[series]``; a phrase the file defines wins."""
    series = dict(data.get("series", {}))
    known = {tokens(phrase) for section in ("series", "denominations", "strikes", "designations", "mints", "years")
             for phrase in data.get(section, {})}
    known |= {tokens(p) for p in data.get("stopwords", {}).get("phrases", [])}
    for phrase, slugs in designer_phrases().items():
        if tokens(phrase) not in known:
            series[phrase] = slugs
    return {**data, "series": series}


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The process-wide vocabulary (the data file and the catalog's designers at once; the catalog's
    words when first needed)."""
    return Vocabulary(with_designers(load_data()), _catalog_tokens)
