"""Storing what a price source answered: coin facts, price observations, misses and certs.

* :func:`apply_coin_facts` fills a coin's blanks from a CoinFacts answer and merges the descriptive
  facts into ``coins.facts``; it never overwrites identity fields someone may have corrected.
* :func:`upsert_price` writes one price observation, unique per (coin, grade, plus, source, day):
  a second answer the same day updates the row (``INSERT ... ON CONFLICT DO UPDATE`` on both
  backends). A price clears any recorded miss of the point.
* :func:`record_miss` remembers a point the source had no data or no price for.
* Populations go to their own history (``store/population.py``): a price written with a
  population records it, and so does a miss of an unpriced answer given ``observed_on``.
* :func:`store_cert` upserts a cert by its number.
* The ``*_for_day`` readers let a caller answer the same question from the database on the day it
  was bought.

All functions take an open session; the caller owns the transaction.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from coinref.store.models import Cert, Coin, PriceObservation, PricePointMiss
from coinref.store.population import record_population
from coinref.timeutil import quota_day, utcnow

if TYPE_CHECKING:
    from coinref.sources.pcgs_models import CoinFacts

MISS_REASONS = ("not_found", "unpriced", "invalid")


def _insert(session: Session):
    return sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert


def coin_by_pcgs_number(session: Session, pcgs_number: int) -> Coin | None:
    return session.scalars(select(Coin).where(Coin.pcgs_number == pcgs_number)).first()


def apply_coin_facts(coin: Coin, facts: CoinFacts, *, now: datetime | None = None) -> list[str]:
    """Fill the coin's empty fields from a CoinFacts answer; return the names of what changed."""
    changed: list[str] = []

    def fill(attr: str, value: Any) -> None:
        if value not in (None, "") and getattr(coin, attr) in (None, ""):
            setattr(coin, attr, value)
            changed.append(attr)

    fill("mintage", facts.mintage)
    fill("metal", facts.metal_content)
    fill("weight_g", facts.weight.quantize(Decimal("0.0001")) if facts.weight else None)
    fill("short_name", facts.name)
    described = {
        "pcgs_name": facts.name,
        "designer": facts.designer,
        "edge": facts.edge,
        "diameter_mm": str(facts.diameter) if facts.diameter else None,
        "mint_location": facts.mint_location,
        "country": facts.country,
        "pcgs_series": facts.series_name,
        "pcgs_category": facts.category,
        "major_variety": facts.major_variety,
        "minor_variety": facts.minor_variety,
        "die_variety": facts.die_variety,
        "coinfacts_url": facts.coin_facts_url,
        "coinfacts_notes": facts.coin_facts_notes,
    }
    merged = dict(coin.facts or {})
    for key, value in described.items():
        if value not in (None, "") and merged.get(key) != value:
            merged[key] = value
            if "facts" not in changed:
                changed.append("facts")
    coin.facts = merged
    coin.enriched_at = now or utcnow()
    return changed


#: the highest price coinref stores: above the dearest coin ever sold (a 1933 double eagle, under
#: US$20 million in 2021), far below the column's limit (Numeric(14, 2))
MAX_PRICE = Decimal("100000000.00")
MIN_PRICE = Decimal("0.01")


def price_problem(price: object) -> str | None:
    """Why a price cannot be stored, or None: money is a Decimal of at most two places in a sane range.

    One home for the rule: import and population validation, the writer and ``coinref validate``
    all ask here. A value that would be rounded to fit (``100.123``), a float that is not exact,
    ``NaN`` and out-of-range values (``1e30``, ``99999999999999999``) are refused, never stored.
    """
    if isinstance(price, bool) or not isinstance(price, Decimal | int):
        return f"price {price!r} is not a decimal amount"
    value = Decimal(price)
    if not value.is_finite():
        return f"price {value} is not a number"
    if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
        return f"price {value} has more than two decimal places"
    if value < MIN_PRICE:
        return f"price {value} is not positive"
    if value > MAX_PRICE:
        return f"price {value:,.2f} is above the largest plausible price ({MAX_PRICE:,.0f})"
    return None


def observation_day_problem(day: date, *, coin_year: int | None = None, today: date | None = None) -> str | None:
    """Why an observation day is impossible, or None: not in the future, not before the coin's year.

    "The future" allows one day ahead of UTC, for quota days in time zones east of UTC.
    """
    latest = (today or utcnow().date()) + timedelta(days=1)
    if day > latest:
        return f"observation day {day.isoformat()} is in the future"
    earliest = coin_year or FIRST_US_COIN_YEAR
    if day.year < earliest:
        what = f"the coin's year {coin_year}" if coin_year else f"{FIRST_US_COIN_YEAR}, the first US coins"
        return f"observation day {day.isoformat()} is before {what}"
    return None


FIRST_US_COIN_YEAR = 1792


def upsert_price(
    session: Session,
    *,
    coin_id: int,
    grade: int,
    plus: bool,
    source: str,
    price: Decimal,
    observed_on: date,
    population: int | None = None,
    pop_higher: int | None = None,
    now: datetime | None = None,
) -> None:
    """Insert or update the observation of (coin, grade, plus, source, day)."""
    now = now or utcnow()
    values = {
        "coin_id": coin_id,
        "grade": grade,
        "plus": plus,
        "source": source,
        "price": price,
        "currency": "USD",
        "observed_on": observed_on,
        "population": population,
        "pop_higher": pop_higher,
        "fetched_at": now,
    }
    statement = _insert(session)(PriceObservation).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["coin_id", "grade", "plus", "source", "observed_on"],
        set_={"price": price, "population": population, "pop_higher": pop_higher, "fetched_at": now},
    )
    session.execute(statement)
    record_population(session, coin_id=coin_id, grade=grade, plus=plus, source=source, observed_on=observed_on,
                      population=population, pop_higher=pop_higher, now=now)
    session.execute(
        delete(PricePointMiss).where(
            PricePointMiss.coin_id == coin_id,
            PricePointMiss.grade == grade,
            PricePointMiss.plus == plus,
            PricePointMiss.source == source,
        )
    )


def record_miss(
    session: Session,
    *,
    coin_id: int,
    grade: int,
    plus: bool,
    source: str,
    reason: str,
    now: datetime | None = None,
    observed_on: date | None = None,
    population: int | None = None,
    pop_higher: int | None = None,
) -> None:
    """Remember that the source had no data (``not_found``), no price (``unpriced``) or refused.

    An unpriced answer still counts a population: given with ``observed_on`` it is recorded."""
    if reason not in MISS_REASONS:
        raise ValueError(f"unknown miss reason {reason!r}")
    now = now or utcnow()
    if observed_on is not None:
        record_population(session, coin_id=coin_id, grade=grade, plus=plus, source=source, observed_on=observed_on,
                          population=population, pop_higher=pop_higher, now=now)
    statement = _insert(session)(PricePointMiss).values(
        coin_id=coin_id, grade=grade, plus=plus, source=source, reason=reason, seen_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=["coin_id", "grade", "plus", "source"], set_={"reason": reason, "seen_at": now}
    )
    session.execute(statement)


def store_cert(
    session: Session,
    *,
    cert_number: str,
    pcgs_number: int | None,
    coin_id: int | None,
    grade: int | None,
    plus: bool,
    grade_text: str,
    raw: dict,
    now: datetime | None = None,
) -> None:
    """Insert or update a cert by its number."""
    now = now or utcnow()
    values = {
        "cert_number": cert_number,
        "pcgs_number": pcgs_number,
        "coin_id": coin_id,
        "grade": grade,
        "plus": plus,
        "grade_text": grade_text[:20],
        "raw": raw,
        "fetched_at": now,
    }
    statement = _insert(session)(Cert).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["cert_number"], set_={k: v for k, v in values.items() if k != "cert_number"}
    )
    session.execute(statement)


# -- same-day readers ------------------------------------------------------------------------


def price_for_day(
    session: Session, *, coin_id: int, grade: int, plus: bool, source: str, day: date
) -> PriceObservation | None:
    return session.scalars(
        select(PriceObservation).where(
            PriceObservation.coin_id == coin_id,
            PriceObservation.grade == grade,
            PriceObservation.plus == plus,
            PriceObservation.source == source,
            PriceObservation.observed_on == day,
        )
    ).first()


def miss_for_day(
    session: Session, *, coin_id: int, grade: int, plus: bool, source: str, day: date, tz: ZoneInfo
) -> PricePointMiss | None:
    miss = session.scalars(
        select(PricePointMiss).where(
            PricePointMiss.coin_id == coin_id,
            PricePointMiss.grade == grade,
            PricePointMiss.plus == plus,
            PricePointMiss.source == source,
        )
    ).first()
    if miss is None or quota_day(_aware(miss.seen_at), tz) != day:
        return None
    return miss


def cert_for_day(session: Session, *, cert_number: str, day: date, tz: ZoneInfo) -> Cert | None:
    cert = session.scalars(select(Cert).where(Cert.cert_number == cert_number)).first()
    if cert is None or quota_day(_aware(cert.fetched_at), tz) != day:
        return None
    return cert


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))
