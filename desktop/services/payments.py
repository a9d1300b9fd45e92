"""Payments received on invoices, balances, and a client's dispute of an invoice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import Invoice, Payment, Provider
from desktop.documents.french import french_money
from desktop.domain.clock import PARIS, paris_today
from desktop.domain.enums import InvoiceKind, InvoiceStatus, PaymentMethod
from desktop.domain.errors import ValidationError
from desktop.domain.money import round_money
from desktop.domain.roles import Permission
from desktop.domain.settlement import (
    balance_due,
    dispute_deadline,
    dispute_is_late,
    settled_status,
)
from desktop.errors import UserError
from desktop.services.access import requires
from desktop.services.fields import clean, required_reason

REFERENCE_MAX = 140


@dataclass(frozen=True)
class PaymentResult:
    status: InvoiceStatus
    balance: Decimal


@dataclass(frozen=True)
class DisputeResult:
    received_on: date
    deadline: date  # the last day to dispute a renewal invoice (HE §9.5)
    late: bool


@requires(Permission.PAYMENTS)
def record_payment(
    db: Database,
    invoice_id: int,
    *,
    paid_on: date,
    amount: Decimal,
    method: PaymentMethod,
    reference: str | None,
    actor: str,
) -> PaymentResult:
    """Record money received on an issued invoice; partial payments add up."""
    with db.session_scope() as session:
        invoice = issued_invoice(session, invoice_id)
        balance = invoice_balance(session, invoice_id)
        _check_payment(paid_on, amount, balance)
        session.add(
            Payment(
                invoice_id=invoice_id,
                paid_on=paid_on,
                amount=amount,
                method=method,
                reference=_reference(reference),
                recorded_by=actor,
                updated_by=actor,
            )
        )
        session.flush()
        return PaymentResult(settle(session, invoice, actor), balance - amount)


def _check_payment(paid_on: date, amount: Decimal, balance: Decimal) -> None:
    errors: dict[str, str] = {}
    if paid_on > paris_today():
        errors["paid_on"] = "Un paiement ne peut pas être daté dans le futur."
    if amount <= 0:
        errors["amount"] = "Le montant doit être positif."
    elif round_money(amount) != amount:
        errors["amount"] = "Le montant se compte en centimes (deux décimales au plus)."
    elif amount > balance:
        errors["amount"] = f"Le montant dépasse le solde dû ({french_money(balance)})."
    if errors:
        raise ValidationError(errors)


def _reference(value: str | None) -> str | None:
    text = clean(value)
    if text is not None and len(text) > REFERENCE_MAX:
        raise ValidationError({"reference": f"{REFERENCE_MAX} caractères au maximum."})
    return text


def issued_invoice(session: Session, invoice_id: int) -> Invoice:
    """An issued invoice (not a draft, not a credit note), locked until commit."""
    invoice = session.get(Invoice, invoice_id, with_for_update=True)
    if invoice is None:
        raise UserError(f"Facture introuvable (n° interne {invoice_id}).")
    if invoice.status is InvoiceStatus.DRAFT:
        raise UserError("Cette facture est un brouillon : émettez-la d'abord.")
    if invoice.kind is not InvoiceKind.INVOICE:
        raise UserError(f"{invoice.number} est un avoir, pas une facture.")
    return invoice


def paid_and_credited(session: Session, invoice_id: int) -> tuple[Decimal, Decimal]:
    """Payments received (rejected ones left out) and credit notes issued on an invoice."""
    paid = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Payment.amount), 0)).where(
            Payment.invoice_id == invoice_id, Payment.rejected_at.is_(None)
        )
    ).scalar_one()
    credited = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Invoice.total_incl_vat), 0)).where(
            Invoice.corrects_id == invoice_id, Invoice.status != InvoiceStatus.DRAFT
        )
    ).scalar_one()
    return round_money(Decimal(paid)), round_money(Decimal(credited))


def invoice_balance(session: Session, invoice_id: int) -> Decimal:
    """What is still due on an invoice, incl. VAT (negative: a refund is owed)."""
    total = session.execute(
        sa.select(Invoice.total_incl_vat).where(Invoice.id == invoice_id)
    ).scalar_one()
    return balance_due(total, *paid_and_credited(session, invoice_id))


def settle(session: Session, invoice: Invoice, actor: str) -> InvoiceStatus:
    """Bring the invoice's status in line with its payments and credit notes."""
    status = settled_status(invoice.total_incl_vat, *paid_and_credited(session, invoice.id))
    if status is not invoice.status:
        invoice.status = status
        invoice.updated_by = actor
    return status


@requires(Permission.PAYMENTS)
def record_dispute(
    db: Database, invoice_id: int, *, received_on: date, reason: str, actor: str
) -> DisputeResult:
    """Record the client's dispute of an invoice, with the day it was received.

    A renewal invoice must be disputed within the provider's dispute days (5) of
    its issue (HE §9.5): a later dispute is recorded and flagged late.
    """
    text = required_reason(reason)
    with db.session_scope() as session:
        invoice = issued_invoice(session, invoice_id)
        if received_on > paris_today():
            raise ValidationError({"received_on": "La date de réception est dans le futur."})
        assert invoice.issued_on is not None
        if received_on < invoice.issued_on:
            raise ValidationError(
                {"received_on": "La contestation ne peut pas précéder la facture."}
            )
        invoice.dispute_at = datetime.combine(received_on, time(12), PARIS)
        invoice.dispute_reason = text
        invoice.updated_by = actor
        return dispute_result(invoice, _dispute_days(session))


def _dispute_days(session: Session) -> int:
    return session.execute(sa.select(Provider.dispute_days)).scalar_one_or_none() or 5


def dispute_result(invoice: Invoice, dispute_days: int) -> DisputeResult:
    assert invoice.issued_on is not None and invoice.dispute_at is not None
    received = invoice.dispute_at.astimezone(PARIS).date()
    late = dispute_is_late(received, invoice.issued_on, dispute_days, invoice.is_renewal)
    return DisputeResult(received, dispute_deadline(invoice.issued_on, dispute_days), late)
