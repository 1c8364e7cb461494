"""Running the simulator on a real loopback socket: for ``coinref sim`` and for tests.

:func:`run_in_thread` starts uvicorn in a daemon thread on a free port and returns a
:class:`RunningSim` that unpacks as ``(base_url, stop)``. ``base_url`` is the server root; the API
is at ``base_url + "/publicapi"`` (``RunningSim.api_url``), so ``PCGS_API_BASE_URL`` is
``running.api_url``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import NamedTuple

import httpx
import uvicorn
from fastapi import FastAPI

from coinref.sim.app import create_sim_app
from coinref.sim.state import SimConfig


class RunningSim(NamedTuple):
    base_url: str
    stop: Callable[[], None]
    app: FastAPI | None = None

    @property
    def api_url(self) -> str:
        return self.base_url + "/publicapi"

    def calls(self) -> dict:
        """``GET /__sim/calls`` (requests received, quota use)."""
        return httpx.get(self.base_url + "/__sim/calls", timeout=5).json()

    def api_calls(self) -> int:
        return int(self.calls()["api"])

    def set_faults(self, spec: str) -> dict:
        return httpx.post(self.base_url + "/__sim/faults", json={"spec": spec}, timeout=5).json()

    def reset(self) -> dict:
        return httpx.post(self.base_url + "/__sim/reset", timeout=5).json()


def run_in_thread(
    config: SimConfig | None = None, *, app: FastAPI | None = None, host: str = "127.0.0.1", port: int = 0
) -> RunningSim:
    """Serve the sim (or ``app``) on ``host``:``port`` (0: a free port) in a background thread."""
    app = app or create_sim_app(config)
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off", timeout_graceful_shutdown=1,
                       access_log=False)
    )
    thread = threading.Thread(target=server.run, name="coinref-sim", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the simulator did not start on {host}:{port}")
        time.sleep(0.01)
    bound_port = server.servers[0].sockets[0].getsockname()[1]

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return RunningSim(f"http://{host}:{bound_port}", stop, app)
