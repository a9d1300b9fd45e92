"""staff accounts and personal data: password state, retention periods, anonymised mailboxes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RETENTION = (
    ("retention_prospect_months", "36"),
    ("retention_client_months", "36"),
    ("retention_mailbox_months", "12"),
)


def upgrade() -> None:
    # Plain ADD COLUMN everywhere: nullable, or NOT NULL with a server default,
    # which SQLite and PostgreSQL both accept without copying the table.
    for name, default in RETENTION:
        op.add_column(
            "provider", sa.Column(name, sa.Integer(), nullable=False, server_default=default)
        )
    op.add_column("mailbox", sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "staff_user",
        sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "staff_user", sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("staff_user", "password_changed_at")
    op.drop_column("staff_user", "must_change_password")
    op.drop_column("mailbox", "anonymised_at")
    for name, _default in reversed(RETENTION):
        op.drop_column("provider", name)
