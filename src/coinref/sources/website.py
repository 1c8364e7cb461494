"""The ``coinfacts`` population source: PCGS numbers, mintages, NGC numbers and prices from PCGS pages.

Work items are pages (queue ``populate:coinfacts``), planned per series in series order:

* ``page:<slug>:series-list``: the CoinFacts series list (PCGS number, description, mintage);
* ``page:<slug>:prices:<range>``: the price guide, one page per grade range (PCGS number,
  description, designation, a price per grade);
* with ``coin_pages=True`` (``coinref scrape --coin-pages``), ``page:coin:<number>`` for each coin
  of the series that has a PCGS number but no NGC number: the CoinFacts coin page (denomination,
  variety, mintage, NGC number, prices by grade).

Where the pages are is data (``[pages]`` in selectors.toml); an item stores the path, so a changed
``PCGS_WEBSITE_URL`` applies on resume. For one page, :meth:`CoinFactsSource.fetch` gets it
through :class:`~coinref.sources.website_fetch.WebsiteFetcher` (a challenge is ``Blocked``: the
runner stops with exit 7 and the item stays pending), reads it through the selector chains
(:mod:`coinref.sources.website_parse`; nothing matched is a ``ParseFailure`` with the URL), and
turns each row into records:

* a coin record (source ``coinfacts``): the PCGS number, and the description parsed into year,
  mint, denomination, variety, designation and strike (:mod:`coinref.sources.descriptions`), in
  the page's series; the pipeline matches it to the catalog like an import and attaches the
  number (fills mintage and NGC number when the catalog has none);
* price observations (source ``pcgs-website``), one per priced grade, observed today.

Prices of a row whose coin cannot be placed (no catalog match, a number conflict) are held back in
that coin record's ``raw`` instead of being sent, so the quarantine gets one entry per coin with
its reason, not one per grade. Each page's selector matches are counted in the item's stats and so
in the run report's ``selector_stats``.

Every pass is a fresh observation (``repeatable_passes``): running the source again after a
completed pass scrapes the pages again for today's prices.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy import select

from coinref.catalog.builtin import load_catalog
from coinref.catalog.series import SeriesInfo, all_series, series_by_slug
from coinref.pipeline.matching import MatchProblem, infer_strike, match_coin
from coinref.pipeline.records import CoinRecord, PriceRecord
from coinref.pipeline.sources import ItemResult, Source
from coinref.pipeline.validation import CoinValidator
from coinref.pipeline.workqueue import WorkSpec
from coinref.sources.descriptions import normalize_denomination, parse_description
from coinref.sources.website_fetch import Challenged, WebsiteFetcher, looks_like_challenge
from coinref.sources.website_parse import Chains, ScrapedPage, ScrapedRow, load_chains, parse_page
from coinref.store.db import session_scope
from coinref.store.models import Coin, Series
from coinref.timeutil import quota_day

SOURCE = "coinfacts"
PRICE_SOURCE = "pcgs-website"
STATS = SOURCE  # prefix of the stats keys
_WORD = re.compile(r"[a-z0-9]+")
_NAME_STOP = {"the", "of", "and", "to", "pcgs", "price", "guide", "coinfacts", "numbers", "simulated", "coins"}


# --- series and variety names -----------------------------------------------------------------


def name_words(text: str) -> set[str]:
    words = set(_WORD.findall((text or "").lower())) - _NAME_STOP
    return words | {w[:-1] for w in words if w.endswith("s") and len(w) > 3}


def series_from_title(title: str | None) -> str | None:
    """The series a page title names ("Morgan Dollars"), when one series fits clearly best."""
    if not title:
        return None
    wanted = name_words(title)
    if not wanted:
        return None
    scored = []
    for info in all_series():
        have = name_words(info.name)
        overlap = len(wanted & have) / len(wanted | have)
        scored.append((overlap, info.slug))
    scored.sort(reverse=True)
    best, slug = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    return slug if best >= 0.5 and best > runner_up else None


def _variety_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w/.']+", " ", text.lower()).split())


@lru_cache(maxsize=128)
def catalog_varieties(slug: str) -> dict[str, str]:
    """The series' catalog varieties by a key that ignores case and punctuation."""
    return {_variety_key(coin.variety): coin.variety for coin in load_catalog([slug])}


def canonical_variety(slug: str | None, text: str | None) -> str:
    """The catalog's spelling of a variety read from a page; words of the series' name are not a
    variety ("Morgan" in "1921 $1 Morgan"). Unknown varieties come back as written."""
    text = " ".join((text or "").split())
    if not text or not slug or slug not in series_by_slug():
        return text
    known = catalog_varieties(slug)
    if _variety_key(text) in known:
        return known[_variety_key(text)]
    series_words = name_words(series_by_slug()[slug].name)
    kept = " ".join(word for word in text.split() if not (name_words(word) and name_words(word) <= series_words))
    return known.get(_variety_key(kept), text)


@lru_cache(maxsize=1)
def _catalog_by_date() -> dict[tuple[int, str, str], list]:
    index: dict[tuple[int, str, str], list] = {}
    for coin in load_catalog():
        index.setdefault((coin.year, coin.mint_mark, coin.denomination), []).append(coin)
    return index


def catalog_series_for(described, variety: str, designation: str, denomination: str | None) -> str | None:
    """The one series whose catalog has this coin, for a page that names no series (a coin page met
    through --url); None when none or several do (the pipeline then decides, or quarantines)."""
    if described.year is None or not denomination:
        return None
    strike = described.strike or infer_strike(described.text)
    slugs = set()
    for coin in _catalog_by_date().get((described.year, described.mint_mark or "P", denomination), []):
        if coin.strike == strike and coin.designation == (designation or "") and (
                canonical_variety(coin.series, variety).lower() == coin.variety.lower()):
            slugs.add(coin.series)
    return slugs.pop() if len(slugs) == 1 else None


# --- rows to records --------------------------------------------------------------------------


def row_records(page: ScrapedPage, row: ScrapedRow, series: str | None, observed_on: date):
    """(coin record, price records) for one scraped row."""
    described = parse_description(row.description, prefix=row.strike)
    written_variety = row.variety if row.variety is not None else described.variety
    designation = row.designation or described.designation
    denomination = normalize_denomination(row.denomination) or described.denomination
    slug = series or series_from_title(page.series_title)
    if slug is None:
        slug = catalog_series_for(described, written_variety, designation, denomination)
    variety = canonical_variety(slug, written_variety)
    coin = CoinRecord(
        source=SOURCE, series=slug, year=described.year, mint_mark=described.mint_mark,
        strike=described.strike, variety=variety or None, designation=designation or None,
        denomination=denomination, full_name=row.description,
        pcgs_number=row.pcgs_number, ngc_number=row.ngc_number, mintage=row.mintage,
        raw={"url": page.url, "kind": page.kind, "layout": page.layout, "cells": row.cells},
    )
    prices = [PriceRecord(source=PRICE_SOURCE, pcgs_number=row.pcgs_number, grade=p.grade, plus=p.plus, price=p.price,
                          observed_on=observed_on, raw={"url": page.url, "label": p.label}) for p in row.prices]
    return coin, prices


def page_records(page: ScrapedPage, series: str | None, observed_on: date):
    coins, prices = [], []
    for row in page.rows:
        coin, row_prices = row_records(page, row, series, observed_on)
        coins.append(coin)
        prices.append(row_prices)
    return coins, prices


def _placeable(session, record: CoinRecord, validator: CoinValidator) -> bool:
    """Whether the writer will find the coin a row's prices belong to (the rules of writer.py)."""
    if session.scalar(select(Coin.id).where(Coin.pcgs_number == record.pcgs_number)) is not None:
        return True
    if validator.validate(record):
        return False
    try:
        coin = match_coin(session, record)
    except MatchProblem:
        return False
    return coin.pcgs_number is None


# --- the source -------------------------------------------------------------------------------


def _is_local(url: str) -> bool:
    return url.startswith("file://") or not url.startswith(("http://", "https://"))


def read_local_page(url: str) -> str:
    """A saved page (``file://`` URL or a path); a saved challenge page is Blocked, as online."""
    path = Path(unquote(urlsplit(url).path)) if url.startswith("file://") else Path(url)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        from coinref.errors import InvalidInput

        raise InvalidInput(f"{url}: cannot read the page ({exc.strerror or exc})") from None
    if looks_like_challenge(200, {}, text):
        raise Challenged(f"{url} is a challenge page, not a PCGS page: the site was refusing scripted clients "
                         "when it was saved", url=url)
    return text


class CoinFactsSource(Source):
    name = SOURCE
    # remote: a dry run forecasts the requests instead of sending them (no PCGS API quota is used)
    remote = True
    repeatable_passes = True

    def __init__(self, ctx, run_id=None, *, fetcher: WebsiteFetcher | None = None, coin_pages: bool = False,
                 chains: Chains | None = None) -> None:
        self.ctx = ctx
        self.run_id = run_id
        self.coin_pages = coin_pages
        self.chains = chains or load_chains()
        self._fetcher = fetcher
        self.validator = CoinValidator()

    @property
    def fetcher(self) -> WebsiteFetcher:
        if self._fetcher is None:
            self._fetcher = WebsiteFetcher(self.ctx.settings, self.ctx.engine, provider="pcgs-website",
                                           site="the PCGS website", run_id=self.run_id)
        return self._fetcher

    # -- where pages are --------------------------------------------------------------------------
    def page_path(self, what: str, info: SeriesInfo | None = None, **values: object) -> str:
        pages = self.chains.pages
        template = pages.get("series", {}).get(info.slug, {}).get(what) if info else None
        template = template or pages[what]
        if info is not None:
            values = {"slug": info.slug, "id": info.sort_order + 1, **values}
        return template.format(**values)

    def series_pages(self, info: SeriesInfo) -> list[tuple[str, str, str]]:
        """(key suffix, kind, path) of a series' planned pages."""
        pages = [("series-list", "series_list", self.page_path("series_list", info))]
        for grade_range in self.chains.pages.get("price_ranges", []):
            pages.append((f"prices:{grade_range}", "price_guide", self.page_path("price_guide", info,
                                                                                 range=grade_range)))
        return pages

    def url_for(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.ctx.settings.pcgs_website_url + path

    # -- Source -----------------------------------------------------------------------------------
    def plan(self, engine, series) -> list[WorkSpec]:
        specs = []
        for index, info in enumerate(series):
            for suffix, kind, path in self.series_pages(info):
                specs.append(WorkSpec(key=f"page:{info.slug}:{suffix}", priority=index, series_slug=info.slug,
                                      payload={"path": path, "kind": kind}))
        if self.coin_pages:
            order = {info.slug: index for index, info in enumerate(series)}
            with session_scope(engine) as session:
                rows = session.execute(
                    select(Coin.pcgs_number, Series.slug).join(Series)
                    .where(Coin.pcgs_number.is_not(None), Coin.ngc_number.is_(None), Series.slug.in_(list(order)))
                    .order_by(Coin.id)
                ).all()
            for number, slug in rows:
                specs.append(WorkSpec(key=f"page:coin:{number}", priority=order[slug], series_slug=slug,
                                      payload={"path": self.page_path("coin", pcgs_number=number), "kind": "coin"}))
        return specs

    def calls_for(self, spec: WorkSpec) -> int:
        return 1

    async def read_page(self, url: str, kind: str | None = None) -> ScrapedPage:
        """Fetch (or read a saved) page and parse it; Blocked or ParseFailure otherwise."""
        text = read_local_page(url) if _is_local(url) else (await self.fetcher.get(url)).body
        return parse_page(text, url, kind, self.chains)

    async def fetch(self, item) -> ItemResult:
        payload = item.payload or {}
        url = self.url_for(payload.get("path") or payload["url"])
        page = await self.read_page(url, payload.get("kind"))
        return self.result_for(page, item.series_slug or None)

    def result_for(self, page: ScrapedPage, series: str | None) -> ItemResult:
        observed_on = quota_day(None, self.ctx.settings.quota_tz)
        coins, price_lists = page_records(page, series, observed_on)
        result = ItemResult(coins=coins, stats=page.stats(STATS))
        result.stats[f"{STATS}:rows"] = len(coins)
        held = 0
        with session_scope(self.ctx.engine) as session:
            for coin, prices in zip(coins, price_lists, strict=True):
                if not prices:
                    continue
                if _placeable(session, coin, self.validator):
                    result.prices.extend(prices)
                else:
                    coin.raw["prices"] = [[p.grade, p.plus, str(p.price)] for p in prices]
                    held += len(prices)
        if held:
            result.stats[f"{STATS}:prices_held_back"] = held
        result.calls = 0 if _is_local(page.url) else 1
        return result

    async def aclose(self) -> None:
        if self._fetcher is not None:
            await self._fetcher.aclose()


# --- operations behind ``coinref scrape`` -----------------------------------------------------


def page_summary(page: ScrapedPage, series: str | None = None) -> dict:
    """What a page holds, for people: kind, layout, selectors matched, rows with prices per grade."""
    return {
        "url": page.url, "kind": page.kind, "layout": page.layout,
        "series": series or series_from_title(page.series_title), "series_title": page.series_title,
        "selectors": dict(sorted(page.matched.items())), "rows_skipped": page.skipped_rows,
        "rows": [{"pcgs_number": row.pcgs_number, "description": row.description, "designation": row.designation,
                  "strike": row.strike, "mintage": row.mintage, "ngc_number": row.ngc_number,
                  "prices": [{"grade": p.grade, "plus": p.plus, "label": p.label, "price": p.price}
                             for p in row.prices]}
                 for row in page.rows],
    }


async def scrape_urls(ctx, urls: list[str], *, dry_run: bool = False) -> dict:
    """Scrape the given pages (URLs, ``file://`` URLs or saved files) and write their records.

    Records go through the population pipeline's validation, matching, writer and quarantine
    (one transaction per page; rolled back with ``dry_run``). A page nothing matched is reported
    with its URL; a challenge stops the remaining URLs (``stopped: blocked``), and so does a host
    that cannot be reached (``stopped: unavailable``).
    """
    from sqlalchemy.orm import Session

    from coinref.errors import Blocked, CircuitOpen, CoinrefError, HostUnavailable
    from coinref.pipeline.populate import PopulateOptions, Populator
    from coinref.store.models import Run, WorkItem
    from coinref.store.repo import ensure_ready
    from coinref.timeutil import utcnow

    ensure_ready(ctx.engine)
    run_id = None
    if not dry_run:
        with session_scope(ctx.engine) as session:
            run = Run(kind="scrape", source=SOURCE, status="running", args={"urls": urls})
            session.add(run)
            session.flush()
            run_id = run.id
    populator = Populator(ctx, PopulateOptions(source=SOURCE, series=[], dry_run=dry_run))
    source = CoinFactsSource(ctx, run_id)
    pages, failures, stopped = [], [], None
    try:
        for url in urls:
            if stopped:
                failures.append({"url": url, "error": f"not fetched: the site was {stopped}"})
                continue
            try:
                page = await source.read_page(url)
            except HostUnavailable as exc:  # unreachable or failing: exit 5 through the failures
                stopped = "unavailable"
                failures.append({"url": url, "error": exc.message, "kind": exc.kind})
                continue
            except (Blocked, CircuitOpen) as exc:
                stopped = "blocked"
                failures.append({"url": url, "error": exc.message, "kind": exc.kind})
                continue
            except CoinrefError as exc:
                failures.append({"url": url, "error": exc.message, "kind": exc.kind})
                continue
            result = source.result_for(page, None)
            named = Counter(coin.series for coin in result.coins if coin.series).most_common(1)
            summary = page_summary(page, named[0][0] if named else None)
            item = WorkItem(id=-1, key=f"url:{url}", series_slug=summary["series"] or "", payload={"url": url},
                            queue="scrape:url", status="leased", attempts=1)
            with Session(ctx.engine) as session:
                populator.apply_result(session, item, result, run_id)
                if dry_run:
                    session.rollback()
                else:
                    session.commit()
            summary["selectors_stats"] = result.stats
            pages.append(summary)
    finally:
        await source.aclose()
    totals = {key: sum(counts[key] for counts in populator.state.per_series.values())
              for key in ("records", "created", "updated", "unchanged", "quarantined", "prices")}
    report = {"run_id": run_id, "dry_run": dry_run, "stopped": stopped, "pages": pages, "failures": failures,
              "totals": totals, "status": "stopped" if stopped else ("failed" if failures else "completed")}
    if run_id is not None:
        with session_scope(ctx.engine) as session:
            run = session.get(Run, run_id)
            run.status, run.finished_at, run.counts = report["status"], utcnow(), totals
            run.report = {"failures": failures, "pages": [{k: p[k] for k in ("url", "kind", "layout", "series")}
                                                          for p in pages]}
    return report


async def verify_series(ctx, series: list[SeriesInfo]) -> list[dict]:
    """Fetch one price-guide page per series and say which selectors matched; writes nothing."""
    from coinref.errors import Blocked, CircuitOpen, CoinrefError

    source = CoinFactsSource(ctx, None)
    rows, blocked = [], None
    try:
        for info in series:
            suffix, kind, path = source.series_pages(info)[-1]
            url = source.url_for(path)
            if blocked:
                rows.append({"series": info.slug, "url": url, "ok": False, "kind": "skipped",
                             "error": f"not tried: {blocked}"})
                continue
            try:
                page = await source.read_page(url, kind)
            except (Blocked, CircuitOpen) as exc:
                blocked = exc.message
                rows.append({"series": info.slug, "url": url, "ok": False, "error": exc.message, "kind": exc.kind})
                continue
            except CoinrefError as exc:
                rows.append({"series": info.slug, "url": url, "ok": False, "error": exc.message, "kind": exc.kind})
                continue
            rows.append({"series": info.slug, "url": url, "ok": True, "kind": page.kind, "layout": page.layout,
                         "rows": len(page.rows), "priced_rows": sum(1 for r in page.rows if r.prices),
                         "selectors": dict(sorted(page.matched.items()))})
    finally:
        await source.aclose()
    return rows


def scrape_status(ctx, series: list[SeriesInfo]) -> dict:
    """Per-series progress of the website work lists, PCGS/NGC numbers held, and the circuit state."""
    from sqlalchemy import func

    from coinref.remote.breaker import breakers
    from coinref.store.models import ApiCall, Run, WorkItem
    from coinref.store.repo import ensure_ready

    ensure_ready(ctx.engine)
    slugs = [info.slug for info in series]
    with session_scope(ctx.engine) as session:
        items = session.execute(
            select(WorkItem.queue, WorkItem.series_slug, WorkItem.status, func.count())
            .where(WorkItem.queue.in_(["populate:coinfacts", "populate:specsearch"]), WorkItem.series_slug.in_(slugs))
            .group_by(WorkItem.queue, WorkItem.series_slug, WorkItem.status)
        ).all()
        coins = session.execute(
            select(Series.slug, func.count(Coin.id), func.count(Coin.pcgs_number), func.count(Coin.ngc_number))
            .join(Coin, Coin.series_id == Series.id).where(Series.slug.in_(slugs)).group_by(Series.slug)
        ).all()
        last_calls = {}
        for provider in ("pcgs-website", "specsearch"):
            call = session.scalar(select(ApiCall).where(ApiCall.provider == provider).order_by(ApiCall.id.desc())
                                  .limit(1))
            if call is not None:
                last_calls[provider] = {"at": call.created_at, "endpoint": call.endpoint, "status": call.status_code,
                                        "outcome": call.outcome, "error": call.error}
        last_run = session.scalar(select(Run).where(Run.source == SOURCE).order_by(Run.id.desc()).limit(1))
        last_run_info = None if last_run is None else {
            "run_id": last_run.id, "status": last_run.status, "stopped": (last_run.report or {}).get("stopped"),
            "started_at": last_run.started_at, "finished_at": last_run.finished_at}
    progress: dict[str, dict] = {slug: {"series": slug, "coins": 0, "with_pcgs_number": 0, "with_ngc_number": 0,
                                        "coinfacts": {}, "specsearch": {}} for slug in slugs}
    for queue, slug, status, count in items:
        progress[slug][queue.split(":", 1)[1]][status] = count
    for slug, total, numbered, ngc in coins:
        progress[slug].update(coins=total, with_pcgs_number=numbered, with_ngc_number=ngc)
    settings = ctx.settings
    circuits = {}
    for name, url in (("website", settings.pcgs_website_url), ("specsearch", settings.pcgs_specsearch_url)):
        circuits[name] = {"host": urlsplit(url).netloc, "state_in_this_process": breakers.for_settings(url,
                                                                                                    settings).state}
        provider = "pcgs-website" if name == "website" else "specsearch"
        last = last_calls.get(provider)
        circuits[name]["last_request"] = last
        circuits[name]["blocked_last_time"] = bool(last and last["outcome"] == "blocked")
    return {"series": [progress[s] for s in slugs], "circuits": circuits, "last_run": last_run_info}
