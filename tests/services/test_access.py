"""The guard of write services itself: who is checked, when, and who is acting meanwhile."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.acting import acting_user
from desktop.db.engine import Database
from desktop.db.models import StaffUser
from desktop.domain.enums import StaffRole
from desktop.domain.roles import Permission
from desktop.errors import PermissionDeniedError
from desktop.services.access import GUARDED, accounts_in_use, requires, role_of

SUPPORT_REFUSED_SETTINGS = (
    "Votre rôle « Support » ne permet pas de modifier les paramètres et le catalogue. "
    "Rien n'a été enregistré."
)


@requires(Permission.SETTINGS)
def change_settings(db: Database, *, actor: str | None = None) -> str | None:
    """Who the audit trail would name during the call."""
    return acting_user.get()


@requires(Permission.CUSTOMERS)
def change_client(db: Database, *, actor: str | None = None, then_settings_as: str = "") -> Any:
    """A customer change that, inside, also changes a setting (as itself or someone else)."""
    return change_settings(db, actor=then_settings_as or actor)


@requires(Permission.INCIDENTS)
def failing_incident(db: Database, *, actor: str) -> None:
    assert acting_user.get() == actor
    raise ValueError("panne")


@requires(Permission.CUSTOMERS)
def in_session(session: Session, actor: str) -> str | None:
    return acting_user.get()


@requires(Permission.SETTINGS)
def settings_in_session(session: Session, actor: str) -> str | None:
    return acting_user.get()


def add_account(db: Database, login: str, role: StaffRole, *, active: bool = True) -> None:
    with db.session_scope() as session:
        session.add(StaffUser(login=login, full_name=login, role=role, active=active, version=1))


@pytest.fixture
def staffed(db: Database) -> Database:
    """Logins in use: an administrator, a support agent, a read-only account."""
    add_account(db, "admin", StaffRole.ADMIN)
    add_account(db, "hotline", StaffRole.SUPPORT)
    add_account(db, "stagiaire", StaffRole.READ_ONLY)
    return db


@contextmanager
def staff_lookups(db: Database) -> Iterator[list[str]]:
    """The SQL statements reading staff accounts while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "staff_user" in statement:
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def test_a_function_without_actor_is_rejected_at_decoration() -> None:
    def no_actor(db: Database) -> None: ...

    with pytest.raises(TypeError, match="no_actor has no 'actor' parameter to check"):
        requires(Permission.BILLING)(no_actor)


def test_the_guarded_function_keeps_its_name_and_signature_and_is_registered() -> None:
    assert change_settings.__name__ == "change_settings"
    assert change_settings.__doc__ == "Who the audit trail would name during the call."
    assert list(inspect.signature(change_settings).parameters) == ["db", "actor"]
    entry = GUARDED[f"{__name__}.change_settings"]
    assert (entry.function, entry.permission) == (change_settings, Permission.SETTINGS)


def test_acting_user_is_set_during_the_call_and_reset_after(staffed: Database) -> None:
    assert change_settings(staffed, actor="admin") == "admin"
    assert acting_user.get() is None


def test_acting_user_is_reset_after_an_exception(staffed: Database) -> None:
    with pytest.raises(ValueError, match="panne"):
        failing_incident(staffed, actor="hotline")
    assert acting_user.get() is None


def test_a_refusal_leaves_no_acting_user(staffed: Database) -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        change_settings(staffed, actor="hotline")
    assert str(refused.value) == SUPPORT_REFUSED_SETTINGS
    assert acting_user.get() is None


def test_nested_guarded_calls_are_checked_once(staffed: Database) -> None:
    with staff_lookups(staffed) as alone:
        assert change_settings(staffed, actor="admin") == "admin"
    with staff_lookups(staffed) as nested:
        assert change_client(staffed, actor="admin") == "admin"
    assert len(nested) == len(alone) > 0
    # Support may change a client; the setting it implies is part of that service.
    assert change_client(staffed, actor="hotline") == "hotline"
    assert acting_user.get() is None


def test_a_nested_call_for_someone_else_is_checked_again(staffed: Database) -> None:
    assert change_client(staffed, actor="hotline", then_settings_as="admin") == "admin"
    with pytest.raises(PermissionDeniedError) as refused:
        change_client(staffed, actor="admin", then_settings_as="hotline")
    assert str(refused.value) == SUPPORT_REFUSED_SETTINGS


def test_a_session_first_argument_is_checked_in_that_session(staffed: Database) -> None:
    with staffed.session_scope() as session:
        assert in_session(session, "hotline") == "hotline"  # a positional actor is read too
        with pytest.raises(PermissionDeniedError) as refused:
            settings_in_session(session, actor="hotline")
        assert str(refused.value) == SUPPORT_REFUSED_SETTINGS
        with pytest.raises(PermissionDeniedError, match="« Lecture » ne permet pas de modifier"):
            in_session(session, "stagiaire")


def test_the_first_argument_must_be_a_database_or_a_session() -> None:
    with pytest.raises(TypeError, match="takes a Database or a Session first"):
        change_settings("pas une base", actor="admin")  # type: ignore[arg-type]


def test_logins_are_in_use_once_an_active_administrator_exists(db: Database) -> None:
    add_account(db, "hotline", StaffRole.SUPPORT)
    add_account(db, "ancien", StaffRole.ADMIN, active=False)
    with db.read_session() as session:
        assert not accounts_in_use(session)
    assert change_settings(db, actor="n'importe qui") == "n'importe qui"
    assert (role_of(db, "hotline"), role_of(db, "ancien")) == (StaffRole.SUPPORT, None)

    add_account(db, "admin", StaffRole.ADMIN)
    with db.read_session() as session:
        assert accounts_in_use(session)
    with pytest.raises(PermissionDeniedError) as refused:
        change_settings(db, actor="ancien")
    assert str(refused.value) == (
        "Le compte « ancien » est inconnu ou désactivé : reconnectez-vous. Rien n'a été enregistré."
    )
