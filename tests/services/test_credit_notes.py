"""Credit notes: full or partial, referring to the invoice and lines they correct."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Invoice, InvoiceLine
from desktop.domain.enums import InvoiceKind, InvoiceLineKind, InvoiceStatus, PaymentMethod
from desktop.domain.errors import ValidationError
from desktop.errors import UserError
from desktop.services.credit_notes import CreditLine, create_credit_note
from desktop.services.invoice_chain import verify_chain
from desktop.services.payments import invoice_balance, record_payment
from tests.services.factories import ACTOR
from tests.services.invoice_helpers import billing_setup, draft_invoice, issued_invoice

DAY = date(2026, 3, 2)


def _lines(db: Database, invoice_id: int) -> list[InvoiceLine]:
    with db.read_session() as session:
        return list(
            session.scalars(
                sa.select(InvoiceLine)
                .where(InvoiceLine.invoice_id == invoice_id)
                .order_by(InvoiceLine.position)
            )
        )


def _note(db: Database, number: str) -> Invoice:
    with db.read_session() as session:
        note = session.scalars(sa.select(Invoice).where(Invoice.number == number)).one()
        session.expunge(note)
        return note


def test_a_full_credit_note_cancels_an_unpaid_invoice(db: Database) -> None:
    invoice_id, number = issued_invoice(db, billing_setup(db), on=DAY)
    note_number = create_credit_note(
        db, invoice_id, lines=None, reason="Facturé par erreur", actor=ACTOR, today=DAY
    )
    assert note_number == "AV2026-000001"
    note = _note(db, note_number)
    assert (note.kind, note.corrects_id, note.reason) == (
        InvoiceKind.CREDIT_NOTE,
        invoice_id,
        "Facturé par erreur",
    )
    assert (note.total_excl_vat, note.total_vat, note.total_incl_vat) == (
        Decimal("103.00"),
        Decimal("7.41"),
        Decimal("110.41"),
    )
    source = _lines(db, invoice_id)
    copied = _lines(db, note.id)
    assert [(c.kind, c.description, c.quantity, c.unit_price_excl_vat, c.corrects_line_id)
            for c in copied] == [
        (InvoiceLineKind.CREDIT, s.description, s.quantity, s.unit_price_excl_vat, s.id)
        for s in source
    ]  # fmt: skip
    with db.read_session() as session:
        assert session.get(Invoice, invoice_id).status is InvoiceStatus.CANCELLED  # type: ignore[union-attr]
        assert invoice_balance(session, invoice_id) == Decimal("0.00")
    with pytest.raises(UserError, match="déjà entièrement créditée"):
        create_credit_note(db, invoice_id, lines=None, reason="encore", actor=ACTOR, today=DAY)
    assert verify_chain(db).checked == 2


def test_partial_credit_notes_add_up_to_the_line_and_no_further(db: Database) -> None:
    invoice_id, _ = issued_invoice(db, billing_setup(db), on=DAY)
    training = _lines(db, invoice_id)[1]  # 91.00 at 5.5 %
    half = [CreditLine(training.id, Decimal("45.50"))]
    first = create_credit_note(
        db, invoice_id, lines=half, reason="Une session annulée", actor=ACTOR, today=DAY
    )
    note = _note(db, first)
    assert (note.total_excl_vat, note.total_vat, note.total_incl_vat) == (
        Decimal("45.50"),
        Decimal("2.50"),  # 45.50 × 5.5 % = 2.5025 → 2.50
        Decimal("48.00"),
    )
    (line,) = _lines(db, note.id)
    assert (line.quantity, line.unit_price_excl_vat, line.vat_rate) == (
        Decimal("1"),
        Decimal("45.50"),
        Decimal("5.50"),
    )
    with pytest.raises(ValidationError, match=r"reste à créditer de sa ligne \(45,50"):
        create_credit_note(
            db, invoice_id, lines=[CreditLine(training.id, Decimal("45.51"))], reason="x",
            actor=ACTOR, today=DAY,
        )  # fmt: skip
    with db.read_session() as session:
        assert session.get(Invoice, invoice_id).status is InvoiceStatus.ISSUED  # type: ignore[union-attr]
        assert invoice_balance(session, invoice_id) == Decimal("62.41")  # 110.41 − 48.00


def test_a_credit_note_after_payment_leaves_a_refund_due(db: Database) -> None:
    invoice_id, _ = issued_invoice(db, billing_setup(db), on=DAY)
    record_payment(
        db, invoice_id, paid_on=DAY, amount=Decimal("110.41"), method=PaymentMethod.TRANSFER,
        reference=None, actor=ACTOR,
    )  # fmt: skip
    mailbox_line = _lines(db, invoice_id)[0]
    create_credit_note(
        db, invoice_id, lines=[CreditLine(mailbox_line.id, Decimal("12.00"))], reason="Geste",
        actor=ACTOR, today=DAY,
    )  # fmt: skip
    with db.read_session() as session:
        assert session.get(Invoice, invoice_id).status is InvoiceStatus.PAID  # type: ignore[union-attr]
        assert invoice_balance(session, invoice_id) == Decimal("-14.40")


@pytest.mark.parametrize(
    "amount, words", [("0", "positif"), ("-1", "positif"), ("1.001", "centimes")]
)
def test_bad_amounts_are_refused(db: Database, amount: str, words: str) -> None:
    invoice_id, _ = issued_invoice(db, billing_setup(db), on=DAY)
    line = _lines(db, invoice_id)[0]
    with pytest.raises(ValidationError, match=words):
        create_credit_note(
            db, invoice_id, lines=[CreditLine(line.id, Decimal(amount))], reason="x", actor=ACTOR,
            today=DAY,
        )  # fmt: skip
    with db.read_session() as session:
        kinds = session.scalars(sa.select(Invoice.kind)).all()
    assert kinds == [InvoiceKind.INVOICE]


def test_refusals(db: Database) -> None:
    client_id = billing_setup(db)
    invoice_id, _ = issued_invoice(db, client_id, on=DAY)
    other_id, _ = issued_invoice(db, client_id, on=DAY)
    foreign_line = _lines(db, other_id)[0]
    with pytest.raises(UserError, match="n'appartient pas"):
        create_credit_note(
            db, invoice_id, lines=[CreditLine(foreign_line.id, Decimal("1"))], reason="x",
            actor=ACTOR, today=DAY,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="motif"):
        create_credit_note(db, invoice_id, lines=None, reason="", actor=ACTOR, today=DAY)
    with pytest.raises(UserError, match="brouillon"):
        create_credit_note(
            db, draft_invoice(db, client_id), lines=None, reason="x", actor=ACTOR, today=DAY
        )
    note = create_credit_note(db, invoice_id, lines=None, reason="x", actor=ACTOR, today=DAY)
    with pytest.raises(UserError, match="est un avoir"):
        create_credit_note(db, _note(db, note).id, lines=None, reason="x", actor=ACTOR, today=DAY)
