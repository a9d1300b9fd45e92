"""contract terms, signed scan, renewal tracking, DNS values per product line

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


CONTRACT_COLUMNS = (
    sa.Column("consumer_waiver_on", sa.Date(), nullable=True),
    sa.Column("ends_on", sa.Date(), nullable=True),
    sa.Column("renewed_through", sa.Date(), nullable=True),
    sa.Column("signed_scan", sa.LargeBinary(), nullable=True),
    sa.Column("signed_scan_name", sa.String(length=200), nullable=True),
    sa.Column("signed_scan_mime", sa.String(length=100), nullable=True),
)
PRODUCT_LINE_COLUMNS = (
    sa.Column("dns_mx", sa.String(length=253), nullable=True),
    sa.Column("dns_mx_priority", sa.Integer(), nullable=True),
    sa.Column("dns_autodiscover", sa.String(length=253), nullable=True),
    sa.Column("dns_spf", sa.String(length=500), nullable=True),
)


# Plain ALTER TABLE, no batch copy: SQLite (3.35+) adds and drops these columns in
# place, where re-creating "contract" would trip the foreign keys of its mailboxes.
def upgrade() -> None:
    for column in CONTRACT_COLUMNS:
        op.add_column("contract", column)
    op.drop_column("contract", "signed_scan_path")
    for column in PRODUCT_LINE_COLUMNS:
        op.add_column("product_line", column)


def downgrade() -> None:
    for column in PRODUCT_LINE_COLUMNS:
        op.drop_column("product_line", column.name)
    op.add_column("contract", sa.Column("signed_scan_path", sa.String(length=500), nullable=True))
    for column in CONTRACT_COLUMNS:
        op.drop_column("contract", column.name)
