"""One invoice as its record shows it: lines, payments, balance, credit notes, dispute."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from desktop.db.engine import Database
from desktop.db.models import Invoice
from desktop.domain.enums import InvoiceKind, InvoiceStatus, PaymentMethod
from desktop.errors import NotFoundError
from desktop.services.credit_notes import CreditLine, create_credit_note
from desktop.services.invoices import get_invoice
from desktop.services.issuing import issue_drafts
from desktop.services.payments import record_dispute, record_payment
from tests.services.factories import ACTOR
from tests.services.invoice_helpers import billing_setup, draft_invoice, issued_invoice

D = Decimal
DAY = date(2026, 3, 2)


def test_a_draft_shows_its_lines_and_owes_nothing_yet(db: Database) -> None:
    client_id = billing_setup(db)
    invoice_id = draft_invoice(db, client_id)
    details = get_invoice(db, invoice_id)
    assert details.is_draft and details.number is None and details.issued_on is None
    assert details.client_name == "Acme Industrie"
    assert [(line.position, line.amount_excl_vat) for line in details.lines] == [
        (1, D("12.00")),
        (2, D("91.00")),
    ]
    assert details.balance == D("0.00") and details.payments == () and details.dispute is None


def test_payments_and_credit_notes_make_the_balance(db: Database) -> None:
    client_id = billing_setup(db)
    invoice_id, number = issued_invoice(db, client_id, on=DAY)
    details = get_invoice(db, invoice_id)
    assert (details.number, details.status, details.issued_on) == (
        number,
        InvoiceStatus.ISSUED,
        DAY,
    )
    assert (details.total_excl_vat, details.total_vat, details.total_incl_vat) == (
        D("103.00"),
        D("7.41"),
        D("110.41"),
    )
    assert details.balance == D("110.41") and details.creditable == D("103.00")

    record_payment(
        db,
        invoice_id,
        paid_on=DAY,
        amount=D("50.00"),
        method=PaymentMethod.CHEQUE,
        reference="Chèque 1234",
        actor=ACTOR,
    )
    second = details.lines[1]
    note = create_credit_note(
        db, invoice_id, lines=[CreditLine(second.id, D("41.00"))], reason="Geste", actor=ACTOR
    )
    details = get_invoice(db, invoice_id)
    assert [(p.amount, p.method, p.reference) for p in details.payments] == [
        (D("50.00"), PaymentMethod.CHEQUE, "Chèque 1234")
    ]
    # 41.00 HT at 5.5 % is 43.26 TTC (VAT 2.255 rounded half-up to 2.26).
    assert (details.paid, details.credited) == (D("50.00"), D("43.26"))
    assert details.balance == D("110.41") - D("50.00") - D("43.26")
    assert details.status is InvoiceStatus.PARTLY_PAID
    assert [line.credited_excl_vat for line in details.lines] == [D("0.00"), D("41.00")]
    assert [line.creditable for line in details.lines] == [D("12.00"), D("50.00")]
    assert [(c.number, c.total_excl_vat, c.reason) for c in details.credit_notes] == [
        (note, D("41.00"), "Geste")
    ]

    credit_note = get_invoice(db, details.credit_notes[0].id)
    assert credit_note.kind is InvoiceKind.CREDIT_NOTE
    assert (credit_note.corrects_id, credit_note.corrects_number) == (invoice_id, number)
    assert credit_note.reason == "Geste"


def test_a_late_dispute_of_a_renewal_invoice_is_flagged(db: Database) -> None:
    client_id = billing_setup(db)
    invoice_id = draft_invoice(db, client_id)
    with db.session_scope() as session:
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None
        invoice.is_renewal = True
    issue_drafts(db, [invoice_id], actor=ACTOR, today=DAY)
    details = get_invoice(db, invoice_id)
    assert details.dispute_days == 5
    assert not details.dispute_is_late(date(2026, 3, 7))
    assert details.dispute_is_late(date(2026, 3, 8))

    record_dispute(
        db, invoice_id, received_on=date(2026, 3, 9), reason="Non renouvelé", actor=ACTOR
    )
    dispute = get_invoice(db, invoice_id).dispute
    assert dispute is not None
    assert (dispute.received_on, dispute.reason, dispute.late) == (
        date(2026, 3, 9),
        "Non renouvelé",
        True,
    )


def test_an_ordinary_invoice_is_never_disputed_late(db: Database) -> None:
    client_id = billing_setup(db)
    invoice_id, _number = issued_invoice(db, client_id, on=DAY)
    assert not get_invoice(db, invoice_id).dispute_is_late(date(2026, 6, 1))


def test_an_unknown_invoice(db: Database) -> None:
    with pytest.raises(NotFoundError):
        get_invoice(db, 999)
