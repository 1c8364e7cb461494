"""The end-of-run report of a population run: built once, printed, and written as Markdown and JSON.

Invariant checked by the tests: for every series, records = created + updated + unchanged +
quarantined (records a source yielded that were neither written nor quarantined would be lost).
"""

from __future__ import annotations

import json
from pathlib import Path

from coinref.jsonout import dumps


def build_report(*, ctx, options, source, series, state, run_id, before, after, elapsed, api_calls,
                 log_path) -> dict:
    per_series = []
    totals = dict.fromkeys(("records", "created", "updated", "unchanged", "failed", "quarantined", "prices", "sales",
                            "sales_known"), 0)
    for info in series:
        counts = dict(state.per_series.get(info.slug, dict.fromkeys(totals, 0)))
        attempted = counts["records"] + counts["failed"]
        counts["failure_rate"] = round((counts["failed"] + counts["quarantined"]) / attempted, 4) if attempted else 0.0
        per_series.append({"slug": info.slug, "tier": info.tier, **counts})
        for key in totals:
            totals[key] += counts[key]
    quota = _quota(ctx)
    status = "dry-run" if options.dry_run else ("stopped" if state.stopped and state.stopped != "limit"
                                                  else "completed")
    report = {
        "run_id": run_id,
        "source": options.source,
        "dry_run": options.dry_run,
        "status": status,
        "stopped": state.stopped,
        "exit_code": _exit_code(state, totals),
        "priority": options.priority,
        "series_selected": [s.slug for s in series],
        "coins_before": before["coins"],
        "coins_after": after["coins"],
        "database_before": before,
        "database_after": after,
        "created": totals["created"],
        "updated": totals["updated"],
        "unchanged": totals["unchanged"],
        "failed": totals["failed"],
        "quarantined": totals["quarantined"],
        "records": totals["records"],
        "prices": totals["prices"],
        "sales": totals["sales"],
        "sales_known": totals["sales_known"],
        "totals": totals,
        "api_calls": api_calls if not options.dry_run else 0,
        "api_calls_would_spend": state.would_call if options.dry_run else None,
        "quota": quota,
        "elapsed_s": round(elapsed, 3),
        "selector_stats": dict(state.stats),
        "calls_per_number_found": _calls_per_number(state.stats),
        "errors": state.errors[:50],
        "series": per_series,
        "log_file": str(log_path) if log_path is not None else None,
        "next": _next_steps(options, state, after),
    }
    return report


def _exit_code(state, totals) -> int:
    """The command's exit code: a fatal answer's own, 7 when stopped for now, 5 when items failed."""
    from coinref.errors import EXIT_LIMITED, EXIT_OK, EXIT_UPSTREAM

    if getattr(state, "exit_code", None):
        return state.exit_code
    if state.stopped == "unavailable":
        return EXIT_UPSTREAM
    if state.stopped and state.stopped != "limit":
        return EXIT_LIMITED
    return EXIT_UPSTREAM if totals["failed"] else EXIT_OK


def _calls_per_number(stats: dict) -> float | None:
    """Calls spent per PCGS number found (the pcgs-discover source); None for other sources."""
    found = stats.get("pcgs-discover:found")
    return round(stats["pcgs-discover:calls"] / found, 3) if found else None


def _quota(ctx) -> dict | None:
    try:
        from coinref.remote.quota import QuotaLedger

        return QuotaLedger.for_pcgs(ctx.engine, ctx.settings).status()
    except Exception:  # the ledger is informational here; a report never fails on it
        return None


ATTACH_NUMBERS = ("attach PCGS numbers first (the PCGS API is looked up by PCGS number): "
                  "coinref populate --source pcgs-discover --series SLUG (finds them through the API, with "
                  "your token), coinref import pcgs-numbers FILE.csv, or coinref populate --source specsearch "
                  "--series SLUG")


def _next_steps(options, state, after) -> list[str]:
    steps = []
    if state.empty_plan_hint:
        steps.append(state.empty_plan_hint)
    if options.dry_run:
        steps.append(f"run again without --dry-run: coinref populate --source {options.source}")
    if state.stopped in ("quota_exhausted", "rate_limited"):
        steps.append("the quota is used up for today; run the same command again after the reset to resume")
    elif state.stopped in ("blocked", "circuit_open"):
        steps.append("the source is blocking requests; wait, then run the same command again to resume")
    elif state.stopped == "authentication":
        steps.append("the API rejected the token; fix PCGS_API_TOKEN and run the same command again to resume")
    elif state.stopped == "wrong_endpoint":
        steps.append("the API does not know this endpoint; fix PCGS_API_BASE_URL and run the same command again")
    elif state.stopped == "unavailable":
        steps.append("the source could not be reached (see Errors for the host): check its URL setting and the "
                     "network, then run the same command again to resume")
    elif state.stopped == "limit":
        steps.append("stopped at --limit; run the same command again to continue")
    if after.get("quarantined"):
        steps.append("review rejected records: coinref quarantine")
    if options.source == "builtin" and after.get("coins_with_pcgs_number", 0) == 0:
        steps.append("attach PCGS numbers: coinref populate --source pcgs-discover (through the API), coinref "
                     "import pcgs-numbers FILE.csv, or populate --source specsearch")
    if options.source != "builtin" and not state.stopped and after.get("coins_with_pcgs_number", 0):
        steps.append("keep prices fresh: coinref refresh-prices")
    return steps


def render_markdown(report: dict) -> str:
    lines = [
        f"# Population run {report['run_id'] or '(dry run)'}: {report['source']}",
        "",
        f"- status: **{report['status']}**" + (f" ({report['stopped']})" if report["stopped"] else ""),
        f"- coins before/after: {report['coins_before']} -> {report['coins_after']}",
        f"- created {report['created']}, updated {report['updated']}, unchanged {report['unchanged']}, "
        f"failed {report['failed']}, quarantined {report['quarantined']}, prices {report['prices']}, "
        f"sales {report.get('sales', 0)} new, {report.get('sales_known', 0)} already stored",
        f"- requests sent: {report['api_calls']}"
        + (f" (PCGS API quota remaining today: {report['quota']['remaining']})" if report.get("quota") else ""),
        f"- elapsed: {report['elapsed_s']} s"
        + (f"; calls per PCGS number found: {report['calls_per_number_found']}"
           if report.get("calls_per_number_found") else ""),
        "",
        "| tier | series | records | created | updated | unchanged | failed | quarantined | failure rate |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in report["series"]:
        lines.append(f"| {row['tier']} | {row['slug']} | {row['records']} | {row['created']} | {row['updated']} | "
                     f"{row['unchanged']} | {row['failed']} | {row['quarantined']} | {row['failure_rate']:.1%} |")
    if report["selector_stats"]:
        lines += ["", "## Source stats (selectors matched, outcomes)", ""]
        lines += [f"- {key}: {value}" for key, value in sorted(report["selector_stats"].items())]
    if report["errors"]:
        lines += ["", "## Errors", ""] + [f"- {e}" for e in report["errors"]]
    lines += ["", "## Next", ""] + [f"- {s}" for s in report["next"] or ["nothing to do"]]
    return "\n".join(lines) + "\n"


def write_report_files(report: dict, log_path: Path) -> dict[str, str]:
    base = Path(log_path).with_suffix("")
    md, js = base.with_name(base.name + "_report.md"), base.with_name(base.name + "_report.json")
    md.write_text(render_markdown(report), encoding="utf-8")
    js.write_text(dumps(report), encoding="utf-8")
    return {"markdown": str(md), "json": str(js)}


def load_report(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def exit_code(report: dict) -> int:
    """A population run's exit code, as the run chose it (see ``_exit_code``)."""
    return report["exit_code"]
