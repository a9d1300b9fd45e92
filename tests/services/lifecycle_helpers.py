"""A started Hosted Exchange contract with open mailboxes, for lifecycle and renewal tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desktop.db.engine import Database
from desktop.db.models import Contract
from desktop.domain.enums import MailboxStatus
from desktop.services.lifecycle import change_mailbox_status
from desktop.services.mailboxes import get_mailbox
from tests.services.factories import ACTOR, World, mailbox, world

START = date(2026, 1, 1)


@dataclass(frozen=True)
class Started:
    world: World
    mailbox_ids: tuple[int, ...]


def start_contract(db: Database, contract_id: int, start: date = START) -> None:
    with db.session_scope() as session:
        contract = session.get(Contract, contract_id)
        assert contract is not None
        contract.service_start = start


def started(db: Database, accounts: int, start: date = START) -> Started:
    """The world's HE contract started on ``start`` with ``accounts`` active mailboxes."""
    w = world(db)
    start_contract(db, w.he_contract_id, start)
    ids = []
    for index in range(accounts):
        box = mailbox(db, w, f"user{index}")
        move(db, box.id, MailboxStatus.ACTIVE, on=start)
        ids.append(box.id)
    return Started(w, tuple(ids))


def move(db: Database, mailbox_id: int, target: MailboxStatus, **kwargs: object) -> MailboxStatus:
    version = get_mailbox(db, mailbox_id).version
    reason = str(kwargs.pop("reason", "Demande du client"))
    details = change_mailbox_status(
        db,
        mailbox_id,
        target,
        reason=reason,
        expected_version=version,
        actor=ACTOR,
        **kwargs,  # type: ignore[arg-type]
    )
    return details.status
