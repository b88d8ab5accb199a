"""Schema management: Alembic migrations applied on start-up."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from .extensions import db

__all__ = ["upgrade_database"]

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade_database() -> None:
    """Bring the app's database to the newest revision (inside an app context)."""
    with db.engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
