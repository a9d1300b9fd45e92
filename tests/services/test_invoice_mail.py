"""Invoice and credit-note emails: recipient, words, PDF attached, all or none."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Client, Invoice, OutboxAttachment, OutboxMessage
from desktop.errors import UserError
from desktop.services.credit_notes import create_credit_note
from desktop.services.invoice_mail import DRAFT_REASON, invoice_mails, queue_invoice_mails
from tests.services.factories import ACTOR
from tests.services.invoice_helpers import billing_setup, draft_invoice, issued_invoice
from tests.services.test_sepa_export import JAN_5


def _count(db: Database, model: type) -> int:
    with db.read_session() as session:
        return session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_an_invoice_and_its_credit_note_are_worded_and_queued(db: Database) -> None:
    client_id = billing_setup(db)
    invoice_id, number = issued_invoice(db, client_id, on=JAN_5)
    note = create_credit_note(db, invoice_id, lines=None, reason="Erreur", actor=ACTOR)
    draft = draft_invoice(db, client_id)
    with db.read_session() as session:
        email = session.execute(
            sa.select(Client.billing_email).where(Client.id == client_id)
        ).scalar_one()
        note_id = session.execute(sa.select(Invoice.id).where(Invoice.number == note)).scalar_one()

    plan = invoice_mails(db, [invoice_id, draft, note_id])
    assert [m.number for m in plan.ready] == [number, note]
    assert plan.skipped == (("Brouillon de Acme Industrie", DRAFT_REASON),)
    invoice_mail, note_mail = plan.ready
    assert invoice_mail.to == note_mail.to == email
    assert invoice_mail.subject.startswith(f"Facture {number} — ")
    assert (
        "du 05/01/2026, d'un montant de 110,41\u00a0€ TTC, à régler au plus tard le 04/02/2026."
        in invoice_mail.body
    )
    assert note_mail.subject.startswith(f"Avoir {note} — ")
    assert f"sur la facture {number}." in note_mail.body

    assert queue_invoice_mails(db, plan.ready, [b"%PDF-1", b"%PDF-2"]) == 2
    with db.read_session() as session:
        rows = session.execute(
            sa.select(
                OutboxAttachment.filename, OutboxAttachment.mime_type, OutboxAttachment.content
            ).order_by(OutboxAttachment.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        (f"{number}.pdf", "application/pdf", b"%PDF-1"),
        (f"{note}.pdf", "application/pdf", b"%PDF-2"),
    ]


def test_a_bad_address_queues_nothing(db: Database) -> None:
    client_id = billing_setup(db)
    first, number = issued_invoice(db, client_id, on=JAN_5)
    second, _ = issued_invoice(db, client_id, on=JAN_5)
    plan = invoice_mails(db, [first, second])
    broken = [plan.ready[0], plan.ready[1].__class__(**{**plan.ready[1].__dict__, "to": "x@"})]
    with pytest.raises(UserError) as info:
        queue_invoice_mails(db, broken, [b"1", b"2"])
    assert "Rien n'a été mis dans la boîte d'envoi." in info.value.message
    assert _count(db, OutboxMessage) == 0
    assert number
