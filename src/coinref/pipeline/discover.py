"""``populate --source pcgs-discover``: find PCGS numbers through the API alone.

The API cannot list a series; it only answers "what is number N" (``GetCoinFactsByGrade``). PCGS
allocates numbers in blocks per series and strike, mostly in date and mint order, and numbers
designations by rules (pcgs-api.md section 8a). The discovery uses that, one series per work item,
and for each strike of the series asks about one number at a time, always the most useful next one:

1. **Shipped blocks and claims**: every number of a block the fact files ship for the series and
   strike, and every number a coin of it claims (catalog, import, website ...), is asked about once.
2. **Walking**: the numbers PCGS named as coins of the series and strike ("hits") form clusters.
   Unasked numbers inside a cluster are asked; from each end the walk goes outward one number at a
   time and stops after ``STOP_AFTER`` answers in a row that are not the series (no data, a set,
   or another series: another series' answer stops the walk at once, its block has begun).
3. **Designations by rule**: BN/RB/RD, PL and full-detail numbers are consecutive and so are found
   by the walk; a DMPL number is asked as the PL number with 9 in front, CAM and DCAM as the proof
   (for copper, the RD) number with 8 and 9 in front, only for coins the catalog has them for.
4. **Second grade**: "No data found" does not say whether the number or the grade was wrong, so a
   number without data *inside* a cluster, or a derived number, is asked once more at a second
   grade. The first grade is one most coins are priced at (MS64, PR65/SP65), the second MS62/PR67.
5. **Survey** when a strike has no hit yet: the series' place in PCGS's order (denomination, then
   the series' first year, then strike MS, PR, SP) is bracketed by the nearest answers that named
   series before and after it; the survey asks one number every ``k`` (half the block length the
   catalog predicts) inside the bracket, nearest its middle first, and every answer narrows the
   bracket, until one names the series: the walk takes over from there.

Every answer is settled at once, in the transaction that records the probe (``pcgs_probes``): a
number a coin claims is checked (:func:`~coinref.sources.pcgs_numbers.check_answer`); otherwise
the answer is matched to the catalog (:func:`~coinref.sources.pcgs_identity.match_answer`): a
unique match attaches the number verified (replacing a claim of that coin, which is quarantined),
an ambiguous one is kept for review, a coin the catalog lacks is a catalog gap, a set is noted.
Numbers that answered "no data" are not asked again for ``DISCOVER_NO_DATA_DAYS`` (30) days.
Discovery spends only its share of the day's quota (:mod:`coinref.remote.split`); when the share
is used up the run stops resumably (exit 7), like on an exhausted quota.

Killed at any moment, a run loses at most the one call in flight: the next run reads the probes
back and continues where it stopped, asking no (number, grade) twice. ``--limit N`` stops after N
numbers found; ``--dry-run`` estimates the calls each series needs without sending any.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from coinref.catalog.pcgs_numbers import shipped_blocks
from coinref.catalog.series import all_series
from coinref.errors import LimitedError, NotFound
from coinref.pipeline.matching import MatchProblem, resolve_series
from coinref.pipeline.records import CoinRecord
from coinref.pipeline.sources import ItemResult, Source
from coinref.pipeline.workqueue import WorkSpec
from coinref.remote.split import quota_split
from coinref.sources.pcgs_identity import Identity, identity_of, match_answer
from coinref.sources.pcgs_numbers import attach, check_answer, reject_claim
from coinref.store.db import session_scope
from coinref.store.models import Coin, PcgsProbe, Series
from coinref.timeutil import quota_day, utcnow

SOURCE = "pcgs-discover"
STOP_AFTER = 3
SPACE = (1000, 80_000)  # where base numbers are looked for; 8/9-prefixed numbers lie above
GRADES = {"MS": (64, 62), "PR": (65, 67), "SP": (65, 67)}
PREFIXED = {"DMPL": ("PL", 9), "CAM": ("", 8), "DCAM": ("", 9)}
COPPER = ("BN", "RB", "RD")
STRIKE_RANK = {"MS": 0, "PR": 1, "SP": 2}
SURVEY_MIN_BUDGET, SURVEY_MAX_BUDGET = 40, 150  # a strike's survey: 3 x the numbers it needs, within these


class LimitReached(LimitedError):
    """Stopped at --limit."""

    kind = "limit"


class ShareUsed(LimitedError):
    """Discovery's share of today's PCGS quota is spent (coinref.remote.split)."""

    kind = "quota_share"


def prefixed(number: int, digit: int) -> int:
    return int(f"{digit}{number}")


def face_value(denomination: str) -> float:
    """Face value in dollars of a denomination code (1C, H10C, 25C, $1, $2.50); 0 when unknown."""
    text = (denomination.split() or [""])[0].upper()
    try:
        if text == "1/2C":
            return 0.005
        if text.startswith("H") and text.endswith("C"):
            return float(text[1:-1]) / 200
        if text.endswith("C"):
            return float(text[:-1]) / 100
        if text.startswith("$"):
            return float(text[1:])
    except ValueError:
        return 0.0
    return 0.0


def order_key(slug: str, strike: str) -> tuple:
    """A block's place in PCGS's order: denomination, the series' first year, strike."""
    info = next((i for i in all_series() if i.slug == slug), None)
    if info is None:
        return (math.inf,)
    return (face_value(info.denomination), info.first_year, slug, STRIKE_RANK.get(strike, 9))


@dataclass
class ProbeView:
    number: int
    outcome: str  # coin | set | no_data
    series_slug: str
    strike: str
    designation: str
    grades: list[int]
    probed_on: date
    note: str = ""
    year: int | None = None
    mint_mark: str = ""


@dataclass
class CoinView:
    id: int
    year: int
    mint_mark: str
    strike: str
    variety: str
    designation: str
    pcgs_number: int | None
    pcgs_state: str | None

    @property
    def base_key(self) -> tuple:
        return (self.year, self.mint_mark, self.strike, self.variety)


def _mint_rank(mint: str) -> tuple[int, str]:
    return (0, "") if mint in ("P", "") else (1, mint)


def _date_key(probe: ProbeView) -> tuple:
    return (probe.year or 0, _mint_rank(probe.mint_mark))


def _in_block(number: int) -> bool:
    return SPACE[0] <= number < SPACE[1]


class SeriesWalk:
    """The next number to ask about for one series, from the probes and coins read back."""

    def __init__(self, slug: str, coins: list[CoinView], probes: dict[int, ProbeView], today: date,
                 no_data_days: int) -> None:
        self.slug = slug
        self.set_coins(coins)
        self.probes = probes
        self.today = today
        self.no_data_days = no_data_days
        self.blocks = {strike: shipped_blocks().get((slug, strike), []) for strike in STRIKE_RANK}

    def set_coins(self, coins: list[CoinView]) -> None:
        self.coins = coins
        self.copper_bases = {c.base_key for c in coins if c.designation in COPPER}

    # -- what is known ---------------------------------------------------------------------
    def asked(self, number: int, grade: int | None = None) -> bool:
        probe = self.probes.get(number)
        if probe is None:
            return False
        if probe.outcome == "no_data" and (self.today - probe.probed_on).days >= self.no_data_days:
            return False  # remembered for a set period only
        return grade is None or grade in probe.grades

    def names_us(self, number: int, strike: str) -> bool:
        probe = self.probes.get(number)
        return (probe is not None and probe.outcome == "coin" and probe.series_slug == self.slug
                and probe.strike == strike and probe.designation not in PREFIXED)

    def hits(self, strike: str) -> list[int]:
        found = {n for n in self.probes if _in_block(n) and self.names_us(n, strike)}
        found |= {c.pcgs_number for c in self.coins if c.strike == strike and c.pcgs_state == "verified"
                  and c.pcgs_number and c.designation not in PREFIXED and _in_block(c.pcgs_number)}
        return sorted(found)

    def needs(self, strike: str) -> bool:
        return any(c.strike == strike and c.pcgs_state != "verified" and not (
            c.designation == "" and self._copper(c)) for c in self.coins)

    def _copper(self, coin: CoinView) -> bool:
        return coin.base_key in self.copper_bases

    def missing_keys(self, strike: str) -> set[tuple]:
        """(year, mint order) of the in-block coins of the strike that have no verified number."""
        return {(c.year, _mint_rank(c.mint_mark)) for c in self.coins if c.strike == strike
                and c.pcgs_state != "verified" and c.designation not in PREFIXED
                and not (c.designation == "" and self._copper(c))}

    def block_length(self, strike: str) -> int:
        """In-block numbers the catalog predicts for the strike (colours, base, PL, full detail)."""
        return sum(1 for c in self.coins if c.strike == strike and c.designation not in PREFIXED
                   and not (c.designation == "" and self._copper(c)))

    # -- choosing ----------------------------------------------------------------------------
    def next_probe(self) -> tuple[int, int, str] | None:
        """(number, grade, why) of the most useful next question, or None when the series is done."""
        for strike in STRIKE_RANK:
            if not any(c.strike == strike for c in self.coins):
                continue
            first, second = GRADES[strike]
            for number in self._claims_and_blocks(strike):
                if not self.asked(number):
                    return number, first, "block"
            hits = self.hits(strike)
            step = self._walk(strike, hits, first, second)
            if step is not None:
                return step
            step = self._derived(strike, first, second)
            if step is not None:
                return step
            if not hits and self.needs(strike):
                number = self._survey(strike)
                if number is not None:
                    return number, first, f"survey {self.slug} {strike}"
        return None

    def _claims_and_blocks(self, strike: str) -> list[int]:
        numbers = [c.pcgs_number for c in self.coins
                   if c.strike == strike and c.pcgs_number and c.pcgs_state == "claimed"]
        for first, last in self.blocks[strike]:
            numbers += list(range(first, (last if last is not None else first) + 1))
        return numbers

    def _walk(self, strike: str, hits: list[int], first: int, second: int) -> tuple[int, int, str] | None:
        if not hits:
            return None
        clusters: list[list[int]] = [[hits[0]]]
        for number in hits[1:]:
            if number - clusters[-1][-1] > 2 * STOP_AFTER:
                clusters.append([number])
            else:
                clusters[-1].append(number)
        for cluster in clusters:
            lo, hi = cluster[0], cluster[-1]
            for number in range(lo + 1, hi):
                if not self.asked(number):
                    return number, first, "hole"
            for direction, start in ((-1, lo - 1), (1, hi + 1)):
                misses, number = 0, start
                while misses < STOP_AFTER and _in_block(number):
                    if not self.asked(number):
                        return number, first, "walk"
                    probe = self.probes[number]
                    if self.names_us(number, strike):
                        misses = 0
                    elif probe.outcome == "coin" and probe.series_slug != self.slug and probe.series_slug:
                        break  # another series' block begins here
                    else:
                        misses += 1
                    number += direction
            missing = self.missing_keys(strike)
            if not missing:
                continue  # every coin of the block has its number: the holes are gaps
            for number in range(lo + 1, hi):
                probe = self.probes.get(number)
                if probe is None or probe.outcome != "no_data" or self.asked(number, second):
                    continue
                below = next((self.probes[n] for n in range(number - 1, lo - 1, -1) if self.names_us(n, strike)), None)
                above = next((self.probes[n] for n in range(number + 1, hi + 1) if self.names_us(n, strike)), None)
                if below is None or above is None or any(
                        _date_key(below) <= key <= _date_key(above) for key in missing):
                    return number, second, "second-grade"  # a coin still missing may sit here
        return None

    def _derived(self, strike: str, first: int, second: int) -> tuple[int, int, str] | None:
        by_base: dict[tuple, dict[str, CoinView]] = {}
        for coin in self.coins:
            if coin.strike == strike:
                by_base.setdefault(coin.base_key, {})[coin.designation] = coin
        for entries in by_base.values():
            for designation, (root, digit) in PREFIXED.items():
                coin = entries.get(designation)
                if coin is None or coin.pcgs_state == "verified":
                    continue
                if root == "" and "RD" in entries:
                    root = "RD"
                parent = entries.get(root)
                if parent is None or parent.pcgs_state != "verified" or not parent.pcgs_number:
                    continue
                number = prefixed(parent.pcgs_number, digit)
                if not self.asked(number):
                    return number, first, "designation"
                probe = self.probes[number]
                if probe.outcome == "no_data" and not self.asked(number, second):
                    return number, second, "designation-second-grade"
        return None

    def expected(self, strike: str) -> int:
        """Numbers the strike still needs (its coins without a verified number)."""
        return sum(1 for c in self.coins if c.strike == strike and c.pcgs_state != "verified"
                   and not (c.designation == "" and self._copper(c)))

    def _survey(self, strike: str) -> int | None:
        tag = f"survey {self.slug} {strike}"
        spent = sum(1 for p in self.probes.values() if p.note == tag)
        if spent >= max(SURVEY_MIN_BUDGET, min(3 * self.expected(strike), SURVEY_MAX_BUDGET)):
            return None  # not found within its budget: left for a later run with more known around it
        target = order_key(self.slug, strike)
        known = sorted((number, order_key(probe.series_slug, probe.strike)) for number, probe in self.probes.items()
                       if probe.outcome == "coin" and probe.series_slug and _in_block(number)
                       and probe.designation not in PREFIXED)
        step = max(1, self.block_length(strike) // 2)
        for lo, hi in self._brackets(known, target):
            number = self._grid(lo, hi, step)
            if number is not None:
                return number
        return None

    @staticmethod
    def _brackets(known: list[tuple[int, tuple]], target: tuple) -> list[tuple[int | None, int | None]]:
        """Where the block may be, most likely first: between two neighbouring answers that name a
        block before and a block after it (smallest first), then after the last answer naming a block
        before it, before the first naming one after it, and past everything known (PCGS numbered
        some series later, out of order)."""
        if not known:
            return [(None, None)]
        bounded = [(a, b) for (a, ka), (b, kb) in zip(known, known[1:], strict=False) if ka < target < kb]
        bounded.sort(key=lambda pair: pair[1] - pair[0])
        brackets: list[tuple[int | None, int | None]] = list(bounded)
        if known[-1][1] < target:
            brackets.append((known[-1][0], None))
        if known[0][1] > target:
            brackets.append((None, known[0][0]))
        brackets.append((known[-1][0], None))
        return brackets

    def _grid(self, lo: int | None, hi: int | None, step: int) -> int | None:
        """The next unasked number of a survey between ``lo`` and ``hi`` (exclusive), every ``step``:
        nearest the middle first when both are known, else galloping away from the known side."""
        if lo is not None and hi is not None:
            middle = (lo + hi) // 2
            grid = sorted(range(lo + step, hi, step), key=lambda n: abs(n - middle))
            fill = range(lo + 1, hi)
        elif hi is not None:
            reach = max(step, (hi - SPACE[0]) // 2)
            grid = list(range(hi - reach, SPACE[0] - 1, -step))
            fill = range(hi - 1, max(SPACE[0], hi - reach) - 1, -step)
        else:
            base = lo if lo is not None else SPACE[0] - step
            reach = max(step, base - SPACE[0])
            grid = list(range(base + reach, SPACE[1], step))
            fill = range(base + 1, min(SPACE[1], base + reach), step)
        for number in (*grid, *fill):
            if not self.asked(number):
                return number
        return None


def load_coins(session: Session, slug: str) -> list[CoinView]:
    rows = session.execute(
        select(Coin.id, Coin.year, Coin.mint_mark, Coin.strike, Coin.variety, Coin.designation, Coin.pcgs_number,
               Coin.pcgs_state).join(Series).where(Series.slug == slug)
    ).all()
    return [CoinView(*row) for row in rows]


def load_probes(session: Session) -> dict[int, ProbeView]:
    rows = session.execute(select(PcgsProbe.number, PcgsProbe.outcome, PcgsProbe.series_slug, PcgsProbe.answer,
                                  PcgsProbe.grades, PcgsProbe.probed_at, PcgsProbe.note)).all()
    return {row[0]: _view(*row) for row in rows}


def _view(number, outcome, slug, answer, grades, probed_at, note=None) -> ProbeView:
    answer = answer or {}
    return ProbeView(number, outcome, slug or "", str(answer.get("strike") or ""),
                     str(answer.get("designation") or ""), list(grades or []), probed_at.date(), note or "",
                     answer.get("year"), str(answer.get("mint_mark") or ""))


def guess_series(identity: Identity) -> str:
    """The series an answer most likely belongs to when it matched no single coin ('' if unknown)."""
    if not identity.is_coin:
        return ""
    record = CoinRecord(source=SOURCE, year=identity.year, denomination=identity.denomination or None,
                        full_name=f"{identity.series_name} {identity.name}".strip())
    try:
        return resolve_series(record)
    except MatchProblem:
        return ""


def settle(session: Session, number: int, identity: Identity, today: date, run_id: int | None) -> tuple[str, str,
                                                                                                        int | None]:
    """Act on one answer: (match, series slug, coin id); see the module doc."""
    holder = session.scalar(select(Coin).where(Coin.pcgs_number == number))
    if holder is not None:
        if check_answer(session, holder, number, identity, today, run_id):
            return "taken", _slug(session, holder), holder.id
        moved = session.scalar(select(Coin).where(Coin.pcgs_number == number))
        if moved is not None:
            return "attached", _slug(session, moved), moved.id
    found = match_answer(session, identity)
    if found.status == "unique":
        coin = found.coin
        if coin.pcgs_number is None:
            attach(coin, number, "api", today)
            session.flush()
            return "attached", found.series_slug, coin.id
        if coin.pcgs_state != "verified":
            reject_claim(session, coin, f"PCGS #{number} is this coin, so its claimed #{coin.pcgs_number} "
                         "is not", {"pcgs_number_found": number}, run_id)
            attach(coin, number, "api", today)
            session.flush()
            return "attached", found.series_slug, coin.id
        return "ambiguous", found.series_slug, coin.id
    if found.status == "not_coin":
        return "other", "", None
    return found.status, guess_series(identity), None


def _slug(session: Session, coin: Coin) -> str:
    return session.scalar(select(Series.slug).where(Series.id == coin.series_id)) or ""


def record_probe(session: Session, number: int, grade: int, identity: Identity | None, match: str, slug: str,
                 coin_id: int | None, run_id: int | None, note: str | None = None) -> ProbeView:
    row = session.scalar(select(PcgsProbe).where(PcgsProbe.number == number))
    outcome = "no_data" if identity is None else ("coin" if identity.is_coin else "set")
    answer = identity.as_dict() if identity is not None else None
    if row is None:
        row = PcgsProbe(number=number, grades=[])
        session.add(row)
    row.grades = [*row.grades, grade] if outcome == "no_data" and row.outcome == "no_data" else [grade]
    row.outcome, row.answer, row.match, row.series_slug = outcome, answer, match, slug
    row.coin_id, row.run_id, row.note, row.probed_at = coin_id, run_id, note, utcnow()
    session.flush()
    return _view(number, outcome, slug, answer, row.grades, row.probed_at, note)


class DiscoverSource(Source):
    name = SOURCE
    remote = True
    spends_quota = True

    def __init__(self, ctx, run_id=None, *, client=None) -> None:
        self.ctx = ctx
        self.run_id = run_id
        self._client = client
        self.limit: int | None = None
        self.found_total = 0

    def configure(self, options) -> None:
        self.limit = options.limit

    @property
    def client(self):
        if self._client is None:
            from coinref.sources.pcgs_api import PcgsClient

            self._client = PcgsClient(self.ctx.settings, self.ctx.engine, run_id=self.run_id)
        return self._client

    def plan(self, engine, series) -> list[WorkSpec]:
        specs = []
        with session_scope(engine) as session:
            probes = load_probes(session)
            for index, info in enumerate(series):
                coins = load_coins(session, info.slug)
                if not coins:
                    continue
                estimate = self.estimate(SeriesWalk(info.slug, coins, probes, date.today(), 10**6))
                specs.append(WorkSpec(key=f"series:{info.slug}", priority=index, series_slug=info.slug,
                                      payload={"estimate": estimate}))
        return specs

    @staticmethod
    def estimate(walk: SeriesWalk) -> int:
        """Calls the series likely needs: its unverified numbers, 12% for gaps and second grades, the
        ends of each block, and a survey of about 20 calls for a strike with no hit yet."""
        calls = 0
        for strike in STRIKE_RANK:
            todo = [c for c in walk.coins if c.strike == strike and c.pcgs_state != "verified"
                    and not (c.designation == "" and walk._copper(c))]
            if not todo:
                continue
            in_block = sum(1 for c in todo if c.designation not in PREFIXED)
            derived = len(todo) - in_block
            calls += math.ceil(in_block * 1.12) + 2 * STOP_AFTER + math.ceil(derived * 1.05)
            if not walk.hits(strike) and not walk.blocks[strike]:
                calls += 20
        return calls

    def calls_for(self, spec: WorkSpec) -> int:
        return int(spec.payload.get("estimate", 0))

    async def fetch(self, item) -> ItemResult:
        settings = self.ctx.settings
        no_data_days = getattr(settings, "discover_no_data_days", 30)
        stats = {"pcgs-discover:calls": 0, "pcgs-discover:found": 0}
        engine = self.ctx.engine
        with session_scope(engine) as session:
            coins = load_coins(session, item.series_slug)
            probes = load_probes(session)
        today = quota_day(None, settings.quota_tz)
        walk = SeriesWalk(item.series_slug, coins, probes, today, no_data_days)
        while True:
            if self.limit is not None and self.found_total >= self.limit:
                raise LimitReached(f"stopped at --limit {self.limit}")
            step = walk.next_probe()
            if step is None:
                break
            if quota_split(engine, settings).discovery_left <= 0:
                raise ShareUsed("discovery's share of today's PCGS quota is used up; run again after the reset")
            number, grade, why = step
            try:
                facts = await self.client.get_coin_facts_by_grade(number, grade, False)
                identity = identity_of(facts, number)
            except NotFound:
                identity = None
            stats["pcgs-discover:calls"] += 1
            kind = why.split()[0]
            stats[f"pcgs-discover:ask-{kind}"] = stats.get(f"pcgs-discover:ask-{kind}", 0) + 1
            note = why if kind == "survey" else None
            with session_scope(engine) as session:
                if identity is None:
                    view = record_probe(session, number, grade, None, "", "", None, self.run_id, note)
                else:
                    match, slug, coin_id = settle(session, number, identity, today, self.run_id)
                    view = record_probe(session, number, grade, identity, match, slug, coin_id, self.run_id, note)
                    stats[f"pcgs-discover:{match}"] = stats.get(f"pcgs-discover:{match}", 0) + 1
                    if match in ("attached", "taken"):
                        stats["pcgs-discover:found"] += 1
                        self.found_total += 1
                walk.probes[number] = view
                walk.set_coins(load_coins(session, item.series_slug))
        return ItemResult(calls=stats["pcgs-discover:calls"], stats=stats)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()


def discovery_findings(session: Session, series: str | None = None) -> dict[str, list[dict]]:
    """Catalog gaps (PCGS knows a coin the catalog lacks), ambiguous answers and sets, for validate."""
    query = select(PcgsProbe).where(PcgsProbe.match.in_(("gap", "ambiguous", "other")),
                                    PcgsProbe.outcome != "no_data")
    if series:
        query = query.where(PcgsProbe.series_slug == series)
    out: dict[str, list[dict]] = {"gap": [], "ambiguous": [], "set": []}
    for row in session.scalars(query.order_by(PcgsProbe.number)):
        kind = "set" if row.outcome == "set" else row.match
        if kind in out:
            out[kind].append({"pcgs_number": row.number, "series": row.series_slug,
                              "name": (row.answer or {}).get("name"), "answer": row.answer})
    return out
