"""Issue 12.8: impossible prices and observation days are never stored, and ``validate`` flags them.

Before the fix ``import prices`` stored 1e30, 99999999999999999 (rounded), 100.123 (rounded to
100.12) and days in 2099 and 1700, which then became the coin page's "latest" price.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from coinref.store.db import session_scope
from coinref.store.models import Coin, PriceObservation, Quarantine
from coinref.store.prices import price_problem, upsert_price


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def morgan_db(cli, db_url, tmp_path):
    env = {"DATABASE_URL": db_url}
    assert cli("populate", "--series", "morgan-dollars", "--json", env=env).exit_code == 0
    numbers = _write(tmp_path / "n.csv", "pcgs_number,year,mint_mark,denomination\n7169,1881,S,$1\n")
    assert cli("import", "pcgs-numbers", str(numbers), env=env).exit_code == 0
    return env


def test_impossible_prices_and_days_are_quarantined(cli, engine, morgan_db, tmp_path):
    today = date.today().isoformat()
    rows = [
        ("1e30", today, "above the largest plausible price"),
        ("99999999999999999", today, "above the largest plausible price"),
        ("100.123", today, "more than two decimal places"),
        ("NaN", today, "not a number"),
        ("0", today, "not positive"),
        ("1250.50", "2099-01-01", "in the future"),
        ("1250.50", "1700-01-01", "before 1792"),
        ("1250.50", "1850-06-01", "before the coin's year 1881"),
    ]
    lines = ["pcgs_number,grade,price,date"] + [f"7169,MS64,{price},{day}" for price, day, _ in rows]
    lines.append(f"7169,MS65,1250.50,{today}")
    result = cli("import", "prices", str(_write(tmp_path / "p.csv", "\n".join(lines) + "\n")), "--source", "dealer",
                 "--json", env=morgan_db)
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert (data["written"], data["quarantined"]) == (1, len(rows))
    reasons = [" ".join(p["reasons"]) for p in data["problems"]]
    for (_price, _day, expected), reason in zip(rows, reasons, strict=True):
        assert expected in reason, (expected, reason)
    with session_scope(engine, read_only=True) as session:
        stored = session.execute(select(PriceObservation.price, PriceObservation.grade)).all()
        assert stored == [(Decimal("1250.50"), 65)]
        assert len(session.scalars(select(Quarantine)).all()) == len(rows)


@pytest.mark.parametrize(("value", "ok"), [
    (Decimal("100.10"), True), (Decimal("100.100"), True), (Decimal("0.01"), True), (Decimal("100000000"), True),
    (Decimal("100.123"), False), (Decimal("100000000.01"), False), (Decimal("-5"), False), (Decimal("Infinity"), False),
    (100.5, False), (True, False), ("12", False),
])
def test_price_rule(value, ok):
    assert (price_problem(value) is None) is ok


def test_validate_flags_impossible_rows_already_stored(cli, engine, morgan_db):
    with session_scope(engine) as session:
        coin_id = session.scalar(select(Coin.id).where(Coin.pcgs_number == 7169))
        planted = ((63, Decimal("999999999999.00"), date(2026, 1, 5)), (64, Decimal("150.00"), date(2099, 1, 1)),
                   (65, Decimal("150.00"), date(1700, 1, 1)), (66, Decimal("150.00"), date(2026, 1, 5)))
        for grade, price, day in planted:
            upsert_price(session, coin_id=coin_id, grade=grade, plus=False, source="legacy", price=price,
                         observed_on=day)
    result = cli("validate", "--report", "--json", env=morgan_db)
    assert result.exit_code == 6
    flagged = [p for p in result.json()["problems"] if p["check"] == "impossible_price"]
    assert len(flagged) == 3 and all(p["coin_id"] == coin_id for p in flagged)
    assert {("future" in p["message"]) or ("before" in p["message"]) or ("largest" in p["message"])
            for p in flagged} == {True}
