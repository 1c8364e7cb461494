"""The simulator numbers its coins the way PCGS does (coinref.sim.numbering)."""

from __future__ import annotations

from collections import Counter

import httpx

from coinref.catalog.builtin import load_catalog
from coinref.sim import SimConfig, SimUniverse, create_sim_app, sim_universe
from coinref.sim.bodies import NO_DATA_GRADE
from coinref.sim.numbering import BASE_LIMIT, LATE_MIN, prefixed

UNIVERSE = sim_universe()


def n(series, year, mint="P", strike="MS", variety="", designation=""):
    return UNIVERSE.number_of((series, year, mint, strike, variety, designation))


def test_the_public_facts_hold_in_the_simulator():
    assert n("morgan-dollars", 1878, variety="8TF") == 7072
    assert n("morgan-dollars", 1878, variety="8TF", designation="PL") == 7073
    assert n("morgan-dollars", 1878, variety="8TF", designation="DMPL") == 97073
    assert n("peace-dollars", 1921) == 7356
    assert [n("lincoln-cents-wheat-reverse", 1909, "S", variety="VDB", designation=d) for d in ("BN", "RB", "RD")] \
        == [2426, 2427, 2428]
    first_proof = min(number for number, coin in UNIVERSE.coins.items()
                      if coin.series == "morgan-dollars" and coin.strike == "PR")
    assert first_proof == 7311


def test_designation_rules_everywhere():
    catalog = load_catalog()
    by_base: dict[tuple, dict[str, int | None]] = {}
    for coin in catalog:
        by_base.setdefault(coin.base_key, {})[coin.designation] = UNIVERSE.number_of(coin)
    checked = Counter()
    for entries in by_base.values():
        if "RD" in entries:
            assert entries[""] is None if "" in entries else True  # the copper base entry has no number
            assert entries.get("RB") in (None, entries["RD"] - 1) and entries.get("BN") in (None, entries["RD"] - 2)
            checked["copper"] += 1
        if "PL" in entries and entries[""] is not None:
            assert entries["PL"] == entries[""] + 1
            checked["pl"] += 1
        if "DMPL" in entries and "PL" in entries:
            assert entries["DMPL"] == prefixed(entries["PL"], 9)
            checked["dmpl"] += 1
        root = entries.get("RD", entries.get(""))
        for designation, digit in (("CAM", 8), ("DCAM", 9)):
            if designation in entries and root is not None:
                assert entries[designation] == prefixed(root, digit)
                checked[designation] += 1
        for designation in ("FB", "FS", "FH", "FBL"):
            if designation in entries and entries[""] is not None:
                assert entries[""] < entries[designation] <= entries[""] + 2
                checked[designation] += 1
    assert min(checked.values()) > 10 and len(checked) >= 8


def test_blocks_gaps_late_varieties_and_sets():
    numbers = [v for v in UNIVERSE.numbers.values()]
    assert len(numbers) == len(set(numbers))
    base = sorted(v for k, v in UNIVERSE.numbers.items() if k[5] in ("", "PL", "BN", "RB", "RD") and v < BASE_LIMIT)
    gaps = sum(1 for a, b in zip(base, base[1:], strict=False) if b - a > 1)
    assert gaps > 100  # unused numbers inside and between blocks
    late = [k for k, v in UNIVERSE.numbers.items() if LATE_MIN <= v < 800_000]
    # only varieties, and issues struck after an anchored block was closed (the 2021 Morgans), get
    # six-digit numbers
    assert late and all(k[4] or k[1] >= 2021 for k in late)
    assert UNIVERSE.sets and not set(UNIVERSE.sets) & set(numbers)
    first, last = UNIVERSE.blocks[("mercury-dimes", "MS")]
    inside = [c for v, c in UNIVERSE.coins.items() if first <= v <= last]
    assert inside and all(c.series == "mercury-dimes" and c.strike == "MS" for c in inside)
    years = [c.year for v, c in sorted(UNIVERSE.coins.items()) if first <= v <= last and not c.variety]
    assert years == sorted(years)  # date order inside a block


def test_numbering_is_deterministic_per_seed():
    catalog = [c for c in load_catalog() if c.series in ("barber-dimes", "mercury-dimes", "morgan-dollars")]
    again = SimUniverse(catalog, seed=0)
    assert again.numbers == SimUniverse(list(reversed(catalog)), seed=0).numbers
    other = SimUniverse(catalog, seed=5)
    assert other.numbers != again.numbers
    assert other.number_of(("morgan-dollars", 1878, "P", "MS", "8TF", "")) == 7072  # anchored whatever the seed


def test_unknown_numbers_and_sets_answer_like_pcgs():
    app = create_sim_app(SimConfig(token="t"))
    transport = httpx.ASGITransport(app=app)
    set_number = next(iter(UNIVERSE.sets))

    async def ask(number, grade=64):
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
            response = await client.get("/publicapi/coindetail/GetCoinFactsByGrade",
                                        params={"PCGSNo": number, "GradeNo": grade, "PlusGrade": "false"},
                                        headers={"Authorization": "bearer t"})
            return response.status_code, response.json()

    import asyncio

    status, body = asyncio.run(ask(7383))  # a gap in the Peace block
    assert UNIVERSE.coin(7383) is None
    assert status == 200 and body["ServerMessage"] == NO_DATA_GRADE and body["IsValidRequest"] is True
    status, body = asyncio.run(ask(set_number))
    assert status == 200 and body["Year"] == 0 and body["Name"].endswith("Type Set") and body["PriceGuideValue"] == 0
    status, body = asyncio.run(ask(7072))
    assert body["Name"] == "1878 $1 8TF" and body["Grade"] == "MS64"
