"""``coinref refresh-prices``: buy today's batch of price points and keep every answer as history.

One run:

1. reads today's quota from the ledger (no call) and computes the budget: remaining calls minus
   the reserve (``REFRESH_RESERVE_PCT`` of the daily limit), capped by ``--limit``;
2. loads every tracked point and lets the planner choose the batch (:mod:`.planner`);
3. with ``dry_run``, returns the plan: nothing is sent, nothing is written;
4. otherwise writes a ``runs`` row (kind ``refresh``) and asks the PCGS client for each point in
   score order. Every request goes through the client's path (breaker, pacing, quota ledger,
   retries, call log, tagged with the run id). Each answer is stored at once, in its own
   transaction: a price becomes a price observation of the quota day (source ``pcgs-api``, with
   population and pop-higher; a second answer the same day updates the row), "no data" and
   "no price" become misses the planner will not buy again for a while;
5. stops cleanly when the quota is used up, the service rate-limits or blocks us, the circuit
   breaker is open, the reserve is reached (another process spent quota meanwhile) or the time
   budget (cron) is over. Nothing is lost: what was answered is stored, the rest stays stale and
   the next run (the next day, for quota) plans it again;
6. finishes the run row, appends to ``price_refresh_YYYY-MM-DD.log`` and rewrites
   ``price_refresh_latest.md`` in ``COINREF_LOG_DIR``.

Before each request the run claims the point for the quota day (:mod:`.claims`): runs that overlap
(two cron triggers, cron and a manual run) never buy the same point twice; a point another run
holds or bought today is skipped (``skipped_observed``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from coinref.catalog.series import TIERS
from coinref.config import Settings
from coinref.errors import (
    EXIT_AUTH,
    EXIT_LIMITED,
    EXIT_OK,
    EXIT_UPSTREAM,
    AuthenticationError,
    CircuitOpen,
    InvalidInput,
    LimitedError,
    NotFound,
    TransientError,
    UpstreamError,
)
from coinref.jsonout import dumps
from coinref.logs import LOGGER_NAME, close_run_log, ensure_log_dir, get_logger, open_run_log
from coinref.pipeline.refresh.claims import PointClaims, PointKey
from coinref.pipeline.refresh.planner import DEFAULT_POLICY, Plan, ScoringPolicy, plan_batch, refresh_budget
from coinref.pipeline.refresh.points import PRICE_SOURCE, load_points
from coinref.pipeline.refresh.spot_source import load_spot
from coinref.pipeline.refresh.tracked import TrackedGrades
from coinref.remote.calllog import sent_calls
from coinref.remote.quota import QuotaLedger
from coinref.remote.split import quota_split
from coinref.sources.pcgs_identity import identity_of
from coinref.sources.pcgs_numbers import check_answer
from coinref.store import prices
from coinref.store.db import session_scope
from coinref.store.models import Coin, Run
from coinref.store.repo import ensure_ready
from coinref.store.runs import mark_interrupted_runs, renew_run
from coinref.timeutil import utcnow

if TYPE_CHECKING:
    from coinref.sources.pcgs_api import PcgsClient

log = get_logger("refresh")

#: why a run stopped early -> exit code (anything not listed: 0)
STOP_EXIT = {
    "quota_exhausted": EXIT_LIMITED,
    "rate_limited": EXIT_LIMITED,
    "blocked": EXIT_LIMITED,
    "limited": EXIT_LIMITED,
    "circuit_open": EXIT_LIMITED,
    "unavailable": EXIT_UPSTREAM,
    "reserve": EXIT_LIMITED,
    "authentication": EXIT_AUTH,
    "upstream": EXIT_UPSTREAM,
}
COUNT_KEYS = ("planned", "attempted", "stored", "not_found", "unpriced", "invalid", "errors", "skipped_observed")

ClientFactory = Callable[[int | None], "PcgsClient"]


@dataclass
class RefreshOptions:
    dry_run: bool = False
    limit: int | None = None
    priority: str | None = None  # P0..P3, or None / "all"
    time_budget_s: float | None = None  # the cron endpoint's bound; None: no bound
    trigger: str = "cli"  # cli | cron | bench ...

    def check(self) -> None:
        if self.limit is not None and self.limit < 0:
            raise InvalidInput(f"--limit must be 0 or more, not {self.limit}")
        if self.priority and self.priority.lower() != "all" and self.priority.upper() not in TIERS:
            raise InvalidInput(f"unknown priority {self.priority!r}; use P0, P1, P2, P3 or all")
        if self.time_budget_s is not None and self.time_budget_s <= 0:
            raise InvalidInput("the time budget must be positive")


@dataclass
class RefreshEnv:
    """What a run needs at hand; tests and the benchmark replace the clocks and the client."""

    settings: Settings
    engine: Engine
    client_factory: ClientFactory | None = None
    clock: Callable[[], datetime] = utcnow
    monotonic: Callable[[], float] = time.monotonic
    policy: ScoringPolicy = DEFAULT_POLICY
    tracked: TrackedGrades | None = None
    write_files: bool = True

    def make_client(self, run_id: int | None) -> PcgsClient:
        if self.client_factory is not None:
            return self.client_factory(run_id)
        from coinref.sources.pcgs_api import PcgsClient

        return PcgsClient(self.settings, self.engine, clock=self.clock, run_id=run_id)

    def ledger(self) -> QuotaLedger:
        return QuotaLedger.for_pcgs(self.engine, self.settings, clock=self.clock)


@dataclass
class RunCounts:
    counts: Counter = field(default_factory=Counter)
    errors_by_kind: Counter = field(default_factory=Counter)
    stopped: str | None = None
    stop_message: str | None = None
    error_samples: list[str] = field(default_factory=list)

    def error(self, kind: str, message: str) -> None:
        self.counts["errors"] += 1
        self.errors_by_kind[kind] += 1
        if len(self.error_samples) < 20:
            self.error_samples.append(f"{kind}: {message}")


def make_plan(env: RefreshEnv, options: RefreshOptions) -> tuple[Plan, dict, int]:
    """(the plan, the quota status, the reserve) for a run starting now; sends nothing."""
    ledger = env.ledger()
    quota = ledger.status()
    budget, reserve = refresh_budget(quota, env.settings.refresh_reserve_pct, options.limit)
    budget = min(budget, quota_split(env.engine, env.settings, ledger).refresh_budget)  # discovery's share held
    points = load_points(env.engine, ledger.today(), priority=options.priority, tracked=env.tracked)
    plan = plan_batch(points, budget, env.policy, now=env.clock(), spots=load_spot(env.settings, env.engine))
    return plan, quota, reserve


async def run_refresh_async(env: RefreshEnv, options: RefreshOptions | None = None) -> dict:
    """Plan and (unless dry run) execute one refresh run; returns its report (see :func:`_report`)."""
    options = options or RefreshOptions()
    options.check()
    ensure_ready(env.engine)
    started = env.monotonic()
    plan, quota, reserve = make_plan(env, options)
    return await execute_plan(env, options, plan, quota, reserve, started=started)


async def execute_plan(env: RefreshEnv, options: RefreshOptions, plan: Plan, quota: dict, reserve: int, *,
                       started: float | None = None) -> dict:
    """Execute a plan (from :func:`make_plan`, or another strategy's in the benchmark); the report."""
    started = env.monotonic() if started is None else started
    started_at = env.clock()
    state = RunCounts()
    state.counts["planned"] = len(plan.batch)
    if options.dry_run:
        return _report(env, options, plan, quota, reserve, state, None, started_at, env.monotonic() - started, None)

    if plan.batch and env.client_factory is None:  # settings first: exit 10 before any work or file
        from coinref.sources.pcgs_api import token_provider

        token_provider(env.settings)
    if env.write_files:
        ensure_log_dir(env.settings)
    run_id = _start_run(env, options, started_at)
    handler, log_path, level = (None, None, None)
    if env.write_files:
        handler, log_path = open_run_log(env.settings, f"price_refresh_{plan.today.isoformat()}.log")
        level = _log_info_level()
    try:
        log.info("refresh run %s (%s): %d points planned of %d eligible, budget %d, reserve %d", run_id,
                 options.trigger, len(plan.batch), plan.eligible, plan.budget, reserve)
        if not plan.batch and plan.eligible and quota["remaining"] <= reserve:
            state.stopped = "quota_exhausted" if quota["remaining"] == 0 else "reserve"
            state.stop_message = _no_budget_message(quota, reserve)
            log.warning("%s", state.stop_message)
        elif plan.batch:
            client = env.make_client(run_id)
            try:
                await _execute(env, options, plan, reserve, state, client, started, run_id)
            finally:
                await client.aclose()
    except BaseException as exc:
        _finish_run(env, run_id, "failed", dict(state.counts), {"error": type(exc).__name__})
        if handler is not None:
            log.error("refresh run %s failed: %s", run_id, getattr(exc, "message", type(exc).__name__))
            _close_log(handler, level)
        raise
    elapsed = env.monotonic() - started
    report = _report(env, options, plan, quota, reserve, state, run_id, started_at, elapsed, log_path)
    log.info("refresh run %s %s: %s", run_id, report["status"],
             ", ".join(f"{k} {v}" for k, v in report["counts"].items()))
    _finish_run(env, run_id, "stopped" if state.stopped else "completed", report["counts"], report)
    if handler is not None:
        _close_log(handler, level)
    if env.write_files:
        from coinref.pipeline.refresh.status import write_latest

        report["latest_file"] = str(write_latest(env, report))
    return report


def _log_info_level() -> int:
    """Let the run log receive INFO lines even when the process logs only warnings; the old level."""
    logger = logging.getLogger(LOGGER_NAME)
    previous = logger.level
    if previous == logging.NOTSET or previous > logging.INFO:
        logger.setLevel(logging.INFO)
    return previous


def _close_log(handler: logging.Handler, level: int | None) -> None:
    close_run_log(handler)
    if level is not None:
        logging.getLogger(LOGGER_NAME).setLevel(level)


def run_refresh(env: RefreshEnv, options: RefreshOptions | None = None) -> dict:
    return asyncio.run(run_refresh_async(env, options))


# -- the loop ------------------------------------------------------------------------------------


async def _execute(env: RefreshEnv, options: RefreshOptions, plan: Plan, reserve: int, state: RunCounts,
                   client: PcgsClient, started: float, run_id: int | None = None) -> None:
    ledger = client.ledger
    today = plan.today
    claims = PointClaims(env.engine, run_id, clock=env.clock)
    for scored in plan.batch:
        point = scored.point
        if options.time_budget_s is not None and env.monotonic() - started >= options.time_budget_s:
            state.stopped = "time_budget"
            state.stop_message = f"the time budget of {options.time_budget_s:g} s is used up"
            break
        if ledger.status()["remaining"] <= reserve:
            state.stopped = "reserve" if reserve else "quota_exhausted"
            state.stop_message = _no_budget_message(ledger.status(), reserve)
            break
        renew_run(env.engine, run_id)
        key = PointKey(point.coin.id, point.grade, point.plus, PRICE_SOURCE, today)
        if not claims.claim(key):  # bought today already, or another process is buying it now
            state.counts["skipped_observed"] += 1
            continue
        state.counts["attempted"] += 1
        try:
            try:
                left = None if options.time_budget_s is None else options.time_budget_s - (env.monotonic() - started)
                async with asyncio.timeout(left):
                    facts = await client.get_coin_facts_by_grade(point.coin.pcgs_number, point.grade, point.plus)
            except (NotFound, InvalidInput):
                claims.bought(key)  # an answer: "no data" or a refusal is not asked again today
                raise
            except BaseException:
                claims.release(key)  # no answer came back: another run may try later
                raise
            claims.bought(key)
        except TimeoutError:
            state.stopped = "time_budget"
            state.stop_message = f"the time budget of {options.time_budget_s:g} s ran out during a request"
            break
        except NotFound:
            _store_miss(env, point, "not_found")
            state.counts["not_found"] += 1
            continue
        except InvalidInput as exc:
            _store_miss(env, point, "invalid")
            state.counts["invalid"] += 1
            log.info("PCGS #%s %s refused: %s", point.coin.pcgs_number, point.label, exc.message)
            continue
        except (LimitedError, CircuitOpen) as exc:
            state.stopped = exc.kind
            state.stop_message = exc.message
            log.warning("stopping: %s", exc.message)
            break
        except AuthenticationError as exc:
            state.stopped = "authentication"
            state.stop_message = exc.message
            state.error(exc.kind, exc.message)
            break
        except TransientError as exc:
            state.error(exc.kind, exc.message)
            log.warning("PCGS #%s %s failed after retries: %s", point.coin.pcgs_number, point.label, exc.message)
            continue
        except UpstreamError as exc:
            state.stopped = "upstream"
            state.stop_message = exc.message
            state.error(exc.kind, exc.message)
            break
        if facts.price_guide_value is None:
            _store_miss(env, point, "unpriced", facts, ledger.today())
            state.counts["unpriced"] += 1
            continue
        with session_scope(env.engine) as session:
            coin = session.get(Coin, point.coin.id)
            if coin is None or not check_answer(session, coin, point.coin.pcgs_number,
                                                identity_of(facts, point.coin.pcgs_number), ledger.today()):
                state.counts["rejected_number"] += 1
                continue
            prices.upsert_price(
                session, coin_id=point.coin.id, grade=point.grade, plus=point.plus, source=PRICE_SOURCE,
                price=facts.price_guide_value, observed_on=ledger.today(), population=facts.population,
                pop_higher=facts.pop_higher, now=env.clock(),
            )
        state.counts["stored"] += 1
        log.debug("PCGS #%s %s: %s", point.coin.pcgs_number, point.label, facts.price_guide_value)


def _store_miss(env: RefreshEnv, point, reason: str, facts=None, day=None) -> None:
    with session_scope(env.engine) as session:
        prices.record_miss(session, coin_id=point.coin.id, grade=point.grade, plus=point.plus, source=PRICE_SOURCE,
                           reason=reason, now=env.clock(), observed_on=day,
                           population=facts.population if facts else None,
                           pop_higher=facts.pop_higher if facts else None)


def _no_budget_message(quota: dict, reserve: int) -> str:
    if quota["remaining"] == 0:
        return (f"the PCGS quota of {quota['limit']} calls is used up for {quota['day']}; "
                "the next run after the reset continues")
    return (f"only {quota['remaining']} calls are left today and {reserve} are kept in reserve "
            "(REFRESH_RESERVE_PCT); the next run after the reset continues")


# -- the run row and the report ------------------------------------------------------------------


def _start_run(env: RefreshEnv, options: RefreshOptions, started_at: datetime) -> int:
    mark_interrupted_runs(env.engine)
    with session_scope(env.engine) as session:
        run = Run(kind="refresh", source=PRICE_SOURCE, status="running", started_at=started_at,
                  args={"limit": options.limit, "priority": options.priority, "trigger": options.trigger,
                        "time_budget_s": options.time_budget_s})
        session.add(run)
        session.flush()
        return run.id


def _finish_run(env: RefreshEnv, run_id: int, status: str, counts: dict, report: dict) -> None:
    """Close the run row: ``completed``, ``stopped`` (the reason is ``report["stopped"]``) or ``failed``."""
    with session_scope(env.engine) as session:
        run = session.get(Run, run_id)
        run.status = status
        run.finished_at = env.clock()
        run.counts = counts
        run.report = json.loads(dumps(report, indent=None))


def _report(env, options, plan: Plan, quota, reserve, state: RunCounts, run_id, started_at, elapsed,
            log_path) -> dict:
    counts = {key: state.counts.get(key, 0) for key in COUNT_KEYS}
    counts["requests"] = sent_calls(env.engine, run_id)
    if options.dry_run:
        status = "dry-run"
    elif state.stopped:
        status = f"stopped: {state.stopped}"
    else:
        status = "completed"
    quota_after = env.ledger().status() if not options.dry_run else quota
    return {
        "run_id": run_id,
        "kind": "refresh",
        "dry_run": options.dry_run,
        "trigger": options.trigger,
        "status": status,
        "stopped": state.stopped,
        "stop_message": state.stop_message,
        "exit_code": STOP_EXIT.get(state.stopped or "", EXIT_OK),
        "day": plan.today,
        "started_at": started_at,
        "elapsed_s": round(elapsed, 3),
        "priority": options.priority or "all",
        "limit": options.limit,
        "plan": plan.summary(),
        "counts": counts,
        "errors_by_kind": dict(state.errors_by_kind),
        "errors": state.error_samples,
        "quota_before": quota,
        "quota_after": quota_after,
        "reserve": reserve,
        "batch": [s.as_dict(plan.today) for s in plan.batch] if options.dry_run else [],
        "log_file": str(log_path) if log_path else None,
        "next": _next_steps(env, plan),
    }


def _next_steps(env, plan: Plan) -> list[str]:
    """What to do when the plan holds nothing: the dead end named, with the step out of it."""
    if plan.batch or plan.eligible:
        return []
    from sqlalchemy import func, select

    from coinref.pipeline.report import ATTACH_NUMBERS
    from coinref.store.db import session_scope
    from coinref.store.models import Coin

    with session_scope(env.engine) as session:
        numbered = session.scalar(select(func.count(Coin.id)).where(Coin.pcgs_number.is_not(None))) or 0
    if not numbered:
        return [f"nothing to refresh: no coin has a PCGS number; {ATTACH_NUMBERS}"]
    return ["nothing to refresh today: every tracked point was bought today or waits after a miss; run again "
            "tomorrow"]
