"""Invoices list: columns, search by number and client, filters, sorts, pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from factories import ACTOR, world

from desktop.db.engine import Database
from desktop.db.models import Invoice
from desktop.domain.enums import InvoiceKind, InvoiceStatus
from desktop.errors import UserError
from desktop.services.invoices import InvoiceRow, list_invoices
from desktop.services.listing import ListQuery


def _invoice(db: Database, client_id: int, **values: Any) -> int:
    with db.session_scope() as session:
        row = Invoice(
            client_id=client_id, updated_by=ACTOR, **{"kind": InvoiceKind.INVOICE, **values}
        )
        session.add(row)
        session.flush()
        return row.id


def _money(excl: str, vat: str, incl: str) -> dict[str, Decimal]:
    return {
        "total_excl_vat": Decimal(excl),
        "total_vat": Decimal(vat),
        "total_incl_vat": Decimal(incl),
    }


@dataclass(frozen=True)
class Books:
    acme_id: int
    zoe_id: int
    ids: dict[str, int]  # by number, "draft" for the draft


@pytest.fixture
def books(db: Database) -> Books:
    acme = world(db).client_id  # code CL00001
    zoe = world(db, client_name="Zoé Bio", suffix="z").client_id  # code CL00002
    ids: dict[str, int] = {}
    ids["F2026-000001"] = _invoice(
        db,
        acme,
        number="F2026-000001",
        status=InvoiceStatus.ISSUED,
        issued_on=date(2026, 1, 5),
        due_on=date(2026, 2, 4),
        billing_month=date(2026, 1, 1),
        **_money("100.00", "20.00", "120.00"),
    )
    ids["F2026-000002"] = _invoice(
        db,
        zoe,
        number="F2026-000002",
        status=InvoiceStatus.PAID,
        issued_on=date(2026, 2, 5),
        due_on=date(2026, 3, 7),
        billing_month=date(2026, 2, 1),
        **_money("1234.56", "246.91", "1481.47"),
    )
    ids["AV2026-000001"] = _invoice(
        db,
        acme,
        kind=InvoiceKind.CREDIT_NOTE,
        number="AV2026-000001",
        status=InvoiceStatus.ISSUED,
        issued_on=date(2026, 2, 10),
        due_on=date(2026, 2, 10),
        corrects_id=ids["F2026-000001"],
        **_money("50.00", "10.00", "60.00"),
    )
    ids["F2026-000003"] = _invoice(
        db,
        zoe,
        number="F2026-000003",
        status=InvoiceStatus.PARTLY_PAID,
        issued_on=date(2026, 3, 1),
        due_on=date(2026, 3, 31),
        **_money("0.10", "0.02", "0.12"),
    )
    ids["draft"] = _invoice(db, acme, **_money("10.00", "2.00", "12.00"))
    return Books(acme_id=acme, zoe_id=zoe, ids=ids)


def _numbers(db: Database, query: ListQuery) -> list[str | None]:
    return [row.number for row in list_invoices(db, query).rows]


def test_rows_carry_every_column(db: Database, books: Books) -> None:
    rows = {row.id: row for row in list_invoices(db, ListQuery()).rows}
    assert rows[books.ids["AV2026-000001"]] == InvoiceRow(
        id=books.ids["AV2026-000001"],
        number="AV2026-000001",
        kind=InvoiceKind.CREDIT_NOTE,
        status=InvoiceStatus.ISSUED,
        client_id=books.acme_id,
        client_name="Acme Industrie",
        issued_on=date(2026, 2, 10),
        due_on=date(2026, 2, 10),
        billing_month=None,
        total_excl_vat=Decimal("50.00"),
        total_vat=Decimal("10.00"),
        total_incl_vat=Decimal("60.00"),
        corrects_id=books.ids["F2026-000001"],
    )
    paid = rows[books.ids["F2026-000002"]]
    assert (paid.client_id, paid.client_name, paid.billing_month) == (
        books.zoe_id,
        "Zoé Bio",
        date(2026, 2, 1),
    )
    assert (paid.total_excl_vat, paid.total_vat, paid.total_incl_vat) == (
        Decimal("1234.56"),
        Decimal("246.91"),
        Decimal("1481.47"),
    )
    assert str(rows[books.ids["F2026-000003"]].total_vat) == "0.02"
    draft = rows[books.ids["draft"]]
    assert (draft.number, draft.status, draft.issued_on, draft.due_on) == (
        None,
        InvoiceStatus.DRAFT,
        None,
        None,
    )
    assert draft.total_incl_vat == Decimal("12.00")


def test_default_sort_is_issue_date_drafts_last(db: Database, books: Books) -> None:
    assert _numbers(db, ListQuery()) == [
        "F2026-000001",
        "F2026-000002",
        "AV2026-000001",
        "F2026-000003",
        None,
    ]
    # What the list view asks: latest first, drafts still last.
    assert _numbers(db, ListQuery(descending=True)) == [
        "F2026-000003",
        "AV2026-000001",
        "F2026-000002",
        "F2026-000001",
        None,
    ]


def test_pages(db: Database, books: Books) -> None:
    page = list_invoices(db, ListQuery(offset=2, limit=2))
    assert (page.total, page.offset) == (5, 2)
    assert [row.number for row in page.rows] == ["AV2026-000001", "F2026-000003"]
    last = list_invoices(db, ListQuery(offset=4, limit=2))
    assert (last.total, [row.id for row in last.rows]) == (5, [books.ids["draft"]])


@pytest.mark.parametrize(
    ("search", "numbers"),
    [
        ("f2026", ["F2026-000001", "F2026-000002", "F2026-000003"]),  # number, any case
        ("AV2026-000001", ["AV2026-000001"]),
        ("000001", ["F2026-000001", "AV2026-000001"]),
        ("zoé", ["F2026-000002", "F2026-000003"]),  # client name
        ("ACME", ["F2026-000001", "AV2026-000001", None]),
        ("cl00002", ["F2026-000002", "F2026-000003"]),  # client code
        ("acme 000001", ["F2026-000001", "AV2026-000001"]),  # every word must match
        ("F2026 bio", ["F2026-000002", "F2026-000003"]),
        ("%", []),  # taken literally
        ("F2099", []),
    ],
)
def test_search(db: Database, books: Books, search: str, numbers: list[str | None]) -> None:
    page = list_invoices(db, ListQuery(search=search))
    assert ([row.number for row in page.rows], page.total) == (numbers, len(numbers))


def test_filters(db: Database, books: Books) -> None:
    def numbers(**filters: object) -> list[str | None]:
        return _numbers(db, ListQuery(filters=filters))

    assert numbers(status=InvoiceStatus.ISSUED) == ["F2026-000001", "AV2026-000001"]
    assert numbers(status="draft") == [None]
    assert numbers(status=[InvoiceStatus.PAID, InvoiceStatus.PARTLY_PAID]) == [
        "F2026-000002",
        "F2026-000003",
    ]
    assert numbers(status=[InvoiceStatus.CANCELLED]) == []
    assert numbers(kind=InvoiceKind.CREDIT_NOTE) == ["AV2026-000001"]
    assert numbers(kind="invoice", client_id=books.acme_id) == ["F2026-000001", None]
    assert numbers(client_id=[books.zoe_id]) == ["F2026-000002", "F2026-000003"]
    assert numbers(status=None, kind=None) == _numbers(db, ListQuery())  # None: no filter
    total = list_invoices(db, ListQuery(filters={"client_id": books.zoe_id}, limit=1)).total
    assert total == 2


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"status": "payée"}, "Valeur « payée » non valable pour le filtre « status »."),
        ({"kind": ["invoice", "avoir"]}, "Valeur « avoir » non valable pour le filtre « kind »."),
        ({"client_id": "1"}, "Valeur « 1 » non valable pour le filtre « client_id »."),
        (
            {"number": "F2026"},
            "Filtre inconnu : « number ». Filtres possibles : "
            "billing_month, client_id, id, kind, status.",
        ),
    ],
)
def test_bad_filters(db: Database, books: Books, filters: dict[str, object], message: str) -> None:
    with pytest.raises(UserError) as info:
        list_invoices(db, ListQuery(filters=filters))
    assert info.value.message == message


F1, F2, F3, AV = "F2026-000001", "F2026-000002", "F2026-000003", "AV2026-000001"


@pytest.mark.parametrize(
    ("sort", "ascending", "descending"),
    [
        ("number", [AV, F1, F2, F3, None], [F3, F2, F1, AV, None]),
        ("client", [F1, AV, None, F2, F3], [F3, F2, None, AV, F1]),  # then by id
        ("issued_on", [F1, F2, AV, F3, None], [F3, AV, F2, F1, None]),
        ("due_on", [F1, AV, F2, F3, None], [F3, F2, AV, F1, None]),
        # Lifecycle order: draft, issued, partly paid, paid.
        ("status", [None, F1, AV, F3, F2], [F2, F3, AV, F1, None]),
        ("kind", [F1, F2, F3, None, AV], [AV, None, F3, F2, F1]),
        ("total_excl_vat", [F3, None, AV, F1, F2], [F2, F1, AV, None, F3]),
        ("total_incl_vat", [F3, None, AV, F1, F2], [F2, F1, AV, None, F3]),
    ],
)
def test_sorts(
    db: Database,
    books: Books,
    sort: str,
    ascending: list[str | None],
    descending: list[str | None],
) -> None:
    assert _numbers(db, ListQuery(sort=sort)) == ascending
    assert _numbers(db, ListQuery(sort=sort, descending=True)) == descending


def test_unknown_sort(db: Database, books: Books) -> None:
    with pytest.raises(UserError) as info:
        list_invoices(db, ListQuery(sort="total_vat"))
    assert info.value.message == (
        "Tri inconnu : « total_vat ». Tris possibles : client, due_on, issued_on, kind, "
        "number, status, total_excl_vat, total_incl_vat."
    )
