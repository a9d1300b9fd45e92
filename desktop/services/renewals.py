"""Tacit renewal (business rules §4, HE §9.3, O365 §5): the anniversary run and what is due.

At each anniversary of a contract its running accounts renew for the renewal
period, except those whose client asked not to renew: they end with the
period. A contract whose end was asked ends with all its accounts. The run
remembers the last anniversary it handled per contract (``renewed_through``),
so running it again, or after an interruption, does nothing twice; each
contract is handled in its own transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import Client, Contract, Mailbox, ProductLine, Provider, SepaMandate
from desktop.domain.contracts import running_period
from desktop.domain.enums import (
    ContractStatus,
    LifecycleKind,
    MailboxStatus,
    MandateStatus,
)
from desktop.domain.lifecycle import RUNNING
from desktop.domain.periods import add_months, anniversaries
from desktop.domain.roles import Permission
from desktop.services.access import requires
from desktop.services.events import Subject, log_event
from desktop.services.lifecycle import move_mailbox

S = MailboxStatus
RENEWABLE_CONTRACTS = (ContractStatus.ACTIVE, ContractStatus.SUSPENDED)
DEFAULT_WARNING_DAYS = 30


@dataclass(frozen=True)
class AnniversaryOutcome:
    """What one anniversary of one contract did (or would do)."""

    contract_id: int
    contract_number: str
    client_name: str
    anniversary: date
    period_end: date
    """Last day of the period that starts at the anniversary."""
    renewed: tuple[str, ...]
    """Addresses of the accounts renewed."""
    ended: tuple[str, ...]
    """Addresses of the accounts that end with the period."""
    contract_ends: bool


@dataclass
class RenewalReport:
    at: date
    applied: bool
    outcomes: list[AnniversaryOutcome] = field(default_factory=list)

    @property
    def renewed_accounts(self) -> int:
        return sum(len(o.renewed) for o in self.outcomes)

    @property
    def ended_accounts(self) -> int:
        return sum(len(o.ended) for o in self.outcomes)

    @property
    def ended_contracts(self) -> int:
        return sum(o.contract_ends for o in self.outcomes)


@dataclass(frozen=True)
class UpcomingRenewal:
    contract_id: int
    contract_number: str
    client_id: int
    client_name: str
    product_line_name: str
    anniversary: date
    renewing: int
    ending: int
    has_active_mandate: bool

    @property
    def warning(self) -> str | None:
        if self.has_active_mandate or self.renewing == 0:
            return None
        return "Aucun mandat SEPA actif : le renouvellement se règle par prélèvement (HE §9.3)."


Progress = Callable[[int, int], None]


@requires(Permission.CONTRACTS)
def run_renewals(
    db: Database,
    *,
    at: date,
    actor: str,
    apply: bool = True,
    progress: Progress | None = None,
) -> RenewalReport:
    """Handle every anniversary reached on or before ``at`` and not handled yet.

    ``apply=False`` is the preview: the same outcomes, nothing written.
    """
    with db.read_session() as session:
        due = _due_contracts(session, at)
    report = RenewalReport(at=at, applied=apply)
    for done, contract_id in enumerate(due, start=1):
        if apply:
            with db.session_scope() as session:
                report.outcomes += _renew(session, contract_id, at, actor, write=True)
        else:
            with db.read_session() as session:
                report.outcomes += _renew(session, contract_id, at, actor, write=False)
        if progress is not None:
            progress(done, len(due))
    return report


def upcoming_renewals(
    db: Database, *, at: date, days: int = DEFAULT_WARNING_DAYS
) -> list[UpcomingRenewal]:
    """Contracts whose next anniversary falls within ``days`` after ``at``, soonest first."""
    until = at + timedelta(days=days)
    with db.read_session() as session:
        mandates = set(
            session.scalars(
                sa.select(SepaMandate.client_id).where(SepaMandate.status == MandateStatus.ACTIVE)
            )
        )
        rows = session.execute(
            sa.select(Contract, Client.name, ProductLine.name)
            .join(Client, Client.id == Contract.client_id)
            .join(ProductLine, ProductLine.id == Contract.product_line_id)
            .where(Contract.status.in_(RENEWABLE_CONTRACTS), Contract.service_start.is_not(None))
        ).all()
        result = []
        for contract, client_name, line_name in rows:
            anniversary = _next_anniversary(contract, at)
            if anniversary is None or anniversary > until:
                continue
            renewing, ending = _counts_at(session, contract.id, anniversary)
            result.append(
                UpcomingRenewal(
                    contract_id=contract.id,
                    contract_number=contract.number,
                    client_id=contract.client_id,
                    client_name=client_name,
                    product_line_name=line_name,
                    anniversary=anniversary,
                    renewing=0 if contract.ends_on is not None else renewing,
                    ending=renewing + ending if contract.ends_on is not None else ending,
                    has_active_mandate=contract.client_id in mandates,
                )
            )
    return sorted(result, key=lambda r: (r.anniversary, r.contract_number))


def sepa_warning_days(db: Database) -> int:
    with db.read_session() as session:
        days = session.execute(
            sa.select(Provider.sepa_warning_days).where(Provider.id == 1)
        ).scalar_one_or_none()
    return DEFAULT_WARNING_DAYS if days is None else days


# --- the run ----------------------------------------------------------------------------


def _due_contracts(session: Session, at: date) -> list[int]:
    """Contracts with an anniversary on or before ``at`` not handled yet (a superset)."""
    rows = session.execute(
        sa.select(
            Contract.id,
            Contract.service_start,
            Contract.initial_months,
            Contract.renewal_months,
            Contract.renewed_through,
        )
        .where(
            Contract.status.in_(RENEWABLE_CONTRACTS),
            Contract.service_start.is_not(None),
            Contract.service_start <= at,
        )
        .order_by(Contract.id)
    ).all()
    return [
        row.id
        for row in rows
        if _anniversaries_between(
            row.service_start, row.initial_months, row.renewal_months, row.renewed_through, at
        )
    ]


def _anniversaries_between(
    start: date, initial: int, renewal: int, done: date | None, at: date
) -> list[date]:
    return [
        a
        for a in anniversaries(start, initial, renewal, at)
        if a <= at and (done is None or a > done)
    ]


def _renew(
    session: Session, contract_id: int, at: date, actor: str, *, write: bool
) -> list[AnniversaryOutcome]:
    contract = session.get(Contract, contract_id, with_for_update=write)
    if contract is None or contract.status not in RENEWABLE_CONTRACTS:
        return []  # changed since the list was read
    assert contract.service_start is not None
    due = _anniversaries_between(
        contract.service_start,
        contract.initial_months,
        contract.renewal_months,
        contract.renewed_through,
        at,
    )
    outcomes = []
    for anniversary in due:
        outcome = _anniversary(session, contract, anniversary, actor, write=write)
        outcomes.append(outcome)
        if outcome.contract_ends:
            break
    return outcomes


def _anniversary(
    session: Session, contract: Contract, anniversary: date, actor: str, *, write: bool
) -> AnniversaryOutcome:
    boxes = list(
        session.scalars(
            sa.select(Mailbox)
            .where(
                Mailbox.contract_id == contract.id,
                Mailbox.status.in_(RUNNING),
                sa.or_(Mailbox.activated_on.is_(None), Mailbox.activated_on < anniversary),
            )
            .order_by(Mailbox.address)
        )
    )
    contract_ends = contract.ends_on is not None and contract.ends_on < anniversary
    ending = [
        b for b in boxes if contract_ends or (b.ends_on is not None and b.ends_on < anniversary)
    ]
    renewing = [b for b in boxes if b not in ending]
    contract_ends = contract_ends or (not renewing and bool(ending))
    assert contract.service_start is not None
    period = running_period(
        contract.service_start, contract.initial_months, contract.renewal_months, anniversary
    )
    outcome = AnniversaryOutcome(
        contract_id=contract.id,
        contract_number=contract.number,
        client_name=contract.client.name,
        anniversary=anniversary,
        period_end=period.end,
        renewed=tuple(b.address for b in renewing),
        ended=tuple(b.address for b in ending),
        contract_ends=contract_ends,
    )
    if write:
        _write(session, contract, outcome, ending, actor)
    return outcome


def _write(
    session: Session,
    contract: Contract,
    outcome: AnniversaryOutcome,
    ending: list[Mailbox],
    actor: str,
) -> None:
    day = outcome.anniversary
    for box in ending:
        asked = box.non_renewal_requested_on or contract.termination_requested_on
        reason = "Fin de la période : boîte non renouvelée"
        if asked is not None:
            reason += f" (demande du {asked:%d/%m/%Y})"
        box.terminated_on = day
        box.ends_on = box.ends_on or day - timedelta(days=1)
        move_mailbox(session, box, S.TERMINATED, reason, actor)
    subject = Subject(client_id=contract.client_id, contract_id=contract.id)
    contract.renewed_through = day
    contract.updated_by = actor
    if outcome.contract_ends:
        change = (contract.status.value, ContractStatus.TERMINATED.value)
        contract.status = ContractStatus.TERMINATED
        contract.terminated_on = day
        contract.ends_on = contract.ends_on or day - timedelta(days=1)
        reason = f"Contrat arrivé à échéance le {contract.ends_on:%d/%m/%Y} : non renouvelé"
        log_event(session, LifecycleKind.STATUS, subject, actor=actor, reason=reason, change=change)
        return
    reason = (
        f"Renouvellement tacite du {day:%d/%m/%Y} au {outcome.period_end:%d/%m/%Y} : "
        f"{len(outcome.renewed)} boîte(s) renouvelée(s), {len(outcome.ended)} arrivée(s) à échéance"
    )
    log_event(session, LifecycleKind.RENEWAL, subject, actor=actor, reason=reason)


# --- what is coming ---------------------------------------------------------------------


def _next_anniversary(contract: Contract, at: date) -> date | None:
    """The first anniversary after ``at`` (after the service start if it is later)."""
    start = contract.service_start
    if start is None:
        return None
    if at < start:
        return add_months(start, contract.initial_months)
    return running_period(start, contract.initial_months, contract.renewal_months, at).next_start


def _counts_at(session: Session, contract_id: int, anniversary: date) -> tuple[int, int]:
    """Accounts that will renew and that will end at ``anniversary``."""
    running = sa.and_(Mailbox.contract_id == contract_id, Mailbox.status.in_(RUNNING))
    ending_now = sa.and_(Mailbox.ends_on.is_not(None), Mailbox.ends_on < anniversary)
    count = sa.func.count(Mailbox.id)
    renewing = session.execute(sa.select(count).where(running, sa.not_(ending_now))).scalar_one()
    ending = session.execute(sa.select(count).where(running, ending_now)).scalar_one()
    return renewing, ending
