"""Query understanding: turn what a collector types into structured intent.

``parse_query("84-CC morgan MS65")`` gives year 1884, mint CC, series morgan-dollars and grade
MS65. The parser works in two passes over the folded text (:func:`coinref.search.text.fold`):

1. **Patterns** with a fixed shape are cut out first, each leaving a blank so later steps do not
   see it again: ``PCGS 7082`` and ``#7082``; dollar amounts (``$1``, ``$2.5``, ``$2 1/2``,
   ``T$1``); compact cents (``1c``, ``25c``, ``3cn``, ``h10c``); grades (``MS65``, ``pr-69 dcam``,
   ``VF20``, ``MS64RD``: a grade prefix also says the strike, an attached suffix the designation);
   slab labels (``7130.67/51225377``); dates with an optional overdate and mint mark, attached or
   separate (``1942/1-D``, ``1909 s``, ``1900-O/CC``), and two-digit years with a mint mark
   (``84-CC``) or an overdate (``42/1``), which are resolved to a century later.
2. **Words**: the rest is tokenized; a bare 4-6 digit number that is not a plausible year, or a
   7-digit one starting with 9 (the simulator's numbers), is a PCGS number; unknown words are
   corrected against the vocabulary; then the longest known phrase at each position gives its
   meanings (:mod:`coinref.search.vocabulary`). Words left over are variety words.

Finally the series named by nicknames are narrowed by the denominations and years of the query,
and a two-digit year takes the centuries in which the mint (and the series, if named) struck.
Nothing here touches the database; bad input yields an empty intent, never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from coinref.catalog.facts_schema import parse_years
from coinref.catalog.rules import mint_active
from coinref.catalog.series import series_by_slug
from coinref.search.text import MAX_QUERY_CHARS, fold, normalize_tokens, raw_tokens, tokens
from coinref.search.vocabulary import VarietyGroup, vocabulary

FIRST_YEAR = 1792
GRADE_NUMBERS = frozenset(range(1, 71))
MINT_CODES = {"p": "P", "d": "D", "s": "S", "o": "O", "w": "W", "c": "C", "cc": "CC"}
STRIKE_OF_PREFIX = {"ms": "MS", "pr": "PR", "pf": "PR", "sp": "SP"}
GRADE_PREFIX = {"pf": "PR", "ef": "XF", "fr": "FR", "po": "PO"}
DESIGNATION_SUFFIX = {"uc": "DCAM"}
DOLLAR_CODES = {
    Decimal("1"): ("$1", "T$1", "G$1"), Decimal("2.5"): ("$2.50",), Decimal("3"): ("$3",), Decimal("5"): ("$5",),
    Decimal("10"): ("$10",), Decimal("20"): ("$20",), Decimal("25"): ("$25",), Decimal("50"): ("$50",),
    Decimal("100"): ("$100",),
}
CENT_CODES = {
    "1/2c": ("1/2C",), "1c": ("1C",), "2c": ("2C",), "3c": ("3CN", "3CS"), "3cn": ("3CN",), "3cs": ("3CS",),
    "5c": ("5C",), "10c": ("10C",), "h10c": ("H10C",), "20c": ("20C",), "25c": ("25C",), "50c": ("50C",),
}

_MINT = r"(cc|[pdsowc])(?![a-z0-9])"
_PCGS = re.compile(r"\bpcgs\s*(?:#|no\b\.?|num(?:ber)?\b\.?)?\s*[:#]?\s*(\d{1,7})(?!\d)|#\s*(\d{1,7})(?!\d)")
_DOLLARS = re.compile(r"(?<![a-z0-9])([tg])?\s?\$\s?(\d{1,3}(?:\.\d{1,2})?)(\s+1/2)?(?![\d.])")
_CENTS = re.compile(r"(?<![a-z0-9/.$])(1/2|h10|\d{1,2})\s?(cn|cs|c)(?![a-z0-9])")
_GRADE = re.compile(
    r"(?<![a-z0-9])(ms|pr|pf|sp|au|xf|ef|vf|vg|ag|fr|po|f|g)\s?-?\s?(\d{1,2})(?!\d)(\s?\+|\s?plus\b)?"
    r"(?:\s?(rd|rb|bn|fbl|fb|fs|fh|dmpl|pl|dcam|cam|uc)(?![a-z0-9]))?"
)
_SLAB = re.compile(r"(?<![\w$.])(\d{3,7})\.(\d{2})(?:\s*/\s*\d{5,10})?(?![\d.])")
_DATE4 = re.compile(
    r"(?<![\w$.#/])(1[789]\d\d|20\d\d)(?!\d)(?:\s*/\s*(\d{1,4})(?!\d))?"
    r"(?:\s*-?\s*" + _MINT + r")?(?:\s*/\s*" + _MINT + r")?"
)
_DATE2_MINT = re.compile(r"(?<![\w$.#/])'?(\d{2})(?!\d)(?:\s*/\s*(\d{1,2})(?!\d))?\s*-?\s*" + _MINT)
_DATE2_APOSTROPHE = re.compile(r"(?<![\w$.#/])'(\d{2})(?![\w])")
_DATE2_OVERDATE = re.compile(r"(?<![\w$.#/])(\d{2})\s*/\s*(\d{1,2})(?![\w/])")


@dataclass(frozen=True)
class GradeIntent:
    """A grade the query mentions: ignored for matching, reported to the caller."""

    prefix: str | None  # MS, PR, SP, AU, XF, VF, F, VG, G, AG, FR, PO; None for a bare slab grade
    number: int
    plus: bool = False

    @property
    def text(self) -> str:
        return f"{self.prefix or ''}{self.number}{'+' if self.plus else ''}"

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "prefix": self.prefix, "number": self.number, "plus": self.plus}


@dataclass(frozen=True)
class Term:
    """A variety word or phrase of the query; a coin matches it with any one alternative."""

    name: str
    alternatives: tuple[tuple[str, ...], ...]
    known: bool = True  # a vocabulary phrase or a word some coin name uses; else a candidate for fuzzy matching


@dataclass(frozen=True)
class QueryIntent:
    """What the query asks for. Empty fields mean "not said"."""

    text: str = ""
    years: tuple[int, ...] = ()
    mint: str | None = None
    denominations: tuple[str, ...] = ()
    series: tuple[str, ...] = ()
    strike: str | None = None
    designation: str | None = None
    terms: tuple[Term, ...] = ()
    grade: GradeIntent | None = None
    pcgs_number: int | None = None
    words: frozenset[str] = field(default_factory=frozenset)  # every query word and synonym, for coverage
    series_terms: tuple[Term, ...] = ()  # the nickname words, as words, for when no coin of the series fits

    @property
    def year(self) -> int | None:
        return self.years[0] if self.years else None

    @property
    def variety(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.terms)

    @property
    def has_structure(self) -> bool:
        """Whether the query says anything besides variety words."""
        return bool(self.years or self.mint or self.denominations or self.series or self.strike
                    or self.designation or self.pcgs_number is not None)

    @property
    def is_empty(self) -> bool:
        return not (self.has_structure or self.terms)

    def as_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "years": list(self.years),
            "mint": self.mint,
            "denomination": list(self.denominations),
            "series": list(self.series),
            "strike": self.strike,
            "designation": self.designation,
            "variety": list(self.variety),
            "grade": self.grade.as_dict() if self.grade else None,
            "pcgs_number": self.pcgs_number,
        }


@dataclass
class _Draft:
    """Mutable state while parsing."""

    years: list[int] = field(default_factory=list)
    two_digit: list[tuple[int, str | None]] = field(default_factory=list)
    mint: str | None = None
    denominations: list[str] = field(default_factory=list)
    series_sets: list[tuple[str, ...]] = field(default_factory=list)
    series_terms: list[Term] = field(default_factory=list)
    hint_years: list[int] = field(default_factory=list)
    strikes: list[str] = field(default_factory=list)
    implied_strikes: list[str] = field(default_factory=list)
    designation: str | None = None
    terms: list[Term] = field(default_factory=list)
    grade: GradeIntent | None = None
    pcgs_number: int | None = None
    words: set[str] = field(default_factory=set)

    def add_denominations(self, codes) -> None:
        self.denominations.extend(c for c in codes if c not in self.denominations)

    def add_term(self, term: Term) -> None:
        if all(t.name != term.name for t in self.terms):
            self.terms.append(term)
            self.words.update(w for alternative in term.alternatives for w in alternative)


def latest_year() -> int:
    return date.today().year + 1


def plausible_year(value: int) -> bool:
    return FIRST_YEAR <= value <= latest_year()


def _overdate_term(year: int, over: str) -> Term:
    """``1942/1`` as a variety term matching ``1942/1``, ``42/1``, ``2/1`` and ``1942/41``."""
    text = str(year)
    full_over = text[: 4 - len(over)] + over if len(over) < 4 else over
    forms = [(text, over), (text[-2:], over), (text[-1:], over), (text, full_over), (text[-2:], full_over[-2:])]
    differ = next((i for i in range(4) if text[i] != full_over[i:i + 1]), None)
    if differ is not None:  # 1880/79 is also written 8/7: the first digits that differ
        forms += [(text[differ], full_over[differ]), (text[differ:], full_over[differ:])]
    alternatives = tuple(dict.fromkeys((a, b) for a, b in forms if a and b))
    return Term(f"{year}/{over}", alternatives + (("overdate",),))


def _cut(pattern: re.Pattern, text: str, handle) -> str:
    """Replace each match by a blank when ``handle`` accepts it (returns True)."""
    return pattern.sub(lambda m: " " if handle(m) else m.group(0), text)


def _extract_patterns(text: str, draft: _Draft) -> str:
    def pcgs(m: re.Match) -> bool:
        if draft.pcgs_number is None:
            draft.pcgs_number = int(m.group(1) or m.group(2))
        return True

    def dollars(m: re.Match) -> bool:
        prefix, amount, half = m.groups()
        try:
            value = Decimal(amount) + (Decimal("0.5") if half else 0)
        except InvalidOperation:
            return False
        codes = DOLLAR_CODES.get(value)
        if codes and value == 1 and prefix:
            codes = (f"{prefix.upper()}$1",)
        if codes:
            draft.add_denominations(codes)
        return True

    def cents(m: re.Match) -> bool:
        codes = CENT_CODES.get(m.group(1) + m.group(2))
        if codes is None:
            return False
        draft.add_denominations(codes)
        return True

    def grade(m: re.Match) -> bool:
        prefix, number, plus, suffix = m.groups()
        if int(number) not in GRADE_NUMBERS:
            return False
        if draft.grade is None:
            draft.grade = GradeIntent(GRADE_PREFIX.get(prefix, prefix.upper()), int(number), bool(plus))
        if prefix in STRIKE_OF_PREFIX:
            draft.strikes.append(STRIKE_OF_PREFIX[prefix])
        if suffix:
            draft.designation = draft.designation or DESIGNATION_SUFFIX.get(suffix, suffix.upper())
        return True

    def slab(m: re.Match) -> bool:
        number, grade_number = int(m.group(1)), int(m.group(2))
        if grade_number not in GRADE_NUMBERS or draft.pcgs_number is not None:
            return False
        draft.pcgs_number = number
        draft.grade = draft.grade or GradeIntent(None, grade_number)
        return True

    def date4(m: re.Match) -> bool:
        year, over, mint, over_mint = m.groups()
        if not plausible_year(int(year)):
            return False
        _add_date(draft, int(year), over, mint, over_mint)
        return True

    text = _cut(_PCGS, text, pcgs)
    text = _cut(_DOLLARS, text, dollars)
    text = _cut(_CENTS, text, cents)
    text = _cut(_SLAB, text, slab)
    text = _cut(_GRADE, text, grade)
    text = _cut(_DATE4, text, date4)
    if not draft.years:
        text = _cut(_DATE2_MINT, text, lambda m: _add_two_digit(draft, m.group(1), m.group(2), m.group(3)))
        text = _cut(_DATE2_OVERDATE, text, lambda m: _add_two_digit(draft, m.group(1), m.group(2), None))
        text = _cut(_DATE2_APOSTROPHE, text, lambda m: _add_two_digit(draft, m.group(1), None, None))
    return text


def _add_date(draft: _Draft, year: int, over: str | None, mint: str | None, over_mint: str | None) -> None:
    if year not in draft.years:
        draft.years.append(year)
    draft.words.add(str(year))
    if over:
        draft.add_term(_overdate_term(year, over))
    if mint and draft.mint is None:
        draft.mint = MINT_CODES[mint]
    if mint and over_mint:
        draft.add_term(Term(f"{MINT_CODES[mint]}/{MINT_CODES[over_mint]}", ((mint, over_mint),)))


def _add_two_digit(draft: _Draft, yy: str, over: str | None, mint: str | None) -> bool:
    draft.two_digit.append((int(yy), over))
    if mint and draft.mint is None:
        draft.mint = MINT_CODES[mint]
    return True


def _series_active(slug: str, year: int) -> bool:
    info = series_by_slug().get(slug)
    if info is None:
        return False
    return info.first_year <= year <= (info.last_year or latest_year())


def _series_denominations(slug: str) -> set[str] | None:
    info = series_by_slug().get(slug)
    if info is None or info.denomination == "various":
        return None
    return set(info.denomination.split())


def _resolve_two_digit(draft: _Draft, series: tuple[str, ...]) -> None:
    for yy, over in draft.two_digit:
        candidates = [c + yy for c in (1700, 1800, 1900, 2000) if plausible_year(c + yy)]
        if draft.mint:
            candidates = [y for y in candidates if mint_active(draft.mint, y)] or candidates
        if series:
            candidates = [y for y in candidates if any(_series_active(s, y) for s in series)] or candidates
        if len(candidates) > 1 and not series:
            candidates = [y for y in candidates if y >= 1838] or candidates  # branch mints and most series
        for year in candidates:
            _add_date(draft, year, over, None, None)


def _narrow_series(draft: _Draft, years: list[int]) -> tuple[str, ...]:
    if not draft.series_sets:
        return ()
    chosen = set(draft.series_sets[0])
    for found in draft.series_sets[1:]:
        chosen = (chosen & set(found)) or (chosen | set(found))
    if draft.denominations:
        wanted = set(draft.denominations)
        narrowed = {s for s in chosen if (_series_denominations(s) or wanted) & wanted}
        chosen = narrowed or chosen
    if years:
        active = {s for s in chosen if any(_series_active(s, y) for y in years)}
        chosen = active or chosen
    order = list(series_by_slug())
    return tuple(sorted(chosen, key=lambda s: order.index(s) if s in order else len(order)))


def _mint_as_mark(draft: _Draft) -> None:
    """A mint that struck nothing in the query's years is a mark on the coin, not its mint.

    ``2021 morgan dollar CC``: Carson City closed in 1893, so the CC is the 2021 privy mark (a
    Philadelphia coin whose name says "CC Privy"): the letters become a variety word.
    """
    if draft.mint and draft.years and not any(mint_active(draft.mint, y) for y in draft.years):
        letters = draft.mint.lower()
        draft.add_term(Term(letters, ((letters,),)))
        draft.words.add(letters)
        draft.mint = None


def _read_words(text: str, draft: _Draft) -> None:
    vocab = vocabulary()
    words: list[str] = []
    for token in normalize_tokens(raw_tokens(text)):
        if token.isdigit():
            value = int(token)
            if len(token) == 4 and plausible_year(value):
                _add_date(draft, value, None, None, None)
                continue
            if (4 <= len(token) <= 6 or (len(token) == 7 and token.startswith("9"))) and draft.pcgs_number is None:
                draft.pcgs_number = value
                continue
        words.append(vocab.correct(token) or token)
    draft.words.update(words)
    position = 0
    while position < len(words):
        size, meanings = vocab.lookup(words, position)
        if not size:
            word = words[position]
            draft.add_term(Term(word, ((word,),), known=vocab.is_known(word)))
            position += 1
            continue
        for meaning in meanings:
            _apply(meaning, draft)
        if any(m.kind == "series" for m in meanings):
            phrase = tuple(words[position:position + size])
            draft.series_terms.append(Term(" ".join(phrase), (phrase,)))
        position += size


def _apply(meaning, draft: _Draft) -> None:
    kind, value = meaning.kind, meaning.value
    if kind == "series":
        draft.series_sets.append(value)
    elif kind == "years":
        draft.hint_years.extend(parse_years(value))
    elif kind == "denomination":
        draft.add_denominations(value)
    elif kind == "strike":
        draft.strikes.append(value)
    elif kind == "designation":
        draft.designation = draft.designation or value
    elif kind == "mint":
        draft.mint = draft.mint or value
    elif kind == "variety":
        group: VarietyGroup = value
        draft.add_term(Term(group.name, group.alternatives))
        if group.strike:
            draft.implied_strikes.append(group.strike)


def parse_query(query: object) -> QueryIntent:
    """Parse a collector's query into a :class:`QueryIntent` (never raises on bad input)."""
    if not isinstance(query, str):
        query = query.decode("utf-8", "replace") if isinstance(query, bytes | bytearray) else str(query or "")
    text = fold(query[:MAX_QUERY_CHARS])
    draft = _Draft()
    rest = _extract_patterns(text, draft)
    _read_words(rest, draft)
    series = _narrow_series(draft, draft.years)
    if draft.two_digit:
        _resolve_two_digit(draft, series)
        series = _narrow_series(draft, draft.years)
    if not draft.years and draft.hint_years:
        draft.years.extend(draft.hint_years)
    strike = (draft.strikes or [None])[0]
    if strike is None and draft.designation:
        strike = vocabulary().designation_strikes.get(draft.designation)
    if strike is None and draft.implied_strikes:
        strike = draft.implied_strikes[0]
    for word in list(draft.words):
        draft.words.update(tokens(word))
    _mint_as_mark(draft)
    return QueryIntent(
        text=" ".join(text.split()),
        years=tuple(draft.years),
        mint=draft.mint,
        denominations=tuple(draft.denominations),
        series=series,
        strike=strike,
        designation=draft.designation,
        terms=tuple(draft.terms),
        grade=draft.grade,
        pcgs_number=draft.pcgs_number,
        words=frozenset(draft.words),
        series_terms=tuple(draft.series_terms),
    )
