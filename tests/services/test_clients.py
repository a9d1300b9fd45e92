"""Clients and contacts: validation, storage, optimistic locking, lists."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from factories import (
    ACTOR,
    OTHER_SIREN,
    PUBLIC_SIREN,
    SIREN,
    SIRET,
    VAT,
    business_draft,
    client,
    mailbox,
    world,
)
from sqlalchemy.orm.exc import StaleDataError

from desktop.db.engine import Database
from desktop.db.models import Client, Contact, Mailbox
from desktop.domain.clock import PARIS
from desktop.domain.enums import ClientKind, ClientStatus, ContactRole, MailboxStatus
from desktop.domain.errors import ValidationError
from desktop.errors import ConflictError, NotFoundError, UserError
from desktop.services import clients as clients_module
from desktop.services.clients import (
    ClientDraft,
    ClientRow,
    ContactDraft,
    create_client,
    get_client,
    list_clients,
    update_client,
)
from desktop.services.conflicts import CLIENT, Target, write_scope
from desktop.services.listing import ListQuery, Page


def _client_count(db: Database) -> int:
    with db.read_session() as session:
        return session.execute(sa.select(sa.func.count(Client.id))).scalar_one()


def test_create_business_client_normalises_and_stores(db: Database) -> None:
    draft = business_draft(
        name="  Acme Industrie  ",
        siren="552 081 317",
        siret="552 081 317 00018",
        vat_number="fr 03 552081317",
        billing_email="Compta@ACME.FR",
        postcode="69 001",
        country="fr",
        contacts=(
            ContactDraft(
                role=ContactRole.ADMINISTRATOR,
                name="Jean Dupont",
                is_primary=True,
                email="jean@acme.fr",
            ),
        ),
    )
    details = create_client(db, draft, actor="alice")
    assert details.code == "CL00001"
    assert details.version == 1
    assert details.updated_by == "alice"
    assert details.warnings == (
        "Aucun contact de facturation : les factures et relances iront "
        "à l'e-mail de facturation du client.",
    )
    with db.read_session() as session:
        stored = session.get(Client, details.id)
        assert stored is not None
        assert (stored.name, stored.siren, stored.siret, stored.vat_number) == (
            "Acme Industrie",
            SIREN,
            SIRET,
            VAT,
        )
        assert (stored.billing_email, stored.postcode, stored.country) == (
            "Compta@acme.fr",
            "69001",
            "FR",
        )
        assert [(c.role, c.name, c.email, c.is_primary) for c in stored.contacts] == [
            (ContactRole.ADMINISTRATOR, "Jean Dupont", "jean@acme.fr", True)
        ]
    assert get_client(db, details.id) == details


def test_codes_are_generated_in_sequence_skipping_codes_typed_by_hand(db: Database) -> None:
    typed = client(db, code=" cl00002 ", name="Typed")
    first = client(db, name="First")
    second = client(db, name="Second")
    assert [typed.code, first.code, second.code] == ["CL00002", "CL00001", "CL00003"]


def test_duplicate_code_is_refused_and_nothing_is_written(db: Database) -> None:
    client(db, code="ACME")
    with pytest.raises(ValidationError) as info:
        client(db, code="acme", name="Autre")
    assert info.value.errors == {
        "code": "Le code « ACME » est déjà utilisé par le client Acme Industrie."
    }
    assert _client_count(db) == 1


def test_code_with_forbidden_character(db: Database) -> None:
    with pytest.raises(ValidationError) as info:
        client(db, code="CL 01")
    assert info.value.errors == {
        "code": "Caractère « U+0020 » non autorisé dans le code client "
        "(lettres sans accent, chiffres, « - » et « _ »)."
    }


def test_all_errors_are_reported_at_once(db: Database) -> None:
    draft = ClientDraft(
        kind=ClientKind.BUSINESS,
        name="   ",
        billing_email="compta.acme.fr",
        postcode="7500",
        country="France",
        siret="123",
        contacts=(
            ContactDraft(role=ContactRole.BILLING, name="", email="x@"),
            ContactDraft(role=ContactRole.BILLING, name="A", is_primary=True),
            ContactDraft(role=ContactRole.BILLING, name="B", is_primary=True, phone="0" * 31),
        ),
    )
    with pytest.raises(ValidationError) as info:
        create_client(db, draft, actor=ACTOR)
    assert info.value.errors == {
        "name": "Le nom du client est obligatoire.",
        "billing_email": "L'adresse e-mail doit contenir un « @ » "
        "(par exemple jean.dupont@exemple.fr).",
        "siren": "Le SIREN est obligatoire pour une entreprise.",
        "siret": "Le SIRET doit comporter 14 chiffres (3 chiffres saisis).",
        "country": "Le pays s'indique par son code à deux lettres (FR, BE, CH…).",
        "contacts[0].name": "Le nom du contact est obligatoire.",
        "contacts[0].email": "Il manque le nom de domaine après le « @ » dans l'adresse e-mail.",
        "contacts[2].is_primary": "Un seul contact principal par rôle : "
        "le rôle « Facturation » en a déjà un.",
        "contacts[2].phone": "30 caractères au maximum (31 caractères saisis).",
    }
    assert _client_count(db) == 0


def test_french_postcode_is_checked_for_france(db: Database) -> None:
    with pytest.raises(ValidationError) as info:
        client(db, postcode="7500")
    assert info.value.errors == {"postcode": "Le code postal doit comporter 5 chiffres."}
    foreign = client(db, postcode="1000", country="BE", city="Bruxelles")
    assert (foreign.postcode, foreign.country) == ("1000", "BE")


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"siren": "552081318"}, {"siren": "Clé de contrôle du SIREN invalide."}),
        (
            {"siret": "73282932000009"},
            {"siret": f"Le SIRET doit commencer par le SIREN {SIREN}."},
        ),
        (
            {"vat_number": "FR44732829320"},
            {"vat_number": f"Le n° de TVA ne correspond pas au SIREN {SIREN} (attendu : {VAT})."},
        ),
        (
            {"consumer_waiver_at": datetime(2026, 1, 5, 10, 0, tzinfo=UTC)},
            {
                "consumer_waiver_at": "Seul un particulier renonce à son droit de rétractation "
                "(HE §10)."
            },
        ),
    ],
)
def test_business_identifiers(
    db: Database, changes: dict[str, object], errors: dict[str, str]
) -> None:
    with pytest.raises(ValidationError) as info:
        client(db, **changes)
    assert info.value.errors == errors
    assert _client_count(db) == 0


def test_foreign_vat_number_is_accepted_for_a_business(db: Database) -> None:
    details = client(db, vat_number="DE 136695976")
    assert details.vat_number == "DE136695976"


def test_public_body_needs_a_siren_and_may_have_chorus_pro(db: Database) -> None:
    draft = ClientDraft(
        kind=ClientKind.PUBLIC_BODY, name="Mairie de Lyon", billing_email="finances@mairie.fr"
    )
    with pytest.raises(ValidationError) as info:
        create_client(db, draft, actor=ACTOR)
    assert info.value.errors == {"siren": "Le SIREN est obligatoire pour un organisme public."}
    details = create_client(
        db,
        replace(
            draft,
            siren=PUBLIC_SIREN,
            chorus_pro_id="13000548100002",
            chorus_pro_service_code="FINANCES",
        ),
        actor=ACTOR,
    )
    assert (details.siren, details.chorus_pro_id, details.chorus_pro_service_code) == (
        PUBLIC_SIREN,
        "13000548100002",
        "FINANCES",
    )


def test_consumer_has_no_company_identifiers(db: Database) -> None:
    draft = ClientDraft(
        kind=ClientKind.CONSUMER,
        name="Marie Martin",
        billing_email="marie@exemple.fr",
        siren=SIREN,
        siret=SIRET,
        vat_number=VAT,
        chorus_pro_id="X",
    )
    with pytest.raises(ValidationError) as info:
        create_client(db, draft, actor=ACTOR)
    assert info.value.errors == {
        "siren": "Un particulier n'a pas de SIREN.",
        "siret": "Un particulier n'a pas de SIRET.",
        "vat_number": "Un particulier n'a pas de n° de TVA intracommunautaire.",
        "chorus_pro_id": "Un particulier ne reçoit pas ses factures par Chorus Pro.",
    }


PARIS_SUMMER_MORNING = datetime(2026, 7, 1, 9, 30)  # noqa: DTZ001 - naive: Paris time as typed


def test_consumer_waiver_is_stored_in_utc(db: Database) -> None:
    draft = ClientDraft(
        kind=ClientKind.CONSUMER,
        name="Marie Martin",
        billing_email="marie@exemple.fr",
        consumer_waiver_at=PARIS_SUMMER_MORNING,
    )
    details = create_client(db, draft, actor=ACTOR)
    assert details.consumer_waiver_at == datetime(2026, 7, 1, 7, 30, tzinfo=UTC)
    with db.read_session() as session:
        stored = session.get(Client, details.id)
        assert stored is not None
        assert stored.consumer_waiver_at == datetime(2026, 7, 1, 7, 30, tzinfo=UTC)
        assert stored.siren is None


def _contacts(db: Database, client_id: int) -> list[tuple[int, ContactRole, str, str | None]]:
    with db.read_session() as session:
        rows = session.scalars(
            sa.select(Contact).where(Contact.client_id == client_id).order_by(Contact.id)
        )
        return [(c.id, c.role, c.name, c.email) for c in rows]


def test_update_replaces_contacts(db: Database) -> None:
    created = client(
        db,
        contacts=(
            ContactDraft(role=ContactRole.ADMINISTRATOR, name="Jean", email="jean@acme.fr"),
            ContactDraft(role=ContactRole.BILLING, name="Paul", email="paul@acme.fr"),
        ),
    )
    jean, paul = created.contacts
    draft = business_draft(
        name="Acme SA",
        contacts=(
            ContactDraft(
                id=jean.id,
                role=ContactRole.ADMINISTRATOR,
                name="Jean Dupont",
                email="jean.dupont@acme.fr",
            ),
            ContactDraft(role=ContactRole.TECHNICAL, name="Tech", email="tech@acme.fr"),
        ),
    )
    updated = update_client(db, created.id, draft, expected_version=1, actor="bob")
    assert updated.version == 2
    assert updated.code == created.code
    assert updated.updated_by == "bob"
    rows = _contacts(db, created.id)
    assert rows[0] == (jean.id, ContactRole.ADMINISTRATOR, "Jean Dupont", "jean.dupont@acme.fr")
    assert rows[1][1:] == (ContactRole.TECHNICAL, "Tech", "tech@acme.fr")
    assert paul.id not in [r[0] for r in rows]
    assert [(c.id, c.name) for c in updated.contacts] == [(r[0], r[2]) for r in rows]
    assert get_client(db, created.id) == updated


def test_contacts_only_change_still_moves_the_version(db: Database) -> None:
    created = client(db)
    draft = business_draft(contacts=(ContactDraft(role=ContactRole.BILLING, name="Paul"),))
    updated = update_client(db, created.id, draft, expected_version=1, actor=ACTOR)
    assert updated.version == 2


def test_contact_of_another_client_is_refused(db: Database) -> None:
    other = client(db, name="Autre", contacts=(ContactDraft(role=ContactRole.BILLING, name="X"),))
    mine = client(db)
    draft = business_draft(
        contacts=(ContactDraft(id=other.contacts[0].id, role=ContactRole.BILLING, name="Vol"),)
    )
    with pytest.raises(ValidationError) as info:
        update_client(db, mine.id, draft, expected_version=1, actor=ACTOR)
    assert info.value.errors == {"contacts[0]": "Ce contact n'appartient pas à ce client."}
    assert _contacts(db, other.id)[0][2] == "X"


def test_rejected_update_leaves_the_database_unchanged(db: Database) -> None:
    created = client(db, contacts=(ContactDraft(role=ContactRole.BILLING, name="Paul"),))
    with pytest.raises(ValidationError):
        update_client(
            db,
            created.id,
            business_draft(name="Nouveau", siren="123"),
            expected_version=1,
            actor="bob",
        )
    assert get_client(db, created.id) == created


def test_code_can_be_changed_but_stays_unique(db: Database) -> None:
    client(db, code="TAKEN", name="Premier")
    created = client(db)
    with pytest.raises(ValidationError) as info:
        update_client(db, created.id, business_draft(code="taken"), expected_version=1, actor=ACTOR)
    assert info.value.errors == {
        "code": "Le code « TAKEN » est déjà utilisé par le client Premier."
    }
    same = update_client(
        db, created.id, business_draft(code=created.code), expected_version=1, actor=ACTOR
    )
    assert same.code == created.code


# --- concurrent edits --------------------------------------------------------------------


def _paris_stamp(moment: datetime) -> str:
    local = moment.astimezone(PARIS)
    return f"le {local:%d/%m/%Y} à {local:%H:%M}"


def test_second_save_of_a_stale_read_is_refused(db: Database) -> None:
    created = client(db)
    first_read, second_read = get_client(db, created.id), get_client(db, created.id)
    saved = update_client(
        db,
        created.id,
        business_draft(name="Acme (Alice)"),
        expected_version=first_read.version,
        actor="alice",
    )
    with pytest.raises(ConflictError) as info:
        update_client(
            db,
            created.id,
            business_draft(name="Acme (Bob)"),
            expected_version=second_read.version,
            actor="bob",
        )
    assert info.value.message == (
        f"Ce client a été modifié par alice {_paris_stamp(saved.updated_at)} depuis votre "
        "lecture (nom) ; rechargez-le avant d'enregistrer. Rien n'a été enregistré."
    )
    assert (info.value.changed_by, info.value.current_version) == ("alice", 2)
    assert get_client(db, created.id) == saved


def test_stale_data_error_in_the_race_window_becomes_a_conflict(db: Database) -> None:
    created = client(db)
    target = Target(CLIENT, Client, created.id)
    with pytest.raises(ConflictError) as info:
        with write_scope(db, target=target):
            # Another desktop saves between our version check and our UPDATE…
            update_client(
                db, created.id, business_draft(name="Alice"), expected_version=1, actor="alice"
            )
            raise StaleDataError("UPDATE statement on table 'client' expected 1 row")
    assert info.value.changed_by == "alice"
    assert info.value.message.startswith("Ce client a été modifié par alice le ")


def test_unique_violation_in_the_race_window_becomes_a_validation_error(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    client(db, code="ACME")
    # Another desktop inserts the same code after our check: the database says no.
    monkeypatch.setattr(clients_module, "_code_owner", lambda *args: None)
    with pytest.raises(ValidationError) as info:
        client(db, code="acme", name="Autre")
    assert info.value.errors == {"code": "Le code « ACME » est déjà utilisé par un autre client."}
    assert _client_count(db) == 1


def test_missing_client(db: Database) -> None:
    message = "Ce client est introuvable : il a peut-être été supprimé depuis un autre poste."
    with pytest.raises(NotFoundError) as info:
        get_client(db, 999)
    assert info.value.message == message
    with pytest.raises(NotFoundError):
        update_client(db, 999, business_draft(), expected_version=1, actor=ACTOR)


# --- list ---------------------------------------------------------------------------------


def _names(page: Page[ClientRow]) -> list[str]:
    return [row.name for row in page.rows]


@pytest.fixture
def three_clients(db: Database) -> dict[str, int]:
    ids = {
        "acme": client(
            db,
            name="Acme 100% Bio",
            city="Lyon",
            contacts=(
                ContactDraft(role=ContactRole.ADMINISTRATOR, name="Jo", email="jo@partenaire.fr"),
            ),
        ).id,
        "zen": client(
            db,
            name="zen_conseil",
            city="Paris",
            siren=OTHER_SIREN,
            billing_email="contact@zen.fr",
            status=ClientStatus.PROSPECT,
        ).id,
        "mairie": create_client(
            db,
            ClientDraft(
                kind=ClientKind.PUBLIC_BODY,
                name="Mairie de Brest",
                siren=PUBLIC_SIREN,
                billing_email="finances@brest.fr",
                city="Brest",
            ),
            actor=ACTOR,
        ).id,
    }
    return ids


def test_list_default_sort_is_by_name_case_insensitive(
    db: Database, three_clients: dict[str, int]
) -> None:
    page = list_clients(db, ListQuery())
    assert _names(page) == ["Acme 100% Bio", "Mairie de Brest", "zen_conseil"]
    assert (page.total, page.offset) == (3, 0)
    acme = page.rows[0]
    assert acme == ClientRow(
        id=three_clients["acme"],
        code="CL00001",
        name="Acme 100% Bio",
        kind=ClientKind.BUSINESS,
        status=ClientStatus.ACTIVE,
        siren=SIREN,
        city="Lyon",
        billing_email="compta@acme.fr",
        mailbox_count=0,
        domain_count=0,
    )


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("ACME", ["Acme 100% Bio"]),
        ("100%", ["Acme 100% Bio"]),
        ("%", ["Acme 100% Bio"]),
        ("_", ["zen_conseil"]),
        ("n_c", ["zen_conseil"]),
        ("732829", ["zen_conseil"]),  # SIREN
        ("brest", ["Mairie de Brest"]),  # city and billing e-mail
        ("partenaire", ["Acme 100% Bio"]),  # a contact's e-mail
        ("cl00002", ["zen_conseil"]),  # code
        ("mairie finances", ["Mairie de Brest"]),  # every word must match
        ("mairie lyon", []),
        ("", ["Acme 100% Bio", "Mairie de Brest", "zen_conseil"]),
    ],
)
def test_list_search(
    db: Database, three_clients: dict[str, int], search: str, expected: list[str]
) -> None:
    page = list_clients(db, ListQuery(search=search))
    assert _names(page) == expected
    assert page.total == len(expected)


def test_list_filters_and_sorts(db: Database, three_clients: dict[str, int]) -> None:
    prospects = list_clients(db, ListQuery(filters={"status": "prospect"}))
    assert _names(prospects) == ["zen_conseil"]
    public = list_clients(db, ListQuery(filters={"kind": [ClientKind.PUBLIC_BODY]}))
    assert _names(public) == ["Mairie de Brest"]
    by_city = list_clients(db, ListQuery(sort="city", descending=True))
    assert _names(by_city) == ["zen_conseil", "Acme 100% Bio", "Mairie de Brest"]
    by_code = list_clients(db, ListQuery(sort="code", offset=1, limit=1))
    assert (_names(by_code), by_code.total, by_code.offset) == (["zen_conseil"], 3, 1)


def test_list_counts_domains_and_live_mailboxes(db: Database) -> None:
    w = world(db)
    busy = mailbox(db, w, "a")
    mailbox(db, w, "b")
    with db.session_scope() as session:
        session.execute(
            sa.update(Mailbox)
            .where(Mailbox.id == busy.id)
            .values(status=MailboxStatus.DELETED, version=Mailbox.version + 1)
        )
    client(db, name="Sans boîte")
    page = list_clients(db, ListQuery(sort="mailbox_count", descending=True))
    assert [(r.name, r.mailbox_count, r.domain_count) for r in page.rows] == [
        ("Acme Industrie", 1, 1),
        ("Sans boîte", 0, 0),
    ]
    details = get_client(db, w.client_id)
    assert (details.mailbox_count, details.domain_count) == (1, 1)


def test_list_refuses_unknown_sort_and_filter(db: Database) -> None:
    with pytest.raises(UserError) as info:
        list_clients(db, ListQuery(sort="siren"))
    assert info.value.message == (
        "Tri inconnu : « siren ». Tris possibles : city, code, created_at, kind, "
        "mailbox_count, name, status."
    )
    with pytest.raises(UserError) as info:
        list_clients(db, ListQuery(filters={"city": "Lyon"}))
    assert info.value.message == "Filtre inconnu : « city ». Filtres possibles : kind, status."
    with pytest.raises(UserError) as info:
        list_clients(db, ListQuery(filters={"status": "gone"}))
    assert info.value.message == "Valeur « gone » non valable pour le filtre « status »."
