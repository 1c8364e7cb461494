"""One quota day, two jobs: the price refresh and the PCGS-number discovery share the PCGS quota.

Both jobs reserve every call in the one ledger (:mod:`coinref.remote.quota`), which stays the hard
limit for every process. On top of it :func:`quota_split` divides the day:

* **reserve**: ``REFRESH_RESERVE_PCT`` of the limit stays unspent by both (for lookups);
* **discovery's share**: ``DISCOVER_QUOTA_SHARE`` calls when set; by default what the refresh
  does not need: the limit minus the reserve minus the refresh's need (the points its last run
  planned, or wanted when it was cut short);
* **floors**: while both have work, each keeps at least ``DISCOVER_MIN_SHARE_PCT`` of the limit
  (default 10%), so neither can starve the other for days, whatever the other's need (a share set
  by hand is kept as set, but never takes the refresh's floor);
* the refresh's budget is what remains minus the reserve minus the part of discovery's share it
  has not spent yet (while discovery has work left): the refresh sees discovery's reservation.

What each job spent today is read from the call log (``api_calls`` rows of the job's runs), so
the split costs no state of its own and holds across processes.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import Engine, func, select

from coinref.remote.quota import QuotaLedger
from coinref.store.db import session_scope
from coinref.store.models import ApiCall, Run, WorkItem

DISCOVERY_SOURCE = "pcgs-discover"
DISCOVERY_QUEUE = f"populate:{DISCOVERY_SOURCE}"


@dataclass(frozen=True)
class Split:
    day: date
    limit: int
    used: int
    remaining: int
    reserve: int
    refresh_need: int
    refresh_used: int
    discovery_share: int
    discovery_used: int
    discovery_pending: bool

    @property
    def discovery_left(self) -> int:
        return max(0, min(self.discovery_share - self.discovery_used, self.remaining - self.reserve))

    @property
    def refresh_budget(self) -> int:
        held = self.discovery_left if self.discovery_pending else 0
        return max(0, self.remaining - self.reserve - held)

    def as_dict(self) -> dict[str, object]:
        return asdict(self) | {"discovery_left": self.discovery_left, "refresh_budget": self.refresh_budget}


def _used_by(engine: Engine, day: date, *, kind: str | None = None, source: str | None = None) -> int:
    with session_scope(engine) as session:
        query = select(func.count(ApiCall.id)).join(Run, Run.id == ApiCall.run_id).where(ApiCall.quota_day == day)
        if kind:
            query = query.where(Run.kind == kind)
        if source:
            query = query.where(Run.source == source)
        return session.scalar(query) or 0


def _refresh_need(engine: Engine) -> int:
    """Points the last refresh run planned (or, when its budget cut it short, wanted)."""
    with session_scope(engine) as session:
        run = session.scalar(select(Run).where(Run.kind == "refresh").order_by(Run.id.desc()).limit(1))
    if run is None:
        return 0
    report = run.report or {}
    plan = report.get("plan") if isinstance(report.get("plan"), dict) else {}
    wanted = plan.get("eligible") if plan else None
    planned = (run.counts or {}).get("planned", 0)
    return int(wanted if isinstance(wanted, int) else planned)


def _discovery_pending(engine: Engine) -> bool:
    with session_scope(engine) as session:
        return bool(session.scalar(select(func.count(WorkItem.id)).where(
            WorkItem.queue == DISCOVERY_QUEUE, WorkItem.status.in_(("pending", "leased")))))


def quota_split(engine: Engine, settings, ledger: QuotaLedger | None = None) -> Split:
    """Today's split of the PCGS quota between the refresh and the discovery (no call, no write)."""
    ledger = ledger or QuotaLedger.for_pcgs(engine, settings)
    status = ledger.status()
    limit, day = int(status["limit"]), status["day"]
    reserve = int(limit * settings.refresh_reserve_pct / 100.0)  # as the refresh rounds it
    floor = math.ceil(limit * settings.discover_min_share_pct / 100)
    need = _refresh_need(engine)
    pending = _discovery_pending(engine)
    if settings.discover_quota_share is not None:
        share = settings.discover_quota_share
    else:
        share = max(limit - reserve - need, 0)
        if pending:
            share = max(share, floor)  # the refresh cannot starve the discovery
    if need:
        share = min(share, max(limit - reserve - floor, 0))  # nor the discovery the refresh
    return Split(day=day, limit=limit, used=int(status["used"]), remaining=int(status["remaining"]), reserve=reserve,
                 refresh_need=need, refresh_used=_used_by(engine, day, kind="refresh"), discovery_share=share,
                 discovery_used=_used_by(engine, day, source=DISCOVERY_SOURCE), discovery_pending=pending)
