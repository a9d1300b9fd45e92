"""Credit notes (avoirs): the only way to correct an issued invoice, fully or in part.

A credit note copies the lines it credits (description, VAT rate, period, what
they billed), refers to the invoice and to each line it corrects, and is issued
at once: numbered in its own series and chained like an invoice. No line can be
credited beyond what it billed, across every credit note made on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import Invoice, InvoiceLine
from desktop.documents.french import french_money
from desktop.domain.clock import paris_today
from desktop.domain.enums import InvoiceKind, InvoiceLineKind, InvoiceStatus
from desktop.domain.errors import ValidationError
from desktop.domain.money import round_money
from desktop.domain.roles import Permission
from desktop.errors import UserError
from desktop.services.access import requires
from desktop.services.fields import required_reason
from desktop.services.issuing import issue_invoices
from desktop.services.payments import issued_invoice, settle


@dataclass(frozen=True)
class CreditLine:
    invoice_line_id: int
    amount_excl_vat: Decimal  # what this line is credited, excl. VAT


def creditable(session: Session, invoice_id: int) -> dict[int, Decimal]:
    """What each line of an invoice can still be credited, excl. VAT."""
    credited: dict[int | None, Decimal] = dict(
        session.execute(
            sa.select(InvoiceLine.corrects_line_id, sa.func.sum(InvoiceLine.amount_excl_vat))
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .where(Invoice.corrects_id == invoice_id, Invoice.status != InvoiceStatus.DRAFT)
            .group_by(InvoiceLine.corrects_line_id)
        ).all()
    )
    return {
        line_id: amount - round_money(Decimal(credited.get(line_id) or 0))
        for line_id, amount in session.execute(
            sa.select(InvoiceLine.id, InvoiceLine.amount_excl_vat).where(
                InvoiceLine.invoice_id == invoice_id
            )
        ).all()
    }


@requires(Permission.CREDIT_NOTES)
def create_credit_note(
    db: Database,
    invoice_id: int,
    *,
    lines: Sequence[CreditLine] | None,
    reason: str,
    actor: str,
    today: date | None = None,
) -> str:
    """Make and issue a credit note on an issued invoice; its number.

    ``lines`` None credits everything not credited yet (the whole invoice).
    """
    with db.session_scope() as session:
        _, number = credit_invoice(
            session, invoice_id, lines=lines, reason=reason, actor=actor, today=today
        )
        return number


@requires(Permission.CREDIT_NOTES)
def credit_invoice(
    session: Session,
    invoice_id: int,
    *,
    lines: Sequence[CreditLine] | None,
    reason: str,
    actor: str,
    today: date | None = None,
) -> tuple[int, str]:
    """:func:`create_credit_note` inside the caller's transaction: the note's id and number."""
    text = required_reason(reason)
    invoice = issued_invoice(session, invoice_id)
    remaining = creditable(session, invoice_id)
    wanted = _wanted(lines, remaining)
    note = _draft(session, invoice, wanted, text, actor)
    (number,) = issue_invoices(session, [note.id], actor=actor, today=today or paris_today())
    settle(session, invoice, actor)
    return note.id, number


def _wanted(
    lines: Sequence[CreditLine] | None, remaining: dict[int, Decimal]
) -> dict[int, Decimal]:
    if lines is None:
        everything = {line_id: left for line_id, left in remaining.items() if left > 0}
        if not everything:
            raise UserError("Cette facture est déjà entièrement créditée.")
        return everything
    wanted: dict[int, Decimal] = {}
    for line in lines:
        line_id = line.invoice_line_id
        if line_id not in remaining or line_id in wanted:
            raise UserError("Une ligne à créditer n'appartient pas à la facture.")
        wanted[line_id] = _checked(line.amount_excl_vat, remaining[line_id])
    if not wanted:
        raise ValidationError({"lines": "Choisissez au moins une ligne à créditer."})
    return wanted


def _checked(amount: Decimal, left: Decimal) -> Decimal:
    if amount <= 0:
        raise ValidationError({"lines": "Un montant à créditer doit être positif."})
    if round_money(amount) != amount:
        raise ValidationError({"lines": "Les montants se comptent en centimes."})
    if amount > left:
        left_text = french_money(left)
        raise ValidationError(
            {"lines": f"Un montant dépasse le reste à créditer de sa ligne ({left_text} HT)."}
        )
    return amount


def _draft(
    session: Session, invoice: Invoice, wanted: dict[int, Decimal], reason: str, actor: str
) -> Invoice:
    note = Invoice(
        client_id=invoice.client_id,
        kind=InvoiceKind.CREDIT_NOTE,
        corrects_id=invoice.id,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        payment_method=invoice.payment_method,
        purchase_order_ref=invoice.purchase_order_ref,
        reason=reason,
        updated_by=actor,
    )
    sources = {line.id: line for line in invoice.lines}
    for position, (line_id, amount) in enumerate(sorted(wanted.items()), start=1):
        note.lines.append(_credit_line(position, sources[line_id], amount))
    session.add(note)
    session.flush()
    return note


def _credit_line(position: int, source: InvoiceLine, amount: Decimal) -> InvoiceLine:
    whole = amount == source.amount_excl_vat
    return InvoiceLine(
        position=position,
        kind=InvoiceLineKind.CREDIT,
        description=source.description,
        quantity=source.quantity if whole else Decimal("1"),
        unit_price_excl_vat=source.unit_price_excl_vat if whole else amount,
        vat_rate=source.vat_rate,
        amount_excl_vat=amount,
        period_start=source.period_start,
        period_end=source.period_end,
        mailbox_id=source.mailbox_id,
        contract_id=source.contract_id,
        plan_id=source.plan_id,
        option_id=source.option_id,
        corrects_line_id=source.id,
    )
