"""Clock helpers. Code that needs "now" takes it from here so tests can inject a clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC)


def quota_day(now: datetime | None, tz: ZoneInfo) -> date:
    """The quota day a moment belongs to: the calendar date in the quota's reset time zone."""
    return (now or utcnow()).astimezone(tz).date()
