"""service quality: which invoice line kinds count as fixed fees in the SLA credit base

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy of "provider"): a NOT NULL column with a
    # server default is accepted as is by SQLite and PostgreSQL.
    op.add_column(
        "provider",
        sa.Column(
            "sla_fixed_line_kinds",
            sa.String(length=200),
            nullable=False,
            server_default="subscription",
        ),
    )


def downgrade() -> None:
    op.drop_column("provider", "sla_fixed_line_kinds")
