"""Who may call which write service, and who is acting during the call.

Every service that writes is declared with :func:`requires` and the
:class:`~desktop.domain.roles.Permission` it needs. On each call the guard
reads the ``actor`` keyword argument (a staff login) and looks the account up
in the database the service was given (a :class:`Database` or a
:class:`Session` as first argument):

- while the database holds no active administrator account, staff logins are
  not in use yet and every action is allowed (a new single-desktop install);
- otherwise the actor must be an active account whose role grants the
  permission, or the call is refused with :class:`PermissionDeniedError`
  before anything is read or written.

During the call :data:`acting_user` holds the actor, so the audit trail
attributes every change to them (:mod:`desktop.db.audit`). ``GUARDED`` lists
every guarded service, for the role-matrix tests.
"""

from __future__ import annotations

import functools
import inspect
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.acting import acting_user
from desktop.db.engine import Database
from desktop.db.models import StaffUser
from desktop.domain.enums import StaffRole
from desktop.domain.roles import Permission, allows
from desktop.errors import PermissionDeniedError

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Guarded:
    """A write service and the permission it needs."""

    function: Callable[..., Any]
    permission: Permission


GUARDED: dict[str, Guarded] = {}


def requires(permission: Permission) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare that a service needs ``permission``; see the module docstring."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(function)
        if "actor" not in signature.parameters:
            raise TypeError(f"{function.__qualname__} has no 'actor' parameter to check")

        @functools.wraps(function)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            bound = signature.bind_partial(*args, **kwargs)
            actor = bound.arguments.get("actor")
            target = args[0] if args else next(iter(bound.arguments.values()), None)
            if acting_user.get() != actor:  # nested calls were checked by the outer one
                check_permission(target, actor, permission)
            token = acting_user.set(actor)
            try:
                return function(*args, **kwargs)
            finally:
                acting_user.reset(token)

        GUARDED[f"{function.__module__}.{function.__qualname__}"] = Guarded(guarded, permission)
        return guarded

    return decorate


def check_permission(target: Database | Session | Any, actor: Any, permission: Permission) -> None:
    """Refuse ``actor`` unless staff logins are not in use or its role allows ``permission``."""
    if isinstance(target, Session):
        role, accounts_in_use = _lookup(target, actor)
    elif isinstance(target, Database):
        with target.read_session() as session:
            role, accounts_in_use = _lookup(session, actor)
    else:
        raise TypeError("a guarded service takes a Database or a Session first")
    if not accounts_in_use:
        return
    if role is None:
        raise PermissionDeniedError(
            f"Le compte « {actor} » est inconnu ou désactivé : reconnectez-vous. "
            "Rien n'a été enregistré."
        )
    if not allows(role, permission):
        raise PermissionDeniedError(
            f"Votre rôle « {role.label} » ne permet pas {_de(permission.label)}. "
            "Rien n'a été enregistré."
        )


def _de(action: str) -> str:
    """« de » before an action, elided before a vowel: « d'établir des avoirs »."""
    first = unicodedata.normalize("NFKD", action[:1])[:1]
    return f"d'{action}" if first in "aeiouy" else f"de {action}"


def role_of(db: Database, login: str) -> StaffRole | None:
    """The role of an active account; None when unknown, inactive or logins are not in use."""
    with db.read_session() as session:
        role, _in_use = _lookup(session, login)
    return role


def accounts_in_use(session: Session) -> bool:
    """Whether staff must log in: the database holds an active administrator."""
    return bool(
        session.scalar(
            sa.select(sa.exists().where(StaffUser.active, StaffUser.role == StaffRole.ADMIN))
        )
    )


def _lookup(session: Session, actor: Any) -> tuple[StaffRole | None, bool]:
    role = None
    if isinstance(actor, str):
        role = session.scalar(
            sa.select(StaffUser.role).where(StaffUser.login == actor, StaffUser.active)
        )
    return role, role is StaffRole.ADMIN or accounts_in_use(session)
