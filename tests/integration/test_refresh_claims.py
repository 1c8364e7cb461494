"""Issue 12.2: refresh point claims, one buyer per point and quota day (both backends).

The processes-level proof (two refresh loops on one database, 0 points bought twice) is
tests/reliability/test_reliability.py; this file checks the claim rules one by one.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from coinref.pipeline.refresh.claims import PointClaims, PointKey
from coinref.store.db import session_scope
from coinref.store.models import Coin, PricePointClaim, Series
from coinref.store.prices import upsert_price

DAY = date(2026, 6, 1)


def _coin(engine) -> int:
    with session_scope(engine) as session:
        series_id = session.scalar(select(Series.id).where(Series.slug == "morgan-dollars"))
        coin = Coin(series_id=series_id, year=1881, mint_mark="S", strike="MS", variety="", designation="",
                    denomination="$1", full_name="1881-S Morgan Dollar", short_name="1881-S $1", pcgs_number=7126,
                    facts={})
        session.add(coin)
        session.flush()
        return coin.id


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_one_claim_per_point_and_day(engine):
    key = PointKey(_coin(engine), 65, False, "pcgs-api", DAY)
    first, second = PointClaims(engine, 1), PointClaims(engine, 2)
    second.owner = f"{socket.gethostname()}:1"  # pid 1 is alive: a live process of this host
    assert first.claim(key) is True
    assert second.claim(key) is False
    first.bought(key)
    assert second.claim(key) is False
    assert second.claim(PointKey(key.coin_id, 65, False, "pcgs-api", DAY + timedelta(days=1))) is True  # next day
    with session_scope(engine, read_only=True) as session:
        assert session.scalar(select(func.count(PricePointClaim.id))) == 2


def test_released_claims_can_be_taken_again(engine):
    key = PointKey(_coin(engine), 64, True, "pcgs-api", DAY)
    first, second = PointClaims(engine, 1), PointClaims(engine, 2)
    second.owner = "elsewhere:1"
    assert first.claim(key)
    first.release(key)
    assert second.claim(key)


def test_expired_or_dead_holders_are_taken_over_but_bought_points_never(engine):
    coin_id = _coin(engine)
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    stale = PointClaims(engine, 1, lease_seconds=60, clock=lambda: now)
    stale.owner = "another-host:4242"
    later = PointClaims(engine, 2, clock=lambda: now + timedelta(seconds=61))
    expired = PointKey(coin_id, 63, False, "pcgs-api", DAY)
    assert stale.claim(expired) and later.claim(expired)  # the lease ran out

    dead = PointClaims(engine, 3)
    dead.owner = f"{socket.gethostname()}:{_dead_pid()}"
    orphan = PointKey(coin_id, 62, False, "pcgs-api", DAY)
    assert dead.claim(orphan) and PointClaims(engine, 4).claim(orphan)  # its process is gone

    done = PointKey(coin_id, 61, False, "pcgs-api", DAY)
    assert stale.claim(done)
    stale.bought(done)
    assert later.claim(done) is False  # bought: never again that day, expired or not


def test_a_price_observed_today_by_another_path_counts_as_bought(engine):
    coin_id = _coin(engine)
    with session_scope(engine) as session:
        upsert_price(session, coin_id=coin_id, grade=66, plus=False, source="pcgs-api", price=Decimal("250.00"),
                     observed_on=DAY)
    assert PointClaims(engine, 1).claim(PointKey(coin_id, 66, False, "pcgs-api", DAY)) is False
