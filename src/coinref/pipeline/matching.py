"""Matching a record's attributes to one catalog coin, or saying precisely why not.

Used by the PCGS-number import, the website scraper and the spec search. Rules (documented in
docs/pipeline.md): the series is given, or resolved from the denomination, year and the words of
the name; a missing mint is Philadelphia; a missing strike is MS unless the name says proof
(PR/PF/Proof) or specimen/SMS; a missing designation means the base entry; a missing variety
means the plain coin, or the single variety coin when the plain coin does not exist. Anything
that leaves zero or several candidates is a :class:`MatchProblem`, never a guess.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from coinref.catalog.series import all_series
from coinref.pipeline.records import CoinRecord
from coinref.store.models import Coin, Series


class MatchProblem(Exception):
    def __init__(self, reason: str, candidates: list[int] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.candidates = candidates or []


_PROOF = re.compile(r"\b(proof|pr|pf)\b|\bpr\d", re.I)
_SPECIMEN = re.compile(r"\b(sp|sms|specimen)\b", re.I)
_STOP = {"the", "of", "and", "a", "dollar", "dollars", "cent", "cents", "half", "quarter", "dime", "nickel",
         "head", "to", "with", "reverse", "gold", "silver", "american", "modern", "classic", "early"}


def infer_strike(name: str | None) -> str:
    if name and _SPECIMEN.search(name):
        return "SP"
    if name and _PROOF.search(name):
        return "PR"
    return "MS"


def resolve_series(record: CoinRecord) -> str:
    """The series slug for a record that does not name one."""
    if record.series:
        return record.series
    candidates = _series_candidates(record)
    if len(candidates) == 1:
        return candidates[0].slug
    if not candidates:
        raise MatchProblem(f"no series has denomination {record.denomination!r} in {record.year}")
    raise MatchProblem("series is ambiguous: " + ", ".join(i.slug for i in candidates[:6]))


def _series_candidates(record: CoinRecord) -> list:
    """The series the denomination, year and name words leave possible, best first."""
    candidates = []
    for info in all_series():
        denoms = info.denomination.split()
        if record.denomination and info.denomination != "various" and record.denomination not in denoms:
            continue
        last = info.last_year or 9999
        if record.year is not None and not info.first_year <= record.year <= last:
            continue
        candidates.append(info)
    if len(candidates) > 1 and record.full_name:
        words = set(re.findall(r"[a-z]+", record.full_name.lower())) - _STOP
        scored = [(len(words & (set(re.findall(r"[a-z]+", i.name.lower())) - _STOP)), i) for i in candidates]
        best = max(s for s, _ in scored)
        if best > 0:
            candidates = [i for s, i in scored if s == best]
    if len(candidates) > 1:  # program series (commemoratives) need their subject named to match
        regular = [i for i in candidates if i.denomination != "various" and "commemoratives" not in i.slug]
        candidates = regular or candidates
    return candidates


def match_coin(session: Session, record: CoinRecord) -> Coin:
    """The one catalog coin the record describes.

    When the denomination and year leave several series but the record names a variety, the
    series is the one of them that has a coin with that variety (the 1909-S VDB is a Lincoln cent
    although Indian Head cents were struck in 1909 too); several such series stay ambiguous.
    """
    if record.year is None:
        raise MatchProblem("no year")
    try:
        slug = resolve_series(record)
    except MatchProblem:
        if not record.variety:
            raise
        found: list[Coin | None] = []
        for info in _series_candidates(record):
            try:
                found.append(_match_in_series(session, record, info.slug))
            except MatchProblem as exc:
                if exc.candidates:  # several coins in this series: it counts, and stays ambiguous
                    found.append(None)
        if len(found) != 1 or found[0] is None:
            raise
        return found[0]
    return _match_in_series(session, record, slug)


def _match_in_series(session: Session, record: CoinRecord, slug: str) -> Coin:
    series_id = session.scalar(select(Series.id).where(Series.slug == slug))
    if series_id is None:
        raise MatchProblem(f"unknown series {slug!r}")
    strike = record.strike or infer_strike(record.full_name)
    query = select(Coin).where(
        Coin.series_id == series_id, Coin.year == record.year, Coin.mint_mark == (record.mint_mark or "P"),
        Coin.strike == strike, Coin.designation == (record.designation or ""),
    )
    coins = session.scalars(query).all()
    if record.variety:
        wanted = record.variety.strip().lower()
        exact = [c for c in coins if c.variety.lower() == wanted]
        coins = exact or [c for c in coins if wanted in c.variety.lower() or c.variety.lower() in wanted and c.variety]
    else:
        plain = [c for c in coins if c.variety == ""]
        coins = plain or coins
    where = f"{slug} {record.year}-{record.mint_mark or 'P'} {strike} {record.variety or ''} {record.designation or ''}"
    if not coins:
        raise MatchProblem(f"no catalog coin matches {where.strip()}")
    if len(coins) > 1:
        raise MatchProblem(f"{len(coins)} catalog coins match {where.strip()}: "
                           + "; ".join(c.full_name for c in coins[:5]), [c.id for c in coins])
    return coins[0]
