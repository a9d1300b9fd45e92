"""A summary of what the database holds, for the main window and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Client, Contract, Domain, Mailbox, Provider
from desktop.domain.enums import ClientStatus, ContractStatus, MailboxStatus


@dataclass(frozen=True)
class Overview:
    provider_name: str | None
    clients: int
    active_clients: int
    domains: int
    contracts: int
    active_contracts: int
    mailboxes: int
    mailboxes_by_status: tuple[tuple[MailboxStatus, int], ...]

    @property
    def is_empty(self) -> bool:
        return self.clients == 0 and self.provider_name is None


def database_overview(db: Database) -> Overview:
    with db.read_session() as session:
        provider = session.scalar(sa.select(Provider.name))
        clients = _count_by(session, Client.status)
        contracts = _count_by(session, Contract.status)
        mailboxes = _count_by(session, Mailbox.status)
        domains = session.scalar(sa.select(sa.func.count()).select_from(Domain)) or 0
    return Overview(
        provider_name=provider,
        clients=sum(clients.values()),
        active_clients=clients.get(ClientStatus.ACTIVE, 0),
        domains=domains,
        contracts=sum(contracts.values()),
        active_contracts=contracts.get(ContractStatus.ACTIVE, 0),
        mailboxes=sum(mailboxes.values()),
        mailboxes_by_status=tuple((status, mailboxes.get(status, 0)) for status in MailboxStatus),
    )


def _count_by(
    session: sa.orm.Session, column: sa.orm.InstrumentedAttribute[object]
) -> dict[object, int]:
    rows = session.execute(sa.select(column, sa.func.count()).group_by(column))
    return {value: count for value, count in rows}
