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

import re
from collections import Counter
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, Row, and_, bindparam, case, func, select
from sqlalchemy.orm import Session

from coinref.api.errors import NOT_READY, DatabaseUnavailable
from coinref.api.paging import PageRequest, page_fields
from coinref.catalog.grades import ParsedGrade, grade_label
from coinref.errors import NotFound
from coinref.logs import get_logger
from coinref.pipeline.refresh.estimates import spot_estimate
from coinref.pipeline.refresh.spot_source import SpotSeries
from coinref.search import search_coins
from coinref.store import repo
from coinref.store.coins import coin_export_row
from coinref.store.db import session_scope
from coinref.store.migrate import current_revision, head_revision
from coinref.store.models import Coin, PriceObservation, Quarantine, Run, Series
from coinref.store.runs import mark_interrupted_runs
from coinref.timeutil import as_utc, utcnow

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


def price_history(session: Session, coin: Coin, grade: ParsedGrade | None, since: date | None, *,
                  offset: int = 0, limit: int | None = None) -> tuple[int, list[dict]]:
    """The total number of observations matching, and the page ``offset:offset+limit`` of them."""
    query = select(PriceObservation).where(PriceObservation.coin_id == coin.id)
    if grade is not None:
        query = query.where(PriceObservation.grade == grade.number, PriceObservation.plus == grade.plus)
    if since is not None:
        query = query.where(PriceObservation.observed_on >= since)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    # (grade, plus, day, source) is unique per coin, so the order is total and pages never overlap
    query = query.order_by(PriceObservation.grade, PriceObservation.plus, PriceObservation.observed_on,
                           PriceObservation.source).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return total, [
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


def find_series(session: Session, slug: str) -> Series:
    found = session.scalar(select(Series).where(Series.slug == slug))
    if found is None:
        raise NotFound(f"no series {slug!r}; GET /api/series lists them")
    return found


def series_coins(engine: Engine, slug: str, *, offset: int, limit: int) -> tuple[dict[str, Any], int, list[dict]]:
    """A series, its number of coins and the page ``offset:offset+limit`` of them with latest prices.

    Order: year, mint (Philadelphia first, then by letter), strike, variety, designation, id.
    """
    with session_scope(engine, read_only=True) as session:
        series = find_series(session, slug)
        ref = {"tier": series.tier, "slug": series.slug, "name": series.name, "denomination": series.denomination,
               "first_year": series.first_year, "last_year": series.last_year}
        total = session.scalar(select(func.count(Coin.id)).where(Coin.series_id == series.id)) or 0
        coins = session.scalars(
            select(Coin).where(Coin.series_id == series.id)
            .order_by(Coin.year, case((Coin.mint_mark == "P", 0), else_=1), Coin.mint_mark, Coin.strike,
                      Coin.variety, Coin.designation, Coin.id)
            .offset(offset).limit(limit)).all()
        latest = latest_observations(session, [coin.id for coin in coins])
        results = [
            {**coin_summary(coin, slug),
             "latest_prices": price_points(slug, coin.strike, coin.year, latest.get(coin.id, []),
                                           include_unpriced=False)}
            for coin in coins
        ]
    return ref, total, results


def sale_history(session: Session, coin: Coin, grade: ParsedGrade | None, since: date | None) -> list[dict]:
    """The coin's auction sales, by grade then oldest first, each with its grade label."""
    from coinref.store.sales import sale_dict, sales_for_coin

    sales = sales_for_coin(session, coin.id, grade=grade.number if grade else None,
                           plus=grade.plus if grade else None, since=since)
    return [sale_dict(s) | {"label": point_label(s.grade, s.plus, coin.strike)} for s in sales]


def population_table(session: Session, coin: Coin, days: int = 30) -> list[dict]:
    """The coin's latest population per grade with its change over ``days`` (``store/population.py``)."""
    from coinref.store.population import population_by_grade

    return [row | {"label": point_label(row["grade"], row["plus"], coin.strike)}
            for row in population_by_grade(session, coin.id, days=days)]


# -- series, runs, quota, health ---------------------------------------------------------------


@lru_cache(maxsize=1)
def catalog_counts() -> dict[str, int]:
    """Entries of the built-in catalog per series (computed once per process)."""
    from coinref.catalog.builtin import load_catalog

    return dict(Counter(coin.series for coin in load_catalog()))


def require_initialised(engine: Engine) -> None:
    """DatabaseUnavailable (503) when the database has no schema yet, before any query fails on it."""
    if current_revision(engine) is None:
        raise DatabaseUnavailable(NOT_READY)


def series_coverage(engine: Engine) -> list[dict[str, Any]]:
    """The series overview plus, per series, catalog entries, coins with a PCGS number and with a price."""
    require_initialised(engine)
    rows = repo.series_overview(engine)
    with session_scope(engine, read_only=True) as session:
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


_ABSOLUTE_PATH = re.compile(r"(?<![\w:/.~-])(?:file://)?(?:[A-Za-z]:|\.{1,2})?(?:[/\\~][^\s/\\'\"<>|]*)+")
PATH_KEYS = frozenset({"file", "files", "log_file", "report_files", "output", "path"})


def _file_name(match: re.Match) -> str:
    return re.split(r"[/\\]", match.group(0).rstrip("/\\"))[-1] or match.group(0)


def without_local_paths(value: Any, *, is_path: bool = False) -> Any:
    """``value`` (a run's args or report) with every local file path cut to its file name.

    Runs record their log and report files and the files they imported by absolute path; the API
    is public, so the directory layout of the server stays out of it. A path is text that starts
    with ``/``, ``./``, ``~``, ``file://`` or a drive letter, not preceded by a word character (so
    URLs, overdates like ``1942/1`` and grades like ``64/65`` are left alone), and any text under a
    key of :data:`PATH_KEYS` (a relative path as typed); either becomes its last part.
    """
    if isinstance(value, str):
        if is_path and "://" not in value:
            return re.split(r"[/\\]", value.rstrip("/\\"))[-1] or value
        return _ABSOLUTE_PATH.sub(_file_name, value)
    if isinstance(value, dict):
        return {key: without_local_paths(item, is_path=is_path or key in PATH_KEYS) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [without_local_paths(item, is_path=is_path) for item in value]
    return value


def recent_runs(engine: Engine, *, limit: int, kind: str | None, with_reports: bool,
                offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """How many runs (of ``kind``) there are, and the page ``offset:offset+limit`` of them, newest first."""
    mark_interrupted_runs(engine)  # a run whose process is gone is shown interrupted, not running
    query = select(Run)
    if kind:
        query = query.where(Run.kind == kind)
    with session_scope(engine, read_only=True) as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        runs = session.scalars(query.order_by(Run.started_at.desc(), Run.id.desc()).offset(offset).limit(limit)).all()
    return total, [
        {
            "id": run.id,
            "kind": run.kind,
            "source": run.source,
            "status": run.status,
            "args": without_local_paths(run.args or {}),
            "counts": run.counts or {},
            "report": without_local_paths(run.report or {}) if with_reports else None,
            "started_at": as_utc(run.started_at),
            "finished_at": as_utc(run.finished_at),
        }
        for run in runs
    ]


def open_quarantine(engine: Engine, *, latest: int = 10) -> dict[str, Any]:
    """Open quarantined records: the count per source and the newest few with their reasons."""
    with session_scope(engine, read_only=True) as session:
        per_source = dict(session.execute(
            select(Quarantine.source, func.count(Quarantine.id)).where(Quarantine.status == "open")
            .group_by(Quarantine.source)).all())
        rows = session.scalars(select(Quarantine).where(Quarantine.status == "open")
                               .order_by(Quarantine.id.desc()).limit(latest)).all()
        newest = [
            {"id": row.id, "source": row.source, "run_id": row.run_id,
             "label": row.record.get("full_name") or " ".join(
                 str(row.record.get(k)) for k in ("year", "mint_mark", "series", "pcgs_number") if row.record.get(k)),
             "reasons": [without_local_paths(str(r)) for r in (row.reasons or [])]}
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


def coin_detail(session: Session, coin: Coin, series: Series, spots: dict | None,
                spot_series: SpotSeries | None = None, today: date | None = None) -> dict[str, Any]:
    """Facts, latest price per tracked grade and the melt value of a coin.

    One rule for ``melt``: always present, None unless the coin has precious-metal content and
    ``spots`` holds the spot price of that metal (see :func:`coinref.api.melt.melt_value`).
    With ``spot_series`` (the stored spot observations), a price that is mostly metal also carries
    today's estimate from spot and its basis (:mod:`coinref.pipeline.refresh.estimates`); the
    observation itself is left as it is.
    """
    from coinref.api.melt import melt_value, precious_metal

    observations = latest_observations(session, [coin.id]).get(coin.id, [])
    points = price_points(series.slug, coin.strike, coin.year, observations, include_unpriced=True)
    if spot_series:
        day = today or utcnow().date()
        metal = precious_metal(coin.metal)
        for point in points:
            found = spot_estimate(point["price"], point["observed_on"], metal, coin.metal_oz, spot_series, day)
            point["estimate"] = found.as_dict() if found else None
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
        "latest_prices": points,
    }
    detail["melt"] = melt_value(coin.metal, coin.metal_oz, spots or {})
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
                       year: int | None, offset: int = 0) -> dict[str, Any]:
    """:func:`coinref.search.search_coins` (the CLI's search), each hit with its latest prices.

    The answer has the paging fields of :func:`coinref.api.paging.page_fields`.
    """
    found = search_coins(engine, query, limit=limit, series=series, year=year, record=False, offset=offset)
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
    paging = page_fields(PageRequest(offset=offset, limit=limit), found.total, len(results))
    return {"query": found.query, "intent": _jsonable_intent(found.intent), **paging, "results": results}


SUMMARY_FIELDS = ("id", "series", "year", "mint_mark", "strike", "variety", "designation", "denomination",
                  "full_name", "pcgs_number", "ngc_number", "metal", "weight_g", "fineness", "metal_oz", "mintage",
                  "diameter_mm", "edge", "designer", "composition", "key_date")


WARM_QUERY = "1881-S morgn dollar"  # a mint mark, a series word and a typo: every part of the parser


def warm_up(engine: Engine) -> None:
    """Load what the first search would otherwise load while a user waits.

    The search vocabulary builds its catalog words and typo index from the built-in catalog on
    first use (about a second), the price policy reads its table, and the catalog counts of the
    series pages expand every fact file. :func:`coinref.api.app.create_app` runs this in a thread
    at startup when asked to (``coinref serve`` does). A database that cannot answer yet only
    skips the last step.
    """
    from coinref.search import parse_query

    parse_query(WARM_QUERY)
    catalog_counts()
    tracked_points("morgan-dollars", "MS", 1881)
    try:
        search_with_prices(engine, WARM_QUERY, limit=1, series=None, year=None)
    except Exception as exc:  # noqa: BLE001 - warming is a courtesy; requests report their own errors
        log.info("warm-up search skipped (%s)", type(exc).__name__)

