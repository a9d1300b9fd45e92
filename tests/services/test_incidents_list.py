"""Failure notifications list: optional product line and domain, search, filters, sorts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from factories import ACTOR, domain, world

from desktop.db.engine import Database
from desktop.db.models import Incident
from desktop.domain.enums import (
    ExcusableCategory,
    IncidentChannel,
    IncidentStatus,
    ProductLineCode,
)
from desktop.errors import UserError
from desktop.services.incidents import IncidentRow, list_incidents
from desktop.services.listing import ListQuery


def _at(day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def _incident(db: Database, client_id: int, number: str, **values: Any) -> int:
    defaults: dict[str, Any] = {
        "channel": IncidentChannel.EMAIL,
        "received_at": _at(1, 8),
        "description": "Panne",
    }
    with db.session_scope() as session:
        row = Incident(client_id=client_id, number=number, updated_by=ACTOR, **defaults | values)
        session.add(row)
        session.flush()
        return row.id


@dataclass(frozen=True)
class Log:
    acme_id: int
    zoe_id: int
    cafe_id: int
    ids: dict[str, int]


N1, N2, N3, N4 = "ND-2026-00001", "ND-2026-00002", "ND-2026-00003", "ND-2026-00004"


@pytest.fixture
def log(db: Database) -> Log:
    acme = world(db)  # client code CL00001
    zoe = world(db, client_name="Zoé Bio", suffix="z")  # client code CL00002
    cafe = domain(db, acme.client_id, "café.fr").id
    ids = {
        N1: _incident(
            db,
            acme.client_id,
            N1,
            product_line_id=acme.o365_line_id,
            domain_id=cafe,
            received_at=_at(1, 8),
            restored_at=_at(1, 10),
            status=IncidentStatus.RESTORED,
            description="Messagerie indisponible",
        ),
        N2: _incident(
            db,
            zoe.client_id,
            N2,
            channel=IncidentChannel.PHONE,
            received_at=_at(2, 9),
            description="Lenteurs d'Outlook",
        ),
        N3: _incident(
            db,
            acme.client_id,
            N3,
            product_line_id=acme.he_line_id,
            domain_id=acme.domain_id,
            channel=IncidentChannel.DETECTED,
            received_at=_at(15, 22, month=2),
            restored_at=_at(16, 1, month=2),
            status=IncidentStatus.CLOSED,
            excusable_category=ExcusableCategory.PLANNED_MAINTENANCE,
            description="Maintenance 100% planifiée",
        ),
        N4: _incident(
            db,
            zoe.client_id,
            N4,
            product_line_id=zoe.o365_line_id,
            channel=IncidentChannel.WEBSITE,
            received_at=_at(5, 7),
            description="Réception des messages bloquée",
        ),
    }
    return Log(acme_id=acme.client_id, zoe_id=zoe.client_id, cafe_id=cafe, ids=ids)


def _numbers(db: Database, query: ListQuery) -> list[str]:
    return [row.number for row in list_incidents(db, query).rows]


def test_rows_carry_every_column(db: Database, log: Log) -> None:
    now = _at(2, 12)  # 13:00 in Paris
    rows = {row.number: row for row in list_incidents(db, ListQuery(), now=now).rows}
    assert rows[N1] == IncidentRow(
        id=log.ids[N1],
        number=N1,
        client_id=log.acme_id,
        client_name="Acme Industrie",
        product_line_name="Office 365",
        domain_name="café.fr",  # stored xn--caf-dma.fr
        channel=IncidentChannel.EMAIL,
        received_at=_at(1, 8),
        restored_at=_at(1, 10),
        status=IncidentStatus.RESTORED,
        excusable_category=None,
        description="Messagerie indisponible",
    )
    # Neither product line nor domain: the outer joins keep it.
    assert rows[N2] == IncidentRow(
        id=log.ids[N2],
        number=N2,
        client_id=log.zoe_id,
        client_name="Zoé Bio",
        product_line_name=None,
        domain_name=None,
        channel=IncidentChannel.PHONE,
        received_at=_at(2, 9),
        restored_at=None,
        status=IncidentStatus.OPEN,
        excusable_category=None,
        description="Lenteurs d'Outlook",
        # Received 10:00 in Paris on a Monday: 8 support hours end at 18:00, 5 left.
        deadline=_at(2, 17),
        support_left=timedelta(hours=5),
    )
    closed = rows[N3]
    assert (closed.product_line_name, closed.domain_name, closed.excusable_category) == (
        "Hosted Exchange",
        "acme.fr",
        ExcusableCategory.PLANNED_MAINTENANCE,
    )
    assert (rows[N4].product_line_name, rows[N4].domain_name) == ("Office 365", None)


def test_default_sort_and_pages(db: Database, log: Log) -> None:
    assert _numbers(db, ListQuery()) == [N3, N1, N2, N4]  # by reception
    assert _numbers(db, ListQuery(descending=True)) == [N4, N2, N1, N3]
    page = list_incidents(db, ListQuery(offset=1, limit=2))
    assert (page.total, page.offset, [row.number for row in page.rows]) == (4, 1, [N1, N2])
    page = list_incidents(db, ListQuery(offset=3, limit=2))
    assert (page.total, [row.number for row in page.rows]) == (4, [N4])


@pytest.mark.parametrize(
    ("search", "numbers"),
    [
        ("nd-2026", [N3, N1, N2, N4]),  # number, any case
        ("00003", [N3]),
        ("MESSAGE", [N1, N4]),  # description
        ("outlook", [N2]),
        ("100%", [N3]),  # "%" taken literally
        ("zoé", [N2, N4]),  # client name
        ("cl00001", [N3, N1]),  # client code
        ("acme indisponible", [N1]),  # every word must match
        ("café", []),  # the domain is not searched
    ],
)
def test_search(db: Database, log: Log, search: str, numbers: list[str]) -> None:
    page = list_incidents(db, ListQuery(search=search))
    assert ([row.number for row in page.rows], page.total) == (numbers, len(numbers))


def test_filters(db: Database, log: Log) -> None:
    def numbers(**filters: object) -> list[str]:
        return _numbers(db, ListQuery(filters=filters))

    assert numbers(status=IncidentStatus.OPEN) == [N2, N4]
    assert numbers(status=["restored", IncidentStatus.CLOSED]) == [N3, N1]
    assert numbers(client_id=log.zoe_id) == [N2, N4]
    assert numbers(client_id=[log.acme_id, log.zoe_id], status="closed") == [N3]
    assert numbers(product_line=ProductLineCode.OFFICE_365) == [N1, N4]
    assert numbers(product_line="HOSTED_EXCHANGE") == [N3]
    assert numbers(product_line=list(ProductLineCode)) == [N3, N1, N4]  # not N2: no line
    assert numbers(channel=IncidentChannel.PHONE) == [N2]
    assert numbers(channel=["website", "detected"]) == [N3, N4]
    assert numbers(channel=IncidentChannel.WEBSITE, client_id=log.acme_id) == []
    assert list_incidents(db, ListQuery(filters={"status": "open"}, limit=1)).total == 2


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"status": "ouvert"}, "Valeur « ouvert » non valable pour le filtre « status »."),
        ({"channel": "fax"}, "Valeur « fax » non valable pour le filtre « channel »."),
        (
            {"product_line": "O365"},
            "Valeur « O365 » non valable pour le filtre « product_line ».",
        ),
        ({"client_id": True}, "Valeur « True » non valable pour le filtre « client_id »."),
        (
            {"domain_id": 1},
            "Filtre inconnu : « domain_id ». "
            "Filtres possibles : channel, client_id, id, product_line, received_month, status.",
        ),
    ],
)
def test_bad_filters(db: Database, log: Log, filters: dict[str, object], message: str) -> None:
    with pytest.raises(UserError) as info:
        list_incidents(db, ListQuery(filters=filters))
    assert info.value.message == message


@pytest.mark.parametrize(
    ("sort", "ascending", "descending"),
    [
        ("number", [N1, N2, N3, N4], [N4, N3, N2, N1]),
        ("client", [N1, N3, N2, N4], [N4, N2, N3, N1]),  # then by id
        ("received_at", [N3, N1, N2, N4], [N4, N2, N1, N3]),
        ("restored_at", [N3, N1, N2, N4], [N1, N3, N4, N2]),  # not restored last
        ("status", [N2, N4, N1, N3], [N3, N1, N4, N2]),  # open, restored, closed
        ("channel", [N1, N4, N2, N3], [N3, N2, N4, N1]),  # e-mail, website, phone, detected
    ],
)
def test_sorts(
    db: Database, log: Log, sort: str, ascending: list[str], descending: list[str]
) -> None:
    assert _numbers(db, ListQuery(sort=sort)) == ascending
    assert _numbers(db, ListQuery(sort=sort, descending=True)) == descending


def test_unknown_sort(db: Database, log: Log) -> None:
    with pytest.raises(UserError) as info:
        list_incidents(db, ListQuery(sort="domain"))
    assert info.value.message == (
        "Tri inconnu : « domain ». Tris possibles : channel, client, number, received_at, "
        "restored_at, status."
    )


def test_filter_on_the_month_received_in_paris_time(db: Database, log: Log) -> None:
    def numbers(month: object) -> set[str]:
        rows = list_incidents(db, ListQuery(filters={"received_month": month})).rows
        return {row.number for row in rows}

    assert numbers("2026-03") == {N1, N2, N4}
    assert numbers(date(2026, 2, 20)) == {N3}  # any day of the month
    assert numbers("2026-04") == set()
    with pytest.raises(UserError) as info:
        list_incidents(db, ListQuery(filters={"received_month": "mars"}))
    assert info.value.message == "Valeur « mars » non valable pour le filtre « received_month »."
