"""Issue 12.4: write transactions on SQLite take the write lock first, and wait for it.

The processes-level proof (4 writer processes, 2 refreshes and a reader on one SQLite file, no
error) is tests/reliability/test_reliability.py. Here: two connections doing read-then-write
transactions in turn, the pattern that failed with "database is locked" in a deferred transaction,
and a scope nested in a write scope, which must not wait for its own thread's lock.
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select, update

from coinref.store.db import make_engine, session_scope
from coinref.store.models import Series


def test_interleaved_read_then_write_transactions_wait_instead_of_failing(db_url):
    first, second = make_engine(db_url), make_engine(db_url)
    read_done, other_committed = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def writer_one() -> None:
        try:
            with session_scope(first) as session:
                session.scalar(select(func.count(Series.id)))  # read ...
                read_done.set()
                other_committed.wait(timeout=2)  # ... the other writer is waiting for our lock ...
                session.execute(update(Series).where(Series.slug == "morgan-dollars").values(est_coins=1))  # write
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    def writer_two() -> None:
        try:
            read_done.wait(timeout=10)
            with session_scope(second) as session:
                session.scalar(select(func.count(Series.id)))
                session.execute(update(Series).where(Series.slug == "peace-dollars").values(est_coins=2))
            other_committed.set()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer_one), threading.Thread(target=writer_two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    first.dispose()
    second.dispose()
    assert errors == []
    engine = make_engine(db_url)
    with session_scope(engine, read_only=True) as session:
        counts = dict(session.execute(select(Series.slug, Series.est_coins)
                                      .where(Series.slug.in_(("morgan-dollars", "peace-dollars")))).all())
    engine.dispose()
    assert counts == {"morgan-dollars": 1, "peace-dollars": 2}


def test_a_scope_nested_in_a_write_scope_does_not_wait_for_itself(engine):
    with session_scope(engine) as outer:
        outer.execute(update(Series).where(Series.slug == "morgan-dollars").values(est_coins=3))
        with session_scope(engine) as inner:  # e.g. a helper that reads
            assert inner.scalar(select(func.count(Series.id))) == 67
