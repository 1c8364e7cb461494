"""``coinref serve`` as a real process on a loopback port (uvicorn, two workers), and its checks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from api_support import load_sample

COINREF = str(Path(sys.executable).parent / "coinref")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_serve_answers_on_loopback_with_two_workers(db_url, engine, tmp_path):
    load_sample(engine)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": db_url}
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([COINREF, "serve", "--port", str(port), "--workers", "2", "--no-access-log"],
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:  # wait for the server to come up (bounded), then test it
            try:
                if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("coinref serve did not start: " + (tmp_path / "serve.log").read_text())
            time.sleep(0.1)
        with httpx.Client(base_url=base, timeout=10) as client:
            assert client.get("/api/health").json()["status"] == "ok"
            hits = client.get("/api/coins/search", params={"q": "1881-S morgan"}).json()["results"]
            assert hits[0]["pcgs_number"] == 7126
            assert client.get("/api/coins/7126").json()["full_name"] == "1881-S Morgan Dollar"
            assert "1881-S Morgan Dollar" in client.get("/", params={"q": "1881-S morgan"}).text
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def test_serve_refuses_bad_settings_with_exit_10(cli):
    result = cli("serve", env={"DATABASE_URL": "mysql://nope"})
    assert result.exit_code == 10 and "DATABASE_URL" in result.stderr


def test_serve_rejects_a_bad_port_as_usage_error(cli):
    assert cli("serve", "--port", "70000").exit_code == 2
