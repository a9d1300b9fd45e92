"""One mailbox's dates and status, consistent with its contract, and the events logged."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from desktop.domain.enums import ContractStatus, MailboxStatus
from desktop.domain.periods import add_months
from desktop.services.demo.builder import DemoBuilder
from desktop.services.demo.contracts import ContractLife
from desktop.services.demo.events import mailbox_status_change
from desktop.services.demo.tables import Row

ACCOUNT_COMMITMENT_MONTHS = 12
"""A mailbox is never stopped before 12 months of service (HE §9.2)."""
NON_RENEWAL_REASONS = (
    "Demande de non-renouvellement reçue par e-mail",
    "Demande de non-renouvellement reçue par courrier",
)

Change = tuple[MailboxStatus, datetime]
"""A mailbox's status and when it was last changed."""


def mailbox_history(b: DemoBuilder, box: Row, life: ContractLife, position: int) -> None:
    """Dates, status and events of the ``position``-th mailbox of the contract (from 0)."""
    rng, today = b.rng, b.today
    contract = life.row
    start: date | None = contract["service_start"]
    status = contract["status"]
    if start is None or status is ContractStatus.PENDING:
        _requested(b, box, b.random_day(contract["ordered_on"], today))
        return
    # The first account keeps the contract alive: it stays active (or suspended with it).
    draw = 1.0 if position == 0 else rng.random()
    if draw < 0.02 and status is ContractStatus.ACTIVE and (today - start).days > 20:
        _requested(b, box, today - timedelta(days=rng.randint(0, 10)))
        return
    created, updated = _activate(b, box, life, position)
    new, updated = _later_change(b, box, life, draw) or (MailboxStatus.ACTIVE, updated)
    if status is ContractStatus.SUSPENDED and new is MailboxStatus.ACTIVE:
        assert life.suspended_on is not None
        reason = "Suspension de toutes les boîtes du client pour impayé"
        new, updated = _suspend(b, box, life.suspended_on, reason)
    box["status"] = new
    box |= b.stamps(created, max(created, updated))


def _requested(b: DemoBuilder, box: Row, asked: date) -> None:
    """Asked for on ``asked``, not open yet."""
    at = b.office_time(asked)
    box["requested_on"] = asked
    box["status"] = MailboxStatus.REQUESTED
    box |= b.stamps(at)
    reason = "Création demandée par le client"
    mailbox_status_change(b, box, at, None, MailboxStatus.REQUESTED, reason)


def _activate(
    b: DemoBuilder, box: Row, life: ContractLife, position: int
) -> tuple[datetime, datetime]:
    """Asked for and opened, with the contract or later: (created, opened) times."""
    rng = b.rng
    contract = life.row
    start: date = contract["service_start"]
    first_batch = position == 0 or rng.random() < 0.6
    activated = start if first_batch else b.random_day(start, life.limit)
    asked = max(contract["ordered_on"], activated - timedelta(days=rng.randint(0, 7)))
    box["requested_on"] = asked
    box["activated_on"] = activated
    created = b.office_time(asked)
    opened = b.office_time(activated)
    if rng.random() < 0.6:
        box["password_issued_at"] = opened
        box["password_issued_by"] = b.staff()
    return created, opened


def _later_change(b: DemoBuilder, box: Row, life: ContractLife, draw: float) -> Change | None:
    """What happened to the mailbox since it opened, if anything."""
    status = life.row["status"]
    if status is ContractStatus.TERMINATED:
        return _stopped_with_contract(b, box, life)
    if draw < 0.10:
        return _not_renewed(b, box, life, draw)
    if draw < 0.11 and status is ContractStatus.ACTIVE:
        day = b.random_day(box["activated_on"], b.today)
        return _suspend(b, box, day, "Suspension pour motif : envoi massif de spam détecté")
    return None


def _stopped_with_contract(b: DemoBuilder, box: Row, life: ContractLife) -> Change:
    assert life.termination_asked is not None
    box["non_renewal_requested_on"] = life.termination_asked
    at = b.office_time(life.termination_asked)
    mailbox_status_change(
        b,
        box,
        at,
        MailboxStatus.ACTIVE,
        MailboxStatus.NON_RENEWAL_REQUESTED,
        "Résiliation du contrat demandée par le client",
    )
    return _terminate(b, box, life.row["terminated_on"])


def _not_renewed(b: DemoBuilder, box: Row, life: ContractLife, draw: float) -> Change | None:
    """Asked not to renew: either stopped at a past anniversary or ends soon.

    Never before the account's own 12-month commitment is over (HE §9.2).
    """
    activated: date = box["activated_on"]
    committed = add_months(activated, ACCOUNT_COMMITMENT_MONTHS)
    ends = [end for end in life.past_ends if end >= committed]
    if ends and draw < 0.07:
        end = b.rng.choice(ends)
        _ask_non_renewal(b, box, life, end)
        return _terminate(b, box, end)
    current_end = life.current_end
    if (
        current_end is not None
        and current_end >= committed
        and life.row["status"] is ContractStatus.ACTIVE
    ):
        _ask_non_renewal(b, box, life, current_end)
        return MailboxStatus.NON_RENEWAL_REQUESTED, b.office_time(box["non_renewal_requested_on"])
    return None


def _ask_non_renewal(b: DemoBuilder, box: Row, life: ContractLife, end: date) -> None:
    """The client asked, during the period ending at ``end``, not to renew the mailbox."""
    period_start = max(life.period_start(end), box["activated_on"])
    latest = min(end - timedelta(days=1), b.today)
    asked = b.random_day(period_start, latest)
    box["non_renewal_requested_on"] = asked
    box["ends_on"] = end - timedelta(days=1)
    at = b.office_time(asked)
    reason = b.rng.choice(NON_RENEWAL_REASONS)
    mailbox_status_change(
        b, box, at, MailboxStatus.ACTIVE, MailboxStatus.NON_RENEWAL_REQUESTED, reason
    )


def _terminate(b: DemoBuilder, box: Row, end: date) -> Change:
    """Terminated at the anniversary ``end``; most are deleted some weeks later."""
    rng = b.rng
    box["ends_on"] = end - timedelta(days=1)
    box["terminated_on"] = end
    at = b.office_time(end)
    reason = "Fin de la période en cours : boîte non renouvelée"
    mailbox_status_change(
        b, box, at, MailboxStatus.NON_RENEWAL_REQUESTED, MailboxStatus.TERMINATED, reason
    )
    deleted = end + timedelta(days=rng.randint(15, 90))
    if deleted > b.today or rng.random() < 0.3:
        return MailboxStatus.TERMINATED, b.office_time(end)
    box["deleted_on"] = deleted
    at = b.office_time(deleted)
    reason = "Données supprimées après confirmation de la sauvegarde par le client"
    mailbox_status_change(b, box, at, MailboxStatus.TERMINATED, MailboxStatus.DELETED, reason)
    return MailboxStatus.DELETED, b.office_time(deleted)


def _suspend(b: DemoBuilder, box: Row, day: date, reason: str) -> Change:
    at = b.office_time(day)
    mailbox_status_change(b, box, at, MailboxStatus.ACTIVE, MailboxStatus.SUSPENDED, reason)
    return MailboxStatus.SUSPENDED, at
