"""JSON encoding shared by the CLI, reports and the HTTP API: Decimal as a string-exact number."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value) if value == value.to_integral_value() or abs(value) < 10**12 else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def dumps(value: object, *, indent: int | None = 2) -> str:
    return json.dumps(value, default=_default, indent=indent, ensure_ascii=False)
