"""Run rows whose process is gone: marked ``interrupted`` instead of staying ``running`` forever.

Every ``runs`` row records its owner (``host:pid``, set when the row is created) and a lease
(``lease_expires_at``) that the long runs (population, refresh) renew as they work
(:func:`renew_run`, at most once a minute). :func:`mark_interrupted_runs`, called when a run
starts and before runs are listed, closes the ``running`` rows whose process is gone:

* owner on this host: the process no longer exists (a SIGKILL, a crash, a reboot);
* owner on another host: its lease expired (the other machine stopped renewing it);
* no owner (rows written before owners were recorded): started more than ``LEGACY_AFTER`` ago.
"""

from __future__ import annotations

import os
import socket
import time
from datetime import datetime, timedelta

from sqlalchemy import Engine, select, update

from coinref.store.db import session_scope
from coinref.store.models import Run
from coinref.timeutil import utcnow

RUN_LEASE = timedelta(minutes=10)
LEGACY_AFTER = timedelta(hours=6)
_RENEW_EVERY_S = 60.0
_renewed: dict[int, float] = {}


def process_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def new_lease(now: datetime | None = None) -> datetime:
    return (now or utcnow()) + RUN_LEASE


def _gone(owner: str | None, lease: datetime | None, started: datetime | None, now: datetime) -> bool:
    if owner is None:
        return started is not None and _aware(started) < now - LEGACY_AFTER
    host, _, pid = owner.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        if int(pid) == os.getpid():
            return False
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    return lease is not None and _aware(lease) < now


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=utcnow().tzinfo)


def mark_interrupted_runs(engine: Engine) -> int:
    """Mark the ``running`` rows whose process is gone as ``interrupted``; how many were."""
    now = utcnow()
    # read first (never waits), write only when a run is gone: listing runs stays a pure read
    with session_scope(engine, read_only=True) as session:
        rows = session.execute(select(Run.id, Run.owner, Run.lease_expires_at, Run.started_at)
                               .where(Run.status == "running")).all()
    gone = [r.id for r in rows if _gone(r.owner, r.lease_expires_at, r.started_at, now)]
    if not gone:
        return 0
    with session_scope(engine) as session:
        return len(session.execute(update(Run).where(Run.id.in_(gone), Run.status == "running")
                                   .values(status="interrupted", finished_at=now).returning(Run.id)).all())


def renew_run(engine: Engine, run_id: int | None, *, force: bool = False) -> None:
    """Extend a running run's lease (at most once a minute unless ``force``)."""
    if run_id is None:
        return
    last = _renewed.get(run_id)
    if not force and last is not None and time.monotonic() - last < _RENEW_EVERY_S:
        return
    _renewed[run_id] = time.monotonic()
    with session_scope(engine) as session:
        session.execute(update(Run).where(Run.id == run_id, Run.status == "running")
                        .values(lease_expires_at=new_lease()))
