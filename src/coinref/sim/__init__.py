"""The PCGS simulator: a local stand-in for the PCGS Public API, serving synthetic data.

``create_sim_app(SimConfig(...))`` builds the ASGI app (use it in-process through
``httpx.ASGITransport``); ``run_in_thread(config)`` serves it on a loopback port;
``sim_universe()`` is its truth (synthetic PCGS number <-> catalog coin, prices, certs).
See docs/pcgs-client.md for the fault syntax.
"""

from coinref.sim.app import EXTRA_ROUTERS, create_sim_app
from coinref.sim.faults import FaultScript
from coinref.sim.server import RunningSim, run_in_thread
from coinref.sim.state import SimConfig, SimState
from coinref.sim.universe import NUMBER_MAX, NUMBER_MIN, SimUniverse, sim_universe

__all__ = [
    "EXTRA_ROUTERS",
    "NUMBER_MAX",
    "NUMBER_MIN",
    "FaultScript",
    "RunningSim",
    "SimConfig",
    "SimState",
    "SimUniverse",
    "create_sim_app",
    "run_in_thread",
    "sim_universe",
]
