"""The audit hook: one audit_log row per ORM change, with exact before/after values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from desktop.db import audit
from desktop.db.acting import acting_user
from desktop.db.engine import Database
from desktop.db.models import (
    AuditLog,
    Client,
    Contact,
    Counter,
    OutboxAttachment,
    OutboxMessage,
    Provider,
    StaffUser,
)
from desktop.domain.enums import (
    AuditAction,
    ClientKind,
    ClientStatus,
    ContactRole,
    PaymentMethod,
    StaffRole,
)


def trail(db: Database) -> list[tuple[str, str, int, AuditAction, Any, Any]]:
    with db.read_session() as session:
        rows = session.execute(
            sa.select(
                AuditLog.user,
                AuditLog.entity,
                AuditLog.entity_id,
                AuditLog.action,
                AuditLog.before,
                AuditLog.after,
            ).order_by(AuditLog.id)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def new_client(db: Database, **values: Any) -> int:
    with db.session_scope() as session:
        row = Client(
            code="C0001",
            kind=ClientKind.BUSINESS,
            name="Acme Industrie",
            city="Lyon",
            billing_email="compta@acme.fr",
            payment_method=PaymentMethod.TRANSFER,
            status=ClientStatus.PROSPECT,
            updated_by="jdupont",
            **values,
        )
        session.add(row)
        session.flush()
        return row.id


def test_a_creation_records_every_value_set(db: Database) -> None:
    client_id = new_client(db)
    assert trail(db) == [
        (
            "jdupont",
            "client",
            client_id,
            AuditAction.CREATE,
            None,
            {
                "code": "C0001",
                "kind": "business",
                "name": "Acme Industrie",
                "city": "Lyon",
                "country": "FR",
                "billing_email": "compta@acme.fr",
                "payment_method": "transfer",
                "status": "prospect",
                "_version": 1,
            },
        )
    ]


def test_an_update_records_the_changed_columns_and_the_new_version(db: Database) -> None:
    client_id = new_client(db, phone="01 02 03 04 05")
    with db.session_scope() as session:
        row = session.get(Client, client_id)
        assert row is not None
        row.phone = "06 07 08 09 10"
        row.city = "Lyon"  # unchanged: not recorded
        row.address_line1 = "3 rue de la Paix"
        row.updated_by = "mmartin"
    assert trail(db)[1:] == [
        (
            "mmartin",
            "client",
            client_id,
            AuditAction.UPDATE,
            {"phone": "01 02 03 04 05", "address_line1": None},
            {"phone": "06 07 08 09 10", "address_line1": "3 rue de la Paix", "_version": 2},
        )
    ]


def test_a_status_change_is_a_transition_by_the_acting_user(db: Database) -> None:
    client_id = new_client(db)
    token = acting_user.set("admin")
    try:
        with db.session_scope() as session:
            row = session.get(Client, client_id)
            assert row is not None
            row.status = ClientStatus.ACTIVE
            row.updated_by = "jdupont"
    finally:
        acting_user.reset(token)
    assert trail(db)[1:] == [
        (
            "admin",
            "client",
            client_id,
            AuditAction.TRANSITION,
            {"status": "prospect"},
            {"status": "active", "_version": 2},
        )
    ]


def test_a_deletion_records_the_former_values(db: Database) -> None:
    client_id = new_client(db)
    with db.session_scope() as session:
        contact = Contact(
            client_id=client_id,
            role=ContactRole.BILLING,
            name="Jean Dupont",
            email="jean@acme.fr",
        )
        session.add(contact)
    with db.session_scope() as session:
        found = session.get(Contact, contact.id)
        session.delete(found)
    rows = trail(db)
    assert [row[3] for row in rows] == [AuditAction.CREATE] * 2 + [AuditAction.DELETE]
    assert rows[2] == (
        "système",
        "contact",
        contact.id,
        AuditAction.DELETE,
        {
            "client_id": client_id,
            "role": "billing",
            "name": "Jean Dupont",
            "email": "jean@acme.fr",
            "is_primary": False,
        },
        None,
    )


def test_a_save_without_real_change_writes_nothing(db: Database) -> None:
    client_id = new_client(db)
    with db.session_scope() as session:
        row = session.get(Client, client_id)
        assert row is not None
        row.name = "Acme Industrie"
    assert len(trail(db)) == 1


def test_secrets_and_binary_contents_are_masked(db: Database) -> None:
    with db.session_scope() as session:
        user = StaffUser(
            login="admin", full_name="Alice Admin", role=StaffRole.ADMIN, password_hash="$argon2$x"
        )
        session.add(user)
        session.add(provider_row(logo=b"\x89PNG"))
    with db.session_scope() as session:
        found = session.get(StaffUser, user.id)
        assert found is not None
        found.password_hash = "$argon2$y"
    rows = trail(db)
    created = {row[1]: row[5] for row in rows if row[3] is AuditAction.CREATE}
    assert created["staff_user"]["password_hash"] == "***"
    assert created["provider"]["logo"] == "***"
    assert created["provider"]["share_capital"] == "1000.00"
    assert rows[-1][4:] == ({"password_hash": "***"}, {"password_hash": "***", "_version": 2})
    assert "argon2" not in repr(rows) and "PNG" not in repr(rows)


def provider_row(**values: Any) -> Provider:
    return Provider(
        id=1,
        name="Mél Hébergement",
        legal_form="SAS",
        share_capital=Decimal("1000.00"),
        address_line1="1 rue du Port",
        postcode="69001",
        city="Lyon",
        siren="552100554",
        rcs_city="Lyon",
        vat_number="FR40552100554",
        email="contact@mel.fr",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        sepa_creditor_id="FR12ZZZ123456",
        **values,
    )


def test_logs_counters_and_the_mail_queue_are_not_audited(db: Database) -> None:
    with db.session_scope() as session:
        session.add(Counter(series="test", next_value=1))
        message = OutboxMessage(to="a@b.fr", subject="Objet", body="Texte")
        message.attachments.append(
            OutboxAttachment(filename="a.pdf", mime_type="application/pdf", content=b"%PDF")
        )
        session.add(message)
        session.add(AuditLog(user="x", entity="client", entity_id=1, action=AuditAction.CREATE))
    assert trail(db) == [("x", "client", 1, AuditAction.CREATE, None, None)]


def test_annotations_join_the_row_of_their_object(db: Database) -> None:
    client_id = new_client(db)
    with db.session_scope() as session:
        row = session.get(Client, client_id)
        assert row is not None
        audit.annotate(session, row, after={"reason": "Demande du client"})
        row.notes = "Rappeler lundi"
    assert trail(db)[-1][4:] == (
        {"notes": None},
        {"notes": "Rappeler lundi", "reason": "Demande du client", "_version": 2},
    )


def test_scrubbing_replaces_personal_values_only(db: Database) -> None:
    client_id = new_client(db, phone="01 02 03 04 05")
    with db.session_scope() as session:
        row = session.get(Client, client_id)
        assert row is not None
        row.phone = None
    with db.session_scope() as session:
        changed = audit.scrub_personal_values(session, "client", client_id, ["phone", "name"])
    assert changed == 2
    rows = trail(db)
    assert rows[0][5]["phone"] == "(anonymisé)" and rows[0][5]["name"] == "(anonymisé)"
    assert rows[0][5]["city"] == "Lyon"
    assert rows[1][4:] == ({"phone": "(anonymisé)"}, {"phone": None, "_version": 2})
