"""Refresh runs against the simulator (in-process), on both backends.

Requests are counted at the simulator; stored prices are compared with the simulator's truth.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from refresh_support import (
    TOKEN,
    UNIVERSE,
    Clock,
    FakeMonotonic,
    load_sample,
    make_env,
    make_settings,
    sim_app,
    sim_requests,
)
from sqlalchemy import func, select

from coinref.errors import ConfigError
from coinref.pipeline.refresh import RefreshOptions, price_history, refresh_report, refresh_status, run_refresh
from coinref.pipeline.refresh.points import load_points
from coinref.store.db import session_scope
from coinref.store.models import ApiCall, Coin, PriceObservation, PricePointMiss, Run, Series


@pytest.fixture
def sample(engine):
    return load_sample(engine)


def observations(engine) -> list[PriceObservation]:
    with session_scope(engine) as session:
        return list(session.scalars(select(PriceObservation)))


def misses(engine) -> list[PricePointMiss]:
    with session_scope(engine) as session:
        return list(session.scalars(select(PricePointMiss)))


def number_of_coin(engine) -> dict[int, int]:
    with session_scope(engine) as session:
        return dict(session.execute(select(Coin.id, Coin.pcgs_number)).all())


def test_a_run_spends_at_most_the_quota_and_stores_every_answer(engine, db_url, tmp_path, sample):
    clock = Clock()
    app = sim_app(clock)
    env = make_env(make_settings(db_url, tmp_path, pcgs_daily_quota=15), engine, app, clock)

    report = run_refresh(env, RefreshOptions())

    assert sim_requests(app) == 15
    assert report["counts"]["requests"] == 15
    assert report["exit_code"] == 0 and report["status"] == "completed"
    assert report["plan"]["tracked_points"] > 15  # more to do than the quota allows
    numbers = number_of_coin(engine)
    stored, missed = observations(engine), misses(engine)
    assert len(stored) + len(missed) == 15  # every answer kept: a price, or a miss
    assert report["counts"]["stored"] == len(stored)
    for row in stored:
        truth = UNIVERSE.point(numbers[row.coin_id], row.grade, row.plus, clock.day)
        assert truth is not None and row.price == truth.price
        assert (row.population, row.pop_higher) == (truth.population, truth.pop_higher)
        assert row.source == "pcgs-api" and row.observed_on == clock.day
    for row in missed:
        truth = UNIVERSE.point(numbers[row.coin_id], row.grade, row.plus, clock.day)
        assert row.reason == ("not_found" if truth is None else "unpriced")

    second = run_refresh(env, RefreshOptions())
    assert sim_requests(app) == 15  # nothing more sent
    assert second["counts"]["requests"] == 0
    assert second["stopped"] == "quota_exhausted" and second["exit_code"] == 7
    assert len(observations(engine)) == len(stored)


def test_a_second_run_the_same_day_sends_nothing_for_points_already_observed(engine, db_url, tmp_path, sample):
    clock = Clock()
    app = sim_app(clock)
    env = make_env(make_settings(db_url, tmp_path, pcgs_daily_quota=1000), engine, app, clock)

    first = run_refresh(env, RefreshOptions())
    sent = sim_requests(app)
    assert sent == first["plan"]["tracked_points"]  # the whole catalog fits in the budget
    assert first["plan"]["deferred"] == 0

    second = run_refresh(env, RefreshOptions())
    assert sim_requests(app) == sent
    assert second["plan"]["planned"] == 0 and second["exit_code"] == 0
    assert second["plan"]["observed_today"] == first["counts"]["stored"]

    clock.day += timedelta(days=1)  # the next day, fresh points are refreshed with the spare quota
    third = run_refresh(env, RefreshOptions())
    assert third["plan"]["waiting_after_miss"] == first["counts"]["not_found"] + first["counts"]["unpriced"]
    assert sim_requests(app) == sent + third["counts"]["stored"]
    row = observations(engine)[0]
    history = price_history(engine, number_of_coin(engine)[row.coin_id], grade=row.grade, plus=row.plus)
    assert [o["observed_on"] for o in history["observations"]] == [clock.day - timedelta(days=1), clock.day]


def test_a_dry_run_sends_nothing_and_writes_nothing(engine, db_url, tmp_path, sample):
    clock = Clock()
    app = sim_app(clock)
    env = make_env(make_settings(db_url, tmp_path), engine, app, clock)

    report = run_refresh(env, RefreshOptions(dry_run=True))

    assert sim_requests(app) == 0
    assert report["status"] == "dry-run" and len(report["batch"]) == 15
    assert not observations(engine) and not misses(engine)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count(Run.id))) == 0
        assert session.scalar(select(func.count(ApiCall.id))) == 0
    assert not (tmp_path / "logs").exists()


def test_the_run_is_recorded_logged_and_reported(engine, db_url, tmp_path, sample):
    clock = Clock()
    app = sim_app(clock)
    env = make_env(make_settings(db_url, tmp_path), engine, app, clock)

    report = run_refresh(env, RefreshOptions(limit=5))

    with session_scope(engine) as session:
        run = session.scalars(select(Run)).one()
        tagged = session.scalar(select(func.count(ApiCall.id)).where(ApiCall.run_id == run.id))
    assert (run.kind, run.status, run.source) == ("refresh", "completed", "pcgs-api")
    assert run.counts["requests"] == 5 == tagged == sim_requests(app)
    assert run.finished_at is not None and run.args["limit"] == 5
    log_file = tmp_path / "logs" / f"price_refresh_{clock.day.isoformat()}.log"
    latest = tmp_path / "logs" / "price_refresh_latest.md"
    assert report["log_file"] == str(log_file)
    text = log_file.read_text(encoding="utf-8")
    assert f"refresh run {run.id}" in text and TOKEN not in text
    summary = latest.read_text(encoding="utf-8")
    assert f"Price refresh run #{run.id}: completed" in summary and "## Status" in summary and TOKEN not in summary

    run_refresh(env, RefreshOptions(limit=2))  # the day's log grows, the latest report is rewritten
    assert len(log_file.read_text(encoding="utf-8")) > len(text)
    assert f"run #{run.id + 1}" in latest.read_text(encoding="utf-8")


def test_priority_limits_the_run_to_one_tier(engine, db_url, tmp_path, sample):
    clock = Clock()
    app = sim_app(clock)
    env = make_env(make_settings(db_url, tmp_path, pcgs_daily_quota=1000), engine, app, clock)

    report = run_refresh(env, RefreshOptions(priority="P1"))

    with session_scope(engine) as session:
        tiers = set(session.scalars(
            select(Series.tier).join(Coin, Coin.series_id == Series.id)
            .join(PriceObservation, PriceObservation.coin_id == Coin.id)
        ))
    assert tiers == {"P1"}
    assert report["counts"]["requests"] == report["plan"]["tracked_points"] > 0


def test_when_the_service_says_the_quota_is_used_up_the_run_stops_and_resumes(engine, db_url, tmp_path, sample):
    clock = Clock()
    app = sim_app(clock, quota=4)  # PCGS runs out before our ledger does
    env = make_env(make_settings(db_url, tmp_path, pcgs_daily_quota=15), engine, app, clock)

    report = run_refresh(env, RefreshOptions())

    assert report["stopped"] == "quota_exhausted" and report["exit_code"] == 7
    assert report["counts"]["stored"] + report["counts"]["not_found"] + report["counts"]["unpriced"] == 4
    assert env.ledger().status()["exhausted"] is True
    kept = len(observations(engine)) + len(misses(engine))
    assert kept == 4

    again = run_refresh(env, RefreshOptions())  # same day: the ledger knows, nothing is sent
    assert again["counts"]["requests"] == 0 and sim_requests(app) == 5

    clock.day += timedelta(days=1)
    resumed = run_refresh(env, RefreshOptions())
    assert resumed["counts"]["requests"] == 5 and resumed["exit_code"] == 7  # 4 answers and the refusal
    assert len(observations(engine)) + len(misses(engine)) == 8  # new points, nothing lost or repeated


def test_an_open_circuit_stops_the_run_resumably(engine, db_url, tmp_path, sample):
    clock = Clock()
    app = sim_app(clock, faults="500*100")
    env = make_env(make_settings(db_url, tmp_path, pcgs_daily_quota=100, pcgs_max_retries=1, breaker_fail_max=3),
                   engine, app, clock)

    report = run_refresh(env, RefreshOptions())

    # the API kept failing (not refusing us): an upstream error, exit 5, still resumable
    assert report["stopped"] == "unavailable" and report["exit_code"] == 5
    assert sim_requests(app) == 3  # the breaker refuses further calls without sending them
    assert report["errors_by_kind"] == {"transient": 1}
    assert not observations(engine) and not misses(engine)


def test_rate_limiting_stops_the_run_and_keeps_what_was_answered(engine, db_url, tmp_path, sample):
    clock = Clock()
    app = sim_app(clock, faults="ok*3,429:retry-after=3600")  # "come back in an hour": no waiting here
    env = make_env(make_settings(db_url, tmp_path), engine, app, clock)

    report = run_refresh(env, RefreshOptions())

    assert report["stopped"] == "rate_limited" and report["exit_code"] == 7
    assert sim_requests(app) == 4
    assert len(observations(engine)) + len(misses(engine)) == 3


def test_a_rejected_token_stops_the_run_with_exit_4(engine, db_url, tmp_path, sample):
    clock = Clock()
    app = sim_app(clock, token="another-token")
    env = make_env(make_settings(db_url, tmp_path), engine, app, clock)

    report = run_refresh(env, RefreshOptions())

    assert report["stopped"] == "authentication" and report["exit_code"] == 4
    assert sim_requests(app) == 1
    with session_scope(engine) as session:
        run = session.scalars(select(Run)).one()
    assert (run.status, run.report["stopped"]) == ("stopped", "authentication")


def test_a_missing_token_fails_before_any_call_or_write(engine, db_url, tmp_path, sample):
    from coinref.pipeline.refresh import RefreshEnv

    settings = make_settings(db_url, tmp_path, pcgs_api_token=None)
    with pytest.raises(ConfigError, match="PCGS_API_TOKEN is not set"):
        run_refresh(RefreshEnv(settings=settings, engine=engine, clock=Clock().now), RefreshOptions())
    with session_scope(engine) as session:  # checked up front: no run row, no log file
        assert session.scalars(select(Run)).first() is None
    assert not (tmp_path / "logs").exists() or not list((tmp_path / "logs").iterdir())


def test_the_time_budget_bounds_a_run(engine, db_url, tmp_path, sample):
    clock = Clock()
    app = sim_app(clock)
    monotonic = FakeMonotonic(step=1.0)  # every reading of the clock is one second later
    env = make_env(make_settings(db_url, tmp_path, pcgs_daily_quota=100), engine, app, clock, monotonic=monotonic)

    report = run_refresh(env, RefreshOptions(time_budget_s=12))

    assert report["stopped"] == "time_budget" and report["exit_code"] == 0
    assert 0 < sim_requests(app) < report["plan"]["planned"]


def test_status_and_report_count_what_the_runs_did(engine, db_url, tmp_path, sample):
    clock = Clock()
    app = sim_app(clock)
    env = make_env(make_settings(db_url, tmp_path), engine, app, clock)
    before = refresh_status(env)
    assert before["last_run"] is None and before["points"]["fresh"] == 0
    assert before["points"]["never_priced"] == before["points"]["tracked_points"]

    run = run_refresh(env, RefreshOptions())
    clock.day += timedelta(days=9)  # what was bought is stale now
    status = refresh_status(env)
    report = refresh_report(env)

    assert sim_requests(app) == 15  # status and report send nothing
    points = status["points"]
    assert status["last_run"]["id"] == run["run_id"] and status["quota"]["used"] == 0
    assert points["stale"] == run["counts"]["stored"]
    assert points["fresh"] == 0
    assert points["never_priced"] == points["tracked_points"] - run["counts"]["stored"]
    assert points["waiting_after_miss"] == run["counts"]["not_found"] + run["counts"]["unpriced"]

    report_days = [row["day"] for row in report["activity"]]
    assert report_days[-1] == clock.day and len(report_days) == 7
    assert sum(row["prices_stored"] for row in report["activity"]) == 0  # the run was 9 days ago
    with session_scope(engine) as session:
        priced_coins = session.scalar(select(func.count(func.distinct(PriceObservation.coin_id))))
    stale_coins = report["coins_not_refreshed_14d"]
    assert stale_coins["count"] == stale_coins["never_priced"] == report["points"]["coins_tracked"] - priced_coins
    assert report["days_to_refresh_all"] is None

    clock.day += timedelta(days=6)  # 15 days after the run: every coin is overdue
    assert refresh_report(env)["coins_not_refreshed_14d"]["count"] == report["points"]["coins_tracked"]
    clock.day -= timedelta(days=6)

    clock.day -= timedelta(days=9)
    today_report = refresh_report(env)
    assert today_report["activity"][-1]["prices_stored"] == run["counts"]["stored"]
    assert today_report["activity"][-1]["quota_used"] == 15 and today_report["activity"][-1]["runs"] == 1
    assert today_report["pace_points_per_day"] == pytest.approx(run["counts"]["stored"] / 7, abs=0.1)
    assert today_report["days_to_refresh_all"] > 0


def test_load_points_reads_each_tracked_point_once(engine, sample):
    points = load_points(engine, Clock().day)
    keys = [p.key for p in points.points]
    assert len(keys) == len(set(keys))
    assert {p.coin.id for p in points.points} == set(sample.values())
