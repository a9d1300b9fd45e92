"""Write-side helpers shared by every service.

- :func:`write_scope`: one guarded write transaction, translating a stale save
  (``StaleDataError``) into :class:`ConflictError` and a unique violation
  (``IntegrityError``) into a French :class:`ValidationError`;
- :func:`check_version` and :func:`load_for_update`: the explicit optimistic-lock
  check made before writing;
- :class:`Noun` and :func:`not_found`: how messages name each kind of record.

Form-field helpers live in :mod:`desktop.services.fields`, the business clock
in :mod:`desktop.domain.clock`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from desktop.db.audit import table_name
from desktop.db.engine import Database
from desktop.db.models import Base
from desktop.db.models.base import Versioned
from desktop.domain.clock import PARIS, as_utc
from desktop.domain.errors import ValidationError
from desktop.errors import ConflictError, NotFoundError
from desktop.services.audit import changed_fields_text, changes_since

# --- records and their French nouns -----------------------------------------------------


@dataclass(frozen=True)
class Noun:
    """How messages name a kind of record: "Ce client", "Cette boîte aux lettres"."""

    this: str
    feminine: bool = False

    @property
    def e(self) -> str:
        """Past-participle agreement: "modifié" / "modifiée"."""
        return "e" if self.feminine else ""

    @property
    def pronoun(self) -> str:
        return "la" if self.feminine else "le"


CLIENT = Noun("Ce client")
DOMAIN = Noun("Ce domaine")
MAILBOX = Noun("Cette boîte aux lettres", feminine=True)
CONTRACT = Noun("Ce contrat")
PROVIDER = Noun("La fiche du prestataire", feminine=True)


def not_found(noun: Noun) -> NotFoundError:
    subject = "elle" if noun.feminine else "il"
    return NotFoundError(
        f"{noun.this} est introuvable : {subject} a peut-être été supprimé{noun.e} "
        "depuis un autre poste."
    )


def conflict_message(
    noun: Noun,
    changed_by: str | None,
    changed_at: datetime | None,
    fields: Sequence[str] = (),
) -> str:
    """ "Ce client a été modifié par jdupont le 22/11/2026 à 14:05 depuis votre lecture
    (téléphone, adresse) ; rechargez-le…": ``fields`` are the labels of what changed."""
    who = f" par {changed_by}" if changed_by else ""
    when = ""
    if changed_at is not None:
        local = as_utc(changed_at).astimezone(PARIS)
        when = f" le {local:%d/%m/%Y} à {local:%H:%M}"
    return (
        f"{noun.this} a été modifié{noun.e}{who}{when} depuis votre lecture"
        f"{changed_fields_text(fields)} ; "
        f"rechargez-{noun.pronoun} avant d'enregistrer. Rien n'a été enregistré."
    )


def conflict_error(noun: Noun, row: Versioned, since_version: int | None = None) -> ConflictError:
    """The refusal of a stale save; with ``since_version`` (the version the user read), the
    audit trail names who changed which fields since."""
    changed_by, fields = row.updated_by, tuple[str, ...]()
    state = sa.inspect(row)
    if since_version is not None and state.session is not None and state.identity:
        entity = table_name(state.mapper)
        changes = changes_since(state.session, entity, state.identity[0], since_version)
        changed_by = " et ".join(changes.users) or changed_by
        fields = changes.fields
    return ConflictError(
        conflict_message(noun, changed_by, row.updated_at, fields),
        changed_by=row.updated_by,
        current_version=row.version,
    )


def check_version(noun: Noun, row: Versioned, expected_version: int) -> None:
    """Refuse to write over a record changed since the user read it."""
    if row.version != expected_version:
        raise conflict_error(noun, row, since_version=expected_version)


V = TypeVar("V", bound=Versioned)


@dataclass(frozen=True)
class Target(Generic[V]):
    """The record an update is about, to re-read it if the save turns out stale."""

    noun: Noun
    model: type[V]
    row_id: int


def load_for_update(session: Session, target: Target[V], expected_version: int) -> V:
    """The row, locked (PostgreSQL; SQLite writes are serialised), at the expected version."""
    row = session.get(target.model, target.row_id, with_for_update=True)
    if row is None:
        raise not_found(target.noun)
    check_version(target.noun, row, expected_version)
    return row


def _current_conflict(db: Database, target: Target[Any]) -> Exception:
    with db.read_session() as session:
        row = session.get(target.model, target.row_id)
        if row is None:
            return not_found(target.noun)
        return conflict_error(target.noun, row)


# --- unique violations ------------------------------------------------------------------


@dataclass(frozen=True)
class UniqueRule:
    """A unique constraint or index (by name), and the field and message it maps to."""

    constraint: str
    field: str
    message: str

    def matches(self, error: IntegrityError) -> bool:
        text = str(error.orig).strip()
        return f'"{self.constraint}"' in text or text == _sqlite_message(self.constraint)


@cache
def _sqlite_message(constraint: str) -> str:
    """What SQLite says for this constraint: it names the columns, not the constraint."""
    for table in Base.metadata.tables.values():
        items: list[sa.UniqueConstraint | sa.Index] = [
            *(c for c in table.constraints if isinstance(c, sa.UniqueConstraint)),
            *table.indexes,
        ]
        for item in items:
            if item.name == constraint:
                columns = ", ".join(f"{table.name}.{column.name}" for column in item.columns)
                return f"UNIQUE constraint failed: {columns}"
    raise LookupError(f"no constraint or index named {constraint!r}")


@contextmanager
def write_scope(
    db: Database, *, unique: Sequence[UniqueRule] = (), target: Target[Any] | None = None
) -> Iterator[Session]:
    """One write transaction whose expected failures reach the user in French.

    The explicit checks made inside give the precise messages; these
    translations cover the race window between two desktops.
    """
    try:
        with db.session_scope() as session:
            yield session
    except StaleDataError:
        if target is None:
            raise
        raise _current_conflict(db, target) from None
    except IntegrityError as exc:
        rule = next((rule for rule in unique if rule.matches(exc)), None)
        if rule is None:
            raise
        raise ValidationError({rule.field: rule.message}) from exc
