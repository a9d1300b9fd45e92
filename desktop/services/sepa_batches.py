"""The direct-debit batches sent, their debits, and the bank's returns (camt.054).

A batch is recorded when its pain.008 file is written; afterwards the bank
either collects its debits (``mark_collected``) or returns some of them: one by
one as staff type them (``record_rejection``) or read from the bank's camt.054
notification (``import_returns``). Importing the same notification twice
records nothing twice: a debit already rejected is reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import Client, Invoice, SepaBatch, SepaDebit
from desktop.documents.french import french_money
from desktop.domain.camt054 import ReturnedDebit, parse_camt054
from desktop.domain.clock import paris_today
from desktop.domain.enums import DebitStatus, SequenceType
from desktop.domain.roles import Permission
from desktop.errors import NotFoundError
from desktop.services.access import requires
from desktop.services.sepa_export import (
    REJECT_REASON_MAX,
    RejectionResult,
    mark_collected,
    reject_debit,
)


@dataclass(frozen=True)
class BatchRow:
    id: int
    message_id: str
    collection_date: date
    created_at: datetime
    created_by: str
    debit_count: int
    total: Decimal
    sent: int
    collected: int
    rejected: int


@dataclass(frozen=True)
class DebitRow:
    id: int
    end_to_end_id: str
    invoice_id: int
    invoice_number: str
    client_id: int
    client_name: str
    amount: Decimal
    sequence_type: SequenceType
    status: DebitStatus
    rejected_at: datetime | None
    reject_reason: str | None


@dataclass(frozen=True)
class ReturnOutcome:
    """One return of the notification and what became of it."""

    end_to_end_id: str
    amount: Decimal
    reason: str
    invoice_number: str | None = None
    result: RejectionResult | None = None
    problem: str | None = None  # why nothing was recorded (French)


@dataclass
class ReturnsReport:
    outcomes: list[ReturnOutcome] = field(default_factory=list)

    @property
    def recorded(self) -> list[ReturnOutcome]:
        return [o for o in self.outcomes if o.result is not None]

    @property
    def ignored(self) -> list[ReturnOutcome]:
        return [o for o in self.outcomes if o.result is None]


def list_batches(db: Database, limit: int = 500) -> list[BatchRow]:
    """The latest batches first, with how many of their debits are where."""
    counts = {
        status: sa.func.sum(sa.case((SepaDebit.status == status, 1), else_=0))
        for status in (DebitStatus.SENT, DebitStatus.COLLECTED, DebitStatus.REJECTED)
    }
    query = (
        sa.select(
            SepaBatch.id,
            SepaBatch.message_id,
            SepaBatch.collection_date,
            SepaBatch.created_at,
            SepaBatch.created_by,
            SepaBatch.debit_count,
            SepaBatch.total,
            *(sa.func.coalesce(count, 0) for count in counts.values()),
        )
        .outerjoin(SepaDebit, SepaDebit.batch_id == SepaBatch.id)
        .group_by(SepaBatch.id)
        .order_by(SepaBatch.created_at.desc(), SepaBatch.id.desc())
        .limit(limit)
    )
    with db.read_session() as session:
        return [BatchRow(*row) for row in session.execute(query)]


def batch_debits(db: Database, batch_id: int) -> list[DebitRow]:
    """The debits of a batch, in the file's order."""
    query = (
        sa.select(
            SepaDebit.id,
            SepaDebit.end_to_end_id,
            SepaDebit.invoice_id,
            sa.func.coalesce(Invoice.number, ""),  # always set: sent invoices are issued
            Client.id,
            Client.name,
            SepaDebit.amount,
            SepaDebit.sequence_type,
            SepaDebit.status,
            SepaDebit.rejected_at,
            SepaDebit.reject_reason,
        )
        .join(Invoice, Invoice.id == SepaDebit.invoice_id)
        .join(Client, Client.id == Invoice.client_id)
        .where(SepaDebit.batch_id == batch_id)
        .order_by(SepaDebit.id)
    )
    with db.read_session() as session:
        return [DebitRow(*row) for row in session.execute(query)]


@requires(Permission.SEPA)
def import_returns(
    db: Database, data: bytes, *, actor: str, apply: bool = True, today: date | None = None
) -> ReturnsReport:
    """Record the returns a camt.054 notification lists, in one transaction.

    A return whose end-to-end id is unknown, already rejected or not sent yet is
    reported with why and changes nothing; a file that cannot be read raises
    ``UserError`` before anything is written. ``apply=False``: what would be
    recorded, nothing written.
    """
    returns = parse_camt054(data)
    day = today if today is not None else paris_today()
    report = ReturnsReport()
    # The preview does the same in a session that is rolled back when closed.
    with db.session_scope() if apply else db.read_session() as session:
        for item in returns:
            debit = session.execute(
                sa.select(SepaDebit)
                .where(SepaDebit.end_to_end_id == item.end_to_end_id)
                .with_for_update()
            ).scalar_one_or_none()
            report.outcomes.append(_outcome(session, debit, item, day, actor))
    return report


def _outcome(
    session: Session,
    debit: SepaDebit | None,
    item: ReturnedDebit,
    today: date,
    actor: str,
) -> ReturnOutcome:
    reason = item.reason[:REJECT_REASON_MAX]
    base = ReturnOutcome(item.end_to_end_id, item.amount, reason)
    if debit is None:
        return replace(base, problem="prélèvement inconnu de l'application")
    number = session.execute(
        sa.select(Invoice.number).where(Invoice.id == debit.invoice_id)
    ).scalar_one()
    base = replace(base, invoice_number=number)
    if debit.status is DebitStatus.REJECTED:
        return replace(base, problem="rejet déjà enregistré")
    if debit.status is DebitStatus.PENDING:
        return replace(base, problem="prélèvement pas encore envoyé")
    if item.amount != debit.amount:
        return replace(
            base,
            problem=f"montant différent du prélèvement ({french_money(debit.amount)}), à vérifier",
        )
    on = min(item.booked_on or today, today)
    result = reject_debit(session, debit, rejected_on=on, reason=reason, actor=actor)
    return replace(base, result=result)


@requires(Permission.SEPA)
def mark_batch_collected(
    db: Database, message_id: str, *, collected_on: date, actor: str
) -> tuple[int, Decimal]:
    """``mark_collected`` for the batch of this message id: how many debits and their
    total were recorded as payments."""
    with db.read_session() as session:
        batch_id = session.execute(
            sa.select(SepaBatch.id).where(SepaBatch.message_id == message_id.strip())
        ).scalar_one_or_none()
        if batch_id is None:
            raise NotFoundError(
                f"Aucune remise de prélèvements n'a l'identifiant « {message_id} »."
            )
        sent = sa.select(sa.func.coalesce(sa.func.sum(SepaDebit.amount), 0)).where(
            SepaDebit.batch_id == batch_id, SepaDebit.status == DebitStatus.SENT
        )
        total = Decimal(session.execute(sent).scalar_one())
    count = mark_collected(db, batch_id, collected_on=collected_on, actor=actor)
    return count, total if count else Decimal("0.00")


def returns_lines(report: ReturnsReport, *, applied: bool) -> list[str]:
    """What an import of returns did (or would do), in French, one line each."""
    lines = []
    for outcome in report.outcomes:
        what = f"{outcome.end_to_end_id} ({french_money(outcome.amount)}"
        what += f", facture {outcome.invoice_number})" if outcome.invoice_number else ")"
        if outcome.result is not None:
            status = outcome.result.invoice_status.label.lower()
            lines.append(
                f"Rejet {'enregistré' if applied else 'à enregistrer'} : {what} — "
                f"{outcome.reason} ; facture {status}, reste dû "
                f"{french_money(outcome.result.balance)}."
            )
        else:
            lines.append(f"Ignoré : {what} — {outcome.problem}.")
    verb = "enregistré(s)" if applied else "à enregistrer (aperçu : rien n'est enregistré)"
    lines.append(
        f"{len(report.recorded)} rejet(s) {verb}, {len(report.ignored)} ignoré(s)."
        if report.outcomes
        else "Aucun prélèvement rejeté dans ce relevé."
    )
    return lines
