"""What a command needs at hand: the settings and a database engine, created on first use."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from coinref.config import Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine


@dataclass
class AppContext:
    settings: Settings = field(default_factory=load_settings)

    @cached_property
    def engine(self) -> Engine:
        from coinref.store.db import make_engine  # here, so commands without a database never load SQLAlchemy

        return make_engine(self.settings.database_url)

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
