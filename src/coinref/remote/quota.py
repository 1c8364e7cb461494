"""The daily quota ledger: one row per (provider, quota day) in ``quota_ledger``.

A call is *reserved* before it is sent, in one atomic step, so any number of processes on any
number of machines sharing the database can never send more than the limit between them:

* PostgreSQL: ``INSERT ... ON CONFLICT DO NOTHING`` creates the day's row, then one conditional
  ``UPDATE ... SET used = used + 1 WHERE used < :limit AND NOT exhausted RETURNING used``. Row
  locking makes concurrent updates queue up and re-check the condition.
* SQLite: the same two statements inside ``BEGIN IMMEDIATE``, which takes the database's write lock
  first, so no other process can read-then-write in between.

Every request that may have reached the server counts, whatever its answer. The one exception is
a request that provably never left the machine (the connection was refused or never established,
the host name did not resolve): :meth:`QuotaLedger.release` gives its reservation back.

:meth:`QuotaLedger.reserve_call` writes the request's ``api_calls`` row (outcome ``in_flight``) in
the same transaction as the reservation, so a process killed while a request is in flight leaves a
row for every unit it spent; the caller completes the row with the outcome.

When the provider says its quota is used up, :meth:`QuotaLedger.mark_exhausted`
closes the day for every process. The quota day is the calendar date in the reset time zone
(``PCGS_QUOTA_RESET_TZ``); it resets at that zone's midnight.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from coinref.errors import QuotaExhausted
from coinref.remote.calllog import IN_FLIGHT, NOT_SENT
from coinref.store.db import is_sqlite, session_scope
from coinref.store.models import ApiCall
from coinref.store.models import QuotaLedger as LedgerRow
from coinref.timeutil import quota_day, utcnow


class QuotaLedger:
    """Atomic reservations against a provider's daily limit, shared through the database."""

    def __init__(
        self,
        engine: Engine,
        provider: str = "pcgs",
        limit: int = 1000,
        tz: ZoneInfo | str = "UTC",
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.provider = provider
        self.limit = limit
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        self.clock = clock

    @classmethod
    def for_pcgs(cls, engine: Engine, settings, clock: Callable[[], datetime] = utcnow) -> QuotaLedger:
        """The PCGS API ledger with the limit and time zone from settings."""
        return cls(engine, "pcgs", settings.pcgs_daily_quota, settings.quota_tz, clock)

    # -- days ---------------------------------------------------------------------------------

    def today(self) -> date:
        return quota_day(self.clock(), self.tz)

    def resets_at(self, day: date | None = None) -> datetime:
        """When the quota day ``day`` (default: today) ends, as an aware UTC datetime."""
        day = day or self.today()
        local_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.tz)
        return local_midnight.astimezone(ZoneInfo("UTC"))

    # -- the atomic step ----------------------------------------------------------------------

    def reserve(self) -> date:
        """Reserve one call for today; return the quota day, or raise QuotaExhausted."""
        return self._reserve(None)[0]

    def reserve_call(self, **call: object) -> tuple[date, int]:
        """Reserve one call and write its ``api_calls`` row (outcome ``in_flight``) in one transaction.

        ``call`` holds the row's columns (endpoint, params, run_id); returns (quota day, row id).
        """
        day, call_id = self._reserve(call)
        assert call_id is not None
        return day, call_id

    def release(self, day: date, call_id: int | None = None) -> None:
        """Give back the reservation of a request that provably never left the machine.

        The day's ``used`` goes down by one and the call row (if any) becomes ``not_sent``, in one
        transaction, so the ledger always equals the number of rows that may have been sent.
        """
        with session_scope(self.engine, immediate=True) as session:
            if call_id is not None:
                changed = session.execute(
                    update(ApiCall).where(ApiCall.id == call_id, ApiCall.outcome != NOT_SENT).values(outcome=NOT_SENT)
                    .returning(ApiCall.id)
                ).scalar_one_or_none()
                if changed is None:
                    return  # released already
            session.execute(
                update(LedgerRow)
                .where(LedgerRow.provider == self.provider, LedgerRow.day == day, LedgerRow.used > 0)
                .values(used=LedgerRow.used - 1, updated_at=self.clock())
            )

    def _reserve(self, call: dict | None) -> tuple[date, int | None]:
        day = self.today()
        now = self.clock()
        insert = sqlite_insert if is_sqlite(self.engine) else pg_insert
        create_day = (
            insert(LedgerRow)
            .values(provider=self.provider, day=day, limit=self.limit, used=0, exhausted=False, updated_at=now)
            .on_conflict_do_nothing()
        )
        take_one = (
            update(LedgerRow)
            .where(
                LedgerRow.provider == self.provider,
                LedgerRow.day == day,
                LedgerRow.used < self.limit,
                LedgerRow.exhausted.is_(False),
            )
            .values(used=LedgerRow.used + 1, limit=self.limit, updated_at=now)
            .returning(LedgerRow.used)
        )
        call_id = None
        with session_scope(self.engine, immediate=True) as session:
            session.execute(create_day)
            used = session.execute(take_one).scalar_one_or_none()
            if used is not None and call is not None:
                row = ApiCall(provider=self.provider, quota_day=day, outcome=IN_FLIGHT, **call)
                session.add(row)
                session.flush()
                call_id = row.id
        if used is None:
            raise self.exhausted_error(day)
        return day, call_id

    def mark_exhausted(self, day: date | None = None) -> None:
        """Close the quota day for every process (the provider said the quota is used up)."""
        day = day or self.today()
        now = self.clock()
        insert = sqlite_insert if is_sqlite(self.engine) else pg_insert
        statement = (
            insert(LedgerRow)
            .values(provider=self.provider, day=day, limit=self.limit, used=0, exhausted=True, updated_at=now)
            .on_conflict_do_update(
                index_elements=[LedgerRow.provider, LedgerRow.day], set_={"exhausted": True, "updated_at": now}
            )
        )
        with session_scope(self.engine, immediate=True) as session:
            session.execute(statement)

    # -- reading ------------------------------------------------------------------------------

    def status(self) -> dict[str, object]:
        """Limit, used, remaining, exhausted and reset time of today's quota (no call, no write)."""
        day = self.today()
        with session_scope(self.engine, read_only=True) as session:
            row = session.execute(
                select(LedgerRow.used, LedgerRow.exhausted).where(
                    LedgerRow.provider == self.provider, LedgerRow.day == day
                )
            ).first()
        used, exhausted = (row.used, bool(row.exhausted)) if row else (0, False)
        exhausted = exhausted or used >= self.limit
        resets_at = self.resets_at(day)
        return {
            "provider": self.provider,
            "day": day,
            "limit": self.limit,
            "used": used,
            "remaining": 0 if exhausted else max(self.limit - used, 0),
            "exhausted": exhausted,
            "resets_at": resets_at,
            "time_zone": str(self.tz),
        }

    def exhausted_error(self, day: date | None = None) -> QuotaExhausted:
        """The QuotaExhausted error for a day, saying when the quota resets."""
        day = day or self.today()
        resets_at = self.resets_at(day)
        wait = resets_at - self.clock()
        hours, rest = divmod(max(int(wait.total_seconds()), 0), 3600)
        local = resets_at.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")
        return QuotaExhausted(
            f"the {self.provider} daily quota of {self.limit} calls is used up for {day}; "
            f"it resets at {local} {self.tz} (in {hours}h{rest // 60:02d}m)",
            provider=self.provider,
            day=day.isoformat(),
            limit=self.limit,
            resets_at=resets_at.isoformat(),
        )
