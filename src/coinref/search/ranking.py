"""Ranking: score each candidate coin against the query intent.

The score is a sum of points; the kinds of evidence are weighted so that the stronger ones
(year, mint, series, strike) outweigh the weaker ones (variety words, popularity):

=====================  ==========================================================================
PCGS number            +1000 for the coin with that number
year                   +100 if the coin's year is one the query names, -100 otherwise
mint                   +50 if named and equal (+3 more when the coin's name shows it: "2000-P"),
                       -30 if named and different; +10 for Philadelphia when the query names no mint
series                 +60 if the coin's series is one a nickname names, -40 otherwise
strike                 +40 / -40 when asked (``proof``, ``PR69``, ``SMS``); else MS +8, SP +2
designation            asked: +40 equal, +5 base coin, -10 other; not asked: base coin +20
denomination           +30 / -20 when named
variety words          per word: +25 in the coin's variety, +8 elsewhere in its name, scaled
                       down for a fuzzy (trigram) match, -6 when nothing matches (nickname words
                       score the same but never negative: "draped bust" picks the Draped Bust
                       variety of a large cent, "walker" costs nothing); minus up to
                       15 for variety words of the coin the query does not mention (the base
                       coin before its varieties; a tenth of that when no plain coin of the
                       same series, date, mint and strike is among the candidates)
popularity             up to +1 for lookups (log scale) and +1 when on the watchlist: tie-breakers
=====================  ==========================================================================

Ties go to the coin with the shorter variety, then the series registry order (P0 first), then year,
mint, variety and designation order.
"""

from __future__ import annotations

import math
from functools import lru_cache

from coinref.catalog.series import all_series
from coinref.search.parser import QueryIntent, Term
from coinref.search.text import similarity, tokens
from coinref.search.vocabulary import vocabulary

PHILADELPHIA = 10.0  # more than the MS preference: "1895 morgan" is the Philadelphia proof
MINT_SHOWN = 3.0
VARIETY_MATCH = 25.0
NAME_MATCH = 8.0
TERM_MISSING = -6.0
UNREQUESTED_VARIETY = 15.0
FUZZY_MIN = 0.45
_MINT_ORDER = ("P", "C", "CC", "D", "O", "S", "W")
_DESIGNATION_ORDER = ("", "BN", "RB", "RD", "PL", "DMPL", "FB", "FS", "FH", "FBL", "CAM", "DCAM")


@lru_cache(maxsize=1)
def _series_rank() -> dict[str, int]:
    return {s.slug: i for i, s in enumerate(all_series())}


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    vocab = vocabulary()
    return frozenset(p[0] for p, meanings in vocab.phrases.items() if len(p) == 1 and
                     any(m.kind == "stop" for m in meanings))


@lru_cache(maxsize=65536)
def _variety_tokens(variety: str) -> tuple[tuple[str, ...], frozenset[str]]:
    sequence = tokens(variety)
    return sequence, frozenset(sequence) - _stopwords()


@lru_cache(maxsize=65536)
def _name_tokens(full_name: str, series_name: str, metal: str) -> frozenset[str]:
    return frozenset(tokens(full_name)) | frozenset(tokens(series_name)) | frozenset(tokens(metal))


def _forms(term: Term) -> tuple[Term, frozenset[str], tuple[tuple[str, ...], ...]]:
    """A term with its one-word alternatives as a set and its longer ones as runs."""
    return (term, frozenset(a[0] for a in term.alternatives if len(a) == 1),
            tuple(a for a in term.alternatives if len(a) > 1))


def _slot(row: dict) -> tuple:
    return (row["series"], row["year"], row["mint_mark"], row["strike"])


def _contains_run(sequence: tuple[str, ...], run: tuple[str, ...]) -> bool:
    """Whether ``run`` occurs as consecutive tokens of ``sequence`` (``type 2`` is not in ``1/2 oz type 1``)."""
    if len(run) == 1:
        return run[0] in sequence
    size = len(run)
    return any(sequence[i:i + size] == run for i in range(len(sequence) - size + 1))


class Ranker:
    """Scores rows (dicts keyed by :data:`coinref.search.backends.COLUMNS`) for one intent."""

    def __init__(self, intent: QueryIntent, *, complete_dates: bool = True) -> None:
        """``complete_dates``: the rows hold every coin of their dates, so a date without a plain coin among
        them has none (full-text candidates do not: their plain siblings were never fetched)."""
        self.intent = intent
        self.complete_dates = complete_dates
        self.series = set(intent.series)
        self.denominations = set(intent.denominations)
        self.years = set(intent.years)
        self.series_rank = _series_rank()
        self.term_forms = [_forms(term) for term in intent.terms]
        self.nickname_forms = [_forms(term) for term in intent.series_terms]
        self.plain_slots: set[tuple] = set()
        self.term_hits: dict[int, int] = {}  # coin id -> how many query terms it matched

    def score(self, row: dict) -> float:
        q = self.intent
        points = 0.0
        if q.pcgs_number is not None and row["pcgs_number"] == q.pcgs_number:
            points += 1000
        if self.years:
            points += 100 if row["year"] in self.years else -100
        if q.mint:
            points += 50 if row["mint_mark"] == q.mint else -30
            if row["mint_mark"] == q.mint and f"{row['year']}-{q.mint}" in row["full_name"]:
                points += MINT_SHOWN  # "2000-P dollar": the coin that shows the P
        elif row["mint_mark"] == "P":
            points += PHILADELPHIA
        if self.series:
            points += 60 if row["series"] in self.series else -40
        if q.strike:
            points += 40 if row["strike"] == q.strike else -40
        else:
            points += {"MS": 8, "SP": 2}.get(row["strike"], 0)
        if q.designation:
            points += 40 if row["designation"] == q.designation else (5 if not row["designation"] else -10)
        elif not row["designation"]:
            points += 20
        if self.denominations:
            points += 30 if row["denomination"] in self.denominations else -20
        points += self._variety_points(row)
        points += min(math.log1p(max(row["lookup_count"] or 0, 0)), 5.0) * 0.2
        points += 1.0 if row["watched"] else 0.0
        return points

    def _variety_points(self, row: dict) -> float:
        if not row["variety"] and not self.intent.terms and not self.nickname_forms:
            return 0.0
        sequence, variety = _variety_tokens(row["variety"])
        name = _name_tokens(row["full_name"], row["series_name"] or "", row["metal"] or "")
        points = 0.0
        covered: set[str] = set()
        hits = 0
        for term, singles, runs in self.term_forms:
            gained, used = self._term_points(term, singles, runs, sequence, variety, name)
            points += gained
            covered |= used
            hits += gained > 0
        for term, singles, runs in self.nickname_forms:
            # nickname words that coin names use ("draped bust", "lincoln") help; the others cost nothing
            gained, _ = self._term_points(term, singles, runs, sequence, variety, name)
            points += max(gained, 0.0)
        self.term_hits[row["id"]] = hits
        if variety:
            uncovered = [t for t in variety if t not in self.intent.words and t not in covered]
            # a variety that replaces the plain coin (no plain coin of that date) is that date's base coin
            weight = 1.0 if not self.complete_dates or _slot(row) in self.plain_slots else 0.1
            points -= UNREQUESTED_VARIETY * weight * len(uncovered) / len(variety)
        return points

    def _term_points(self, term: Term, singles: frozenset[str], runs: tuple[tuple[str, ...], ...],
                     sequence: tuple[str, ...], variety: frozenset[str],
                     name: frozenset[str]) -> tuple[float, set[str]]:
        found = singles & variety
        if found:
            return VARIETY_MATCH, set(found)
        for run in runs:
            if variety.issuperset(run) and _contains_run(sequence, run):
                return VARIETY_MATCH, set(run)
        if singles & name or any(name.issuperset(run) for run in runs):
            return NAME_MATCH, set()
        if len(term.alternatives) == 1 and len(term.alternatives[0]) == 1:
            word = term.alternatives[0][0]
            if word.isalpha() and len(word) >= 4:
                best_word, best = self._closest(word, variety)
                if best >= FUZZY_MIN:
                    return VARIETY_MATCH * best, {best_word}
                _, best = self._closest(word, name)
                if best >= FUZZY_MIN:
                    return NAME_MATCH * best, set()
        return TERM_MISSING, set()

    def _closest(self, word: str, candidates: set[str]) -> tuple[str, float]:
        best_word, best = "", 0.0
        for candidate in candidates:
            value = similarity(word, candidate)
            if value > best:
                best_word, best = candidate, value
        return best_word, best

    def sort_key(self, row: dict, score: float) -> tuple:
        mint = row["mint_mark"]
        designation = row["designation"]
        return (
            -score,
            len(tokens(row["variety"])),  # the simpler coin first
            self.series_rank.get(row["series"], 999),
            row["year"],
            _MINT_ORDER.index(mint) if mint in _MINT_ORDER else 99,
            row["strike"] != "MS",
            row["variety"],
            _DESIGNATION_ORDER.index(designation) if designation in _DESIGNATION_ORDER else 99,
            row["id"],
        )

    def rank(self, rows: list[dict]) -> list[tuple[float, dict]]:
        self.plain_slots = {_slot(row) for row in rows if not row["variety"]}
        scored = []
        for row in rows:
            value = self.score(row)
            scored.append((self.sort_key(row, value), value, row))
        scored.sort(key=lambda item: item[0])
        return [(value, row) for _, value, row in scored]
