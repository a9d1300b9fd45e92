"""A quote sent with an SMTP server configured: numbered and queued together, PDF attached."""

from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa
from pypdf import PdfReader

from desktop.db.engine import Database
from desktop.db.models import OutboxAttachment, OutboxMessage, Quote
from desktop.domain.enums import QuoteStatus
from desktop.errors import UserError
from desktop.services.quote_mail import queue_quote_mail
from desktop.services.quotes import create_quote, send_quote
from tests.services.factories import ACTOR
from tests.services.test_quotes import _catalogue, _draft, _prospect


def test_the_sent_quote_is_queued_with_its_pdf(db: Database) -> None:
    items = _catalogue(db)
    quote = create_quote(db, _draft(items, _prospect(db)), actor=ACTOR)
    sent = send_quote(db, quote.id, actor=ACTOR, today=date(2026, 3, 2), mailer=queue_quote_mail)
    assert sent.queued
    assert sent.message == "Devis D2026-00001 envoyé : le courriel est dans la file d'envoi."
    with db.read_session() as session:
        message = session.scalars(sa.select(OutboxMessage)).one()
        attachment = session.scalars(sa.select(OutboxAttachment)).one()
        assert message.to == "compta@acme.fr"
        assert message.subject.startswith("Devis D2026-00001 — ")
        assert "du 02/03/2026, d'un montant de 825,60\u00a0€ TTC" in message.body
        assert "valable jusqu'au 01/04/2026" in message.body
        assert attachment.filename == "D2026-00001.pdf"
        text = PdfReader(io.BytesIO(attachment.content)).pages[0].extract_text()
    assert "D2026-00001" in text and "Bon pour accord" in text


def test_no_billing_address_sends_nothing_and_numbers_nothing(db: Database) -> None:
    items = _catalogue(db)
    quote = create_quote(db, _draft(items, _prospect(db)), actor=ACTOR)
    with db.session_scope() as session:
        session.execute(sa.text("UPDATE client SET billing_email = ''"))
    try:
        send_quote(db, quote.id, actor=ACTOR, today=date(2026, 3, 2), mailer=queue_quote_mail)
    except UserError as exc:
        assert "n'a pas d'adresse e-mail de facturation" in exc.message
    else:
        raise AssertionError("sent without an address")
    with db.read_session() as session:
        row = session.get(Quote, quote.id)
        assert row is not None and (row.status, row.number) == (QuoteStatus.DRAFT, None)
        assert session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
