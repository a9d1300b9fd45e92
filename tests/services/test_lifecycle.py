"""Mailbox status changes: the state machine, dates, the renewal floor, the backup check."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import LifecycleEvent, Mailbox
from desktop.domain.enums import LifecycleKind, MailboxStatus
from desktop.domain.errors import ValidationError
from desktop.domain.lifecycle import TransitionRefused
from desktop.errors import ConflictError, UserError
from desktop.services.events import Subject, event_history
from desktop.services.lifecycle import FloorRefused, change_mailbox_status, floor_check
from desktop.services.mailboxes import get_mailbox
from tests.services.factories import ACTOR, mailbox, world
from tests.services.lifecycle_helpers import START, move, start_contract, started

S = MailboxStatus


def _events(db: Database, mailbox_id: int) -> list[tuple[str, str | None, str | None, str]]:
    with db.read_session() as session:
        rows = session.execute(
            sa.select(
                LifecycleEvent.kind,
                LifecycleEvent.from_status,
                LifecycleEvent.to_status,
                LifecycleEvent.by,
            )
            .where(LifecycleEvent.mailbox_id == mailbox_id)
            .order_by(LifecycleEvent.id)
        ).all()
    return [(row[0].value, row[1], row[2], row[3]) for row in rows]


def test_a_mailbox_goes_through_its_whole_life_with_each_step_logged(db: Database) -> None:
    s = started(db, 1)
    box = s.mailbox_ids[0]
    assert get_mailbox(db, box).activated_on == START
    assert move(db, box, S.SUSPENDED) is S.SUSPENDED
    assert move(db, box, S.ACTIVE) is S.ACTIVE
    assert (
        move(
            db,
            box,
            S.NON_RENEWAL_REQUESTED,
            on=date(2026, 11, 20),
            floor_exception="Départ du seul utilisateur",
        )
        is S.NON_RENEWAL_REQUESTED
    )
    details = get_mailbox(db, box)
    assert (details.non_renewal_requested_on, details.ends_on) == (
        date(2026, 11, 20),
        date(2026, 12, 31),
    )
    assert move(db, box, S.TERMINATED, on=date(2027, 1, 1)) is S.TERMINATED
    assert move(db, box, S.DELETED, on=date(2027, 2, 1), backup_confirmed=True) is S.DELETED
    details = get_mailbox(db, box)
    assert (details.terminated_on, details.deleted_on) == (date(2027, 1, 1), date(2027, 2, 1))
    assert _events(db, box) == [
        ("status", "requested", "active", ACTOR),
        ("status", "active", "suspended", ACTOR),
        ("status", "suspended", "active", ACTOR),
        ("renewal_floor_exception", None, None, ACTOR),
        ("status", "active", "non_renewal_requested", ACTOR),
        ("status", "non_renewal_requested", "terminated", ACTOR),
        ("status", "terminated", "deleted", ACTOR),
    ]
    history = event_history(db, Subject(mailbox_id=box))
    assert history[0].to_status == "deleted" and history[0].reason == "Demande du client"


def test_a_forbidden_move_is_refused_and_changes_nothing(db: Database) -> None:
    s = started(db, 1)
    box = s.mailbox_ids[0]
    with pytest.raises(
        TransitionRefused, match="Passage impossible de l'état « Active » à l'état « Supprimée »"
    ):
        move(db, box, S.DELETED, backup_confirmed=True)
    assert get_mailbox(db, box).status is S.ACTIVE
    assert len(_events(db, box)) == 1


def test_deleting_needs_the_backup_confirmation(db: Database) -> None:
    s = started(db, 1)
    box = s.mailbox_ids[0]
    move(db, box, S.TERMINATED)
    with pytest.raises(ValidationError) as refused:
        move(db, box, S.DELETED)
    assert "propre sauvegarde" in refused.value.errors["backup_confirmed"]
    assert get_mailbox(db, box).status is S.TERMINATED


def test_a_reason_is_required(db: Database) -> None:
    s = started(db, 1)
    with pytest.raises(ValidationError) as refused:
        move(db, s.mailbox_ids[0], S.SUSPENDED, reason="  ")
    assert refused.value.errors == {
        "reason": "Indiquez le motif : il est enregistré dans l'historique."
    }


def test_a_stale_version_is_refused(db: Database) -> None:
    s = started(db, 1)
    box = s.mailbox_ids[0]
    version = get_mailbox(db, box).version
    move(db, box, S.SUSPENDED)
    with pytest.raises(ConflictError):
        change_mailbox_status(db, box, S.ACTIVE, reason="x", expected_version=version, actor=ACTOR)


def test_opening_needs_a_started_contract_and_not_before_its_start(db: Database) -> None:
    w = world(db)
    box = mailbox(db, w, "paul")
    with pytest.raises(UserError, match="ne s'ouvrent qu'une fois le service démarré"):
        move(db, box.id, S.ACTIVE)
    start_contract(db, w.he_contract_id, date(2026, 3, 1))
    with pytest.raises(ValidationError) as refused:
        move(db, box.id, S.ACTIVE, on=date(2026, 2, 28))
    assert "01/03/2026" in refused.value.errors["on"]
    assert move(db, box.id, S.ACTIVE, on=date(2026, 3, 1)) is S.ACTIVE


def test_the_floor_refuses_the_request_that_breaks_it(db: Database) -> None:
    s = started(db, 4)
    a, b, c, _ = s.mailbox_ids
    asked = date(2026, 6, 1)
    assert move(db, a, S.NON_RENEWAL_REQUESTED, on=asked) is S.NON_RENEWAL_REQUESTED
    assert move(db, b, S.NON_RENEWAL_REQUESTED, on=asked) is S.NON_RENEWAL_REQUESTED
    check = floor_check(db, c, on=asked)
    assert (check.anniversary, check.active, check.renewing, check.floor) == (
        date(2027, 1, 1),
        4,
        1,
        2,
    )
    with pytest.raises(FloorRefused) as refused:
        move(db, c, S.NON_RENEWAL_REQUESTED, on=asked)
    assert refused.value.message == (
        "Demande de non-renouvellement refusée : au 01/01/2027, 1 boîte(s) sur 4 seraient "
        "renouvelées, moins que le minimum de 2 (50 % des boîtes actives, HE §9.3). "
        "Un responsable peut accorder une dérogation en indiquant son motif."
    )
    assert (refused.value.active, refused.value.renewing, refused.value.floor) == (4, 1, 2)
    assert get_mailbox(db, c).status is S.ACTIVE


def test_a_manager_exception_lets_the_request_through_and_is_recorded(db: Database) -> None:
    s = started(db, 2)
    a, b = s.mailbox_ids
    move(db, a, S.NON_RENEWAL_REQUESTED, on=date(2026, 6, 1))  # 1 of 2 renew: floor 1 kept
    with pytest.raises(FloorRefused):
        move(db, b, S.NON_RENEWAL_REQUESTED, on=date(2026, 6, 2))
    move(
        db,
        b,
        S.NON_RENEWAL_REQUESTED,
        on=date(2026, 6, 2),
        floor_exception="Cessation d'activité du client",
    )
    with db.read_session() as session:
        exception = session.execute(
            sa.select(LifecycleEvent).where(
                LifecycleEvent.kind == LifecycleKind.RENEWAL_FLOOR_EXCEPTION
            )
        ).scalar_one()
    assert exception.mailbox_id == b and exception.by == ACTOR
    assert exception.reason == (
        "Cessation d'activité du client — dérogation accordée : au 01/01/2027, 0 boîte(s) sur 2 "
        "seraient renouvelées, moins que le minimum de 1 (50 % des boîtes actives, HE §9.3)."
    )


def test_accounts_ending_earlier_do_not_count_at_a_later_anniversary(db: Database) -> None:
    s = started(db, 3)
    a, b, c = s.mailbox_ids
    move(db, a, S.NON_RENEWAL_REQUESTED, on=date(2026, 6, 1))  # ends 31/12/2026
    # In 2027 only b and c are active the day before the 2028 anniversary.
    check = floor_check(db, b, on=date(2027, 3, 1))
    assert (check.anniversary, check.active, check.renewing, check.floor) == (
        date(2028, 1, 1),
        2,
        1,
        1,
    )


def test_withdrawing_a_request_clears_its_dates(db: Database) -> None:
    s = started(db, 2)
    box = s.mailbox_ids[0]
    move(db, box, S.NON_RENEWAL_REQUESTED, on=date(2026, 6, 1))
    move(db, box, S.ACTIVE, reason="Le client revient sur sa demande")
    details = get_mailbox(db, box)
    assert (details.status, details.non_renewal_requested_on, details.ends_on) == (
        S.ACTIVE,
        None,
        None,
    )


def test_a_late_account_ends_after_its_own_twelve_months(db: Database) -> None:
    s = started(db, 2)
    late = mailbox(db, s.world, "late")
    move(db, late.id, S.ACTIVE, on=date(2026, 11, 1))
    move(db, late.id, S.NON_RENEWAL_REQUESTED, on=date(2026, 11, 20))
    assert get_mailbox(db, late.id).ends_on == date(2027, 12, 31)
    with db.read_session() as session:
        assert session.get(Mailbox, late.id).ends_on == date(2027, 12, 31)  # type: ignore[union-attr]
