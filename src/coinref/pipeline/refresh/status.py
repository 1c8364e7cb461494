"""Where the price refresh stands, read from the database alone (never a call to PCGS).

* :func:`refresh_status`: the last run, today's quota and budget, and how many tracked points are
  fresh (observed within 7 days), stale, never priced, or waiting after a miss.
* :func:`refresh_report`: the last 7 quota days of activity (runs, prices stored, misses, quota
  used), errors by kind from the call log, coins not refreshed in 14 days, and the estimated time
  to refresh every tracked point at the current pace.
* :func:`write_latest` rewrites ``price_refresh_latest.md`` after each run: that run, the status
  and the report, for people who look at files rather than commands.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from coinref.pipeline.refresh.planner import coin_shares, miss_blocks, refresh_budget
from coinref.pipeline.refresh.points import PRICE_SOURCE, load_points
from coinref.remote.calllog import ANSWER_OUTCOMES
from coinref.store.db import session_scope
from coinref.store.models import ApiCall, PriceObservation, QuotaLedger, Run
from coinref.store.repo import ensure_ready
from coinref.timeutil import quota_day

REPORT_DAYS = 7
NOT_REFRESHED_DAYS = 14
LATEST_FILE = "price_refresh_latest.md"
PROVIDER = "pcgs"


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=ZoneInfo("UTC"))


def _run_view(run: Run | None) -> dict[str, object] | None:
    if run is None:
        return None
    return {
        "id": run.id,
        "status": run.status,
        "stopped": (run.report or {}).get("stopped"),
        "trigger": (run.args or {}).get("trigger"),
        "started_at": _aware(run.started_at),
        "finished_at": _aware(run.finished_at),
        "counts": run.counts or {},
    }


def point_freshness(env, priority: str | None = None) -> dict[str, object]:
    """Counts of tracked points by freshness, overall and per tier."""
    ledger = env.ledger()
    today = ledger.today()
    points = load_points(env.engine, today, priority=priority, tracked=env.tracked)
    fresh_days = env.policy.fresh_days
    now = env.clock()
    totals: Counter = Counter()
    per_tier: dict[str, Counter] = defaultdict(Counter)
    for point in points.points:
        age = point.age_days(today)
        kind = "never_priced" if age is None else ("fresh" if age <= fresh_days else "stale")
        totals[kind] += 1
        per_tier[point.coin.tier][kind] += 1
        if miss_blocks(point, now, env.policy):
            totals["waiting_after_miss"] += 1
    keys = ("fresh", "stale", "never_priced")
    return {
        "day": today,
        "coins_tracked": len(points.coins),
        "tracked_points": len(points.points),
        **{k: totals.get(k, 0) for k in keys},
        "waiting_after_miss": totals.get("waiting_after_miss", 0),
        "fresh_share": round(totals.get("fresh", 0) / len(points.points), 4) if points.points else 0.0,
        "per_tier": {tier: {k: per_tier[tier].get(k, 0) for k in keys} for tier in sorted(per_tier)},
        "_points": points,
    }


def refresh_status(env) -> dict[str, object]:
    """Last run, quota and point freshness; no call is sent."""
    ensure_ready(env.engine)
    quota = env.ledger().status()
    budget, reserve = refresh_budget(quota, env.settings.refresh_reserve_pct)
    freshness = point_freshness(env)
    freshness.pop("_points")
    with session_scope(env.engine, read_only=True) as session:
        last = session.scalars(select(Run).where(Run.kind == "refresh").order_by(Run.id.desc()).limit(1)).first()
        runs = session.scalar(select(func.count(Run.id)).where(Run.kind == "refresh")) or 0
    return {
        "last_run": _run_view(last),
        "runs": runs,
        "quota": quota,
        "reserve": reserve,
        "budget_now": budget,
        "fresh_days": env.policy.fresh_days,
        "points": freshness,
    }


def refresh_report(env, days: int = REPORT_DAYS) -> dict[str, object]:
    """The last ``days`` quota days of refresh activity and what it leaves behind; no call is sent."""
    ensure_ready(env.engine)
    tz = env.settings.quota_tz
    ledger = env.ledger()
    today = ledger.today()
    first = today - timedelta(days=days - 1)
    window = [first + timedelta(days=i) for i in range(days)]
    with session_scope(env.engine, read_only=True) as session:
        stored = dict(
            session.execute(
                select(PriceObservation.observed_on, func.count(PriceObservation.id))
                .where(PriceObservation.source == PRICE_SOURCE, PriceObservation.observed_on >= first)
                .group_by(PriceObservation.observed_on)
            ).all()
        )
        used = dict(
            session.execute(
                select(QuotaLedger.day, QuotaLedger.used).where(QuotaLedger.provider == PROVIDER,
                                                                QuotaLedger.day >= first)
            ).all()
        )
        errors = dict(
            session.execute(
                select(ApiCall.outcome, func.count(ApiCall.id))
                .where(ApiCall.provider == PROVIDER, ApiCall.quota_day >= first,
                       ApiCall.outcome.not_in(ANSWER_OUTCOMES))
                .group_by(ApiCall.outcome)
            ).all()
        )
        since = datetime.combine(first, datetime.min.time(), tzinfo=tz).astimezone(ZoneInfo("UTC"))
        runs = session.scalars(select(Run).where(Run.kind == "refresh", Run.started_at >= since)).all()
    per_day: dict[date, Counter] = {day: Counter() for day in window}
    for run in runs:
        day = quota_day(_aware(run.started_at), tz)
        if day in per_day:
            per_day[day]["runs"] += 1
            for key in ("not_found", "unpriced", "errors"):
                per_day[day][key] += int((run.counts or {}).get(key, 0))
    activity = [
        {
            "day": day,
            "runs": per_day[day]["runs"],
            "prices_stored": stored.get(day, 0),
            "misses": per_day[day]["not_found"] + per_day[day]["unpriced"],
            "errors": per_day[day]["errors"],
            "quota_used": used.get(day, 0),
        }
        for day in window
    ]
    freshness = point_freshness(env)
    points = freshness.pop("_points")
    stale_coins = _coins_not_refreshed(env, points, today)
    pace = sum(stored.get(day, 0) for day in window) / days
    tracked = freshness["tracked_points"]
    return {
        "day": today,
        "days": days,
        "activity": activity,
        "quota_used_per_day": {day.isoformat(): used.get(day, 0) for day in window},
        "errors_by_kind": dict(sorted(errors.items())),
        "coins_not_refreshed_14d": stale_coins,
        "points": freshness,
        "pace_points_per_day": round(pace, 1),
        "days_to_refresh_all": round(tracked / pace, 1) if pace else None,
    }


def _coins_not_refreshed(env, points, today: date, show: int = 20) -> dict[str, object]:
    latest: dict[int, date | None] = {}
    coins = {}
    for point in points.points:
        coins[point.coin.id] = point.coin
        seen = point.last_observed
        current = latest.get(point.coin.id)
        if point.coin.id not in latest or (seen is not None and (current is None or seen > current)):
            latest[point.coin.id] = seen
    limit_day = today - timedelta(days=NOT_REFRESHED_DAYS)
    old = [cid for cid, seen in latest.items() if seen is None or seen < limit_day]
    shares = coin_shares(points, env.policy)
    old.sort(key=lambda cid: -shares.get(cid, 0.0))
    return {
        "count": len(old),
        "never_priced": sum(1 for cid in old if latest[cid] is None),
        "top_by_demand": [
            {"pcgs_number": coins[cid].pcgs_number, "name": coins[cid].name, "tier": coins[cid].tier,
             "last_observed": latest[cid]}
            for cid in old[:show]
        ],
    }


# -- text ----------------------------------------------------------------------------------------


def render_status(status: dict) -> str:
    quota = status["quota"]
    points = status["points"]
    last = status["last_run"]
    lines = [
        f"quota {quota['day']}: used {quota['used']} of {quota['limit']}, remaining {quota['remaining']} "
        f"(reserve {status['reserve']}, refresh budget now {status['budget_now']}); resets {quota['resets_at']}",
        f"tracked: {points['tracked_points']} points of {points['coins_tracked']} coins; "
        f"fresh (<= {status['fresh_days']} days) {points['fresh']}, stale {points['stale']}, "
        f"never priced {points['never_priced']}, waiting after a miss {points['waiting_after_miss']}",
    ]
    if last:
        counts = last["counts"] or {}
        status_text = last["status"] + (f" ({last['stopped']})" if last.get("stopped") else "")
        lines.append(f"last run #{last['id']} ({last['trigger']}) {status_text}, started {last['started_at']}: "
                     f"{counts.get('stored', 0)} prices stored, {counts.get('requests', 0)} requests")
    else:
        lines.append("no refresh run yet: coinref refresh-prices --dry-run shows what the first would buy")
    return "\n".join(lines)


def render_report(report: dict) -> str:
    points = report["points"]
    lines = [
        f"## Price refresh: the last {report['days']} days (to {report['day']})",
        "",
        "| day | runs | prices stored | misses | errors | quota used |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in report["activity"]:
        lines.append(f"| {row['day']} | {row['runs']} | {row['prices_stored']} | {row['misses']} | {row['errors']} | "
                     f"{row['quota_used']} |")
    lines += [
        "",
        f"- tracked points: {points['tracked_points']} (fresh {points['fresh']}, stale {points['stale']}, "
        f"never priced {points['never_priced']})",
        f"- pace: {report['pace_points_per_day']} points a day; time to refresh every tracked point: "
        + (f"{report['days_to_refresh_all']} days" if report["days_to_refresh_all"] is not None else "unknown (no "
           "prices stored in the period)"),
        "- errors by kind: " + (", ".join(f"{k} {v}" for k, v in report["errors_by_kind"].items()) or "none"),
    ]
    stale = report["coins_not_refreshed_14d"]
    lines.append(f"- coins not refreshed in {NOT_REFRESHED_DAYS} days: {stale['count']} "
                 f"({stale['never_priced']} never priced)")
    for coin in stale["top_by_demand"][:10]:
        lines.append(f"  - PCGS #{coin['pcgs_number']} {coin['name']} ({coin['tier']}), last "
                     f"{coin['last_observed'] or 'never'}")
    return "\n".join(lines)


def render_run(report: dict) -> str:
    counts = report["counts"]
    plan = report["plan"]
    title = "dry run" if report["dry_run"] else f"run #{report['run_id']}"
    lines = [
        f"# Price refresh {title}: {report['status']}",
        "",
        f"- day {report['day']}, trigger {report['trigger']}, priority {report['priority']}, "
        f"elapsed {report['elapsed_s']} s",
        f"- plan: {plan['planned']} of {plan['eligible']} eligible points (budget {plan['budget']}, reserve "
        f"{report['reserve']}); {plan['observed_today']} already observed today, {plan['waiting_after_miss']} "
        f"waiting after a miss, {plan['deferred']} deferred",
    ]
    if not report["dry_run"]:
        lines.append(
            f"- requests {counts['requests']}: {counts['stored']} prices stored, {counts['not_found']} not found, "
            f"{counts['unpriced']} unpriced, {counts['invalid']} invalid, {counts['errors']} errors"
        )
        quota = report["quota_after"]
        lines.append(f"- quota: {quota['used']} of {quota['limit']} used, {quota['remaining']} remaining")
    if report.get("stop_message"):
        lines.append(f"- stopped: {report['stop_message']}")
    lines += [f"- next: {step}" for step in report.get("next") or []]
    return "\n".join(lines)


def render_plan(report: dict, show: int = 50) -> str:
    lines = [render_run(report), "", "| # | PCGS # | coin | grade | tier | age (days) | demand | score |",
             "|---:|---:|---|---|---|---:|---:|---:|"]
    for index, row in enumerate(report["batch"][:show], start=1):
        grade = f"{row['grade']}{'+' if row['plus'] else ''}"
        age = "never" if row["age_days"] is None else row["age_days"]
        lines.append(f"| {index} | {row['pcgs_number']} | {row['name']} | {grade} | {row['tier']} | {age} | "
                     f"{row['demand']:.3g} | {row['score']:.3g} |")
    if len(report["batch"]) > show:
        lines.append(f"| ... | | {len(report['batch']) - show} more | | | | | |")
    return "\n".join(lines)


def write_latest(env, run_report: dict) -> Path:
    """Rewrite ``price_refresh_latest.md`` (atomically) with the run, the status and the report."""
    folder = Path(env.settings.coinref_log_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LATEST_FILE
    text = "\n\n".join([
        render_run(run_report),
        "## Status\n\n" + render_status(refresh_status(env)),
        render_report(refresh_report(env)),
    ]) + "\n"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
