"""The daily quota ledger: one row per (provider, quota day) in ``quota_ledger``.

A call is *reserved* before it is sent, in one atomic step, so any number of processes on any
number of machines sharing the database can never send more than the limit between them:

* PostgreSQL: ``INSERT ... ON CONFLICT DO NOTHING`` creates the day's row, then one conditional
  ``UPDATE ... SET used = used + 1 WHERE used < :limit AND NOT exhausted RETURNING used``. Row
  locking makes concurrent updates queue up and re-check the condition.
* SQLite: the same two statements inside ``BEGIN IMMEDIATE``, which takes the database's write lock
  first, so no other process can read-then-write in between.

A reservation is never given back: every request that may have reached the server counts,
whatever its answer. When the provider says its quota is used up, :meth:`QuotaLedger.mark_exhausted`
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
from coinref.store.db import is_sqlite, session_scope
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
        with session_scope(self.engine, immediate=True) as session:
            session.execute(create_day)
            used = session.execute(take_one).scalar_one_or_none()
        if used is None:
            raise self.exhausted_error(day)
        return day

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
        with session_scope(self.engine) as session:
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
