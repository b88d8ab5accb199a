"""The database: SQLite tuning, Alembic migrations on start-up, safe session ends."""

from __future__ import annotations

import contextlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

__all__ = [
    "configure_sqlite",
    "insert_if_missing",
    "remove_sessions_safely",
    "upgrade_database",
]

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    # WAL lets readers run beside the one writer; NORMAL syncs at checkpoints
    # (still durable against a process crash); wait instead of failing when
    # another process holds the write lock.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def configure_sqlite() -> None:
    """Tune the embedded SQLite database for several threads and processes."""
    if db.engine.dialect.name == "sqlite":
        event.listen(db.engine, "connect", _sqlite_pragmas)


def upgrade_database() -> None:
    """Bring the app's database to the newest revision (inside an app context)."""
    with db.engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def insert_if_missing(model, **values) -> None:
    """``INSERT … ON CONFLICT DO NOTHING``: a row that may exist already."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(model).values(**values).on_conflict_do_nothing())


def remove_sessions_safely(app) -> None:
    """End each request's session even if the database dropped its connection.

    Closing rolls back, and a rollback on a connection the server has just
    terminated (a restart) raises; raised from teardown it would turn the
    request's clean 503 into a bare 500. Registered after Flask-SQLAlchemy's
    own teardown, so it runs first and leaves that one nothing to do.
    """

    @app.teardown_appcontext
    def _remove_session(_exc) -> None:
        try:
            db.session.remove()
        except SQLAlchemyError:
            session = db.session.registry()
            try:
                with contextlib.suppress(SQLAlchemyError):
                    session.invalidate()  # drop the dead connection, not reuse it
            finally:
                db.session.registry.clear()
