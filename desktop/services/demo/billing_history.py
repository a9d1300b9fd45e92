"""The demo's billing history: the last months billed through the real billing run,
a few credit notes and disputes, then payments: most invoices paid, some partly,
some overdue.

Invoices and credit notes go through the services (numbers, chain, triggers);
payments are written in bulk, the way a bank statement import would, with the
statuses they lead to. A direct debit takes the whole amount on the due date; the
last months' debits of a few clients are left to the real SEPA batches
(``collections.py``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import Client, Invoice, InvoiceLine, Payment
from desktop.domain.clock import PARIS, paris_today
from desktop.domain.enums import InvoiceKind, InvoiceStatus, PaymentMethod
from desktop.domain.money import round_money
from desktop.domain.periods import add_months
from desktop.domain.settlement import settled_status
from desktop.services.billing_run import run_billing
from desktop.services.credit_notes import CreditLine, create_credit_note
from desktop.services.demo.words import STAFF
from desktop.services.payments import record_dispute

HISTORY_MONTHS = 12
BATCH_MONTHS = 3
"""The last months (this one included) whose debits go through real SEPA batches."""
BATCH_CLIENTS = 100
"""At most this many clients' debits go through them (the first by code)."""
Progress = Callable[[str, int, int], None]

CREDIT_REASONS = (
    "Boîte résiliée facturée à tort",
    "Geste commercial après incident",
    "Erreur de formule",
    "Doublon de facturation d'une option",
)
DISPUTE_REASONS = (
    "Le client conteste le renouvellement de deux boîtes",
    "Le client demande le détail des boîtes facturées",
)
_REFERENCES = {
    PaymentMethod.TRANSFER: "VIR {number}",
    PaymentMethod.CHEQUE: "CHQ n° {cheque}",
    PaymentMethod.ADMINISTRATIVE_MANDATE: "Mandat {number}",
    PaymentMethod.SEPA_DEBIT: "PRLV SEPA {number}",
}


def bill_history(
    db: Database,
    *,
    today: date,
    seed: int,
    months: int = HISTORY_MONTHS,
    progress: Progress | None = None,
) -> int:
    """Bill the last ``months`` months (this one included); the documents issued."""
    rng = random.Random(seed)
    first = add_months(today.replace(day=1), -(months - 1))
    for index in range(months):
        month = add_months(first, index)
        report = run_billing(db, month, actor=rng.choice(STAFF), today=month)
        _corrections(db, rng, report.numbers, min(month + timedelta(days=12), today))
        if progress is not None:
            progress("Facturation des mois passés", index + 1, months)
    with db.session_scope() as session:
        _pay(session, rng, today)
        return session.execute(
            sa.select(sa.func.count(Invoice.id)).where(Invoice.status != InvoiceStatus.DRAFT)
        ).scalar_one()


def _corrections(db: Database, rng: random.Random, numbers: Sequence[str], day: date) -> None:
    """A credit note on about one invoice in forty, and a rare dispute."""
    for number in numbers:
        roll = rng.random()
        if roll < 0.025:
            _credit_one_line(db, rng, number, day)
        elif roll < 0.04 and day <= paris_today():
            _dispute(db, rng, number)


def _credit_one_line(db: Database, rng: random.Random, number: str, day: date) -> None:
    with db.read_session() as session:
        invoice_id, line_id, amount = session.execute(
            sa.select(Invoice.id, InvoiceLine.id, InvoiceLine.amount_excl_vat)
            .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
            .where(Invoice.number == number, InvoiceLine.amount_excl_vat > 0)
            .order_by(InvoiceLine.position)
            .limit(1)
        ).one()
    create_credit_note(
        db,
        invoice_id,
        lines=[CreditLine(line_id, amount)],
        reason=rng.choice(CREDIT_REASONS),
        actor=rng.choice(STAFF),
        today=day,
    )


def _dispute(db: Database, rng: random.Random, number: str) -> None:
    with db.read_session() as session:
        invoice = session.execute(
            sa.select(Invoice.id, Invoice.issued_on, Invoice.is_renewal).where(
                Invoice.number == number
            )
        ).one()
    assert invoice.issued_on is not None
    received = invoice.issued_on + timedelta(days=rng.randint(1, 9))
    if invoice.is_renewal and received <= paris_today():
        record_dispute(
            db,
            invoice.id,
            received_on=received,
            reason=rng.choice(DISPUTE_REASONS),
            actor=rng.choice(STAFF),
        )


def batch_debited(session: Session, today: date) -> list[int]:
    """The direct-debit invoices of the last ``BATCH_MONTHS`` months that real SEPA
    batches collect, not the bulk payments: those of the first ``BATCH_CLIENTS``
    clients (by code) billed that way; by issue date, then id."""
    first = add_months(today.replace(day=1), -(BATCH_MONTHS - 1))
    debited = sa.and_(
        Invoice.kind == InvoiceKind.INVOICE,
        Invoice.status != InvoiceStatus.DRAFT,
        Invoice.payment_method == PaymentMethod.SEPA_DEBIT,
        Invoice.issued_on >= first,
    )
    clients = (
        sa.select(Client.id)
        .where(Client.id.in_(sa.select(Invoice.client_id).where(debited)))
        .order_by(Client.code)
        .limit(BATCH_CLIENTS)
    )
    return list(
        session.scalars(
            sa.select(Invoice.id)
            .where(debited, Invoice.client_id.in_(clients.scalar_subquery()))
            .order_by(Invoice.issued_on, Invoice.id)
        )
    )


def _pay(session: Session, rng: random.Random, today: date) -> None:
    """Payments on what is due: most paid on time, some partly, some left overdue."""
    payments: list[dict[str, Any]] = []
    statuses: list[dict[str, Any]] = []
    left = set(batch_debited(session, today))
    for invoice in _unsettled(session):
        amount, paid_on = _payment_of(rng, invoice, today)
        if amount <= 0 or invoice.id in left:
            continue
        payments.append(payment_row(rng, invoice, amount, paid_on))
        status = settled_status(invoice.total_incl_vat, amount, invoice.credited)
        statuses.append({"b_id": invoice.id, "status": status})
    if not payments:
        return
    session.execute(sa.insert(Payment), payments)
    table = cast(sa.Table, Invoice.__table__)
    session.execute(
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"))
        .values(status=sa.bindparam("status"), version=table.c.version + 1),
        statuses,
    )


def _unsettled(session: Session) -> Sequence[Any]:
    credit = sa.orm.aliased(Invoice)
    credited = (
        sa.select(sa.func.coalesce(sa.func.sum(credit.total_incl_vat), 0))
        .where(credit.corrects_id == Invoice.id)
        .scalar_subquery()
    )
    rows: Sequence[Any] = session.execute(
        sa.select(
            Invoice.id,
            Invoice.number,
            Invoice.issued_on,
            Invoice.due_on,
            Invoice.total_incl_vat,
            Invoice.payment_method,
            credited.label("credited"),
        )
        .where(Invoice.kind == InvoiceKind.INVOICE, Invoice.status == InvoiceStatus.ISSUED)
        .order_by(Invoice.chain_index)
    ).all()
    return rows


def _payment_of(rng: random.Random, invoice: sa.Row[Any], today: date) -> tuple[Decimal, date]:
    """What was received, and when: nothing (0) when the invoice stays unpaid."""
    due = invoice.total_incl_vat - round_money(Decimal(invoice.credited))
    paid_on = invoice.issued_on + timedelta(days=rng.randint(2, 40))
    roll = rng.random()
    if invoice.payment_method is PaymentMethod.SEPA_DEBIT:
        paid_on = invoice.due_on  # collected whole on the due date
        return (Decimal(0) if paid_on >= today or due <= 0 else due), paid_on
    if paid_on >= today or due <= 0:
        return Decimal(0), paid_on
    if invoice.due_on < today and roll < 0.04:
        return Decimal(0), paid_on  # overdue
    if roll < 0.08:
        return round_money(due / 2), paid_on  # partly paid
    return due, paid_on


def payment_row(
    rng: random.Random, invoice: sa.Row[Any], amount: Decimal, paid_on: date
) -> dict[str, Any]:
    method = invoice.payment_method or PaymentMethod.TRANSFER
    at = datetime.combine(paid_on, time(10, rng.randint(0, 59)), PARIS)
    reference = _REFERENCES[method].format(
        number=invoice.number, cheque=rng.randint(1_000_000, 9_999_999)
    )
    staff = rng.choice(STAFF)
    return {
        "invoice_id": invoice.id,
        "paid_on": paid_on,
        "amount": amount,
        "method": method,
        "reference": reference,
        "recorded_at": at,
        "recorded_by": staff,
        "version": 1,
        "created_at": at,
        "updated_at": at,
        "updated_by": staff,
    }
