"""The late-payment sequence run (business rules §6, HE §9.5): preview, run, history.

Per client, the sequence is read from its :class:`DunningEvent` rows since its
last "stopped" event: nothing yet, a reminder, a suspension, or a deletion
(the end). At an instant ``at`` the next step of a client is due when:

- reminder: an issued invoice is unpaid past its due date and no sequence runs;
- suspension: the reminder is at least ``Provider.dunning_reminder_days`` old
  (calendar days in Paris) and the invoices it was about are still unpaid;
- deletion: the suspension is at least ``Provider.dunning_deletion_hours`` old
  and still unpaid; it waits for staff confirmation when
  ``Provider.dunning_deletion_needs_confirmation`` says so;
- stop: the invoices the reminder was about (those due before its day) are
  paid or credited; suspended accounts are restored.

"Paid" is judged at ``at``: payments dated that day or before and not rejected
by then, credit notes issued by then. Each client's step is one transaction:
the step, its email in the outbox and the lifecycle changes are written
together or not at all. A step done is never done again: running twice at the
same ``at`` does nothing more.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from desktop.db.engine import Database
from desktop.db.models import (
    Client,
    Contract,
    DunningEvent,
    Invoice,
    LifecycleEvent,
    Mailbox,
    OutboxMessage,
    Payment,
    Provider,
)
from desktop.documents.french import french_datetime, french_money
from desktop.domain.clock import PARIS, as_utc
from desktop.domain.dunning import DELETION_HOURS, REMINDER_DAYS, deletion_due, suspension_due
from desktop.domain.enums import (
    ClientStatus,
    ContractStatus,
    DunningStage,
    InvoiceKind,
    InvoiceStatus,
    LifecycleKind,
    MailboxStatus,
    OutboxStatus,
)
from desktop.domain.lifecycle import RUNNING
from desktop.domain.roles import Permission
from desktop.domain.settlement import balance_due
from desktop.errors import UserError
from desktop.services.access import requires
from desktop.services.email_templates import render
from desktop.services.events import Subject, log_event
from desktop.services.lifecycle import move_mailbox
from desktop.services.outbox import queue_email
from desktop.services.personal_data import forget_contacts

Stage = DunningStage
S = MailboxStatus

_STATUS_BY_VALUE = {status.value: status for status in MailboxStatus}
_OPEN_STATUSES = (InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_PAID)
_CREDIT_NOTE = aliased(Invoice, name="credit_note")
RESTORE_REASON = "Paiement reçu : relance arrêtée"
TEMPLATES = {
    Stage.REMINDER: "dunning_reminder",
    Stage.SUSPENSION: "suspension_notice",
    Stage.DELETION: "deletion_notice",
}
"""The email each step sends to the client's billing address."""


@dataclass(frozen=True)
class UnpaidInvoice:
    id: int
    number: str
    due_on: date
    balance: Decimal


@dataclass(frozen=True)
class DunningStep:
    """The next step of one client's sequence, due at ``due_at``."""

    client_id: int
    client_code: str
    client_name: str
    stage: DunningStage
    due_at: datetime
    invoices: tuple[UnpaidInvoice, ...]
    """The unpaid invoices the sequence is about (empty for a stop)."""
    accounts: int
    """Accounts the step changes: suspended, deleted or restored."""
    needs_confirmation: bool = False
    """A deletion waiting for staff confirmation."""
    blocked: str | None = None
    """Why the step cannot be done yet (the previous step's email failed), in French."""

    @property
    def amount_due(self) -> Decimal:
        return sum((invoice.balance for invoice in self.invoices), Decimal("0.00"))

    @property
    def summary(self) -> str:
        """One French line: what this step does (or would do) to whom."""
        if self.blocked is not None:
            return (
                f"Bloquée ({self.stage.label.lower()}) : {self.client_code} {self.client_name}"
                f" — {self.blocked}"
            )
        who = f"{self.client_code} {self.client_name}"
        numbers = ", ".join(invoice.number for invoice in self.invoices)
        owed = f"{french_money(self.amount_due)} impayés ({numbers})"
        if self.stage is Stage.REMINDER:
            return f"Relance : {who} — {owed}"
        if self.stage is Stage.SUSPENSION:
            return f"Suspension : {who} — {self.accounts} boîte(s) suspendue(s), {owed}"
        if self.stage is Stage.DELETION:
            head = "Suppression à confirmer" if self.needs_confirmation else "Suppression"
            return f"{head} : {who} — {self.accounts} boîte(s) supprimée(s), {owed}"
        return f"Relance arrêtée : {who} — paiement reçu, {self.accounts} boîte(s) rétablie(s)"


@dataclass(frozen=True)
class DunningPlan:
    """The steps due at ``at`` and the next deadlines (``upcoming``).

    A due step flagged ``needs_confirmation`` or ``blocked`` is shown but a run
    will not do it (without the confirmation, or until the email is sent).
    """

    at: datetime
    due: tuple[DunningStep, ...]
    upcoming: tuple[DunningStep, ...]


@dataclass(frozen=True)
class DunningFailure:
    client_id: int
    client_code: str
    message: str


@dataclass(frozen=True)
class DunningReport:
    at: datetime
    done: tuple[DunningStep, ...]
    awaiting_confirmation: tuple[DunningStep, ...]
    """Deletions due but not confirmed by staff: nothing was done for them."""
    blocked: tuple[DunningStep, ...]
    """Steps due whose previous email could not be sent: nothing was done for them."""
    failed: tuple[DunningFailure, ...]
    """Clients whose step was refused (nothing written for them)."""


@dataclass(frozen=True)
class DunningHistoryRow:
    id: int
    stage: DunningStage
    due_at: datetime
    done_at: datetime | None
    by: str | None
    invoice_number: str | None
    outbox_id: int | None
    email_to: str | None
    email_subject: str | None
    email_status: OutboxStatus | None
    email_sent_at: datetime | None
    notes: str | None


@dataclass(frozen=True)
class _Settings:
    reminder_days: int
    deletion_hours: int
    deletion_needs_confirmation: bool


# --- public API ---------------------------------------------------------------------------


def plan_dunning(
    db: Database, at: datetime, *, client_ids: Collection[int] | None = None
) -> DunningPlan:
    """Preview: each client's step due at ``at``, and the ones still to come; writes nothing.

    ``client_ids``: only those clients (default: every client).
    """
    at = _aware(at)
    due: list[DunningStep] = []
    upcoming: list[DunningStep] = []
    with db.read_session() as session:
        settings = _settings(session)
        for client_id in _candidates(session, at, client_ids):
            client = session.get(Client, client_id)
            assert client is not None
            step = _next_step(session, client, at, settings)
            if step is None:
                continue
            (due if step.due_at <= at else upcoming).append(step)
    upcoming.sort(key=lambda step: (step.due_at, step.client_code))
    return DunningPlan(at, tuple(due), tuple(upcoming))


@requires(Permission.DUNNING)
def run_dunning(
    db: Database,
    at: datetime,
    *,
    actor: str,
    confirmed_deletions: Collection[int] = (),
    client_ids: Collection[int] | None = None,
) -> DunningReport:
    """Do every step due at ``at``, one transaction per client.

    A deletion is done only when the settings do not ask for confirmation or
    the client's id is in ``confirmed_deletions``; otherwise it is reported in
    ``awaiting_confirmation`` and nothing changes for that client.
    """
    at = _aware(at)
    plan = plan_dunning(db, at, client_ids=client_ids)
    done: list[DunningStep] = []
    waiting: list[DunningStep] = []
    blocked: list[DunningStep] = []
    failed: list[DunningFailure] = []
    for planned in plan.due:
        try:
            with db.session_scope() as session:
                step = _apply_client(session, planned.client_id, at, actor, confirmed_deletions)
        except UserError as error:
            failed.append(DunningFailure(planned.client_id, planned.client_code, str(error)))
            continue
        if step is None:
            continue
        if step.blocked is not None:
            blocked.append(step)
        else:
            (waiting if step.needs_confirmation else done).append(step)
    return DunningReport(at, tuple(done), tuple(waiting), tuple(blocked), tuple(failed))


def dunning_history(db: Database, client_id: int) -> list[DunningHistoryRow]:
    """Every step of a client's sequences, oldest first, with the email it sent."""
    query = (
        sa.select(DunningEvent, Invoice.number, OutboxMessage)
        .outerjoin(Invoice, Invoice.id == DunningEvent.invoice_id)
        .outerjoin(OutboxMessage, OutboxMessage.id == DunningEvent.outbox_id)
        .where(DunningEvent.client_id == client_id)
        .order_by(DunningEvent.id)
    )
    with db.read_session() as session:
        return [
            DunningHistoryRow(
                id=event.id,
                stage=event.stage,
                due_at=event.due_at,
                done_at=event.done_at,
                by=event.by,
                invoice_number=number,
                outbox_id=event.outbox_id,
                email_to=message.to if message else None,
                email_subject=message.subject if message else None,
                email_status=message.status if message else None,
                email_sent_at=message.sent_at if message else None,
                notes=event.notes,
            )
            for event, number, message in session.execute(query).all()
        ]


def suspension_reason(reminder_at: datetime) -> str:
    """The reason logged on each account a dunning suspension suspends."""
    return f"Impayé : relance du {reminder_at.astimezone(PARIS):%d/%m/%Y} restée sans paiement"


# --- the state of one client --------------------------------------------------------------


def _aware(at: datetime) -> datetime:
    """``at`` in UTC; a naive one is Paris time (what users type)."""
    return as_utc(at)


def _paris_day(at: datetime) -> date:
    return at.astimezone(PARIS).date()


def _settings(session: Session) -> _Settings:
    provider = session.get(Provider, 1)
    if provider is None:
        return _Settings(REMINDER_DAYS, DELETION_HOURS, True)
    return _Settings(
        provider.dunning_reminder_days,
        provider.dunning_deletion_hours,
        provider.dunning_deletion_needs_confirmation,
    )


def _candidates(
    session: Session, at: datetime, client_ids: Collection[int] | None = None
) -> list[int]:
    """Clients with an invoice overdue at ``at`` or an event: the only ones with a step.

    An invoice can be unpaid at ``at`` only if it is unpaid now, or if what
    settled it (a payment, a credit note) came after ``at`` or was rejected:
    invoices settled for good before ``at`` are not read at all, which keeps a run
    fast on a large client base. Anonymised clients are left out: they have no
    address to write to any more. ``client_ids``: only those clients.
    """
    day = _paris_day(at)
    credited_later = sa.exists().where(
        _CREDIT_NOTE.corrects_id == Invoice.id, _CREDIT_NOTE.issued_on > day
    )
    paid_later = sa.exists().where(
        Payment.invoice_id == Invoice.id,
        sa.or_(Payment.paid_on > day, Payment.rejected_at.is_not(None)),
    )
    overdue = sa.select(Invoice.client_id).where(
        Invoice.kind == InvoiceKind.INVOICE,
        Invoice.status != InvoiceStatus.DRAFT,
        Invoice.due_on < day,
        sa.or_(Invoice.status.in_(_OPEN_STATUSES), paid_later, credited_later),
    )
    events = sa.select(DunningEvent.client_id)
    query = sa.select(Client.id).where(
        Client.id.in_(overdue.union(events)), Client.status != ClientStatus.ANONYMISED
    )
    if client_ids is not None:
        query = query.where(Client.id.in_(list(client_ids)))
    return list(session.execute(query.order_by(Client.code)).scalars())


def _sequence(session: Session, client_id: int) -> list[DunningEvent]:
    """The client's events since its last stop (empty: no sequence running)."""
    events = list(
        session.execute(
            sa.select(DunningEvent)
            .where(DunningEvent.client_id == client_id)
            .order_by(DunningEvent.id)
        ).scalars()
    )
    for index in range(len(events) - 1, -1, -1):
        if events[index].stage is Stage.STOPPED:
            return events[index + 1 :]
    return events


def _unpaid(
    session: Session, client_id: int, at: datetime, due_before: date
) -> list[UnpaidInvoice]:
    """Invoices due before ``due_before`` with something left to pay at ``at``."""
    day = _paris_day(at)
    invoices = session.execute(
        sa.select(Invoice.id, Invoice.number, Invoice.due_on, Invoice.total_incl_vat)
        .where(
            Invoice.client_id == client_id,
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status != InvoiceStatus.DRAFT,
            Invoice.issued_on <= day,
            Invoice.due_on < due_before,
        )
        .order_by(Invoice.due_on, Invoice.id)
    ).all()
    unpaid = []
    for invoice_id, number, due_on, total in invoices:
        paid = session.execute(
            sa.select(sa.func.coalesce(sa.func.sum(Payment.amount), 0)).where(
                Payment.invoice_id == invoice_id,
                Payment.paid_on <= day,
                sa.or_(Payment.rejected_at.is_(None), Payment.rejected_at > at),
            )
        ).scalar_one()
        credited = session.execute(
            sa.select(sa.func.coalesce(sa.func.sum(Invoice.total_incl_vat), 0)).where(
                Invoice.corrects_id == invoice_id,
                Invoice.status != InvoiceStatus.DRAFT,
                Invoice.issued_on <= day,
            )
        ).scalar_one()
        balance = balance_due(total, Decimal(paid), Decimal(credited))
        if balance > 0:
            assert due_on is not None and number is not None  # issued, due: both set
            unpaid.append(UnpaidInvoice(invoice_id, number, due_on, balance))
    return unpaid


def _mailboxes(
    session: Session, client_id: int, statuses: Collection[MailboxStatus]
) -> list[Mailbox]:
    return list(
        session.execute(
            sa.select(Mailbox)
            .where(Mailbox.client_id == client_id, Mailbox.status.in_(list(statuses)))
            .order_by(Mailbox.id)
        ).scalars()
    )


def _suspended_by(session: Session, client_id: int, reason: str) -> list[tuple[Mailbox, str]]:
    """Accounts still suspended by this sequence, with the status each had before."""
    found = []
    for box in _mailboxes(session, client_id, {S.SUSPENDED}):
        last = session.execute(
            sa.select(LifecycleEvent)
            .where(
                LifecycleEvent.mailbox_id == box.id,
                LifecycleEvent.kind == LifecycleKind.STATUS,
            )
            .order_by(LifecycleEvent.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if last is not None and last.reason == reason and last.from_status is not None:
            found.append((box, last.from_status))
    return found


def _email_failed(session: Session, event: DunningEvent) -> str | None:
    """Why the next step must wait: the email of ``event`` could not be sent (None: it can go)."""
    if event.outbox_id is None:
        return None
    message = session.get(OutboxMessage, event.outbox_id)
    if message is None or message.status is not OutboxStatus.FAILED:
        return None
    return (
        f"l'e-mail « {message.subject} » à {message.to} n'a pas pu être envoyé ; "
        "renvoyez-le depuis la boîte d'envoi avant l'étape suivante"
    )


def _next_step(
    session: Session, client: Client, at: datetime, settings: _Settings
) -> DunningStep | None:
    """The client's next step (due at ``at`` or later), or None when there is none."""
    sequence = _sequence(session, client.id)
    last = sequence[-1] if sequence else None

    def step(
        stage: Stage,
        due_at: datetime,
        invoices: Sequence[UnpaidInvoice],
        accounts: int,
        confirm: bool = False,
    ) -> DunningStep:
        return DunningStep(
            client.id,
            client.code,
            client.name,
            stage,
            due_at,
            tuple(invoices),
            accounts,
            confirm,
            _email_failed(session, last)
            if last is not None and stage is not Stage.STOPPED
            else None,
        )

    if last is None:
        overdue = _unpaid(session, client.id, at, _paris_day(at))
        if not overdue:
            return None
        overdue_since = datetime.combine(
            overdue[0].due_on + timedelta(days=1), time(0), tzinfo=PARIS
        )
        return step(Stage.REMINDER, as_utc(overdue_since), overdue, 0)
    if last.stage is Stage.DELETION:
        return None  # the end: nothing is left to suspend, delete or restore
    reminder = sequence[0]
    assert reminder.done_at is not None
    covered = _unpaid(session, client.id, at, _paris_day(reminder.done_at))
    if not covered:
        restored = _suspended_by(session, client.id, suspension_reason(reminder.done_at))
        return step(Stage.STOPPED, at, (), len(restored))
    if last.stage is Stage.REMINDER:
        due = suspension_due(reminder.done_at, days=settings.reminder_days)
        accounts = len(_mailboxes(session, client.id, {S.ACTIVE, S.NON_RENEWAL_REQUESTED}))
        return step(Stage.SUSPENSION, due, covered, accounts)
    assert last.done_at is not None
    due = deletion_due(last.done_at, hours=settings.deletion_hours)
    accounts = len(_mailboxes(session, client.id, set(S) - {S.DELETED}))
    return step(Stage.DELETION, due, covered, accounts, settings.deletion_needs_confirmation)


# --- doing a step -------------------------------------------------------------------------


def _apply_client(
    session: Session,
    client_id: int,
    at: datetime,
    actor: str,
    confirmed_deletions: Collection[int],
) -> DunningStep | None:
    """Re-read the client under lock and do its step if still due (None: nothing to do)."""
    client = session.get(Client, client_id, with_for_update=True)
    if client is None:
        return None
    settings = _settings(session)
    step = _next_step(session, client, at, settings)
    if step is None or step.due_at > at:
        return None  # done meanwhile, or no longer due
    if step.blocked is not None:
        return step
    if step.stage is Stage.DELETION and step.needs_confirmation:
        if client_id not in confirmed_deletions:
            return step
        step = replace(step, needs_confirmation=False)
    sequence = _sequence(session, client_id)
    reminder_at = at if step.stage is Stage.REMINDER else sequence[0].done_at
    assert reminder_at is not None
    notes = _notes(step, reminder_at, settings)
    if step.stage is Stage.SUSPENSION:
        _suspend(session, client, reminder_at, actor)
    elif step.stage is Stage.DELETION:
        _delete(session, client, at, actor, step)
    elif step.stage is Stage.STOPPED:
        _restore(session, client, reminder_at, actor)
    outbox_id = _email(session, client, step, sequence, at, settings)
    session.add(
        DunningEvent(
            client_id=client.id,
            invoice_id=step.invoices[0].id if step.invoices else None,
            stage=step.stage,
            due_at=step.due_at,
            done_at=at,
            by=actor,
            outbox_id=outbox_id,
            notes=notes,
        )
    )
    session.flush()
    return step


def _notes(step: DunningStep, reminder_at: datetime, settings: _Settings) -> str:
    lines = [step.summary]
    if step.stage is Stage.REMINDER:
        deadline = suspension_due(reminder_at, days=settings.reminder_days)
        lines.append(f"Paiement attendu au plus tard le {french_datetime(deadline)}.")
    return "\n".join(lines)


def _set_client_status(
    session: Session, client: Client, target: ClientStatus, reason: str, actor: str
) -> None:
    if client.status is target:
        return
    change = (client.status.value, target.value)
    client.status = target
    client.updated_by = actor
    log_event(
        session,
        LifecycleKind.STATUS,
        Subject(client_id=client.id),
        actor=actor,
        reason=reason,
        change=change,
    )


def _suspend(session: Session, client: Client, reminder_at: datetime, actor: str) -> None:
    reason = suspension_reason(reminder_at)
    for box in _mailboxes(session, client.id, {S.ACTIVE, S.NON_RENEWAL_REQUESTED}):
        move_mailbox(session, box, S.SUSPENDED, reason, actor)
    if client.status is ClientStatus.ACTIVE:
        _set_client_status(session, client, ClientStatus.SUSPENDED, reason, actor)


def _restore(session: Session, client: Client, reminder_at: datetime, actor: str) -> None:
    for box, before in _suspended_by(session, client.id, suspension_reason(reminder_at)):
        contract = session.get(Contract, box.contract_id)
        if contract is not None and contract.status is ContractStatus.SUSPENDED:
            continue  # the whole contract is suspended for another cause: it stays so
        move_mailbox(session, box, _STATUS_BY_VALUE[before], RESTORE_REASON, actor)
    if client.status is ClientStatus.SUSPENDED:
        _set_client_status(session, client, ClientStatus.ACTIVE, RESTORE_REASON, actor)


def _delete(session: Session, client: Client, at: datetime, actor: str, step: DunningStep) -> None:
    """Every account terminated then deleted, its personal data purged, the client's
    contacts anonymised; invoices untouched."""
    day = _paris_day(at)
    numbers = ", ".join(invoice.number for invoice in step.invoices)
    reason = (
        f"Impayé : suspension restée sans paiement ({numbers}) — suppression du service "
        "et des données (HE §9.5)"
    )
    for box in _mailboxes(session, client.id, set(S) - {S.DELETED}):
        if box.status in RUNNING or box.status is S.REQUESTED:
            box.terminated_on = day
            if box.ends_on is None or box.ends_on >= day:
                box.ends_on = day - timedelta(days=1) if box.activated_on else None
            move_mailbox(session, box, S.TERMINATED, reason, actor)
        box.deleted_on = day
        move_mailbox(session, box, S.DELETED, reason, actor)
        _purge(session, box)
    forget_contacts(session, client, actor)
    _set_client_status(session, client, ClientStatus.TERMINATED, reason, actor)


def _purge(session: Session, box: Mailbox) -> None:
    """The account's personal data: its holder's name and address (the row stays for invoices)."""
    domain = box.address.rpartition("@")[2]
    box.display_name = None
    box.local_part = f"supprime-{box.id}"
    box.address = f"{box.local_part}@{domain}"
    box.password_issued_at = None
    box.password_issued_by = None
    session.flush()


def _email(
    session: Session,
    client: Client,
    step: DunningStep,
    sequence: Sequence[DunningEvent],
    at: datetime,
    settings: _Settings,
) -> int | None:
    """The step's notice queued in the outbox, in this transaction (None: a stop sends none)."""
    template = TEMPLATES.get(step.stage)
    if template is None:
        return None
    reminder_at = sequence[0].done_at if sequence else at
    assert reminder_at is not None
    if step.stage is Stage.REMINDER:
        suspended_at = suspension_due(reminder_at, days=settings.reminder_days)
    elif step.stage is Stage.SUSPENSION:
        suspended_at = at
    else:
        suspended_at = sequence[-1].done_at or at
    provider = session.get(Provider, 1)
    subject, body = render(
        template,
        provider_name=provider.name if provider is not None else "",
        client_name=client.name,
        client_code=client.code,
        invoice_numbers=[invoice.number for invoice in step.invoices],
        amount_due=step.amount_due,
        reminder_at=reminder_at,
        due_date=suspension_due(reminder_at, days=settings.reminder_days),
        suspended_at=suspended_at,
        deletion_at=deletion_due(suspended_at, hours=settings.deletion_hours),
        deleted_at=at,
        accounts=step.accounts,
        reminder_days=settings.reminder_days,
        deletion_hours=settings.deletion_hours,
    )
    return queue_email(session, to=client.billing_email, subject=subject, body=body)
