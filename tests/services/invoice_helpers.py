"""Draft invoices written straight through the ORM, for tests of issuing and after."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Invoice, InvoiceLine
from desktop.domain.enums import InvoiceKind, InvoiceLineKind
from desktop.services.issuing import issue_drafts
from tests.documents.pdf_helpers import store_provider
from tests.services.factories import ACTOR, client

# (description, quantity, unit price, VAT rate, amount excl. VAT)
LineSpec = tuple[str, str, str, str, str]

TWO_LINES: Sequence[LineSpec] = (
    ("Boîte jean@acme.fr — Exchange 50 Go", "1", "12.00", "20.00", "12.00"),
    ("Formation", "2", "45.50", "5.50", "91.00"),
)


def billing_setup(db: Database) -> int:
    """The provider's identity and one business client; the client's id."""
    store_provider(db)
    return client(db).id


def draft_invoice(
    db: Database,
    client_id: int,
    lines: Sequence[LineSpec] = TWO_LINES,
    *,
    month: date | None = None,
    kind: InvoiceKind = InvoiceKind.INVOICE,
    corrects_id: int | None = None,
) -> int:
    with db.session_scope() as session:
        invoice = Invoice(
            client_id=client_id,
            kind=kind,
            billing_month=month,
            corrects_id=corrects_id,
            period_start=month,
            updated_by=ACTOR,
        )
        for position, (text, quantity, unit, rate, amount) in enumerate(lines, start=1):
            invoice.lines.append(
                InvoiceLine(
                    position=position,
                    kind=InvoiceLineKind.SERVICE,
                    description=text,
                    quantity=Decimal(quantity),
                    unit_price_excl_vat=Decimal(unit),
                    vat_rate=Decimal(rate),
                    amount_excl_vat=Decimal(amount),
                )
            )
        session.add(invoice)
        session.flush()
        return invoice.id


def issued_invoice(
    db: Database, client_id: int, lines: Sequence[LineSpec] = TWO_LINES, *, on: date
) -> tuple[int, str]:
    invoice_id = draft_invoice(db, client_id, lines)
    (number,) = issue_drafts(db, [invoice_id], actor=ACTOR, today=on)
    return invoice_id, number


SQLITE_TRIGGERS = (
    "invoice_issued_frozen",
    "invoice_issued_kept",
    "invoice_line_update_frozen",
    "invoice_line_delete_frozen",
)


def tamper(db: Database, *statements: str) -> None:
    """Run SQL with the immutability triggers out of the way, as an intruder with
    full rights would (SQLite: this test's own copy loses them; PostgreSQL: this
    transaction skips them)."""
    with db.session_scope() as session:
        if db.is_sqlite:
            for name in SQLITE_TRIGGERS:
                session.execute(sa.text(f"DROP TRIGGER {name}"))
        else:
            session.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for statement in statements:
            session.execute(sa.text(statement))
