"""Writing checked rows: one transaction, the same derived values as the services.

- clients: the automatic code series (``CL00001``…) as ``create_client`` draws it;
- domains: the client's primary domain as ``create_domain`` decides it, the
  administrator certification stamped and logged;
- mailboxes: « requested » on today's date, address derived, inserted in bulk
  (the demo's bulk writer: executemany on SQLite, COPY on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db import audit
from desktop.db.models import Client, Domain, Mailbox
from desktop.domain.clock import paris_today, utc_now
from desktop.domain.enums import AuditAction, LifecycleKind, MailboxStatus
from desktop.services.clients import CLIENT_CODE_FORMAT, CLIENT_CODE_SERIES
from desktop.services.counters import next_value
from desktop.services.demo.bulk import SQLITE_LOAD_CACHE_KIB, insert_rows
from desktop.services.events import Subject, log_event

INSERT_CHUNK = 2_000


def add_clients(session: Session, rows: list[dict[str, Any]], actor: str) -> int:
    """Insert the clients; those without a code get the next free automatic one."""
    typed = {row["code"] for row in rows if row["code"] is not None}
    taken = typed | set(session.scalars(sa.select(Client.code).where(Client.code.like("CL%"))))
    clients = []
    for row in rows:
        code = row["code"]
        while code is None or (row["code"] is None and code in taken):
            code = CLIENT_CODE_FORMAT.format(seq=next_value(session, CLIENT_CODE_SERIES))
        taken.add(code)
        clients.append(Client(**{**row, "code": code}, updated_by=actor))
    session.add_all(clients)
    session.flush()
    return len(clients)


def add_domains(session: Session, rows: list[dict[str, Any]], actor: str) -> int:
    """Insert the domains, each client keeping exactly one primary domain."""
    client_ids = sorted({row["client_id"] for row in rows})
    current = _primary_domains(session, client_ids)
    wanted = {row["client_id"] for row in rows if row["wanted_primary"]}
    now = utc_now()
    for client_id in wanted & set(current):  # the file names another primary one
        domain = current[client_id]
        domain.is_primary = False
        domain.updated_by = actor
        domain.updated_at = now
    session.flush()  # before the new primary one (one primary per client, unique index)
    has_primary = set(current) - wanted
    domains = []
    for row in rows:
        client_id = row["client_id"]
        primary = row["wanted_primary"] or (
            client_id not in has_primary and client_id not in wanted
        )
        if primary:
            has_primary.add(client_id)
        domains.append(
            Domain(
                client_id=client_id,
                name=row["name"],
                is_primary=primary,
                antispam_enabled=row["antispam_enabled"],
                admin_certified_at=now,
                admin_certified_by=actor,
                updated_by=actor,
            )
        )
    session.add_all(domains)
    session.flush()
    for domain in domains:
        subject = Subject(client_id=domain.client_id, domain_id=domain.id)
        log_event(
            session,
            LifecycleKind.ADMIN_CERTIFICATION,
            subject,
            actor=actor,
            reason="Import depuis un tableur.",
            change=(None, "certified"),
            at=now,
        )
    session.flush()
    return len(domains)


def _primary_domains(session: Session, client_ids: list[int]) -> dict[int, Domain]:
    found: dict[int, Domain] = {}
    for first in range(0, len(client_ids), 500):
        batch = client_ids[first : first + 500]
        stmt = sa.select(Domain).where(Domain.client_id.in_(batch), Domain.is_primary)
        found.update({d.client_id: d for d in session.scalars(stmt)})
    return found


def add_mailboxes(session: Session, rows: list[dict[str, Any]], actor: str) -> int:
    """Insert the mailboxes in bulk, « requested » today, as ``create_mailbox`` does."""
    now = utc_now()
    today = paris_today()
    stamped = [
        {
            **row,
            "status": MailboxStatus.REQUESTED,
            "requested_on": today,
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "updated_by": actor,
        }
        for row in rows
    ]
    table: sa.Table = Mailbox.__table__  # type: ignore[assignment]
    connection = session.connection()
    with _large_cache(connection):
        for first in range(0, len(stamped), INSERT_CHUNK):
            insert_rows(connection, table, stamped[first : first + INSERT_CHUNK])
    if stamped:
        audit.record(session, [_import_entry(stamped, actor)])
    return len(stamped)


def _import_entry(rows: list[dict[str, Any]], actor: str) -> dict[str, Any]:
    """One audit row for the mailboxes of an import (entity ``mailbox_import``, id AAAAMMJJ)."""
    today = rows[0]["requested_on"]
    return audit.entry(
        "mailbox_import",
        today.year * 10_000 + today.month * 100 + today.day,
        AuditAction.CREATE,
        after={
            "mailboxes": len(rows),
            "clients": len({row["client_id"] for row in rows}),
            "first_address": rows[0]["address"],
            "last_address": rows[-1]["address"],
        },
        user=actor,
    )


@contextmanager
def _large_cache(connection: sa.Connection) -> Iterator[None]:
    """SQLite: a bigger page cache while the mailbox indexes grow, then back."""
    if connection.dialect.name != "sqlite":
        yield
        return
    previous = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
    connection.exec_driver_sql(f"PRAGMA cache_size = {SQLITE_LOAD_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(previous)}")
