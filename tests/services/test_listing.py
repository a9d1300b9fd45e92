"""Shared list and write helpers: LIKE escaping, paging, sort keys, conflict messages."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass
from datetime import UTC, datetime
from types import MappingProxyType

import pytest
import sqlalchemy as sa
from factories import client
from sqlalchemy.exc import IntegrityError

from desktop.db.engine import Database
from desktop.db.models import Client
from desktop.domain.enums import ClientKind, ClientStatus
from desktop.errors import NotFoundError
from desktop.services.clients import list_clients
from desktop.services.conflicts import (
    CLIENT,
    MAILBOX,
    UniqueRule,
    conflict_message,
    not_found,
    write_scope,
)
from desktop.services.listing import (
    MAX_LIMIT,
    ListQuery,
    contains,
    enum_order,
    escape_like,
    labelled_columns,
    page_bounds,
    search_condition,
)


def _true(db: Database, condition: sa.ColumnElement[bool]) -> bool:
    with db.read_session() as session:
        return bool(session.execute(sa.select(sa.case((condition, 1), else_=0))).scalar_one())


@pytest.mark.parametrize(
    ("text", "term", "found"),
    [
        ("Acme 100% Bio", "0% b", True),
        ("Acme 100 Bio", "0% b", False),  # "%" is no wildcard
        ("zen_conseil", "n_c", True),
        ("zenXconseil", "n_c", False),  # "_" neither
        ("C:\\Dossier", "c:\\d", True),  # nor the escape character
        ("C:Dossier", "c:\\d", False),
        ("Boulangerie Zoé", "ZOÉ", True),  # the term is lower-cased in Python
        ("Boulangerie ZOÉ", "zoé", True),  # PostgreSQL only: see the skip below
        ("ÉCOLE", "é", True),
    ],
)
def test_contains_is_literal_and_case_insensitive(
    db: Database, text: str, term: str, found: bool
) -> None:
    if db.is_sqlite and any(c.isupper() and not c.isascii() for c in text):
        pytest.skip("SQLite's lower() leaves non-ASCII capitals as they are")
    assert _true(db, contains(sa.literal(text), term)) is found


def test_escape_like() -> None:
    assert escape_like("a%b_c\\d") == "a\\%b\\_c\\\\d"


def test_search_condition_needs_every_word_in_some_column(db: Database) -> None:
    columns = [sa.literal("Acme Industrie"), sa.literal("Lyon")]
    assert search_condition("   ", columns) is None

    def matches(text: str) -> bool:
        condition = search_condition(text, columns)
        assert condition is not None
        return _true(db, condition)

    assert matches("acme lyon")
    assert matches("LYON  indus")
    assert not matches("acme paris")


def test_page_bounds_cap_the_limit() -> None:
    assert page_bounds(ListQuery()) == (0, 100)
    assert page_bounds(ListQuery(offset=-5, limit=5000)) == (0, MAX_LIMIT)
    assert page_bounds(ListQuery(offset=3, limit=0)) == (3, 0)
    assert page_bounds(ListQuery(limit=-4)) == (0, 0)


def test_list_query_is_immutable() -> None:
    query = ListQuery()
    assert isinstance(query.filters, MappingProxyType)
    with pytest.raises(TypeError):
        query.filters["status"] = "active"  # type: ignore[index]
    with pytest.raises(FrozenInstanceError):
        query.limit = 5  # type: ignore[misc]


def test_paging_past_the_end_and_stable_ties(db: Database) -> None:
    for _ in range(3):
        client(db, name="Même nom")
    ids = [r.id for r in list_clients(db, ListQuery()).rows]
    assert ids == sorted(ids)
    assert [r.id for r in list_clients(db, ListQuery(descending=True)).rows] == ids[::-1]
    beyond = list_clients(db, ListQuery(offset=10))
    assert (beyond.rows, beyond.total, beyond.offset) == ((), 3, 10)
    one = list_clients(db, ListQuery(offset=1, limit=1))
    assert [r.id for r in one.rows] == ids[1:2]


def test_enum_order_follows_the_declaration(db: Database) -> None:
    for status in (ClientStatus.TERMINATED, ClientStatus.PROSPECT, ClientStatus.ACTIVE):
        client(db, name=status.label, status=status)
    with db.read_session() as session:
        statuses = session.scalars(
            sa.select(Client.status).order_by(enum_order(Client.status, ClientStatus))
        ).all()
    assert statuses == [ClientStatus.PROSPECT, ClientStatus.ACTIVE, ClientStatus.TERMINATED]


def test_labelled_columns_must_match_the_row_fields() -> None:
    @dataclass(frozen=True)
    class Row:
        id: int
        name: str

    offered = {"name": Client.name, "id": Client.id, "code": Client.code}
    assert [c.name for c in labelled_columns(Row, offered)] == ["id", "name"]
    assert [c.name for c in labelled_columns(Row, offered, computed=["name"])] == ["id"]
    with pytest.raises(TypeError, match=r"Row: no column for \['name'\]"):
        labelled_columns(Row, {"id": Client.id})


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 22, 13, 5, tzinfo=UTC), "le 22/11/2026 à 14:05"),  # winter: UTC+1
        (datetime(2026, 7, 1, 12, 5, tzinfo=UTC), "le 01/07/2026 à 14:05"),  # summer: UTC+2
    ],
)
def test_conflict_message_shows_paris_time(moment: datetime, expected: str) -> None:
    assert conflict_message(CLIENT, "jdupont", moment) == (
        f"Ce client a été modifié par jdupont {expected} depuis votre lecture ; "
        "rechargez-le avant d'enregistrer. Rien n'a été enregistré."
    )


def test_conflict_message_feminine_and_anonymous() -> None:
    assert conflict_message(MAILBOX, None, None) == (
        "Cette boîte aux lettres a été modifiée depuis votre lecture ; "
        "rechargez-la avant d'enregistrer. Rien n'a été enregistré."
    )
    assert not_found(MAILBOX).message == (
        "Cette boîte aux lettres est introuvable : elle a peut-être été supprimée "
        "depuis un autre poste."
    )
    assert isinstance(not_found(CLIENT), NotFoundError)


def test_other_integrity_errors_pass_through(db: Database) -> None:
    rule = UniqueRule("uq_client_code", "code", "déjà pris")
    with pytest.raises(IntegrityError):
        with write_scope(db, unique=[rule]) as session:
            session.add(Client(code="", kind=ClientKind.CONSUMER, name="X", billing_email="x@x.fr"))
    with db.read_session() as session:
        assert session.execute(sa.select(sa.func.count(Client.id))).scalar_one() == 0
