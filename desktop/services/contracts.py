"""Contracts of the clients, one per product line: the list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Client, Contract, Mailbox, ProductLine
from desktop.domain.enums import ContractStatus, MailboxStatus, PaymentMethod, ProductLineCode
from desktop.services.listing import (
    Column,
    ListQuery,
    ListSpec,
    Page,
    enum_filter,
    enum_order,
    fetch_page,
    id_filter,
    labelled_columns,
    lower,
    related_contains,
    related_filter,
    row_maker,
)


@dataclass(frozen=True)
class ContractRow:
    id: int
    number: str
    client_id: int
    client_name: str
    product_line_id: int
    product_line_name: str
    status: ContractStatus
    signed_on: date | None
    service_start: date | None
    initial_months: int
    renewal_months: int
    payment_method: PaymentMethod | None
    mailbox_count: int  # every status but deleted


# --- use cases --------------------------------------------------------------------------


def list_contracts(db: Database, query: ListQuery) -> Page[ContractRow]:
    """One page of contracts: one COUNT and one SELECT."""
    with db.read_session() as session:
        return fetch_page(session, _LIST_SELECT, query, _LIST_SPEC, row_maker(ContractRow))


# --- reading ----------------------------------------------------------------------------


def _mailbox_count() -> sa.ScalarSelect[int]:
    """Mailboxes still counting on the contract: every status but deleted."""
    return (
        sa.select(sa.func.count(Mailbox.id))
        .where(Mailbox.contract_id == Contract.id, Mailbox.status != MailboxStatus.DELETED)
        .correlate(Contract)
        .scalar_subquery()
    )


_COLUMNS: dict[str, Column] = {
    "id": Contract.id,
    "number": Contract.number,
    "client_id": Contract.client_id,
    "client_name": Client.name,
    "product_line_id": Contract.product_line_id,
    "product_line_name": ProductLine.name,
    "status": Contract.status,
    "signed_on": Contract.signed_on,
    "service_start": Contract.service_start,
    "initial_months": Contract.initial_months,
    "renewal_months": Contract.renewal_months,
    "payment_method": Contract.payment_method,
    "mailbox_count": _mailbox_count(),
}

_LIST_SELECT = (
    sa.select(*labelled_columns(ContractRow, _COLUMNS))
    .select_from(Contract)
    .join(Client, Contract.client_id == Client.id)
    .join(ProductLine, Contract.product_line_id == ProductLine.id)
)

_LIST_SPEC = ListSpec(
    count_from=Contract.__table__,
    search_columns=(Contract.number,),
    search_matchers=(related_contains(Contract.client_id, Client.id, Client.name, Client.code),),
    filters={
        "id": id_filter(Contract.id, "id"),
        "status": enum_filter(Contract.status, ContractStatus, "status"),
        "client_id": id_filter(Contract.client_id, "client_id"),
        "product_line": related_filter(
            Contract.product_line_id,
            ProductLine.id,
            enum_filter(ProductLine.code, ProductLineCode, "product_line"),
        ),
    },
    sorts={
        "number": Contract.number,
        "client": lower(Client.name),
        "product_line": ProductLine.name,
        "status": enum_order(Contract.status, ContractStatus),
        "service_start": Contract.service_start,
        "signed_on": Contract.signed_on,
    },
    default_sort="number",
    tie_breaker=Contract.id,
)
