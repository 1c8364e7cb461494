"""The quota ledger on both backends: atomic reservations, exhaustion, the day boundary, status."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest

from coinref.errors import QuotaExhausted
from coinref.remote.quota import QuotaLedger
from coinref.store.db import make_engine


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def test_reservations_stop_at_the_limit(engine):
    clock = Clock(datetime(2025, 6, 1, 15, 0, tzinfo=UTC))
    ledger = QuotaLedger(engine, "pcgs", limit=3, tz="UTC", clock=clock)
    assert [ledger.reserve() for _ in range(3)] == [date(2025, 6, 1)] * 3
    with pytest.raises(QuotaExhausted) as refused:
        ledger.reserve()
    assert refused.value.exit_code == 7
    assert "resets at 2025-06-02 00:00 UTC (in 9h00m)" in refused.value.message
    assert ledger.status() == {
        "provider": "pcgs", "day": date(2025, 6, 1), "limit": 3, "used": 3, "remaining": 0, "exhausted": True,
        "resets_at": datetime(2025, 6, 2, tzinfo=UTC), "time_zone": "UTC",
    }


def test_a_new_day_in_the_reset_time_zone_starts_afresh(engine):
    # 03:30 UTC on 10 March 2025 is still 9 March in New York (UTC-4 after the DST change)
    clock = Clock(datetime(2025, 3, 10, 3, 30, tzinfo=UTC))
    ledger = QuotaLedger(engine, "pcgs", limit=1, tz="America/New_York", clock=clock)
    assert ledger.reserve() == date(2025, 3, 9)
    assert ledger.status()["resets_at"] == datetime(2025, 3, 10, 4, 0, tzinfo=UTC)
    with pytest.raises(QuotaExhausted):
        ledger.reserve()
    clock.moment = datetime(2025, 3, 10, 4, 0, tzinfo=UTC)
    assert ledger.reserve() == date(2025, 3, 10)


def test_marked_exhausted_refuses_even_with_calls_left(engine):
    ledger = QuotaLedger(engine, "pcgs", limit=100)
    ledger.reserve()
    ledger.mark_exhausted()
    with pytest.raises(QuotaExhausted):
        ledger.reserve()
    status = ledger.status()
    assert status["exhausted"] is True and status["remaining"] == 0 and status["used"] == 1
    other = QuotaLedger(engine, "website", limit=100)  # providers are separate
    other.reserve()


def test_a_new_ledger_object_sees_the_same_day(engine):
    QuotaLedger(engine, "pcgs", limit=2).reserve()
    QuotaLedger(engine, "pcgs", limit=2).reserve()
    with pytest.raises(QuotaExhausted):
        QuotaLedger(engine, "pcgs", limit=2).reserve()
    assert QuotaLedger(engine, "pcgs", limit=5).reserve()  # a raised limit applies at once


def test_status_without_any_call_makes_no_row(engine):
    status = QuotaLedger(engine, "pcgs", limit=1000).status()
    assert (status["used"], status["remaining"], status["exhausted"]) == (0, 1000, False)


def test_concurrent_reservations_never_exceed_the_limit(db_url):
    engines = [make_engine(db_url) for _ in range(6)]
    granted, refused = [], []
    start = threading.Barrier(len(engines))

    def worker(engine) -> None:
        ledger = QuotaLedger(engine, "pcgs", limit=17)
        start.wait()
        for _ in range(6):
            try:
                granted.append(ledger.reserve())
            except QuotaExhausted:
                refused.append(1)

    threads = [threading.Thread(target=worker, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in engines:
        e.dispose()
    assert len(granted) == 17 and len(refused) == 36 - 17
