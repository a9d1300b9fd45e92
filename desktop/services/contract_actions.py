"""What happens to a whole contract: its accounts opened, its end asked, its signed copy.

A whole contract not renewed is not subject to the renewal floor: that floor
is about some accounts leaving while the contract goes on (HE §9.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import Contract, Mailbox
from desktop.domain.clock import paris_today, utc_now
from desktop.domain.contracts import non_renewal_end
from desktop.domain.enums import ContractStatus, LifecycleKind, MailboxStatus
from desktop.domain.errors import ValidationError
from desktop.domain.lifecycle import RUNNING
from desktop.domain.roles import Permission
from desktop.errors import UserError
from desktop.services.access import requires
from desktop.services.conflicts import CONTRACT, Target, load_for_update, not_found, write_scope
from desktop.services.contracts import ContractDetails, get_contract
from desktop.services.events import Subject, log_event
from desktop.services.fields import required_reason
from desktop.services.lifecycle import move_mailbox

S = MailboxStatus
MAX_SCAN_BYTES = 20 * 1024 * 1024
SCAN_TYPES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
"""The signed copy is a PDF or an image: recognised by its first bytes, not its name."""


@dataclass(frozen=True)
class SignedScan:
    name: str
    mime: str
    data: bytes


@requires(Permission.CUSTOMERS)
def activate_requested_mailboxes(
    db: Database, contract_id: int, *, on: date | None = None, reason: str, actor: str
) -> int:
    """Open every requested mailbox of a started contract; how many were opened."""
    why = required_reason(reason)
    day = on or paris_today()
    with write_scope(db) as session:
        contract = _contract(session, contract_id)
        if contract.status is not ContractStatus.ACTIVE or contract.service_start is None:
            raise UserError(
                f"Le contrat {contract.number} est « {contract.status.label} » : indiquez "
                "d'abord la date de début du service."
            )
        if day < contract.service_start:
            raise ValidationError(
                {"on": f"Pas avant le début du service ({contract.service_start:%d/%m/%Y})."}
            )
        boxes = _mailboxes(session, contract.id, (S.REQUESTED,))
        for box in boxes:
            box.activated_on = day
            move_mailbox(session, box, S.ACTIVE, why, actor)
        return len(boxes)


@requires(Permission.CONTRACTS)
def request_contract_termination(
    db: Database,
    contract_id: int,
    *,
    asked_on: date | None = None,
    reason: str,
    expected_version: int,
    actor: str,
) -> ContractDetails:
    """The client asks not to renew the whole contract: every account ends with the period
    running when asked (or at the end of the latest account's own 12-month commitment)."""
    why = required_reason(reason)
    day = asked_on or paris_today()
    target = Target(CONTRACT, Contract, contract_id)
    with write_scope(db, target=target) as session:
        contract = load_for_update(session, target, expected_version)
        if contract.status is not ContractStatus.ACTIVE or contract.service_start is None:
            raise UserError(f"Le contrat {contract.number} n'est pas en cours de service.")
        if contract.ends_on is not None:
            raise UserError(f"La fin du contrat est déjà demandée ({contract.ends_on:%d/%m/%Y}).")
        boxes = _mailboxes(session, contract.id, tuple(RUNNING))
        start = contract.service_start
        terms = (contract.initial_months, contract.renewal_months)
        end = max(
            [non_renewal_end(start, *terms, day)]
            + [non_renewal_end(start, *terms, day, box.activated_on) for box in boxes]
        )
        contract.termination_requested_on = day
        contract.ends_on = end
        note = f"{why} (fin le {end:%d/%m/%Y})"
        for box in boxes:
            if box.status is not S.NON_RENEWAL_REQUESTED:
                box.non_renewal_requested_on = day
                box.ends_on = end
                move_mailbox(session, box, S.NON_RENEWAL_REQUESTED, note, actor)
        _note(session, contract, actor, f"Non-renouvellement du contrat demandé : {note}")
    return get_contract(db, contract_id)


@requires(Permission.CONTRACTS)
def withdraw_contract_termination(
    db: Database, contract_id: int, *, reason: str, expected_version: int, actor: str
) -> ContractDetails:
    """The client takes back its request before the end: its accounts renew again."""
    why = required_reason(reason)
    target = Target(CONTRACT, Contract, contract_id)
    with write_scope(db, target=target) as session:
        contract = load_for_update(session, target, expected_version)
        if contract.ends_on is None or contract.status is not ContractStatus.ACTIVE:
            raise UserError(f"Aucune fin n'est demandée pour le contrat {contract.number}.")
        ends_on = contract.ends_on
        for box in _mailboxes(session, contract.id, (S.NON_RENEWAL_REQUESTED,)):
            if (
                box.ends_on == ends_on
                and box.non_renewal_requested_on == contract.termination_requested_on
            ):
                box.non_renewal_requested_on = None
                box.ends_on = None
                move_mailbox(session, box, S.ACTIVE, why, actor)
        contract.termination_requested_on = None
        contract.ends_on = None
        _note(session, contract, actor, f"Demande de non-renouvellement du contrat retirée : {why}")
    return get_contract(db, contract_id)


@requires(Permission.CONTRACTS)
def attach_signed_scan(
    db: Database,
    contract_id: int,
    data: bytes,
    filename: str,
    *,
    expected_version: int,
    actor: str,
) -> ContractDetails:
    """Keep the scanned signed copy (PDF or image) in the database, for every desktop."""
    mime = _scan_type(data)
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or "contrat-signe"
    target = Target(CONTRACT, Contract, contract_id)
    with write_scope(db, target=target) as session:
        contract = load_for_update(session, target, expected_version)
        contract.signed_scan = data
        contract.signed_scan_name = name
        contract.signed_scan_mime = mime
        _note(session, contract, actor, f"Copie signée jointe : {name}")
    return get_contract(db, contract_id)


def get_signed_scan(db: Database, contract_id: int) -> SignedScan:
    with db.read_session() as session:
        row = session.execute(
            sa.select(
                Contract.signed_scan, Contract.signed_scan_name, Contract.signed_scan_mime
            ).where(Contract.id == contract_id)
        ).one_or_none()
    if row is None:
        raise not_found(CONTRACT)
    data, name, mime = row
    if data is None or name is None or mime is None:
        raise UserError("Aucune copie signée n'est jointe à ce contrat.")
    return SignedScan(name=name, mime=mime, data=data)


# --- helpers ----------------------------------------------------------------------------


def _scan_type(data: bytes) -> str:
    if not data:
        raise ValidationError({"signed_scan": "Le fichier est vide."})
    if len(data) > MAX_SCAN_BYTES:
        size = len(data) / 1024 / 1024
        raise ValidationError(
            {
                "signed_scan": f"Fichier trop lourd ({size:.1f} Mo) : 20 Mo au maximum.".replace(
                    ".", ",", 1
                )
            }
        )
    for magic, mime in SCAN_TYPES:
        if data.startswith(magic):
            return mime
    raise ValidationError(
        {"signed_scan": "Ce fichier n'est ni un PDF ni une image (PNG, JPEG, TIFF)."}
    )


def _contract(session: Session, contract_id: int) -> Contract:
    contract = session.get(Contract, contract_id, with_for_update=True)
    if contract is None:
        raise not_found(CONTRACT)
    return contract


def _mailboxes(
    session: Session, contract_id: int, statuses: tuple[MailboxStatus, ...]
) -> list[Mailbox]:
    stmt = (
        sa.select(Mailbox)
        .where(Mailbox.contract_id == contract_id, Mailbox.status.in_(statuses))
        .order_by(Mailbox.address)
        .with_for_update()
    )
    return list(session.scalars(stmt))


def _note(session: Session, contract: Contract, actor: str, reason: str) -> None:
    """Stamp the contract as changed and log why."""
    _touch(contract, actor)
    log_event(session, LifecycleKind.STATUS, _subject(contract), actor=actor, reason=reason)


def _touch(row: Contract | Mailbox, actor: str) -> None:
    row.updated_by = actor
    row.updated_at = utc_now()


def _subject(contract: Contract) -> Subject:
    return Subject(client_id=contract.client_id, contract_id=contract.id)
