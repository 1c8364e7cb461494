"""One buyer per price point and quota day, across every process sharing the database.

Before a refresh run asks PCGS for a (coin, grade, plus), it *claims* the point for the quota day
in ``price_point_claims`` (unique per point, source and day):

* the claim is an ``INSERT ... ON CONFLICT DO NOTHING``: of two processes claiming the same point
  at the same moment exactly one inserts the row (PostgreSQL: the unique index decides; SQLite:
  the write transaction begins ``BEGIN IMMEDIATE``, so claims are serialised);
* a point already claimed is skipped, unless its claim is still ``held`` and its lease expired or
  its owner is a process of this host that no longer runs (killed mid-request): then one
  conditional ``UPDATE ... WHERE status = 'held' AND owner = <the dead owner>`` takes it over,
  which again only one process can win;
* once PCGS answered (a price, "no data", "no price", a refusal) the claim becomes ``bought`` and
  stays for the day; when no answer came back (quota used up, rate limited, circuit open, a
  transient failure after the retries) the claim is deleted, so a later run may try again.

A price observed today by any other path (``coinref lookup``, the enrichment) also counts as bought:
the claim checks for it in the same transaction.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from coinref.store.db import is_sqlite, session_scope
from coinref.store.models import PriceObservation, PricePointClaim
from coinref.timeutil import utcnow

LEASE_SECONDS = 900  # longer than a request with every retry and back-off


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_gone(owner: str) -> bool:
    """Whether ``owner`` (host:pid) is a process of this host that no longer exists."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass(frozen=True)
class PointKey:
    coin_id: int
    grade: int
    plus: bool
    source: str
    day: date

    def where(self):
        return (PricePointClaim.coin_id == self.coin_id, PricePointClaim.grade == self.grade,
                PricePointClaim.plus == self.plus, PricePointClaim.source == self.source,
                PricePointClaim.day == self.day)


class PointClaims:
    """Claims of one process (one refresh run) on the points it is about to buy."""

    def __init__(self, engine: Engine, run_id: int | None, *, lease_seconds: int = LEASE_SECONDS,
                 clock=utcnow) -> None:
        self.engine = engine
        self.run_id = run_id
        self.lease_seconds = lease_seconds
        self.clock = clock
        self.owner = owner_id()

    def claim(self, key: PointKey) -> bool:
        """True when this process may buy the point now; False when it is bought or being bought."""
        now = self.clock()
        expires = now + timedelta(seconds=self.lease_seconds)
        insert = sqlite_insert if is_sqlite(self.engine) else pg_insert
        with session_scope(self.engine) as session:
            observed = session.scalar(select(PriceObservation.id).where(
                PriceObservation.coin_id == key.coin_id, PriceObservation.grade == key.grade,
                PriceObservation.plus == key.plus, PriceObservation.source == key.source,
                PriceObservation.observed_on == key.day).limit(1))
            if observed is not None:
                return False
            inserted = session.execute(
                insert(PricePointClaim).values(
                    coin_id=key.coin_id, grade=key.grade, plus=key.plus, source=key.source, day=key.day,
                    status="held", owner=self.owner, run_id=self.run_id, lease_expires_at=expires)
                .on_conflict_do_nothing(index_elements=["coin_id", "grade", "plus", "source", "day"])
                .returning(PricePointClaim.id)
            ).scalar_one_or_none()  # RETURNING, not rowcount: drivers may report -1 for "unknown"
            if inserted is not None:
                return True
            held = session.execute(select(PricePointClaim.owner, PricePointClaim.lease_expires_at)
                                   .where(*key.where(), PricePointClaim.status == "held")).first()
            if held is None or not (_expired(held.lease_expires_at, now) or owner_gone(held.owner)):
                return False
            return session.execute(
                update(PricePointClaim).where(*key.where(), PricePointClaim.status == "held",
                                              PricePointClaim.owner == held.owner)
                .values(owner=self.owner, run_id=self.run_id, lease_expires_at=expires)
                .returning(PricePointClaim.id)
            ).scalar_one_or_none() is not None

    def bought(self, key: PointKey) -> None:
        """PCGS answered: the point is done for the day."""
        with session_scope(self.engine) as session:
            session.execute(update(PricePointClaim).where(*key.where(), PricePointClaim.owner == self.owner)
                            .values(status="bought"))

    def release(self, key: PointKey) -> None:
        """No answer came back: give the point up so another run may buy it later today."""
        with session_scope(self.engine) as session:
            session.execute(delete(PricePointClaim).where(*key.where(), PricePointClaim.owner == self.owner,
                                                          PricePointClaim.status == "held"))


def _expired(moment: datetime, now: datetime) -> bool:
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; coinref writes UTC
        moment = moment.replace(tzinfo=now.tzinfo)
    return moment < now
