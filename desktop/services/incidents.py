"""Failure notifications (O365 §3): the list (read only for now)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Client, Domain, Incident, ProductLine
from desktop.domain.domain_names import display_domain_name
from desktop.domain.enums import ExcusableCategory, IncidentChannel, IncidentStatus, ProductLineCode
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
)


@dataclass(frozen=True)
class IncidentRow:
    id: int
    number: str
    client_id: int
    client_name: str
    product_line_name: str | None
    domain_name: str | None  # Unicode form, for people
    channel: IncidentChannel
    received_at: datetime
    restored_at: datetime | None
    status: IncidentStatus
    excusable_category: ExcusableCategory | None
    description: str


def list_incidents(db: Database, query: ListQuery) -> Page[IncidentRow]:
    """One page of failure notifications: one COUNT and one SELECT.

    The default sort is the reception time; the list view asks it descending.
    """
    with db.read_session() as session:
        return fetch_page(session, _LIST_SELECT, query, _LIST_SPEC, _make_row)


# --- reading ----------------------------------------------------------------------------


_COLUMNS: dict[str, Column] = {
    "id": Incident.id,
    "number": Incident.number,
    "client_id": Incident.client_id,
    "client_name": Client.name,
    "product_line_name": ProductLine.name,
    "domain_name": Domain.name,  # the stored A-label; shown in its Unicode form
    "channel": Incident.channel,
    "received_at": Incident.received_at,
    "restored_at": Incident.restored_at,
    "status": Incident.status,
    "excusable_category": Incident.excusable_category,
    "description": Incident.description,
}


def _make_row(row: sa.Row[Any]) -> IncidentRow:
    values = dict(row._mapping)
    if values["domain_name"] is not None:
        values["domain_name"] = display_domain_name(values["domain_name"])
    return IncidentRow(**values)


# Product line and domain are optional: outer joins keep the incidents without them.
_LIST_SELECT = (
    sa.select(*labelled_columns(IncidentRow, _COLUMNS))
    .select_from(Incident)
    .join(Client, Incident.client_id == Client.id)
    .outerjoin(ProductLine, Incident.product_line_id == ProductLine.id)
    .outerjoin(Domain, Incident.domain_id == Domain.id)
)

_LIST_SPEC = ListSpec(
    count_from=Incident.__table__,
    search_columns=(Incident.number, Incident.description),
    search_matchers=(related_contains(Incident.client_id, Client.id, Client.name, Client.code),),
    filters={
        "id": id_filter(Incident.id, "id"),
        "status": enum_filter(Incident.status, IncidentStatus, "status"),
        "client_id": id_filter(Incident.client_id, "client_id"),
        "product_line": related_filter(
            Incident.product_line_id,
            ProductLine.id,
            enum_filter(ProductLine.code, ProductLineCode, "product_line"),
        ),
        "channel": enum_filter(Incident.channel, IncidentChannel, "channel"),
    },
    sorts={
        "number": Incident.number,
        "client": lower(Client.name),
        "received_at": Incident.received_at,
        "restored_at": Incident.restored_at,
        "status": enum_order(Incident.status, IncidentStatus),
        "channel": enum_order(Incident.channel, IncidentChannel),
    },
    default_sort="received_at",
    tie_breaker=Incident.id,
)
