"""The reads behind the API and the pages, shared by both so a page shows what the API sends.

* :func:`find_coin` loads a coin by id or PCGS number (NotFound otherwise).
* :func:`latest_observations` gets the newest observation of every (grade, plus) of many coins in
  one query (the newest day per group from the ``ix_prices_coin_grade`` index, joined back to its
  rows); :func:`price_points` merges them with the coin's tracked
  grades (the price refresh's policy) into the ``latest_prices`` list.
* :func:`price_history`, :func:`series_coverage`, :func:`recent_runs`, :func:`health` and
  :func:`quota_status` answer the other endpoints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, Row, and_, bindparam, func, select
from sqlalchemy.orm import Session

from coinref.catalog.grades import ParsedGrade, grade_label
from coinref.errors import NotFound
from coinref.logs import get_logger
from coinref.search import search_coins
from coinref.store import repo
from coinref.store.coins import coin_export_row
from coinref.store.db import session_scope
from coinref.store.migrate import head_revision
from coinref.store.models import Coin, PriceObservation, Quarantine, Run, Series

log = get_logger("api")
Point = tuple[int, bool]


# -- coins ------------------------------------------------------------------------------------


def find_coin(session: Session, *, coin_id: int | None = None, pcgs_number: int | None = None) -> tuple[Coin, Series]:
    query = select(Coin, Series).join(Series)
    if coin_id is not None:
        query = query.where(Coin.id == coin_id)
        what = f"id {coin_id}"
    else:
        query = query.where(Coin.pcgs_number == pcgs_number)
        what = f"PCGS number {pcgs_number}"
    row = session.execute(query).first()
    if row is None:
        raise NotFound(f"no coin with {what}")
    return row[0], row[1]


def coin_summary(coin: Coin, series_slug: str) -> dict[str, Any]:
    return coin_export_row(coin, series_slug)


def point_label(grade: int, plus: bool, strike: str) -> str:
    return f"{grade_label(grade, strike)}{grade:02d}{'+' if plus else ''}"


# -- prices -----------------------------------------------------------------------------------


def _latest_query():
    """Built once (Core columns, an expanding ``:ids`` parameter), so SQLAlchemy compiles it once."""
    obs = PriceObservation.__table__.c
    newest = (select(obs.coin_id, obs.grade, obs.plus, func.max(obs.observed_on).label("day"))
              .where(obs.coin_id.in_(bindparam("ids", expanding=True)))
              .group_by(obs.coin_id, obs.grade, obs.plus).subquery())
    return (select(obs.coin_id, obs.grade, obs.plus, obs.price, obs.observed_on, obs.source, obs.population,
                   obs.fetched_at)
            .join_from(PriceObservation.__table__, newest, and_(
                obs.coin_id == newest.c.coin_id, obs.grade == newest.c.grade, obs.plus == newest.c.plus,
                obs.observed_on == newest.c.day)))


_LATEST = _latest_query()


def latest_observations(conn: Connection | Session, coin_ids: Iterable[int]) -> dict[int, list[Row]]:
    """The newest observation of each (grade, plus) of each coin, keyed by coin id.

    One query: the newest day per (coin, grade, plus), read from the covering index
    ``ix_prices_coin_grade``, joined back to its rows. Several sources on that day: the one fetched
    last wins.
    """
    ids = sorted(set(coin_ids))
    found: dict[int, list[Row]] = {coin_id: [] for coin_id in ids}
    if not ids:
        return found
    best: dict[tuple[int, int, bool], Row] = {}
    for row in conn.execute(_LATEST, {"ids": ids}):
        key = (row.coin_id, row.grade, bool(row.plus))
        if key not in best or row.fetched_at > best[key].fetched_at:
            best[key] = row
    for (coin_id, _grade, _plus), row in sorted(best.items()):
        found[coin_id].append(row)
    return found


def tracked_points(series_slug: str, strike: str, year: int) -> tuple[Point, ...]:
    """The grades the price refresh keeps priced for this coin (empty when the policy is unavailable)."""
    try:
        from coinref.pipeline.refresh.tracked import default_tracked_grades

        return default_tracked_grades().points_for(series_slug, strike, year)
    except Exception:  # the policy belongs to the refresh; without it every observed grade is shown
        log.debug("tracked grades unavailable", exc_info=True)
        return ()


def price_points(series_slug: str, strike: str, year: int, observations: list[Row], *,
                 include_unpriced: bool) -> list[dict[str, Any]]:
    """Tracked grades first (in the policy's order), then other observed grades by grade number."""
    tracked = tracked_points(series_slug, strike, year)
    by_point = {(o.grade, bool(o.plus)): o for o in observations}
    others = sorted(point for point in by_point if point not in tracked)
    points = []
    for point, is_tracked in [(p, True) for p in tracked] + [(p, False) for p in others]:
        obs = by_point.get(point)
        if obs is None and not include_unpriced:
            continue
        points.append({
            "grade": point[0],
            "plus": point[1],
            "label": point_label(point[0], point[1], strike),
            "tracked": is_tracked,
            "price": obs.price if obs else None,
            "observed_on": obs.observed_on if obs else None,
            "source": obs.source if obs else None,
            "population": obs.population if obs else None,
        })
    return points


def price_history(session: Session, coin: Coin, grade: ParsedGrade | None, since: date | None) -> list[dict]:
    query = select(PriceObservation).where(PriceObservation.coin_id == coin.id)
    if grade is not None:
        query = query.where(PriceObservation.grade == grade.number, PriceObservation.plus == grade.plus)
    if since is not None:
        query = query.where(PriceObservation.observed_on >= since)
    query = query.order_by(PriceObservation.grade, PriceObservation.plus, PriceObservation.observed_on,
                           PriceObservation.source)
    return [
        {
            "grade": o.grade,
            "plus": o.plus,
            "label": point_label(o.grade, o.plus, coin.strike),
            "price": o.price,
            "source": o.source,
            "observed_on": o.observed_on,
            "population": o.population,
            "pop_higher": o.pop_higher,
        }
        for o in session.scalars(query)
    ]


# -- series, runs, quota, health ---------------------------------------------------------------


@lru_cache(maxsize=1)
def catalog_counts() -> dict[str, int]:
    """Entries of the built-in catalog per series (computed once per process)."""
    from coinref.catalog.builtin import load_catalog

    return dict(Counter(coin.series for coin in load_catalog()))


def series_coverage(engine: Engine) -> list[dict[str, Any]]:
    """The series overview plus, per series, catalog entries, coins with a PCGS number and with a price."""
    rows = repo.series_overview(engine)
    with session_scope(engine) as session:
        numbered = dict(session.execute(
            select(Series.slug, func.count(Coin.id)).join(Coin).where(Coin.pcgs_number.is_not(None))
            .group_by(Series.slug)).all())
        priced_coins = select(PriceObservation.coin_id).distinct().subquery()
        priced = dict(session.execute(
            select(Series.slug, func.count(Coin.id)).join(Coin).join(priced_coins, priced_coins.c.coin_id == Coin.id)
            .group_by(Series.slug)).all())
    catalog = catalog_counts()
    return [{**row, "catalog_coins": catalog.get(row["slug"], 0), "with_pcgs_number": numbered.get(row["slug"], 0),
             "with_prices": priced.get(row["slug"], 0)} for row in rows]


def tier_coverage(series_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Series coverage summed per tier (P0 first)."""
    tiers: dict[str, dict[str, Any]] = {}
    for row in series_rows:
        tier = tiers.setdefault(row["tier"], {"tier": row["tier"], "series": 0, "est_coins": 0, "catalog_coins": 0,
                                              "coins": 0, "with_pcgs_number": 0, "with_prices": 0})
        tier["series"] += 1
        for key in ("est_coins", "catalog_coins", "coins", "with_pcgs_number", "with_prices"):
            tier[key] += row[key]
    return list(tiers.values())


def recent_runs(engine: Engine, *, limit: int, kind: str | None, with_reports: bool) -> list[dict[str, Any]]:
    query = select(Run).order_by(Run.started_at.desc(), Run.id.desc()).limit(limit)
    if kind:
        query = query.where(Run.kind == kind)
    with session_scope(engine) as session:
        runs = session.scalars(query).all()
    return [
        {
            "id": run.id,
            "kind": run.kind,
            "source": run.source,
            "status": run.status,
            "args": run.args or {},
            "counts": run.counts or {},
            "report": (run.report or {}) if with_reports else None,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
        }
        for run in runs
    ]


def open_quarantine(engine: Engine, *, latest: int = 10) -> dict[str, Any]:
    """Open quarantined records: the count per source and the newest few with their reasons."""
    with session_scope(engine) as session:
        per_source = dict(session.execute(
            select(Quarantine.source, func.count(Quarantine.id)).where(Quarantine.status == "open")
            .group_by(Quarantine.source)).all())
        rows = session.scalars(select(Quarantine).where(Quarantine.status == "open")
                               .order_by(Quarantine.id.desc()).limit(latest)).all()
        newest = [
            {"id": row.id, "source": row.source, "run_id": row.run_id,
             "label": row.record.get("full_name") or " ".join(
                 str(row.record.get(k)) for k in ("year", "mint_mark", "series", "pcgs_number") if row.record.get(k)),
             "reasons": [str(r) for r in (row.reasons or [])]}
            for row in rows
        ]
    return {"total": sum(per_source.values()), "per_source": per_source, "newest": newest}


def quota_status(engine: Engine, settings) -> dict[str, Any]:
    from coinref.remote.quota import QuotaLedger

    return QuotaLedger.for_pcgs(engine, settings).status()


def health(engine: Engine, settings) -> dict[str, Any]:
    """Database reachability, migration state and quota; ``status`` says which of ok/degraded/unavailable."""
    from alembic.runtime.migration import MigrationContext

    head = head_revision()
    database: dict[str, Any] = {"reachable": False, "backend": engine.dialect.name, "revision": None,
                                "head": head, "at_head": False}
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
            database["revision"] = MigrationContext.configure(conn).get_current_revision()
        database["reachable"] = True
    except Exception as exc:  # reported, not raised: this endpoint exists to say the database is down
        log.warning("health: database not reachable (%s)", type(exc).__name__)
    database["at_head"] = database["revision"] == head
    quota = None
    if database["at_head"]:
        try:
            quota = quota_status(engine, settings)
        except Exception as exc:
            log.warning("health: quota unavailable (%s)", type(exc).__name__)
    status = "unavailable" if not database["reachable"] else ("ok" if database["at_head"] else "degraded")
    return {"status": status, "database": database, "quota": quota}


def coin_detail(session: Session, coin: Coin, series: Series, spots: dict | None) -> dict[str, Any]:
    """Facts, latest price per tracked grade and (when ``spots`` is given) the melt value of a coin."""
    from coinref.api.melt import melt_value, precious_metal

    observations = latest_observations(session, [coin.id]).get(coin.id, [])
    detail = {
        **coin_summary(coin, series.slug),
        "series_name": series.name,
        "short_name": coin.short_name or "",
        "precious_metal": precious_metal(coin.metal),
        "facts": coin.facts or {},
        "lookup_count": coin.lookup_count or 0,
        "pcgs_provenance": coin.pcgs_provenance,
        "pcgs_state": coin.pcgs_state,
        "pcgs_verified_on": coin.pcgs_verified_on,
        "pcgs_note": coin.pcgs_note,
        "latest_prices": price_points(series.slug, coin.strike, coin.year, observations, include_unpriced=True),
    }
    if spots is not None:
        detail["melt"] = melt_value(coin.metal, coin.metal_oz, spots)
    return detail


# -- search -----------------------------------------------------------------------------------


def _jsonable_intent(intent: object) -> dict[str, Any]:
    """The search's reading of the query as a plain JSON object, whatever type the search returns."""
    import dataclasses

    from fastapi.encoders import jsonable_encoder

    if hasattr(intent, "as_dict"):
        intent = intent.as_dict()
    elif hasattr(intent, "model_dump"):
        intent = intent.model_dump()
    elif dataclasses.is_dataclass(intent) and not isinstance(intent, type):
        intent = dataclasses.asdict(intent)
    value = jsonable_encoder(intent, custom_encoder={set: sorted, frozenset: sorted})
    return value if isinstance(value, dict) else {"reading": value}


def search_with_prices(engine: Engine, query: str, *, limit: int, series: str | None,
                       year: int | None) -> dict[str, Any]:
    """:func:`coinref.search.search_coins` (the CLI's search), each hit with its latest prices."""
    found = search_coins(engine, query, limit=limit, series=series, year=year, record=False)
    hits = list(found.results)
    latest: dict[int, list[Row]] = {}
    if hits:
        with engine.connect() as conn:
            latest = latest_observations(conn, [hit["id"] for hit in hits])
    results = []
    for hit in hits:
        prices = price_points(hit["series"], hit["strike"], hit["year"], latest.get(hit["id"], []),
                              include_unpriced=False)
        results.append({**{k: hit.get(k) for k in SUMMARY_FIELDS}, "score": float(hit.get("score") or 0.0),
                        "latest_prices": prices})
    return {"query": found.query, "intent": _jsonable_intent(found.intent), "count": len(results),
            "results": results}


SUMMARY_FIELDS = ("id", "series", "year", "mint_mark", "strike", "variety", "designation", "denomination",
                  "full_name", "pcgs_number", "ngc_number", "metal", "weight_g", "fineness", "metal_oz", "mintage")
