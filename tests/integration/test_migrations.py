"""The migrations end where the models are, and can be taken back."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from bridge import models  # noqa: F401 - registers the tables
from bridge.database import alembic_config
from bridge.extensions import db


def _run(engine, *step) -> None:
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        getattr(command, step[0])(config, step[1])


def test_head_matches_the_models_and_the_newer_revisions_downgrade(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    _run(engine, "upgrade", "head")
    with engine.connect() as connection:
        assert (
            compare_metadata(MigrationContext.configure(connection), db.metadata) == []
        )
    _run(engine, "downgrade", "0004")
    tables = set(inspect(engine).get_table_names())
    assert not tables & {"oa_seal_tasks", "oa_red_headers", "oa_used_nonces"}
    columns = {c["name"] for c in inspect(engine).get_columns("outbox_messages")}
    assert "kind" not in columns
