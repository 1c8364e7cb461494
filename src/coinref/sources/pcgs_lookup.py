"""Single lookups with storage: one price point, or one cert, bought at most once a quota day.

:func:`lookup_price_point` answers (PCGS number, grade, plus) in this order:

1. a coin carrying that PCGS number with an observation of today (from any process: a lookup, the
   refresh, the population run) or a miss recorded today: answered from the database;
2. a number attached to no coin that was asked today: answered from the call log's summary;
3. otherwise one API call; the answer is stored (facts onto the coin, a price observation, or a
   miss) before it is returned.

Every lookup of an attached coin increments ``coins.lookup_count`` (a demand signal for the price
refresh). :func:`lookup_cert` does the same for certs, keyed by cert number. The CLI and the HTTP
API call these; neither holds logic of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Engine

from coinref.catalog.grades import grade_label
from coinref.config import Settings
from coinref.errors import InvalidInput, NotFound
from coinref.remote.calllog import find_answer
from coinref.sources.pcgs_api import (
    BY_CERT,
    BY_GRADE,
    PRICE_SOURCE,
    PROVIDER,
    PcgsClient,
    check_grade_point,
    normalize_cert,
)
from coinref.sources.pcgs_identity import identity_of
from coinref.sources.pcgs_models import CoinFacts
from coinref.sources.pcgs_numbers import check_answer
from coinref.store import prices
from coinref.store.coins import entry_for_grade
from coinref.store.db import session_scope
from coinref.store.models import Coin
from coinref.store.population import record_population
from coinref.timeutil import quota_day, utcnow


def grade_text(number: int, plus: bool, strike: str = "MS", designation: str = "") -> str:
    label = grade_label(number, strike)
    digits = f"{number:02d}" if number < 10 else str(number)
    return f"{label}{digits}{'+' if plus else ''}{designation}"


def _coin_view(coin: Coin) -> dict[str, object]:
    return {
        "coin_id": coin.id,
        "name": (coin.facts or {}).get("pcgs_name") or coin.short_name or coin.full_name,
        "year": coin.year,
        "mint_mark": coin.mint_mark,
        "denomination": coin.denomination,
        "designation": coin.designation,
        "strike": coin.strike,
    }


def _point_answer(
    pcgs_number: int,
    grade: int,
    plus: bool,
    *,
    name: str | None,
    year: int | None,
    mint_mark: str | None,
    denomination: str | None,
    grade_shown: str,
    designation: str,
    price: Decimal | None,
    population: int | None,
    pop_higher: int | None,
    observed_on: date,
    coin_id: int | None,
    from_cache: bool,
) -> dict[str, object]:
    return {
        "pcgs_number": pcgs_number,
        "name": name,
        "year": year,
        "mint_mark": mint_mark,
        "denomination": denomination,
        "grade": grade_shown,
        "grade_number": grade,
        "plus": plus,
        "designation": designation,
        "price": price,
        "currency": "USD",
        "population": population,
        "pop_higher": pop_higher,
        "source": PRICE_SOURCE,
        "observed_on": observed_on,
        "coin_id": coin_id,
        "from_cache": from_cache,
    }


def _no_data(pcgs_number: int, grade: int, plus: bool) -> NotFound:
    return NotFound(
        f"PCGS has no data for PCGS #{pcgs_number} in grade {grade}{'+' if plus else ''} "
        "(the number or the grade may not exist)",
        pcgs_number=pcgs_number,
        grade=grade,
        plus=plus,
    )


async def lookup_price_point(
    engine: Engine,
    settings: Settings,
    pcgs_number: int,
    grade: int,
    plus: bool = False,
    *,
    client: PcgsClient | None = None,
    clock: Callable[[], datetime] = utcnow,
    prefix: str = "",
    designation: str = "",
) -> dict[str, object]:
    """The price guide value, population and facts of one (PCGS number, grade, plus) point.

    ``prefix`` and ``designation`` are the rest of the grade as written (``PR``, ``DCAM``): when
    the number is attached to a coin they must agree with it or name its designation entry
    (:func:`coinref.store.coins.entry_for_grade`), whose own PCGS number is then asked.
    """
    check_grade_point(pcgs_number, grade, plus)
    day = quota_day(clock(), settings.quota_tz)
    if prefix or designation:
        pcgs_number = _number_for_grade(engine, pcgs_number, prefix, designation)

    view: dict[str, object] | None = None
    stored: dict[str, object] | None = None
    with session_scope(engine, immediate=True) as session:
        coin = prices.coin_by_pcgs_number(session, pcgs_number)
        if coin is not None:
            coin.lookup_count = (coin.lookup_count or 0) + 1
            view = _coin_view(coin)
            point = {"coin_id": coin.id, "grade": grade, "plus": plus, "source": PRICE_SOURCE}
            observation = prices.price_for_day(session, day=day, **point)
            if observation is not None:
                stored = {"price": observation.price, "population": observation.population,
                          "pop_higher": observation.pop_higher}
            else:
                miss = prices.miss_for_day(session, day=day, tz=settings.quota_tz, **point)
                if miss is not None:
                    stored = {"miss": miss.reason}

    if view is not None and stored is not None:
        if stored.get("miss") in ("not_found", "invalid"):
            raise _no_data(pcgs_number, grade, plus)
        return _point_answer(
            pcgs_number, grade, plus, name=view["name"], year=view["year"], mint_mark=view["mint_mark"],
            denomination=view["denomination"], designation=str(view["designation"]),
            grade_shown=grade_text(grade, plus, str(view["strike"]), str(view["designation"])),
            price=stored.get("price"), population=stored.get("population"), pop_higher=stored.get("pop_higher"),
            observed_on=day, coin_id=int(view["coin_id"]), from_cache=True,
        )

    params = {"PCGSNo": str(pcgs_number), "GradeNo": str(grade), "PlusGrade": "true" if plus else "false"}
    if view is None:
        summary = find_answer(engine, provider=PROVIDER, endpoint=BY_GRADE, params=params, quota_day=day)
        if summary is not None:
            if not summary.get("found"):
                raise _no_data(pcgs_number, grade, plus)
            price = summary.get("price")
            return _point_answer(
                pcgs_number, grade, plus, name=summary.get("name"), year=summary.get("year"),
                mint_mark=summary.get("mint_mark"), denomination=summary.get("denomination"),
                grade_shown=summary.get("grade") or grade_text(grade, plus),
                designation=summary.get("designation") or "", price=Decimal(price) if price else None,
                population=summary.get("population"), pop_higher=summary.get("pop_higher"),
                observed_on=day, coin_id=None, from_cache=True,
            )

    coin_id = int(view["coin_id"]) if view else None
    facts = await _ask(engine, settings, client, coin_id, grade, plus, pcgs_number)
    with session_scope(engine, immediate=True) as session:
        coin = session.get(Coin, coin_id) if coin_id is not None else None
        if coin is not None and not check_answer(session, coin, pcgs_number, identity_of(facts, pcgs_number), day):
            coin_id = None  # the number was someone else's: detached and quarantined, no price stored
        elif coin is not None:
            prices.apply_coin_facts(coin, facts)
            point = {"coin_id": coin_id, "grade": grade, "plus": plus, "source": PRICE_SOURCE}
            if facts.priced:
                prices.upsert_price(session, price=facts.price_guide_value, observed_on=day,
                                    population=facts.population, pop_higher=facts.pop_higher, **point)
            else:
                prices.record_miss(session, reason="unpriced", observed_on=day, population=facts.population,
                                   pop_higher=facts.pop_higher, **point)
    return _point_answer(
        pcgs_number, grade, plus, name=facts.name or (view or {}).get("name"), year=facts.year,
        mint_mark=facts.mint_mark, denomination=facts.denomination,
        grade_shown=facts.grade or grade_text(grade, plus), designation=facts.designation or "",
        price=facts.price_guide_value, population=facts.population, pop_higher=facts.pop_higher,
        observed_on=day, coin_id=coin_id, from_cache=False,
    )


def _number_for_grade(engine: Engine, pcgs_number: int, prefix: str, designation: str) -> int:
    """The PCGS number of the entry the grade names (InvalidInput when it names none)."""
    with session_scope(engine, read_only=True) as session:
        coin = prices.coin_by_pcgs_number(session, pcgs_number)
        if coin is None:  # a number coinref does not hold: PCGS judges the grade
            return pcgs_number
        entry = entry_for_grade(session, coin, prefix, designation)
        if entry.pcgs_number is None:
            raise InvalidInput(f"{entry.full_name} has no PCGS number yet; attach it to look up a "
                               f"{designation} grade")
        return entry.pcgs_number


async def _ask(
    engine: Engine, settings: Settings, client: PcgsClient | None, coin_id: int | None, grade: int, plus: bool,
    pcgs_number: int,
) -> CoinFacts:
    own = client is None
    client = client or PcgsClient(settings, engine)
    try:
        return await client.get_coin_facts_by_grade(pcgs_number, grade, plus)
    except (NotFound, InvalidInput) as exc:
        if coin_id is not None:
            reason = "not_found" if isinstance(exc, NotFound) else "invalid"
            with session_scope(engine, immediate=True) as session:
                prices.record_miss(session, coin_id=coin_id, grade=grade, plus=plus, source=PRICE_SOURCE,
                                   reason=reason)
        raise
    finally:
        if own:
            await client.aclose()


def _cert_answer(cert: str, facts: CoinFacts, coin_id: int | None, from_cache: bool) -> dict[str, object]:
    parsed = facts.parsed_grade()
    return {
        "cert_number": cert,
        "pcgs_number": facts.pcgs_no,
        "name": facts.name,
        "year": facts.year,
        "mint_mark": facts.mint_mark,
        "denomination": facts.denomination,
        "grade": facts.grade,
        "grade_number": parsed.number if parsed else None,
        "plus": parsed.plus if parsed else False,
        "designation": facts.designation or "",
        "price": facts.price_guide_value,
        "currency": "USD",
        "population": facts.population,
        "pop_higher": facts.pop_higher,
        "images": [i.fullsize or i.thumbnail for i in facts.images],
        "auctions": len(facts.auction_list),
        "coin_id": coin_id,
        "from_cache": from_cache,
    }


async def lookup_cert(
    engine: Engine,
    settings: Settings,
    cert_or_slab_id: str,
    *,
    client: PcgsClient | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> dict[str, object]:
    """The CoinFacts of a certified coin, from today's stored cert or one API call."""
    cert = normalize_cert(cert_or_slab_id)
    day = quota_day(clock(), settings.quota_tz)
    with session_scope(engine) as session:
        row = prices.cert_for_day(session, cert_number=cert, day=day, tz=settings.quota_tz)
        if row is not None:
            return _cert_answer(cert, CoinFacts.model_validate(row.raw), row.coin_id, True)
    summary = find_answer(engine, provider=PROVIDER, endpoint=BY_CERT, params={"certNo": cert}, quota_day=day)
    if summary is not None and not summary.get("found"):
        raise NotFound(f"PCGS has no cert {cert}", cert_number=cert)

    own = client is None
    client = client or PcgsClient(settings, engine)
    try:
        facts = await client.get_coin_facts_by_cert(cert)
    finally:
        if own:
            await client.aclose()

    parsed = facts.parsed_grade()
    with session_scope(engine, immediate=True) as session:
        coin = prices.coin_by_pcgs_number(session, facts.pcgs_no) if facts.pcgs_no else None
        coin_id = coin.id if coin else None
        prices.store_cert(
            session, cert_number=cert, pcgs_number=facts.pcgs_no, coin_id=coin_id,
            grade=parsed.number if parsed else None, plus=parsed.plus if parsed else False,
            grade_text=facts.grade or "", raw=facts.model_dump(by_alias=True, mode="json"),
        )
        if coin is not None:
            prices.apply_coin_facts(coin, facts)
            if parsed is not None and facts.priced:
                prices.upsert_price(
                    session, coin_id=coin.id, grade=parsed.number, plus=parsed.plus, source=PRICE_SOURCE,
                    price=facts.price_guide_value, observed_on=day, population=facts.population,
                    pop_higher=facts.pop_higher,
                )
            elif parsed is not None:
                record_population(session, coin_id=coin.id, grade=parsed.number, plus=parsed.plus,
                                  source=PRICE_SOURCE, observed_on=day, population=facts.population,
                                  pop_higher=facts.pop_higher)
    return _cert_answer(cert, facts, coin_id, False)

