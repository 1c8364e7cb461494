"""Spot observations, read through one function: :func:`load_spot`.

The refresh planner (to tell what a bullion coin's price did since it was observed) and the price
estimates of the API and the coin page read metal spot prices only from here. Until the spot-price
store (``coinref spot set/import``) lands, the observations come from the CSV file the
``COINREF_SPOT_CSV`` setting names: a header ``day,metal,usd_per_oz`` and one row per metal and
day (``2026-11-20,silver,31.42``); a later row for the same metal and day replaces an earlier one.
Without the setting there are no observations, and so no estimates. A file that cannot be read, or
a bad row, is a ConfigError naming the file and the line (exit 10).
"""

from __future__ import annotations

import bisect
import csv
import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import Engine

from coinref.config import Settings
from coinref.errors import ConfigError

METALS = ("silver", "gold", "platinum", "palladium")
COLUMNS = ("day", "metal", "usd_per_oz")


@dataclass(frozen=True)
class SpotSeries:
    """Spot prices per metal, oldest first: ``{metal: [(day, usd_per_oz), ...]}``."""

    by_metal: dict[str, list[tuple[date, Decimal]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return any(self.by_metal.values())

    def on_or_before(self, metal: str, day: date) -> tuple[date, Decimal] | None:
        """The newest observation of ``metal`` on or before ``day`` (None when there is none)."""
        rows = self.by_metal.get(metal) or []
        index = bisect.bisect_right(rows, (day, Decimal("Infinity"))) - 1
        return rows[index] if index >= 0 else None

    def daily_move(self, metal: str) -> float | None:
        """Mean absolute log change per day between consecutive observations (None below two)."""
        rows = self.by_metal.get(metal) or []
        moves = days = 0.0
        for (d0, p0), (d1, p1) in zip(rows, rows[1:], strict=False):
            moves += abs(math.log(float(p1) / float(p0)))
            days += (d1 - d0).days
        return moves / days if days else None


def from_rows(rows: list[tuple[date, str, Decimal]]) -> SpotSeries:
    merged: dict[str, dict[date, Decimal]] = {}
    for day, metal, price in rows:
        merged.setdefault(metal, {})[day] = price
    return SpotSeries({metal: sorted(days.items()) for metal, days in merged.items()})


def read_spot_csv(path: Path) -> SpotSeries:
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None or tuple(h.strip().lower() for h in header) != COLUMNS:
                raise ConfigError(f"COINREF_SPOT_CSV {path}: the header must be {','.join(COLUMNS)}")
            rows = []
            for line, row in enumerate(reader, start=2):
                if not row or not any(cell.strip() for cell in row):
                    continue
                rows.append(_parse_row(path, line, row))
    except OSError as exc:
        raise ConfigError(f"COINREF_SPOT_CSV {path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    return from_rows(rows)


def _parse_row(path: Path, line: int, row: list[str]) -> tuple[date, str, Decimal]:
    where = f"COINREF_SPOT_CSV {path} line {line}"
    if len(row) != 3:
        raise ConfigError(f"{where}: expected 3 columns ({','.join(COLUMNS)}), found {len(row)}")
    day_text, metal, price_text = (cell.strip() for cell in row)
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise ConfigError(f"{where}: not a day (YYYY-MM-DD): {day_text!r}") from None
    metal = metal.lower()
    if metal not in METALS:
        raise ConfigError(f"{where}: unknown metal {metal!r}; use {', '.join(METALS)}")
    try:
        price = Decimal(price_text)
    except InvalidOperation:
        price = Decimal("NaN")
    if not price.is_finite() or price <= 0:
        raise ConfigError(f"{where}: the price must be a positive number, not {price_text!r}")
    return day, metal, price


def load_spot(settings: Settings, engine: Engine | None = None) -> SpotSeries:
    """Every spot observation coinref knows (empty without ``COINREF_SPOT_CSV``).

    ``engine`` is for the spot-price store: once it lands, this function reads it (every caller
    already passes the database) and the CSV remains the fallback.
    """
    path = settings.coinref_spot_csv
    return read_spot_csv(Path(path)) if path else SpotSeries()
