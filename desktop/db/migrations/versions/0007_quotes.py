"""quotes: global and per-line amount discounts, notes and the decision's reason

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable columns: a plain ADD COLUMN on SQLite and PostgreSQL (no batch copy).
    op.add_column("quote", sa.Column("discount_percent", sa.Numeric(precision=5, scale=2), nullable=True))
    op.add_column("quote", sa.Column("notes", sa.Text(), nullable=True))
    op.add_column("quote", sa.Column("decision_reason", sa.Text(), nullable=True))
    op.add_column("quote_line", sa.Column("discount_amount", sa.Numeric(precision=14, scale=2), nullable=True))


def downgrade() -> None:
    op.drop_column("quote_line", "discount_amount")
    op.drop_column("quote", "decision_reason")
    op.drop_column("quote", "notes")
    op.drop_column("quote", "discount_percent")
