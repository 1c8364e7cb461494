"""Reference data every database has: the series registry and the grade table.

Seeding is an upsert keyed on slug / grade number, so running it again changes nothing.
"""

from __future__ import annotations

from sqlalchemy import Engine, select

from coinref.catalog.grades import standard_grades
from coinref.catalog.series import all_series
from coinref.store.db import session_scope
from coinref.store.models import Grade, Series


def seed_reference_data(engine: Engine) -> dict[str, int]:
    """Insert or update series and grades; return how many rows changed per table."""
    changed = {"series": 0, "grades": 0}
    with session_scope(engine) as session:
        existing = {s.slug: s for s in session.scalars(select(Series))}
        for info in all_series():
            values = info.as_dict() | {"sort_order": info.sort_order}
            row = existing.get(info.slug)
            if row is None:
                session.add(Series(**values))
                changed["series"] += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                changed["series"] += 1
        grades = {g.number: g for g in session.scalars(select(Grade))}
        for info in standard_grades():
            values = {
                "label": info.label,
                "name": info.name,
                "prefixes": list(info.prefixes),
                "plus_allowed": info.plus_allowed,
            }
            row = grades.get(info.number)
            if row is None:
                session.add(Grade(number=info.number, **values))
                changed["grades"] += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                changed["grades"] += 1
    return changed
