"""Holdings import/export and the collection's valuation, on both backends.

The database holds part of the built-in catalog (``api_support.sample_catalog``) with hand-written
PCGS numbers, price observations, auction sales, certs and spot prices (none of it market data).
The valuation is checked against a recomputation from the stored rows written here independently
of ``pipeline/valuation.py``: one plain query per holding.
"""

from __future__ import annotations

import csv
import math
import statistics
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from api_support import sample_catalog
from sqlalchemy import delete, func, select

from coinref.store.coins import upsert_catalog_coins
from coinref.store.db import session_scope
from coinref.store.models import AuctionSale, Coin, Holding, PriceObservation, Quarantine, SpotPrice, Watch
from coinref.store.prices import store_cert, upsert_price
from coinref.store.sales import write_sale
from coinref.store.spot import set_spot

DAY = date(2025, 3, 31)
PRICE_DAYS = (DAY - timedelta(days=60), DAY - timedelta(days=30), DAY)
CENT = Decimal("0.01")


def cents(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def build_collection(engine) -> list[Coin]:
    """Coins with numbers, prices at 63 and 65, sales at 62, certs and silver spot; returns the coins."""
    upsert_catalog_coins(engine, sample_catalog())
    with session_scope(engine) as session:
        coins = session.scalars(select(Coin).order_by(Coin.id)).all()
        for i, coin in enumerate(coins):
            if i % 10 == 9:
                continue  # some coins have no PCGS number
            coin.pcgs_number = 100_000 + i
            base = Decimal(20 + 7 * (i % 13))
            for k, day in enumerate(PRICE_DAYS):
                for grade, factor in ((63, 1), (65, 3)):
                    upsert_price(session, coin_id=coin.id, grade=grade, plus=False, source="pcgs-api",
                                 price=cents(base * factor * (1 + Decimal(k) / 20)), observed_on=day)
            if i % 4 == 0:
                for n, days_back in enumerate((400, 100, 20, -10)):  # one outside the window, one after DAY
                    write_sale(session, coin_id=coin.id, pcgs_number=coin.pcgs_number, grade=62, plus=False,
                               designation="", sold_on=DAY - timedelta(days=days_back), date_text="",
                               auction_house="Test House", sale_name=f"sale {i}", lot=str(n), cert_number=None,
                               price=cents(base * Decimal("0.8") + n), grading_service="PCGS", is_cac=None,
                               source="pcgs-apr")
        for k in range(40):
            coin = coins[k * 5]
            store_cert(session, cert_number=f"3100{k:04d}", pcgs_number=coin.pcgs_number, coin_id=coin.id, grade=65,
                       plus=False, grade_text="MS65", raw={})
        set_spot(session, "silver", DAY - timedelta(days=60), Decimal("25.00"))
        set_spot(session, "silver", DAY - timedelta(days=1), Decimal("30.00"))
        set_spot(session, "silver", DAY + timedelta(days=5), Decimal("40.00"))  # after DAY: never used for DAY
        session.expunge_all()
        return coins


def holdings_csv(path, coins) -> dict[str, int]:
    """200 rows: 80 PCGS numbers, 40 certs, 60 coin names, 10 ambiguous texts, 10 bad rows."""
    numbered = [c for c in coins if c.pcgs_number]
    names = [n for n, count in _name_counts(coins).items() if count == 1]
    rows = []
    for i in range(80):
        coin = numbered[(i * 3) % len(numbered)]
        rows.append({"pcgs_number": coin.pcgs_number, "grade": ("63", "64", "65", "62", "60")[i % 5],
                     "quantity": 1 + i % 3, "cost": f"{10 + i}.50" if i % 2 else "",
                     "purchase_date": (DAY - timedelta(days=i)).isoformat() if i % 4 == 0 else ""})
    for k in range(40):
        rows.append({"cert": f"3100{k:04d}", "quantity": 1})
    for i in range(60):
        rows.append({"coin": names[(i * 7) % len(names)], "grade": "MS65", "quantity": 2})
    for i in range(10):
        rows.append({"coin": ("1881 morgan", "2021 silver eagle")[i % 2], "grade": "65"})
    rows += [
        {"pcgs_number": "999999", "grade": "65"}, {"cert": "12345670", "grade": "65"},
        {"pcgs_number": str(numbered[0].pcgs_number), "grade": "MS71"},
        {"pcgs_number": str(numbered[1].pcgs_number), "grade": "65", "quantity": "two"},
        {"grade": "65"}, {"coin": "zzqx nonsense coin", "grade": "65"},
        {"pcgs_number": str(numbered[2].pcgs_number), "grade": "65", "cost": "lots"},
        {"pcgs_number": str(numbered[3].pcgs_number), "grade": "65", "purchase_date": "31/03/2025"},
        {"pcgs_number": "12ab", "grade": "65"}, {"cert": "31000001", "pcgs_number": str(numbered[6].pcgs_number)},
    ]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["pcgs_number", "cert", "coin", "grade", "quantity", "cost",
                                                    "purchase_date"])
        writer.writeheader()
        writer.writerows(rows)
    return {"rows": len(rows), "bad": 10}


def _name_counts(coins) -> dict[str, int]:
    counts: dict[str, int] = {}
    for coin in coins:
        counts[coin.full_name] = counts.get(coin.full_name, 0) + 1
    return counts


def recompute(engine, as_of: date) -> tuple[Decimal, dict[int, Decimal | None]]:
    """The rule, recomputed naively from the stored rows: one query per holding and grade."""
    values: dict[int, Decimal | None] = {}
    with session_scope(engine) as session:
        silver = session.scalars(select(SpotPrice.price).where(SpotPrice.metal == "silver", SpotPrice.day <= as_of)
                                 .order_by(SpotPrice.day.desc())).first()
        holdings = session.scalars(select(Holding).order_by(Holding.id)).all()
        for h in holdings:
            if h.purchased_on is not None and h.purchased_on > as_of:
                continue
            coin = session.get(Coin, h.coin_id)

            def latest(grade, plus, coin=coin):
                return session.scalars(select(PriceObservation.price).where(
                    PriceObservation.coin_id == coin.id, PriceObservation.grade == grade,
                    PriceObservation.plus == plus, PriceObservation.observed_on <= as_of)
                    .order_by(PriceObservation.observed_on.desc())).first()

            guide = latest(h.grade, h.plus)
            if guide is None:
                priced = sorted(g for g in (63, 65) if latest(g, False) is not None)
                low = [g for g in priced if g < h.grade]
                high = [g for g in priced if g > h.grade]
                if low and high:
                    a, b = latest(low[-1], False), latest(high[0], False)
                    share = (h.grade - low[-1]) / (high[0] - low[-1])
                    guide = cents(Decimal(str(math.exp(math.log(float(a)) + share * (math.log(float(b))
                                                                                      - math.log(float(a)))))))
            sales = session.scalars(select(AuctionSale.price).where(
                AuctionSale.coin_id == coin.id, AuctionSale.grade == h.grade, AuctionSale.plus == h.plus,
                AuctionSale.sold_on <= as_of, AuctionSale.sold_on > as_of - timedelta(days=365))).all()
            used = guide if guide is not None else (cents(statistics.median(sales)) if sales else None)
            if coin.metal_oz and coin.metal and "silver" in coin.metal.lower() and silver is not None:
                melt = cents(coin.metal_oz * silver)
                used = melt if used is None or melt > used else used
            values[h.id] = None if used is None else cents(used * h.quantity)
    return sum((v for v in values.values() if v is not None), Decimal("0.00")), values


@pytest.fixture
def collection(engine, tmp_path):
    coins = build_collection(engine)
    path = tmp_path / "holdings.csv"
    return coins, path, holdings_csv(path, coins)


def test_a_200_row_holdings_csv_imports_every_row_and_value_matches_the_stored_rows(cli, db_url, engine, collection):
    coins, path, expected = collection
    env = {"DATABASE_URL": db_url}
    result = cli("holdings", "import", str(path), "--json", env=env)
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["rows"] == 200 and report["imported"] + report["quarantined"] == 200
    assert report["quarantined"] == expected["bad"] + 10
    ambiguous = [p for p in report["problems"] if p["reason"].startswith(("'1881 morgan'", "'2021 silver eagle'"))]
    assert len(ambiguous) == 10 and all(len(p["candidates"]) > 1 for p in ambiguous)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count(Holding.id))) == report["imported"]
        assert session.scalar(select(func.count(Quarantine.id)).where(Quarantine.source == "holdings")) == 20
        held = set(session.scalars(select(Holding.coin_id)))
        assert held == set(session.scalars(select(Watch.coin_id)))  # held coins join the watchlist
        by_cert = session.scalars(select(Holding).where(Holding.cert_number.is_not(None))).all()
        assert len(by_cert) == 40 and all(h.grade == 65 for h in by_cert)

    valued = cli("value", "--as-of", DAY.isoformat(), "--json", env=env)
    assert valued.exit_code == 0, valued.stderr
    body = valued.json()
    total, per_holding = recompute(engine, DAY)
    assert Decimal(str(body["total"])) == total > 0
    shown = {h["id"]: (None if h["value"] is None else Decimal(str(h["value"]))) for h in body["holdings"]}
    assert shown == per_holding
    assert sum(Decimal(str(h["value"])) for h in body["holdings"] if h["value"] is not None) == total
    bases = {h["basis"] for h in body["holdings"]}
    assert {"guide", "guide interpolated", "auction median", "melt"} <= bases
    interpolated = [h for h in body["holdings"] if h["basis"] == "guide interpolated"]
    assert interpolated and all(h["interpolated"] and h["grade"].endswith("64") for h in interpolated)
    assert body["spots"]["silver"] == {"price": 30.0, "day": (DAY - timedelta(days=1)).isoformat()}
    assert all(h["confidence"] in ("high", "medium", "low") for h in body["holdings"] if h["value"] is not None)

    given = cli("value", "--as-of", DAY.isoformat(), "--spot-silver", "500", "--json", env=env).json()
    eagles = [h for h in given["holdings"] if "Silver Eagle" in h["coin"]]
    assert eagles and all(h["basis"] == "melt" and h["melt"] == 500.0 for h in eagles)
    assert cli("value", "--spot-gold", "-3", env=env).exit_code == 2


def test_valuation_on_a_past_day_uses_only_what_was_known_then(cli, db_url, engine, collection):
    coins, path, _ = collection
    env = {"DATABASE_URL": db_url}
    assert cli("holdings", "import", str(path), env=env).exit_code == 0
    past = DAY - timedelta(days=30)
    before = cli("value", "--as-of", past.isoformat(), "--json", env=env).json()
    total, _ = recompute(engine, past)
    assert Decimal(str(before["total"])) == total
    assert before["spots"]["silver"]["price"] == 25.0
    assert all(h["as_of"] is None or h["as_of"] <= past.isoformat() for h in before["holdings"])
    # what is learnt later (prices, sales, spot after the day) must not change that day's value
    with session_scope(engine) as session:
        for coin_id in set(session.scalars(select(Holding.coin_id))):
            for grade in (62, 63, 64, 65):
                upsert_price(session, coin_id=coin_id, grade=grade, plus=False, source="later",
                             price=Decimal("99999.00"), observed_on=past + timedelta(days=1))
        set_spot(session, "silver", past + timedelta(days=2), Decimal("900.00"))
    after = cli("value", "--as-of", past.isoformat(), "--json", env=env).json()
    assert after == before
    today = cli("value", "--as-of", DAY.isoformat(), "--since", past.isoformat(), "--json", env=env).json()
    assert Decimal(str(today["since"]["total"])) == total
    assert Decimal(str(today["since"]["change"])) == Decimal(str(today["total"])) - total


def test_export_and_import_round_trip(cli, db_url, engine, collection, tmp_path):
    coins, path, _ = collection
    env = {"DATABASE_URL": db_url}
    assert cli("holdings", "import", str(path), env=env).exit_code == 0
    exported = tmp_path / "export.csv"
    assert cli("holdings", "export", "--output", str(exported), env=env).exit_code == 0
    first = exported.read_text(encoding="utf-8")
    with session_scope(engine) as session:
        count = session.scalar(select(func.count(Holding.id)))
        session.execute(delete(Holding))
    again = cli("holdings", "import", str(exported), "--json", env=env).json()
    assert again["rows"] == count == again["imported"] and again["quarantined"] == 0
    assert cli("holdings", "export", env=env).stdout == first


def test_add_list_remove_and_bad_input(cli, db_url, engine, collection):
    coins, _, _ = collection
    env = {"DATABASE_URL": db_url}
    coin = next(c for c in coins if c.pcgs_number)
    added = cli("holdings", "add", str(coin.pcgs_number), "--grade", "MS65", "--quantity", "2", "--cost", "99.5",
                "--json", env=env)
    assert added.exit_code == 0, added.stderr
    holding = added.json()["holding"]
    assert holding["quantity"] == 2 and holding["cost"] == 99.5 and holding["grade"] == "MS65"
    listed = cli("holdings", "list", "--json", env=env).json()
    assert [h["id"] for h in listed] == [holding["id"]]
    ambiguous = cli("holdings", "add", "1881 morgan", "--grade", "65", env=env)
    assert ambiguous.exit_code == 2 and "matches" in ambiguous.stderr and "PCGS #" in ambiguous.stderr
    assert cli("holdings", "add", "999999", "--grade", "65", env=env).exit_code == 3
    assert cli("holdings", "add", str(coin.pcgs_number), "--grade", "MS71", env=env).exit_code == 2
    assert cli("holdings", "remove", str(holding["id"]), env=env).exit_code == 0
    assert cli("holdings", "remove", str(holding["id"]), env=env).exit_code == 3
    assert cli("holdings", "import", "missing.csv", env=env).exit_code == 2


def test_spot_set_import_and_bad_rows_write_nothing(cli, db_url, engine, tmp_path):
    env = {"DATABASE_URL": db_url}
    assert cli("spot", "set", "gold", "2400.5", "--day", "2025-01-02", env=env).exit_code == 0
    good = tmp_path / "spot.csv"
    good.write_text("metal,day,price,source\nsilver,2025-01-02,30.10,lbma\nGold,2025-01-03,2410,lbma\n")
    assert cli("spot", "import", str(good), "--json", env=env).json()["imported"] == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("metal,day,price\nsilver,2025-01-04,31\ncopper,2025-01-05,4\n")
    failed = cli("spot", "import", str(bad), env=env)
    assert failed.exit_code == 2 and "line 3" in failed.stderr and "copper" in failed.stderr
    assert cli("spot", "set", "silver", "abc", env=env).exit_code == 2
    listed = cli("spot", "list", "--json", env=env).json()
    assert [(s["metal"], s["day"], s["price"]) for s in listed] == [
        ("gold", "2025-01-02", 2400.5), ("gold", "2025-01-03", 2410.0), ("silver", "2025-01-02", 30.1)]
    from coinref.store.spot import spot_price

    with session_scope(engine) as session:
        assert spot_price(session, "gold", date(2025, 1, 10)).price == Decimal("2410.00")
        assert spot_price(session, "gold", date(2025, 1, 2)).price == Decimal("2400.50")
        assert spot_price(session, "gold", date(2025, 1, 1)) is None
