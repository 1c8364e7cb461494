"""The watchlist: coins a user holds or follows, the strongest demand signal the refresh has.

``coinref watch add|remove|list PCGS_NUMBER_OR_QUERY``. A PCGS number (``2986`` or ``#2986``)
names its coin; any other text is resolved by an exact, case-insensitive match on the coin's full
name or PCGS-style short name, and failing that through the collector search
(:func:`coinref.search.search_coins`). When the search's top hit is a base coin and its
designation entries outrank every other hit (``1909-S VDB`` finds the coin, then its BN, RB and
RD entries, then weaker matches), the base coin is the one meant; any other query that matches several coins is
refused with the candidates (exit 2) rather than guessed; one that matches none is NotFound
(exit 3).
"""

from __future__ import annotations

from sqlalchemy import Engine, delete, func, select

from coinref.catalog.grades import grade_label
from coinref.errors import InvalidInput, NotFound
from coinref.pipeline.refresh.history import parse_pcgs_number
from coinref.pipeline.refresh.points import PRICE_SOURCE
from coinref.store.db import session_scope
from coinref.store.models import Coin, PriceObservation, Watch
from coinref.store.repo import ensure_ready
from coinref.timeutil import utcnow

MAX_CANDIDATES = 8


def _coin_view(coin: Coin) -> dict[str, object]:
    return {"coin_id": coin.id, "pcgs_number": coin.pcgs_number, "name": coin.full_name,
            "short_name": coin.short_name}


def _search_coin_ids(engine: Engine, text: str) -> list[tuple[int, float]]:
    """(coin id, score) the collector search finds for ``text``, best first (not counted as a lookup)."""
    from coinref.search import search_coins

    found = search_coins(engine, text, limit=MAX_CANDIDATES, record=False)
    return [(int(row["id"]), float(row["score"])) for row in found.results]


def _clear_base_coin(hits: list[tuple[Coin, float]]) -> bool:
    """Whether the top hit is a base entry whose designation entries outrank every other hit."""
    first, top = hits[0]
    if first.designation:
        return False
    key = (first.series_id, first.year, first.mint_mark, first.strike, first.variety)
    siblings = [s for c, s in hits[1:] if (c.series_id, c.year, c.mint_mark, c.strike, c.variety) == key]
    others = [s for c, s in hits[1:] if (c.series_id, c.year, c.mint_mark, c.strike, c.variety) != key]
    if not others:
        return True
    return bool(siblings) and max(others) < min(siblings) <= top


def resolve_coin(engine: Engine, text: str) -> dict[str, object]:
    """The one coin ``text`` names (a PCGS number or a query); see the module docstring."""
    query = (text or "").strip()
    if not query:
        raise InvalidInput("give a PCGS number or a coin name")
    ensure_ready(engine)
    with session_scope(engine) as session:
        if query.lstrip("#").strip().isdigit():
            number = parse_pcgs_number(query)
            coin = session.scalars(select(Coin).where(Coin.pcgs_number == number)).first()
            if coin is None:
                raise NotFound(f"no coin has PCGS number {number}", pcgs_number=number)
            return _coin_view(coin)
        lowered = query.lower()
        matches = session.scalars(
            select(Coin).where((func.lower(Coin.full_name) == lowered) | (func.lower(Coin.short_name) == lowered))
            .order_by(Coin.id).limit(MAX_CANDIDATES + 1)
        ).all()
        if not matches:
            found = _search_coin_ids(engine, query)
            if found:
                by_id = {c.id: c for c in session.scalars(select(Coin).where(Coin.id.in_([i for i, _ in found])))}
                hits = [(by_id[i], score) for i, score in found if i in by_id]
                matches = [coin for coin, _ in (hits[:1] if hits and _clear_base_coin(hits) else hits)]
        if not matches:
            raise NotFound(f"no coin matches {query!r}; use its PCGS number or its full name as `coinref export "
                           "coins` prints it")
        if len(matches) > 1:
            listed = "; ".join(f"{c.full_name} (PCGS #{c.pcgs_number or '-'})" for c in matches[:MAX_CANDIDATES])
            raise InvalidInput(f"{query!r} matches {len(matches)} coins, name one by its PCGS number: {listed}")
        return _coin_view(matches[0])


def watch_add(engine: Engine, text: str, note: str = "") -> dict[str, object]:
    """Add the coin ``text`` names; adding a watched coin again only updates the note."""
    coin = resolve_coin(engine, text)
    with session_scope(engine) as session:
        row = session.scalars(select(Watch).where(Watch.coin_id == coin["coin_id"])).first()
        added = row is None
        if added:
            session.add(Watch(coin_id=coin["coin_id"], note=note[:200], created_at=utcnow()))
        elif note:
            row.note = note[:200]
    return {"coin": coin, "added": added,
            "warning": None if coin["pcgs_number"] else "this coin has no PCGS number yet: its prices cannot be "
            "refreshed until one is attached"}


def watch_remove(engine: Engine, text: str) -> dict[str, object]:
    coin = resolve_coin(engine, text)
    with session_scope(engine) as session:
        result = session.execute(delete(Watch).where(Watch.coin_id == coin["coin_id"]))
    return {"coin": coin, "removed": bool(result.rowcount)}


def watch_list(engine: Engine) -> list[dict[str, object]]:
    """Watched coins, oldest first, with the day of their latest API price and that day's prices
    (``latest_prices``: grade label and price, best grade first)."""
    ensure_ready(engine)
    with session_scope(engine, read_only=True) as session:
        latest = (
            select(PriceObservation.coin_id, func.max(PriceObservation.observed_on).label("last"))
            .where(PriceObservation.source == PRICE_SOURCE)
            .group_by(PriceObservation.coin_id)
            .subquery()
        )
        rows = session.execute(
            select(Watch, Coin, latest.c.last)
            .join(Coin, Coin.id == Watch.coin_id)
            .outerjoin(latest, latest.c.coin_id == Watch.coin_id)
            .order_by(Watch.created_at, Watch.id)
        ).all()
        out = []
        for watch, coin, last in rows:
            latest = []
            if last is not None:
                latest = [{"grade": o.grade, "plus": o.plus,
                           "grade_label": f"{grade_label(o.grade, coin.strike)}{o.grade}{'+' if o.plus else ''}",
                           "price": o.price}
                          for o in session.scalars(select(PriceObservation).where(
                              PriceObservation.coin_id == coin.id, PriceObservation.source == PRICE_SOURCE,
                              PriceObservation.observed_on == last)
                              .order_by(PriceObservation.grade.desc(), PriceObservation.plus.desc()))]
            out.append({**_coin_view(coin), "note": watch.note, "added_at": watch.created_at, "last_price_day": last,
                        "latest_prices": latest})
    return out
