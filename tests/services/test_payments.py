"""Payments, balances and disputes on issued invoices."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Invoice, Payment
from desktop.domain.clock import paris_today
from desktop.domain.enums import InvoiceStatus, PaymentMethod
from desktop.domain.errors import ValidationError
from desktop.errors import UserError
from desktop.services.payments import invoice_balance, record_dispute, record_payment
from tests.services.factories import ACTOR
from tests.services.invoice_helpers import billing_setup, draft_invoice, issued_invoice

DAY = date(2026, 3, 2)
# TWO_LINES: 12.00 at 20 % + 91.00 at 5.5 % → 103.00 HT, 2.40 + 5.01 VAT = 110.41 TTC.
TOTAL = Decimal("110.41")


def pay(db: Database, invoice_id: int, amount: str, **changes: object) -> object:
    values: dict[str, object] = {
        "paid_on": DAY,
        "amount": Decimal(amount),
        "method": PaymentMethod.TRANSFER,
        "reference": "VIR 2026-03 ACME",
        "actor": ACTOR,
    } | changes
    return record_payment(db, invoice_id, **values)  # type: ignore[arg-type]


def test_partial_then_full_payment(db: Database) -> None:
    invoice_id, _ = issued_invoice(db, billing_setup(db), on=DAY)
    first = pay(db, invoice_id, "100.00")
    assert (first.status, first.balance) == (InvoiceStatus.PARTLY_PAID, Decimal("10.41"))  # type: ignore[attr-defined]
    second = pay(db, invoice_id, "10.41", method=PaymentMethod.CHEQUE, reference=None)
    assert (second.status, second.balance) == (InvoiceStatus.PAID, Decimal("0.00"))  # type: ignore[attr-defined]
    with db.read_session() as session:
        assert session.get(Invoice, invoice_id).status is InvoiceStatus.PAID  # type: ignore[union-attr]
        rows = session.execute(
            sa.select(Payment.amount, Payment.method, Payment.recorded_by).order_by(Payment.id)
        ).all()
        assert invoice_balance(session, invoice_id) == Decimal("0.00")
    assert [tuple(r) for r in rows] == [
        (Decimal("100.00"), PaymentMethod.TRANSFER, ACTOR),
        (Decimal("10.41"), PaymentMethod.CHEQUE, ACTOR),
    ]


@pytest.mark.parametrize(
    "amount, changes, field, words",
    [
        ("110.42", {}, "amount", "dépasse le solde dû (110,41"),
        ("0", {}, "amount", "positif"),
        ("-5", {}, "amount", "positif"),
        ("1.005", {}, "amount", "centimes"),
        ("10", {"paid_on": paris_today() + timedelta(days=1)}, "paid_on", "futur"),
        ("10", {"reference": "x" * 141}, "reference", "140 caractères"),
    ],
)
def test_bad_payments_are_refused_and_nothing_is_written(
    db: Database, amount: str, changes: dict[str, object], field: str, words: str
) -> None:
    invoice_id, _ = issued_invoice(db, billing_setup(db), on=DAY)
    with pytest.raises(ValidationError) as info:
        pay(db, invoice_id, amount, **changes)
    assert words in info.value.errors[field]
    with db.read_session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0
        assert invoice_balance(session, invoice_id) == TOTAL


def test_a_draft_cannot_be_paid(db: Database) -> None:
    invoice_id = draft_invoice(db, billing_setup(db))
    with pytest.raises(UserError, match="brouillon"):
        pay(db, invoice_id, "1.00")


def test_a_rejected_payment_no_longer_counts(db: Database) -> None:
    invoice_id, _ = issued_invoice(db, billing_setup(db), on=DAY)
    pay(db, invoice_id, "50.00")
    with db.session_scope() as session:
        session.execute(sa.update(Payment).values(rejected_at=sa.func.current_timestamp()))
    with db.read_session() as session:
        assert invoice_balance(session, invoice_id) == TOTAL


def _renewal_invoice(db: Database) -> int:
    client_id = billing_setup(db)
    invoice_id = draft_invoice(db, client_id)
    with db.session_scope() as session:
        session.execute(sa.update(Invoice).where(Invoice.id == invoice_id).values(is_renewal=True))
    from desktop.services.issuing import issue_drafts

    issue_drafts(db, [invoice_id], actor=ACTOR, today=DAY)
    return invoice_id


def test_a_renewal_invoice_disputed_within_five_days_is_on_time(db: Database) -> None:
    invoice_id = _renewal_invoice(db)
    result = record_dispute(
        db, invoice_id, received_on=DAY + timedelta(days=5), reason="Boîtes résiliées", actor=ACTOR
    )
    assert (result.deadline, result.late) == (date(2026, 3, 7), False)
    with db.read_session() as session:
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None and invoice.dispute_reason == "Boîtes résiliées"


def test_a_renewal_invoice_disputed_on_the_sixth_day_is_late(db: Database) -> None:
    invoice_id = _renewal_invoice(db)
    result = record_dispute(
        db, invoice_id, received_on=DAY + timedelta(days=6), reason="Trop tard", actor=ACTOR
    )
    assert result.late


def test_a_dispute_needs_a_reason_and_a_plausible_date(db: Database) -> None:
    invoice_id = _renewal_invoice(db)
    with pytest.raises(ValidationError, match="motif"):
        record_dispute(db, invoice_id, received_on=DAY, reason="  ", actor=ACTOR)
    with pytest.raises(ValidationError, match="précéder"):
        record_dispute(db, invoice_id, received_on=DAY - timedelta(days=1), reason="x", actor=ACTOR)
