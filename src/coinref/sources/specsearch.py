"""The ``specsearch`` population source: PCGS numbers from the Collectors Universe spec search.

The PCGS API cannot list a series; the spec search (``PCGS_SPECSEARCH_URL``, ``?term=...``) is the
one keyless way to find a PCGS number from a description. One work item per catalog coin without a
PCGS number (queue ``populate:specsearch``); one query per coin: its PCGS-form description (the
catalog's short name, "1909-S 1C VDB, RD").

Each candidate (``specno``, ``description``, ``year``, ``mintmark``, ``denomination``, ``prefix``,
``category``) is read with :mod:`coinref.sources.descriptions` and scored against the coin:

=============  ======  =====================================================================
component      weight  agrees when
=============  ======  =====================================================================
year           0.20    the candidate's year (field, else description) is the coin's
mint           0.15    its mint mark (no letter = P) is the coin's
denomination   0.15    its denomination code is the coin's
strike         0.15    its prefix (PR/PF, SP, MS; else the description) gives the coin's strike
designation    0.15    the designation after the comma is the coin's ("" for the base entry)
variety        0.15    the variety words, in the catalog's spelling, are the coin's
series         0.05    share of words its category has in common with the series' name
=============  ======  =====================================================================

A candidate is accepted when it scores at least :data:`ACCEPT_AT` (0.90: every identity field
agrees) and scores strictly more than any other candidate with another number (two equally good
candidates are a question for a person, not a guess). The accepted number goes out as a coin
record for the coin (the writer attaches it, or quarantines it when the number is already on
another coin). Everything else is **for review**: a quarantine entry (source ``specsearch``) with
the query, the best candidates, their scores and what disagreed; ``coinref quarantine --source
specsearch`` lists them. Review entries carry no number at top level, so ``quarantine --rerun``
never attaches one by itself.

Requests go through :class:`~coinref.sources.website_fetch.WebsiteFetcher` (provider
``specsearch``, browser-like headers, pacing, breaker, retry; a 403 twice or a challenge is
``Blocked``: exit 7, item pending). No PCGS API quota is spent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from coinref.catalog.series import series_by_slug
from coinref.errors import TransientError
from coinref.pipeline.records import CoinRecord
from coinref.pipeline.sources import ItemResult, Source
from coinref.pipeline.workqueue import WorkSpec
from coinref.sources.descriptions import normalize_denomination, parse_description, strike_from_prefix
from coinref.sources.website import canonical_variety, name_words
from coinref.sources.website_fetch import WebsiteFetcher
from coinref.store.db import session_scope
from coinref.store.models import Coin, Quarantine, Series

SOURCE = "specsearch"
WEIGHTS = {"year": 0.20, "mint": 0.15, "denomination": 0.15, "strike": 0.15, "designation": 0.15, "variety": 0.15,
           "series": 0.05}
ACCEPT_AT = 0.90
REVIEW_CANDIDATES = 3


@dataclass(frozen=True)
class Wanted:
    """The catalog coin a query is for."""

    series: str
    year: int
    mint_mark: str
    strike: str
    variety: str
    designation: str
    denomination: str
    short_name: str = ""
    full_name: str = ""

    def query(self) -> str:
        """The one query for this coin: its PCGS-form description."""
        if self.short_name:
            return self.short_name
        date_part = f"{self.year}" + (f"-{self.mint_mark}" if self.mint_mark != "P" else "")
        text = " ".join(p for p in (date_part, self.denomination, self.variety) if p)
        return f"{text}, {self.designation}" if self.designation else text


@dataclass
class Scored:
    specno: int
    score: float
    parts: dict[str, float]
    candidate: dict = field(default_factory=dict)

    def disagreements(self) -> list[str]:
        return [name for name, value in self.parts.items() if value < 1.0 and name != "series"]

    def as_dict(self) -> dict:
        return {"specno": self.specno, "score": round(self.score, 3), "description": self.candidate.get("description"),
                "prefix": self.candidate.get("prefix"), "category": self.candidate.get("category"),
                "disagrees_on": self.disagreements()}


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def score_candidate(wanted: Wanted, candidate: dict) -> Scored | None:
    """The candidate's score against the coin (None when it carries no usable number)."""
    specno = _int(candidate.get("specno"))
    if specno is None or specno <= 0:
        return None
    prefix = str(candidate.get("prefix") or "")
    described = parse_description(str(candidate.get("description") or ""), prefix=prefix or None)
    year = _int(candidate.get("year")) or described.year
    mint = str(candidate.get("mintmark") or "").strip().upper() or described.mint_mark or "P"
    denomination = normalize_denomination(str(candidate.get("denomination") or "")) or described.denomination
    strike = strike_from_prefix(prefix) or described.strike or "MS"
    variety = canonical_variety(wanted.series, described.variety)
    category = name_words(str(candidate.get("category") or ""))
    series_words = name_words(series_by_slug()[wanted.series].name) if wanted.series in series_by_slug() else set()
    parts = {
        "year": float(year == wanted.year),
        "mint": float(mint == wanted.mint_mark),
        "denomination": float(denomination == wanted.denomination),
        "strike": float(strike == wanted.strike),
        "designation": float(described.designation == wanted.designation),
        "variety": float(variety.lower() == wanted.variety.lower()),
        "series": len(category & series_words) / len(category | series_words) if category and series_words else 0.0,
    }
    score = sum(WEIGHTS[name] * value for name, value in parts.items())
    return Scored(specno, score, parts, candidate)


@dataclass
class Decision:
    accepted: Scored | None
    ranked: list[Scored]
    reason: str = ""


def decide(wanted: Wanted, candidates: list[dict]) -> Decision:
    """The accepted candidate, or the reason there is none (see the module docstring)."""
    best_by_number: dict[int, Scored] = {}
    for candidate in candidates:
        scored = score_candidate(wanted, candidate)
        if scored is not None and (scored.specno not in best_by_number
                                   or scored.score > best_by_number[scored.specno].score):
            best_by_number[scored.specno] = scored
    ranked = sorted(best_by_number.values(), key=lambda s: (-s.score, s.specno))
    if not ranked:
        return Decision(None, [], "the spec search found no candidate")
    best = ranked[0]
    if best.score < ACCEPT_AT:
        return Decision(None, ranked, f"best candidate {best.specno} ({best.candidate.get('description')!r}) scored "
                                      f"{best.score:.2f} < {ACCEPT_AT:.2f}: differs in "
                                      f"{', '.join(best.disagreements()) or 'series'}")
    if len(ranked) > 1 and ranked[1].score >= best.score:
        return Decision(None, ranked, f"candidates {best.specno} and {ranked[1].specno} score the same "
                                      f"({best.score:.2f}): cannot tell them apart")
    return Decision(best, ranked)


def candidates_from(body) -> list[dict]:
    """The candidate list of a spec-search answer (a list, or an object holding one)."""
    if isinstance(body, dict):
        for key in ("results", "Results", "data", "items", "specs"):
            if isinstance(body.get(key), list):
                body = body[key]
                break
    if not isinstance(body, list):
        raise TransientError("the spec search answered JSON that is not a list of candidates")
    return [c for c in body if isinstance(c, dict)]


class SpecSearchSource(Source):
    name = SOURCE
    # remote: a dry run forecasts the requests instead of sending them (no PCGS API quota is used)
    remote = True

    def __init__(self, ctx, run_id=None, *, fetcher: WebsiteFetcher | None = None) -> None:
        self.ctx = ctx
        self.run_id = run_id
        self._fetcher = fetcher

    @property
    def fetcher(self) -> WebsiteFetcher:
        if self._fetcher is None:
            self._fetcher = WebsiteFetcher(self.ctx.settings, self.ctx.engine, provider=SOURCE,
                                           site="the spec search", run_id=self.run_id)
        return self._fetcher

    def plan(self, engine, series) -> list[WorkSpec]:
        order = {info.slug: index for index, info in enumerate(series)}
        with session_scope(engine) as session:
            rows = session.execute(
                select(Coin, Series.slug).join(Series)
                .where(Coin.pcgs_number.is_(None), Series.slug.in_(list(order))).order_by(Coin.id)
            ).all()
            specs = []
            for coin, slug in rows:
                wanted = Wanted(slug, coin.year, coin.mint_mark, coin.strike, coin.variety, coin.designation,
                                coin.denomination, coin.short_name, coin.full_name)
                specs.append(WorkSpec(key=f"coin:{coin.id}", priority=order[slug], series_slug=slug, coin_id=coin.id,
                                      payload={"query": wanted.query(), "coin": wanted.__dict__}))
        return specs

    def calls_for(self, spec: WorkSpec) -> int:
        return 1

    def empty_plan_hint(self, engine, series) -> str | None:
        return super().empty_plan_hint(engine, series) or (
            "nothing to search for: every coin of the chosen series has a PCGS number already; next: "
            "coinref populate --source pcgs-api")

    async def search(self, query: str) -> list[dict]:
        answer = await self.fetcher.get(self.ctx.settings.pcgs_specsearch_url, params={"term": query},
                                        want_json=True)
        return candidates_from(answer.body)

    async def fetch(self, item) -> ItemResult:
        wanted = Wanted(**item.payload["coin"])
        query = item.payload["query"]
        candidates = await self.search(query)
        decision = decide(wanted, candidates)
        result = ItemResult(calls=1, stats={f"{SOURCE}:candidates": len(candidates)})
        if decision.accepted is not None:
            best = decision.accepted
            result.coins.append(CoinRecord(source=SOURCE, coin_id=item.coin_id, pcgs_number=best.specno,
                                           raw={"query": query, "candidate": best.candidate, "score": best.score}))
            result.stats[f"{SOURCE}:accepted"] = 1
            return result
        result.stats[f"{SOURCE}:review"] = 1
        if not candidates:
            result.stats[f"{SOURCE}:no_candidates"] = 1
        self._for_review(item.coin_id, wanted, query, decision)
        result.quarantined = 1
        return result

    def _for_review(self, coin_id: int, wanted: Wanted, query: str, decision: Decision) -> None:
        """One open quarantine entry per coin awaiting review (updated, not repeated, on a rerun)."""
        record = {"source": SOURCE, "review": True, "coin_id": coin_id, "series": wanted.series,
                  "full_name": wanted.full_name or wanted.query(), "query": query,
                  "candidates": [s.as_dict() for s in decision.ranked[:REVIEW_CANDIDATES]]}
        reasons = [f"spec search: {decision.reason}"]
        with session_scope(self.ctx.engine) as session:
            existing = session.scalar(
                select(Quarantine).where(Quarantine.source == SOURCE, Quarantine.status == "open",
                                         Quarantine.record["coin_id"].as_integer() == coin_id).limit(1)
            )
            if existing is None:
                session.add(Quarantine(run_id=self.run_id, source=SOURCE, record=record, reasons=reasons))
            else:
                existing.record, existing.reasons, existing.run_id = record, reasons, self.run_id

    async def aclose(self) -> None:
        if self._fetcher is not None:
            await self._fetcher.aclose()
