"""Holdings: the coins a user owns, imported from CSV or added one by one, listed and exported.

A holding is a coin at a grade, a quantity, and optionally the total cost, the purchase day, the
cert and a note. Each row names its coin in one of three ways, tried in this order:

1. ``pcgs_number``: the coin holding that number;
2. ``cert``: a cert coinref already knows (``coinref cert N`` stores it; the import itself never
   spends API quota), which also gives the grade when the row has none;
3. ``coin``: text resolved to exactly one coin: a case-insensitive match of the full name or the
   PCGS-style short name, else the collector search (:func:`coinref.search.search_coins`), which
   must find exactly one coin. Several matches are ambiguous, never guessed.

A row that resolves to no coin or to several, or whose grade, quantity, cost or date cannot be
read, is quarantined (source ``holdings``) with its line, the reasons and the candidates; the
rest are written in the same transaction, so rows = imported + quarantined. A cert is held once:
importing it again updates that holding. Every held coin joins the watchlist (note ``held``),
so the price refresh keeps it fresh. :func:`export_holdings` writes the same columns the import
reads, so a file exported and imported again gives the same holdings.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from coinref.catalog.grades import grade_label, parse_grade
from coinref.errors import InvalidInput, NotFound
from coinref.pipeline.importers import read_csv
from coinref.store.db import session_scope
from coinref.store.models import Cert, Coin, Holding, Quarantine, Run, Watch
from coinref.store.repo import ensure_ready
from coinref.timeutil import utcnow

SOURCE = "holdings"
COLUMNS = ("pcgs_number", "cert", "coin", "grade", "quantity", "cost", "purchase_date", "note")
MAX_CANDIDATES = 8
MAX_QUANTITY = 1_000_000
CENT = Decimal("0.01")


class RowProblem(Exception):
    def __init__(self, reason: str, candidates: list[dict] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.candidates = candidates or []


def _candidate(coin: Coin) -> dict[str, object]:
    return {"coin_id": coin.id, "pcgs_number": coin.pcgs_number, "name": coin.full_name}


def coins_for_text(engine: Engine, session: Session, text: str) -> list[Coin]:
    """Coins the text names: exact full or short names, else the collector search's hits."""
    lowered = text.strip().lower()
    exact = session.scalars(
        select(Coin).where((func.lower(Coin.full_name) == lowered) | (func.lower(Coin.short_name) == lowered))
        .order_by(Coin.id).limit(MAX_CANDIDATES + 1)
    ).all()
    if exact:
        return list(exact)
    from coinref.search import search_coins

    found = search_coins(engine, text, limit=MAX_CANDIDATES + 1, record=False)
    ids = [int(row["id"]) for row in found.results]
    by_id = {c.id: c for c in session.scalars(select(Coin).where(Coin.id.in_(ids)))} if ids else {}
    return [by_id[i] for i in ids if i in by_id]


def _quantity(text: str) -> int:
    if not text:
        return 1
    try:
        value = int(text.replace(",", ""))
    except ValueError:
        raise RowProblem(f"quantity {text!r} is not a whole number") from None
    if not 1 <= value <= MAX_QUANTITY:
        raise RowProblem(f"quantity {value} must be between 1 and {MAX_QUANTITY:,}")
    return value


def _cost(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text.lstrip("$").replace(",", ""))
    except InvalidOperation:
        raise RowProblem(f"cost {text!r} is not an amount") from None
    if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
        raise RowProblem(f"cost {text!r} must be a non-negative amount of US dollars")
    return value.quantize(CENT)


def _day(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RowProblem(f"purchase_date {text!r} is not a date (expected YYYY-MM-DD)") from None


def _cert_text(text: str) -> str | None:
    if not text:
        return None
    cert = text.rsplit("/", 1)[-1].strip()  # a slab id "7130.67/12345678" holds the cert after the slash
    if not cert.isdigit() or len(cert) > 12:
        raise RowProblem(f"cert {text!r} is not a cert number")
    return cert


def resolve_row(engine: Engine, session: Session, row: dict[str, str]) -> dict[str, object]:
    """The holding a row describes (coin id, grade, plus, quantity, cost, day, cert, note), or RowProblem."""
    cert_no = _cert_text(row.get("cert", ""))
    cert = session.scalars(select(Cert).where(Cert.cert_number == cert_no)).first() if cert_no else None
    number_text = row.get("pcgs_number", "").lstrip("#").strip()
    text = row.get("coin", "").strip()
    coin: Coin | None = None
    if number_text:
        if not number_text.isdigit():
            raise RowProblem(f"pcgs_number {number_text!r} is not a PCGS number")
        coin = session.scalars(select(Coin).where(Coin.pcgs_number == int(number_text))).first()
        if coin is None:
            raise RowProblem(f"no coin has PCGS number {number_text}")
    elif cert_no:
        if cert is None or cert.coin_id is None:
            raise RowProblem(f"cert {cert_no} is not known yet: look it up with `coinref cert {cert_no}` first")
        coin = session.get(Coin, cert.coin_id)
    elif text:
        matches = coins_for_text(engine, session, text)
        if not matches:
            raise RowProblem(f"no coin matches {text!r}")
        if len(matches) > 1:
            raise RowProblem(f"{text!r} matches {len(matches)}{'+' if len(matches) > MAX_CANDIDATES else ''} coins",
                             [_candidate(c) for c in matches[:MAX_CANDIDATES]])
        coin = matches[0]
    else:
        raise RowProblem("the row names no coin: give pcgs_number, cert or coin")
    if cert is not None and cert.coin_id is not None and cert.coin_id != coin.id:
        raise RowProblem(f"cert {cert_no} is a different coin than {coin.full_name}")
    grade_text = row.get("grade", "")
    if grade_text:
        try:
            parsed = parse_grade(grade_text)
        except InvalidInput as exc:
            raise RowProblem(exc.message) from None
        grade, plus = parsed.number, parsed.plus
    elif cert is not None and cert.grade is not None:
        grade, plus = cert.grade, cert.plus
    else:
        raise RowProblem("no grade (give one, or a cert coinref knows)")
    return {"coin_id": coin.id, "grade": grade, "plus": plus, "quantity": _quantity(row.get("quantity", "")),
            "cost": _cost(row.get("cost", "")), "purchased_on": _day(row.get("purchase_date", "")),
            "cert_number": cert_no, "note": row.get("note", "")[:200]}


def write_holding(session: Session, values: dict[str, object]) -> tuple[Holding, bool]:
    """Add a holding (a cert already held is updated instead); the coin joins the watchlist."""
    holding = None
    if values.get("cert_number"):
        holding = session.scalars(select(Holding).where(Holding.cert_number == values["cert_number"])).first()
    created = holding is None
    if created:
        holding = Holding(created_at=utcnow(), **values)
        session.add(holding)
    else:
        for key, value in values.items():
            setattr(holding, key, value)
    if session.scalar(select(Watch.id).where(Watch.coin_id == values["coin_id"])) is None:
        session.add(Watch(coin_id=values["coin_id"], note="held", created_at=utcnow()))
    session.flush()
    return holding, created


def import_holdings(engine: Engine, path: Path) -> dict[str, object]:
    """Import a holdings CSV (see the module docstring); rows = imported + quarantined."""
    ensure_ready(engine)
    rows = read_csv(path, [{"pcgs_number", "cert", "coin"}])
    imported = updated = 0
    problems: list[dict] = []
    with session_scope(engine) as session:
        run = Run(kind="import", source=SOURCE, args={"file": str(path)}, status="running")
        session.add(run)
        session.flush()
        for line, row in enumerate(rows, start=2):
            try:
                with session.begin_nested():
                    _, created = write_holding(session, resolve_row(engine, session, row))
            except RowProblem as exc:
                record = {"line": line, **row, "candidates": exc.candidates}
                session.add(Quarantine(run_id=run.id, source=SOURCE, record=record, reasons=[exc.reason]))
                problems.append({"line": line, "reason": exc.reason, "candidates": exc.candidates})
                continue
            imported += 1
            updated += 0 if created else 1
        result = {"file": str(path), "rows": len(rows), "imported": imported, "updated": updated,
                  "quarantined": len(problems), "problems": problems, "run_id": run.id}
        run.status, run.finished_at = "completed", utcnow()
        run.counts = {k: result[k] for k in ("rows", "imported", "updated", "quarantined")}
    return result


def add_holding(engine: Engine, coin: str, grade: str | None, *, quantity: int = 1, cost: str | None = None,
                purchased_on: str | None = None, cert: str | None = None, note: str = "") -> dict[str, object]:
    """Add one holding; ``coin`` is a PCGS number or coin text (as in the CSV's columns)."""
    ensure_ready(engine)
    text = (coin or "").strip()
    row = {"pcgs_number": text if text.lstrip("#").isdigit() else "", "coin": "" if text.lstrip("#").isdigit()
           else text, "cert": cert or "", "grade": grade or "", "quantity": str(quantity), "cost": cost or "",
           "purchase_date": purchased_on or "", "note": note}
    with session_scope(engine) as session:
        try:
            holding, created = write_holding(session, resolve_row(engine, session, row))
        except RowProblem as exc:
            listed = "; ".join(f"{c['name']} (PCGS #{c['pcgs_number'] or '-'})" for c in exc.candidates)
            if exc.reason.startswith(("no coin", "cert")) and not exc.candidates:
                raise NotFound(exc.reason) from None
            raise InvalidInput(exc.reason + (f": {listed}" if listed else "")) from None
        return {"holding": _view(holding, session.get(Coin, holding.coin_id)), "created": created}


def remove_holding(engine: Engine, holding_id: int) -> dict[str, object]:
    ensure_ready(engine)
    with session_scope(engine) as session:
        removed = session.execute(delete(Holding).where(Holding.id == holding_id)).rowcount
    if not removed:
        raise NotFound(f"no holding with id {holding_id}")
    return {"removed": holding_id}


def point_text(grade: int, plus: bool, strike: str) -> str:
    return f"{grade_label(grade, strike)}{grade}{'+' if plus else ''}"


def _view(holding: Holding, coin: Coin) -> dict[str, object]:
    return {"id": holding.id, "coin_id": coin.id, "pcgs_number": coin.pcgs_number, "coin": coin.full_name,
            "grade": point_text(holding.grade, holding.plus, coin.strike), "grade_number": holding.grade,
            "plus": holding.plus, "quantity": holding.quantity, "cost": holding.cost,
            "purchase_date": holding.purchased_on, "cert": holding.cert_number, "note": holding.note}


def list_holdings(engine: Engine) -> list[dict[str, object]]:
    """Every holding with its coin, in the order they were added."""
    ensure_ready(engine)
    with session_scope(engine) as session:
        rows = session.execute(select(Holding, Coin).join(Coin, Coin.id == Holding.coin_id)
                               .order_by(Holding.id)).all()
        return [_view(holding, coin) for holding, coin in rows]


def export_holdings(engine: Engine) -> str:
    """The holdings as CSV text with the import's columns (the coin column holds the full name)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in list_holdings(engine):
        writer.writerow({
            "pcgs_number": row["pcgs_number"] or "", "cert": row["cert"] or "", "coin": row["coin"],
            "grade": row["grade"], "quantity": row["quantity"], "cost": "" if row["cost"] is None else row["cost"],
            "purchase_date": row["purchase_date"] or "", "note": row["note"],
        })
    return out.getvalue()
