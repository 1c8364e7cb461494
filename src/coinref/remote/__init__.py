"""What every remote source shares: quota ledger, call log, retry policy, circuit breaker, pacing.

The request path (breaker -> pacing -> quota -> httpx -> classify -> log) lives in
:mod:`coinref.remote.caller`; a source supplies only how to send a request and what an answer
means. See docs/pcgs-client.md.
"""

from coinref.remote.breaker import BreakerRegistry, HostBreaker, breakers
from coinref.remote.caller import Outcome, RemoteCaller
from coinref.remote.calllog import find_answer, list_calls, record_call
from coinref.remote.pacing import Pacer
from coinref.remote.quota import QuotaLedger
from coinref.remote.retry import RetryPolicy

__all__ = [
    "BreakerRegistry",
    "HostBreaker",
    "Outcome",
    "Pacer",
    "QuotaLedger",
    "RemoteCaller",
    "RetryPolicy",
    "breakers",
    "find_answer",
    "list_calls",
    "record_call",
]
