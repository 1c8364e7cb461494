"""The tracked grades table: defaults per series and strike, and clear errors for a bad file."""

from __future__ import annotations

import pytest

from coinref.catalog.series import all_series
from coinref.errors import ConfigError
from coinref.pipeline.refresh.tracked import TrackedGrades, default_tracked_grades, parse_point


def grades(points):
    return [g for g, _plus in points]


def test_defaults_per_series_and_strike():
    table = default_tracked_grades()
    assert grades(table.points_for("jefferson-nickels", "MS", 1964)) == [63, 64, 65, 66, 67]
    assert grades(table.points_for("silver-eagles", "PR", 2020)) == [65, 66, 67, 68, 69, 70]
    assert grades(table.points_for("morgan-dollars", "PR", 1880)) == [63, 64, 65, 66, 67]
    assert grades(table.points_for("silver-eagles", "SP", 2011)) == [66, 67, 68, 69, 70]
    assert grades(table.points_for("silver-eagles", "MS", 2011)) == [67, 68, 69, 70]
    circulated = [12, 20, 40, 50, 58, 62, 63, 64, 65]
    assert grades(table.points_for("morgan-dollars", "MS", 1881)) == circulated
    assert grades(table.points_for("large-cents", "MS", 1800)) == circulated
    assert all(not plus for plus in (p for _g, p in table.points_for("morgan-dollars", "MS", 1881)))


def test_every_series_in_the_table_exists():
    known = {s.slug for s in all_series()}
    for rule in default_tracked_grades().rules:
        assert rule.series <= known, rule.name


def test_plus_grades_parse():
    assert parse_point("64+", "x") == (64, True)
    assert parse_point(65, "x") == (65, False)
    with pytest.raises(ConfigError, match="plus grades exist only"):
        parse_point("70+", "x")
    with pytest.raises(ConfigError, match="not a PCGS grade"):
        parse_point(71, "x")


def test_a_custom_file_replaces_the_table(tmp_path):
    path = tmp_path / "grades.toml"
    path.write_text('[[rule]]\nname = "proofs"\nstrikes = ["PR"]\ngrades = [69, 70]\n\n'
                    '[[rule]]\nname = "all"\ngrades = [63, "64+", 65]\n', encoding="utf-8")
    table = TrackedGrades.from_file(path)
    assert table.points_for("silver-eagles", "PR", 2000) == ((69, False), (70, False))
    assert table.points_for("morgan-dollars", "MS", 1881) == ((63, False), (64, True), (65, False))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[[rule]]\nname = "only"\nstrikes = ["MS"]\ngrades = [65]\n', "last rule must have no condition"),
        ('[[rule]]\nname = "typo"\ngrades = [65, 66, 600]\n', "rule 'typo'.*600"),
        ('[[rule]]\nname = "empty"\ngrades = []\n', "non-empty list"),
        ('[[rule]]\nname = "odd"\ngrade = [65]\n', "non-empty list"),
        ('[[rule]]\nname = "extra"\ngrades = [65]\ncolour = "red"\n', "unknown keys colour"),
        ("[[rule]\n", "grades.toml"),
    ],
)
def test_bad_tables_fail_at_load_time_naming_the_rule(text, problem):
    with pytest.raises(ConfigError, match=problem):
        TrackedGrades.from_text(text, "grades.toml")


def test_a_missing_file_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the tracked grades file"):
        TrackedGrades.from_file(tmp_path / "nope.toml")
