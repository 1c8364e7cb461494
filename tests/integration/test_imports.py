"""CSV imports of PCGS numbers and prices: matching, quarantine with reasons, no half-writes."""

from __future__ import annotations

from sqlalchemy import select

from coinref.store.db import session_scope
from coinref.store.models import Coin, PriceObservation, Quarantine


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_import_pcgs_numbers_matches_and_quarantines(cli, db_url, engine, tmp_path):
    env = {"DATABASE_URL": db_url}
    assert cli("populate", "--series", "morgan-dollars", "--json", env=env).exit_code == 0
    csv_file = _write(tmp_path / "numbers.csv", "\n".join([
        "pcgs_number,year,mint_mark,denomination,name,strike,designation",
        "7169,1881,S,$1,,,",  # series from the denomination and year
        "7170,1881,S,$1,1881-S Morgan Dollar,,PL",  # designation entry
        "7330,1895,P,$1,1895 Morgan Dollar Proof,,",  # proof from the name
        "9999,1878,P,$1,,,",  # ambiguous: 1878 exists only as tail-feather varieties
        "8888,1895,CC,$1,,,",  # impossible mint
        "abc,1881,O,$1,,,",  # not a number
        "7169,1882,S,$1,,,",  # number already attached to 1881-S
    ]) + "\n")
    result = cli("import", "pcgs-numbers", str(csv_file), "--json", env=env)
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["rows"] == 7
    assert data["written"] == 3
    assert data["quarantined"] == 4
    assert data["rows"] == data["written"] + data["unchanged"] + data["quarantined"]
    with session_scope(engine) as session:
        numbered = {c.pcgs_number: c for c in session.scalars(select(Coin).where(Coin.pcgs_number.is_not(None)))}
        reasons = [q.reasons[0] for q in session.scalars(select(Quarantine).order_by(Quarantine.id))]
    assert numbered[7169].full_name == "1881-S Morgan Dollar"
    assert numbered[7170].designation == "PL"
    assert numbered[7330].strike == "PR" and numbered[7330].year == 1895
    assert any("catalog coins match" in r for r in reasons)
    assert any("Carson City" in r for r in reasons)
    assert any("not a whole number" in r for r in reasons)
    assert any("already attached" in r for r in reasons)
    again = cli("import", "pcgs-numbers", str(csv_file), "--json", env=env).json()
    assert again["written"] == 0 and again["unchanged"] == 3
    listed = cli("quarantine", "--json", env=env).json()
    assert len(listed) == 8


def test_import_rejects_bad_files_before_writing(cli, db_url, engine, tmp_path):
    env = {"DATABASE_URL": db_url}
    missing = cli("import", "pcgs-numbers", str(tmp_path / "nope.csv"), env=env)
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    bad = _write(tmp_path / "bad.csv", "number,year\n1,1881\n")
    result = cli("import", "pcgs-numbers", str(bad), env=env)
    assert result.exit_code == 2 and "pcgs_number" in result.stderr
    with session_scope(engine) as session:
        assert session.scalars(select(Quarantine)).first() is None


def test_import_prices(cli, db_url, engine, tmp_path):
    env = {"DATABASE_URL": db_url}
    cli("populate", "--series", "morgan-dollars", "--json", env=env)
    numbers = _write(tmp_path / "n.csv", "pcgs_number,year,mint_mark,denomination\n7169,1881,S,$1\n")
    cli("import", "pcgs-numbers", str(numbers), env=env)
    prices = _write(tmp_path / "p.csv", "\n".join([
        "pcgs_number,year,mint_mark,denomination,grade,price,date",
        "7169,,,,MS65,\"$1,250.50\",2026-11-01",
        ",1893,S,$1,64+,99000,2026-11-01",  # by attributes
        "7169,,,,MS65,1300,2026-11-02",  # history: another day
        "7169,,,,MS99,10,2026-11-01",  # not a grade
        "424242,,,,MS65,10,2026-11-01",  # unknown number
        "7169,,,,MS65,-5,2026-11-03",  # negative
    ]) + "\n")
    result = cli("import", "prices", str(prices), "--source", "greysheet", "--json", env=env)
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert (data["written"], data["quarantined"]) == (3, 3), data["problems"]
    with session_scope(engine) as session:
        rows = session.scalars(select(PriceObservation).order_by(PriceObservation.observed_on)).all()
        assert {str(r.price) for r in rows} == {"1250.50", "99000.00", "1300.00"}
        assert all(r.source == "greysheet" for r in rows)
        plus = [r for r in rows if r.plus]
        assert len(plus) == 1 and plus[0].grade == 64


def test_quarantined_rows_can_be_rerun_once_fixed(cli, db_url, engine, tmp_path):
    env = {"DATABASE_URL": db_url}
    numbers = _write(tmp_path / "n.csv", "pcgs_number,year,mint_mark,denomination\n7169,1881,S,$1\n")
    first = cli("import", "pcgs-numbers", str(numbers), "--json", env=env).json()
    assert first["quarantined"] == 1  # the catalog is not loaded yet: no coin to attach to
    cli("populate", "--series", "morgan-dollars", env=env)
    rerun = cli("quarantine", "--rerun", "--json", env=env).json()
    assert rerun == {"checked": 1, "resolved": 1, "still_invalid": 0}
    assert cli("quarantine", "--json", env=env).json() == []
    with session_scope(engine) as session:
        assert session.scalar(select(Coin.full_name).where(Coin.pcgs_number == 7169)) == "1881-S Morgan Dollar"
