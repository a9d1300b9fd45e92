"""Short lists for the choosers of the forms: clients, contracts, domains, plans, lines.

Each function is one small SELECT of a few columns in a read session, cheap
enough to run on the GUI thread while the user types (the client search is
limited and sorted in SQL, whatever the number of clients).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Client, Contract, Domain, Mailbox, Plan, ProductLine
from desktop.domain.domain_names import display_domain_name
from desktop.domain.emails import display_address
from desktop.domain.enums import ClientKind, ClientStatus, MailboxStatus, ProductLineCode
from desktop.domain.lifecycle import CLOSED_CONTRACTS
from desktop.services.domains import refused_tlds
from desktop.services.listing import search_condition

CLIENT_CHOICE_LIMIT = 50


@dataclass(frozen=True)
class Choice:
    """One entry of a chooser: what to store (``id``) and what to show.

    ``group_id`` ties an entry to another list: the product line of a contract.
    """

    id: int
    label: str
    detail: str = ""
    group_id: int | None = None


# Clients that can be worked with come first; the others stay findable.
_STATUS_RANK = (
    ClientStatus.ACTIVE,
    ClientStatus.PROSPECT,
    ClientStatus.SUSPENDED,
    ClientStatus.TERMINATED,
    ClientStatus.ANONYMISED,
)


def _client_label(code: str, name: str) -> str:
    return f"{code} — {name}"


def _client_detail(status: ClientStatus, city: str | None) -> str:
    parts = [city] if city else []
    if status is not ClientStatus.ACTIVE:
        parts.append(status.label)
    return " · ".join(parts)


def client_choices(
    db: Database, search: str = "", *, limit: int = CLIENT_CHOICE_LIMIT
) -> tuple[Choice, ...]:
    """Clients whose code or name contains every word of ``search``, active ones first."""
    rank = sa.case(
        {status.value: index for index, status in enumerate(_STATUS_RANK)},
        value=Client.status,
        else_=len(_STATUS_RANK),
    )
    stmt = sa.select(Client.id, Client.code, Client.name, Client.status, Client.city)
    condition = search_condition(search, (Client.code, Client.name))
    if condition is not None:
        stmt = stmt.where(condition)
    stmt = stmt.order_by(rank, sa.func.lower(Client.name), Client.id).limit(max(limit, 0))
    with db.read_session() as session:
        rows = session.execute(stmt).all()
    return tuple(
        Choice(row.id, _client_label(row.code, row.name), _client_detail(row.status, row.city))
        for row in rows
    )


def client_choice(db: Database, client_id: int) -> Choice | None:
    """The entry of one client (to preset a chooser), None if it does not exist."""
    stmt = sa.select(Client.id, Client.code, Client.name, Client.status, Client.city)
    with db.read_session() as session:
        row = session.execute(stmt.where(Client.id == client_id)).one_or_none()
    if row is None:
        return None
    return Choice(row.id, _client_label(row.code, row.name), _client_detail(row.status, row.city))


def contract_choices(db: Database, client_id: int) -> tuple[Choice, ...]:
    """The client's contracts still open to new mailboxes (neither terminated nor cancelled)."""
    stmt = (
        sa.select(Contract.id, Contract.number, Contract.status, Contract.product_line_id)
        .add_columns(ProductLine.name.label("line_name"))
        .join(ProductLine, Contract.product_line_id == ProductLine.id)
        .where(
            Contract.client_id == client_id,
            Contract.status.not_in(sorted(CLOSED_CONTRACTS)),
        )
        .order_by(Contract.number)
    )
    with db.read_session() as session:
        rows = session.execute(stmt).all()
    return tuple(
        Choice(
            row.id,
            f"{row.number} — {row.line_name}",
            detail=row.status.label,
            group_id=row.product_line_id,
        )
        for row in rows
    )


def domain_choices(db: Database, client_id: int) -> tuple[Choice, ...]:
    """The client's domains in their Unicode form, the primary one first."""
    stmt = (
        sa.select(Domain.id, Domain.name, Domain.is_primary)
        .where(Domain.client_id == client_id)
        .order_by(Domain.is_primary.desc(), Domain.name)
    )
    with db.read_session() as session:
        rows = session.execute(stmt).all()
    return tuple(
        Choice(row.id, display_domain_name(row.name), "principal" if row.is_primary else "")
        for row in rows
    )


def mailbox_choices(db: Database, client_id: int) -> tuple[Choice, ...]:
    """The client's mailboxes not deleted, by address; ``group_id`` is the domain."""
    stmt = (
        sa.select(Mailbox.id, Mailbox.address, Mailbox.domain_id, Mailbox.status)
        .where(Mailbox.client_id == client_id, Mailbox.status != MailboxStatus.DELETED)
        .order_by(Mailbox.address)
    )
    with db.read_session() as session:
        rows = session.execute(stmt).all()
    return tuple(
        Choice(row.id, display_address(row.address), row.status.label, group_id=row.domain_id)
        for row in rows
    )


def plan_choices(db: Database, product_line_id: int) -> tuple[Choice, ...]:
    """The plans of a product line still sold; ``detail`` gives quota and kind of mailbox."""
    stmt = (
        sa.select(Plan.id, Plan.name, Plan.quota_gb, Plan.mailbox_kind)
        .where(Plan.product_line_id == product_line_id, Plan.active)
        .order_by(Plan.quota_gb, Plan.name, Plan.id)
    )
    with db.read_session() as session:
        rows = session.execute(stmt).all()
    return tuple(
        Choice(
            row.id,
            row.name,
            detail=f"{row.quota_gb} Go, {row.mailbox_kind.label.lower()}",
            group_id=product_line_id,
        )
        for row in rows
    )


def refused_extensions(db: Database) -> tuple[str, ...]:
    """The domain extensions the service cannot use (provider setting)."""
    with db.read_session() as session:
        return refused_tlds(session)


@dataclass(frozen=True)
class ProductLineChoice:
    """A product line and the contract terms it offers (business rules §4)."""

    id: int
    code: ProductLineCode
    name: str
    initial_months_choices: tuple[int, ...]
    """Initial commitments offered, in months: (12,) for Hosted Exchange, (12, 24, 36)…"""
    initial_months: int
    """The usual initial commitment (the default of a new contract)."""
    renewal_months: int
    """The length of each tacit renewal."""


def product_line_choices(db: Database) -> tuple[ProductLineChoice, ...]:
    """Every product line, by name, with its initial commitments and renewal length."""
    stmt = sa.select(
        ProductLine.id,
        ProductLine.code,
        ProductLine.name,
        ProductLine.initial_months_choices,
        ProductLine.initial_months,
        ProductLine.renewal_months,
    ).order_by(ProductLine.name, ProductLine.id)
    with db.read_session() as session:
        rows = session.execute(stmt).all()
    return tuple(
        ProductLineChoice(
            id=row.id,
            code=row.code,
            name=row.name,
            initial_months_choices=_months_choices(row.initial_months_choices, row.initial_months),
            initial_months=row.initial_months,
            renewal_months=row.renewal_months,
        )
        for row in rows
    )


def _months_choices(text: str, default: int) -> tuple[int, ...]:
    months = {int(part) for part in text.split(",") if part.strip().isdigit()}
    return tuple(sorted(months or {default}))


def client_kind(db: Database, client_id: int) -> ClientKind | None:
    """The kind of a client (business, public body, consumer); None if it does not exist."""
    with db.read_session() as session:
        return session.execute(
            sa.select(Client.kind).where(Client.id == client_id)
        ).scalar_one_or_none()
