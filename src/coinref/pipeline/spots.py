"""Setting and importing spot prices (``coinref spot set|import``).

An import reads the whole file (columns ``metal``, ``day`` or ``date``, ``price``, optional
``source``) and checks every row before writing any: a bad row stops the import with its line and
the problem (exit 2) and nothing is written. Rows are upserts per (metal, day, source), so
importing a file twice changes nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from coinref.errors import InvalidInput
from coinref.pipeline.importers import read_csv
from coinref.store.db import session_scope
from coinref.store.repo import ensure_ready
from coinref.store.spot import parse_metal, parse_spot, set_spot
from coinref.timeutil import utcnow


def parse_day(text: str | None, what: str = "day") -> date:
    if not text:
        return utcnow().date()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not a date (expected YYYY-MM-DD)") from None


def set_spot_price(engine: Engine, metal: str, price: str, day: str | None = None,
                   source: str = "manual") -> dict[str, object]:
    ensure_ready(engine)
    values = {"metal": parse_metal(metal), "day": parse_day(day), "price": parse_spot(price),
              "source": (source or "manual").strip() or "manual"}
    with session_scope(engine) as session:
        set_spot(session, **values)
    return values


def import_spot_prices(engine: Engine, path: Path) -> dict[str, object]:
    ensure_ready(engine)
    rows = read_csv(path, [{"metal"}, {"day", "date"}, {"price"}])
    checked = []
    for line, row in enumerate(rows, start=2):
        try:
            checked.append({"metal": parse_metal(row.get("metal", "")),
                            "day": parse_day(row.get("day") or row.get("date") or "-"),
                            "price": parse_spot(row.get("price", "")),
                            "source": (row.get("source") or "import")[:40]})
        except InvalidInput as exc:
            raise InvalidInput(f"{path} line {line}: {exc.message}; nothing was imported") from None
    with session_scope(engine) as session:
        for values in checked:
            set_spot(session, **values)
    return {"file": str(path), "rows": len(rows), "imported": len(checked)}
