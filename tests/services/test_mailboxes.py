"""Mailboxes: rules on contract, domain and plan, address uniqueness, lists."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from factories import ACTOR, World, client, contract, domain, mailbox_draft, plan, world
from sqlalchemy.exc import IntegrityError

from desktop.db.engine import Database
from desktop.db.models import Mailbox
from desktop.domain.clock import PARIS
from desktop.domain.enums import ContractStatus, MailboxKind, MailboxStatus, ProductLineCode
from desktop.domain.errors import ValidationError
from desktop.errors import ConflictError, UserError
from desktop.services import mailboxes as mailboxes_module
from desktop.services.listing import ListQuery
from desktop.services.mailboxes import (
    MailboxRow,
    create_mailbox,
    get_mailbox,
    list_mailboxes,
    update_mailbox,
)


def _stored(db: Database) -> list[tuple[str, MailboxStatus, int, int]]:
    with db.read_session() as session:
        rows = session.execute(
            sa.select(Mailbox.address, Mailbox.status, Mailbox.quota_gb, Mailbox.version).order_by(
                Mailbox.id
            )
        )
        return [(r.address, r.status, r.quota_gb, r.version) for r in rows]


def _set_status(db: Database, mailbox_id: int, status: MailboxStatus) -> None:
    with db.session_scope() as session:
        session.execute(
            sa.update(Mailbox)
            .where(Mailbox.id == mailbox_id)
            .values(status=status, activated_on=date(2026, 1, 5), version=Mailbox.version + 1)
        )


def test_create_fills_in_from_contract_and_plan(db: Database) -> None:
    w = world(db)
    details = create_mailbox(
        db, mailbox_draft(w, " Jean.Dupont ", display_name=" Jean Dupont "), actor="alice"
    )
    assert details.address == details.display_address == "jean.dupont@acme.fr"
    assert details.local_part == "jean.dupont"
    assert details.display_name == "Jean Dupont"
    assert (details.status, details.kind, details.quota_gb) == (
        MailboxStatus.REQUESTED,
        MailboxKind.USER,
        10,
    )
    assert details.requested_on == datetime.now(PARIS).date()
    assert details.activated_on is None
    assert (details.client_id, details.client_name) == (w.client_id, "Acme Industrie")
    assert (details.contract_id, details.contract_number) == (w.he_contract_id, "C2026-00001")
    assert (details.product_line_id, details.product_line_code, details.product_line_name) == (
        w.he_line_id,
        ProductLineCode.HOSTED_EXCHANGE,
        "Hosted Exchange",
    )
    assert (details.plan_id, details.plan_name, details.domain_name) == (
        w.he_plan_id,
        "Exchange Standard",
        "acme.fr",
    )
    assert (details.version, details.updated_by) == (1, "alice")
    assert get_mailbox(db, details.id) == details
    assert _stored(db) == [("jean.dupont@acme.fr", MailboxStatus.REQUESTED, 10, 1)]


def test_unicode_domain_and_explicit_kind_and_quota(db: Database) -> None:
    w = world(db)
    cafe = domain(db, w.client_id, "café.fr")
    details = create_mailbox(
        db,
        mailbox_draft(w, "accueil", domain_id=cafe.id, kind=MailboxKind.SHARED, quota_gb=1024),
        actor=ACTOR,
    )
    assert (details.address, details.display_address) == (
        "accueil@xn--caf-dma.fr",
        "accueil@café.fr",
    )
    assert (details.kind, details.quota_gb) == (MailboxKind.SHARED, 1024)


def test_every_error_is_reported_at_once(db: Database) -> None:
    w = world(db)
    stranger = client(db, name="Voisin SARL")
    foreign_domain = domain(db, stranger.id, "voisin.fr")
    draft = mailbox_draft(
        w, "jean dupont", domain_id=foreign_domain.id, plan_id=w.o365_plan_id, quota_gb=0
    )
    with pytest.raises(ValidationError) as info:
        create_mailbox(db, draft, actor=ACTOR)
    assert info.value.errors == {
        "local_part": "La partie locale de l'adresse ne doit pas contenir d'espace.",
        "domain_id": "Le domaine voisin.fr n'appartient pas au client du contrat C2026-00001 "
        "(Acme Industrie).",
        "plan_id": "La formule Business Basic n'appartient pas à la gamme Hosted Exchange "
        "du contrat.",
        "quota_gb": "Le quota doit être compris entre 1 et 1024 Go.",
    }
    assert _stored(db) == []


def test_missing_references(db: Database) -> None:
    w = world(db)
    with pytest.raises(ValidationError) as info:
        create_mailbox(
            db, mailbox_draft(w, contract_id=999, domain_id=998, plan_id=997), actor=ACTOR
        )
    assert info.value.errors == {
        "contract_id": "Ce contrat est introuvable.",
        "domain_id": "Ce domaine est introuvable.",
        "plan_id": "Cette formule est introuvable.",
    }


@pytest.mark.parametrize(
    ("status", "word"),
    [(ContractStatus.TERMINATED, "résilié"), (ContractStatus.CANCELLED, "annulé")],
)
def test_closed_contract_takes_no_new_mailbox(
    db: Database, status: ContractStatus, word: str
) -> None:
    w = world(db)
    closed = contract(db, w.client_id, w.he_line_id, number="C2025-00009", status=status)
    with pytest.raises(ValidationError) as info:
        create_mailbox(db, mailbox_draft(w, contract_id=closed), actor=ACTOR)
    assert info.value.errors == {
        "contract_id": f"Le contrat C2025-00009 est {word} : "
        "on ne peut plus y ajouter de boîte aux lettres."
    }


def test_inactive_plan_and_quota_limit(db: Database) -> None:
    w = world(db)
    old = plan(db, w.he_line_id, code="HE-OLD", name="Exchange 2010", active=False)
    with pytest.raises(ValidationError) as info:
        create_mailbox(db, mailbox_draft(w, plan_id=old, quota_gb=1025), actor=ACTOR)
    assert info.value.errors == {
        "plan_id": "La formule Exchange 2010 n'est plus commercialisée.",
        "quota_gb": "Le quota doit être compris entre 1 et 1024 Go.",
    }


def test_address_is_unique_per_domain(db: Database) -> None:
    w = world(db)
    create_mailbox(db, mailbox_draft(w, "jean"), actor=ACTOR)
    with pytest.raises(ValidationError) as info:
        create_mailbox(
            db,
            mailbox_draft(w, "JEAN", contract_id=w.o365_contract_id, plan_id=w.o365_plan_id),
            actor=ACTOR,
        )
    assert info.value.errors == {"local_part": "L'adresse jean@acme.fr existe déjà."}
    other = domain(db, w.client_id, "acme.com")
    create_mailbox(db, mailbox_draft(w, "jean", domain_id=other.id), actor=ACTOR)
    assert [row[0] for row in _stored(db)] == ["jean@acme.fr", "jean@acme.com"]


def test_duplicate_address_in_the_race_window(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = world(db)
    create_mailbox(db, mailbox_draft(w, "jean"), actor=ACTOR)
    monkeypatch.setattr(mailboxes_module, "_check_address_free", lambda *args: None)
    with pytest.raises(ValidationError) as info:
        create_mailbox(db, mailbox_draft(w, "Jean"), actor=ACTOR)
    assert info.value.errors == {
        "local_part": "L'adresse « jean » vient d'être créée sur ce domaine depuis un autre poste."
    }
    assert len(_stored(db)) == 1


def test_update_plan_quota_kind_and_address_while_requested(db: Database) -> None:
    w = world(db)
    created = create_mailbox(db, mailbox_draft(w, "jean"), actor=ACTOR)
    updated = update_mailbox(
        db,
        created.id,
        mailbox_draft(
            w,
            "jean.dupont",
            plan_id=w.he_big_plan_id,
            kind=MailboxKind.SHARED,
            display_name="Jean D.",
        ),
        expected_version=1,
        actor="bob",
    )
    assert (updated.address, updated.plan_name, updated.quota_gb, updated.kind) == (
        "jean.dupont@acme.fr",
        "Exchange Plus",
        50,  # the new plan's quota
        MailboxKind.SHARED,
    )
    assert (updated.display_name, updated.version, updated.updated_by) == ("Jean D.", 2, "bob")
    assert updated.requested_on == created.requested_on
    assert get_mailbox(db, created.id) == updated


def test_address_and_contract_are_frozen_once_active(db: Database) -> None:
    w = world(db)
    created = create_mailbox(db, mailbox_draft(w, "jean"), actor=ACTOR)
    _set_status(db, created.id, MailboxStatus.ACTIVE)
    other = domain(db, w.client_id, "acme.com")
    second = contract(db, w.client_id, w.he_line_id, number="C2026-00003")
    with pytest.raises(ValidationError) as info:
        update_mailbox(
            db,
            created.id,
            mailbox_draft(w, "paul", domain_id=other.id, contract_id=second),
            expected_version=2,
            actor=ACTOR,
        )
    why = "la boîte aux lettres n'est plus à l'état « Demandée »."
    assert info.value.errors == {
        "local_part": f"L'adresse ne peut plus être modifiée : {why}",
        "domain_id": f"Le domaine ne peut plus être modifié : {why}",
        "contract_id": f"Le contrat ne peut plus être changé : {why}",
    }
    renamed = update_mailbox(
        db,
        created.id,
        mailbox_draft(w, "jean", display_name="Jean"),
        expected_version=2,
        actor=ACTOR,
    )
    assert (renamed.display_name, renamed.status, renamed.activated_on) == (
        "Jean",
        MailboxStatus.ACTIVE,
        date(2026, 1, 5),
    )


def test_a_mailbox_keeps_its_plan_even_if_withdrawn(db: Database) -> None:
    w = world(db)
    created = create_mailbox(db, mailbox_draft(w, "jean"), actor=ACTOR)
    with db.session_scope() as session:
        session.execute(
            sa.text("UPDATE plan SET active = :no WHERE id = :id"),
            {"no": False, "id": w.he_plan_id},
        )
    updated = update_mailbox(
        db, created.id, mailbox_draft(w, "jean", display_name="J"), expected_version=1, actor=ACTOR
    )
    assert updated.plan_id == w.he_plan_id


def test_deleted_mailbox_cannot_change(db: Database) -> None:
    w = world(db)
    created = create_mailbox(db, mailbox_draft(w, "jean"), actor=ACTOR)
    _set_status(db, created.id, MailboxStatus.DELETED)
    with pytest.raises(UserError) as info:
        update_mailbox(db, created.id, mailbox_draft(w, "jean"), expected_version=2, actor=ACTOR)
    assert info.value.message == (
        "Cette boîte aux lettres est supprimée : elle ne peut plus changer."
    )


def test_stale_mailbox_update_is_refused(db: Database) -> None:
    w = world(db)
    created = create_mailbox(db, mailbox_draft(w, "jean"), actor=ACTOR)
    first = update_mailbox(
        db,
        created.id,
        mailbox_draft(w, "jean", display_name="Alice"),
        expected_version=created.version,
        actor="alice",
    )
    with pytest.raises(ConflictError) as info:
        update_mailbox(
            db,
            created.id,
            mailbox_draft(w, "jean", display_name="Bob"),
            expected_version=created.version,
            actor="bob",
        )
    assert info.value.message.startswith("Cette boîte aux lettres a été modifiée par alice le ")
    assert info.value.message.endswith(
        "depuis votre lecture (nom affiché) ; rechargez-la avant d'enregistrer. "
        "Rien n'a été enregistré."
    )
    assert get_mailbox(db, created.id) == first


def _raw_mailbox(w: World, **changes: object) -> Mailbox:
    values: dict[str, object] = {
        "client_id": w.client_id,
        "product_line_id": w.he_line_id,
        "contract_id": w.he_contract_id,
        "domain_id": w.domain_id,
        "plan_id": w.he_plan_id,
        "local_part": "raw",
        "address": "raw@acme.fr",
        "kind": MailboxKind.USER,
        "quota_gb": 10,
        "updated_by": ACTOR,
    }
    return Mailbox(**(values | changes))


def test_database_refuses_a_domain_of_another_client(db: Database) -> None:
    w = world(db)
    stranger = client(db, name="Voisin SARL")
    foreign = domain(db, stranger.id, "voisin.fr")
    with pytest.raises(IntegrityError):
        with db.session_scope() as session:
            session.add(_raw_mailbox(w, domain_id=foreign.id))
    with pytest.raises(IntegrityError):
        with db.session_scope() as session:
            session.add(_raw_mailbox(w, plan_id=w.o365_plan_id))
    with pytest.raises(IntegrityError):
        with db.session_scope() as session:
            session.add(_raw_mailbox(w, contract_id=w.o365_contract_id))
    with db.session_scope() as session:
        session.add(_raw_mailbox(w))
    assert _stored(db) == [("raw@acme.fr", MailboxStatus.REQUESTED, 10, 1)]


# --- list ---------------------------------------------------------------------------------


@pytest.fixture
def thirty(db: Database) -> World:
    """30 mailboxes: 20 Hosted Exchange at Acme, 10 Office 365 at Zoé Bio."""
    w = world(db)
    for n in range(20):
        name = "100% Ventes" if n == 7 else f"Employé {n:02d}"
        create_mailbox(db, mailbox_draft(w, f"user{n:02d}", display_name=name), actor=ACTOR)
    zoe = world(db, client_name="Zoé Bio", suffix="z")
    for n in range(10):
        create_mailbox(
            db,
            mailbox_draft(
                zoe, f"contact_{n}", contract_id=zoe.o365_contract_id, plan_id=zoe.o365_plan_id
            ),
            actor=ACTOR,
        )
    return w


@contextmanager
def _count_selects(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def test_pages_of_ten_in_two_queries(db: Database, thirty: World) -> None:
    with _count_selects(db) as selects:
        first = list_mailboxes(db, ListQuery(limit=10))
    assert len(selects) == 2  # one COUNT, one page: no lazy load
    assert (first.total, first.offset, len(first.rows)) == (30, 0, 10)
    third = list_mailboxes(db, ListQuery(offset=20, limit=10))
    every = [r.address for r in first.rows] + [r.address for r in third.rows]
    assert every[:3] == ["contact_0@acmez.fr", "contact_1@acmez.fr", "contact_2@acmez.fr"]
    assert every[-1] == "user19@acme.fr"
    assert third.rows[0].address == "user10@acme.fr"
    row = first.rows[0]
    assert row == MailboxRow(
        id=row.id,
        address="contact_0@acmez.fr",
        display_address="contact_0@acmez.fr",
        display_name=None,
        kind=MailboxKind.USER,
        status=MailboxStatus.REQUESTED,
        quota_gb=50,
        plan_name="Business Basic",
        product_line_name="Office 365",
        client_id=row.client_id,
        client_name="Zoé Bio",
        domain_name="acmez.fr",
        contract_number="C2026-z00002",
        activated_on=None,
    )


@pytest.mark.parametrize(
    ("search", "total"),
    [
        ("USER1", 10),  # partial address, any case
        ("er07@", 1),
        ("zoé", 10),  # client name
        ("ZOÉ BIO", 10),
        ("acme industrie", 20),
        ("100%", 1),  # "%" taken literally
        ("%", 1),
        ("_", 10),  # "_" too: only contact_n
        ("employé", 19),  # display name
        ("ventes user07", 1),
    ],
)
def test_search(db: Database, thirty: World, search: str, total: int) -> None:
    assert list_mailboxes(db, ListQuery(search=search)).total == total


def test_filters(db: Database, thirty: World) -> None:
    def total(**filters: object) -> int:
        return list_mailboxes(db, ListQuery(filters=filters)).total

    assert total(product_line=ProductLineCode.OFFICE_365) == 10
    assert total(product_line="HOSTED_EXCHANGE", client_id=thirty.client_id) == 20
    assert total(contract_id=thirty.he_contract_id, plan_id=thirty.he_plan_id) == 20
    assert total(domain_id=thirty.domain_id, status=MailboxStatus.ACTIVE) == 0
    assert total(status=[MailboxStatus.REQUESTED, MailboxStatus.ACTIVE]) == 30
    with pytest.raises(UserError) as info:
        total(client_id="1")
    assert info.value.message == "Valeur « 1 » non valable pour le filtre « client_id »."


def test_sorts(db: Database, thirty: World) -> None:
    def first(sort: str, descending: bool = False) -> str:
        return (
            list_mailboxes(db, ListQuery(sort=sort, descending=descending, limit=1)).rows[0].address
        )

    page = list_mailboxes(db, ListQuery(sort="activated_on", limit=1))
    assert page.rows[0].activated_on is None
    ids = [r.id for r in list_mailboxes(db, ListQuery(sort="status")).rows]
    assert ids == sorted(ids)  # all equal: ties broken by id
    assert first("address", descending=True) == "user19@acme.fr"
    assert first("display_name") == "user07@acme.fr"  # "100% Ventes"
    assert first("display_name", descending=True) == "user19@acme.fr"  # empty names last
    assert first("client") == "user00@acme.fr"
    assert first("client", descending=True) == "contact_9@acmez.fr"
    assert first("plan") == "contact_0@acmez.fr"  # Business Basic < Exchange Standard
    assert first("product_line", descending=True) == "contact_9@acmez.fr"
    with pytest.raises(UserError) as info:
        first("quota_gb")
    assert info.value.message == (
        "Tri inconnu : « quota_gb ». Tris possibles : activated_on, address, client, "
        "display_name, plan, product_line, status."
    )
