"""The audit trail: one ``audit_log`` row per record created, changed or deleted.

:func:`install` hooks :func:`write_audit_rows` on a session factory's
``after_flush``: there the flush's new, dirty and deleted objects and their
attribute histories are still those of the flush, and new rows have their id.
Each object gives one row, written through the session's connection (adding
ORM objects inside a flush is not allowed):

- CREATE: ``after`` holds the row's values (empty ones left out);
- UPDATE: ``before`` and ``after`` hold the changed columns only; a change of
  the ``status`` column makes it a TRANSITION;
- DELETE: ``before`` holds the row's values.

The bookkeeping columns (``id``, ``created_at``, ``updated_at``,
``updated_by``, ``version``) are left out; ``after`` carries the version the
change produced as ``_version``, so a refused save can tell what changed since
the version the user read (:mod:`desktop.services.conflicts`). Values are
JSON-ready (decimals as text, dates in ISO 8601, enums as their value);
secrets and binary contents are written ``***``.

The user is the staff login acting in a guarded service
(:data:`desktop.db.acting.acting_user`), else the row's ``updated_by``, else
« système ».

Not audited: the trail itself, the outgoing mail queue, counters, the logs
that already say who did what (lifecycle, access-code and dunning events),
and child rows written with their parent — invoice, quote and SEPA debit lines
(an invoice is written whole and frozen once issued, its totals are in its own
row; a quote's totals change with its lines), and a notification's list of
mailboxes (the incident service adds it to the notification's row through
:func:`annotate`). Writes made with Core statements escape the hook: the
services doing them call :func:`record` (one row per invoice issued, one
summary row per billing batch instead of one per invoice).

Nothing in the application updates or deletes ``audit_log`` rows, except
:func:`scrub_personal_values` for the anonymisation of a person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import InstanceState, Mapper, Session, sessionmaker

from desktop.db.acting import acting_user
from desktop.db.models import AuditLog
from desktop.domain.clock import utc_now
from desktop.domain.enums import AuditAction

SYSTEM_USER = "système"
MASK = "***"
ANONYMISED = "(anonymisé)"
VERSION_KEY = "_version"

SKIPPED_TABLES = frozenset(
    {
        "audit_log",
        "outbox",
        "outbox_attachment",
        "counter",
        "lifecycle_event",
        "access_code_event",
        "dunning_event",
        "invoice_line",
        "quote_line",
        "sepa_debit",
        "incident_mailbox",
    }
)
"""Tables whose rows are not audited one by one (see the module docstring)."""

BOOKKEEPING = frozenset({"id", "created_at", "updated_at", "updated_by", "version"})
"""Columns every table shares: the audit row itself says who and when."""

SECRET_COLUMNS = frozenset({("sepa_batch", "xml")})
"""Columns masked besides password and code hashes and binary columns: whole documents."""

_NOTES = "audit_notes"


def install(factory: sessionmaker[Session]) -> None:
    """Audit every flush of the sessions ``factory`` makes."""
    event.listen(factory, "after_flush", write_audit_rows)


def write_audit_rows(session: Session, _context: Any = None) -> None:
    """The ``after_flush`` hook: one audit row per inserted, updated or deleted object."""
    notes: dict[InstanceState[Any], dict[str, dict[str, Any]]] = session.info.get(_NOTES, {})
    rows = [
        *_rows(session.new, AuditAction.CREATE, notes),
        *_rows(session.dirty, AuditAction.UPDATE, notes),
        *_rows(session.deleted, AuditAction.DELETE, notes),
    ]
    if rows:
        session.connection().execute(sa.insert(AuditLog), rows)


def annotate(
    session: Session,
    obj: object,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """Add values to the audit row of ``obj``'s next flush (a reason, a list of children).

    Call it before the flush that writes the object: an object whose only
    change is a bookkeeping column is then audited with these values alone.
    """
    notes = session.info.setdefault(_NOTES, {})
    note = notes.setdefault(sa.inspect(obj), {"before": {}, "after": {}})
    note["before"].update(json_ready(dict(before or {})))
    note["after"].update(json_ready(dict(after or {})))


def entry(
    entity: str,
    entity_id: int,
    action: AuditAction,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    user: str | None = None,
) -> dict[str, Any]:
    """One audit row to :func:`record`; the user is the acting one, else ``user``."""
    return {
        "at": utc_now(),
        "user": acting_user.get() or user or SYSTEM_USER,
        "entity": entity,
        "entity_id": entity_id,
        "action": action,
        "before": None if before is None else json_ready(before),
        "after": None if after is None else json_ready(after),
    }


def record(session: Session, entries: Sequence[Mapping[str, Any]]) -> None:
    """Write audit rows directly (one statement): for changes made with Core statements."""
    if entries:
        session.connection().execute(sa.insert(AuditLog), list(entries))


def scrub_personal_values(
    session: Session, entity: str, entity_id: int, fields: Iterable[str]
) -> int:
    """Replace the values of ``fields`` by « (anonymisé) » in a record's audit rows.

    The rows stay (who changed what, when); only the personal values go.
    Returns how many rows were changed.
    """
    names = set(fields)
    changed = 0
    for row in session.execute(
        sa.select(AuditLog.id, AuditLog.before, AuditLog.after).where(
            AuditLog.entity == entity, AuditLog.entity_id == entity_id
        )
    ):
        before, after = _scrubbed(row.before, names), _scrubbed(row.after, names)
        if (before, after) != (row.before, row.after):
            session.execute(
                sa.update(AuditLog)
                .where(AuditLog.id == row.id)
                .values(before=before, after=after)
                .execution_options(synchronize_session=False)
            )
            changed += 1
    return changed


def _scrubbed(values: dict[str, Any] | None, names: set[str]) -> dict[str, Any] | None:
    if values is None:
        return None
    return {
        key: ANONYMISED if key in names and value is not None else value
        for key, value in values.items()
    }


# --- one row per object -----------------------------------------------------------------


def _rows(
    objects: Iterable[object],
    action: AuditAction,
    notes: dict[InstanceState[Any], dict[str, dict[str, Any]]],
) -> list[dict[str, Any]]:
    now = utc_now()
    rows = []
    for obj in objects:
        state: InstanceState[Any] = sa.inspect(obj)
        if _audited(state.mapper):
            row = _row(state, action, notes.pop(state, None))
            if row is not None:
                rows.append({"at": now, **row})
    return rows


def _row(
    state: InstanceState[Any], action: AuditAction, note: dict[str, dict[str, Any]] | None
) -> dict[str, Any] | None:
    """The audit row of one object; None for an update that changed nothing audited."""
    before, after = _changes(state, action)
    if note is not None:
        before = {**(before or {}), **note["before"]} or None
        after = {**(after or {}), **note["after"]} or None
    if action is AuditAction.UPDATE:
        if not before and not after:
            return None
        if "status" in (after or {}):
            action = AuditAction.TRANSITION
    if action is not AuditAction.DELETE and state.mapper.version_id_col is not None:
        after = {**(after or {}), VERSION_KEY: state.dict.get("version")}
    return {
        "user": acting_user.get() or state.dict.get("updated_by") or SYSTEM_USER,
        "entity": table_name(state.mapper),
        "entity_id": state.dict["id"],
        "action": action,
        "before": before,
        "after": after,
    }


def table_name(mapper: Mapper[Any]) -> str:
    """The audited entity of a mapped class: its table's name."""
    return cast(sa.Table, mapper.local_table).name


def _audited(mapper: Mapper[Any]) -> bool:
    if table_name(mapper) in SKIPPED_TABLES:
        return False
    primary_key = mapper.primary_key
    return len(primary_key) == 1 and primary_key[0].name == "id"


def _changes(
    state: InstanceState[Any], action: AuditAction
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(before, after) of one object: whole for a creation or deletion, else what changed."""
    if action is AuditAction.CREATE:
        return None, _values(state)
    if action is AuditAction.DELETE:
        return _values(state), None
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, column in _columns(state):
        history = state.attrs[name].history
        if not history.added and not history.deleted:
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        before[column.name] = _json_value(column, old)
        after[column.name] = _json_value(column, new)
    return before, after


def _values(state: InstanceState[Any]) -> dict[str, Any]:
    """The row's non-empty values, as loaded (nothing is read from the database)."""
    values = {}
    for name, column in _columns(state):
        value = state.dict.get(name)
        if value is not None:
            values[column.name] = _json_value(column, value)
    return values


def _columns(state: InstanceState[Any]) -> Iterable[tuple[str, sa.Column[Any]]]:
    for prop in state.mapper.column_attrs:
        column = prop.columns[0]
        if isinstance(column, sa.Column) and column.name not in BOOKKEEPING:
            yield prop.key, column


def _json_value(column: sa.Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if _is_secret(column):
        return MASK
    return json_value(value)


def _is_secret(column: sa.Column[Any]) -> bool:
    name = column.name
    return (
        isinstance(column.type, sa.LargeBinary)
        or name.endswith(("password_hash", "code_hash", "secret"))
        or (column.table.name, name) in SECRET_COLUMNS
    )


def json_value(value: Any) -> Any:
    """A value as JSON can hold it: decimals as text, dates in ISO 8601, enums as value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return MASK
    if isinstance(value, Mapping):
        return json_ready(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [json_value(item) for item in value]
    return str(value)


def json_ready(values: Mapping[str, Any]) -> dict[str, Any]:
    return {str(key): json_value(value) for key, value in values.items()}
