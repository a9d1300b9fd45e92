"""What the billing screen tests share: invoices to show, their record opened."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pytestqt.qtbot import QtBot
from window_helpers import make_window, open_view

from desktop.db.engine import Database
from desktop.db.models import Invoice
from desktop.domain.enums import PaymentMethod
from desktop.services.issuing import issue_drafts
from desktop.services.payments import record_payment
from desktop.ui.main_window import MainWindow
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.views.invoice_view import InvoiceView
from tests.services.factories import ACTOR
from tests.services.invoice_helpers import billing_setup, draft_invoice

D = Decimal
ISSUED_ON = date(2026, 3, 2)
# TWO_LINES: 12,00 € HT at 20 % and 91,00 € HT at 5,5 % → 103,00 HT, 7,41 TVA, 110,41 TTC.

__all__ = ["billing_setup", "drafts", "issued", "open_invoice", "paid"]


def issued(db: Database, client_id: int, *, renewal: bool = False, on: date = ISSUED_ON) -> int:
    """An issued invoice of two lines (TWO_LINES) for ``client_id``."""
    invoice_id = draft_invoice(db, client_id)
    if renewal:
        with db.session_scope() as session:
            invoice = session.get(Invoice, invoice_id)
            assert invoice is not None
            invoice.is_renewal = True
    issue_drafts(db, [invoice_id], actor=ACTOR, today=on)
    return invoice_id


def drafts(db: Database, client_id: int, count: int) -> list[int]:
    return [draft_invoice(db, client_id) for _ in range(count)]


def paid(db: Database, invoice_id: int, amount: str) -> None:
    record_payment(
        db,
        invoice_id,
        paid_on=ISSUED_ON,
        amount=D(amount),
        method=PaymentMethod.TRANSFER,
        reference="VIR 42",
        actor=ACTOR,
    )


def open_invoice(qtbot: QtBot, db: Database, invoice_id: int) -> tuple[MainWindow, InvoiceView]:
    window = make_window(qtbot, db)
    view = open_view(qtbot, window, RecordKind.INVOICE, invoice_id)
    assert isinstance(view, InvoiceView)
    return window, view
