"""billing: VAT rates, issue chain, frozen issued documents (triggers)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Columns of an issued invoice or credit note that nothing may change: what was
# printed, what was sent and what the hash covers. Status (payments), dispute and
# PDF fingerprint stay writable.
FROZEN_COLUMNS = (
    "client_id", "kind", "number", "issued_on", "issued_at", "issued_by", "due_on",
    "period_start", "period_end", "billing_month", "is_renewal", "corrects_id",
    "total_excl_vat", "total_vat", "total_incl_vat", "currency", "payment_method",
    "purchase_order_ref", "buyer_name", "buyer_address", "buyer_siren", "buyer_vat_number",
    "seller_json", "buyer_json", "reason", "chain_index", "previous_hash", "hash",
)
ISSUED_UPDATE = "facture ou avoir émis : modification interdite (faites un avoir)"
ISSUED_DELETE = "facture ou avoir émis : suppression interdite"
ISSUED_LINES = "facture ou avoir émis : lignes non modifiables"

_SQLITE_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN_COLUMNS)
_PG_CHANGED = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FROZEN_COLUMNS)


def _sqlite_line_trigger(name: str, event: str, row: str) -> str:
    return f"""
CREATE TRIGGER {name} BEFORE {event} ON invoice_line
WHEN (SELECT status FROM invoice WHERE id = {row}.invoice_id) <> 'draft'
BEGIN SELECT RAISE(ABORT, '{ISSUED_LINES}'); END
"""


SQLITE_UPGRADE = [
    f"""
CREATE TRIGGER invoice_issued_frozen BEFORE UPDATE ON invoice
WHEN OLD.status <> 'draft' AND (NEW.status = 'draft' OR {_SQLITE_CHANGED})
BEGIN SELECT RAISE(ABORT, '{ISSUED_UPDATE}'); END
""",
    f"""
CREATE TRIGGER invoice_issued_kept BEFORE DELETE ON invoice
WHEN OLD.status <> 'draft'
BEGIN SELECT RAISE(ABORT, '{ISSUED_DELETE}'); END
""",
    _sqlite_line_trigger("invoice_line_insert_frozen", "INSERT", "NEW"),
    _sqlite_line_trigger("invoice_line_update_frozen", "UPDATE", "OLD"),
    _sqlite_line_trigger("invoice_line_delete_frozen", "DELETE", "OLD"),
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER invoice_line_delete_frozen",
    "DROP TRIGGER invoice_line_update_frozen",
    "DROP TRIGGER invoice_line_insert_frozen",
    "DROP TRIGGER invoice_issued_kept",
    "DROP TRIGGER invoice_issued_frozen",
]

POSTGRESQL_UPGRADE = [
    f"""
CREATE FUNCTION invoice_issued_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION '{ISSUED_DELETE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND (NEW.status = 'draft' OR {_PG_CHANGED}) THEN
        RAISE EXCEPTION '{ISSUED_UPDATE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$
""",
    """
CREATE TRIGGER invoice_issued_frozen BEFORE UPDATE OR DELETE ON invoice
FOR EACH ROW EXECUTE FUNCTION invoice_issued_frozen()
""",
    f"""
CREATE FUNCTION invoice_line_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent integer := CASE WHEN TG_OP = 'INSERT' THEN NEW.invoice_id ELSE OLD.invoice_id END;
BEGIN
    IF (SELECT status FROM invoice WHERE id = parent) <> 'draft' THEN
        RAISE EXCEPTION '{ISSUED_LINES}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$
""",
    """
CREATE TRIGGER invoice_line_frozen BEFORE INSERT OR UPDATE OR DELETE ON invoice_line
FOR EACH ROW EXECUTE FUNCTION invoice_line_frozen()
""",
]
POSTGRESQL_DOWNGRADE = [
    "DROP TRIGGER invoice_line_frozen ON invoice_line",
    "DROP FUNCTION invoice_line_frozen()",
    "DROP TRIGGER invoice_issued_frozen ON invoice",
    "DROP FUNCTION invoice_issued_frozen()",
]


def _run(statements: dict[str, list[str]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


# Plain ALTER TABLE, no batch copy: re-creating "invoice" on SQLite would trip the
# foreign keys of its lines and payments. SQLite takes a new column's REFERENCES
# inline; PostgreSQL gets named constraints.
LINE_REFERENCES = {
    "subscribed_option_id": "subscribed_option",
    "corrects_line_id": "invoice_line",
}


def upgrade() -> None:
    op.add_column("plan", sa.Column("vat_rate", sa.Numeric(5, 2), nullable=True))
    op.add_column("catalogue_option", sa.Column("vat_rate", sa.Numeric(5, 2), nullable=True))
    op.add_column("invoice", sa.Column("seller_json", sa.Text(), nullable=True))
    op.add_column("invoice", sa.Column("buyer_json", sa.Text(), nullable=True))
    op.add_column("invoice", sa.Column("reason", sa.Text(), nullable=True))
    op.add_column("invoice", sa.Column("chain_index", sa.Integer(), nullable=True))
    op.create_index("ux_invoice_chain_index", "invoice", ["chain_index"], unique=True)
    op.create_index(
        "ux_invoice_client_month", "invoice", ["client_id", "billing_month"], unique=True
    )
    for column, table in LINE_REFERENCES.items():
        name = f"fk_invoice_line_{column}_{table}"
        if _is_sqlite():
            op.execute(
                f"ALTER TABLE invoice_line ADD COLUMN {column} INTEGER "
                f"CONSTRAINT {name} REFERENCES {table} (id)"
            )
        else:
            op.add_column("invoice_line", sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(name, "invoice_line", table, [column], ["id"])
    op.create_index(
        "ix_invoice_line_subscribed_option_id", "invoice_line", ["subscribed_option_id"]
    )
    _run({"sqlite": SQLITE_UPGRADE, "postgresql": POSTGRESQL_UPGRADE})


def downgrade() -> None:
    _run({"sqlite": SQLITE_DOWNGRADE, "postgresql": POSTGRESQL_DOWNGRADE})
    op.drop_index("ix_invoice_line_subscribed_option_id", "invoice_line")
    for column, table in LINE_REFERENCES.items():
        if not _is_sqlite():
            op.drop_constraint(f"fk_invoice_line_{column}_{table}", "invoice_line")
        op.drop_column("invoice_line", column)
    op.drop_index("ux_invoice_client_month", "invoice")
    op.drop_index("ux_invoice_chain_index", "invoice")
    for column in ("chain_index", "reason", "buyer_json", "seller_json"):
        op.drop_column("invoice", column)
    op.drop_column("catalogue_option", "vat_rate")
    op.drop_column("plan", "vat_rate")
