"""Staff accounts: Argon2id passwords, logins with lock-out, administration rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.db.engine import Database
from desktop.db.models import AuditLog, StaffUser
from desktop.domain.enums import AuditAction, StaffRole
from desktop.domain.errors import ValidationError
from desktop.errors import ConflictError, NotFoundError, PermissionDeniedError, UserError
from desktop.services.staff import (
    REFUSED,
    AccountLockedError,
    LoginRefusedError,
    StaffAccount,
    add_staff,
    authenticate,
    change_password,
    list_staff,
    reset_password,
    set_active,
    set_role,
    staff_account,
    staff_accounts_in_use,
    unlock,
)

PASSWORD = "correct horse battery"
SYSTEM_USER = "poste"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Paris


def administrator(db: Database, login: str = "admin", *, actor: str = SYSTEM_USER) -> None:
    add_staff(db, login, "Alice Martin", StaffRole.ADMIN, PASSWORD, actor=actor)


def stored(db: Database, login: str) -> StaffUser:
    with db.read_session() as session:
        row = session.scalar(sa.select(StaffUser).where(StaffUser.login == login))
        assert row is not None
        return row


def refusal(db: Database, login: str, password: str, at: datetime = NOW) -> str:
    with pytest.raises(LoginRefusedError) as caught:
        authenticate(db, login, password, now=at)
    return caught.value.message


# --- creating accounts ------------------------------------------------------------------


def test_the_first_account_must_be_an_administrator(db: Database) -> None:
    assert not staff_accounts_in_use(db)
    with pytest.raises(UserError) as caught:
        add_staff(db, "bob", "Bob", StaffRole.SUPPORT, PASSWORD, actor=SYSTEM_USER)
    assert caught.value.message == (
        "Le premier compte doit être un administrateur : "
        "lui seul pourra ensuite créer les autres comptes."
    )
    assert list_staff(db) == []

    administrator(db)

    assert staff_accounts_in_use(db)
    row = stored(db, "admin")
    assert (row.full_name, row.role, row.active, row.failed_logins) == (
        "Alice Martin",
        StaffRole.ADMIN,
        True,
        0,
    )
    assert row.password_hash is not None and row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash


def test_once_in_use_only_an_administrator_adds_accounts(db: Database) -> None:
    administrator(db)
    with pytest.raises(PermissionDeniedError):
        add_staff(db, "bob", "Bob", StaffRole.SUPPORT, PASSWORD, actor=SYSTEM_USER)
    add_staff(db, "bob", "Bob", StaffRole.SUPPORT, PASSWORD, actor="admin")
    with pytest.raises(PermissionDeniedError) as caught:
        add_staff(db, "carol", "Carol", StaffRole.SUPPORT, PASSWORD, actor="bob")
    assert caught.value.message == (
        "Votre rôle « Support » ne permet pas de gérer les comptes du personnel. "
        "Rien n'a été enregistré."
    )
    assert [row.login for row in list_staff(db)] == ["admin", "bob"]


@pytest.mark.parametrize(
    ("login", "password", "errors"),
    [
        ("", PASSWORD, {"login": "Indiquez l'identifiant."}),
        ("x" * 65, PASSWORD, {"login": "64 caractères au maximum."}),
        (
            "jérôme",
            PASSWORD,
            {
                "login": "Lettres minuscules sans accent, chiffres, point, tiret et tiret bas "
                "uniquement (par exemple j.dupont)."
            },
        ),
        ("j.dupont", "court", {"password": "10 caractères au moins (5 saisis)."}),
        ("j.dupont", "J.Dupont", {"password": "10 caractères au moins (8 saisis)."}),
        ("jean-dupont", "Jean-Dupont", {"password": "Il doit être différent de l'identifiant."}),
        ("j.dupont", "x" * 257, {"password": "256 caractères au maximum."}),
    ],
)
def test_login_and_password_rules(
    db: Database, login: str, password: str, errors: dict[str, str]
) -> None:
    with pytest.raises(ValidationError) as caught:
        add_staff(db, login, "Jean Dupont", StaffRole.ADMIN, password, actor=SYSTEM_USER)
    assert caught.value.errors == errors
    assert list_staff(db) == []


def test_every_field_is_checked_at_once_and_named_in_french(db: Database) -> None:
    with pytest.raises(ValidationError) as caught:
        add_staff(db, "a b", " ", StaffRole.ADMIN, "abc", email="pas-une-adresse", actor="x")
    assert set(caught.value.errors) == {"login", "full_name", "email", "password"}
    assert caught.value.message.startswith("Identifiant : Lettres minuscules")
    assert "Nom complet : Indiquez le nom complet." in caught.value.message
    assert "Mot de passe : 10 caractères au moins (3 saisis)." in caught.value.message


def test_logins_are_unique_whatever_the_case(db: Database) -> None:
    administrator(db)
    with pytest.raises(ValidationError) as caught:
        add_staff(db, " ADMIN ", "Autre", StaffRole.ADMIN, PASSWORD, actor="admin")
    assert caught.value.errors == {"login": "Cet identifiant est déjà utilisé par un autre compte."}


# --- logging in -------------------------------------------------------------------------


def test_a_good_password_logs_in_and_is_recorded(db: Database) -> None:
    administrator(db)
    assert refusal(db, "admin", "wrong password") == REFUSED
    assert stored(db, "admin").failed_logins == 1

    account = authenticate(db, " Admin ", PASSWORD, now=NOW)

    assert account == StaffAccount("admin", "Alice Martin", StaffRole.ADMIN, False)
    row = stored(db, "admin")
    assert (row.failed_logins, row.locked_until, row.last_login_at) == (0, None, NOW)
    assert row.version == 1  # login bookkeeping never makes an administrator's edit stale


def test_unknown_disabled_and_wrong_give_the_same_refusal(db: Database) -> None:
    administrator(db)
    add_staff(db, "bob", "Bob", StaffRole.SUPPORT, PASSWORD, actor="admin")
    set_active(db, "bob", False, actor="admin")

    assert refusal(db, "nobody", PASSWORD) == REFUSED
    assert refusal(db, "bob", PASSWORD) == REFUSED
    assert refusal(db, "admin", PASSWORD + "!") == REFUSED
    assert refusal(db, "Jérôme Ü", PASSWORD) == REFUSED
    assert stored(db, "bob").failed_logins == 0


def test_five_failures_lock_the_account_for_fifteen_minutes(db: Database) -> None:
    administrator(db)
    for attempt in range(1, 5):
        assert refusal(db, "admin", f"wrong {attempt}", NOW) == REFUSED
        assert stored(db, "admin").failed_logins == attempt  # committed although refused

    with pytest.raises(AccountLockedError) as caught:
        authenticate(db, "admin", "wrong 5", now=NOW)
    locked = "Compte verrouillé après 5 essais infructueux : réessayez après 10:15."
    assert caught.value.message == locked
    assert caught.value.until == NOW + timedelta(minutes=15)
    row = stored(db, "admin")
    assert (row.failed_logins, row.locked_until) == (5, NOW + timedelta(minutes=15))
    assert list_staff(db, now=NOW)[0].locked
    with db.read_session() as session:
        lock = session.scalars(
            sa.select(AuditLog).where(
                AuditLog.entity == "staff_user", AuditLog.action == AuditAction.TRANSITION
            )
        ).one()
    assert (lock.user, lock.entity_id, lock.before) == ("admin", row.id, {"locked_until": None})
    assert lock.after == {"locked_until": "2026-11-23T09:15:00+00:00", "failed_logins": 5}

    # Even the right password is refused until the lock runs out.
    assert refusal(db, "admin", PASSWORD, NOW + timedelta(minutes=14, seconds=59)) == locked
    assert not list_staff(db, now=NOW + timedelta(minutes=15))[0].locked

    later = NOW + timedelta(minutes=15)
    assert authenticate(db, "admin", PASSWORD, now=later).login == "admin"
    row = stored(db, "admin")
    assert (row.failed_logins, row.locked_until, row.last_login_at) == (0, None, later)


def test_after_a_lock_runs_out_the_count_starts_again(db: Database) -> None:
    administrator(db)
    for _ in range(5):
        with pytest.raises(LoginRefusedError):
            authenticate(db, "admin", "wrong", now=NOW)
    assert refusal(db, "admin", "wrong", NOW + timedelta(minutes=16)) == REFUSED
    row = stored(db, "admin")
    assert (row.failed_logins, row.locked_until) == (1, None)


def test_an_administrator_unlocks(db: Database) -> None:
    administrator(db)
    administrator(db, "second", actor="admin")
    for _ in range(5):
        with pytest.raises(LoginRefusedError):
            authenticate(db, "admin", "wrong")
    unlocked = unlock(db, "admin", actor="second")
    assert (unlocked.locked, unlocked.failed_logins) == (False, 0)
    assert authenticate(db, "admin", PASSWORD).login == "admin"


def test_a_hash_with_old_parameters_is_replaced_at_login(db: Database) -> None:
    administrator(db)
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    with db.session_scope() as session:
        session.execute(
            sa.update(StaffUser).where(StaffUser.login == "admin").values(password_hash=weak)
        )

    authenticate(db, "admin", PASSWORD)

    renewed = stored(db, "admin").password_hash
    assert renewed is not None and renewed != weak
    assert renewed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert not PasswordHasher().check_needs_rehash(renewed)
    assert authenticate(db, "admin", PASSWORD).login == "admin"


def test_a_current_hash_is_kept(db: Database) -> None:
    administrator(db)
    before = stored(db, "admin").password_hash
    authenticate(db, "admin", PASSWORD)
    assert stored(db, "admin").password_hash == before


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    login=st.one_of(
        st.text(),
        st.sampled_from(["admin", "ADMIN", "admin\x00", "\x00", "a" * 1_000_000, "admin' --"]),
    ),
    password=st.one_of(
        st.text(st.characters(codec=None)),
        st.sampled_from(["", "\x00", "\ud800", PASSWORD + "\x00", PASSWORD * 100_000]),
    ),
)
def test_any_text_is_refused_without_crashing(db: Database, login: str, password: str) -> None:
    if not staff_accounts_in_use(db):
        administrator(db)
    with pytest.raises(LoginRefusedError):
        authenticate(db, login, password)


# --- passwords --------------------------------------------------------------------------


def test_a_user_changes_their_own_password(db: Database) -> None:
    administrator(db)
    with pytest.raises(ValidationError) as caught:
        change_password(db, "admin", "not it", "a new password")
    assert caught.value.errors == {"old_password": "Ce n'est pas votre mot de passe actuel."}
    with pytest.raises(ValidationError) as caught:
        change_password(db, "admin", PASSWORD, PASSWORD)
    assert caught.value.errors == {"new_password": "Il doit être différent du mot de passe actuel."}
    with pytest.raises(ValidationError) as caught:
        change_password(db, "admin", "not it", "short")
    assert caught.value.errors == {
        "old_password": "Ce n'est pas votre mot de passe actuel.",
        "new_password": "10 caractères au moins (5 saisis).",
    }

    change_password(db, "admin", PASSWORD, "a new password")

    row = stored(db, "admin")
    assert row.must_change_password is False
    assert row.password_changed_at is not None
    assert refusal(db, "admin", PASSWORD) == REFUSED
    assert authenticate(db, "admin", "a new password").login == "admin"


def test_a_reset_password_must_be_changed_at_the_next_login(db: Database) -> None:
    administrator(db)
    add_staff(db, "bob", "Bob Durand", StaffRole.BILLING, PASSWORD, actor="admin")
    for _ in range(5):
        with pytest.raises(LoginRefusedError):
            authenticate(db, "bob", "forgotten")

    row = reset_password(db, "bob", "temporaire-123", actor="admin")

    assert (row.must_change_password, row.locked, row.failed_logins) == (True, False, 0)
    account = authenticate(db, "bob", "temporaire-123")
    assert account == StaffAccount("bob", "Bob Durand", StaffRole.BILLING, True)
    change_password(db, "bob", "temporaire-123", "mon secret à moi")
    assert authenticate(db, "bob", "mon secret à moi").must_change_password is False


def test_a_reset_follows_the_password_policy(db: Database) -> None:
    administrator(db)
    with pytest.raises(ValidationError) as caught:
        reset_password(db, "admin", "admin", actor="admin")
    assert caught.value.errors == {"new_password": "10 caractères au moins (5 saisis)."}
    with pytest.raises(NotFoundError) as missing:
        reset_password(db, "ghost", "a long password", actor="admin")
    assert missing.value.message == "Aucun compte du personnel n'a l'identifiant « ghost »."


# --- roles and the last administrator ---------------------------------------------------


def test_the_last_active_administrator_stays_one(db: Database) -> None:
    administrator(db)
    last = (
        "« admin » est le dernier administrateur actif : nommez d'abord un autre administrateur. "
        "Rien n'a été enregistré."
    )
    for change in (
        lambda: set_role(db, "admin", StaffRole.READ_ONLY, actor="admin"),
        lambda: set_active(db, "admin", False, actor="admin"),
    ):
        with pytest.raises(UserError) as caught:
            change()
        assert caught.value.message == last
    row = stored(db, "admin")
    assert (row.role, row.active) == (StaffRole.ADMIN, True)

    add_staff(db, "second", "Second", StaffRole.SUPPORT, PASSWORD, actor="admin")
    disabled_admin = set_role(db, "second", StaffRole.ADMIN, actor="admin")
    set_active(db, "second", False, expected_version=disabled_admin.version, actor="admin")
    with pytest.raises(UserError):  # a disabled administrator does not count
        set_role(db, "admin", StaffRole.SUPPORT, actor="admin")

    set_active(db, "second", True, actor="admin")
    demoted = set_role(db, "admin", StaffRole.SUPPORT, actor="second")
    assert demoted.role is StaffRole.SUPPORT
    assert staff_account(db, "admin").role is StaffRole.SUPPORT


def test_a_stale_edit_is_refused(db: Database) -> None:
    administrator(db)
    add_staff(db, "bob", "Bob", StaffRole.SUPPORT, PASSWORD, actor="admin")
    read = staff_account(db, "bob")
    set_role(db, "bob", StaffRole.BILLING, expected_version=read.version, actor="admin")
    with pytest.raises(ConflictError) as caught:
        set_active(db, "bob", False, expected_version=read.version, actor="admin")
    assert caught.value.message.startswith("Ce compte a été modifié par admin le ")
    assert stored(db, "bob").active is True


def test_changes_reach_the_audit_trail_but_never_a_hash(db: Database) -> None:
    administrator(db)
    add_staff(db, "bob", "Bob", StaffRole.SUPPORT, PASSWORD, actor="admin")
    set_role(db, "bob", StaffRole.BILLING, actor="admin")
    reset_password(db, "bob", "temporaire-123", actor="admin")
    for _ in range(2):  # login bookkeeping is not an edit of the account
        with pytest.raises(LoginRefusedError):
            authenticate(db, "bob", "wrong")
    bob = stored(db, "bob")
    with db.read_session() as session:
        entries = session.execute(
            sa.select(AuditLog.user, AuditLog.action, AuditLog.before, AuditLog.after)
            .where(AuditLog.entity == "staff_user", AuditLog.entity_id == bob.id)
            .order_by(AuditLog.id)
        ).all()
    assert [(entry.user, entry.action) for entry in entries] == [
        ("admin", AuditAction.CREATE),
        ("admin", AuditAction.UPDATE),
        ("admin", AuditAction.UPDATE),
    ]
    assert entries[0].after["password_hash"] == "***"
    assert (entries[1].before, entries[1].after) == (
        {"role": "support"},
        {"role": "billing", "_version": 2},
    )
    assert entries[2].after["must_change_password"] is True
    assert entries[2].after["password_hash"] == "***"
    assert "$argon2" not in str([tuple(entry) for entry in entries])
