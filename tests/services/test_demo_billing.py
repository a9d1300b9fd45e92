"""The demo's billing history: twelve months billed, most paid, some partly, some
overdue, a few credit notes; an intact chain and continuous numbers."""

from __future__ import annotations

from collections import Counter
from datetime import date

import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Invoice, Payment
from desktop.domain.enums import InvoiceKind, InvoiceStatus
from desktop.services.invoice_chain import verify_chain
from tests.conftest import DEMO_TODAY


def _invoices(db: Database) -> list[Invoice]:
    with db.read_session() as session:
        rows = list(session.scalars(sa.select(Invoice).order_by(Invoice.chain_index)))
        session.expunge_all()
        return rows


def test_twelve_months_are_billed_once_each(demo_db: Database) -> None:
    invoices = [i for i in _invoices(demo_db) if i.kind is InvoiceKind.INVOICE]
    months = Counter(i.billing_month for i in invoices)
    assert sorted(months) == [date(2025 + (11 + m) // 12, (11 + m) % 12 + 1, 1) for m in range(12)]
    assert len({(i.client_id, i.billing_month) for i in invoices}) == len(invoices)
    assert all(i.issued_on == i.billing_month for i in invoices)


def test_most_are_paid_some_partly_some_overdue(demo_db: Database) -> None:
    invoices = [i for i in _invoices(demo_db) if i.kind is InvoiceKind.INVOICE]
    statuses = Counter(i.status for i in invoices)
    assert statuses[InvoiceStatus.PAID] > 0.6 * len(invoices)
    assert statuses[InvoiceStatus.PARTLY_PAID] > 0
    overdue = [
        i
        for i in invoices
        if i.status in (InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_PAID) and i.due_on < DEMO_TODAY  # type: ignore[operator]
    ]
    assert 0 < len(overdue) < 0.2 * len(invoices)
    with demo_db.read_session() as session:
        latest = session.scalar(sa.select(sa.func.max(Payment.paid_on)))
    assert latest is not None and latest < DEMO_TODAY


def test_a_few_credit_notes_and_an_intact_chain(demo_db: Database) -> None:
    documents = _invoices(demo_db)
    notes = [d for d in documents if d.kind is InvoiceKind.CREDIT_NOTE]
    assert 0 < len(notes) < 0.1 * len(documents)
    assert all(n.corrects_id is not None and n.reason for n in notes)
    for kind, prefix in ((InvoiceKind.INVOICE, "F"), (InvoiceKind.CREDIT_NOTE, "AV")):
        per_year: dict[str, list[int]] = {}
        for d in documents:
            if d.kind is kind:
                series, seq = (d.number or "").split("-")
                per_year.setdefault(series, []).append(int(seq))
        for series, seqs in per_year.items():
            assert series.startswith(prefix)
            assert seqs == list(range(1, len(seqs) + 1))
    report = verify_chain(demo_db)
    assert report.intact and report.checked == len(documents)
