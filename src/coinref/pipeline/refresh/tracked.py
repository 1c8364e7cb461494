"""Tracked grades: which (grade, plus) points of each coin the price refresh keeps priced.

The table is data, in one place: ``tracked_grades.toml`` next to this module (another file with
the same layout can replace it). Rules are tried in order and the first whose conditions hold
(strike, series, year range) gives the coin's points; the last rule is the catch-all. Grades are
checked against the PCGS grade table when the file is read, so a typo fails at load time with the
rule's name, not later as a wasted API call.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from coinref.catalog.grades import GRADE_NUMBERS, PLUS_MAX, PLUS_MIN
from coinref.errors import ConfigError

Point = tuple[int, bool]  # (grade number, plus)


@dataclass(frozen=True)
class GradeRule:
    name: str
    points: tuple[Point, ...]
    strikes: frozenset[str] = frozenset()
    series: frozenset[str] = frozenset()
    min_year: int | None = None
    max_year: int | None = None

    def matches(self, series_slug: str, strike: str, year: int) -> bool:
        return (
            (not self.strikes or strike in self.strikes)
            and (not self.series or series_slug in self.series)
            and (self.min_year is None or year >= self.min_year)
            and (self.max_year is None or year <= self.max_year)
        )

    @property
    def unconditional(self) -> bool:
        return not (self.strikes or self.series or self.min_year is not None or self.max_year is not None)


def parse_point(value: object, where: str) -> Point:
    """``65`` -> (65, False); ``"64+"`` -> (64, True); anything else is a ConfigError."""
    text = str(value).strip()
    plus = text.endswith("+")
    number_text = text.rstrip("+").strip()
    if not number_text.isdigit() or int(number_text) not in GRADE_NUMBERS:
        raise ConfigError(f"{where}: {value!r} is not a PCGS grade number")
    number = int(number_text)
    if plus and not PLUS_MIN <= number <= PLUS_MAX:
        raise ConfigError(f"{where}: plus grades exist only from {PLUS_MIN} to {PLUS_MAX}, not {value!r}")
    return number, plus


class TrackedGrades:
    """The ordered rules; :meth:`points_for` answers for one coin."""

    def __init__(self, rules: list[GradeRule], origin: str = "tracked_grades.toml") -> None:
        if not rules or not rules[-1].unconditional:
            raise ConfigError(f"{origin}: the last rule must have no condition (it is the default)")
        self.rules = rules
        self.origin = origin
        self._cache: dict[tuple[str, str, int], tuple[Point, ...]] = {}

    @classmethod
    def from_text(cls, text: str, origin: str) -> TrackedGrades:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{origin}: {exc}") from None
        rules = []
        for index, raw in enumerate(data.get("rule", []), start=1):
            name = str(raw.get("name") or f"rule {index}")
            where = f"{origin}, rule {name!r}"
            grades = raw.get("grades")
            if not isinstance(grades, list) or not grades:
                raise ConfigError(f"{where}: `grades` must be a non-empty list")
            points = tuple(dict.fromkeys(parse_point(g, where) for g in grades))
            unknown = set(raw) - {"name", "grades", "strikes", "series", "min_year", "max_year"}
            if unknown:
                raise ConfigError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
            rules.append(
                GradeRule(
                    name=name,
                    points=points,
                    strikes=frozenset(s.upper() for s in raw.get("strikes", [])),
                    series=frozenset(raw.get("series", [])),
                    min_year=raw.get("min_year"),
                    max_year=raw.get("max_year"),
                )
            )
        return cls(rules, origin)

    @classmethod
    def from_file(cls, path: Path) -> TrackedGrades:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read the tracked grades file {path}: {exc.strerror}") from None
        return cls.from_text(text, str(path))

    def rule_for(self, series_slug: str, strike: str, year: int) -> GradeRule:
        return next(rule for rule in self.rules if rule.matches(series_slug, strike, year))

    def points_for(self, series_slug: str, strike: str, year: int) -> tuple[Point, ...]:
        key = (series_slug, strike, year)
        if key not in self._cache:
            self._cache[key] = self.rule_for(series_slug, strike, year).points
        return self._cache[key]

    def describe(self) -> list[dict[str, object]]:
        return [
            {
                "name": r.name,
                "grades": [f"{g}{'+' if p else ''}" for g, p in r.points],
                "strikes": sorted(r.strikes),
                "series": sorted(r.series),
                "min_year": r.min_year,
                "max_year": r.max_year,
            }
            for r in self.rules
        ]


@lru_cache(maxsize=1)
def default_tracked_grades() -> TrackedGrades:
    """The table shipped with coinref."""
    text = resources.files("coinref.pipeline.refresh").joinpath("tracked_grades.toml").read_text(encoding="utf-8")
    return TrackedGrades.from_text(text, "tracked_grades.toml")
