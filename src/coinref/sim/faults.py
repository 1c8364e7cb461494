"""Fault scripts for the simulator: what to answer instead of the real thing, and when.

Syntax (``coinref sim --faults SPEC`` and ``POST /__sim/faults``)::

    SPEC  := ITEM ("," ITEM)*
    ITEM  := FAULT ["*" COUNT]          one entry of the sequence (repeated COUNT times)
           | "rate=" SHARE ":" FAULT    a share of every later request (SHARE in 0..1)
    FAULT := NAME (":" OPTION)*
    OPTION:= "retry-after=" SECONDS

Names: ``ok`` (answer normally), any HTTP status such as ``500``, ``502``, ``503``, ``504``,
``400``, ``401`` (ASP.NET's authorization-denied body), ``404``, ``429`` (rate limited, add
``:retry-after=N`` for the header), ``auth500`` (500 with the authorization-denied body, as PCGS's
docs describe), ``quota`` (429 "API calls quota exceeded!" and the sim's quota closed for the day),
``timeout`` (no answer until the client gives up), ``malformed`` (200 with broken JSON), ``empty``
(204, no body), ``servererror`` (200 envelope "A server error occurred").

Sequence entries are used one per API request, in order, then the script falls back to the shares,
each drawn with the sim's seeded random generator. Examples: ``500,503`` (two failures, then
normal), ``ok*3,401`` (a token revoked mid-run), ``429:retry-after=1``, ``rate=0.1:500``,
``rate=0.05:timeout,rate=0.05:malformed``.
"""

from __future__ import annotations

import random
import re
from collections import deque
from dataclasses import dataclass, field

from coinref.errors import InvalidInput

NAMED = ("ok", "timeout", "malformed", "empty", "quota", "servererror", "auth500")
_ITEM_RE = re.compile(r"^(?P<body>[^*]+?)(?:\*(?P<count>\d+))?$")


@dataclass(frozen=True)
class Fault:
    name: str  # one of NAMED, or "status"
    status: int | None = None
    retry_after: str | None = None

    def __str__(self) -> str:
        text = str(self.status) if self.name == "status" else self.name
        return text + (f":retry-after={self.retry_after}" if self.retry_after is not None else "")


def parse_fault(text: str) -> Fault:
    name, *options = [part.strip() for part in text.strip().split(":")]
    retry_after = None
    for option in options:
        key, _, value = option.partition("=")
        if key.lower() != "retry-after" or not value:
            raise InvalidInput(f"unknown fault option {option!r} (only retry-after=SECONDS)")
        retry_after = value
    lowered = name.lower()
    if lowered in NAMED:
        return Fault(lowered, None, retry_after)
    if lowered.isdigit() and 100 <= int(lowered) <= 599:
        return Fault("status", int(lowered), retry_after)
    raise InvalidInput(f"unknown fault {name!r}: use an HTTP status or one of {', '.join(NAMED)}")


@dataclass
class FaultScript:
    sequence: deque[Fault] = field(default_factory=deque)
    shares: list[tuple[float, Fault]] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    spec: str = ""

    @classmethod
    def parse(cls, spec: str | None, seed: int = 0) -> FaultScript:
        """Parse a fault SPEC (see module doc); InvalidInput names the bad part."""
        script = cls(rng=random.Random(seed), spec=(spec or "").strip())
        for raw in (spec or "").split(","):
            item = raw.strip()
            if not item:
                continue
            if item.lower().startswith("rate="):
                share_text, sep, fault_text = item[5:].partition(":")
                if not sep:
                    raise InvalidInput(f"fault item {item!r}: expected rate=SHARE:FAULT")
                try:
                    share = float(share_text)
                except ValueError:
                    raise InvalidInput(f"fault item {item!r}: {share_text!r} is not a number") from None
                if not 0 <= share <= 1:
                    raise InvalidInput(f"fault item {item!r}: the share must be between 0 and 1")
                script.shares.append((share, parse_fault(fault_text)))
                continue
            match = _ITEM_RE.match(item)
            if not match:
                raise InvalidInput(f"fault item {item!r} is not FAULT or FAULT*COUNT")
            fault = parse_fault(match.group("body"))
            script.sequence.extend([fault] * int(match.group("count") or 1))
        return script

    def next(self) -> Fault | None:
        """The fault for the next request (None or ``ok``: answer normally)."""
        if self.sequence:
            return self.sequence.popleft()
        for share, fault in self.shares:
            if self.rng.random() < share:
                return fault
        return None

    def describe(self) -> dict[str, object]:
        return {
            "spec": self.spec,
            "pending": [str(f) for f in self.sequence],
            "shares": [{"share": s, "fault": str(f)} for s, f in self.shares],
        }
