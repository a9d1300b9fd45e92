"""Invoices and credit notes: the list (read only for now)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Client, Invoice
from desktop.domain.enums import InvoiceKind, InvoiceStatus
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
    row_maker,
)


@dataclass(frozen=True)
class InvoiceRow:
    id: int
    number: str | None  # None while a draft: numbered at issue
    kind: InvoiceKind
    status: InvoiceStatus
    client_id: int
    client_name: str
    issued_on: date | None
    due_on: date | None
    billing_month: date | None
    total_excl_vat: Decimal
    total_vat: Decimal
    total_incl_vat: Decimal
    corrects_id: int | None  # the invoice a credit note corrects


def list_invoices(db: Database, query: ListQuery) -> Page[InvoiceRow]:
    """One page of invoices and credit notes: one COUNT and one SELECT.

    The default sort is the issue date; the list view asks it descending (latest
    first). Drafts, with no number nor issue date yet, come last either way.
    """
    with db.read_session() as session:
        return fetch_page(session, _LIST_SELECT, query, _LIST_SPEC, row_maker(InvoiceRow))


# --- reading ----------------------------------------------------------------------------


_COLUMNS: dict[str, Column] = {
    "id": Invoice.id,
    "number": Invoice.number,
    "kind": Invoice.kind,
    "status": Invoice.status,
    "client_id": Invoice.client_id,
    "client_name": Client.name,
    "issued_on": Invoice.issued_on,
    "due_on": Invoice.due_on,
    "billing_month": Invoice.billing_month,
    "total_excl_vat": Invoice.total_excl_vat,
    "total_vat": Invoice.total_vat,
    "total_incl_vat": Invoice.total_incl_vat,
    "corrects_id": Invoice.corrects_id,
}

_LIST_SELECT = (
    sa.select(*labelled_columns(InvoiceRow, _COLUMNS))
    .select_from(Invoice)
    .join(Client, Invoice.client_id == Client.id)
)

_LIST_SPEC = ListSpec(
    count_from=Invoice.__table__,
    search_columns=(Invoice.number,),
    search_matchers=(related_contains(Invoice.client_id, Client.id, Client.name, Client.code),),
    filters={
        "id": id_filter(Invoice.id, "id"),
        "status": enum_filter(Invoice.status, InvoiceStatus, "status"),
        "kind": enum_filter(Invoice.kind, InvoiceKind, "kind"),
        "client_id": id_filter(Invoice.client_id, "client_id"),
    },
    sorts={
        "number": Invoice.number,
        "client": lower(Client.name),
        "issued_on": Invoice.issued_on,
        "due_on": Invoice.due_on,
        "status": enum_order(Invoice.status, InvoiceStatus),
        "kind": enum_order(Invoice.kind, InvoiceKind),
        "total_excl_vat": Invoice.total_excl_vat,
        "total_incl_vat": Invoice.total_incl_vat,
    },
    default_sort="issued_on",
    tie_breaker=Invoice.id,
)
