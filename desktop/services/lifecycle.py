"""Changes of state of a mailbox (business rules §3-4): each one checked, dated, logged.

Every change goes through :func:`change_mailbox_status`: the state machine of
:mod:`desktop.domain.lifecycle` says which moves exist, this module the
conditions of each (dates, contract, the non-renewal floor, the backup
confirmation before deletion) and logs who made it, when and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import Contract, Mailbox, Provider
from desktop.domain.clock import paris_today, utc_now
from desktop.domain.contracts import RENEWAL_FLOOR_PERCENT, non_renewal_end, renewal_floor
from desktop.domain.enums import ContractStatus, LifecycleKind, MailboxStatus
from desktop.domain.errors import ValidationError
from desktop.domain.lifecycle import RUNNING, check_transition
from desktop.domain.roles import Permission
from desktop.errors import UserError
from desktop.services.access import check_permission, requires
from desktop.services.conflicts import MAILBOX, Target, load_for_update, write_scope
from desktop.services.events import log_event, mailbox_subject
from desktop.services.fields import clean, required_reason
from desktop.services.mailboxes import MailboxDetails, get_mailbox

S = MailboxStatus

BACKUP_WARNING = (
    "Supprimer une boîte efface ses données (messages, calendriers, contacts) sans retour "
    "possible : le client doit en avoir sa propre sauvegarde (HE §8.4)."
)


class FloorRefused(UserError):
    """A non-renewal request that would break the floor of renewed accounts (HE §9.3)."""

    def __init__(self, message: str, *, active: int, renewing: int, floor: int) -> None:
        super().__init__(message)
        self.active = active
        self.renewing = renewing
        self.floor = floor


@dataclass(frozen=True)
class FloorCheck:
    """The accounts of a contract at an anniversary, if one more were not renewed."""

    anniversary: date
    active: int
    """Accounts active the day before the anniversary."""
    renewing: int
    floor: int
    percent: Decimal

    @property
    def breaks_floor(self) -> bool:
        return self.renewing < self.floor


@requires(Permission.CUSTOMERS)
def change_mailbox_status(
    db: Database,
    mailbox_id: int,
    target: MailboxStatus,
    *,
    reason: str,
    expected_version: int,
    actor: str,
    on: date | None = None,
    backup_confirmed: bool = False,
    floor_exception: str | None = None,
) -> MailboxDetails:
    """Move a mailbox to ``target`` on ``on`` (default: today in Paris).

    - to non-renewal requested: the account ends at the end of the period
      running on ``on`` (never before its 12-month commitment); refused with
      :class:`FloorRefused` when fewer than the floor would renew, unless
      ``floor_exception`` gives the manager's reason for an exception (logged);
    - to deleted: only with ``backup_confirmed`` (the client has its own backup),
      and only for a role allowed to delete (support changes mailboxes, never deletes).
    """
    if target is S.DELETED:
        check_permission(db, actor, Permission.DELETE)
    why = required_reason(reason)
    day = on or paris_today()
    mailbox_target = Target(MAILBOX, Mailbox, mailbox_id)
    with write_scope(db, target=mailbox_target) as session:
        mailbox = load_for_update(session, mailbox_target, expected_version)
        current = mailbox.status
        check_transition(current, target)
        contract = session.get(Contract, mailbox.contract_id, with_for_update=True)
        assert contract is not None  # the foreign key guarantees it
        _apply(session, mailbox, contract, target, day, backup_confirmed)
        if target is S.NON_RENEWAL_REQUESTED:
            _check_floor(session, mailbox, contract, floor_exception, actor)
        move_mailbox(session, mailbox, target, why, actor)
        session.flush()
    return get_mailbox(db, mailbox_id)


def move_mailbox(
    session: Session, box: Mailbox, target: MailboxStatus, reason: str, actor: str
) -> None:
    """Set the new status (checked against the state machine) and log who, when and why."""
    check_transition(box.status, target)
    change = (box.status.value, target.value)
    box.status = target
    box.updated_by = actor
    box.updated_at = utc_now()
    log_event(
        session,
        LifecycleKind.STATUS,
        mailbox_subject(box),
        actor=actor,
        reason=reason,
        change=change,
    )


def floor_check(db: Database, mailbox_id: int, *, on: date | None = None) -> FloorCheck:
    """What not renewing this mailbox (asked on ``on``) would leave at the anniversary."""
    with db.read_session() as session:
        mailbox = session.get(Mailbox, mailbox_id)
        if mailbox is None:
            raise UserError("Cette boîte aux lettres est introuvable.")
        contract = mailbox.contract
        end = _non_renewal_end(contract, mailbox, on or paris_today())
        return _floor(session, contract, end, mailbox)


# --- each move --------------------------------------------------------------------------


def _apply(
    session: Session,
    mailbox: Mailbox,
    contract: Contract,
    target: MailboxStatus,
    day: date,
    backup_confirmed: bool,
) -> None:
    current = mailbox.status
    if target is S.ACTIVE and current is S.REQUESTED:
        _open(mailbox, contract, day)
    elif target is S.ACTIVE:
        _resume(mailbox, contract, current)
    elif target is S.SUSPENDED:
        pass  # the dates stay; the log says when and why
    elif target is S.NON_RENEWAL_REQUESTED:
        _check_running(contract)
        mailbox.non_renewal_requested_on = day
        mailbox.ends_on = _non_renewal_end(contract, mailbox, day)
    elif target is S.TERMINATED:
        _terminate(mailbox, day)
    elif target is S.DELETED:
        _delete(mailbox, day, backup_confirmed)


def _open(mailbox: Mailbox, contract: Contract, day: date) -> None:
    if contract.status is not ContractStatus.ACTIVE or contract.service_start is None:
        raise UserError(
            f"Le contrat {contract.number} est « {contract.status.label} » : "
            "ses boîtes ne s'ouvrent qu'une fois le service démarré (date de début du service)."
        )
    if day < contract.service_start:
        raise ValidationError(
            {
                "on": f"Une boîte ne peut pas ouvrir avant le début du service du contrat "
                f"({contract.service_start:%d/%m/%Y})."
            }
        )
    mailbox.activated_on = day


def _resume(mailbox: Mailbox, contract: Contract, current: MailboxStatus) -> None:
    if current is S.SUSPENDED and contract.status is ContractStatus.SUSPENDED:
        raise UserError(
            f"Tout le contrat {contract.number} est suspendu : il doit être rétabli d'abord."
        )
    if current is S.NON_RENEWAL_REQUESTED:  # the client withdraws its request
        if contract.ends_on is not None:
            raise UserError(
                f"Le contrat {contract.number} entier prend fin le {contract.ends_on:%d/%m/%Y} : "
                "annulez d'abord la résiliation du contrat."
            )
        mailbox.non_renewal_requested_on = None
        mailbox.ends_on = None


def _terminate(mailbox: Mailbox, day: date) -> None:
    if mailbox.activated_on is not None and day < mailbox.activated_on:
        raise ValidationError(
            {
                "on": "La résiliation ne peut précéder l'ouverture "
                f"({mailbox.activated_on:%d/%m/%Y})."
            }
        )
    mailbox.terminated_on = day
    if mailbox.ends_on is None or mailbox.ends_on >= day:
        mailbox.ends_on = day - timedelta(days=1) if mailbox.activated_on else None


def _delete(mailbox: Mailbox, day: date, backup_confirmed: bool) -> None:
    if not backup_confirmed:
        raise ValidationError(
            {"backup_confirmed": f"{BACKUP_WARNING} Confirmez-le pour supprimer la boîte."}
        )
    mailbox.deleted_on = day


def _check_running(contract: Contract) -> None:
    if contract.service_start is None:
        raise UserError(f"Le service du contrat {contract.number} n'a pas encore commencé.")


def _non_renewal_end(contract: Contract, mailbox: Mailbox, day: date) -> date:
    _check_running(contract)
    assert contract.service_start is not None
    return non_renewal_end(
        contract.service_start,
        contract.initial_months,
        contract.renewal_months,
        day,
        mailbox.activated_on,
    )


# --- the renewal floor ------------------------------------------------------------------


def _floor_percent(session: Session) -> Decimal:
    percent = session.execute(
        sa.select(Provider.renewal_floor_percent).where(Provider.id == 1)
    ).scalar_one_or_none()
    return RENEWAL_FLOOR_PERCENT if percent is None else percent


def _floor(session: Session, contract: Contract, end: date, asking: Mailbox) -> FloorCheck:
    """Accounts active the day before the anniversary after ``end``, and how many renew."""
    running = sa.and_(
        Mailbox.contract_id == contract.id,
        Mailbox.status.in_(RUNNING),
        sa.or_(Mailbox.ends_on.is_(None), Mailbox.ends_on >= end),
        Mailbox.id != asking.id,
    )
    count = sa.func.count(Mailbox.id)
    others = session.execute(sa.select(count).where(running)).scalar_one()
    leaving = session.execute(sa.select(count).where(running, Mailbox.ends_on == end)).scalar_one()
    percent = _floor_percent(session)
    active = others + 1
    return FloorCheck(
        anniversary=end + timedelta(days=1),
        active=active,
        renewing=active - leaving - 1,
        floor=renewal_floor(active, percent),
        percent=percent,
    )


def _check_floor(
    session: Session, mailbox: Mailbox, contract: Contract, exception: str | None, actor: str
) -> None:
    assert mailbox.ends_on is not None
    check = _floor(session, contract, mailbox.ends_on, mailbox)
    if not check.breaks_floor:
        return
    summary = (
        f"au {check.anniversary:%d/%m/%Y}, {check.renewing} boîte(s) sur {check.active} "
        f"seraient renouvelées, moins que le minimum de {check.floor} "
        f"({check.percent.normalize():f} % des boîtes actives, HE §9.3)"
    )
    why = clean(exception)
    if why is None:
        raise FloorRefused(
            f"Demande de non-renouvellement refusée : {summary}. Un responsable peut accorder "
            "une dérogation en indiquant son motif.",
            active=check.active,
            renewing=check.renewing,
            floor=check.floor,
        )
    log_event(
        session,
        LifecycleKind.RENEWAL_FLOOR_EXCEPTION,
        mailbox_subject(mailbox),
        actor=actor,
        reason=f"{required_reason(why)} — dérogation accordée : {summary}.",
    )
