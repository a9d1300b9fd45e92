"""The reports' figures: receivables by age, sales journal, recurring revenue, inventory."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import CatalogueOption, Invoice, InvoiceLine, Mailbox, Payment
from desktop.domain.clock import utc_now
from desktop.domain.enums import (
    InvoiceKind,
    InvoiceLineKind,
    MailboxStatus,
    OptionBilling,
    OptionCategory,
    PaymentMethod,
)
from desktop.errors import UserError
from desktop.services.credit_notes import CreditLine, create_credit_note
from desktop.services.issuing import issue_drafts
from desktop.services.payments import record_payment
from desktop.services.reports import (
    BUCKETS,
    MONTHLY_OPTION,
    SUBSCRIPTION,
    SUBTOTAL,
    TOTAL,
    age_bucket,
    client_id_by_code,
    journal_rates,
    mailbox_inventory,
    receivables_by_age,
    recurring_revenue,
    sales_journal,
)
from tests.documents.pdf_helpers import store_provider
from tests.services.factories import ACTOR, OTHER_SIREN, client, mailbox, world
from tests.services.invoice_helpers import billing_setup, draft_invoice, issued_invoice

D = Decimal
JAN = date(2025, 1, 2)
TOTAL_TTC = D("110.41")  # TWO_LINES: 12.00 at 20 % + 91.00 at 5.5 % → 103.00 + 2.40 + 5.01
ONLY_20: tuple[tuple[str, str, str, str, str], ...] = (
    ("Abonnement", "1", "50.00", "20.00", "50.00"),
)


def _due_on(db: Database, invoice_id: int) -> date:
    with db.read_session() as session:
        due = session.get_one(Invoice, invoice_id).due_on
    assert due is not None
    return due


def _pay(db: Database, invoice_id: int, amount: str, on: date) -> None:
    record_payment(
        db,
        invoice_id,
        paid_on=on,
        amount=D(amount),
        method=PaymentMethod.TRANSFER,
        reference=None,
        actor=ACTOR,
    )


def _reject_payments(db: Database, invoice_id: int, amount: str) -> None:
    with db.session_scope() as session:
        session.execute(
            sa.update(Payment)
            .where(Payment.invoice_id == invoice_id, Payment.amount == D(amount))
            .values(rejected_at=utc_now(), rejection_reason="AM04")
        )


# --- receivables by age ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(-1, 0), (0, 1), (30, 1), (31, 2), (60, 2), (61, 3), (90, 3), (91, 4), (400, 4)],
)
def test_bucket_boundaries(days: int, bucket: int) -> None:
    assert age_bucket(days) == bucket


def test_an_open_invoice_moves_from_bucket_to_bucket(db: Database) -> None:
    client_id = billing_setup(db)
    invoice_id, number = issued_invoice(db, client_id, on=JAN)
    due = _due_on(db, invoice_id)
    expected = {-1: 0, 0: 1, 30: 1, 31: 2, 60: 2, 61: 3, 90: 3, 91: 4}
    for days, bucket in expected.items():
        report = receivables_by_age(db, due + timedelta(days=days))
        (row,) = report.rows
        amounts = [D("0.00")] * len(BUCKETS)
        amounts[bucket] = TOTAL_TTC
        assert row.client_id == client_id
        assert list(row.amounts) == amounts, days
        assert row.total == TOTAL_TTC
        assert report.total == TOTAL_TTC
        assert report.items[0].number == number
        assert report.items[0].days_late == days
    assert receivables_by_age(db, JAN - timedelta(days=1)).rows == ()


def test_balances_net_of_valid_payments_and_credit_notes(db: Database) -> None:
    client_id = billing_setup(db)
    invoice_id, _ = issued_invoice(db, client_id, on=JAN)
    _pay(db, invoice_id, "10.41", JAN + timedelta(days=5))
    _pay(db, invoice_id, "50.00", JAN + timedelta(days=6))
    _reject_payments(db, invoice_id, "50.00")
    with db.read_session() as session:
        line_id = session.execute(
            sa.select(InvoiceLine.id).where(
                InvoiceLine.invoice_id == invoice_id, InvoiceLine.vat_rate == D("20.00")
            )
        ).scalar_one()
    create_credit_note(
        db,
        invoice_id,
        lines=[CreditLine(line_id, D("10.00"))],
        reason="Geste commercial",
        actor=ACTOR,
        today=JAN + timedelta(days=10),
    )
    # Before the payment: the whole invoice; the rejected 50.00 never counts.
    assert receivables_by_age(db, JAN + timedelta(days=4)).total == TOTAL_TTC
    assert receivables_by_age(db, JAN + timedelta(days=5)).total == D("100.00")
    # The credit note (10.00 + 2.00 VAT) counts from its issue date.
    assert receivables_by_age(db, JAN + timedelta(days=9)).total == D("100.00")
    report = receivables_by_age(db, JAN + timedelta(days=10))
    assert report.total == D("88.00")
    assert report.rows[0].amounts[0] == D("88.00")
    assert report.rows[0].invoices == 1


def test_paid_invoices_and_drafts_are_left_out(db: Database) -> None:
    client_id = billing_setup(db)
    paid_id, _ = issued_invoice(db, client_id, on=JAN)
    _pay(db, paid_id, str(TOTAL_TTC), JAN + timedelta(days=1))
    draft_invoice(db, client_id)
    assert receivables_by_age(db, JAN + timedelta(days=200)).rows == ()


def test_clients_and_totals_per_bucket(db: Database) -> None:
    first = billing_setup(db)
    second = client(db, name="Bêta Conseil", siren=OTHER_SIREN).id
    old_id, _ = issued_invoice(db, first, on=JAN)
    due = _due_on(db, old_id)
    at = due + timedelta(days=45)
    issued_invoice(db, second, ONLY_20, on=at - timedelta(days=3))  # not due yet
    recent_id, _ = issued_invoice(db, first, ONLY_20, on=at - timedelta(days=1))
    report = receivables_by_age(db, at)
    assert [row.client_name for row in report.rows] == ["Acme Industrie", "Bêta Conseil"]
    acme, beta = report.rows
    assert acme.amounts == (D("60.00"), D("0.00"), TOTAL_TTC, D("0.00"), D("0.00"))
    assert acme.total == D("170.41")
    assert beta.amounts == (D("60.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00"))
    assert report.totals == (D("120.00"), D("0.00"), TOTAL_TTC, D("0.00"), D("0.00"))
    assert report.total == D("230.41")
    assert [item.client_id for item in report.items] == [first, first, second]
    assert recent_id in {recent_id}


# --- sales journal --------------------------------------------------------------------------


def test_sales_journal_of_a_month(db: Database) -> None:
    client_id = billing_setup(db)
    first_id, first_number = issued_invoice(db, client_id, on=date(2025, 3, 3))
    _, second_number = issued_invoice(db, client_id, ONLY_20, on=date(2025, 3, 10))
    issued_invoice(db, client_id, ONLY_20, on=date(2025, 4, 1))  # next month
    draft_invoice(db, client_id)
    note_number = create_credit_note(
        db,
        first_id,
        lines=None,
        reason="Erreur de facturation",
        actor=ACTOR,
        today=date(2025, 4, 1),
    )
    march = sales_journal(db, date(2025, 3, 1))
    *documents, total = march
    assert [line.number for line in documents] == [first_number, second_number]
    first = documents[0]
    assert first.issued_on == date(2025, 3, 3)
    assert first.kind == "Facture"
    assert first.client_name == "Acme Industrie"
    assert first.bases == {D("20.00"): D("12.00"), D("5.50"): D("91.00")}
    assert first.vat == {D("20.00"): D("2.40"), D("5.50"): D("5.01")}
    assert (first.total_excl_vat, first.total_vat, first.total_incl_vat) == (
        D("103.00"),
        D("7.41"),
        TOTAL_TTC,
    )
    assert total.is_total and total.kind == "Total"
    assert total.bases == {D("20.00"): D("62.00"), D("5.50"): D("91.00")}
    assert total.vat == {D("20.00"): D("12.40"), D("5.50"): D("5.01")}
    assert total.total_incl_vat == D("170.41")
    assert journal_rates(march) == [D("20.00"), D("5.50")]

    april = sales_journal(db, date(2025, 4, 15))
    *documents, total = april
    assert [line.number for line in documents] == sorted([note_number, documents[1].number])
    note = next(line for line in documents if line.number == note_number)
    assert note.kind == "Avoir"
    assert note.bases == {D("20.00"): D("-12.00"), D("5.50"): D("-91.00")}
    assert note.total_incl_vat == -TOTAL_TTC
    assert total.total_incl_vat == D("60.00") - TOTAL_TTC
    assert total.total_vat == D("10.00") - D("7.41")


def test_an_empty_month_has_only_a_zero_total(db: Database) -> None:
    (total,) = sales_journal(db, date(2025, 6, 1))
    assert total.is_total
    assert total.total_incl_vat == D("0.00")
    assert total.bases == {}


# --- recurring revenue ----------------------------------------------------------------------


def _monthly_option(db: Database, name: str, billing: OptionBilling) -> int:
    with db.session_scope() as session:
        row = CatalogueOption(
            code=name.upper()[:40],
            name=name,
            category=OptionCategory.OPTION,
            billing=billing,
            updated_by=ACTOR,
        )
        session.add(row)
        session.flush()
        return row.id


def _billed_invoice(
    db: Database,
    client_id: int,
    month: date,
    lines: list[tuple[InvoiceLineKind, str, int | None, int | None, int | None, int]],
) -> int:
    """An invoice of ``month``: (kind, amount, plan, option, mailbox, contract) lines."""
    with db.session_scope() as session:
        invoice = Invoice(
            client_id=client_id, kind=InvoiceKind.INVOICE, billing_month=month, updated_by=ACTOR
        )
        for position, (kind, amount, plan_id, option_id, mailbox_id, contract_id) in enumerate(
            lines, start=1
        ):
            invoice.lines.append(
                InvoiceLine(
                    position=position,
                    kind=kind,
                    description=f"Ligne {position}",
                    quantity=D("1"),
                    unit_price_excl_vat=D(amount),
                    vat_rate=D("20.00"),
                    amount_excl_vat=D(amount),
                    plan_id=plan_id,
                    option_id=option_id,
                    mailbox_id=mailbox_id,
                    contract_id=contract_id,
                )
            )
        session.add(invoice)
        session.flush()
        return invoice.id


def test_recurring_revenue_by_product_line_and_plan(db: Database) -> None:
    store_provider(db)
    w = world(db)
    boxes = [mailbox(db, w, name).id for name in ("anne", "bruno", "chloe")]
    o365_box = mailbox(db, w, "dora", contract_id=w.o365_contract_id, plan_id=w.o365_plan_id).id
    archive = _monthly_option(db, "Archivage", OptionBilling.MONTHLY)
    yearly = _monthly_option(db, "Support annuel", OptionBilling.YEARLY)
    he, o365 = w.he_contract_id, w.o365_contract_id
    sub, opt = InvoiceLineKind.SUBSCRIPTION, InvoiceLineKind.OPTION
    march = date(2025, 3, 1)
    billed = _billed_invoice(
        db,
        w.client_id,
        march,
        [
            (sub, "12.00", w.he_plan_id, None, boxes[0], he),
            (sub, "12.00", w.he_plan_id, None, boxes[1], he),
            (sub, "20.00", w.he_big_plan_id, None, boxes[2], he),
            (sub, "6.00", w.o365_plan_id, None, o365_box, o365),
            (opt, "2.50", None, archive, boxes[0], he),
            (opt, "120.00", None, yearly, None, he),
            (InvoiceLineKind.INITIAL_FEE, "30.00", None, None, None, he),
        ],
    )
    issue_drafts(db, [billed], actor=ACTOR, today=date(2025, 3, 31))
    other_month = _billed_invoice(
        db, w.client_id, date(2025, 4, 1), [(sub, "12.00", w.he_plan_id, None, boxes[0], he)]
    )
    issue_drafts(db, [other_month], actor=ACTOR, today=date(2025, 4, 30))
    draft_client = client(db, name="Bêta Conseil", siren=OTHER_SIREN).id
    _billed_invoice(db, draft_client, march, [(sub, "99.00", w.he_plan_id, None, None, he)])

    lines = recurring_revenue(db, date(2025, 3, 15))
    shown = [(r.product_line, r.item, r.kind, r.mailboxes, r.amount_excl_vat) for r in lines]
    assert shown == [
        ("Hosted Exchange", "Exchange Plus", SUBSCRIPTION, 1, D("20.00")),
        ("Hosted Exchange", "Exchange Standard", SUBSCRIPTION, 2, D("24.00")),
        ("Hosted Exchange", "Archivage", MONTHLY_OPTION, 1, D("2.50")),
        ("Hosted Exchange", "", SUBTOTAL, 3, D("46.50")),
        ("Office 365", "Business Basic", SUBSCRIPTION, 1, D("6.00")),
        ("Office 365", "", SUBTOTAL, 1, D("6.00")),
        ("", "", TOTAL, 4, D("52.50")),
    ]
    assert lines[-1].is_total and lines[3].is_subtotal
    assert recurring_revenue(db, date(2025, 5, 1)) == [
        lines[-1].__class__("", "", TOTAL, 0, D("0.00"))
    ]


# --- mailbox inventory ----------------------------------------------------------------------


def test_mailbox_inventory_of_a_client(db: Database) -> None:
    w = world(db)
    mailbox(db, w, "zoe", display_name="Zoé Martin")
    mailbox(db, w, "alain", plan_id=w.he_big_plan_id)
    mailbox(db, w, "olga", contract_id=w.o365_contract_id, plan_id=w.o365_plan_id)
    gone = mailbox(db, w, "parti").id
    with db.session_scope() as session:
        for row in session.scalars(sa.select(Mailbox)):
            row.status = MailboxStatus.ACTIVE
            row.activated_on = date(2025, 2, 1)
        deleted = session.get_one(Mailbox, gone)
        deleted.status = MailboxStatus.DELETED
        deleted.terminated_on = date(2025, 6, 1)
        deleted.deleted_on = date(2025, 7, 1)
    inventory = mailbox_inventory(db, w.client_id)
    assert (inventory.client_code, inventory.client_name) == (
        client_code(db, w.client_id),
        "Acme Industrie",
    )
    assert [row.address for row in inventory.rows] == [
        "alain@acme.fr",
        "zoe@acme.fr",
        "olga@acme.fr",
    ]
    zoe = inventory.rows[1]
    assert zoe.display_name == "Zoé Martin"
    assert (zoe.product_line, zoe.plan, zoe.quota_gb) == (
        "Hosted Exchange",
        "Exchange Standard",
        10,
    )
    assert zoe.status == "Active"
    assert zoe.started_on == date(2025, 2, 1)
    assert zoe.contract_number == "C2026-00001"
    assert inventory.rows[2].product_line == "Office 365"
    # At a date: the mailboxes in service that day.
    assert len(mailbox_inventory(db, w.client_id, date(2025, 1, 31)).rows) == 0
    assert len(mailbox_inventory(db, w.client_id, date(2025, 5, 31)).rows) == 4
    assert len(mailbox_inventory(db, w.client_id, date(2025, 6, 1)).rows) == 3


def client_code(db: Database, client_id: int) -> str:
    from desktop.db.models import Client

    with db.read_session() as session:
        return session.get_one(Client, client_id).code


def test_unknown_clients(db: Database) -> None:
    w = world(db)
    code = client_code(db, w.client_id)
    assert client_id_by_code(db, code.lower()) == w.client_id
    with pytest.raises(UserError, match="Client inconnu : ZZZ"):
        client_id_by_code(db, "ZZZ")
    with pytest.raises(UserError, match="Client introuvable"):
        mailbox_inventory(db, w.client_id + 1000)


# --- the demo -------------------------------------------------------------------------------


def test_demo_reports_agree_with_the_invoices(demo_db: Database) -> None:
    with demo_db.read_session() as session:
        month = session.execute(sa.select(sa.func.max(Invoice.billing_month))).scalar_one()
        issued = session.execute(
            sa.select(Invoice.kind, Invoice.total_incl_vat, Invoice.issued_on).where(
                Invoice.number.is_not(None)
            )
        ).all()
    assert month is not None
    first = month.replace(day=1)
    in_month = [r for r in issued if r.issued_on.replace(day=1) == first]
    expected = sum(
        (
            r.total_incl_vat if r.kind is InvoiceKind.INVOICE else -r.total_incl_vat
            for r in in_month
        ),
        D("0.00"),
    )
    journal = sales_journal(demo_db, first)
    assert len(journal) == len(in_month) + 1
    assert journal[-1].total_incl_vat == expected
    revenue = recurring_revenue(demo_db, first)
    assert revenue[-1].amount_excl_vat > 0
    subtotals = [line for line in revenue if line.is_subtotal]
    assert sum((r.amount_excl_vat for r in subtotals), D("0.00")) == revenue[-1].amount_excl_vat
    aging = receivables_by_age(demo_db, max(r.issued_on for r in issued))
    assert aging.total == sum((row.total for row in aging.rows), D("0.00"))
