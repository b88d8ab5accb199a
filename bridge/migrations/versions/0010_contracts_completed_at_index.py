"""index contracts by completion time

The dashboard's cycle-time charts read the contracts completed in a period;
without the index that is a scan of every contract ever made.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 08:20:00
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_contracts_completed_at"), "contracts", ["completed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_contracts_completed_at"), table_name="contracts")
