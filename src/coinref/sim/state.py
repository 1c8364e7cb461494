"""The simulator's configuration and its mutable state (request counts, quota, fault script)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property

from coinref.catalog.model import CatalogCoin
from coinref.sim.faults import Fault, FaultScript
from coinref.sim.universe import SimUniverse, sim_universe


@dataclass
class SimConfig:
    """How a simulator instance behaves.

    ``token``: the one bearer token accepted; None accepts any non-empty token (a missing header
    still gets 401). ``quota``: API requests per (UTC) day before "API calls quota exceeded!".
    ``latency_ms``: added to every API answer. ``seed``: drives random faults and which synthetic
    auction sales exist.
    ``market_seed``: the spot walks and guide steps, so the prices (:mod:`coinref.sim.pricing`). ``faults``:
    a fault SPEC (see :mod:`coinref.sim.faults`). ``hang_s``: how long a ``timeout`` fault holds a
    request. ``catalog``: the coins to serve (default: the built-in catalog). ``numbering_seed``: draws the
    gaps and late varieties of the PCGS-like numbering (:mod:`coinref.sim.numbering`). ``today``: the sim's
    day (default: today in UTC); prices and the quota follow it.
    """

    quota: int = 1000
    latency_ms: int = 0
    seed: int = 0
    market_seed: int = 0
    faults: str = ""
    token: str | None = None
    hang_s: float = 30.0
    catalog: Sequence[CatalogCoin] | None = None
    numbering_seed: int = 0
    today: Callable[[], date] | None = None


class SimState:
    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        FaultScript.parse(config.faults, config.seed)  # fail fast on a bad spec
        self.reset()

    @cached_property
    def universe(self) -> SimUniverse:
        return sim_universe(self.config.catalog, self.config.market_seed, seed=self.config.numbering_seed)

    def reset(self) -> None:
        """Forget counts and quota use; restore the configured fault script."""
        with self._lock:
            self.received: Counter[str] = Counter()  # area -> requests
            self.by_path: Counter[str] = Counter()
            self.by_status: Counter[str] = Counter()
            self.quota_used: Counter[date] = Counter()
            self.exhausted_days: set[date] = set()
            self.faults = FaultScript.parse(self.config.faults, self.config.seed)

    def today(self) -> date:
        return self.config.today() if self.config.today else datetime.now(UTC).date()

    def record(self, area: str, path: str) -> None:
        """Count one request received (``area``: "api", or what another router registers)."""
        with self._lock:
            self.received[area] += 1
            self.by_path[path] += 1

    def record_status(self, area: str, status: int) -> None:
        with self._lock:
            self.by_status[f"{area}:{status}"] += 1

    def take_quota(self) -> bool:
        """Count one API request against today's quota; False when the day is used up."""
        day = self.today()
        with self._lock:
            if day in self.exhausted_days or self.quota_used[day] >= self.config.quota:
                self.exhausted_days.add(day)
                return False
            self.quota_used[day] += 1
            return True

    def exhaust_today(self) -> None:
        with self._lock:
            self.exhausted_days.add(self.today())

    def next_fault(self) -> Fault | None:
        with self._lock:
            return self.faults.next()

    def set_faults(self, spec: str) -> dict[str, object]:
        script = FaultScript.parse(spec, self.config.seed)
        with self._lock:
            self.faults = script
        return script.describe()

    def calls(self) -> dict[str, object]:
        day = self.today()
        with self._lock:
            return {
                "total": sum(self.received.values()),
                "api": self.received.get("api", 0),
                "by_area": dict(self.received),
                "by_path": dict(self.by_path),
                "by_status": dict(self.by_status),
                "quota": self.config.quota,
                "quota_used_today": self.quota_used.get(day, 0),
                "quota_exhausted_today": day in self.exhausted_days,
                "faults": self.faults.describe(),
            }
