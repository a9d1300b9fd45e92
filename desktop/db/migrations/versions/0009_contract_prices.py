"""contract prices: the negotiated prices a contract carries from its quote

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contract_price",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("option_id", sa.Integer(), nullable=True),
        sa.Column("unit_price_excl_vat", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "(plan_id IS NULL) <> (option_id IS NULL)",
            name=op.f("ck_contract_price_plan_xor_option"),
        ),
        sa.CheckConstraint(
            "unit_price_excl_vat >= 0", name=op.f("ck_contract_price_price_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contract.id"], name=op.f("fk_contract_price_contract_id_contract")
        ),
        sa.ForeignKeyConstraint(
            ["option_id"],
            ["catalogue_option.id"],
            name=op.f("fk_contract_price_option_id_catalogue_option"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_contract_price_plan_id_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_price")),
        sa.UniqueConstraint(
            "contract_id", "option_id", name=op.f("uq_contract_price_contract_id_option_id")
        ),
        sa.UniqueConstraint(
            "contract_id", "plan_id", name=op.f("uq_contract_price_contract_id_plan_id")
        ),
    )
    op.create_index(
        op.f("ix_contract_price_option_id"), "contract_price", ["option_id"], unique=False
    )
    op.create_index(op.f("ix_contract_price_plan_id"), "contract_price", ["plan_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_contract_price_plan_id"), table_name="contract_price")
    op.drop_index(op.f("ix_contract_price_option_id"), table_name="contract_price")
    op.drop_table("contract_price")
