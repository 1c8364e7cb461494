"""The lookup counter: each search bumps ``coins.lookup_count`` of its top hit, in batches.

The price refresh reads ``lookup_count`` as demand and the ranking uses it as a tie-breaker.
Writing it on every search would put a write transaction (and on SQLite the database's one write
lock) on the read path, so bumps are buffered in memory per engine and written in one
transaction, on a background thread, when :data:`FLUSH_EVERY` hits have gathered or
:data:`FLUSH_AFTER_S` seconds have passed since the last write; and synchronously at
:func:`flush_lookups` (the CLI calls it before exiting) and at interpreter exit. A failed write
(a locked or read-only database) is logged and dropped: a lost bump costs nothing.
"""

from __future__ import annotations

import atexit
import threading
import time
import weakref
from collections import Counter

from sqlalchemy import Engine, text

from coinref.logs import get_logger

FLUSH_EVERY = 50
FLUSH_AFTER_S = 5.0

_lock = threading.Lock()
_pending: weakref.WeakKeyDictionary[Engine, Counter] = weakref.WeakKeyDictionary()
_last_flush: weakref.WeakKeyDictionary[Engine, float] = weakref.WeakKeyDictionary()
_flushing = False


def record_lookup(engine: Engine, coin_id: int, *, clock=time.monotonic, background: bool = True) -> None:
    """Count one lookup of ``coin_id``; writes (on a background thread) when the batch is full or old."""
    global _flushing
    with _lock:
        pending = _pending.setdefault(engine, Counter())
        pending[coin_id] += 1
        last = _last_flush.setdefault(engine, clock())
        due = sum(pending.values()) >= FLUSH_EVERY or clock() - last >= FLUSH_AFTER_S
        if due and background and _flushing:
            return  # a write is under way; this bump goes with the next one
        if due and background:
            _flushing = True
    if due and background:
        threading.Thread(target=_flush_in_background, args=(engine, clock), daemon=True,
                         name="coinref-lookups").start()
    elif due:
        flush_lookups(engine, clock=clock)


def _flush_in_background(engine: Engine, clock) -> None:
    global _flushing
    try:
        flush_lookups(engine, clock=clock)
    finally:
        with _lock:
            _flushing = False


def pending_lookups(engine: Engine) -> dict[int, int]:
    with _lock:
        return dict(_pending.get(engine, {}))


def flush_lookups(engine: Engine | None = None, *, clock=time.monotonic) -> int:
    """Write the buffered lookups (of one engine, or all); returns how many coins were updated."""
    with _lock:
        engines = [engine] if engine is not None else list(_pending.keys())
        batches = {}
        for eng in engines:
            counts = _pending.pop(eng, None)
            _last_flush[eng] = clock()
            if counts:
                batches[eng] = counts
    written = 0
    for eng, counts in batches.items():
        rows = [{"id": coin_id, "n": n} for coin_id, n in sorted(counts.items())]
        try:
            with eng.begin() as conn:
                conn.execute(text("UPDATE coins SET lookup_count = lookup_count + :n WHERE id = :id"), rows)
            written += len(rows)
        except Exception as exc:  # noqa: BLE001 - demand counting must never break a search
            get_logger("search").warning("could not record %d lookups: %s", len(rows), type(exc).__name__)
    return written


atexit.register(flush_lookups)
