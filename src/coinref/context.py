"""What a command needs at hand: the settings and database engines, created on first use.

``engine`` reads and writes; it creates a missing SQLite file only when ``create_database`` is
set (``coinref init``). ``read_engine`` is for commands that only read: on SQLite it opens the
file read-only, so such a command never creates or writes the database; on PostgreSQL it is
``engine``.
"""

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
    create_database: bool = False

    @cached_property
    def engine(self) -> Engine:
        from coinref.store.db import make_engine  # here, so commands without a database never load SQLAlchemy

        return make_engine(self.settings.database_url, create=self.create_database)

    @cached_property
    def read_engine(self) -> Engine:
        from coinref.store.db import is_sqlite, make_engine

        if not is_sqlite(self.settings.database_url):
            return self.engine
        return make_engine(self.settings.database_url, read_only=True)

    def close(self) -> None:
        for name in ("engine", "read_engine"):
            if name in self.__dict__:
                self.__dict__[name].dispose()
