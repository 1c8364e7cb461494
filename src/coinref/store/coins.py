"""Writing coins: upsert by natural key (catalog records) or by PCGS number (remote records).

``apply_coin_record`` is the one function that decides what a record changes on a coin, and so
whether it counts as created, updated or unchanged. Identity fields a user may have corrected are
never overwritten by a remote source; remote sources fill facts, numbers and missing values.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from coinref.catalog.model import CatalogCoin
from coinref.store.db import session_scope
from coinref.store.models import Coin, Series

CATALOG_FIELDS = ("denomination", "full_name", "short_name", "metal", "weight_g", "fineness", "metal_oz", "mintage",
                  "mintage_unknown", "diameter_mm", "edge", "designer", "composition", "key_date")
EXPORT_FIELDS = ("series", "year", "mint_mark", "strike", "variety", "designation", "denomination", "full_name",
                 "pcgs_number", "ngc_number", "metal", "weight_g", "fineness", "metal_oz", "mintage",
                 "diameter_mm", "edge", "designer", "composition", "key_date")


def series_ids(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Series.slug, Series.id)).all())


def _same(a: object, b: object) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return a is not None and b is not None and Decimal(str(a)) == Decimal(str(b)) or (a is None and b is None)
    return a == b


def find_by_natural_key(session: Session, series_id: int, coin: CatalogCoin) -> Coin | None:
    return session.scalar(
        select(Coin).where(
            Coin.series_id == series_id, Coin.year == coin.year, Coin.mint_mark == coin.mint_mark,
            Coin.strike == coin.strike, Coin.variety == coin.variety, Coin.designation == coin.designation,
        )
    )


def claim_shipped_number(session: Session, row: Coin, number: int) -> bool:
    """Put a number the catalog ships on ``row`` as a claim, unless the coin already has one, PCGS
    rejected it for this coin before, or another coin holds it; True when it was put."""
    if row.pcgs_number is not None or row.pcgs_state == "rejected":
        return False
    if session.scalar(select(Coin.id).where(Coin.pcgs_number == number)) is not None:
        return False
    row.pcgs_number, row.pcgs_provenance, row.pcgs_state = number, "catalog", "claimed"
    row.pcgs_verified_on = row.pcgs_note = None
    return True


def upsert_catalog_coin(session: Session, ids: dict[str, int], coin: CatalogCoin,
                        existing: dict[tuple, Coin] | None = None, source: str = "builtin",
                        pcgs_number: int | None = None) -> str:
    """Insert or update one catalog entry; returns ``created``, ``updated`` or ``unchanged``.

    ``pcgs_number``: the number the catalog ships for the entry (see :func:`claim_shipped_number`).
    """
    series_id = ids[coin.series]
    key = (series_id, coin.year, coin.mint_mark, coin.strike, coin.variety, coin.designation)
    row = existing.get(key) if existing is not None else find_by_natural_key(session, series_id, coin)
    values = {field: getattr(coin, field) for field in CATALOG_FIELDS}
    if row is None:
        row = Coin(series_id=series_id, year=coin.year, mint_mark=coin.mint_mark, strike=coin.strike,
                   variety=coin.variety, designation=coin.designation, source=source, facts={}, **values)
        session.add(row)
        if existing is not None:
            existing[key] = row
        if pcgs_number is not None:
            session.flush()
            claim_shipped_number(session, row, pcgs_number)
        return "created"
    changed = pcgs_number is not None and claim_shipped_number(session, row, pcgs_number)
    for field, value in values.items():
        if not _same(getattr(row, field), value):
            setattr(row, field, value)
            changed = True
    return "updated" if changed else "unchanged"


def existing_coins(session: Session, series_id: int | None = None) -> dict[tuple, Coin]:
    query = select(Coin)
    if series_id is not None:
        query = query.where(Coin.series_id == series_id)
    return {
        (c.series_id, c.year, c.mint_mark, c.strike, c.variety, c.designation): c for c in session.scalars(query)
    }


def upsert_catalog_coins(engine: Engine, coins: Iterable[CatalogCoin], source: str = "builtin") -> dict[str, int]:
    """Insert or update many catalog entries in one transaction; counts per outcome."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with session_scope(engine) as session:
        ids = series_ids(session)
        existing = existing_coins(session)
        for coin in coins:
            counts[upsert_catalog_coin(session, ids, coin, existing, source)] += 1
    return counts


def export_mintage(mintage: int | None, unknown: bool) -> int | str | None:
    """The exported mintage: the figure, ``"unknown"`` when none was ever published, else None."""
    return "unknown" if mintage is None and unknown else mintage


#: where a coin's PCGS number came from and whether PCGS has answered for it (sources/pcgs_numbers.py)
NUMBER_FIELDS = ("pcgs_provenance", "pcgs_state", "pcgs_verified_on", "pcgs_note")
COIN_EXPORT_FIELDS = EXPORT_FIELDS + NUMBER_FIELDS


def coin_export_row(coin: Coin, series_slug: str) -> dict[str, object]:
    row = {field: getattr(coin, field) for field in COIN_EXPORT_FIELDS if field != "series"}
    row["mintage"] = export_mintage(coin.mintage, coin.mintage_unknown)
    return {"id": coin.id, "series": series_slug, **row}


def export_coins(engine: Engine, series: list[str] | None = None) -> list[dict[str, object]]:
    """Every coin with the export fields, in series order then year, mint, strike, variety, designation."""
    from coinref.catalog.series import TIERS

    with session_scope(engine, read_only=True) as session:
        query = select(Coin, Series.slug, Series.tier, Series.sort_order).join(Series)
        if series:
            query = query.where(Series.slug.in_(series))
        rows = session.execute(query).all()
    rows.sort(key=lambda r: (TIERS.index(r[2]), r[3], r[0].year, r[0].mint_mark, r[0].strike, r[0].variety,
                             r[0].designation))
    return [coin_export_row(coin, slug) for coin, slug, _tier, _order in rows]


def entry_for_grade(session: Session, coin: Coin, prefix: str, designation: str) -> Coin:
    """The catalog entry a grade names, starting from ``coin``; InvalidInput when there is none.

    A grade carries a strike prefix (``MS``, ``PR``, ``SP``) and a designation (``PL``, ``DCAM``,
    ``RD``...) besides its number. They must agree with the coin, never be dropped:

    * a strike prefix that is not the coin's strike (``PR70`` on a business strike) is refused:
      the proof is another coin with its own PCGS number;
    * a designation the coin does not carry selects the coin's entry with that designation (same
      series, year, mint, strike and variety) when the catalog has one (``MS65PL`` on the 1881-S
      base coin -> the 1881-S PL entry); otherwise (``MS65RD`` on a silver dollar) it is refused.

    Circulated prefixes (``VF``, ``AU``...) and a grade without prefix or designation go with the
    coin as it is.
    """
    from coinref.catalog.grades import STRIKE_PREFIXES
    from coinref.errors import InvalidInput

    if prefix in STRIKE_PREFIXES and prefix != coin.strike:
        raise InvalidInput(f"grade prefix {prefix} does not go with {coin.full_name} (strike {coin.strike}); "
                           "look up the coin of that strike by its own PCGS number")
    if not designation or designation == coin.designation:
        return coin
    entry = session.scalar(select(Coin).where(
        Coin.series_id == coin.series_id, Coin.year == coin.year, Coin.mint_mark == coin.mint_mark,
        Coin.strike == coin.strike, Coin.variety == coin.variety, Coin.designation == designation))
    if entry is None:
        raise InvalidInput(f"{coin.full_name} has no {designation} entry; the grade's designation does not go "
                           "with this coin")
    return entry
