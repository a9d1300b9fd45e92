"""The demo's collections: mandates for the renewal period, SEPA batches (collected,
one debit rejected, the latest sent), and one client at each dunning stage."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from schwifty import IBAN

from desktop.db.engine import Database
from desktop.db.models import (
    Client,
    Contract,
    DunningEvent,
    Invoice,
    Payment,
    SepaBatch,
    SepaDebit,
    SepaMandate,
)
from desktop.domain.clock import PARIS, as_utc
from desktop.domain.enums import (
    ClientStatus,
    ContractStatus,
    DebitStatus,
    DunningStage,
    InvoiceKind,
    InvoiceStatus,
    MandateStatus,
    PaymentMethod,
)
from desktop.domain.periods import add_months
from desktop.services.demo import generate_demo
from desktop.services.demo.collections import REJECT_REASON
from desktop.services.dunning import plan_dunning, run_dunning
from desktop.services.issuing import printable_address
from tests.conftest import DEMO_TODAY

NOON = as_utc(datetime.combine(DEMO_TODAY, time(12), PARIS))


def _renewal_clients(db: Database) -> dict[int, date]:
    """Clients (not public bodies) with a contract past its first anniversary, each
    with its first anniversary."""
    with db.read_session() as session:
        rows = session.execute(
            sa.select(Contract.client_id, Contract.service_start, Contract.initial_months)
            .join(Client, Client.id == Contract.client_id)
            .where(
                Contract.status.in_((ContractStatus.ACTIVE, ContractStatus.SUSPENDED)),
                Client.status != ClientStatus.ANONYMISED,
                sa.or_(
                    Client.payment_method.is_(None),
                    Client.payment_method != PaymentMethod.ADMINISTRATIVE_MANDATE,
                ),
            )
        ).all()
    first: dict[int, date] = {}
    for client_id, start, months in rows:
        assert start is not None
        anniversary = add_months(start, months)
        if anniversary <= DEMO_TODAY:
            first[client_id] = min(first.get(client_id, anniversary), anniversary)
    return first


def test_every_renewal_client_has_an_active_valid_mandate(demo_db: Database) -> None:
    anniversaries = _renewal_clients(demo_db)
    assert len(anniversaries) >= 10
    with demo_db.read_session() as session:
        mandates = list(session.scalars(sa.select(SepaMandate)))
        clients = {c.id: c for c in session.scalars(sa.select(Client))}
        by_client = defaultdict(list)
        for mandate in mandates:
            by_client[mandate.client_id].append(mandate)
        for client_id, anniversary in anniversaries.items():
            own = by_client[client_id]
            active = [m for m in own if m.status is MandateStatus.ACTIVE]
            assert len(active) == 1, clients[client_id].code
            assert min(m.signed_on for m in own) < anniversary
        for mandate in mandates:
            client = clients[mandate.client_id]
            assert IBAN(mandate.iban).country_code == "FR"  # raises when invalid
            assert mandate.debtor_name == client.name
            assert mandate.debtor_address == printable_address(client)
            assert mandate.signed_on <= DEMO_TODAY
    revoked = [m for m in mandates if m.status is MandateStatus.REVOKED]
    assert 1 <= len(revoked) <= 3
    assert all(m.revoked_on is not None and m.revoked_on > m.signed_on for m in revoked)


def test_batches_collected_one_debit_rejected_the_latest_sent(demo_db: Database) -> None:
    with demo_db.read_session() as session:
        batches = list(session.scalars(sa.select(SepaBatch).order_by(SepaBatch.id)))
        debits = list(session.scalars(sa.select(SepaDebit)))
        statuses = defaultdict(set)
        for debit in debits:
            statuses[debit.batch_id].add(debit.status)
        assert len(batches) >= 3
        assert any(DebitStatus.COLLECTED in statuses[b.id] for b in batches)
        latest = batches[-1]
        assert statuses[latest.id] == {DebitStatus.SENT}
        assert latest.collection_date > DEMO_TODAY
        assert all(b.collection_date - b.created_at.date() >= timedelta(days=14) for b in batches)

        rejected = [d for d in debits if d.status is DebitStatus.REJECTED]
        assert len(rejected) == 1
        debit = rejected[0]
        assert debit.reject_reason == REJECT_REASON
        invoice = session.get(Invoice, debit.invoice_id)
        assert invoice is not None
        assert invoice.status is InvoiceStatus.ISSUED
        payment = session.scalars(
            sa.select(Payment).where(Payment.reference == debit.end_to_end_id)
        ).one()
        assert payment.rejected_at is not None

        for debit in debits:
            if debit.status is DebitStatus.COLLECTED:
                collected = session.scalars(
                    sa.select(Payment).where(Payment.invoice_id == debit.invoice_id)
                ).all()
                assert [p.reference for p in collected] == [debit.end_to_end_id]


def _events(db: Database) -> dict[int, list[DunningEvent]]:
    with db.read_session() as session:
        events = defaultdict(list)
        for event in session.scalars(sa.select(DunningEvent).order_by(DunningEvent.id)):
            events[event.client_id].append(event)
        session.expunge_all()
        return events


def _ago(event: DunningEvent) -> timedelta:
    assert event.done_at is not None
    return NOON - event.done_at


def test_one_client_at_each_dunning_stage(demo_db: Database) -> None:
    events = _events(demo_db)
    stages = {client: [e.stage for e in own] for client, own in events.items()}
    reminded = [c for c, s in stages.items() if s == [DunningStage.REMINDER]]
    suspended = [
        c for c, s in stages.items() if s == [DunningStage.REMINDER, DunningStage.SUSPENSION]
    ]
    assert len(events) == 3 and len(reminded) == 1
    assert _ago(events[reminded[0]][0]) < timedelta(days=8)
    recent = [c for c in suspended if _ago(events[c][1]) < timedelta(hours=48)]
    older = [c for c in suspended if _ago(events[c][1]) > timedelta(hours=48)]
    assert len(recent) == 1 and len(older) == 1
    assert timedelta(days=8) <= _ago(events[recent[0]][0]) <= timedelta(days=10)

    with demo_db.read_session() as session:
        rejected_client = session.execute(
            sa.select(Invoice.client_id)
            .join(SepaDebit, SepaDebit.invoice_id == Invoice.id)
            .where(SepaDebit.status == DebitStatus.REJECTED)
        ).scalar_one()
        statuses = {
            c: session.get(Client, c).status  # type: ignore[union-attr]
            for c in (recent[0], older[0])
        }
    assert rejected_client == reminded[0]
    assert set(statuses.values()) == {ClientStatus.SUSPENDED}

    plan = plan_dunning(demo_db, NOON)
    assert [(s.client_id, s.stage, s.needs_confirmation) for s in plan.due] == [
        (older[0], DunningStage.DELETION, True)
    ]
    report = run_dunning(demo_db, NOON, actor="test")
    assert report.done == () and [s.client_id for s in report.awaiting_confirmation] == older


def test_no_invoice_paid_more_than_its_total(demo_db: Database) -> None:
    with demo_db.read_session() as session:
        paid = dict(
            session.execute(
                sa.select(Payment.invoice_id, sa.func.sum(Payment.amount))
                .where(Payment.rejected_at.is_(None))
                .group_by(Payment.invoice_id)
            ).all()
        )
        totals = dict(
            session.execute(
                sa.select(Invoice.id, Invoice.total_incl_vat).where(
                    Invoice.kind == InvoiceKind.INVOICE
                )
            ).all()
        )
    assert paid
    for invoice_id, amount in paid.items():
        assert Decimal(amount) <= totals[invoice_id], invoice_id


def test_collections_on_both_databases(db: Database) -> None:
    generate_demo(db, clients=20, today=DEMO_TODAY)
    with db.read_session() as session:
        debits = dict(
            session.execute(
                sa.select(SepaDebit.status, sa.func.count()).group_by(SepaDebit.status)
            ).all()
        )
        mandates = session.scalar(sa.select(sa.func.count()).select_from(SepaMandate))
        events = session.scalar(sa.select(sa.func.count()).select_from(DunningEvent))
    assert debits[DebitStatus.COLLECTED] > 0 and debits[DebitStatus.SENT] > 0
    assert debits[DebitStatus.REJECTED] == 1
    assert mandates and events
