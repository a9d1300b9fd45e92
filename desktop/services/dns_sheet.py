"""The DNS records a client must set on one of its domains, per product line (§2).

The product lines are those of the contracts the domain's mailboxes belong
to; for a domain without mailbox yet, those of the client's contracts; for a
client without contract, both lines, so that the sheet can be handed over
before the order.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import Contract, Domain, Mailbox, ProductLine
from desktop.domain.dns_records import DnsRecord, records_for
from desktop.domain.domain_names import display_domain_name
from desktop.domain.enums import MailboxStatus, ProductLineCode
from desktop.domain.errors import InvalidValue
from desktop.errors import UserError
from desktop.services.conflicts import DOMAIN, not_found
from desktop.services.contract_print import ProviderIdentity, load_provider_identity


@dataclass(frozen=True)
class DnsLine:
    code: ProductLineCode
    name: str
    records: tuple[DnsRecord, ...]


@dataclass(frozen=True)
class DnsSheet:
    domain: str
    """As people read it (``café.fr``)."""
    a_label: str
    """As DNS stores it (``xn--caf-dma.fr``)."""
    client_name: str
    client_code: str
    lines: tuple[DnsLine, ...]
    contracted: bool
    """False: no contract yet, every product line is shown."""
    provider: ProviderIdentity


def dns_instructions(db: Database, domain_id: int) -> DnsSheet:
    with db.read_session() as session:
        domain = session.get(Domain, domain_id)
        if domain is None:
            raise not_found(DOMAIN)
        lines = _lines(session, domain)
        contracted = bool(lines)
        if not contracted:
            lines = list(session.execute(sa.select(ProductLine)).scalars())
        records = _with_records(lines, domain.name) or _defaults(domain.name)
        return DnsSheet(
            domain=display_domain_name(domain.name),
            a_label=domain.name,
            client_name=domain.client.name,
            client_code=domain.client.code,
            lines=records,
            contracted=contracted,
            provider=load_provider_identity(session),
        )


def _lines(session: Session, domain: Domain) -> list[ProductLine]:
    """The lines of the domain's mailboxes' contracts, else of the client's contracts."""
    of_mailboxes = (
        sa.select(Mailbox.product_line_id)
        .where(Mailbox.domain_id == domain.id, Mailbox.status != MailboxStatus.DELETED)
        .distinct()
    )
    of_client = sa.select(Contract.product_line_id).where(Contract.client_id == domain.client_id)
    for ids in (of_mailboxes, of_client):
        lines = list(
            session.execute(sa.select(ProductLine).where(ProductLine.id.in_(ids))).scalars()
        )
        if lines:
            return lines
    return []


def _with_records(lines: list[ProductLine], a_label: str) -> tuple[DnsLine, ...]:
    ordered = sorted(lines, key=lambda line: list(ProductLineCode).index(line.code))
    return tuple(DnsLine(line.code, line.name, _records(line, a_label)) for line in ordered)


def _defaults(a_label: str) -> tuple[DnsLine, ...]:
    """Every line with its default records: a catalogue without product lines yet."""
    return tuple(DnsLine(code, code.label, records_for(code, a_label)) for code in ProductLineCode)


def _records(line: ProductLine, a_label: str) -> tuple[DnsRecord, ...]:
    try:
        return records_for(
            line.code,
            a_label,
            mx=line.dns_mx,
            mx_priority=line.dns_mx_priority,
            autodiscover=line.dns_autodiscover,
            spf=line.dns_spf,
        )
    except InvalidValue as exc:
        raise UserError(f"Paramètres DNS de l'offre {line.name} : {exc.message}") from None
