"""Issue 12.3: only requests that may have reached PCGS are charged, and every charge has a call row.

* a malformed token is a configuration error (exit 10) before any reservation;
* a request that provably never left the machine (connection refused, DNS failure) gives its
  reservation back and its row says ``not_sent``;
* the call row is written with the reservation, so a process killed with a request in flight
  leaves an ``in_flight`` row for the unit it spent.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from pcgs_support import MORGAN_1881_S, TOKEN, attach_coin
from sqlalchemy import func, select

from coinref.config import load_settings
from coinref.errors import TransientError
from coinref.remote.breaker import BreakerRegistry
from coinref.sim import SimConfig, run_in_thread
from coinref.sim.sample import SAMPLE_CATALOG
from coinref.sources.pcgs_api import PcgsClient
from coinref.store.db import session_scope
from coinref.store.models import ApiCall, QuotaLedger


def _ledger_and_calls(engine) -> tuple[int, list[str]]:
    with session_scope(engine) as session:
        used = session.scalar(select(func.coalesce(func.sum(QuotaLedger.used), 0)))
        outcomes = session.scalars(select(ApiCall.outcome).order_by(ApiCall.id)).all()
    return int(used), list(outcomes)


def _refused_port() -> int:
    """A loopback port nobody listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("token", ["good\npart", "line\r\nbreak", "tökén", "two words", "tab\there"])
def test_a_malformed_token_is_exit_10_before_any_reservation(cli, db_url, engine, token):
    attach_coin(engine, MORGAN_1881_S)
    env = {"DATABASE_URL": db_url, "PCGS_API_TOKEN": token, "PCGS_PACING_MS": "0",
           "PCGS_API_BASE_URL": f"http://127.0.0.1:{_refused_port()}/publicapi"}
    result = cli("lookup", str(MORGAN_1881_S), "--grade", "MS65", env=env)
    assert result.exit_code == 10, result.stdout + result.stderr
    assert "PCGS_API_TOKEN contains" in result.stderr and "unexpected" not in result.stderr
    assert token not in result.stdout + result.stderr
    assert _ledger_and_calls(engine) == (0, [])


def test_connection_refused_releases_every_reservation(cli, db_url, engine):
    attach_coin(engine, MORGAN_1881_S)
    env = {"DATABASE_URL": db_url, "PCGS_API_TOKEN": TOKEN, "PCGS_PACING_MS": "0", "PCGS_MAX_RETRIES": "3",
           "PCGS_BACKOFF_CAP_S": "0.01", "PCGS_API_BASE_URL": f"http://127.0.0.1:{_refused_port()}/publicapi"}
    result = cli("lookup", str(MORGAN_1881_S), "--grade", "MS65", "--json", env=env)
    assert result.exit_code == 5, result.stdout + result.stderr
    used, outcomes = _ledger_and_calls(engine)
    assert used == 0 and outcomes == ["not_sent"] * 4  # one try and three retries, none charged
    quota = cli("quota", "--json", env=env).json()
    assert quota["used"] == 0


def test_dns_failure_releases_its_reservation(engine, db_url):
    """httpx reports a name that does not resolve as ConnectError (gaierror), before sending."""

    def resolve_fails(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    settings = load_settings(database_url=db_url, pcgs_api_token=TOKEN, pcgs_pacing_ms=0, pcgs_max_retries=1,
                             pcgs_backoff_cap_s=0.01, pcgs_api_base_url="http://pcgs.invalid/publicapi")

    async def call() -> None:
        async with PcgsClient(settings, engine, transport=httpx.MockTransport(resolve_fails),
                              breakers=BreakerRegistry()) as client:
            await client.get_coin_facts_by_grade(MORGAN_1881_S, 65)

    with pytest.raises(TransientError):
        asyncio.run(call())
    assert _ledger_and_calls(engine) == (0, ["not_sent", "not_sent"])


def test_a_request_in_flight_at_sigkill_has_its_call_row(db_url, engine, tmp_path):
    attach_coin(engine, MORGAN_1881_S)
    running = run_in_thread(SimConfig(catalog=SAMPLE_CATALOG, token=TOKEN, latency_ms=30_000))
    try:
        env = os.environ | {"DATABASE_URL": db_url, "PCGS_API_TOKEN": TOKEN, "PCGS_PACING_MS": "0",
                            "PCGS_API_BASE_URL": running.api_url, "COINREF_LOG_DIR": str(tmp_path / "logs")}
        proc = subprocess.Popen([sys.executable, "-m", "coinref", "lookup", str(MORGAN_1881_S), "--grade", "MS65"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while running.api_calls() == 0 and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.05)
            assert running.api_calls() == 1, "the request never reached the simulator"
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(timeout=30)
    finally:
        running.stop()
    used, outcomes = _ledger_and_calls(engine)
    assert (used, outcomes) == (1, ["in_flight"])
