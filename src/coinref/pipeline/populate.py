"""``coinref populate``: tiered, resumable population runs from any source.

The runner plans the source's work items for the chosen series (tier order, then series.csv
order) into the database queue ``populate:<source>``, then claims items one at a time. For each
item it asks the source for records, validates them, and in ONE transaction writes the valid
ones, quarantines the rest and marks the item done; so a run killed at any moment loses at most
the item in flight, which the next run repeats, and never writes a coin or price twice (natural
keys and the per-day price key make every write an upsert). A source that is out of quota or
blocked gives its item back as pending and the run stops with exit code 7, resumable. A *fatal*
answer (``CoinrefError.fatal``: a rejected token, a base URL the service does not know) stops the
run at the first item, which stays pending, with that error's exit code (4, 5): the other items
would get the same answer, and each would cost a request.

``dry_run`` plans in memory and writes nothing: for sources without network it computes what
would change inside a transaction that is rolled back; for remote sources it counts the calls it
would spend. It writes no log or report file either unless ``log_files`` asks for them. Before a
real run writes anything, the source checks its configuration (``Source.check_config``: the
``pcgs-api`` source's token) and the log folder is checked, so a bad setting is exit 10 up front.
``limit`` stops after that many coins were written (created or updated) or new auction sales
stored (checked between items, so an item's sales are written whole).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coinref.catalog.series import SeriesInfo, select_series
from coinref.context import AppContext
from coinref.errors import CircuitOpen, CoinrefError, HostUnavailable, LimitedError
from coinref.jsonout import dumps
from coinref.logs import close_run_log, ensure_log_dir, get_logger, open_run_log, stamp
from coinref.pipeline.records import CoinRecord, PriceRecord, SaleRecord
from coinref.pipeline.sources import Source, make_source
from coinref.pipeline.validation import CoinValidator, validate_batch
from coinref.pipeline.workqueue import WorkQueue
from coinref.pipeline.writer import RecordWriter, Rejected
from coinref.remote.calllog import sent_calls
from coinref.store.coins import existing_coins, series_ids
from coinref.store.db import session_scope
from coinref.store.models import Coin, PriceObservation, Quarantine, Run, WorkItem
from coinref.store.repo import ensure_ready
from coinref.store.runs import mark_interrupted_runs, renew_run
from coinref.timeutil import utcnow

log = get_logger("populate")
COUNT_KEYS = ("records", "created", "updated", "unchanged", "failed", "quarantined", "prices", "sales", "sales_known")


@dataclass
class PopulateOptions:
    source: str = "builtin"
    priority: str | None = "all"
    series: list[str] = field(default_factory=list)
    dry_run: bool = False
    limit: int | None = None
    restart: bool = False
    log_files: bool | None = None  # None: a log and report files for real runs, none for dry runs

    @property
    def writes_files(self) -> bool:
        return (not self.dry_run) if self.log_files is None else self.log_files


@dataclass
class RunState:
    per_series: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: dict.fromkeys(
        COUNT_KEYS, 0)))
    stats: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    written: int = 0
    calls: int = 0
    would_call: int = 0
    stopped: str | None = None  # why the run stopped early: quota, blocked, limit, authentication...
    exit_code: int | None = None  # a fatal answer's exit code (authentication 4, wrong endpoint 5)
    errors: list[str] = field(default_factory=list)
    empty_plan_hint: str | None = None  # the source's word on why it had no work, with the next step


def db_counts(engine) -> dict[str, int]:
    with session_scope(engine, read_only=True) as session:
        return {
            "coins": session.scalar(select(func.count(Coin.id))) or 0,
            "coins_with_pcgs_number": session.scalar(select(func.count(Coin.id)).where(Coin.pcgs_number.is_not(None)))
            or 0,
            "prices": session.scalar(select(func.count(PriceObservation.id))) or 0,
            "quarantined": session.scalar(select(func.count(Quarantine.id)).where(Quarantine.status == "open")) or 0,
        }


class Populator:
    def __init__(self, ctx: AppContext, options: PopulateOptions, *, progress=None) -> None:
        self.ctx = ctx
        self.engine = ctx.engine
        self.options = options
        self.progress = progress
        self.validator = CoinValidator()
        self.state = RunState()

    # --- public -----------------------------------------------------------------------------
    def run(self) -> dict:
        return asyncio.run(self.run_async())

    async def run_async(self) -> dict:
        ensure_ready(self.engine)
        series = select_series(self.options.priority, self.options.series or None)
        started = time.monotonic()
        before = db_counts(self.engine)
        probe = make_source(self.options.source, self.ctx, None)  # sources are cheap to make: no I/O
        try:
            probe.check_config()
        finally:
            await probe.aclose()
        if self.options.writes_files:
            ensure_log_dir(self.ctx.settings)
        run_id = None if self.options.dry_run else self._start_run()
        source = make_source(self.options.source, self.ctx, run_id)
        if hasattr(source, "configure"):
            source.configure(self.options)  # sources that apply --limit themselves (pcgs-discover)
        handler, log_path = (open_run_log(self.ctx.settings, f"population_{stamp()}.log")
                             if self.options.writes_files else (None, None))
        try:
            log.info("populate from %s over %d series%s", source.name, len(series),
                     " (dry run)" if self.options.dry_run else "")
            if self.options.dry_run:
                await self._dry_run(source, series)
            else:
                await self._real_run(source, series, run_id)
        finally:
            await source.aclose()
            if handler is not None:
                close_run_log(handler)
        report = self._report(source, series, run_id, before, time.monotonic() - started, log_path)
        if run_id is not None:
            self._finish_run(run_id, report)
        from coinref.pipeline.report import write_report_files

        if log_path is not None:
            report["report_files"] = write_report_files(report, log_path)
        return report

    # --- runs -------------------------------------------------------------------------------
    def _start_run(self) -> int:
        mark_interrupted_runs(self.engine)
        with session_scope(self.engine) as session:
            run = Run(kind="populate", source=self.options.source, status="running",
                      args={"priority": self.options.priority, "series": self.options.series,
                            "limit": self.options.limit, "restart": self.options.restart})
            session.add(run)
            session.flush()
            return run.id

    def _finish_run(self, run_id: int, report: dict) -> None:
        with session_scope(self.engine) as session:
            run = session.get(Run, run_id)
            run.status = report["status"]
            run.finished_at = utcnow()
            run.counts = report["totals"]
            run.report = json.loads(dumps(report))

    async def _real_run(self, source: Source, series: list[SeriesInfo], run_id: int) -> None:
        queue = WorkQueue(self.engine, f"populate:{source.name}")
        if self.options.restart:
            queue.restart()
        slugs = [s.slug for s in series]
        queue.free_dead_leases()
        specs = source.plan(self.engine, series)
        if not specs:
            self.state.empty_plan_hint = source.empty_plan_hint(self.engine, series)
        queue.plan(specs, run_id)
        if source.repeatable_passes:
            queue.new_pass_if_complete(slugs)
        total = sum(n for status, n in queue.counts().items() if status in ("pending", "leased"))
        self._progress_start(total)
        failed_here: set[int] = set()
        while True:
            if self.options.limit is not None and self.state.written >= self.options.limit:
                self.state.stopped = "limit"
                break
            item = queue.claim(slugs, exclude_ids=failed_here)
            if item is None:
                break
            renew_run(self.engine, run_id)
            try:
                result = await source.fetch(item)
            except LimitedError as exc:
                queue.release(item, exc.message)
                self.state.stopped = exc.kind
                self.state.errors.append(f"{item.key}: {exc.message}")
                log.warning("stopping: %s (item %s stays pending)", exc.message, item.key)
                break
            except CircuitOpen as exc:  # blocked (7), or HostUnavailable: unreachable or failing (5)
                queue.release(item, exc.message)
                self.state.stopped = "unavailable" if isinstance(exc, HostUnavailable) else "blocked"
                self.state.errors.append(f"{item.key}: {exc.message}")
                log.warning("stopping: %s (item %s stays pending)", exc.message, item.key)
                break
            except CoinrefError as exc:
                if exc.fatal:  # every other item would get the same answer: stop, leave the rest pending
                    queue.release(item, exc.message)
                    self.state.stopped = exc.kind
                    self.state.exit_code = exc.exit_code
                    self.state.errors.append(f"{item.key}: {exc.kind}: {exc.message}")
                    log.error("stopping: %s (item %s stays pending)", exc.message, item.key)
                    break
                status = queue.fail(item, f"{exc.kind}: {exc.message}")
                failed_here.add(item.id)  # retried by a later run, not straight away
                self._count(item.series_slug, "failed")
                self.state.errors.append(f"{item.key}: {exc.kind}: {exc.message} ({status})")
                log.warning("item %s failed: %s", item.key, exc.message)
                self._progress_advance(item.series_slug)
                continue
            self.state.calls += result.calls
            for key, value in result.stats.items():
                self.state.stats[key] += value
            finished = self._write_item(queue, item, result, run_id)
            if not finished:
                queue.release(item, "stopped by --limit", count_attempt=False)
            self._progress_advance(item.series_slug)
        self._progress_stop()

    async def _dry_run(self, source: Source, series: list[SeriesInfo]) -> None:
        specs = source.plan(self.engine, series)
        if not specs:
            self.state.empty_plan_hint = source.empty_plan_hint(self.engine, series)
        if source.remote:
            self.state.would_call = sum(source.calls_for(s) for s in specs)
            for spec in specs:
                self._count(spec.series_slug, "records", 0)
                self.state.stats[f"would_call:{spec.series_slug}"] += source.calls_for(spec)
            return
        for spec in specs:
            item = WorkItem(id=-1, key=spec.key, series_slug=spec.series_slug, coin_id=spec.coin_id,
                            payload=spec.payload, queue="dry-run", status="leased", attempts=1)
            result = await source.fetch(item)
            with Session(self.engine) as session:
                self.apply_result(session, item, result, run_id=None)
                session.rollback()

    # --- writing ----------------------------------------------------------------------------
    def _write_item(self, queue: WorkQueue, item: WorkItem, result, run_id: int) -> bool:
        with session_scope(self.engine) as session:
            finished = self.apply_result(session, item, result, run_id)
            if finished:
                queue.complete(session, item)
        return finished

    def apply_result(self, session: Session, item: WorkItem, result, run_id: int | None) -> bool:
        """Validate and write an item's records; False when --limit cut the item short."""
        slug = item.series_slug
        for _ in range(result.quarantined):
            self._count(slug, "records")
            self._count(slug, "quarantined")
        valid, invalid = validate_batch(list(result.coins) + list(result.prices) + list(result.sales),
                                        self.validator)
        ids = series_ids(session)
        existing = existing_coins(session, ids.get(slug)) if self.options.source == "builtin" else None
        writer = RecordWriter(session, ids, existing)
        for record, reasons in invalid:
            self._quarantine(session, record, reasons, run_id, slug)
        for record in valid:
            if not isinstance(record, CoinRecord):
                continue
            if self.options.limit is not None and self.state.written >= self.options.limit:
                return False
            series_key = record.series or slug
            try:
                with session.begin_nested():
                    outcome = writer.write_coin(record)
            except Rejected as exc:
                self._quarantine(session, record, [exc.reason], run_id, series_key)
                continue
            self._count(series_key, "records")
            self._count(series_key, outcome)
            if outcome in ("created", "updated"):
                self.state.written += 1
        for record in valid:
            if not isinstance(record, PriceRecord):
                continue
            try:
                with session.begin_nested():
                    writer.write_price(record)
            except Rejected as exc:
                self._quarantine(session, record, [exc.reason], run_id, slug)
                continue
            self._count(slug, "prices")
        for record in valid:
            if not isinstance(record, SaleRecord):
                continue
            try:
                with session.begin_nested():
                    outcome = writer.write_sale(record)
            except Rejected as exc:
                self._quarantine(session, record, [exc.reason], run_id, slug)
                continue
            self._count(slug, "sales" if outcome == "new" else "sales_known")
            if outcome == "new":
                self.state.written += 1
        return True

    def _quarantine(self, session: Session, record, reasons: list[str], run_id: int | None, slug: str) -> None:
        payload = record.model_dump(mode="json", exclude={"raw"})
        payload["raw"] = record.raw
        session.add(Quarantine(run_id=run_id, source=record.source, record=payload, reasons=reasons))
        if isinstance(record, CoinRecord):
            self._count(slug, "records")
        self._count(slug, "quarantined")
        log.info("quarantined %s: %s", getattr(record, "label", lambda: "price")(), "; ".join(reasons))

    def _count(self, slug: str, key: str, n: int = 1) -> None:
        self.state.per_series[slug or "-"][key] += n

    # --- progress ---------------------------------------------------------------------------
    def _progress_start(self, total: int) -> None:
        if self.progress is not None:
            self.progress.start(total)

    def _progress_advance(self, series_slug: str) -> None:
        if self.progress is not None:
            self.progress.advance(series_slug)

    def _progress_stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()

    # --- report -----------------------------------------------------------------------------
    def _report(self, source: Source, series: list[SeriesInfo], run_id, before, elapsed, log_path) -> dict:
        from coinref.pipeline.report import build_report

        api_calls = sent_calls(self.engine, run_id)
        return build_report(
            ctx=self.ctx, options=self.options, source=source, series=series, state=self.state, run_id=run_id,
            before=before, after=db_counts(self.engine), elapsed=elapsed, api_calls=max(api_calls, self.state.calls),
            log_path=log_path,
        )


def populate(ctx: AppContext, options: PopulateOptions, progress=None) -> dict:
    return Populator(ctx, options, progress=progress).run()

