"""Failure notifications: numbering, validation, status transitions, deadlines."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from factories import ACTOR, World, domain, mailbox, world

from desktop.db.engine import Database
from desktop.db.models import AuditLog, Provider
from desktop.domain.clock import PARIS
from desktop.domain.enums import AuditAction, ExcusableCategory, IncidentChannel, IncidentStatus
from desktop.domain.errors import ValidationError
from desktop.errors import ConflictError, UserError
from desktop.services.incidents import (
    IncidentDraft,
    check_incident,
    close_incident,
    create_incident,
    get_incident,
    list_incidents,
    reopen_incident,
    support_calendar,
    update_incident,
)
from desktop.services.listing import ListQuery
from tests.documents.pdf_helpers import store_provider

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=PARIS)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def draft(w: World, **changes: object) -> IncidentDraft:
    base = IncidentDraft(
        client_id=w.client_id,
        product_line_id=w.he_line_id,
        domain_id=w.domain_id,
        mailbox_ids=(),
        channel=IncidentChannel.EMAIL,
        received_at=paris(2026, 5, 22, 17, 30),
        description="Messagerie indisponible",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def w(db: Database) -> World:
    return world(db)


# --- numbering --------------------------------------------------------------------------


def test_numbers_are_gap_free_per_year(db: Database, w: World) -> None:
    first = create_incident(db, draft(w), actor=ACTOR, now=NOW)
    second = create_incident(db, draft(w), actor=ACTOR, now=NOW)
    with pytest.raises(ValidationError):
        create_incident(db, draft(w, description=" "), actor=ACTOR, now=NOW)
    third = create_incident(db, draft(w), actor=ACTOR, now=NOW)
    older = create_incident(
        db, draft(w, received_at=paris(2025, 12, 31, 23, 30)), actor=ACTOR, now=NOW
    )

    assert [first.number, second.number, third.number] == [
        "ND-2026-00001",
        "ND-2026-00002",
        "ND-2026-00003",
    ]
    assert older.number == "ND-2025-00001"  # the year of receipt, in Paris


def test_the_provider_format_is_used(db: Database, w: World) -> None:
    store_provider(db)
    with db.session_scope() as session:
        provider = session.get(Provider, 1)
        assert provider is not None
        provider.incident_number_format = "INC{year}/{seq:03d}"

    assert create_incident(db, draft(w), actor=ACTOR, now=NOW).number == "INC2026/001"


# --- validation -------------------------------------------------------------------------


def test_every_field_error_in_french() -> None:
    empty = IncidentDraft(
        client_id=None,
        product_line_id=None,
        domain_id=None,
        mailbox_ids=(),
        channel=None,
        received_at=None,
        description="  ",
        equipment_found_at=paris(2026, 5, 1, 9, 0),
    )
    assert check_incident(empty, now=NOW) == {
        "client_id": "Choisissez le client.",
        "channel": "Indiquez par quel canal la panne a été signalée.",
        "received_at": "Indiquez la date et l'heure de réception.",
        "description": "Décrivez la panne.",
        "equipment_found_at": (
            "Une date de constat ne s'indique que pour un remplacement d'équipement."
        ),
    }


def test_times_are_checked(w: World) -> None:
    received = paris(2026, 5, 22, 17, 30)
    wrong = IncidentDraft(
        client_id=w.client_id,
        product_line_id=None,
        domain_id=None,
        mailbox_ids=(),
        channel=IncidentChannel.PHONE,
        received_at=received,
        description="x" * 4001,
        acknowledged_at=received - timedelta(minutes=1),
        restored_at=received - timedelta(minutes=1),
        cause="y" * 4001,
    )
    assert check_incident(wrong, now=NOW) == {
        "acknowledged_at": "La prise en compte ne peut pas précéder la réception.",
        "restored_at": "Le rétablissement ne peut pas précéder la réception.",
        "description": "4000 caractères au maximum (4001 caractères saisis).",
        "cause": "4000 caractères au maximum (4001 caractères saisis).",
    }
    future = replace(
        wrong,
        received_at=NOW + timedelta(minutes=6),
        acknowledged_at=None,
        restored_at=None,
        description="Panne",
        cause=None,
    )
    assert check_incident(future, now=NOW) == {
        "received_at": "La réception ne peut pas être dans le futur."
    }
    restored_later = replace(future, received_at=received, restored_at=NOW + timedelta(hours=1))
    assert check_incident(restored_later, now=NOW) == {
        "restored_at": "Le rétablissement ne peut pas être dans le futur."
    }
    # Five minutes of tolerance; a naive time is Paris time.
    assert check_incident(replace(future, received_at=NOW + timedelta(minutes=4)), now=NOW) == {}
    assert check_incident(replace(future, received_at=datetime(2026, 6, 1, 12, 4)), now=NOW) == {}  # noqa: DTZ001


def test_domain_and_mailboxes_of_another_client_are_refused(db: Database, w: World) -> None:
    other = world(db, client_name="Zoé Bio", suffix="z")
    own_box = mailbox(db, w, "jean")
    foreign_box = mailbox(
        db,
        other,
        "zoe",
        contract_id=other.he_contract_id,
        domain_id=other.domain_id,
    )
    with pytest.raises(ValidationError) as raised:
        create_incident(
            db,
            draft(w, domain_id=other.domain_id, mailbox_ids=(own_box.id, foreign_box.id)),
            actor=ACTOR,
            now=NOW,
        )
    assert raised.value.errors == {
        "domain_id": "Ce domaine n'appartient pas au client.",
        "mailbox_ids": "Une boîte concernée n'appartient pas au client.",
    }
    second = domain(db, w.client_id, "acme-bis.fr").id
    with pytest.raises(ValidationError) as raised:
        create_incident(
            db, draft(w, domain_id=second, mailbox_ids=(own_box.id,)), actor=ACTOR, now=NOW
        )
    assert raised.value.errors == {
        "mailbox_ids": "Une boîte concernée n'appartient pas au domaine choisi."
    }
    with pytest.raises(ValidationError) as raised:
        create_incident(db, draft(w, product_line_id=9999), actor=ACTOR, now=NOW)
    assert raised.value.errors == {"product_line_id": "Cette gamme n'existe pas."}

    created = create_incident(db, draft(w, mailbox_ids=(own_box.id,)), actor=ACTOR, now=NOW)
    assert created.mailboxes == ((own_box.id, "jean@acme.fr"),)
    assert created.domain_name == "acme.fr"
    assert created.client_name == "Acme Industrie"
    assert created.product_line_name == "Hosted Exchange"


# --- status -----------------------------------------------------------------------------


def test_status_follows_the_restoration_then_close_and_reopen(db: Database, w: World) -> None:
    created = create_incident(db, draft(w), actor=ACTOR, now=NOW)
    assert created.status is IncidentStatus.OPEN
    restored_at = paris(2026, 5, 25, 10, 0)
    with pytest.raises(UserError, match="Seule une panne rétablie"):
        close_incident(db, created.id, expected_version=created.version, actor=ACTOR)

    restored = update_incident(
        db,
        created.id,
        draft(w, restored_at=restored_at, cause="Disque plein"),
        expected_version=created.version,
        actor=ACTOR,
        now=NOW,
    )
    assert restored.status is IncidentStatus.RESTORED
    assert restored.restored_at == restored_at and restored.cause == "Disque plein"
    back = update_incident(
        db, created.id, draft(w), expected_version=restored.version, actor=ACTOR, now=NOW
    )
    assert back.status is IncidentStatus.OPEN
    restored = update_incident(
        db,
        created.id,
        draft(w, restored_at=restored_at),
        expected_version=back.version,
        actor=ACTOR,
        now=NOW,
    )
    closed = close_incident(db, created.id, expected_version=restored.version, actor=ACTOR)
    assert closed.status is IncidentStatus.CLOSED
    with pytest.raises(UserError, match="est close"):
        update_incident(
            db, created.id, draft(w), expected_version=closed.version, actor=ACTOR, now=NOW
        )
    with pytest.raises(ValidationError) as raised:
        reopen_incident(db, created.id, reason=" ", expected_version=closed.version, actor=ACTOR)
    assert "reason" in raised.value.errors

    reopened = reopen_incident(
        db, created.id, reason="Le client signale la panne à nouveau",
        expected_version=closed.version, actor=ACTOR,
    )  # fmt: skip
    assert reopened.status is IncidentStatus.OPEN and reopened.restored_at is None
    with pytest.raises(UserError, match="déjà ouverte"):
        reopen_incident(db, created.id, reason="x", expected_version=reopened.version, actor=ACTOR)

    with db.read_session() as session:
        actions = session.execute(
            sa.select(AuditLog.action, AuditLog.after)
            .where(AuditLog.entity == "incident", AuditLog.entity_id == created.id)
            .order_by(AuditLog.id)
        ).all()
    # Every save above moved the status (open ⇄ restored, closed, reopened).
    assert [a for a, _ in actions] == [AuditAction.CREATE] + [AuditAction.TRANSITION] * 5
    assert [after["status"] for _, after in actions] == [
        "open", "restored", "open", "restored", "closed", "open"
    ]  # fmt: skip
    assert actions[-1][1]["reason"] == "Le client signale la panne à nouveau"


def test_client_fixed_once_restored(db: Database, w: World) -> None:
    other = world(db, client_name="Zoé Bio", suffix="z")
    created = create_incident(db, draft(w), actor=ACTOR, now=NOW)
    moved = update_incident(
        db,
        created.id,
        draft(w, client_id=other.client_id, domain_id=None),
        expected_version=created.version,
        actor=ACTOR,
        now=NOW,
    )
    assert moved.client_name == "Zoé Bio"
    restored = update_incident(
        db,
        created.id,
        draft(w, client_id=other.client_id, domain_id=None, restored_at=paris(2026, 5, 25, 9, 0)),
        expected_version=moved.version,
        actor=ACTOR,
        now=NOW,
    )
    with pytest.raises(ValidationError) as raised:
        update_incident(
            db,
            created.id,
            draft(w, domain_id=None, restored_at=paris(2026, 5, 25, 9, 0)),
            expected_version=restored.version,
            actor=ACTOR,
            now=NOW,
        )
    assert raised.value.errors == {
        "client_id": "Le client ne peut plus changer une fois la panne rétablie."
    }


def test_a_stale_version_is_a_conflict(db: Database, w: World) -> None:
    created = create_incident(db, draft(w), actor=ACTOR, now=NOW)
    update_incident(
        db, created.id, draft(w, cause="A"), expected_version=created.version, actor="autre",
        now=NOW,
    )  # fmt: skip
    with pytest.raises(ConflictError) as raised:
        update_incident(
            db, created.id, draft(w, cause="B"), expected_version=created.version, actor=ACTOR,
            now=NOW,
        )  # fmt: skip
    assert raised.value.changed_by == "autre"
    assert "Cette notification de panne a été modifiée par autre" in raised.value.message


# --- deadlines --------------------------------------------------------------------------


def test_deadline_skips_the_weekend_and_whit_monday(db: Database, w: World) -> None:
    created = create_incident(db, draft(w), actor=ACTOR, now=NOW)
    # Friday 17:30 + 30 min; Saturday, Sunday and Whit Monday off; Tuesday 9:00 + 7:30.
    clock = get_incident(db, created.id, now=paris(2026, 5, 26, 9, 0)).clock
    assert clock.restoration_deadline == paris(2026, 5, 26, 16, 30)
    assert clock.support_left == timedelta(hours=7, minutes=30)
    assert not clock.breached
    late = get_incident(db, created.id, now=paris(2026, 5, 27, 10, 0)).clock
    assert late.breached
    assert late.support_left == -timedelta(hours=2, minutes=30)  # 16:30-18:00, 9:00-10:00
    assert late.replacement_deadline is None


def test_the_clock_stops_at_the_restoration(db: Database, w: World) -> None:
    created = create_incident(
        db, draft(w, restored_at=paris(2026, 5, 26, 10, 0)), actor=ACTOR, now=NOW
    )
    clock = get_incident(db, created.id, now=paris(2026, 6, 1, 9, 0)).clock
    assert clock.support_left == timedelta(hours=6, minutes=30) and not clock.breached


def test_equipment_replacement_deadline(db: Database, w: World) -> None:
    found = paris(2026, 5, 23, 8, 0)
    created = create_incident(
        db, draft(w, equipment_replacement=True, equipment_found_at=found), actor=ACTOR, now=NOW
    )
    assert created.clock.replacement_deadline == found + timedelta(hours=96)
    plain = create_incident(db, draft(w, equipment_replacement=True), actor=ACTOR, now=NOW)
    assert plain.clock.replacement_deadline == paris(2026, 5, 26, 17, 30)


def test_alsace_moselle_setting_changes_the_deadline(db: Database, w: World) -> None:
    thursday = paris(2026, 4, 2, 17, 0)  # Good Friday follows
    created = create_incident(db, draft(w, received_at=thursday), actor=ACTOR, now=NOW)
    assert created.clock.restoration_deadline == paris(2026, 4, 3, 16, 0)
    store_provider(db)
    with db.session_scope() as session:
        provider = session.get(Provider, 1)
        assert provider is not None
        provider.support_alsace_moselle = True
    assert support_calendar(db).alsace_moselle
    # Good Friday off there, Easter Monday everywhere: Tuesday 16:00.
    clock = get_incident(db, created.id, now=NOW).clock
    assert clock.restoration_deadline == paris(2026, 4, 7, 16, 0)


def test_the_list_shows_the_deadline_of_open_ones(db: Database, w: World) -> None:
    opened = create_incident(db, draft(w), actor=ACTOR, now=NOW)
    restored = create_incident(
        db,
        draft(
            w,
            restored_at=paris(2026, 5, 25, 10, 0),
            acknowledged_at=paris(2026, 5, 22, 17, 45),
            excusable_category=ExcusableCategory.PLANNED_MAINTENANCE,
        ),
        actor=ACTOR,
        now=NOW,
    )
    rows = {r.id: r for r in list_incidents(db, ListQuery(), now=paris(2026, 5, 26, 9, 0)).rows}
    assert rows[opened.id].deadline == paris(2026, 5, 26, 16, 30)
    assert rows[opened.id].support_left == timedelta(hours=7, minutes=30)
    assert rows[restored.id].deadline is None and rows[restored.id].support_left is None
    assert rows[restored.id].acknowledged_at == paris(2026, 5, 22, 17, 45)
    assert rows[restored.id].excusable_category is ExcusableCategory.PLANNED_MAINTENANCE
