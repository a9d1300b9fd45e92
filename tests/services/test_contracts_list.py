"""Contracts list: columns, mailbox count, search, filters, sorts, pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from factories import mailbox, world

from desktop.db.engine import Database
from desktop.db.models import Contract, Mailbox
from desktop.domain.enums import ContractStatus, MailboxStatus, PaymentMethod, ProductLineCode
from desktop.errors import UserError
from desktop.services.contracts import ContractRow, list_contracts
from desktop.services.listing import ListQuery

A1, A2, Z1, Z2 = "C2026-00001", "C2026-00002", "C2026-z00001", "C2026-z00002"


def _set(db: Database, contract_id: int, **values: Any) -> None:
    with db.session_scope() as session:
        session.execute(sa.update(Contract).where(Contract.id == contract_id).values(**values))


@dataclass(frozen=True)
class Book:
    acme_id: int
    zoe_id: int
    he_line_id: int
    o365_line_id: int
    ids: dict[str, int]


@pytest.fixture
def book(db: Database) -> Book:
    acme = world(db)  # client code CL00001; contracts A1 (HE) and A2 (Office 365)
    zoe = world(db, client_name="Zoé Bio", suffix="z")  # CL00002; Z1 (HE), Z2 (Office 365)
    for name in ("anne", "bruno", "chloe"):
        mailbox(db, acme, name)
    gone = mailbox(db, acme, "denis")
    with db.session_scope() as session:
        session.execute(
            sa.update(Mailbox).where(Mailbox.id == gone.id).values(status=MailboxStatus.DELETED)
        )
    mailbox(db, zoe, "eve", contract_id=zoe.o365_contract_id, plan_id=zoe.o365_plan_id)
    _set(
        db,
        acme.he_contract_id,
        signed_on=date(2023, 11, 20),
        service_start=date(2026, 1, 1),
        payment_method=PaymentMethod.SEPA_DEBIT,
    )
    _set(db, acme.o365_contract_id, status=ContractStatus.PENDING, initial_months=24)
    _set(
        db,
        zoe.he_contract_id,
        status=ContractStatus.TERMINATED,
        signed_on=date(2024, 5, 2),
        service_start=date(2024, 6, 1),
        initial_months=36,
        renewal_months=6,
        payment_method=PaymentMethod.TRANSFER,
    )
    _set(
        db,
        zoe.o365_contract_id,
        status=ContractStatus.SUSPENDED,
        signed_on=date(2025, 3, 10),
        service_start=date(2025, 4, 1),
        payment_method=PaymentMethod.ADMINISTRATIVE_MANDATE,
    )
    return Book(
        acme_id=acme.client_id,
        zoe_id=zoe.client_id,
        he_line_id=acme.he_line_id,
        o365_line_id=acme.o365_line_id,
        ids={
            A1: acme.he_contract_id,
            A2: acme.o365_contract_id,
            Z1: zoe.he_contract_id,
            Z2: zoe.o365_contract_id,
        },
    )


def _numbers(db: Database, query: ListQuery) -> list[str]:
    return [row.number for row in list_contracts(db, query).rows]


def test_rows_carry_every_column(db: Database, book: Book) -> None:
    rows = list_contracts(db, ListQuery()).rows
    assert rows[0] == ContractRow(
        id=book.ids[A1],
        number=A1,
        client_id=book.acme_id,
        client_name="Acme Industrie",
        product_line_id=book.he_line_id,
        product_line_name="Hosted Exchange",
        status=ContractStatus.ACTIVE,
        signed_on=date(2023, 11, 20),
        service_start=date(2026, 1, 1),
        initial_months=12,
        renewal_months=12,
        payment_method=PaymentMethod.SEPA_DEBIT,
        mailbox_count=3,  # the deleted mailbox does not count
    )
    assert rows[1] == ContractRow(
        id=book.ids[A2],
        number=A2,
        client_id=book.acme_id,
        client_name="Acme Industrie",
        product_line_id=book.o365_line_id,
        product_line_name="Office 365",
        status=ContractStatus.PENDING,
        signed_on=None,
        service_start=None,
        initial_months=24,
        renewal_months=12,
        payment_method=None,
        mailbox_count=0,
    )
    assert [(row.number, row.client_name, row.mailbox_count) for row in rows[2:]] == [
        (Z1, "Zoé Bio", 0),
        (Z2, "Zoé Bio", 1),
    ]
    assert (rows[2].initial_months, rows[2].renewal_months) == (36, 6)


def test_default_sort_and_pages(db: Database, book: Book) -> None:
    assert _numbers(db, ListQuery()) == [A1, A2, Z1, Z2]
    assert _numbers(db, ListQuery(descending=True)) == [Z2, Z1, A2, A1]
    page = list_contracts(db, ListQuery(offset=1, limit=2))
    assert (page.total, page.offset, [row.number for row in page.rows]) == (4, 1, [A2, Z1])
    page = list_contracts(db, ListQuery(offset=3, limit=10))
    assert (page.total, [row.number for row in page.rows]) == (4, [Z2])


@pytest.mark.parametrize(
    ("search", "numbers"),
    [
        ("c2026-z", [Z1, Z2]),  # number, any case
        ("-00002", [A2]),
        ("00002", [A2, Z1, Z2]),  # Zoé's code is CL00002
        ("zoé", [Z1, Z2]),  # client name
        ("ACME INDUSTRIE", [A1, A2]),
        ("cl00002", [Z1, Z2]),  # client code
        ("acme -00001", [A1]),  # every word must match
        ("bio z00002", [Z2]),
        ("_", []),  # taken literally
        ("acme.fr", []),  # domains are not searched
    ],
)
def test_search(db: Database, book: Book, search: str, numbers: list[str]) -> None:
    page = list_contracts(db, ListQuery(search=search))
    assert ([row.number for row in page.rows], page.total) == (numbers, len(numbers))


def test_filters(db: Database, book: Book) -> None:
    def numbers(**filters: object) -> list[str]:
        return _numbers(db, ListQuery(filters=filters))

    assert numbers(status=ContractStatus.ACTIVE) == [A1]
    assert numbers(status=["pending", ContractStatus.SUSPENDED]) == [A2, Z2]
    assert numbers(status=ContractStatus.CANCELLED) == []
    assert numbers(client_id=book.zoe_id) == [Z1, Z2]
    assert numbers(client_id=[book.acme_id], status="pending") == [A2]
    assert numbers(product_line=ProductLineCode.HOSTED_EXCHANGE) == [A1, Z1]
    assert numbers(product_line="OFFICE_365", client_id=book.zoe_id) == [Z2]
    assert list_contracts(db, ListQuery(filters={"client_id": book.acme_id}, limit=1)).total == 2


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"status": "actif"}, "Valeur « actif » non valable pour le filtre « status »."),
        (
            {"product_line": ["OFFICE_365", "Exchange"]},
            "Valeur « Exchange » non valable pour le filtre « product_line ».",
        ),
        ({"client_id": 1.0}, "Valeur « 1.0 » non valable pour le filtre « client_id »."),
        (
            {"payment_method": "transfer"},
            "Filtre inconnu : « payment_method ». "
            "Filtres possibles : client_id, id, product_line, status.",
        ),
    ],
)
def test_bad_filters(db: Database, book: Book, filters: dict[str, object], message: str) -> None:
    with pytest.raises(UserError) as info:
        list_contracts(db, ListQuery(filters=filters))
    assert info.value.message == message


@pytest.mark.parametrize(
    ("sort", "ascending", "descending"),
    [
        ("number", [A1, A2, Z1, Z2], [Z2, Z1, A2, A1]),
        ("client", [A1, A2, Z1, Z2], [Z2, Z1, A2, A1]),
        ("product_line", [A1, Z1, A2, Z2], [Z2, A2, Z1, A1]),  # then by id
        ("status", [A2, A1, Z2, Z1], [Z1, Z2, A1, A2]),  # pending, active, suspended, ended
        ("service_start", [Z1, Z2, A1, A2], [A1, Z2, Z1, A2]),  # not started last
        ("signed_on", [A1, Z1, Z2, A2], [Z2, Z1, A1, A2]),  # not signed last
    ],
)
def test_sorts(
    db: Database, book: Book, sort: str, ascending: list[str], descending: list[str]
) -> None:
    assert _numbers(db, ListQuery(sort=sort)) == ascending
    assert _numbers(db, ListQuery(sort=sort, descending=True)) == descending


def test_unknown_sort(db: Database, book: Book) -> None:
    with pytest.raises(UserError) as info:
        list_contracts(db, ListQuery(sort="mailbox_count"))
    assert info.value.message == (
        "Tri inconnu : « mailbox_count ». Tris possibles : client, number, product_line, "
        "service_start, signed_on, status."
    )
