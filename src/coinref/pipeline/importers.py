"""CSV imports: PCGS numbers onto catalog coins, and price observations from a named source.

The file is read and checked for its columns before anything is written; then every row is
validated and written in one transaction (a crash leaves nothing half-imported). Rows that fail
are quarantined with their line number and reasons; blank rows, and rows of a PCGS-number file
whose ``pcgs_number`` is blank (an exported catalog edited in place), are skipped and counted, so
rows in = written + unchanged + quarantined + skipped. A malformed file (a row with more values
than the header has columns, a field over the csv module's 128 KiB limit) is InvalidInput naming
the line, before anything is written.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select

from coinref.catalog.grades import parse_grade
from coinref.context import AppContext
from coinref.errors import CoinrefError, InvalidInput
from coinref.pipeline.matching import MatchProblem, match_coin
from coinref.pipeline.records import CoinRecord, PriceRecord
from coinref.pipeline.validation import CoinValidator
from coinref.pipeline.writer import RecordWriter, Rejected
from coinref.store.coins import entry_for_grade, series_ids
from coinref.store.db import session_scope
from coinref.store.models import Coin, Quarantine, Run
from coinref.store.prices import price_problem
from coinref.store.repo import ensure_ready
from coinref.timeutil import utcnow

_EXTRA = "\x00extra"  # DictReader's key for values beyond the header (no header can be named so)
COIN_COLUMNS = ("year", "mint_mark", "denomination", "name", "series", "strike", "variety", "designation")


def read_csv(path: Path, required: list[set[str]]) -> list[dict[str, str]]:
    """Rows of a CSV file; InvalidInput when it cannot be read or lacks a required column."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read it as UTF-8 text ({exc})") from None
    reader = csv.DictReader(text.splitlines(), restkey=_EXTRA)
    try:
        columns = {c.strip().lower() for c in reader.fieldnames or []}
        for alternatives in required:
            if not columns & alternatives:
                raise InvalidInput(f"{path}: missing column {' or '.join(sorted(alternatives))} "
                                   f"(has {sorted(columns)})")
        rows = []
        for row in reader:
            if _EXTRA in row:
                raise InvalidInput(f"{path} line {reader.line_num}: {len(reader.fieldnames) + len(row[_EXTRA])} "
                                   f"values, but the header has {len(reader.fieldnames)} columns")
            rows.append({(k or "").strip().lower(): (v or "").strip() for k, v in row.items()})
    except csv.Error as exc:  # raised before line_num counts the line it failed on
        raise InvalidInput(f"{path} line {reader.line_num + 1}: not readable as CSV ({exc})") from None
    return rows


def _int(value: str, field: str) -> int | None:
    if value in ("", None):
        return None
    try:
        return int(value.replace(",", ""))
    except ValueError:
        raise ValueError(f"{field} {value!r} is not a whole number") from None


def coin_record_from_row(row: dict[str, str], source: str) -> CoinRecord:
    mint = (row.get("mint_mark") or "").upper() or None
    return CoinRecord(
        source=source, pcgs_number=_int(row.get("pcgs_number", ""), "pcgs_number"),
        year=_int(row.get("year", ""), "year"), mint_mark=mint,
        denomination=(row.get("denomination") or "").upper() or None,  # 1c and 1C alike
        full_name=row.get("name") or None, series=row.get("series") or None,
        strike=(row.get("strike") or "").upper() or None, variety=row.get("variety") or None,
        designation=(row.get("designation") or "").upper() or None, raw=row,
    )


def _start(session, kind: str, source: str, path: Path) -> int:
    run = Run(kind=kind, source=source, args={"file": str(path)}, status="running")
    session.add(run)
    session.flush()
    return run.id


def _finish(session, run_id: int, result: dict) -> None:
    run = session.get(Run, run_id)
    run.status, run.finished_at, run.counts, run.report = "completed", utcnow(), {
        k: result[k] for k in ("rows", "written", "unchanged", "quarantined", "skipped")}, result


def import_pcgs_numbers(ctx: AppContext, path: Path) -> dict:
    rows = read_csv(path, [{"pcgs_number"}, {"year"}, {"mint_mark"}, {"denomination", "series"}])
    source = "import:pcgs-numbers"
    validator = CoinValidator()

    def parse(session, row: dict[str, str]) -> tuple[CoinRecord, list[str]]:
        record = coin_record_from_row(row, source)
        reasons = validator.validate(record)
        if record.pcgs_number is None:
            reasons.append("missing pcgs_number")
        return record, reasons

    return _import_rows(ctx, path, rows, "import", source, parse, {},
                        skip=lambda row: not row.get("pcgs_number"))


def import_prices(ctx: AppContext, path: Path, source: str) -> dict:
    if not source or not source.replace("-", "").replace("_", "").isalnum():
        raise InvalidInput(f"source name {source!r}: use letters, digits, - or _")
    rows = read_csv(path, [{"grade"}, {"price"}, {"date"}, {"pcgs_number", "year"}])
    validator = CoinValidator()

    def parse(session, row: dict[str, str]) -> tuple[PriceRecord, list[str]]:
        price = _price_record(session, row, source)
        return price, validator.validate_price(price)

    return _import_rows(ctx, path, rows, "import-prices", source, parse, {"source": source})


def _import_rows(ctx: AppContext, path: Path, rows: list[dict[str, str]], kind: str, source: str, parse,
                 extra: dict, skip=None) -> dict:
    """Parse, validate and write every row in one transaction; quarantine the rows that fail.

    Rows with no value at all, and rows ``skip`` says carry nothing to import, are counted as
    skipped.
    """
    ensure_ready(ctx.engine)
    result = {"file": str(path), **extra, "quarantine_source": source, "rows": len(rows), "written": 0,
              "unchanged": 0, "quarantined": 0,
              "skipped": 0, "problems": []}
    with session_scope(ctx.engine) as session:
        run_id = _start(session, kind, source, path)
        writer = RecordWriter(session, series_ids(session))
        for line, row in enumerate(rows, start=2):
            if not any(row.values()) or (skip is not None and skip(row)):
                result["skipped"] += 1
                continue
            record = None
            try:
                record, reasons = parse(session, row)
            except (ValueError, CoinrefError, InvalidOperation, MatchProblem) as exc:
                reasons = [getattr(exc, "reason", None) or getattr(exc, "message", None) or str(exc).splitlines()[0]]
            if not reasons:
                try:
                    with session.begin_nested():
                        write = writer.write_price if isinstance(record, PriceRecord) else writer.write_coin
                        outcome = write(record)
                    result["written" if outcome != "unchanged" else "unchanged"] += 1
                    continue
                except Rejected as exc:
                    reasons = [exc.reason]
            _reject(session, result, run_id, source, row, line, reasons, record)
        _finish(session, run_id, result)
    result["run_id"] = run_id
    return result


def _price_record(session, row: dict[str, str], source: str) -> PriceRecord:
    grade = parse_grade(row.get("grade", ""))
    try:
        price = Decimal(row.get("price", "").replace("$", "").replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"price {row.get('price')!r} is not a number") from None
    if not price.is_finite():
        raise ValueError(price_problem(price))
    try:
        observed = date.fromisoformat(row.get("date", ""))
    except ValueError:
        raise ValueError(f"date {row.get('date')!r} is not YYYY-MM-DD") from None
    number = _int(row.get("pcgs_number", ""), "pcgs_number")
    if number is None:
        coin = match_coin(session, coin_record_from_row(row, source))
    else:
        coin = session.scalar(select(Coin).where(Coin.pcgs_number == number))
    coin_id = None
    if coin is not None:  # the grade's prefix and designation must go with the coin (or name its entry)
        coin_id = entry_for_grade(session, coin, grade.prefix, grade.designation).id
        number = None if coin_id != coin.id else number
    return PriceRecord(source=source, coin_id=coin_id, pcgs_number=number, grade=grade.number, plus=grade.plus,
                       price=price, observed_on=observed, raw=row)


def _reject(session, result: dict, run_id: int, source: str, row: dict, line: int, reasons: list[str],
            record: CoinRecord | PriceRecord | None = None) -> None:
    """Quarantine a row: as its parsed record when it parsed (so it can be re-run), else as read."""
    raw = {**row, "line": line}
    stored = record.model_copy(update={"raw": raw}).model_dump(mode="json") if record is not None else raw
    session.add(Quarantine(run_id=run_id, source=source, record=stored, reasons=reasons))
    result["quarantined"] += 1
    result["problems"].append({"line": line, "reasons": reasons})
