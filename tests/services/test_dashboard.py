"""The dashboard's figures: recurring revenue, active mailboxes, overdue by age, incidents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import CatalogueOption, Incident, Invoice, InvoiceLine, Mailbox, Payment
from desktop.domain.clock import PARIS
from desktop.domain.enums import (
    IncidentChannel,
    IncidentStatus,
    InvoiceKind,
    InvoiceLineKind,
    MailboxStatus,
    OptionBilling,
    OptionCategory,
    PaymentMethod,
    ProductLineCode,
)
from desktop.services.dashboard import AGE_BUCKETS, dashboard, last_months
from desktop.services.issuing import issue_drafts
from tests.documents.pdf_helpers import store_provider
from tests.services.factories import ACTOR, World, mailbox, world
from tests.services.invoice_helpers import draft_invoice

D = Decimal
TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=PARIS)

# (kind, option id or None, amount excl. VAT at 20 %)
Line = tuple[InvoiceLineKind, int | None, str]


def option(db: Database, code: str, billing: OptionBilling) -> int:
    with db.session_scope() as session:
        row = CatalogueOption(
            code=code,
            name=code,
            category=OptionCategory.OPTION,
            billing=billing,
            updated_by=ACTOR,
        )
        session.add(row)
        session.flush()
        return row.id


def invoice(db: Database, client_id: int, lines: Sequence[Line], month: date | None) -> int:
    with db.session_scope() as session:
        row = Invoice(
            client_id=client_id,
            kind=InvoiceKind.INVOICE,
            billing_month=month,
            period_start=month,
            updated_by=ACTOR,
        )
        for position, (kind, option_id, amount) in enumerate(lines, start=1):
            row.lines.append(
                InvoiceLine(
                    position=position,
                    kind=kind,
                    description=kind.label,
                    quantity=D(1),
                    unit_price_excl_vat=D(amount),
                    vat_rate=D("20.00"),
                    amount_excl_vat=D(amount),
                    option_id=option_id,
                )
            )
        session.add(row)
        session.flush()
        return row.id


def issue(db: Database, invoice_id: int, on: date) -> None:
    issue_drafts(db, [invoice_id], actor=ACTOR, today=on)


def pay(db: Database, invoice_id: int, amount: str, *, rejected: bool = False) -> None:
    with db.session_scope() as session:
        session.add(
            Payment(
                invoice_id=invoice_id,
                paid_on=date(2026, 11, 2),
                amount=D(amount),
                method=PaymentMethod.TRANSFER,
                recorded_by=ACTOR,
                updated_by=ACTOR,
                rejected_at=NOW if rejected else None,
                rejection_reason="Rejet" if rejected else None,
            )
        )


def incident(db: Database, w: World, number: str, received: datetime) -> None:
    with db.session_scope() as session:
        session.add(
            Incident(
                number=number,
                client_id=w.client_id,
                product_line_id=w.he_line_id,
                channel=IncidentChannel.EMAIL,
                received_at=received,
                restored_at=received + timedelta(hours=2),
                status=IncidentStatus.RESTORED,
                description="Panne",
                updated_by=ACTOR,
            )
        )


def build(db: Database) -> World:
    store_provider(db)
    w = world(db)
    monthly = option(db, "ARCHIVE", OptionBilling.MONTHLY)
    yearly = option(db, "SAUVEGARDE", OptionBilling.YEARLY)
    sub = InvoiceLineKind.SUBSCRIPTION
    service = InvoiceLineKind.SERVICE
    # Billed for November 2025: outside the twelve months; due 01/12/2025 (> 90 days).
    old = invoice(db, w.client_id, [(sub, None, "77.00")], date(2025, 11, 1))
    issue(db, old, date(2025, 11, 1))
    pay(db, old, "40.00")
    pay(db, old, "50.00", rejected=True)  # left out: 92.40 - 40.00 = 52.40 due
    # A service, due 19/09/2026 (64 days): 120.00, minus a 12.00 credit note.
    credited = invoice(db, w.client_id, [(service, None, "100.00")], None)
    issue(db, credited, date(2026, 8, 20))
    # Due 10/10/2026 (43 days): paid in full, not overdue any more.
    paid = invoice(db, w.client_id, [(service, None, "50.00")], None)
    issue(db, paid, date(2026, 9, 10))
    pay(db, paid, "60.00")
    # Due 12/10/2026 (41 days): 12.00 unpaid.
    small = invoice(db, w.client_id, [(service, None, "10.00")], None)
    issue(db, small, date(2026, 9, 12))
    # October 2026: subscription + monthly option are recurring; yearly option and
    # initial fee are not. Due 31/10/2026 (22 days): 348.60 unpaid.
    october = invoice(
        db,
        w.client_id,
        [
            (sub, None, "100.00"),
            (InvoiceLineKind.OPTION, monthly, "20.50"),
            (InvoiceLineKind.OPTION, yearly, "120.00"),
            (InvoiceLineKind.INITIAL_FEE, None, "50.00"),
        ],
        date(2026, 10, 1),
    )
    issue(db, october, date(2026, 10, 1))
    # November 2026: due 01/12/2026, not overdue yet.
    november = invoice(db, w.client_id, [(sub, None, "30.25")], date(2026, 11, 1))
    issue(db, november, date(2026, 11, 1))
    note = draft_invoice(
        db,
        w.client_id,
        [("Geste commercial", "1", "10.00", "20.00", "10.00")],
        kind=InvoiceKind.CREDIT_NOTE,
        corrects_id=credited,
    )
    issue(db, note, date(2026, 11, 10))
    # A draft for September: not issued, not counted.
    invoice(db, w.client_id, [(sub, None, "999.00")], date(2026, 9, 1))
    return w


def test_recurring_revenue_counts_subscriptions_and_monthly_options(db: Database) -> None:
    build(db)
    result = dashboard(db, today=TODAY, now=NOW)
    months = [value.month for value in result.revenue]
    assert months == last_months(TODAY)
    assert months[0] == date(2025, 12, 1) and months[-1] == date(2026, 11, 1)
    amounts = {value.month: value.amount for value in result.revenue}
    assert amounts[date(2026, 10, 1)] == D("120.50")
    assert amounts[date(2026, 11, 1)] == D("30.25")
    assert amounts[date(2026, 9, 1)] == D("0.00")  # a draft only
    assert sum(amounts.values()) == D("150.75")


def test_overdue_balances_by_age_net_of_payments_and_credit_notes(db: Database) -> None:
    build(db)
    result = dashboard(db, today=TODAY, now=NOW)
    assert [bucket.bucket for bucket in result.overdue] == list(AGE_BUCKETS)
    figures = [(bucket.bucket.label, bucket.amount, bucket.invoices) for bucket in result.overdue]
    assert figures == [
        ("0–30 j", D("348.60"), 1),
        ("31–60 j", D("12.00"), 1),
        ("61–90 j", D("108.00"), 1),
        ("> 90 j", D("52.40"), 1),
    ]


def test_nothing_overdue_on_an_empty_database(db: Database) -> None:
    result = dashboard(db, today=TODAY, now=NOW)
    assert [bucket.amount for bucket in result.overdue] == [D("0.00")] * 4
    assert [value.amount for value in result.revenue] == [D("0.00")] * 12
    assert result.mailboxes == ()
    assert [value.incidents for value in result.incidents] == [0] * 12
    assert [value.average for value in result.availability] == [D(100)] * 12


def test_active_mailboxes_by_product_line_and_plan(db: Database) -> None:
    w = world(db)
    active = [
        mailbox(db, w, "jean").id,
        mailbox(db, w, "anne").id,
        mailbox(db, w, "paul", plan_id=w.he_big_plan_id).id,
    ]
    with db.session_scope() as session:
        session.execute(
            sa.update(Mailbox)
            .where(Mailbox.id.in_(active))
            .values(status=MailboxStatus.ACTIVE, activated_on=date(2026, 1, 5))
        )
    mailbox(db, w, "zoe")  # requested, not active
    counts = [
        (count.product_line, count.plan_name, count.mailboxes)
        for count in dashboard(db, today=TODAY, now=NOW).mailboxes
    ]
    assert counts == [
        (ProductLineCode.HOSTED_EXCHANGE, "Exchange Plus", 1),
        (ProductLineCode.HOSTED_EXCHANGE, "Exchange Standard", 2),
    ]


def test_incidents_per_paris_month(db: Database) -> None:
    w = world(db)
    # 01/11 00:30 in Paris is still 31/10 in UTC: it counts in November.
    incident(db, w, "ND-1", datetime(2026, 11, 1, 0, 30, tzinfo=PARIS))
    incident(db, w, "ND-2", datetime(2026, 10, 31, 23, 30, tzinfo=PARIS))
    incident(db, w, "ND-3", datetime(2026, 10, 2, 9, 0, tzinfo=PARIS))
    incident(db, w, "ND-4", datetime(2025, 11, 30, 9, 0, tzinfo=PARIS))  # outside
    counts = {v.month: v.incidents for v in dashboard(db, today=TODAY, now=NOW).incidents}
    assert counts[date(2026, 11, 1)] == 1
    assert counts[date(2026, 10, 1)] == 2
    assert sum(counts.values()) == 3
