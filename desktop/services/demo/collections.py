"""The demo's collections, after its billing history: SEPA mandates, direct-debit
batches (collected, one debit rejected, the latest sent), late payments, and
three clients in the late-payment sequence (reminded, suspended, deletion to confirm).

Batches, the rejection and the dunning steps go through the services; mandates
and late payments are written in bulk, each with what it leads to.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from schwifty import IBAN
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import (
    Client,
    Contract,
    Invoice,
    Mailbox,
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
    InvoiceKind,
    InvoiceStatus,
    MailboxStatus,
    MandateStatus,
    PaymentMethod,
    SequenceType,
)
from desktop.domain.money import round_money
from desktop.domain.periods import add_months
from desktop.domain.sepa import make_rum
from desktop.errors import UserError
from desktop.services.counters import take_values
from desktop.services.demo.billing_history import batch_debited, payment_row
from desktop.services.demo.words import STAFF
from desktop.services.dunning import run_dunning
from desktop.services.issuing import printable_address
from desktop.services.mandates import RUM_SERIES, create_mandate, revoke_mandate
from desktop.services.sepa_export import export_pain008, mark_collected, record_rejection

Progress = Callable[[str, int, int], None]

STAGE = "Prélèvements et relances"
REJECT_REASON = "AM04 – Provision insuffisante"
BOUNCED_CHEQUE = "Chèque impayé – provision insuffisante"
REVOKED_MANDATES = 2
BANKS = ("30004", "30003", "30002", "16807", "15589", "10278", "13606", "14445")
"""French bank codes (BNP Paribas, SG, LCL, Banque Populaire, Arkéa, CIC, Crédit Agricole,
Caisse d'Épargne) for the debtors' IBANs."""
DUNNING_DAYS = (14, 9, 6, 3, 1)
"""The days before ``today`` the late-payment sequence ran (at 10:00 in Paris)."""
BOUNCED_DAYS = 11
"""The bounced cheque came back this many days before ``today``."""
REJECTED_DAYS = 4
"""The rejected debit came back this many days before ``today``."""
_UNPAID = (InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_PAID)


@dataclass(frozen=True)
class CollectionsSummary:
    mandates: int
    revoked_mandates: int
    batches: int
    collected_debits: int
    sent_debits: int
    rejected_debits: int
    late_payments: int
    dunning_steps: int


@dataclass(frozen=True)
class _Dunned:
    """The clients of the late-payment sequence: deletion due, suspended, reminded."""

    deleted: int | None
    suspended: int | None
    reminded: int | None
    bounced_invoice: int | None

    @property
    def client_ids(self) -> list[int]:
        return [c for c in (self.deleted, self.suspended, self.reminded) if c is not None]


def collect_history(
    db: Database, *, today: date, seed: int, progress: Progress | None = None
) -> CollectionsSummary:
    """Mandates, batches, late payments and dunning of the billed demo, as of ``today``."""
    rng = random.Random(f"collections-{seed}")
    mandates, revoked = _sign_mandates(db, rng, today)
    _report(progress, 1)
    batches, collected, sent, rejected_debit = _run_batches(db, rng, today)
    _report(progress, 2)
    reminded = _client_of_debit(db, rejected_debit)
    dunned = _choose_dunned(db, rng, today, reminded)
    late = _pay_late(db, rng, today, dunned)
    rejected = 0
    if rejected_debit is not None:
        _reject(db, rng, today, rejected_debit)
        rejected = 1
    steps = _run_dunning(db, rng, today, dunned)
    _report(progress, 3)
    return CollectionsSummary(
        mandates, revoked, batches, collected - rejected, sent, rejected, late, steps
    )


def _report(progress: Progress | None, done: int) -> None:
    if progress is not None:
        progress(STAGE, done, 3)


def _staff(rng: random.Random) -> str:
    return rng.choice(STAFF)


def _at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock in Paris on ``day``, in UTC."""
    return as_utc(datetime.combine(day, time(hour), PARIS))


# --- mandates ---------------------------------------------------------------------------


def _debtor_iban(rng: random.Random) -> tuple[str, str | None]:
    """A valid French IBAN (and its BIC when known), from the seeded source."""
    iban = IBAN.generate(
        "FR",
        bank_code=rng.choice(BANKS),
        branch_code=f"{rng.randint(1, 99_999):05d}",
        account_code=f"{rng.randint(1, 10**11 - 1):011d}",
    )
    bic = iban.bic
    return iban.compact, None if bic is None else str(bic)


def _mandate_clients(session: Session, today: date) -> dict[int, date]:
    """The clients to debit, each with the day it signed its mandate: those with a
    contract past its first anniversary (but public bodies, paying by administrative
    mandate), and those already billed by direct debit."""
    signed: dict[int, date] = {}
    contracts = session.execute(
        sa.select(Contract.client_id, Contract.service_start, Contract.initial_months)
        .join(Client, Client.id == Contract.client_id)
        .where(
            Contract.status.in_((ContractStatus.ACTIVE, ContractStatus.SUSPENDED)),
            Contract.service_start.is_not(None),
            Client.status != ClientStatus.ANONYMISED,
            sa.or_(
                Client.payment_method.is_(None),
                Client.payment_method != PaymentMethod.ADMINISTRATIVE_MANDATE,
            ),
        )
        .order_by(Contract.service_start, Contract.id)
    ).all()
    for client_id, start, months in contracts:
        assert start is not None  # filtered above
        anniversary = add_months(start, months)
        if anniversary <= today and client_id not in signed:
            signed[client_id] = min(max(start, anniversary - timedelta(days=45)), today)
    debited = session.execute(
        sa.select(Invoice.client_id, sa.func.min(Invoice.issued_on))
        .join(Client, Client.id == Invoice.client_id)
        .where(
            Invoice.payment_method == PaymentMethod.SEPA_DEBIT,
            Invoice.status != InvoiceStatus.DRAFT,
            Client.status != ClientStatus.ANONYMISED,
        )
        .group_by(Invoice.client_id)
    ).all()
    for client_id, first in debited:
        if client_id not in signed and first is not None:
            signed[client_id] = min(first - timedelta(days=20), today)
    return dict(sorted(signed.items()))


def _last_debits(session: Session) -> dict[int, date]:
    """Each client's last direct debit already paid (the bulk history)."""
    rows = session.execute(
        sa.select(Invoice.client_id, sa.func.max(Payment.paid_on))
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Payment.method == PaymentMethod.SEPA_DEBIT, Payment.rejected_at.is_(None))
        .group_by(Invoice.client_id)
    ).all()
    return {client_id: last for client_id, last in rows}


def _sign_mandates(db: Database, rng: random.Random, today: date) -> tuple[int, int]:
    """A mandate for each client to debit; a few replaced after a change of bank
    (the old one revoked). Returns (mandates written, revoked)."""
    with db.session_scope() as session:
        signed = _mandate_clients(session, today)
        changed = _bank_changes(rng, signed, today)
        bulk = {c: day for c, day in signed.items() if c not in changed}
        _write_mandates(session, rng, bulk, _last_debits(session))
    for client_id, (first_signed, revoked_on) in changed.items():
        _change_bank(db, rng, client_id, first_signed, revoked_on)
    if changed:
        with db.session_scope() as session:
            _mark_used(session, list(changed), _last_debits(session))
    return len(signed) + len(changed), len(changed)


def _bank_changes(
    rng: random.Random, signed: dict[int, date], today: date
) -> dict[int, tuple[date, date]]:
    """A couple of clients who changed bank: (first signature, revocation day)."""
    old = [c for c, day in signed.items() if day <= today - timedelta(days=300)]
    chosen = sorted(rng.sample(old, min(REVOKED_MANDATES, len(old))))
    return {c: (signed[c], signed[c] + timedelta(days=rng.randint(120, 240))) for c in chosen}


def _client_rows(session: Session, client_ids: Sequence[int]) -> dict[int, Client]:
    clients = session.scalars(sa.select(Client).where(Client.id.in_(client_ids)))
    return {client.id: client for client in clients}


def _write_mandates(
    session: Session, rng: random.Random, signed: dict[int, date], last_debits: dict[int, date]
) -> None:
    if not signed:
        return
    clients = _client_rows(session, list(signed))
    first = take_values(session, RUM_SERIES, len(signed))
    rows = []
    for sequence, (client_id, signed_on) in enumerate(signed.items(), start=first):
        client = clients[client_id]
        iban, bic = _debtor_iban(rng)
        last = last_debits.get(client_id)
        used = last is not None and last >= signed_on
        at = datetime.combine(signed_on, time(11, rng.randint(0, 59)), PARIS)
        staff = _staff(rng)
        rows.append(
            {
                "client_id": client_id,
                "contract_id": None,
                "rum": make_rum(client.code, sequence),
                "debtor_name": client.name,
                "debtor_address": printable_address(client) or None,
                "iban": iban,
                "bic": bic,
                "signed_on": signed_on,
                "status": MandateStatus.ACTIVE,
                "next_sequence_type": SequenceType.RCUR if used else SequenceType.FRST,
                "last_collection_on": last if used else None,
                "revoked_on": None,
                "version": 1,
                "created_at": at,
                "updated_at": at,
                "updated_by": staff,
            }
        )
    session.execute(sa.insert(SepaMandate), rows)


def _change_bank(
    db: Database, rng: random.Random, client_id: int, signed_on: date, revoked_on: date
) -> None:
    """The client's first mandate, revoked when it changed bank, then the new one."""
    with db.read_session() as session:
        client = session.get(Client, client_id)
        assert client is not None
        name, address = client.name, printable_address(client) or None
    for day in (signed_on, revoked_on):
        iban, bic = _debtor_iban(rng)
        mandate = create_mandate(
            db,
            client_id,
            debtor_name=name,
            debtor_address=address,
            iban=iban,
            bic=bic,
            signed_on=day,
            actor=_staff(rng),
        )
        if day == signed_on:
            revoke_mandate(db, mandate.id, revoked_on=revoked_on, actor=_staff(rng))


def _mark_used(session: Session, client_ids: Sequence[int], last_debits: dict[int, date]) -> None:
    """Active mandates already debited by the bulk history: next debit recurrent."""
    for mandate in session.scalars(
        sa.select(SepaMandate).where(
            SepaMandate.client_id.in_(client_ids), SepaMandate.status == MandateStatus.ACTIVE
        )
    ):
        last = last_debits.get(mandate.client_id)
        if last is not None and last >= mandate.signed_on:
            mandate.next_sequence_type = SequenceType.RCUR
            mandate.last_collection_on = last


# --- batches ----------------------------------------------------------------------------


def _run_batches(db: Database, rng: random.Random, today: date) -> tuple[int, int, int, int | None]:
    """One batch a month for the invoices left to them: collected on their due date,
    the latest only sent. Returns (batches, debits collected, debits sent, the debit
    to reject)."""
    with db.read_session() as session:
        left = batch_debited(session, today)
        months = _by_month(session, left)
    batches = collected = sent = 0
    to_reject: int | None = None
    for index, (invoice_ids, due_on) in enumerate(months):
        collection = due_on  # debited on the due date, notified 14 days before
        exported_on = min(collection - timedelta(days=14), today)
        with _set_aside(db, invoice_ids):
            try:
                export = export_pain008(
                    db, collection_date=collection, actor=_staff(rng), today=exported_on
                )
            except UserError:
                continue  # nothing ready (no usable mandate)
        batches += 1
        if index == len(months) - 1 or collection >= today:
            sent += export.debit_count
            _backdate(db, export.batch_id, exported_on, None)
            continue
        collected += mark_collected(db, export.batch_id, collected_on=collection, actor=_staff(rng))
        _backdate(db, export.batch_id, exported_on, collection)
        if index == len(months) - 2:
            to_reject = _debit_to_reject(db, rng, export.batch_id)
    return batches, collected, sent, to_reject


def _backdate(db: Database, batch_id: int, exported_on: date, collected_on: date | None) -> None:
    """The batch made, and its payments recorded, on the days they were (not now)."""
    batches = cast(sa.Table, SepaBatch.__table__)
    payments = cast(sa.Table, Payment.__table__)
    with db.session_scope() as session:
        session.execute(
            sa.update(batches)
            .where(batches.c.id == batch_id)
            .values(created_at=_at(exported_on, 11))
        )
        if collected_on is not None:
            references = sa.select(SepaDebit.end_to_end_id).where(SepaDebit.batch_id == batch_id)
            at = _at(collected_on + timedelta(days=1), 9)
            session.execute(
                sa.update(payments)
                .where(payments.c.reference.in_(references))
                .values(recorded_at=at, created_at=at, updated_at=at)
            )


def _by_month(session: Session, invoice_ids: Sequence[int]) -> list[tuple[list[int], date]]:
    """The invoices grouped by issue month, oldest first, with their latest due date."""
    months: dict[date, tuple[list[int], date]] = {}
    rows = session.execute(
        sa.select(Invoice.id, Invoice.issued_on, Invoice.due_on)
        .where(Invoice.id.in_(invoice_ids))
        .order_by(Invoice.issued_on, Invoice.id)
    ).all()
    for invoice_id, issued_on, due_on in rows:
        assert issued_on is not None and due_on is not None  # issued invoices
        ids, due = months.setdefault(issued_on.replace(day=1), ([], due_on))
        ids.append(invoice_id)
        months[issued_on.replace(day=1)] = (ids, max(due, due_on))
    return [months[month] for month in sorted(months)]


@contextmanager
def _set_aside(db: Database, kept: Sequence[int]) -> Iterator[None]:
    """The other unpaid direct-debit invoices hidden from the export while it runs.

    ``export_pain008`` takes every unpaid direct-debit invoice, as in real time;
    the history is replayed month by month, so the later months' invoices (and
    those the bulk history leaves to a later run) are marked paid for the while.
    """
    table = cast(sa.Table, Invoice.__table__)
    with db.session_scope() as session:
        hidden = session.execute(
            sa.select(table.c.id, table.c.status).where(
                table.c.kind == InvoiceKind.INVOICE,
                table.c.payment_method == PaymentMethod.SEPA_DEBIT,
                table.c.status.in_(_UNPAID),
                table.c.id.not_in(kept),
            )
        ).all()
        _set_statuses(session, [(row.id, InvoiceStatus.PAID) for row in hidden])
    try:
        yield
    finally:
        with db.session_scope() as session:
            _set_statuses(session, [(row.id, row.status) for row in hidden])


def _set_statuses(
    session: Session, statuses: Sequence[tuple[int, InvoiceStatus]], *, bump: bool = False
) -> None:
    """Invoices' statuses written in bulk; ``bump``: a real change (a new version)."""
    if not statuses:
        return
    table = cast(sa.Table, Invoice.__table__)
    version = table.c.version + 1 if bump else table.c.version
    session.execute(
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"))
        .values(status=sa.bindparam("status"), version=version),
        [{"b_id": invoice_id, "status": status} for invoice_id, status in statuses],
    )


def _debit_to_reject(db: Database, rng: random.Random, batch_id: int) -> int | None:
    """A collected debit of an active client, from the seeded source."""
    with db.read_session() as session:
        debits = list(
            session.scalars(
                sa.select(SepaDebit.id)
                .join(Invoice, Invoice.id == SepaDebit.invoice_id)
                .join(Client, Client.id == Invoice.client_id)
                .where(
                    SepaDebit.batch_id == batch_id,
                    SepaDebit.status == DebitStatus.COLLECTED,
                    Client.status == ClientStatus.ACTIVE,
                )
                .order_by(SepaDebit.id)
            )
        )
    return rng.choice(debits) if debits else None


def _client_of_debit(db: Database, debit_id: int | None) -> int | None:
    if debit_id is None:
        return None
    with db.read_session() as session:
        return session.execute(
            sa.select(Invoice.client_id)
            .join(SepaDebit, SepaDebit.invoice_id == Invoice.id)
            .where(SepaDebit.id == debit_id)
        ).scalar_one()


def _reject(db: Database, rng: random.Random, today: date, debit_id: int) -> None:
    record_rejection(
        db,
        debit_id,
        rejected_on=today - timedelta(days=REJECTED_DAYS),
        reason=REJECT_REASON,
        actor=_staff(rng),
    )


# --- late payments ----------------------------------------------------------------------


def _balances(session: Session, today: date) -> Sequence[Any]:
    """Invoices due before ``today`` with something left to pay, oldest first."""
    credit = sa.orm.aliased(Invoice)
    paid = (
        sa.select(sa.func.coalesce(sa.func.sum(Payment.amount), 0))
        .where(Payment.invoice_id == Invoice.id, Payment.rejected_at.is_(None))
        .scalar_subquery()
    )
    credited = (
        sa.select(sa.func.coalesce(sa.func.sum(credit.total_incl_vat), 0))
        .where(credit.corrects_id == Invoice.id, credit.status != InvoiceStatus.DRAFT)
        .scalar_subquery()
    )
    rows: Sequence[Any] = session.execute(
        sa.select(
            Invoice.id,
            Invoice.number,
            Invoice.client_id,
            Invoice.issued_on,
            Invoice.due_on,
            Invoice.payment_method,
            Invoice.total_incl_vat,
            paid.label("paid"),
            credited.label("credited"),
        )
        .where(
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status.in_(_UNPAID),
            Invoice.due_on < today,
        )
        .order_by(Invoice.due_on, Invoice.id)
    ).all()
    return [r for r in rows if _left(r) > 0]


def _left(row: Any) -> Decimal:
    return Decimal(row.total_incl_vat) - Decimal(row.paid) - Decimal(row.credited)


def _choose_dunned(db: Database, rng: random.Random, today: date, reminded: int | None) -> _Dunned:
    """Two active clients with overdue invoices (deletion due, suspended), and the
    invoice whose cheque bounced for the suspended one."""
    with db.read_session() as session:
        overdue = _balances(session, today)
        running = set(
            session.scalars(
                sa.select(Mailbox.client_id).where(Mailbox.status == MailboxStatus.ACTIVE)
            )
        )
        active = set(
            session.scalars(sa.select(Client.id).where(Client.status == ClientStatus.ACTIVE))
        )
        crossed = _paid_after_a_run(session, today)
    first_run = today - timedelta(days=DUNNING_DAYS[0])
    late = {r.client_id for r in overdue if r.due_on < first_run}
    owners = sorted(late & running & active - {reminded} - crossed)
    picked: list[int | None] = [*rng.sample(owners, min(2, len(owners))), None, None]
    deleted, suspended = picked[:2]
    bounced = max(
        (r for r in overdue if r.client_id == suspended and r.due_on < first_run),
        key=lambda r: (r.due_on, r.id),
        default=None,
    )
    return _Dunned(deleted, suspended, reminded, None if bounced is None else bounced.id)


def _paid_after_a_run(session: Session, today: date) -> set[int]:
    """Clients whose history has an invoice still unpaid on the day a run of the sequence
    found it overdue (paid a few days late): such a client would be reminded before its
    scripted step, so it is not one of the dunned."""
    runs = [today - timedelta(days=days) for days in DUNNING_DAYS]
    rows = session.execute(
        sa.select(Invoice.client_id, Invoice.due_on, Payment.paid_on)
        .join(Payment, Payment.invoice_id == Invoice.id)
        .where(Payment.paid_on >= min(runs), Invoice.due_on < max(runs))
    ).all()
    return {row.client_id for row in rows if any(row.due_on < run <= row.paid_on for run in runs)}


def _pay_late(db: Database, rng: random.Random, today: date, dunned: _Dunned) -> int:
    """Everything overdue paid late, before the sequence would have reminded anyone,
    but by the dunned clients: the one facing deletion paid half of one invoice, the
    suspended one's last cheque bounced. Returns the payments written."""
    runs = [today - timedelta(days=d) for d in DUNNING_DAYS]
    payments: list[dict[str, Any]] = []
    settled: list[tuple[int, InvoiceStatus]] = []
    with db.session_scope() as session:
        partly = False
        for row in _balances(session, today):
            paid_on = _late_day(rng, row, runs, today)
            if row.client_id == dunned.deleted:
                if not partly and row.paid == 0:  # it paid half its first one, no more
                    partly = True
                    payments.append(payment_row(rng, row, round_money(_left(row) / 2), paid_on))
                    settled.append((row.id, InvoiceStatus.PARTLY_PAID))
                continue
            payment = payment_row(rng, row, _left(row), paid_on)
            if row.id == dunned.bounced_invoice:
                _bounce(rng, payment, row.issued_on, today)
            else:
                settled.append((row.id, InvoiceStatus.PAID))
            payments.append(payment)
        if payments:
            session.execute(sa.insert(Payment), payments)
        _set_statuses(session, settled, bump=True)
    return len(payments)


def _late_day(rng: random.Random, row: Any, runs: Sequence[date], today: date) -> date:
    """A few days after the due date, before the first run that would find it overdue."""
    due_on: date = row.due_on
    issued_on: date = row.issued_on
    day = due_on + timedelta(days=rng.randint(1, 10))
    for run in runs:
        if run > due_on:
            day = min(day, run)
            break
    return max(min(day, today - timedelta(days=1)), issued_on)


def _bounce(rng: random.Random, payment: dict[str, Any], issued_on: date, today: date) -> None:
    """The payment becomes a cheque, received late (just before the sequence's first
    run), that came back unpaid a few days later."""
    received = max(issued_on, today - timedelta(days=DUNNING_DAYS[0] + rng.randint(1, 5)))
    at = datetime.combine(received, time(10, rng.randint(0, 59)), PARIS)
    payment.update(paid_on=received, recorded_at=at, created_at=at, updated_at=at)
    payment["method"] = PaymentMethod.CHEQUE
    payment["reference"] = f"CHQ n° {rng.randint(1_000_000, 9_999_999)}"
    payment["rejected_at"] = _at(today - timedelta(days=BOUNCED_DAYS), 12)
    payment["rejection_reason"] = BOUNCED_CHEQUE


# --- dunning ----------------------------------------------------------------------------


def _run_dunning(db: Database, rng: random.Random, today: date, dunned: _Dunned) -> int:
    """The sequence's daily runs of the last two weeks, for the dunned clients only
    (the other overdue invoices were paid before any reminder). Returns the steps done."""
    done = 0
    actor = _staff(rng)
    for days in DUNNING_DAYS:
        at = _at(today - timedelta(days=days))
        report = run_dunning(db, at, actor=actor, client_ids=dunned.client_ids)
        done += len(report.done)
    return done
