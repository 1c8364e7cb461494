"""The daily price refresh: spend the PCGS quota on the prices that matter most, keep the history.

* :mod:`.tracked` - which grades of each coin are tracked (a data table, ``tracked_grades.toml``);
* :mod:`.points` - what the database knows about every tracked point (batch reads);
* :mod:`.planner` - the scoring (demand x urgency) and today's batch within the budget;
* :mod:`.runner` - one run: plan, fetch through the PCGS client, store, stop resumably;
* :mod:`.status` - status, the 7-day report and ``price_refresh_latest.md``;
* :mod:`.history` - a coin's observations over time;
* :mod:`.watchlist` - coins users hold (``coinref watch``).

The CLI (``coinref refresh-prices``, ``prices``, ``watch``), the cron endpoint and the benchmark
call these functions; none of them holds logic of its own. See docs/refresh.md.
"""

from coinref.pipeline.refresh.history import price_history
from coinref.pipeline.refresh.planner import DEFAULT_POLICY, Plan, ScoringPolicy, plan_batch
from coinref.pipeline.refresh.points import load_points
from coinref.pipeline.refresh.runner import RefreshEnv, RefreshOptions, run_refresh, run_refresh_async
from coinref.pipeline.refresh.status import refresh_report, refresh_status
from coinref.pipeline.refresh.tracked import TrackedGrades, default_tracked_grades
from coinref.pipeline.refresh.watchlist import resolve_coin, watch_add, watch_list, watch_remove

__all__ = [
    "DEFAULT_POLICY",
    "Plan",
    "RefreshEnv",
    "RefreshOptions",
    "ScoringPolicy",
    "TrackedGrades",
    "default_tracked_grades",
    "load_points",
    "plan_batch",
    "price_history",
    "refresh_report",
    "refresh_status",
    "resolve_coin",
    "run_refresh",
    "run_refresh_async",
    "watch_add",
    "watch_list",
    "watch_remove",
]
