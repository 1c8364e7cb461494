"""Queries shared by the CLI, the pipeline and the HTTP API."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from coinref.catalog.series import TIERS, select_series
from coinref.errors import NotFound
from coinref.store.db import session_scope
from coinref.store.migrate import current_revision
from coinref.store.models import Coin, Series


def ensure_ready(engine: Engine) -> None:
    """Raise NotFound with advice when the database has not been initialised."""
    if current_revision(engine) is None:
        raise NotFound("the database is not initialised; run `coinref init` first")


def series_overview(engine: Engine, priority: str | None = None) -> list[dict[str, object]]:
    """The registry with the number of coins (all entries and base entries) per series."""
    ensure_ready(engine)
    wanted = {s.slug for s in select_series(priority)}
    with session_scope(engine, read_only=True) as session:
        counts = dict(
            session.execute(select(Series.slug, func.count(Coin.id)).outerjoin(Coin).group_by(Series.slug)).all()
        )
        base = dict(
            session.execute(
                select(Series.slug, func.count(Coin.id)).join(Coin).where(Coin.designation == "").group_by(Series.slug)
            ).all()
        )
        rows = session.scalars(select(Series)).all()
    ordered = sorted((s for s in rows if s.slug in wanted), key=lambda s: (TIERS.index(s.tier), s.sort_order))
    return [
        {
            "tier": s.tier,
            "slug": s.slug,
            "name": s.name,
            "denomination": s.denomination,
            "first_year": s.first_year,
            "last_year": s.last_year,
            "est_coins": s.est_coins,
            "coins": counts.get(s.slug, 0),
            "base_coins": base.get(s.slug, 0),
        }
        for s in ordered
    ]
