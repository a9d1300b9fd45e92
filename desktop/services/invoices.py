"""Invoices and credit notes: the list, and one document with its lines, payments,
balance, the credit notes made on it and its dispute."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from desktop.db.engine import Database
from desktop.db.models import Client, Invoice, Payment, Provider
from desktop.domain.enums import InvoiceKind, InvoiceLineKind, InvoiceStatus, PaymentMethod
from desktop.domain.invoice_totals import ZERO, Totals, invoice_totals
from desktop.domain.settlement import dispute_is_late
from desktop.errors import NotFoundError
from desktop.services.listing import (
    Column,
    ListQuery,
    ListSpec,
    Page,
    enum_filter,
    enum_order,
    fetch_page,
    id_filter,
    labelled_columns,
    lower,
    month_filter,
    related_contains,
    row_maker,
)

DISPUTE_DAYS = 5
"""Days to dispute a renewal invoice when the provider did not say (HE §9.5)."""


@dataclass(frozen=True)
class InvoiceRow:
    id: int
    number: str | None  # None while a draft: numbered at issue
    kind: InvoiceKind
    status: InvoiceStatus
    client_id: int
    client_name: str
    issued_on: date | None
    due_on: date | None
    billing_month: date | None
    total_excl_vat: Decimal
    total_vat: Decimal
    total_incl_vat: Decimal
    corrects_id: int | None  # the invoice a credit note corrects


def list_invoices(db: Database, query: ListQuery) -> Page[InvoiceRow]:
    """One page of invoices and credit notes: one COUNT and one SELECT.

    The default sort is the issue date; the list view asks it descending (latest
    first). Drafts, with no number nor issue date yet, come last either way.
    """
    with db.read_session() as session:
        return fetch_page(session, _LIST_SELECT, query, _LIST_SPEC, row_maker(InvoiceRow))


# --- reading ----------------------------------------------------------------------------


_COLUMNS: dict[str, Column] = {
    "id": Invoice.id,
    "number": Invoice.number,
    "kind": Invoice.kind,
    "status": Invoice.status,
    "client_id": Invoice.client_id,
    "client_name": Client.name,
    "issued_on": Invoice.issued_on,
    "due_on": Invoice.due_on,
    "billing_month": Invoice.billing_month,
    "total_excl_vat": Invoice.total_excl_vat,
    "total_vat": Invoice.total_vat,
    "total_incl_vat": Invoice.total_incl_vat,
    "corrects_id": Invoice.corrects_id,
}

_LIST_SELECT = (
    sa.select(*labelled_columns(InvoiceRow, _COLUMNS))
    .select_from(Invoice)
    .join(Client, Invoice.client_id == Client.id)
)

_LIST_SPEC = ListSpec(
    count_from=Invoice.__table__,
    search_columns=(Invoice.number,),
    search_matchers=(related_contains(Invoice.client_id, Client.id, Client.name, Client.code),),
    filters={
        "id": id_filter(Invoice.id, "id"),
        "status": enum_filter(Invoice.status, InvoiceStatus, "status"),
        "kind": enum_filter(Invoice.kind, InvoiceKind, "kind"),
        "client_id": id_filter(Invoice.client_id, "client_id"),
        "billing_month": month_filter(Invoice.billing_month, "billing_month"),
    },
    sorts={
        "number": Invoice.number,
        "client": lower(Client.name),
        "issued_on": Invoice.issued_on,
        "due_on": Invoice.due_on,
        "status": enum_order(Invoice.status, InvoiceStatus),
        "kind": enum_order(Invoice.kind, InvoiceKind),
        "total_excl_vat": Invoice.total_excl_vat,
        "total_incl_vat": Invoice.total_incl_vat,
    },
    default_sort="issued_on",
    tie_breaker=Invoice.id,
)


# --- one document -----------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceLineDetails:
    id: int
    position: int
    kind: InvoiceLineKind
    description: str
    quantity: Decimal
    unit_price_excl_vat: Decimal
    vat_rate: Decimal
    amount_excl_vat: Decimal
    period_start: date | None
    period_end: date | None
    credited_excl_vat: Decimal
    """What the issued credit notes already took back from this line (excl. VAT)."""

    @property
    def creditable(self) -> Decimal:
        """What a credit note may still take back from this line (excl. VAT)."""
        return max(ZERO, self.amount_excl_vat - self.credited_excl_vat)


@dataclass(frozen=True)
class PaymentDetails:
    id: int
    paid_on: date
    amount: Decimal
    method: PaymentMethod
    reference: str | None
    recorded_by: str | None
    rejected_at: datetime | None
    rejection_reason: str | None


@dataclass(frozen=True)
class CreditNoteSummary:
    """A credit note made on an invoice."""

    id: int
    number: str | None
    status: InvoiceStatus
    issued_on: date | None
    total_excl_vat: Decimal
    total_incl_vat: Decimal
    reason: str | None


@dataclass(frozen=True)
class DisputeDetails:
    received_on: date
    reason: str | None
    late: bool
    """A renewal invoice disputed after its deadline (HE §9.5)."""


@dataclass(frozen=True)
class InvoiceDetails:
    id: int
    number: str | None
    kind: InvoiceKind
    status: InvoiceStatus
    client_id: int
    client_name: str
    client_code: str
    issued_on: date | None
    issued_by: str | None
    due_on: date | None
    period_start: date | None
    period_end: date | None
    billing_month: date | None
    is_renewal: bool
    corrects_id: int | None
    corrects_number: str | None
    total_excl_vat: Decimal
    total_vat: Decimal
    total_incl_vat: Decimal
    payment_method: PaymentMethod | None
    purchase_order_ref: str | None
    reason: str | None
    lines: tuple[InvoiceLineDetails, ...]
    payments: tuple[PaymentDetails, ...]
    credit_notes: tuple[CreditNoteSummary, ...]
    paid: Decimal
    """Payments not rejected."""
    credited: Decimal
    """Issued credit notes made on it (incl. VAT)."""
    balance: Decimal
    """Still due: incl. VAT − payments not rejected − credit notes (0 for a draft)."""
    dispute: DisputeDetails | None
    dispute_days: int
    """A renewal invoice is disputed within this many days of its issue (HE §9.5)."""
    version: int

    @property
    def is_draft(self) -> bool:
        return self.status is InvoiceStatus.DRAFT

    @property
    def creditable(self) -> Decimal:
        """What a credit note may still take back, excl. VAT, over all lines."""
        return sum((line.creditable for line in self.lines), ZERO)

    def dispute_is_late(self, received_on: date) -> bool:
        """Whether a dispute received that day would be late (renewal invoices only)."""
        if self.issued_on is None:
            return False
        return dispute_is_late(received_on, self.issued_on, self.dispute_days, self.is_renewal)


def get_invoice(db: Database, invoice_id: int) -> InvoiceDetails:
    """An invoice or credit note with everything its record shows."""
    from desktop.services.payments import dispute_result, invoice_balance

    with db.read_session() as session:
        corrected = aliased(Invoice)
        found = session.execute(
            sa.select(Invoice, Client.name, Client.code, corrected.number)
            .join(Client, Invoice.client_id == Client.id)
            .outerjoin(corrected, Invoice.corrects_id == corrected.id)
            .where(Invoice.id == invoice_id)
        ).one_or_none()
        if found is None:
            raise NotFoundError("Cette facture n'existe plus.")
        invoice, client_name, client_code, corrects_number = found
        credit_notes = _credit_notes(session, invoice_id)
        payments = tuple(_payment(p) for p in invoice.payments)
        draft = invoice.status is InvoiceStatus.DRAFT
        lines = _lines(session, invoice)
        totals = (
            invoice_totals((line.amount_excl_vat, line.vat_rate) for line in lines)
            if draft  # computed again from the lines when it is issued
            else Totals(invoice.total_excl_vat, invoice.total_vat, invoice.total_incl_vat, ())
        )
        days = session.execute(sa.select(Provider.dispute_days)).scalar() or DISPUTE_DAYS
        dispute = None
        if invoice.dispute_at is not None:
            result = dispute_result(invoice, days)
            dispute = DisputeDetails(result.received_on, invoice.dispute_reason, result.late)
        return InvoiceDetails(
            id=invoice.id,
            number=invoice.number,
            kind=invoice.kind,
            status=invoice.status,
            client_id=invoice.client_id,
            client_name=client_name,
            client_code=client_code,
            issued_on=invoice.issued_on,
            issued_by=invoice.issued_by,
            due_on=invoice.due_on,
            period_start=invoice.period_start,
            period_end=invoice.period_end,
            billing_month=invoice.billing_month,
            is_renewal=invoice.is_renewal,
            corrects_id=invoice.corrects_id,
            corrects_number=corrects_number,
            total_excl_vat=totals.excl_vat,
            total_vat=totals.vat,
            total_incl_vat=totals.incl_vat,
            payment_method=invoice.payment_method,
            purchase_order_ref=invoice.purchase_order_ref,
            reason=invoice.reason,
            lines=lines,
            payments=payments,
            credit_notes=credit_notes,
            paid=sum((p.amount for p in payments if p.rejected_at is None), ZERO),
            credited=sum(
                (
                    abs(c.total_incl_vat)
                    for c in credit_notes
                    if c.status is not InvoiceStatus.DRAFT
                ),
                ZERO,
            ),
            balance=ZERO if draft else invoice_balance(session, invoice_id),
            dispute=dispute,
            dispute_days=days,
            version=invoice.version,
        )


def _lines(session: Session, invoice: Invoice) -> tuple[InvoiceLineDetails, ...]:
    from desktop.services.credit_notes import creditable

    left = creditable(session, invoice.id)
    return tuple(
        InvoiceLineDetails(
            id=line.id,
            position=line.position,
            kind=line.kind,
            description=line.description,
            quantity=line.quantity,
            unit_price_excl_vat=line.unit_price_excl_vat,
            vat_rate=line.vat_rate,
            amount_excl_vat=line.amount_excl_vat,
            period_start=line.period_start,
            period_end=line.period_end,
            credited_excl_vat=line.amount_excl_vat - left.get(line.id, line.amount_excl_vat),
        )
        for line in invoice.lines
    )


def _credit_notes(session: Session, invoice_id: int) -> tuple[CreditNoteSummary, ...]:
    rows = session.execute(
        sa.select(
            Invoice.id,
            Invoice.number,
            Invoice.status,
            Invoice.issued_on,
            Invoice.total_excl_vat,
            Invoice.total_incl_vat,
            Invoice.reason,
        )
        .where(Invoice.corrects_id == invoice_id)
        .order_by(Invoice.issued_on, Invoice.id)
    ).all()
    return tuple(CreditNoteSummary(*row) for row in rows)


def _payment(payment: Payment) -> PaymentDetails:
    return PaymentDetails(
        id=payment.id,
        paid_on=payment.paid_on,
        amount=payment.amount,
        method=payment.method,
        reference=payment.reference,
        recorded_by=payment.recorded_by,
        rejected_at=payment.rejected_at,
        rejection_reason=payment.rejection_reason,
    )
