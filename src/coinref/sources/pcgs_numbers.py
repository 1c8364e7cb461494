"""PCGS numbers on coins: attaching them with a provenance, and checking the first PCGS answer.

Every number on a coin carries ``pcgs_provenance`` (catalog, import, website, specsearch, api) and
``pcgs_state``: ``claimed`` until PCGS has answered for it, then ``verified`` (with the day) or
``rejected`` (with why, in ``pcgs_note``).

:func:`check_answer` is called with the first PCGS answer for a coin whose number is not verified
yet, by every path that asks PCGS about a coin's number (enrichment, price refresh, lookup), before
anything from the answer is stored. When the answer is the coin (:func:`~coinref.sources.
pcgs_identity.disagreements` finds nothing) the number becomes verified. Otherwise, in the caller's
transaction: the number is detached from the coin (state ``rejected``, the reason kept), the
disagreement is quarantined with both sides (source ``pcgs-verify``), and the answer goes to the
matcher: when it names exactly one catalog coin that has no number, the number is attached there,
verified (provenance ``api``). The caller then stores no price for the coin it asked about.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from coinref.sources.pcgs_identity import Identity, disagreements, match_answer
from coinref.store.models import Coin, Quarantine

PROVENANCES = ("catalog", "import", "website", "specsearch", "api")
STATES = ("claimed", "verified", "rejected")
VERIFY_SOURCE = "pcgs-verify"


def provenance_of(source: str) -> str:
    """The provenance of a number a record of ``source`` brings."""
    if source.startswith("import"):
        return "import"
    if source in ("coinfacts", "pcgs-website"):
        return "website"
    if source == "specsearch":
        return "specsearch"
    if source == "builtin":
        return "catalog"
    return "api"


def attach(coin: Coin, number: int, provenance: str, verified_on: date | None = None) -> None:
    """Put ``number`` on ``coin``: claimed, or verified on ``verified_on`` (a PCGS answer for it)."""
    coin.pcgs_number = number
    coin.pcgs_provenance = provenance
    coin.pcgs_state = "verified" if verified_on else "claimed"
    coin.pcgs_verified_on = verified_on
    coin.pcgs_note = None


def coin_side(coin: Coin) -> dict[str, object]:
    return {"coin_id": coin.id, "full_name": coin.full_name, "year": coin.year, "mint_mark": coin.mint_mark,
            "denomination": coin.denomination, "strike": coin.strike, "variety": coin.variety,
            "designation": coin.designation, "pcgs_provenance": coin.pcgs_provenance}


def reject_claim(session: Session, coin: Coin, reason: str, pcgs_side: dict, run_id: int | None = None, *,
                 answer: Identity | None = None) -> None:
    """Detach a claimed number from ``coin`` (state rejected, ``reason`` kept) and quarantine the
    disagreement with both sides (source ``pcgs-verify``); with ``answer``, the quarantined record is
    PCGS's coin, so ``coinref quarantine --rerun`` can match it to the coin it names."""
    number = coin.pcgs_number
    side = coin_side(coin)
    coin.pcgs_number = None
    coin.pcgs_state, coin.pcgs_note, coin.pcgs_verified_on = "rejected", reason, None
    session.flush()
    record: dict[str, object] = {"source": VERIFY_SOURCE, "pcgs_number": number}
    if answer is not None:
        record |= {"year": answer.year, "mint_mark": answer.mint_mark, "strike": answer.strike,
                   "variety": answer.variety or None, "designation": answer.designation or None,
                   "denomination": answer.denomination or None, "full_name": answer.name or None}
    else:
        record |= {"coin_id": coin.id}
    record["raw"] = {"coin": side, "pcgs": pcgs_side}
    session.add(Quarantine(run_id=run_id, source=VERIFY_SOURCE, record=record,
                           reasons=[f"PCGS #{number} was claimed for {coin.full_name}: {reason}"]))


def check_answer(session: Session, coin: Coin, number: int, identity: Identity, today: date,
                 run_id: int | None = None) -> bool:
    """True when ``coin`` keeps ``number`` (verified now or before); False when it was rejected."""
    if coin.pcgs_number != number:
        return False
    if coin.pcgs_state == "verified":
        return True
    problems = disagreements(coin, identity)
    if not problems:
        coin.pcgs_state, coin.pcgs_verified_on, coin.pcgs_note = "verified", today, None
        coin.pcgs_provenance = coin.pcgs_provenance or "api"
        session.flush()
        return True
    reason = f"PCGS #{number} is {identity.label() or identity.name}, not this coin: " + "; ".join(problems)
    reject_claim(session, coin, reason, identity.as_dict(), run_id, answer=identity)
    found = match_answer(session, identity)
    if found.status == "unique" and found.coin.pcgs_number is None and found.coin.id != coin.id:
        holder = session.scalar(select(Coin.id).where(Coin.pcgs_number == number))
        if holder is None:
            attach(found.coin, number, "api", today)
            session.flush()
    return False
