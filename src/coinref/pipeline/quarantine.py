"""Reading the quarantine, re-running its records once the cause is fixed, discarding the rest.

A record's status is ``open`` until a re-run writes it (``resolved``) or the user discards it
(``discarded``); closed records stay in the table, with the time they were closed, for audit.
"""

from __future__ import annotations

from sqlalchemy import Engine, select

from coinref.pipeline.records import CoinRecord, PriceRecord
from coinref.pipeline.validation import CoinValidator
from coinref.pipeline.writer import RecordWriter, Rejected
from coinref.store.coins import series_ids
from coinref.store.db import session_scope
from coinref.store.models import Quarantine
from coinref.timeutil import utcnow


def _record(row: Quarantine) -> CoinRecord | PriceRecord:
    data = dict(row.record)
    return PriceRecord.model_validate(data) if "grade" in data and "price" in data else CoinRecord.model_validate(data)


def list_quarantine(engine: Engine, source: str | None = None, status: str = "open") -> list[dict]:
    with session_scope(engine, read_only=True) as session:
        query = select(Quarantine).where(Quarantine.status == status).order_by(Quarantine.id)
        if source:
            query = query.where(Quarantine.source == source)
        rows = session.scalars(query).all()
        out = []
        for row in rows:
            rec = row.record
            label = rec.get("full_name") or rec.get("coin") or " ".join(
                str(rec.get(k)) for k in ("year", "mint_mark", "series", "denomination", "pcgs_number") if rec.get(k)
            )
            out.append({"id": row.id, "run_id": row.run_id, "source": row.source, "label": label or "?",
                        "record": rec, "reasons": row.reasons, "created_at": row.created_at})
        return out


def rerun_quarantine(engine: Engine, source: str | None = None) -> dict[str, int]:
    """Validate and write open records again; those that now pass are resolved."""
    validator = CoinValidator()
    checked = resolved = 0
    with session_scope(engine) as session:
        query = select(Quarantine).where(Quarantine.status == "open")
        if source:
            query = query.where(Quarantine.source == source)
        writer = RecordWriter(session, series_ids(session))
        for row in session.scalars(query).all():
            checked += 1
            try:
                record = _record(row)
            except ValueError:
                continue
            is_price = isinstance(record, PriceRecord)
            reasons = validator.validate_price(record) if is_price else validator.validate(record)
            if reasons:
                row.reasons = reasons
                continue
            try:
                with session.begin_nested():
                    writer.write_price(record) if is_price else writer.write_coin(record)
            except Rejected as exc:
                row.reasons = [exc.reason]
                continue
            row.status, row.resolved_at = "resolved", utcnow()
            resolved += 1
    return {"checked": checked, "resolved": resolved, "still_invalid": checked - resolved}


def discard_quarantine(engine: Engine, *, source: str | None = None, ids: list[int] | None = None) -> int:
    """Close open records (all, one source's, or the given ids) without writing them; their number."""
    with session_scope(engine) as session:
        query = select(Quarantine).where(Quarantine.status == "open")
        if source:
            query = query.where(Quarantine.source == source)
        if ids:
            query = query.where(Quarantine.id.in_(ids))
        rows = session.scalars(query).all()
        for row in rows:
            row.status, row.resolved_at = "discarded", utcnow()
        return len(rows)
