"""Instance folders for tests, each with a database of its own.

On SQLite the database is the folder's file; with a PostgreSQL server each
instance gets its own database, a copy of the one it was copied from.
"""

from __future__ import annotations

import contextlib
import itertools
import shutil
import tomllib
from pathlib import Path

from bridge import create_app
from bridge.config import INSTANCE_FILE
from bridge.extensions import db
from tests.postgres import PostgresServer

__all__ = ["Instances", "app_context_of"]


class Instances:
    """Makes instance folders, each with a database of its own."""

    def __init__(self, server: PostgresServer | None) -> None:
        self.server = server
        self._numbers = itertools.count(1)

    def new(self, folder: Path, copy_of: Path | None = None) -> Path:
        """An instance at ``folder``: empty, or a copy of ``copy_of``."""
        if copy_of is None:
            folder.mkdir(parents=True)
        else:
            shutil.copytree(copy_of, folder)
        if self.server is not None:
            template = _database_of(copy_of) if copy_of is not None else None
            url = self.server.create_database(f"t{next(self._numbers)}", template)
            (folder / INSTANCE_FILE).write_text(f'DATABASE_URL = "{url}"\n')
        return folder


def _database_of(home: Path) -> str:
    config = tomllib.loads((home / INSTANCE_FILE).read_text())
    return config["DATABASE_URL"].rsplit("/", 1)[1]


@contextlib.contextmanager
def app_context_of(home: Path):
    """An app context on ``home`` that leaves no connection open afterwards.

    A PostgreSQL database can be copied only while no one is connected to it.
    """
    app = create_app({"HOME": str(home)})
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()
