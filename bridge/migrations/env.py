"""Alembic environment: runs on the connection handed over by ``upgrade_database``."""

from alembic import context

from bridge import models  # noqa: F401 - registers the tables
from bridge.extensions import db

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=db.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
