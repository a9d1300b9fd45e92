"""Staff accounts: Argon2id passwords, logging in with a lock-out, administration.

Passwords are hashed with Argon2id (``argon2-cffi``'s :class:`PasswordHasher`,
library defaults); a hash made with older parameters is replaced at the next
successful login. Logging in gives the same refusal for an unknown login, a
disabled account and a wrong password, and takes as long for each (an unknown
login is checked against a dummy hash). After :data:`LOCK_AFTER` consecutive
failures the account is locked for :data:`LOCK_DURATION`.

The login bookkeeping (failures, lock, last login, rehash) is written with
plain UPDATE statements: it does not bump the account's version, so that a
login never makes an administrator's pending edit of the account stale, and it
is committed even when the login is refused.

Managing accounts needs :attr:`Permission.USERS`; while the database holds no
active administrator (a new install) anyone may add one, and the first account
must be an administrator. The last active administrator can be neither demoted
nor disabled. Account changes reach the audit trail through the session hook
(:mod:`desktop.db.audit`, which masks the password hash); the login bookkeeping,
written with Core statements, does not.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from desktop.db import audit
from desktop.db.engine import Database
from desktop.db.models import StaffUser
from desktop.domain.clock import PARIS, as_utc, utc_now
from desktop.domain.emails import normalize_email
from desktop.domain.enums import AuditAction, StaffRole
from desktop.domain.errors import ValidationError, collect
from desktop.domain.roles import Permission
from desktop.domain.staff_accounts import (
    LOCK_AFTER,
    LOCK_DURATION,
    PASSWORD_MAX,
    normalize_login,
    password_problem,
)
from desktop.errors import NotFoundError, UserError
from desktop.services.access import accounts_in_use, requires
from desktop.services.conflicts import Noun, UniqueRule, check_version, write_scope
from desktop.services.fields import raise_if_any, text_field

REFUSED = "Identifiant ou mot de passe incorrect."
ACCOUNT = Noun("Ce compte")
LOGIN_TAKEN = "Cet identifiant est déjà utilisé par un autre compte."
UNIQUE_LOGIN = UniqueRule("uq_staff_user_login", "login", LOGIN_TAKEN)

_hasher = PasswordHasher()


class LoginRefusedError(UserError):
    """A login refused: wrong identifier or password, or a locked account."""


class AccountLockedError(LoginRefusedError):
    """Too many failures: the account refuses every password until ``until``."""

    def __init__(self, until: datetime) -> None:
        local = as_utc(until).astimezone(PARIS)
        super().__init__(
            f"Compte verrouillé après {LOCK_AFTER} essais infructueux : "
            f"réessayez après {local:%H:%M}."
        )
        self.until = until


@dataclass(frozen=True)
class StaffAccount:
    """Who logged in."""

    login: str
    full_name: str
    role: StaffRole
    must_change_password: bool


@dataclass(frozen=True)
class StaffRow:
    """An account as the administrators' list shows it."""

    login: str
    full_name: str
    email: str | None
    role: StaffRole
    active: bool
    locked_until: datetime | None
    """The end of a lock still in force, else None."""
    failed_logins: int
    last_login_at: datetime | None
    must_change_password: bool
    version: int

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


# --- passwords --------------------------------------------------------------------------


def _secret(password: str) -> bytes:
    # "surrogatepass": any Python string can be hashed and checked, none crashes.
    return password.encode("utf-8", "surrogatepass")


def hash_password(password: str) -> str:
    """The Argon2id hash of a password, to store."""
    return _hasher.hash(_secret(password))


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def _matches(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored``; an account without one is checked
    against a dummy hash, so that both take as long."""
    if len(password) > PASSWORD_MAX:
        password = password[:PASSWORD_MAX]
        stored = None  # never the password (none is that long): same time, refused
    try:
        _hasher.verify(stored or _dummy_hash(), _secret(password))
    except (VerificationError, InvalidHashError):
        return False
    return stored is not None


def _check_password(errors: dict[str, str], field: str, login: str, password: str) -> None:
    problem = password_problem(login, password)
    if problem is not None:
        errors.setdefault(field, problem)


# --- logging in -------------------------------------------------------------------------


def _plausible_login(text: str) -> str | None:
    try:
        return normalize_login(text)
    except ValidationError:
        return None


def authenticate(
    db: Database, login: str, password: str, *, now: datetime | None = None
) -> StaffAccount:
    """The account ``login`` when ``password`` is its password; LoginRefusedError if not."""
    at = utc_now() if now is None else as_utc(now)
    wanted = _plausible_login(login)
    if wanted is None:
        _matches(None, password)
        raise LoginRefusedError(REFUSED)
    with db.session_scope() as session:
        row = session.scalar(
            sa.select(StaffUser).where(StaffUser.login == wanted).with_for_update()
        )
        outcome = _attempt(session, row, password, at)
    # Raised once committed: a refusal still records the failure.
    if isinstance(outcome, LoginRefusedError):
        raise outcome
    return outcome


def _attempt(
    session: Session, row: StaffUser | None, password: str, at: datetime
) -> StaffAccount | LoginRefusedError:
    if row is None or not row.active:
        _matches(None, password)
        return LoginRefusedError(REFUSED)
    if row.locked_until is not None and as_utc(row.locked_until) > at:
        return AccountLockedError(row.locked_until)
    failures = 0 if row.locked_until is not None else row.failed_logins  # a lock ran out
    if not _matches(row.password_hash, password):
        return _record_failure(session, row, failures + 1, at)
    changes: dict[str, Any] = {"failed_logins": 0, "locked_until": None, "last_login_at": at}
    if row.password_hash is not None and _hasher.check_needs_rehash(row.password_hash):
        changes["password_hash"] = hash_password(password)
    _bookkeep(session, row, changes)
    return StaffAccount(row.login, row.full_name, row.role, row.must_change_password)


def _record_failure(
    session: Session, row: StaffUser, failures: int, at: datetime
) -> LoginRefusedError:
    if failures < LOCK_AFTER:
        _bookkeep(session, row, {"failed_logins": failures, "locked_until": None})
        return LoginRefusedError(REFUSED)
    until = at + LOCK_DURATION
    _bookkeep(session, row, {"failed_logins": failures, "locked_until": until})
    # The lock is a state change of the account: in the audit trail, under its login.
    audit.record(
        session,
        [
            audit.entry(
                "staff_user",
                row.id,
                AuditAction.TRANSITION,
                before={"locked_until": None},
                after={"locked_until": until, "failed_logins": failures},
                user=row.login,
            )
        ],
    )
    return AccountLockedError(until)


def _bookkeep(session: Session, row: StaffUser, changes: dict[str, Any]) -> None:
    """Login state written without bumping the version nor the last-change stamp."""
    session.execute(
        sa.update(StaffUser)
        .where(StaffUser.id == row.id)
        .values(updated_at=StaffUser.updated_at, **changes)
        .execution_options(synchronize_session=False)
    )


# --- the user's own password ------------------------------------------------------------


def change_password(db: Database, login: str, old_password: str, new_password: str) -> None:
    """A user changes their own password, giving the current one."""
    errors: dict[str, str] = {}
    _check_password(errors, "new_password", login, new_password)
    if not errors and new_password == old_password:
        errors["new_password"] = "Il doit être différent du mot de passe actuel."
    with write_scope(db) as session:
        row = _account(session, login)
        if not row.active or not _matches(row.password_hash, old_password):
            errors = {"old_password": "Ce n'est pas votre mot de passe actuel.", **errors}
        raise_if_any(errors)
        _set_password(row, new_password, must_change=False)
        row.updated_by = row.login


def _set_password(row: StaffUser, password: str, *, must_change: bool) -> None:
    row.password_hash = hash_password(password)
    row.must_change_password = must_change
    row.password_changed_at = utc_now()
    row.failed_logins = 0
    row.locked_until = None


# --- administration ---------------------------------------------------------------------


@requires(Permission.USERS)
def add_staff(
    db: Database,
    login: str,
    full_name: str,
    role: StaffRole,
    password: str,
    *,
    email: str | None = None,
    actor: str,
) -> StaffRow:
    """Create an account; the first one of a database must be an administrator."""
    errors: dict[str, str] = {}
    wanted = collect_login(errors, login)
    name = text_field(
        errors, "full_name", full_name, StaffUser.full_name, required="Indiquez le nom complet."
    )
    address = collect(errors, "email", lambda: normalize_email(email.strip())) if email else None
    _check_password(errors, "password", wanted or login, password)
    raise_if_any(errors)
    assert wanted is not None and name is not None
    with write_scope(db, unique=[UNIQUE_LOGIN]) as session:
        if session.scalar(sa.select(StaffUser.id).where(StaffUser.login == wanted)) is not None:
            raise ValidationError({"login": LOGIN_TAKEN})
        if role is not StaffRole.ADMIN and not accounts_in_use(session):
            raise UserError(
                "Le premier compte doit être un administrateur : "
                "lui seul pourra ensuite créer les autres comptes."
            )
        row = StaffUser(
            login=wanted,
            full_name=name,
            email=address,
            role=role,
            active=True,
            failed_logins=0,
            updated_by=actor,
        )
        _set_password(row, password, must_change=False)
        session.add(row)
        session.flush()
        return _row(row, utc_now())


def collect_login(errors: dict[str, str], login: str) -> str | None:
    """The normalised login, or None with its message in ``errors``."""
    try:
        return normalize_login(login)
    except ValidationError as exc:
        errors.setdefault("login", exc.errors["login"])
        return None


@requires(Permission.USERS)
def reset_password(
    db: Database,
    login: str,
    new_password: str,
    *,
    expected_version: int | None = None,
    actor: str,
) -> StaffRow:
    """An administrator sets a new password, to change at the next login; unlocks."""
    errors: dict[str, str] = {}
    _check_password(errors, "new_password", login, new_password)
    raise_if_any(errors)
    with write_scope(db) as session:
        row = _account(session, login, expected_version)
        _set_password(row, new_password, must_change=True)
        return _saved(session, row, actor)


@requires(Permission.USERS)
def set_role(
    db: Database,
    login: str,
    role: StaffRole,
    *,
    expected_version: int | None = None,
    actor: str,
) -> StaffRow:
    """Give an account another role; the last active administrator stays one."""
    with write_scope(db) as session:
        row = _account(session, login, expected_version)
        if row.role is StaffRole.ADMIN and role is not StaffRole.ADMIN:
            _keep_an_administrator(session, row)
        row.role = role
        return _saved(session, row, actor)


@requires(Permission.USERS)
def set_active(
    db: Database,
    login: str,
    active: bool,
    *,
    expected_version: int | None = None,
    actor: str,
) -> StaffRow:
    """Disable (logins refused) or enable an account; the last active administrator stays."""
    with write_scope(db) as session:
        row = _account(session, login, expected_version)
        if row.active and not active and row.role is StaffRole.ADMIN:
            _keep_an_administrator(session, row)
        row.active = active
        return _saved(session, row, actor)


@requires(Permission.USERS)
def unlock(
    db: Database, login: str, *, expected_version: int | None = None, actor: str
) -> StaffRow:
    """Lift a lock after failed logins (the failure count starts again from zero)."""
    with write_scope(db) as session:
        row = _account(session, login, expected_version)
        row.failed_logins = 0
        row.locked_until = None
        return _saved(session, row, actor)


def _keep_an_administrator(session: Session, row: StaffUser) -> None:
    others = session.scalar(
        sa.select(sa.func.count())
        .select_from(StaffUser)
        .where(StaffUser.active, StaffUser.role == StaffRole.ADMIN, StaffUser.id != row.id)
    )
    if not others and row.active:
        raise UserError(
            f"« {row.login} » est le dernier administrateur actif : nommez d'abord un autre "
            "administrateur. Rien n'a été enregistré."
        )


def _account(session: Session, login: str, expected_version: int | None = None) -> StaffUser:
    wanted = _plausible_login(login)
    row = None
    if wanted is not None:
        row = session.scalar(
            sa.select(StaffUser).where(StaffUser.login == wanted).with_for_update()
        )
    if row is None:
        raise NotFoundError(f"Aucun compte du personnel n'a l'identifiant « {login.strip()} ».")
    if expected_version is not None:
        check_version(ACCOUNT, row, expected_version)
    return row


def _saved(session: Session, row: StaffUser, actor: str) -> StaffRow:
    row.updated_by = actor
    session.flush()
    return _row(row, utc_now())


# --- reading ----------------------------------------------------------------------------


def list_staff(db: Database, *, now: datetime | None = None) -> list[StaffRow]:
    """Every account, by login."""
    at = utc_now() if now is None else as_utc(now)
    with db.read_session() as session:
        rows = session.scalars(sa.select(StaffUser).order_by(StaffUser.login)).all()
        return [_row(row, at) for row in rows]


def staff_account(db: Database, login: str) -> StaffRow:
    """One account, as listed; NotFoundError when there is none of that login."""
    with db.read_session() as session:
        return _row(_account(session, login), utc_now())


def staff_accounts_in_use(db: Database) -> bool:
    """Whether staff must log in: the database holds an active administrator."""
    with db.read_session() as session:
        return accounts_in_use(session)


def _row(row: StaffUser, at: datetime) -> StaffRow:
    locked = row.locked_until if row.locked_until and as_utc(row.locked_until) > at else None
    return StaffRow(
        login=row.login,
        full_name=row.full_name,
        email=row.email,
        role=row.role,
        active=row.active,
        locked_until=locked,
        failed_logins=row.failed_logins,
        last_login_at=row.last_login_at,
        must_change_password=row.must_change_password,
        version=row.version,
    )
