"""Access codes of the client's administrator (O365 §7, HE §4, business rules §1).

A code is generated, returned once to be shown and printed, and forgotten:
only its log is stored (issued, deactivated, replaced; when, by whom, why).
On reported loss or theft the code is deactivated and replaced at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import AccessCodeEvent, Client, Contact, Domain
from desktop.domain.access_codes import generate_access_code
from desktop.domain.clock import utc_now
from desktop.domain.domain_names import display_domain_name
from desktop.domain.enums import AccessCodeAction, ContactRole
from desktop.domain.lifecycle import CLOSED_CLIENTS
from desktop.domain.roles import Permission
from desktop.errors import UserError
from desktop.services.access import requires
from desktop.services.conflicts import CLIENT, not_found, write_scope
from desktop.services.fields import required_reason


@dataclass(frozen=True)
class IssuedCode:
    """A code just generated: shown once, printed, never stored."""

    client_id: int
    client_code: str
    client_name: str
    administrator: str | None
    administrator_email: str | None
    login: str
    code: str
    action: AccessCodeAction
    at: datetime
    by: str


@dataclass(frozen=True)
class AccessCodeEntry:
    id: int
    action: AccessCodeAction
    at: datetime
    by: str
    reason: str | None


@requires(Permission.CUSTOMERS)
def issue_access_code(db: Database, client_id: int, *, reason: str, actor: str) -> IssuedCode:
    """A first code for the administrator (at activation), or one more on request."""
    why = required_reason(reason)
    with write_scope(db) as session:
        client = _client(session, client_id)
        return record_code(session, client, AccessCodeAction.ISSUED, why, actor)


@requires(Permission.CUSTOMERS)
def replace_lost_code(db: Database, client_id: int, *, reason: str, actor: str) -> IssuedCode:
    """Loss or theft reported: the current code is deactivated and a new one replaces it."""
    why = required_reason(reason)
    with write_scope(db) as session:
        client = _client(session, client_id)
        if not _has_code(session, client.id):
            raise UserError(
                f"Aucun code d'accès n'a encore été remis à {client.name} : émettez-en un."
            )
        _log(session, client.id, AccessCodeAction.DEACTIVATED, why, actor)
        return record_code(session, client, AccessCodeAction.REPLACED, why, actor)


def access_code_log(db: Database, client_id: int) -> list[AccessCodeEntry]:
    """The client's access-code history, newest first."""
    stmt = (
        sa.select(
            AccessCodeEvent.id,
            AccessCodeEvent.action,
            AccessCodeEvent.at,
            AccessCodeEvent.by,
            AccessCodeEvent.reason,
        )
        .where(AccessCodeEvent.client_id == client_id)
        .order_by(AccessCodeEvent.at.desc(), AccessCodeEvent.id.desc())
    )
    with db.read_session() as session:
        return [AccessCodeEntry(*row) for row in session.execute(stmt)]


# --- helpers ----------------------------------------------------------------------------


def _client(session: Session, client_id: int) -> Client:
    client = session.get(Client, client_id, with_for_update=True)
    if client is None:
        raise not_found(CLIENT)
    if client.status in CLOSED_CLIENTS:
        raise UserError(f"Le client {client.name} est {client.status.label.lower()}.")
    return client


def _has_code(session: Session, client_id: int) -> bool:
    stmt = sa.select(AccessCodeEvent.id).where(AccessCodeEvent.client_id == client_id).limit(1)
    return session.execute(stmt).first() is not None


def _log(
    session: Session, client_id: int, action: AccessCodeAction, reason: str, actor: str
) -> datetime:
    at = utc_now()
    session.add(AccessCodeEvent(client_id=client_id, action=action, at=at, by=actor, reason=reason))
    return at


def record_code(
    session: Session, client: Client, action: AccessCodeAction, reason: str, actor: str
) -> IssuedCode:
    """A new code for the client's administrator in the caller's transaction; only the
    event is stored, the code is returned once."""
    administrator = _administrator(session, client.id)
    at = _log(session, client.id, action, reason, actor)
    return IssuedCode(
        client_id=client.id,
        client_code=client.code,
        client_name=client.name,
        administrator=administrator.name if administrator else None,
        administrator_email=administrator.email if administrator else None,
        login=_login(session, client),
        code=generate_access_code(),
        action=action,
        at=at,
        by=actor,
    )


def _administrator(session: Session, client_id: int) -> Contact | None:
    stmt = (
        sa.select(Contact)
        .where(Contact.client_id == client_id, Contact.role == ContactRole.ADMINISTRATOR)
        .order_by(Contact.is_primary.desc(), Contact.id)
        .limit(1)
    )
    return session.scalars(stmt).first()


def _login(session: Session, client: Client) -> str:
    """The administrator's login: admin@ the primary domain, else the client code."""
    primary = session.execute(
        sa.select(Domain.name).where(Domain.client_id == client.id, Domain.is_primary)
    ).scalar_one_or_none()
    return f"admin@{display_domain_name(primary)}" if primary else client.code
