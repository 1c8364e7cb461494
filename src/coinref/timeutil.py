"""Clock helpers. Code that needs "now" takes it from here so tests can inject a clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC)


def quota_day(now: datetime | None, tz: ZoneInfo) -> date:
    """The quota day a moment belongs to: the calendar date in the quota's reset time zone."""
    return (now or utcnow()).astimezone(tz).date()


def as_utc(moment: datetime | None) -> datetime | None:
    """An aware UTC datetime: SQLite hands back the naive UTC value of an aware column."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
