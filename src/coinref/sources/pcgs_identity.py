"""What coin a PCGS answer names, whether it is the coin we asked about, and which catalog coin it is.

The one home of these rules; the enrichment, the price refresh, single lookups and the discovery
all use them.

:func:`identity_of` reads a ``GetCoinFactsByGrade`` answer into an :class:`Identity`: year, mint
mark (``P`` when absent), denomination, strike (from the ``Grade`` prefix: PR/PF proof, SP
specimen, else MS), designation (``Designation``, else the ``Grade`` suffix, else the part of
``Name`` after the last comma) and variety (``MajorVariety``, else the words of ``Name`` left after
the date, the denomination and the designation). An answer with no year names a set or type, not
a coin (:attr:`Identity.is_coin`).

:func:`disagreements` lists how an answer differs from a coin (empty: it is the coin): year, mint
mark, denomination, strike and designation must be equal, and the variety must be the same words
(a plain coin must not get an answer naming a variety, and the other way round).

:func:`match_answer` finds the catalog coin an answer names: the coins agreeing on year, mint,
denomination, strike, designation and variety; when several series qualify, the words of the
answer's ``SeriesName`` pick the series. One coin is a match; several are ambiguous (for review);
none is a catalog gap (PCGS knows a coin the catalog lacks).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from coinref.sources.pcgs_models import CoinFacts
from coinref.store.models import Coin, Series

_WORD = re.compile(r"[a-z0-9/]+")
_STRIKES = {"PR": "PR", "PF": "PR", "SP": "SP"}
_SERIES_STOP = {"the", "of", "to", "and", "date", "dollar", "dollars", "cent", "cents", "coins", "type"}


def words(text: str | None) -> frozenset[str]:
    return frozenset(_WORD.findall((text or "").lower()))


def _denomination(text: str | None) -> str:
    return (text or "").strip().upper().replace(" ", "")


@dataclass(frozen=True)
class Identity:
    number: int | None
    name: str
    year: int | None
    mint_mark: str
    denomination: str
    strike: str
    designation: str
    variety: str
    series_name: str = ""

    @property
    def is_coin(self) -> bool:
        return self.year is not None

    def label(self) -> str:
        date = f"{self.year}-{self.mint_mark}" if self.mint_mark != "P" else str(self.year)
        parts = [date, self.denomination, self.variety, self.strike if self.strike != "MS" else "", self.designation]
        return " ".join(p for p in parts if p)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def identity_of(facts: CoinFacts, number: int | None = None) -> Identity:
    name = (facts.name or "").strip()
    parsed = facts.parsed_grade()
    strike = _STRIKES.get(parsed.prefix, "MS") if parsed else "MS"
    designation = (facts.designation or "").strip().upper()
    if not designation and parsed:
        designation = parsed.designation
    head, _, tail = name.rpartition(",")
    if not designation and head and tail.strip().isalpha() and tail.strip().isupper():
        designation = tail.strip()
    body = head if head and tail.strip().upper() == designation and designation else name
    variety = (facts.major_variety or "").strip()
    if not variety:
        tokens = body.split()
        denom = _denomination(facts.denomination)
        rest = [t for i, t in enumerate(tokens) if not (i == 0 and t[:4].isdigit()) and _denomination(t) != denom]
        variety = " ".join(rest)
    return Identity(
        number=facts.pcgs_no or number, name=name, year=facts.year, mint_mark=(facts.mint_mark or "P").strip().upper(),
        denomination=(facts.denomination or "").strip(), strike=strike, designation=designation, variety=variety,
        series_name=facts.series_name or "",
    )


def _same_variety(ours: str, theirs: str) -> bool:
    return words(ours) == words(theirs)


def disagreements(coin, identity: Identity) -> list[str]:
    """How the answer differs from ``coin`` (a Coin row or a CatalogCoin); empty when it is the coin."""
    problems = []
    if not identity.is_coin:
        return [f"PCGS answers with {identity.name or 'a set'}, which is not a single coin"]
    if identity.year != coin.year:
        problems.append(f"year {identity.year}, not {coin.year}")
    if identity.mint_mark != (coin.mint_mark or "P"):
        problems.append(f"mint mark {identity.mint_mark}, not {coin.mint_mark}")
    if _denomination(identity.denomination) != _denomination(coin.denomination):
        problems.append(f"denomination {identity.denomination or '-'}, not {coin.denomination}")
    if identity.strike != coin.strike:
        problems.append(f"strike {identity.strike}, not {coin.strike}")
    if identity.designation != (coin.designation or ""):
        problems.append(f"designation {identity.designation or 'none'}, not {coin.designation or 'none'}")
    if not _same_variety(coin.variety or "", identity.variety):
        problems.append(f"variety {identity.variety or 'none'}, not {coin.variety or 'none'}")
    return problems


@dataclass
class AnswerMatch:
    status: str  # unique | ambiguous | gap | not_coin
    coin: Coin | None = None
    series_slug: str = ""
    candidates: list[int] = field(default_factory=list)


def match_answer(session: Session, identity: Identity, series_slug: str | None = None) -> AnswerMatch:
    """The catalog coin the answer names (``series_slug`` narrows the search to one series)."""
    if not identity.is_coin:
        return AnswerMatch("not_coin")
    query = (
        select(Coin, Series.slug, Series.name).join(Series)
        .where(Coin.year == identity.year, Coin.mint_mark == identity.mint_mark, Coin.strike == identity.strike,
               Coin.designation == identity.designation)
    )
    if series_slug:
        query = query.where(Series.slug == series_slug)
    rows = [row for row in session.execute(query).all()
            if _denomination(row[0].denomination) == _denomination(identity.denomination)
            and _same_variety(row[0].variety, identity.variety)]
    if len({slug for _, slug, _ in rows}) > 1 and identity.series_name:
        wanted = words(identity.series_name) - _SERIES_STOP
        scored = [(len(wanted & (words(name) | words(slug.replace("-", " ")))), row) for row in rows
                  for _, slug, name in [row]]
        best = max(score for score, _ in scored)
        rows = [row for score, row in scored if score == best]
    if not rows:
        return AnswerMatch("gap", series_slug=series_slug or "")
    if len(rows) > 1:
        return AnswerMatch("ambiguous", candidates=[coin.id for coin, _, _ in rows])
    coin, slug, _ = rows[0]
    return AnswerMatch("unique", coin, slug, [coin.id])
