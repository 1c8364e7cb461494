"""The simulator app itself: gate order, quota, admin endpoints, and ``coinref sim``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import date

import httpx
import pytest
from pcgs_support import EAGLE_1986, MORGAN_1881_S, TOKEN, sim_app

pytestmark = pytest.mark.anyio
AUTH = {"Authorization": f"bearer {TOKEN}"}
GRADE = {"PCGSNo": str(MORGAN_1881_S), "GradeNo": "65", "PlusGrade": "false"}
PATH = "/publicapi/coindetail/GetCoinFactsByGrade"


async def client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim")


async def test_missing_or_wrong_token_gets_aspnet_401_and_counts():
    app = sim_app()
    async with await client(app) as sim:
        missing = await sim.get(PATH, params=GRADE)
        wrong = await sim.get(PATH, params=GRADE, headers={"Authorization": "bearer nope"})
        basic = await sim.get(PATH, params=GRADE, headers={"Authorization": f"Basic {TOKEN}"})
        calls = (await sim.get("/__sim/calls")).json()
    assert [r.status_code for r in (missing, wrong, basic)] == [401, 401, 401]
    assert missing.json() == {"Message": "Authorization has been denied for this request."}
    assert calls["api"] == 3 and calls["by_status"] == {"api:401": 3} and calls["quota_used_today"] == 0


async def test_any_token_is_accepted_when_none_is_configured():
    app = sim_app(token=None)
    async with await client(app) as sim:
        answer = await sim.get(PATH, params=GRADE, headers={"Authorization": "Bearer anything"})
    assert answer.status_code == 200


async def test_sim_quota_answers_the_quota_text_then_resets_next_day():
    day = {"today": date(2025, 6, 1)}
    app = sim_app(quota=2, today=lambda: day["today"])
    async with await client(app) as sim:
        answers = [await sim.get(PATH, params=GRADE, headers=AUTH) for _ in range(3)]
        day["today"] = date(2025, 6, 2)
        next_day = await sim.get(PATH, params=GRADE, headers=AUTH)
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "API calls quota exceeded!" in answers[2].text
    assert next_day.status_code == 200


async def test_prices_follow_the_sim_day():
    # a bullion coin: its price follows the simulated spot every day (numismatic guide values move
    # in occasional steps, so a week may show none)
    day = {"today": date(2025, 6, 1)}
    app = sim_app(today=lambda: day["today"])
    seen = set()
    async with await client(app) as sim:
        for offset in range(1, 8):
            day["today"] = date(2025, 6, offset)
            for grade in ("66", "67", "68"):
                params = GRADE | {"PCGSNo": str(EAGLE_1986), "GradeNo": grade}
                body = (await sim.get(PATH, params=params, headers=AUTH)).json()
                if body.get("PriceGuideValue"):
                    seen.add((grade, body["PriceGuideValue"]))
    assert len(seen) > 3


async def test_admin_faults_calls_and_reset():
    app = sim_app()
    async with await client(app) as sim:
        bad = await sim.post("/__sim/faults", json={"spec": "teapot"})
        assert bad.status_code == 400 and "unknown fault" in bad.json()["error"]
        scripted = await sim.post("/__sim/faults", json={"spec": "503:retry-after=3,malformed,empty,401"})
        assert scripted.json()["pending"] == ["503:retry-after=3", "malformed", "empty", "401"]
        answers = [await sim.get(PATH, params=GRADE, headers=AUTH) for _ in range(5)]
        assert [a.status_code for a in answers] == [503, 200, 204, 401, 200]
        assert answers[0].headers["Retry-After"] == "3"
        assert answers[1].text == '{"PCGSNo": "9'
        calls = (await sim.get("/__sim/calls")).json()
        assert calls["api"] == 5 and calls["quota_used_today"] == 5
        await sim.post("/__sim/faults?spec=quota")
        assert (await sim.get(PATH, params=GRADE, headers=AUTH)).status_code == 429
        assert (await sim.get(PATH, params=GRADE, headers=AUTH)).status_code == 429  # the day stays closed
        reset = (await sim.post("/__sim/reset")).json()
        assert reset["api"] == 0 and reset["quota_exhausted_today"] is False
        assert (await sim.get(PATH, params=GRADE, headers=AUTH)).status_code == 200
        coins = (await sim.get("/__sim/coins", params={"series": "morgan-dollars"})).json()
    assert coins["synthetic"] is True and coins["total"] == 3
    assert MORGAN_1881_S in [c["pcgs_number"] for c in coins["coins"]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_coinref_sim_command_serves_until_stopped(tmp_path):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "from coinref.cli import main; main()", "sim", "--port", str(port), "--quota", "5",
         "--token", TOKEN, "--faults", "500", "--seed", "3"],
        env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                root = httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    reason = process.stderr.read() if process.poll() is not None else "no answer"
                    raise AssertionError(reason) from None
                time.sleep(0.1)
        assert "synthetic" in root.text and root.headers["X-Coinref-Sim"] == "synthetic data"
        failed = httpx.get(f"http://127.0.0.1:{port}{PATH}", params={**GRADE, "PCGSNo": "9"}, headers=AUTH)
        assert failed.status_code == 500
        calls = httpx.get(f"http://127.0.0.1:{port}/__sim/calls").json()
        assert calls["quota"] == 5 and calls["api"] == 1
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_coinref_sim_rejects_a_bad_fault_spec(cli):
    result = cli("sim", "--faults", "rate=3:500")
    assert result.exit_code == 2 and "between 0 and 1" in result.stderr
