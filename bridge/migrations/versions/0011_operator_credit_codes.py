"""operators carry their company's unified social credit code

Contracts name a company as the finance system writes it (half- or
full-width brackets, spaces); its credit code is the same everywhere.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 08:25:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("operators") as table:
        table.add_column(sa.Column("credit_code", sa.String(length=18), nullable=True))
        table.create_index(
            table.f("ix_operators_credit_code"), ["credit_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("operators") as table:
        table.drop_index(table.f("ix_operators_credit_code"))
        table.drop_column("credit_code")
