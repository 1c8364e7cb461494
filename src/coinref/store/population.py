"""Population history: PCGS's graded population at a grade and above it, per (coin, grade, plus, source, day).

Every CoinFacts answer carries ``Population`` and ``PopHigher``; :func:`record_population` keeps
them like prices (a second answer the same day updates the row, a new day adds one), priced or
not. ``store/prices.py`` calls it for every price written with a population, and the callers
that store an unpriced answer call it directly. The readers answer "how many now, and how many
then": :func:`population_by_grade` for a coin page, :func:`population_changes` for the report.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from coinref.store.models import Coin, PopulationObservation
from coinref.timeutil import utcnow

P = PopulationObservation


def record_population(session: Session, *, coin_id: int, grade: int, plus: bool, source: str, observed_on: date,
                      population: int | None, pop_higher: int | None, now: datetime | None = None) -> None:
    """Insert or update the population of (coin, grade, plus, source, day); nothing when none was given."""
    if population is None:
        return
    now = now or utcnow()
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    statement = insert(P).values(coin_id=coin_id, grade=grade, plus=plus, source=source, observed_on=observed_on,
                                 population=population, pop_higher=pop_higher, fetched_at=now)
    session.execute(statement.on_conflict_do_update(
        index_elements=["coin_id", "grade", "plus", "source", "observed_on"],
        set_={"population": population, "pop_higher": pop_higher, "fetched_at": now}))


def _latest(day: date, *, after: date | None = None, first: bool = False):
    """Per point, the day of the last observation on or before ``day`` (or the first after ``after``)."""
    pick = func.min(P.observed_on) if first else func.max(P.observed_on)
    query = select(P.coin_id, P.grade, P.plus, P.source, pick.label("day")).where(P.observed_on <= day)
    if after is not None:
        query = query.where(P.observed_on > after)
    return query.group_by(P.coin_id, P.grade, P.plus, P.source).subquery()


def _values(session: Session, chosen, coin_id: int | None = None) -> dict[tuple, tuple[date, int, int | None]]:
    query = select(P.coin_id, P.grade, P.plus, P.source, P.observed_on, P.population, P.pop_higher).join(
        chosen, and_(chosen.c.coin_id == P.coin_id, chosen.c.grade == P.grade, chosen.c.plus == P.plus,
                     chosen.c.source == P.source, chosen.c.day == P.observed_on))
    if coin_id is not None:
        query = query.where(P.coin_id == coin_id)
    return {(c, g, p, s): (d, pop, higher) for c, g, p, s, d, pop, higher in session.execute(query)}


def _compare(session: Session, as_of: date, days: int, coin_id: int | None = None) -> list[dict[str, object]]:
    start = as_of - timedelta(days=days)
    now = _values(session, _latest(as_of), coin_id)
    before = _values(session, _latest(start), coin_id)
    first_in_window = _values(session, _latest(as_of, after=start, first=True), coin_id)
    out = []
    for key, (day, population, higher) in now.items():
        base = before.get(key) or first_in_window.get(key)
        coin, grade, plus, source = key
        change = None if base is None or base[0] == day else population - base[1]
        out.append({"coin_id": coin, "grade": grade, "plus": plus, "source": source, "observed_on": day,
                    "population": population, "pop_higher": higher,
                    "since": base[0] if base is not None and base[0] != day else None,
                    "was": base[1] if base is not None and base[0] != day else None, "change": change,
                    "change_pct": (round(change / base[1] * 100, 2) if change is not None and base[1] else None)})
    return out


def population_by_grade(session: Session, coin_id: int, as_of: date | None = None, days: int = 30
                        ) -> list[dict[str, object]]:
    """The coin's latest population per grade and its change over ``days`` (``since``/``was``/``change``)."""
    rows = _compare(session, as_of or utcnow().date(), days, coin_id)
    return sorted(rows, key=lambda r: (r["grade"], r["plus"], r["source"]))


def population_changes(session: Session, days: int, as_of: date | None = None, limit: int = 20
                       ) -> list[dict[str, object]]:
    """The grade points whose population changed most over ``days`` up to ``as_of``, largest first.

    A point's change is its latest population minus the latest one ``days`` earlier (or, when it
    was first seen inside the window, minus that first figure; ``since`` says from which day).
    """
    rows = [r for r in _compare(session, as_of or utcnow().date(), days) if r["change"]]
    rows.sort(key=lambda r: (-abs(r["change"]), -(abs(r["change_pct"] or 0)), r["coin_id"], r["grade"]))
    rows = rows[:limit]
    names = dict(session.execute(select(Coin.id, Coin.full_name).where(Coin.id.in_([r["coin_id"] for r in rows]))
                                 ).all()) if rows else {}
    numbers = dict(session.execute(select(Coin.id, Coin.pcgs_number).where(Coin.id.in_(list(names)))).all()
                   ) if names else {}
    strikes = dict(session.execute(select(Coin.id, Coin.strike).where(Coin.id.in_(list(names)))).all()
                   ) if names else {}
    from coinref.catalog.grades import grade_label

    for row in rows:
        row["coin"] = names.get(row["coin_id"], "")
        row["pcgs_number"] = numbers.get(row["coin_id"])
        row["grade_label"] = f"{grade_label(row['grade'], strikes.get(row['coin_id'], 'MS'))}{row['grade']}" + (
            "+" if row["plus"] else "")
    return rows
