"""A quote emailed as it is sent: its PDF attached, to the client's billing address.

``queue_quote_mail`` is the ``mailer`` of :func:`desktop.services.quotes.send_quote`:
it runs in the sending transaction, so the quote is numbered and its message
queued together, or neither. The outbox then sends it through the office's
SMTP server.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from desktop.db.models import Client, Provider
from desktop.documents.quote_pdf import build_quote
from desktop.errors import UserError
from desktop.services.email_templates import QUOTE, render
from desktop.services.outbox import Attachment, queue_email
from desktop.services.quotes import QuoteDetails, printable

PDF = "application/pdf"


def queue_quote_mail(session: Session, details: QuoteDetails) -> bool:
    """Queue the sent quote's email with its PDF; True (it always queues or raises)."""
    client = session.get(Client, details.client_id)
    provider = session.get(Provider, 1)
    if client is None or provider is None:
        raise UserError("Renseignez d'abord l'identité du prestataire (Paramètres).")
    if not client.billing_email:
        raise UserError(
            f"{client.name} n'a pas d'adresse e-mail de facturation : complétez sa fiche, "
            "ou envoyez le devis sans serveur d'envoi configuré."
        )
    assert details.number is not None and details.issued_on is not None
    subject, body = render(
        QUOTE,
        quote_number=details.number,
        quote_date=details.issued_on,
        valid_until=details.valid_until or details.issued_on,
        amount=details.totals.incl_vat,
        provider_name=provider.name,
    )
    pdf = build_quote(printable(session, details.id)).data
    queue_email(
        session,
        to=client.billing_email,
        subject=subject,
        body=body,
        attachments=[Attachment(f"{details.number}.pdf", pdf, PDF)],
    )
    return True
