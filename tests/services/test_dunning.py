"""The dunning run (business rules §6): a timeline driven by ``at`` through each stage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import (
    AuditLog,
    Client,
    Contact,
    DunningEvent,
    Invoice,
    InvoiceLine,
    LifecycleEvent,
    Mailbox,
    OutboxMessage,
    Provider,
)
from desktop.domain.clock import PARIS
from desktop.domain.dunning import dunning_deadlines
from desktop.domain.enums import (
    ClientStatus,
    ContactRole,
    DunningStage,
    InvoiceStatus,
    MailboxStatus,
    OutboxStatus,
    PaymentMethod,
)
from desktop.services.clients import ContactDraft, get_client, update_client
from desktop.services.dunning import (
    RESTORE_REASON,
    DunningReport,
    dunning_history,
    plan_dunning,
    run_dunning,
    suspension_reason,
)
from desktop.services.payments import record_payment
from tests.documents.pdf_helpers import store_provider
from tests.services.factories import ACTOR, business_draft
from tests.services.invoice_helpers import issued_invoice
from tests.services.lifecycle_helpers import move, started

Stage = DunningStage
S = MailboxStatus
ISSUED = date(2026, 3, 2)  # due 30 days later: 1 April 2026
D = datetime(2026, 4, 10, 9, 30, tzinfo=PARIS)  # the reminder run
SUSPEND_AT, DELETE_AT = dunning_deadlines(D)
MINUTE = timedelta(minutes=1)
CAUSE = "Abus : envoi de spam"


@dataclass(frozen=True)
class Late:
    client_id: int
    invoice_id: int
    number: str
    boxes: tuple[int, int]
    """Active accounts: the dunning suspends and restores them."""
    for_cause: int
    """An account suspended for cause before (HE §7): the dunning restores it never."""


def late_client(db: Database) -> Late:
    store_provider(db)
    world = started(db, 3)
    first, second, third = world.mailbox_ids
    move(db, third, S.SUSPENDED, reason=CAUSE)
    invoice_id, number = issued_invoice(db, world.world.client_id, on=ISSUED)
    with db.read_session() as session:
        assert session.get(Invoice, invoice_id).due_on == date(2026, 4, 1)  # type: ignore[union-attr]
    return Late(world.world.client_id, invoice_id, number, (first, second), third)


def add_contact(db: Database, client_id: int) -> int:
    """A person of the client, through the client's own form."""
    details = get_client(db, client_id)
    anne = ContactDraft(
        role=ContactRole.ADMINISTRATOR,
        name="Anne Roux",
        email="anne@acme.fr",
        phone="06 12 34 56 78",
    )
    draft = business_draft(contacts=(anne,))
    saved = update_client(db, client_id, draft, expected_version=details.version, actor="alice")
    return saved.contacts[0].id


def statuses(db: Database, late: Late) -> tuple[ClientStatus, list[MailboxStatus], MailboxStatus]:
    with db.read_session() as session:
        client = session.get(Client, late.client_id)
        boxes = [session.get(Mailbox, box) for box in (*late.boxes, late.for_cause)]
        assert client is not None and all(boxes)
        return client.status, [b.status for b in boxes[:2]], boxes[2].status  # type: ignore[union-attr]


def events(db: Database) -> list[tuple[Stage, datetime, datetime | None, str | None]]:
    with db.read_session() as session:
        rows = session.execute(sa.select(DunningEvent).order_by(DunningEvent.id)).scalars()
        return [(e.stage, e.due_at, e.done_at, e.by) for e in rows]


def outbox(db: Database) -> list[tuple[str, str, str]]:
    with db.read_session() as session:
        rows = session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id)).scalars()
        return [(m.to, m.subject, m.body) for m in rows]


def billing_email(db: Database, client_id: int) -> str:
    with db.read_session() as session:
        client = session.get(Client, client_id)
        assert client is not None
        return client.billing_email


def stages(report: DunningReport) -> list[Stage]:
    return [step.stage for step in report.done]


def pay(db: Database, late: Late, on: date) -> None:
    record_payment(
        db,
        late.invoice_id,
        paid_on=on,
        amount=Decimal("110.41"),
        method=PaymentMethod.TRANSFER,
        reference="VIR 123",
        actor=ACTOR,
    )


def invoice_snapshot(db: Database, invoice_id: int) -> tuple[object, ...]:
    with db.read_session() as session:
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None
        lines = session.execute(
            sa.select(InvoiceLine.description, InvoiceLine.amount_excl_vat, InvoiceLine.mailbox_id)
            .where(InvoiceLine.invoice_id == invoice_id)
            .order_by(InvoiceLine.position)
        ).all()
        return (
            invoice.number,
            invoice.status,
            invoice.total_incl_vat,
            invoice.hash,
            invoice.buyer_json,
            invoice.client_id,
            tuple(lines),
        )


def assert_run_is_idempotent(db: Database, at: datetime) -> None:
    before = (events(db), outbox(db))
    again = run_dunning(db, at, actor="robot")
    assert (again.done, again.awaiting_confirmation, again.failed) == ((), (), ())
    assert (events(db), outbox(db)) == before


def test_timeline_reminder_suspension_then_confirmed_deletion(db: Database) -> None:
    late = late_client(db)
    email = billing_email(db, late.client_id)
    invoice_before = invoice_snapshot(db, late.invoice_id)

    # Not yet due on the due date itself: nothing.
    assert plan_dunning(db, datetime(2026, 4, 1, 23, 59, tzinfo=PARIS)).due == ()

    # D: the reminder, sent to the billing address.
    plan = plan_dunning(db, D)
    assert [(s.stage, s.client_id) for s in plan.due] == [(Stage.REMINDER, late.client_id)]
    assert plan.due[0].amount_due == Decimal("110.41")
    assert events(db) == []  # a preview writes nothing
    report = run_dunning(db, D, actor="alice")
    assert stages(report) == [Stage.REMINDER]
    assert events(db) == [
        (Stage.REMINDER, datetime(2026, 4, 2, 0, 0, tzinfo=PARIS), D, "alice"),
    ]
    [(to, subject, body)] = outbox(db)
    assert to == email and late.number in subject and "110,41" in body
    assert "18/04/2026 à 09:30" in body  # the deadline the client is given
    assert_run_is_idempotent(db, D)
    assert statuses(db, late) == (ClientStatus.ACTIVE, [S.ACTIVE, S.ACTIVE], S.SUSPENDED)

    # D + 7 days 23 hours: nothing due yet; the suspension shows as upcoming at its deadline.
    almost = D + timedelta(days=7, hours=23)
    plan = plan_dunning(db, almost)
    assert plan.due == ()
    assert [(s.stage, s.due_at) for s in plan.upcoming] == [(Stage.SUSPENSION, SUSPEND_AT)]
    assert run_dunning(db, SUSPEND_AT - MINUTE, actor="robot").done == ()

    # D + 8 days exactly: every running account and the client suspended, notice sent.
    report = run_dunning(db, SUSPEND_AT, actor="robot")
    assert stages(report) == [Stage.SUSPENSION]
    assert report.done[0].accounts == 2
    assert statuses(db, late) == (ClientStatus.SUSPENDED, [S.SUSPENDED, S.SUSPENDED], S.SUSPENDED)
    with db.read_session() as session:
        reasons = session.execute(
            sa.select(LifecycleEvent.reason).where(
                LifecycleEvent.mailbox_id.in_(late.boxes), LifecycleEvent.to_status == "suspended"
            )
        ).scalars()
        assert set(reasons) == {"Impayé : relance du 10/04/2026 restée sans paiement"}
    assert suspension_reason(D) == "Impayé : relance du 10/04/2026 restée sans paiement"
    assert len(outbox(db)) == 2 and outbox(db)[1][0] == email
    assert "20/04/2026 à 09:30" in outbox(db)[1][2]  # 48 hours after the suspension
    assert_run_is_idempotent(db, SUSPEND_AT)

    # 48 hours later: the deletion is due but waits for staff confirmation.
    assert run_dunning(db, DELETE_AT - MINUTE, actor="robot").done == ()
    plan = plan_dunning(db, DELETE_AT)
    [step] = plan.due
    assert (step.stage, step.due_at, step.needs_confirmation) == (Stage.DELETION, DELETE_AT, True)
    report = run_dunning(db, DELETE_AT, actor="robot")
    assert report.done == () and [s.stage for s in report.awaiting_confirmation] == [Stage.DELETION]
    assert len(events(db)) == 2 and len(outbox(db)) == 2
    assert statuses(db, late)[1] == [S.SUSPENDED, S.SUSPENDED]

    # Confirmed by staff: every account deleted and purged, the contacts anonymised;
    # invoices untouched.
    contact_id = add_contact(db, late.client_id)
    confirmed_at = DELETE_AT + timedelta(hours=3)
    report = run_dunning(db, confirmed_at, actor="bob", confirmed_deletions={late.client_id})
    assert stages(report) == [Stage.DELETION] and report.done[0].accounts == 3
    assert events(db)[-1] == (Stage.DELETION, DELETE_AT, confirmed_at, "bob")
    assert statuses(db, late) == (ClientStatus.TERMINATED, [S.DELETED, S.DELETED], S.DELETED)
    with db.read_session() as session:
        for box_id in (*late.boxes, late.for_cause):
            box = session.get(Mailbox, box_id)
            assert box is not None
            assert box.display_name is None
            assert box.address == f"supprime-{box_id}@acme.fr"
            assert box.deleted_on == date(2026, 4, 20)
        contact = session.get(Contact, contact_id)
        assert contact is not None
        assert (contact.name, contact.email, contact.phone) == ("Anonyme", None, None)
        trail = session.scalars(
            sa.select(AuditLog.after).where(
                AuditLog.entity == "contact", AuditLog.entity_id == contact_id
            )
        ).all()
        assert trail and "Anne Roux" not in str(trail) and "06 12" not in str(trail)
        client = session.get(Client, late.client_id)
        assert client is not None and client.name == "Acme Industrie"  # the debtor stays
    assert invoice_snapshot(db, late.invoice_id) == invoice_before
    assert invoice_before[1] is InvoiceStatus.ISSUED
    assert len(outbox(db)) == 3 and "supprimé" in outbox(db)[2][2]
    assert_run_is_idempotent(db, confirmed_at)
    assert run_dunning(db, confirmed_at + timedelta(days=30), actor="robot").done == ()

    history = dunning_history(db, late.client_id)
    assert [(h.stage, h.by, h.email_to) for h in history] == [
        (Stage.REMINDER, "alice", email),
        (Stage.SUSPENSION, "robot", email),
        (Stage.DELETION, "bob", email),
    ]
    assert all(h.invoice_number == late.number and h.outbox_id for h in history)


def test_deletion_without_confirmation_when_the_setting_says_so(db: Database) -> None:
    late = late_client(db)
    with db.session_scope() as session:
        provider = session.get(Provider, 1)
        assert provider is not None
        provider.dunning_deletion_needs_confirmation = False
    for at in (D, SUSPEND_AT, DELETE_AT):
        run_dunning(db, at, actor="robot")
    assert [stage for stage, *_ in events(db)] == [
        Stage.REMINDER,
        Stage.SUSPENSION,
        Stage.DELETION,
    ]
    assert statuses(db, late)[1] == [S.DELETED, S.DELETED]


def test_provider_settings_change_the_delays(db: Database) -> None:
    late_client(db)
    with db.session_scope() as session:
        provider = session.get(Provider, 1)
        assert provider is not None
        provider.dunning_reminder_days = 15
        provider.dunning_deletion_hours = 72
    run_dunning(db, D, actor="robot")
    suspend_at, delete_at = dunning_deadlines(D, reminder_days=15, deletion_hours=72)
    assert run_dunning(db, SUSPEND_AT, actor="robot").done == ()
    assert stages(run_dunning(db, suspend_at, actor="robot")) == [Stage.SUSPENSION]
    assert plan_dunning(db, suspend_at).upcoming[0].due_at == delete_at
    reminder, notice = (body for _, _, body in outbox(db))
    assert "dans les 15 jours au plus tard" in reminder and "supprimés 72 heures" in reminder
    assert "dans un délai de 72 heures" in notice


def test_payment_after_the_reminder_stops_the_sequence(db: Database) -> None:
    late = late_client(db)
    run_dunning(db, D, actor="robot")
    pay(db, late, date(2026, 4, 12))

    # A run before the payment's date still sees the invoice unpaid: nothing due.
    assert run_dunning(db, D + timedelta(days=1), actor="robot").done == ()
    at = datetime(2026, 4, 12, 18, 0, tzinfo=PARIS)
    report = run_dunning(db, at, actor="robot")
    assert stages(report) == [Stage.STOPPED]
    assert [stage for stage, *_ in events(db)] == [Stage.REMINDER, Stage.STOPPED]
    assert len(outbox(db)) == 1  # a stop sends nothing
    assert_run_is_idempotent(db, at)

    # Past the old deadline: no suspension, no new reminder.
    assert run_dunning(db, SUSPEND_AT + timedelta(days=1), actor="robot").done == ()
    assert statuses(db, late) == (ClientStatus.ACTIVE, [S.ACTIVE, S.ACTIVE], S.SUSPENDED)


def test_payment_after_the_suspension_restores_the_accounts(db: Database) -> None:
    late = late_client(db)
    run_dunning(db, D, actor="robot")
    run_dunning(db, SUSPEND_AT, actor="robot")
    assert statuses(db, late)[0] is ClientStatus.SUSPENDED
    pay(db, late, date(2026, 4, 19))

    at = datetime(2026, 4, 19, 10, 0, tzinfo=PARIS)
    plan = plan_dunning(db, at)
    assert [(s.stage, s.accounts) for s in plan.due] == [(Stage.STOPPED, 2)]
    report = run_dunning(db, at, actor="carol")
    assert stages(report) == [Stage.STOPPED]
    # The accounts suspended for unpaid invoices are active again; the one suspended
    # for cause before stays suspended.
    assert statuses(db, late) == (ClientStatus.ACTIVE, [S.ACTIVE, S.ACTIVE], S.SUSPENDED)
    with db.read_session() as session:
        restored = session.execute(
            sa.select(LifecycleEvent.mailbox_id, LifecycleEvent.by).where(
                LifecycleEvent.reason == RESTORE_REASON, LifecycleEvent.mailbox_id.is_not(None)
            )
        ).all()
        assert sorted(restored) == sorted((box, "carol") for box in late.boxes)
    assert events(db)[-1] == (Stage.STOPPED, at, at, "carol")
    assert_run_is_idempotent(db, at)

    # The deletion deadline passes: nothing is deleted.
    assert run_dunning(db, DELETE_AT + timedelta(days=1), actor="robot").done == ()
    assert statuses(db, late)[1] == [S.ACTIVE, S.ACTIVE]


def test_a_new_unpaid_invoice_after_a_stop_starts_a_new_sequence(db: Database) -> None:
    late = late_client(db)
    run_dunning(db, D, actor="robot")
    pay(db, late, date(2026, 4, 12))
    run_dunning(db, datetime(2026, 4, 12, 18, 0, tzinfo=PARIS), actor="robot")
    issued_invoice(db, late.client_id, on=date(2026, 4, 15))  # due 15 May
    assert plan_dunning(db, datetime(2026, 5, 15, 12, 0, tzinfo=PARIS)).due == ()
    later = datetime(2026, 5, 16, 9, 0, tzinfo=PARIS)
    assert stages(run_dunning(db, later, actor="robot")) == [Stage.REMINDER]
    assert [stage for stage, *_ in events(db)] == [Stage.REMINDER, Stage.STOPPED, Stage.REMINDER]
    # The new sequence counts from its own reminder.
    suspend_at, _ = dunning_deadlines(later)
    assert plan_dunning(db, later).upcoming[0].due_at == suspend_at


def test_no_step_for_a_client_who_owes_nothing_overdue(db: Database) -> None:
    late = late_client(db)
    pay(db, late, date(2026, 3, 20))
    assert plan_dunning(db, D) == plan_dunning(db, D).__class__(D, (), ())
    assert run_dunning(db, D, actor="robot").done == ()
    assert events(db) == []


def set_outbox_status(db: Database, status: OutboxStatus) -> None:
    with db.session_scope() as session:
        for message in session.execute(sa.select(OutboxMessage)).scalars():
            message.status = status


def test_a_failed_reminder_email_blocks_the_suspension(db: Database) -> None:
    late = late_client(db)
    run_dunning(db, D, actor="robot")
    set_outbox_status(db, OutboxStatus.FAILED)

    [step] = plan_dunning(db, SUSPEND_AT).due
    assert step.stage is Stage.SUSPENSION and step.blocked is not None
    assert "n'a pas pu être envoyé" in step.summary
    report = run_dunning(db, SUSPEND_AT, actor="robot")
    assert report.done == () and [s.stage for s in report.blocked] == [Stage.SUSPENSION]
    assert len(events(db)) == 1
    assert statuses(db, late)[1] == [S.ACTIVE, S.ACTIVE]

    set_outbox_status(db, OutboxStatus.SENT)  # sent again from the outbox
    assert stages(run_dunning(db, SUSPEND_AT + MINUTE, actor="robot")) == [Stage.SUSPENSION]
    assert statuses(db, late)[1] == [S.SUSPENDED, S.SUSPENDED]


def test_a_payment_stops_even_when_the_last_email_failed(db: Database) -> None:
    late = late_client(db)
    run_dunning(db, D, actor="robot")
    run_dunning(db, SUSPEND_AT, actor="robot")
    set_outbox_status(db, OutboxStatus.FAILED)
    pay(db, late, date(2026, 4, 19))
    at = datetime(2026, 4, 19, 10, 0, tzinfo=PARIS)
    assert stages(run_dunning(db, at, actor="robot")) == [Stage.STOPPED]
    assert statuses(db, late)[:2] == (ClientStatus.ACTIVE, [S.ACTIVE, S.ACTIVE])


def test_each_step_notes_what_was_done(db: Database) -> None:
    late = late_client(db)
    run_dunning(db, D, actor="robot")
    run_dunning(db, SUSPEND_AT, actor="robot")
    run_dunning(db, DELETE_AT, actor="robot", confirmed_deletions=[late.client_id])
    notes = [row.notes or "" for row in dunning_history(db, late.client_id)]
    assert notes[0].startswith("Relance : ") and "18/04/2026 à 09:30" in notes[0]
    assert notes[1].startswith("Suspension : ") and "2 boîte(s) suspendue(s)" in notes[1]
    assert notes[2].startswith("Suppression : ") and "3 boîte(s) supprimée(s)" in notes[2]


def test_a_step_whose_email_cannot_be_queued_writes_nothing(db: Database) -> None:
    late = late_client(db)
    run_dunning(db, D, actor="robot")
    with db.session_scope() as session:
        client = session.get(Client, late.client_id)
        assert client is not None
        client.billing_email = ""
    report = run_dunning(db, SUSPEND_AT, actor="robot")
    assert report.done == () and [f.client_id for f in report.failed] == [late.client_id]
    assert report.failed[0].message  # a French message for the CLI and the view
    assert len(events(db)) == 1 and len(outbox(db)) == 1
    assert statuses(db, late) == (ClientStatus.ACTIVE, [S.ACTIVE, S.ACTIVE], S.SUSPENDED)


def test_history_shows_what_was_sent(db: Database) -> None:
    late = late_client(db)
    run_dunning(db, D, actor="robot")
    [row] = dunning_history(db, late.client_id)
    assert row.email_status is OutboxStatus.PENDING and row.email_sent_at is None
    assert row.email_subject is not None and late.number in row.email_subject
