"""Helpers for tests that need a catalog without the PCGS numbers the fact files ship (not a test module)."""

from __future__ import annotations

from sqlalchemy import update

from coinref.store.db import session_scope
from coinref.store.models import Coin


def forget_shipped_numbers(engine) -> int:
    """Detach the shipped (catalog-provenance) numbers, as on a catalog that ships none."""
    with session_scope(engine) as session:
        result = session.execute(update(Coin).where(Coin.pcgs_provenance == "catalog").values(
            pcgs_number=None, pcgs_provenance=None, pcgs_state=None))
        return result.rowcount or 0
