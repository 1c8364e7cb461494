"""Resumable work lists in the database, shared safely by several workers.

A queue is a name (``populate:builtin``); each item has a key unique within it, so planning again
adds only what is new and never duplicates. Items move pending -> leased -> done (or failed after
``max_attempts``, or back to pending when a source is blocked or out of quota).

Claiming: on PostgreSQL one ``SELECT ... FOR UPDATE SKIP LOCKED`` picks the next pending item (or
a lease that expired) and marks it leased, so concurrent workers never take the same item; on
SQLite the same read-then-write runs under ``BEGIN IMMEDIATE``, which serialises writers. A worker
killed with SIGKILL leaves its item leased: the lease expires after ``lease_seconds``, and a worker
on the same host frees at once the leases of processes that no longer exist.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine, and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from coinref.store.db import is_sqlite, session_scope
from coinref.store.models import WorkItem
from coinref.timeutil import utcnow


@dataclass(frozen=True)
class WorkSpec:
    key: str
    priority: int = 0
    series_slug: str = ""
    coin_id: int | None = None
    payload: dict = field(default_factory=dict)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class WorkQueue:
    def __init__(self, engine: Engine, queue: str, *, lease_seconds: int = 300, max_attempts: int = 3) -> None:
        self.engine = engine
        self.queue = queue
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts
        self.owner = worker_id()

    # planning -----------------------------------------------------------------------------
    def plan(self, specs: Iterable[WorkSpec], run_id: int | None = None) -> int:
        """Add the specs that are not in the queue yet; returns how many were added.

        ``INSERT ... ON CONFLICT DO NOTHING`` on the (queue, key) constraint, so workers planning
        the same run at the same moment never collide or duplicate an item.
        """
        rows = [
            {"queue": self.queue, "key": spec.key, "priority": spec.priority, "series_slug": spec.series_slug,
             "coin_id": spec.coin_id, "payload": spec.payload, "status": "pending", "attempts": 0, "run_id": run_id,
             "updated_at": utcnow()}
            for spec in specs
        ]
        if not rows:
            return 0
        insert = sqlite_insert if is_sqlite(self.engine) else pg_insert
        added = 0
        with session_scope(self.engine, immediate=True) as session:
            for start in range(0, len(rows), 500):
                statement = insert(WorkItem).values(rows[start:start + 500]).on_conflict_do_nothing(
                    index_elements=["queue", "key"])
                added += session.execute(statement).rowcount or 0
        return added

    def restart(self) -> int:
        """Forget the queue's progress: every item back to pending with no attempts."""
        with session_scope(self.engine, immediate=True) as session:
            result = session.execute(
                update(WorkItem).where(WorkItem.queue == self.queue)
                .values(status="pending", attempts=0, last_error=None, lease_owner=None, lease_expires_at=None)
            )
            return result.rowcount or 0

    def new_pass_if_complete(self, series_slugs: list[str]) -> bool:
        """Start a new pass when every item of these series is done (nothing left to resume)."""
        with session_scope(self.engine, immediate=True) as session:
            scope = and_(WorkItem.queue == self.queue, WorkItem.series_slug.in_(series_slugs))
            open_items = session.scalar(select(func.count()).where(scope, WorkItem.status != "done"))
            done = session.scalar(select(func.count()).where(scope, WorkItem.status == "done"))
            if open_items or not done:
                return False
            session.execute(update(WorkItem).where(scope).values(status="pending", attempts=0, last_error=None))
            return True

    def free_dead_leases(self) -> int:
        """Release leases held by processes of this host that no longer run."""
        host = socket.gethostname()
        freed = 0
        with session_scope(self.engine, immediate=True) as session:
            rows = session.scalars(
                select(WorkItem).where(WorkItem.queue == self.queue, WorkItem.status == "leased",
                                       WorkItem.lease_owner.like(f"{host}:%"))
            ).all()
            for item in rows:
                pid = int(item.lease_owner.rsplit(":", 1)[1])
                if pid != os.getpid() and not _pid_alive(pid):
                    item.status, item.lease_owner, item.lease_expires_at = "pending", None, None
                    freed += 1
        return freed

    # claiming -----------------------------------------------------------------------------
    def _claimable(self, now):
        return and_(
            WorkItem.queue == self.queue,
            or_(WorkItem.status == "pending", and_(WorkItem.status == "leased", WorkItem.lease_expires_at < now)),
        )

    def claim(self, series_slugs: list[str] | None = None, exclude_ids: set[int] | None = None) -> WorkItem | None:
        """Lease the next item (lowest priority number, then id); None when nothing is left."""
        now = utcnow()
        with session_scope(self.engine, immediate=True) as session:
            query = select(WorkItem).where(self._claimable(now))
            if series_slugs is not None:
                query = query.where(WorkItem.series_slug.in_(series_slugs))
            if exclude_ids:
                query = query.where(WorkItem.id.not_in(exclude_ids))
            query = query.order_by(WorkItem.priority, WorkItem.id).limit(1)
            if not is_sqlite(self.engine):
                query = query.with_for_update(skip_locked=True)
            item = session.scalar(query)
            if item is None:
                return None
            item.status = "leased"
            item.lease_owner = self.owner
            item.lease_expires_at = now + timedelta(seconds=self.lease_seconds)
            item.attempts += 1
            session.flush()
            session.expunge(item)
            return item

    # finishing ----------------------------------------------------------------------------
    def complete(self, session: Session, item: WorkItem) -> None:
        """Mark done inside the caller's transaction (the one that wrote the item's results)."""
        session.execute(
            update(WorkItem).where(WorkItem.id == item.id)
            .values(status="done", lease_owner=None, lease_expires_at=None, last_error=None)
        )

    def release(self, item: WorkItem, error: str | None = None, *, count_attempt: bool = False) -> None:
        """Give the item back as pending (blocked source, quota): the attempt does not count."""
        with session_scope(self.engine) as session:
            session.execute(
                update(WorkItem).where(WorkItem.id == item.id).values(
                    status="pending", lease_owner=None, lease_expires_at=None, last_error=error,
                    attempts=WorkItem.attempts if count_attempt else WorkItem.attempts - 1,
                )
            )

    def fail(self, item: WorkItem, error: str) -> str:
        """Record a failed attempt: pending again while attempts remain, else failed."""
        status = "failed" if item.attempts >= self.max_attempts else "pending"
        with session_scope(self.engine) as session:
            session.execute(
                update(WorkItem).where(WorkItem.id == item.id)
                .values(status=status, lease_owner=None, lease_expires_at=None, last_error=error[:2000])
            )
        return status

    # status -------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        with session_scope(self.engine, read_only=True) as session:
            rows = session.execute(
                select(WorkItem.status, func.count()).where(WorkItem.queue == self.queue).group_by(WorkItem.status)
            ).all()
        return {status: n for status, n in rows}
