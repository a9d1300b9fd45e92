"""The lifecycle log: every change of state of a mailbox, contract, domain or client.

Written in the transaction of the change it records; read as a history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import LifecycleEvent, Mailbox
from desktop.domain.clock import utc_now
from desktop.domain.enums import LifecycleKind


@dataclass(frozen=True, kw_only=True)
class Subject:
    """What an event is about (at least one of them)."""

    client_id: int | None = None
    contract_id: int | None = None
    domain_id: int | None = None
    mailbox_id: int | None = None


def mailbox_subject(mailbox: Mailbox) -> Subject:
    return Subject(
        client_id=mailbox.client_id, contract_id=mailbox.contract_id, mailbox_id=mailbox.id
    )


def log_event(
    session: Session,
    kind: LifecycleKind,
    subject: Subject,
    *,
    actor: str,
    reason: str | None,
    change: tuple[str | None, str | None] = (None, None),
    at: datetime | None = None,
) -> None:
    before, after = change
    session.add(
        LifecycleEvent(
            kind=kind,
            client_id=subject.client_id,
            contract_id=subject.contract_id,
            domain_id=subject.domain_id,
            mailbox_id=subject.mailbox_id,
            from_status=None if before is None else str(before),
            to_status=None if after is None else str(after),
            at=at or utc_now(),
            by=actor,
            reason=reason,
        )
    )


@dataclass(frozen=True)
class EventRow:
    id: int
    kind: LifecycleKind
    at: datetime
    by: str
    from_status: str | None
    to_status: str | None
    reason: str | None
    mailbox_id: int | None
    mailbox_address: str | None


def event_history(db: Database, subject: Subject, *, limit: int = 500) -> list[EventRow]:
    """The events about ``subject``, newest first (mailbox ones name their address)."""
    conditions = [
        column == value
        for column, value in (
            (LifecycleEvent.client_id, subject.client_id),
            (LifecycleEvent.contract_id, subject.contract_id),
            (LifecycleEvent.domain_id, subject.domain_id),
            (LifecycleEvent.mailbox_id, subject.mailbox_id),
        )
        if value is not None
    ]
    if not conditions:
        raise ValueError("an event history needs a subject")
    stmt = (
        sa.select(
            LifecycleEvent.id,
            LifecycleEvent.kind,
            LifecycleEvent.at,
            LifecycleEvent.by,
            LifecycleEvent.from_status,
            LifecycleEvent.to_status,
            LifecycleEvent.reason,
            LifecycleEvent.mailbox_id,
            Mailbox.address.label("mailbox_address"),
        )
        .outerjoin(Mailbox, Mailbox.id == LifecycleEvent.mailbox_id)
        .where(*conditions)
        .order_by(LifecycleEvent.at.desc(), LifecycleEvent.id.desc())
        .limit(limit)
    )
    with db.read_session() as session:
        return [EventRow(*row) for row in session.execute(stmt)]
