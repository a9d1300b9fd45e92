"""Domains: IDNA names, refused extensions, primary domain, certification, lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from factories import ACTOR, client, domain, mailbox, world

from desktop.db.engine import Database
from desktop.db.models import Domain, LifecycleEvent, Provider
from desktop.domain.enums import DnsStatus, LifecycleKind
from desktop.domain.errors import ValidationError
from desktop.errors import ConflictError, UserError
from desktop.services.conflicts import write_scope
from desktop.services.domains import (
    ADMIN_CERTIFICATION_REQUIRED,
    DomainDraft,
    DomainRow,
    create_domain,
    get_domain,
    list_domains,
    update_domain,
)
from desktop.services.domains import _unique_rules as domain_unique_rules
from desktop.services.listing import ListQuery


def _domains(db: Database) -> list[tuple[str, int, bool, int]]:
    with db.read_session() as session:
        rows = session.execute(
            sa.select(Domain.name, Domain.client_id, Domain.is_primary, Domain.version).order_by(
                Domain.id
            )
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def _events(db: Database) -> list[tuple[LifecycleKind, int | None, str | None, str | None, str]]:
    with db.read_session() as session:
        rows = session.scalars(sa.select(LifecycleEvent).order_by(LifecycleEvent.id))
        return [(e.kind, e.domain_id, e.from_status, e.to_status, e.by) for e in rows]


def _draft(client_id: int, name: str, **changes: object) -> DomainDraft:
    values: dict[str, object] = {"client_id": client_id, "name": name, "admin_certified": True}
    return DomainDraft(**(values | changes))  # type: ignore[arg-type]


def test_create_stores_the_idna_name_and_certification(db: Database) -> None:
    owner = client(db)
    before = datetime.now(UTC)
    details = create_domain(db, _draft(owner.id, " Café.FR. "), actor="alice")
    assert (details.name, details.display_name) == ("xn--caf-dma.fr", "café.fr")
    assert (details.client_id, details.client_name, details.client_code) == (
        owner.id,
        "Acme Industrie",
        "CL00001",
    )
    assert details.is_primary  # the client's first domain
    assert details.antispam_enabled
    assert details.dns_status is DnsStatus.UNKNOWN
    assert details.admin_certified_by == "alice"
    assert details.admin_certified_at is not None
    assert before <= details.admin_certified_at <= datetime.now(UTC)
    assert (details.version, details.updated_by, details.mailbox_count) == (1, "alice", 0)
    assert get_domain(db, details.id) == details
    assert _domains(db) == [("xn--caf-dma.fr", owner.id, True, details.version)]
    assert _events(db) == [
        (LifecycleKind.ADMIN_CERTIFICATION, details.id, None, "certified", "alice")
    ]


def test_create_requires_the_admin_certification(db: Database) -> None:
    owner = client(db)
    with pytest.raises(ValidationError) as info:
        create_domain(db, _draft(owner.id, "acme.fr", admin_certified=False), actor=ACTOR)
    assert info.value.errors == {"admin_certified": ADMIN_CERTIFICATION_REQUIRED}
    assert ADMIN_CERTIFICATION_REQUIRED.startswith(
        "Le service ne peut être installé que sur un domaine dont le client est l'administrateur"
    )
    assert _domains(db) == []


def test_invalid_name_and_unknown_client(db: Database) -> None:
    with pytest.raises(ValidationError) as info:
        create_domain(db, _draft(999, "acme", admin_certified=False), actor=ACTOR)
    assert info.value.errors == {
        "client_id": "Ce client est introuvable.",
        "domain_name": "Extension manquante : « acme » n'est pas un nom de domaine complet "
        "(par exemple exemple.fr).",
        "admin_certified": ADMIN_CERTIFICATION_REQUIRED,
    }


def test_refused_extensions_default_then_provider_setting(db: Database) -> None:
    owner = client(db)
    with pytest.raises(ValidationError) as info:
        create_domain(db, _draft(owner.id, "acme.tel"), actor=ACTOR)
    assert info.value.errors == {
        "domain_name": "L'extension « .tel » n'est pas compatible avec le service de messagerie."
    }
    with db.session_scope() as session:
        session.add(_provider(refused_tlds="tel, .xyz ,"))
    with pytest.raises(ValidationError) as info:
        create_domain(db, _draft(owner.id, "acme.xyz"), actor=ACTOR)
    assert info.value.errors == {
        "domain_name": "L'extension « .xyz » n'est pas compatible avec le service de messagerie."
    }
    assert _domains(db) == []


def _provider(**changes: object) -> Provider:
    values: dict[str, object] = {
        "name": "Messagerie Pro",
        "legal_form": "SARL",
        "share_capital": Decimal("10000.00"),
        "address_line1": "1 rue de la Paix",
        "postcode": "75002",
        "city": "Paris",
        "siren": "732829320",
        "rcs_city": "Paris",
        "vat_number": "FR44732829320",
        "updated_by": ACTOR,
    }
    return Provider(**(values | changes))


def test_name_is_unique_across_clients(db: Database) -> None:
    first = client(db)
    domain(db, first.id, "café.fr")
    other = client(db, name="Autre")
    with pytest.raises(ValidationError) as info:
        create_domain(db, _draft(other.id, "CAFÉ.fr"), actor=ACTOR)
    assert info.value.errors == {
        "domain_name": "Le domaine « café.fr » est déjà enregistré pour le client Acme Industrie."
    }
    assert len(_domains(db)) == 1


def test_setting_a_primary_domain_unsets_the_previous_one(db: Database) -> None:
    owner = client(db)
    first = domain(db, owner.id, "acme.fr")
    second = domain(db, owner.id, "acme.com")
    assert not second.is_primary
    third = domain(db, owner.id, "acme.eu", is_primary=True)
    assert third.is_primary
    assert _domains(db) == [
        ("acme.fr", owner.id, False, 2),
        ("acme.com", owner.id, False, 1),
        ("acme.eu", owner.id, True, 1),
    ]
    assert not get_domain(db, first.id).is_primary
    promoted = update_domain(
        db,
        second.id,
        _draft(owner.id, "acme.com", is_primary=True),
        expected_version=1,
        actor=ACTOR,
    )
    assert promoted.is_primary and promoted.version == 2
    assert [row[2] for row in _domains(db)] == [False, True, False]


def test_the_primary_domain_cannot_just_be_unset(db: Database) -> None:
    owner = client(db)
    primary = domain(db, owner.id, "acme.fr")
    with pytest.raises(ValidationError) as info:
        update_domain(db, primary.id, _draft(owner.id, "acme.fr"), expected_version=1, actor=ACTOR)
    assert info.value.errors == {
        "is_primary": "Un client a toujours un domaine principal : pour retirer celui-ci, "
        "désignez-en un autre comme principal."
    }


def test_update_renames_and_switches_antispam(db: Database) -> None:
    owner = client(db)
    created = domain(db, owner.id, "acme.fr")
    updated = update_domain(
        db,
        created.id,
        _draft(owner.id, "ACME.org", is_primary=True, antispam_enabled=False),
        expected_version=1,
        actor="bob",
    )
    assert (updated.name, updated.antispam_enabled, updated.updated_by) == (
        "acme.org",
        False,
        "bob",
    )
    assert updated.admin_certified_by == ACTOR  # certification kept
    assert _events(db)[-1] == (LifecycleKind.ANTISPAM, created.id, "on", "off", "bob")
    with pytest.raises(ValidationError) as info:
        update_domain(
            db,
            created.id,
            _draft(owner.id, "acme.org", is_primary=True, admin_certified=False),
            expected_version=2,
            actor="bob",
        )
    assert info.value.errors == {"admin_certified": ADMIN_CERTIFICATION_REQUIRED}


def test_moving_a_domain_to_another_client(db: Database) -> None:
    first = client(db)
    moving = domain(db, first.id, "acme.fr")
    other = client(db, name="Repreneur")
    moved = update_domain(
        db, moving.id, _draft(other.id, "acme.fr"), expected_version=1, actor="carol"
    )
    assert (moved.client_id, moved.client_name, moved.is_primary) == (other.id, "Repreneur", True)
    assert moved.admin_certified_by == "carol"  # the new client certifies in its turn


def test_moving_a_primary_domain_needs_another_primary_first(db: Database) -> None:
    first = client(db)
    primary = domain(db, first.id, "acme.fr")
    domain(db, first.id, "acme.com")
    other = client(db, name="Repreneur")
    with pytest.raises(ValidationError) as info:
        update_domain(db, primary.id, _draft(other.id, "acme.fr"), expected_version=1, actor=ACTOR)
    assert info.value.errors == {
        "client_id": "C'est le domaine principal du client Acme Industrie : désignez d'abord "
        "un autre de ses domaines comme principal."
    }


def test_domain_with_mailboxes_keeps_its_client_and_name(db: Database) -> None:
    w = world(db)
    mailbox(db, w, "jean")
    other = client(db, name="Repreneur")
    with pytest.raises(ValidationError) as info:
        update_domain(
            db, w.domain_id, _draft(other.id, "acme.com"), expected_version=1, actor=ACTOR
        )
    assert info.value.errors == {
        "domain_name": (
            "Ce domaine porte des boîtes aux lettres : son nom ne peut plus être changé."
        ),
        "client_id": "Ce domaine porte des boîtes aux lettres : il ne peut plus changer de client.",
    }
    assert get_domain(db, w.domain_id).mailbox_count == 1


def test_stale_domain_update_is_refused(db: Database) -> None:
    owner = client(db)
    created = domain(db, owner.id, "acme.fr")
    draft = _draft(owner.id, "acme.fr", is_primary=True, antispam_enabled=False)
    update_domain(db, created.id, draft, expected_version=1, actor="alice")
    with pytest.raises(ConflictError) as info:
        update_domain(db, created.id, draft, expected_version=1, actor="bob")
    assert info.value.message.startswith("Ce domaine a été modifié par alice le ")
    assert info.value.message.endswith(
        "depuis votre lecture (antispam) ; rechargez-le avant d'enregistrer. "
        "Rien n'a été enregistré."
    )
    assert get_domain(db, created.id).updated_by == "alice"


def test_two_primary_domains_are_refused_by_the_database(db: Database) -> None:
    """The partial unique index, translated, whatever the backend says."""
    owner = client(db)
    domain(db, owner.id, "acme.fr")
    with pytest.raises(ValidationError) as info:
        with write_scope(db, unique=domain_unique_rules(_draft(owner.id, "x.fr"))) as session:
            session.add(Domain(client_id=owner.id, name="acme.com", is_primary=True))
    assert info.value.errors == {
        "is_primary": "Un autre domaine principal vient d'être désigné pour ce client depuis un "
        "autre poste : rechargez et réessayez."
    }


def test_duplicate_name_is_refused_by_the_database(db: Database) -> None:
    owner = client(db)
    domain(db, owner.id, "acme.fr")
    with pytest.raises(ValidationError) as info:
        with write_scope(db, unique=domain_unique_rules(_draft(owner.id, "Acme.fr"))) as session:
            session.add(Domain(client_id=owner.id, name="acme.fr"))
    assert info.value.errors == {
        "domain_name": "Le domaine « Acme.fr » vient d'être enregistré depuis un autre poste."
    }


# --- list ---------------------------------------------------------------------------------


@pytest.fixture
def domains(db: Database) -> dict[str, int]:
    w = world(db)
    other = client(db, name="Boulangerie Zoé", code="BOUL")
    ids = {
        "acme.fr": w.domain_id,
        "café.fr": domain(db, other.id, "café.fr").id,
        "zoé.com": domain(db, other.id, "zoé.com").id,
        "100pour100.fr": domain(db, other.id, "100pour100.fr").id,
    }
    for local in ("a", "b"):
        mailbox(db, w, local)
    with db.session_scope() as session:
        session.execute(
            sa.update(Domain)
            .where(Domain.id == ids["zoé.com"])
            .values(dns_status=DnsStatus.OK, version=Domain.version + 1)
        )
    return ids


def _names(db: Database, query: ListQuery) -> list[str]:
    return [row.display_name for row in list_domains(db, query).rows]


def test_list_rows(db: Database, domains: dict[str, int]) -> None:
    page = list_domains(db, ListQuery())
    assert page.total == 4
    # Default order: the stored (A-label) name.
    assert [r.name for r in page.rows] == [
        "100pour100.fr",
        "acme.fr",
        "xn--caf-dma.fr",
        "xn--zo-cja.com",
    ]
    acme = page.rows[1]
    assert acme == DomainRow(
        id=domains["acme.fr"],
        client_id=acme.client_id,
        client_name="Acme Industrie",
        name="acme.fr",
        display_name="acme.fr",
        is_primary=True,
        antispam_enabled=True,
        admin_certified_at=acme.admin_certified_at,
        dns_status=DnsStatus.UNKNOWN,
        mailbox_count=2,
    )
    assert acme.admin_certified_at is not None
    assert datetime.now(UTC) - acme.admin_certified_at < timedelta(minutes=5)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("café", ["café.fr"]),  # a Unicode label, searched as xn--caf-dma too
        ("CAFÉ.FR", ["café.fr"]),
        ("xn--caf", ["café.fr"]),
        ("zoé", ["café.fr", "zoé.com", "100pour100.fr"]),  # client name, and zoé.com
        ("boul", ["café.fr", "zoé.com", "100pour100.fr"]),  # client code
        ("acme", ["acme.fr"]),
        ("%", []),
        ("0p", ["100pour100.fr"]),
    ],
)
def test_list_search(
    db: Database, domains: dict[str, int], search: str, expected: list[str]
) -> None:
    assert sorted(_names(db, ListQuery(search=search))) == sorted(expected)


def test_list_filters_and_sorts(db: Database, domains: dict[str, int]) -> None:
    assert _names(db, ListQuery(filters={"dns_status": DnsStatus.OK})) == ["zoé.com"]
    assert _names(db, ListQuery(filters={"is_primary": True})) == ["acme.fr", "café.fr"]
    acme_client = get_domain(db, domains["acme.fr"]).client_id
    assert _names(db, ListQuery(filters={"client_id": acme_client})) == ["acme.fr"]
    by_count = _names(db, ListQuery(sort="mailbox_count", descending=True, limit=2))
    assert by_count[0] == "acme.fr"
    by_client = _names(db, ListQuery(sort="client"))
    assert by_client == ["acme.fr", "café.fr", "zoé.com", "100pour100.fr"]
    newest = _names(db, ListQuery(sort="created_at", descending=True, limit=1))
    assert newest == ["100pour100.fr"]
    with pytest.raises(UserError) as info:
        list_domains(db, ListQuery(filters={"is_primary": "oui"}))
    assert info.value.message == "Valeur « oui » non valable pour le filtre « is_primary »."
