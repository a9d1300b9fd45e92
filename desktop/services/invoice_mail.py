"""Invoices and credit notes sent by email, their Factur-X PDF attached.

``invoice_mails`` says, for the documents chosen, who each goes to (the client's
billing address) and with which words (the ``invoice`` / ``credit_note``
templates), or why it cannot go (a draft has no number yet). The PDFs are made
apart — on all cores for a batch — then ``queue_invoice_mails`` puts every
message in the outbox in one transaction: all or none. The outbox sends them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from desktop.db.engine import Database
from desktop.db.models import Client, Invoice, Provider
from desktop.domain.enums import InvoiceKind, InvoiceStatus
from desktop.domain.roles import Permission
from desktop.errors import UserError
from desktop.services.access import requires
from desktop.services.email_templates import CREDIT_NOTE, INVOICE, render
from desktop.services.outbox import Attachment, queue_email

PDF = "application/pdf"
DRAFT_REASON = "brouillon : émettez-le d'abord"


@dataclass(frozen=True)
class InvoiceMail:
    invoice_id: int
    number: str
    client_name: str
    to: str
    subject: str
    body: str

    @property
    def filename(self) -> str:
        return f"{self.number}.pdf"


@dataclass(frozen=True)
class MailPlan:
    ready: tuple[InvoiceMail, ...]
    skipped: tuple[tuple[str, str], ...]  # (number or client, French reason)


def invoice_mails(db: Database, invoice_ids: Sequence[int]) -> MailPlan:
    """The message of each document chosen, in the order given; drafts skipped."""
    corrected = aliased(Invoice)
    query = (
        sa.select(Invoice, Client.name, Client.billing_email, corrected.number)
        .join(Client, Client.id == Invoice.client_id)
        .outerjoin(corrected, corrected.id == Invoice.corrects_id)
        .where(Invoice.id.in_(list(invoice_ids)))
    )
    with db.read_session() as session:
        provider = session.get(Provider, 1)
        found = {row[0].id: row for row in session.execute(query)}
    if provider is None:
        raise UserError("Renseignez d'abord l'identité du prestataire (Paramètres).")
    ready: list[InvoiceMail] = []
    skipped: list[tuple[str, str]] = []
    for invoice_id in invoice_ids:
        if invoice_id not in found:
            raise UserError(f"Facture introuvable (n° interne {invoice_id}).")
        invoice, client_name, email, corrected_number = found[invoice_id]
        if invoice.status is InvoiceStatus.DRAFT or invoice.number is None:
            skipped.append((f"Brouillon de {client_name}", DRAFT_REASON))
            continue
        ready.append(_mail(invoice, client_name, email, corrected_number, provider.name))
    return MailPlan(tuple(ready), tuple(skipped))


def _mail(
    invoice: Invoice, client_name: str, email: str, corrected: str | None, provider_name: str
) -> InvoiceMail:
    assert invoice.number is not None and invoice.issued_on is not None
    credit = invoice.kind is InvoiceKind.CREDIT_NOTE
    fields: dict[str, object] = {
        "invoice_number": invoice.number,
        "invoice_date": invoice.issued_on,
        "amount": invoice.total_incl_vat,
        "provider_name": provider_name,
    }
    if credit:
        fields["corrected_number"] = corrected or ""
    else:
        fields["due_date"] = invoice.due_on or invoice.issued_on
    subject, body = render(CREDIT_NOTE if credit else INVOICE, **fields)
    return InvoiceMail(invoice.id, invoice.number, client_name, email, subject, body)


@requires(Permission.BILLING)
def queue_invoice_mails(
    db: Database,
    mails: Sequence[InvoiceMail],
    pdfs: Sequence[bytes],
    *,
    actor: str | None = None,
) -> int:
    """Put every message, its PDF attached, in the outbox; all or none. How many."""
    if len(mails) != len(pdfs):
        raise ValueError("one PDF per message")
    with db.session_scope() as session:
        for mail, pdf in zip(mails, pdfs, strict=True):
            try:
                queue_email(
                    session,
                    to=mail.to,
                    subject=mail.subject,
                    body=mail.body,
                    attachments=[Attachment(mail.filename, pdf, PDF)],
                )
            except UserError as exc:
                raise UserError(
                    f"{mail.number} ({mail.client_name}) : {exc.message} Rien n'a été mis "
                    "dans la boîte d'envoi."
                ) from None
    return len(mails)
