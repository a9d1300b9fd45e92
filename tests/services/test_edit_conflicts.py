"""Two desktops editing one record: the later save is refused with who changed what."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

import pytest
import sqlalchemy as sa
from factories import World, business_draft, client, mailbox, mailbox_draft, world

from desktop.db.engine import Database
from desktop.db.models import AuditLog, Client, Incident, Mailbox
from desktop.domain.clock import PARIS
from desktop.domain.enums import ContactRole, IncidentChannel
from desktop.errors import ConflictError
from desktop.services.clients import ContactDraft, get_client, update_client
from desktop.services.incidents import IncidentDraft, create_incident, get_incident, update_incident
from desktop.services.mailboxes import get_mailbox, update_mailbox

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=PARIS)


@pytest.fixture
def desktop_b(db: Database) -> Iterator[Database]:
    """A second desktop: its own engine and sessions on the same database."""
    other = Database(db.url)
    yield other
    other.dispose()


def test_two_desktops_editing_one_client(db: Database, desktop_b: Database) -> None:
    created = client(db, phone="01 02 03 04 05")
    read_by_a = get_client(db, created.id)
    read_by_b = get_client(desktop_b, created.id)
    assert read_by_a.version == read_by_b.version == created.version

    saved = update_client(
        db,
        created.id,
        business_draft(phone="06 07 08 09 10", address_line1="3 rue de la Paix"),
        expected_version=read_by_a.version,
        actor="jdupont",
    )
    with pytest.raises(ConflictError) as refused:
        update_client(
            desktop_b,
            created.id,
            business_draft(phone="01 02 03 04 05", city="Paris"),
            expected_version=read_by_b.version,
            actor="mmartin",
        )
    message = refused.value.message
    assert message.startswith("Ce client a été modifié par jdupont le ")
    assert message.endswith(
        "depuis votre lecture (adresse, téléphone) ; rechargez-le avant d'enregistrer. "
        "Rien n'a été enregistré."
    )
    assert refused.value.changed_by == "jdupont"
    assert refused.value.current_version == saved.version
    with db.read_session() as session:
        stored = session.execute(
            sa.select(Client.phone, Client.address_line1, Client.city, Client.version).where(
                Client.id == created.id
            )
        ).one()
    assert tuple(stored) == ("06 07 08 09 10", "3 rue de la Paix", "Lyon", saved.version)

    reloaded = get_client(desktop_b, created.id)
    again = update_client(
        desktop_b,
        created.id,
        business_draft(phone=reloaded.phone, address_line1=reloaded.address_line1, city="Paris"),
        expected_version=reloaded.version,
        actor="mmartin",
    )
    assert (again.phone, again.address_line1, again.city) == (
        "06 07 08 09 10",
        "3 rue de la Paix",
        "Paris",
    )
    assert again.version == saved.version + 1


def test_a_change_of_contacts_alone_is_named(db: Database, desktop_b: Database) -> None:
    anne = ContactDraft(role=ContactRole.ADMINISTRATOR, name="Anne Roux", email="anne@acme.fr")
    paul = ContactDraft(role=ContactRole.BILLING, name="Paul Roux", email="paul@acme.fr")
    created = client(db, contacts=(anne, paul))
    read_by_b = get_client(desktop_b, created.id)
    [kept_anne, _paul] = sorted(created.contacts, key=lambda c: c.name)
    remy = ContactDraft(role=ContactRole.TECHNICAL, name="Rémy Roux", phone="01 02 03 04 05")
    update_client(
        db,
        created.id,
        business_draft(contacts=(replace(anne, id=kept_anne.id, name="Anne Roux-Blanc"), remy)),
        expected_version=created.version,
        actor="jdupont",
    )
    with pytest.raises(ConflictError) as refused:
        update_client(
            desktop_b,
            created.id,
            business_draft(name="Acme", contacts=()),
            expected_version=read_by_b.version,
            actor="mmartin",
        )
    assert refused.value.message.endswith(
        "depuis votre lecture (contacts) ; rechargez-le avant d'enregistrer. "
        "Rien n'a été enregistré."
    )
    with db.read_session() as session:
        trail = (
            session.execute(
                sa.select(AuditLog.after)
                .where(AuditLog.entity == "client", AuditLog.entity_id == created.id)
                .order_by(AuditLog.id)
            )
            .scalars()
            .all()
        )
    assert trail[-1] == {"contacts": "1 ajouté, 1 modifié, 1 supprimé", "_version": 2}
    assert [c.name for c in get_client(db, created.id).contacts] == [
        "Anne Roux-Blanc",
        "Rémy Roux",
    ]


def test_two_desktops_editing_one_mailbox(db: Database, desktop_b: Database) -> None:
    w = world(db)
    created = mailbox(db, w, "jean", display_name="Jean")
    version = get_mailbox(desktop_b, created.id).version

    saved = update_mailbox(
        db,
        created.id,
        mailbox_draft(w, "jean", display_name="Jean Dupont"),
        expected_version=version,
        actor="jdupont",
    )
    with pytest.raises(ConflictError) as refused:
        update_mailbox(
            desktop_b,
            created.id,
            mailbox_draft(w, "jean", display_name="Jean", quota_gb=20),
            expected_version=version,
            actor="mmartin",
        )
    message = refused.value.message
    assert message.startswith("Cette boîte aux lettres a été modifiée par jdupont le ")
    assert "depuis votre lecture (nom affiché) ; rechargez-la avant d'enregistrer." in message
    with db.read_session() as session:
        stored = session.execute(
            sa.select(Mailbox.display_name, Mailbox.quota_gb).where(Mailbox.id == created.id)
        ).one()
    assert tuple(stored) == ("Jean Dupont", created.quota_gb)

    reloaded = get_mailbox(desktop_b, created.id)
    again = update_mailbox(
        desktop_b,
        created.id,
        mailbox_draft(w, "jean", display_name=reloaded.display_name, quota_gb=20),
        expected_version=reloaded.version,
        actor="mmartin",
    )
    assert (again.display_name, again.quota_gb, again.version) == (
        "Jean Dupont",
        20,
        saved.version + 1,
    )


def incident_draft(w: World, **changes: object) -> IncidentDraft:
    base = IncidentDraft(
        client_id=w.client_id,
        product_line_id=w.he_line_id,
        domain_id=w.domain_id,
        mailbox_ids=(),
        channel=IncidentChannel.EMAIL,
        received_at=datetime(2026, 5, 22, 17, 30, tzinfo=PARIS),
        description="Messagerie indisponible",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_two_desktops_editing_one_incident(db: Database, desktop_b: Database) -> None:
    w = world(db)
    box = mailbox(db, w, "jean")
    created = create_incident(db, incident_draft(w), actor="jdupont", now=NOW)
    version = get_incident(desktop_b, created.id, now=NOW).version

    saved = update_incident(
        db,
        created.id,
        incident_draft(w, cause="Disque plein", mailbox_ids=(box.id,)),
        expected_version=version,
        actor="jdupont",
        now=NOW,
    )
    with pytest.raises(ConflictError) as refused:
        update_incident(
            desktop_b,
            created.id,
            incident_draft(w, description="Plus aucun message reçu"),
            expected_version=version,
            actor="mmartin",
            now=NOW,
        )
    message = refused.value.message
    assert message.startswith("Cette notification de panne a été modifiée par jdupont le ")
    assert "depuis votre lecture (cause, boîtes concernées) ; rechargez-la" in message
    with db.read_session() as session:
        stored = session.execute(
            sa.select(Incident.description, Incident.cause).where(Incident.id == created.id)
        ).one()
    assert tuple(stored) == ("Messagerie indisponible", "Disque plein")

    reloaded = get_incident(desktop_b, created.id, now=NOW)
    again = update_incident(
        desktop_b,
        created.id,
        incident_draft(
            w,
            cause=reloaded.cause,
            mailbox_ids=tuple(box_id for box_id, _ in reloaded.mailboxes),
            description="Plus aucun message reçu",
        ),
        expected_version=reloaded.version,
        actor="mmartin",
        now=NOW,
    )
    assert (again.description, again.cause, again.version) == (
        "Plus aucun message reçu",
        "Disque plein",
        saved.version + 1,
    )
