"""Storing PCGS answers (store/prices.py) on both backends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pcgs_support import MORGAN_1881_S, attach_coin, fixture_json
from sqlalchemy import select

from coinref.sources.pcgs_models import CoinFacts
from coinref.store import prices
from coinref.store.db import session_scope
from coinref.store.models import Cert, Coin, PriceObservation, PricePointMiss

DAY = date(2025, 6, 1)


def observations(engine) -> list[tuple]:
    with session_scope(engine) as session:
        rows = session.scalars(select(PriceObservation).order_by(PriceObservation.observed_on)).all()
        return [(r.grade, r.plus, r.source, r.price, r.observed_on, r.population, r.pop_higher) for r in rows]


def test_a_second_answer_the_same_day_updates_the_observation(engine):
    coin_id = attach_coin(engine, MORGAN_1881_S)
    point = {"coin_id": coin_id, "grade": 65, "plus": False, "source": "pcgs-api"}
    with session_scope(engine) as session:
        prices.upsert_price(session, price=Decimal("120.00"), observed_on=DAY, population=10, pop_higher=5, **point)
    with session_scope(engine) as session:
        prices.upsert_price(session, price=Decimal("125.50"), observed_on=DAY, population=11, pop_higher=5, **point)
    assert observations(engine) == [(65, False, "pcgs-api", Decimal("125.50"), DAY, 11, 5)]
    with session_scope(engine) as session:
        prices.upsert_price(session, price=Decimal("130"), observed_on=date(2025, 6, 2), **point)
        prices.upsert_price(session, price=Decimal("99"), observed_on=DAY, **(point | {"plus": True}))
        prices.upsert_price(session, price=Decimal("1"), observed_on=DAY, **(point | {"source": "pcgs-web"}))
    assert len(observations(engine)) == 4
    with session_scope(engine) as session:
        assert prices.price_for_day(session, day=date(2025, 6, 2), **point).price == Decimal("130.00")
        assert prices.price_for_day(session, day=date(2025, 6, 3), **point) is None


def test_misses_are_upserted_and_cleared_by_a_price(engine):
    coin_id = attach_coin(engine, MORGAN_1881_S)
    point = {"coin_id": coin_id, "grade": 66, "plus": False, "source": "pcgs-api"}
    with session_scope(engine) as session:
        prices.record_miss(session, reason="not_found", **point)
    with session_scope(engine) as session:
        prices.record_miss(session, reason="unpriced", **point)
    with session_scope(engine) as session:
        [miss] = session.scalars(select(PricePointMiss)).all()
        assert miss.reason == "unpriced"
    with session_scope(engine) as session:
        prices.upsert_price(session, price=Decimal("10"), observed_on=DAY, **point)
    with session_scope(engine) as session:
        assert session.scalars(select(PricePointMiss)).all() == []


def test_coin_facts_fill_blanks_and_never_overwrite(engine):
    coin_id = attach_coin(engine, MORGAN_1881_S)
    facts = CoinFacts.model_validate(fixture_json("by_grade_2986_ms65rd.json"))
    with session_scope(engine) as session:
        coin = session.get(Coin, coin_id)
        coin.metal = "90% Silver, 10% Copper"  # corrected by someone: kept
        changed = prices.apply_coin_facts(coin, facts)
    assert "mintage" in changed and "metal" not in changed
    with session_scope(engine) as session:
        coin = session.get(Coin, coin_id)
        assert coin.mintage == 4_469_930_000 and coin.metal == "90% Silver, 10% Copper"
        assert coin.weight_g == Decimal("3.1100")
        assert coin.short_name == "1881-S $1"  # identity fields stay
        assert coin.facts["pcgs_name"] == "1977 1C, RD"
        assert coin.facts["coinfacts_url"] == "https://www.pcgs.com/coinfacts/coin/detail/2986/65"
        assert coin.enriched_at is not None


def test_certs_are_upserted_by_number(engine):
    coin_id = attach_coin(engine, MORGAN_1881_S)
    body = fixture_json("by_cert_sp66_none_series.json")
    for grade in (66, 67):
        with session_scope(engine) as session:
            prices.store_cert(session, cert_number="38109793", pcgs_number=5998, coin_id=coin_id, grade=grade,
                              plus=False, grade_text=f"SP{grade}", raw=body)
    with session_scope(engine) as session:
        [cert] = session.scalars(select(Cert)).all()
        assert (cert.grade, cert.grade_text, cert.coin_id) == (67, "SP67", coin_id)
        assert cert.raw["CertNo"] == "38109793"
