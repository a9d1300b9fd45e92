"""Failure notifications (O365 §3): the list, the form, the deadlines of each one.

Status is derived from the data and from one explicit action:

* OPEN while ``restored_at`` is empty; RESTORED once it is set (saving a form with a
  restoration time moves open → restored, clearing it moves back to open);
* CLOSED only through :func:`close_incident` (a restored notification), back to open
  through :func:`reopen_incident` (the failure is back: the restoration is cleared).

A closed notification is read only. The client of a notification may change only
while it is open: once restored, its downtime counts in the client's availability.
The number (``ND-2026-00042``) is taken from the provider's format when the
notification is created, in the same transaction (gap-free, one series per year of
receipt). Deadlines follow the provider's support calendar and objectives
(:mod:`desktop.domain.support_hours`).

Each creation, change, close and reopen is written to the audit trail by the
session hook of :mod:`desktop.db.audit` (entity ``incident``), with the mailboxes
named and the reason of a reopening added to the row: the lifecycle log has no
column for incidents.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db import audit
from desktop.db.engine import Database
from desktop.db.models import (
    Client,
    Domain,
    Incident,
    IncidentMailbox,
    Mailbox,
    ProductLine,
    Provider,
)
from desktop.domain.clock import PARIS, as_utc, utc_now
from desktop.domain.domain_names import display_domain_name
from desktop.domain.enums import (
    ExcusableCategory,
    IncidentChannel,
    IncidentStatus,
    ProductLineCode,
)
from desktop.domain.roles import Permission
from desktop.domain.support_hours import SupportCalendar, replacement_deadline
from desktop.errors import UserError
from desktop.services.access import requires
from desktop.services.conflicts import Noun, Target, load_for_update, not_found, write_scope
from desktop.services.counters import next_number
from desktop.services.fields import raise_if_any, required_reason
from desktop.services.listing import (
    Column,
    ListQuery,
    ListSpec,
    Page,
    enum_filter,
    enum_order,
    fetch_page,
    id_filter,
    labelled_columns,
    lower,
    paris_month_filter,
    related_contains,
    related_filter,
)

INCIDENT = Noun("Cette notification de panne", feminine=True)

DESCRIPTION_MAX = 4000
"""Longest description (and cause) accepted, in characters."""

FUTURE_TOLERANCE = timedelta(minutes=5)
"""How far in the future a typed time may be (clocks of two desktops differ a little)."""

DEFAULT_NUMBER_FORMAT = "ND-{year}-{seq:05d}"
"""Number format used when the provider's settings are not recorded yet."""

NUMBER_SERIES = "incident"
"""Counter series of the notification numbers (one counter per year)."""

# French messages of the form, per field.
CLIENT_REQUIRED = "Choisissez le client."
CHANNEL_REQUIRED = "Indiquez par quel canal la panne a été signalée."
RECEIVED_REQUIRED = "Indiquez la date et l'heure de réception."
RECEIVED_FUTURE = "La réception ne peut pas être dans le futur."
ACKNOWLEDGED_BEFORE = "La prise en compte ne peut pas précéder la réception."
RESTORED_BEFORE = "Le rétablissement ne peut pas précéder la réception."
RESTORED_FUTURE = "Le rétablissement ne peut pas être dans le futur."
DESCRIPTION_REQUIRED = "Décrivez la panne."
FOUND_WITHOUT_REPLACEMENT = (
    "Une date de constat ne s'indique que pour un remplacement d'équipement."
)
DOMAIN_OF_ANOTHER_CLIENT = "Ce domaine n'appartient pas au client."
MAILBOX_OF_ANOTHER_CLIENT = "Une boîte concernée n'appartient pas au client."
MAILBOX_OF_ANOTHER_DOMAIN = "Une boîte concernée n'appartient pas au domaine choisi."
PRODUCT_LINE_UNKNOWN = "Cette gamme n'existe pas."
CLIENT_FIXED = "Le client ne peut plus changer une fois la panne rétablie."
CLIENT_UNKNOWN = "Ce client n'existe pas."


# --- what the services take and give --------------------------------------------------


@dataclass(frozen=True)
class IncidentDraft:
    """The form of a failure notification; naive datetimes are Paris time."""

    client_id: int | None
    product_line_id: int | None
    domain_id: int | None
    mailbox_ids: tuple[int, ...]
    channel: IncidentChannel | None
    received_at: datetime | None
    description: str
    acknowledged_at: datetime | None = None
    restored_at: datetime | None = None
    cause: str | None = None
    excusable_category: ExcusableCategory | None = None
    equipment_replacement: bool = False
    equipment_found_at: datetime | None = None


@dataclass(frozen=True)
class IncidentClock:
    """The deadlines of one notification at a given instant."""

    restoration_deadline: datetime
    """Receipt + the restoration objective in support hours (Paris time)."""
    support_left: timedelta
    """Support time left until the deadline at ``now`` (at the restoration once
    restored); negative once breached: minus the support time elapsed past it."""
    breached: bool
    replacement_deadline: datetime | None
    """Equipment found (else received) + the replacement objective, wall clock;
    only for an equipment replacement."""


@dataclass(frozen=True)
class IncidentDetails:
    """One failure notification as the form shows it."""

    id: int
    version: int
    number: str
    client_id: int
    client_name: str
    product_line_id: int | None
    product_line_name: str | None
    domain_id: int | None
    domain_name: str | None  # Unicode form, for people
    mailboxes: tuple[tuple[int, str], ...]  # (id, address), by address
    channel: IncidentChannel
    received_at: datetime
    acknowledged_at: datetime | None
    restored_at: datetime | None
    description: str
    cause: str | None
    excusable_category: ExcusableCategory | None
    equipment_replacement: bool
    equipment_found_at: datetime | None
    status: IncidentStatus
    clock: IncidentClock
    updated_at: datetime
    updated_by: str | None


@dataclass(frozen=True)
class IncidentRow:
    """One line of the list; ``deadline`` and ``support_left`` only for open ones."""

    id: int
    number: str
    client_id: int
    client_name: str
    product_line_name: str | None
    domain_name: str | None  # Unicode form, for people
    channel: IncidentChannel
    received_at: datetime
    restored_at: datetime | None
    status: IncidentStatus
    excusable_category: ExcusableCategory | None
    description: str
    acknowledged_at: datetime | None = None
    deadline: datetime | None = None
    support_left: timedelta | None = None
    breached: bool = False  # the deadline has passed (even with no support time since)

    @property
    def clock_state(self) -> tuple[timedelta, bool] | None:
        """(support time left, deadline passed) of an open notification, for the list."""
        return None if self.support_left is None else (self.support_left, self.breached)


@dataclass(frozen=True)
class Objectives:
    """The provider's support calendar and objectives, read once."""

    calendar: SupportCalendar
    restoration: timedelta
    replacement: timedelta


# --- settings -------------------------------------------------------------------------


def support_calendar(source: Session | Database) -> SupportCalendar:
    """The support calendar of the provider's settings (the contract's when none)."""
    return objectives(source).calendar


def objectives(source: Session | Database) -> Objectives:
    """The support calendar and the objectives of the provider's settings."""
    if isinstance(source, Database):
        with source.read_session() as session:
            return _objectives(session)
    return _objectives(source)


def _objectives(session: Session) -> Objectives:
    provider = session.get(Provider, 1)
    if provider is None:
        return Objectives(SupportCalendar.default(), timedelta(hours=8), timedelta(hours=96))
    calendar = SupportCalendar(
        opens_at=_plain_time(provider.support_opens_at),
        closes_at=_plain_time(provider.support_closes_at),
        alsace_moselle=provider.support_alsace_moselle,
    )
    return Objectives(
        calendar,
        timedelta(hours=provider.restoration_target_hours),
        timedelta(hours=provider.equipment_replacement_hours),
    )


def _plain_time(value: time) -> time:
    """A time of day without zone (PostgreSQL may give one back)."""
    return value.replace(tzinfo=None)


def incident_clock(
    goals: Objectives,
    received_at: datetime,
    restored_at: datetime | None,
    *,
    now: datetime,
    equipment_found_at: datetime | None = None,
    equipment_replacement: bool = False,
) -> IncidentClock:
    """The deadlines of a notification at ``now`` (frozen at its restoration)."""
    calendar = goals.calendar
    deadline = calendar.add(received_at, goals.restoration)
    end = restored_at if restored_at is not None else now
    breached = end > deadline
    if breached:
        left = -calendar.between(deadline, end)
    else:
        left = calendar.between(end, deadline)
    replacement = None
    if equipment_replacement:
        replacement = replacement_deadline(equipment_found_at or received_at, goals.replacement)
    return IncidentClock(deadline, left, breached, replacement)


# --- validation -----------------------------------------------------------------------


def check_incident(draft: IncidentDraft, *, now: datetime | None = None) -> dict[str, str]:
    """Every error of the form that needs no database (field → French message)."""
    errors: dict[str, str] = {}
    limit = as_utc(now or utc_now()) + FUTURE_TOLERANCE
    if draft.client_id is None:
        errors["client_id"] = CLIENT_REQUIRED
    if draft.channel is None:
        errors["channel"] = CHANNEL_REQUIRED
    received = _utc(draft.received_at)
    if received is None:
        errors["received_at"] = RECEIVED_REQUIRED
    elif received > limit:
        errors["received_at"] = RECEIVED_FUTURE
    _check_times(errors, draft, received, limit)
    _check_texts(errors, draft)
    if draft.equipment_found_at is not None and not draft.equipment_replacement:
        errors["equipment_found_at"] = FOUND_WITHOUT_REPLACEMENT
    return errors


def _check_times(
    errors: dict[str, str], draft: IncidentDraft, received: datetime | None, limit: datetime
) -> None:
    acknowledged = _utc(draft.acknowledged_at)
    restored = _utc(draft.restored_at)
    if acknowledged is not None and received is not None and acknowledged < received:
        errors["acknowledged_at"] = ACKNOWLEDGED_BEFORE
    if restored is not None:
        if received is not None and restored < received:
            errors["restored_at"] = RESTORED_BEFORE
        elif restored > limit:
            errors["restored_at"] = RESTORED_FUTURE


def _check_texts(errors: dict[str, str], draft: IncidentDraft) -> None:
    description = draft.description.strip()
    if not description:
        errors["description"] = DESCRIPTION_REQUIRED
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = _too_long(description)
    cause = (draft.cause or "").strip()
    if len(cause) > DESCRIPTION_MAX:
        errors["cause"] = _too_long(cause)


def _too_long(text: str) -> str:
    return f"{DESCRIPTION_MAX} caractères au maximum ({len(text)} caractères saisis)."


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def _check_relations(session: Session, draft: IncidentDraft, errors: dict[str, str]) -> None:
    """The checks that read the database: client, line, domain and mailboxes."""
    client_id = draft.client_id
    if client_id is not None and session.get(Client, client_id) is None:
        errors.setdefault("client_id", CLIENT_UNKNOWN)
    if (
        draft.product_line_id is not None
        and session.get(ProductLine, draft.product_line_id) is None
    ):
        errors.setdefault("product_line_id", PRODUCT_LINE_UNKNOWN)
    if client_id is None:
        return
    if draft.domain_id is not None:
        owner = session.execute(
            sa.select(Domain.client_id).where(Domain.id == draft.domain_id)
        ).scalar_one_or_none()
        if owner != client_id:
            errors.setdefault("domain_id", DOMAIN_OF_ANOTHER_CLIENT)
    _check_mailboxes(session, draft, client_id, errors)


def _check_mailboxes(
    session: Session, draft: IncidentDraft, client_id: int, errors: dict[str, str]
) -> None:
    wanted = set(draft.mailbox_ids)
    if not wanted:
        return
    found = session.execute(
        sa.select(Mailbox.id, Mailbox.client_id, Mailbox.domain_id).where(Mailbox.id.in_(wanted))
    ).all()
    if len(found) != len(wanted) or any(row.client_id != client_id for row in found):
        errors.setdefault("mailbox_ids", MAILBOX_OF_ANOTHER_CLIENT)
    elif draft.domain_id is not None and any(row.domain_id != draft.domain_id for row in found):
        errors.setdefault("mailbox_ids", MAILBOX_OF_ANOTHER_DOMAIN)


# --- use cases ------------------------------------------------------------------------


@requires(Permission.INCIDENTS)
def create_incident(
    db: Database, draft: IncidentDraft, *, actor: str, now: datetime | None = None
) -> IncidentDetails:
    """Record a failure notification and give it its number (gap-free, per year).

    Raises ValidationError with every field error at once (nothing written).
    """
    errors = check_incident(draft, now=now)
    with write_scope(db) as session:
        _check_relations(session, draft, errors)
        raise_if_any(errors)
        received = as_utc(_required(draft.received_at))
        number = next_number(
            session, NUMBER_SERIES, _number_format(session), received.astimezone(PARIS).date()
        )
        incident = Incident(number=number, updated_by=actor)
        _apply(incident, draft)
        session.add(incident)
        audit.annotate(session, incident, after={"mailbox_ids": sorted(set(draft.mailbox_ids))})
        session.flush()
        _set_mailboxes(session, incident.id, draft.mailbox_ids)
        return _details(session, incident, now)


@requires(Permission.INCIDENTS)
def update_incident(
    db: Database,
    incident_id: int,
    draft: IncidentDraft,
    *,
    expected_version: int,
    actor: str,
    now: datetime | None = None,
) -> IncidentDetails:
    """Save the form of a notification that is not closed.

    Raises ConflictError when another desktop saved it since it was read,
    ValidationError for the form, UserError when it is closed.
    """
    errors = check_incident(draft, now=now)
    target = Target(INCIDENT, Incident, incident_id)
    with write_scope(db, target=target) as session:
        incident = load_for_update(session, target, expected_version)
        _refuse_closed(incident)
        _check_relations(session, draft, errors)
        if incident.status is not IncidentStatus.OPEN and draft.client_id != incident.client_id:
            errors.setdefault("client_id", CLIENT_FIXED)
        raise_if_any(errors)
        _note_mailboxes(session, incident, draft.mailbox_ids)
        _apply(incident, draft)
        incident.updated_by = actor
        incident.updated_at = utc_now()
        _set_mailboxes(session, incident.id, draft.mailbox_ids)
        session.flush()
        return _details(session, incident, now)


@requires(Permission.INCIDENTS)
def close_incident(
    db: Database, incident_id: int, *, expected_version: int, actor: str
) -> IncidentDetails:
    """Close a restored notification: it becomes read only."""
    target = Target(INCIDENT, Incident, incident_id)
    with write_scope(db, target=target) as session:
        incident = load_for_update(session, target, expected_version)
        _refuse_closed(incident)
        if incident.status is not IncidentStatus.RESTORED or incident.restored_at is None:
            raise UserError(
                "Seule une panne rétablie peut être close : indiquez d'abord "
                "la date de rétablissement."
            )
        _transition(session, incident, IncidentStatus.CLOSED, actor, reason=None)
        return _details(session, incident, None)


@requires(Permission.INCIDENTS)
def reopen_incident(
    db: Database, incident_id: int, *, reason: str, expected_version: int, actor: str
) -> IncidentDetails:
    """Reopen a restored or closed notification: the failure is back.

    The restoration time is cleared (the downtime runs on from the receipt);
    the reason and the former restoration time go to the audit trail.
    """
    text = required_reason(reason)
    target = Target(INCIDENT, Incident, incident_id)
    with write_scope(db, target=target) as session:
        incident = load_for_update(session, target, expected_version)
        if incident.status is IncidentStatus.OPEN:
            raise UserError("Cette notification de panne est déjà ouverte.")
        incident.restored_at = None
        _transition(session, incident, IncidentStatus.OPEN, actor, reason=text)
        return _details(session, incident, None)


def get_incident(db: Database, incident_id: int, *, now: datetime | None = None) -> IncidentDetails:
    """One notification with its deadlines at ``now`` (default: the current instant)."""
    with db.read_session() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise not_found(INCIDENT)
        return _details(session, incident, now)


def list_incidents(
    db: Database, query: ListQuery, *, now: datetime | None = None
) -> Page[IncidentRow]:
    """One page of failure notifications: one COUNT, one SELECT and the provider's settings.

    The default sort is the reception time; the list view asks it descending. Open
    notifications carry their restoration deadline and the support time left at ``now``.
    """
    with db.read_session() as session:
        page = fetch_page(session, _LIST_SELECT, query, _LIST_SPEC, _make_row)
        if not any(row.status is IncidentStatus.OPEN for row in page.rows):
            return page
        goals = _objectives(session)
    instant = as_utc(now or utc_now())
    rows = tuple(with_clock(row, goals, instant) for row in page.rows)
    return dataclasses.replace(page, rows=rows)


# --- writing --------------------------------------------------------------------------


def _required(value: datetime | None) -> datetime:
    if value is None:  # pragma: no cover - validated before
        raise ValueError("missing value")
    return value


def _number_format(session: Session) -> str:
    provider = session.get(Provider, 1)
    return DEFAULT_NUMBER_FORMAT if provider is None else provider.incident_number_format


def _apply(incident: Incident, draft: IncidentDraft) -> None:
    """Copy the (validated) form onto the row; the status follows the restoration."""
    incident.client_id = _required_id(draft.client_id)
    incident.product_line_id = draft.product_line_id
    incident.domain_id = draft.domain_id
    incident.channel = _required_channel(draft.channel)
    incident.received_at = as_utc(_required(draft.received_at))
    incident.acknowledged_at = _utc(draft.acknowledged_at)
    incident.restored_at = _utc(draft.restored_at)
    incident.description = draft.description.strip()
    incident.cause = (draft.cause or "").strip() or None
    incident.excusable_category = draft.excusable_category
    incident.equipment_replacement = draft.equipment_replacement
    incident.equipment_found_at = (
        _utc(draft.equipment_found_at) if draft.equipment_replacement else None
    )
    incident.status = IncidentStatus.OPEN if draft.restored_at is None else IncidentStatus.RESTORED


def _required_id(value: int | None) -> int:
    if value is None:  # pragma: no cover - validated before
        raise ValueError("missing id")
    return value


def _required_channel(value: IncidentChannel | None) -> IncidentChannel:
    if value is None:  # pragma: no cover - validated before
        raise ValueError("missing channel")
    return value


def _refuse_closed(incident: Incident) -> None:
    if incident.status is IncidentStatus.CLOSED:
        raise UserError("Cette notification de panne est close : rouvrez-la pour la modifier.")


def _set_mailboxes(session: Session, incident_id: int, mailbox_ids: Sequence[int]) -> None:
    """Replace the mailboxes a notification names."""
    session.execute(sa.delete(IncidentMailbox).where(IncidentMailbox.incident_id == incident_id))
    session.add_all(
        IncidentMailbox(incident_id=incident_id, mailbox_id=mailbox_id)
        for mailbox_id in sorted(set(mailbox_ids))
    )


def _transition(
    session: Session, incident: Incident, status: IncidentStatus, actor: str, reason: str | None
) -> None:
    if reason is not None:
        audit.annotate(session, incident, after={"reason": reason})
    incident.status = status
    incident.updated_by = actor
    incident.updated_at = utc_now()
    session.flush()


def _note_mailboxes(session: Session, incident: Incident, mailbox_ids: Sequence[int]) -> None:
    """Add a change of the mailboxes named to the notification's audit row."""
    before = list(
        session.execute(
            sa.select(IncidentMailbox.mailbox_id)
            .where(IncidentMailbox.incident_id == incident.id)
            .order_by(IncidentMailbox.mailbox_id)
        ).scalars()
    )
    after = sorted(set(mailbox_ids))
    if before != after:
        audit.annotate(
            session, incident, before={"mailbox_ids": before}, after={"mailbox_ids": after}
        )


# --- reading --------------------------------------------------------------------------


def _details(session: Session, incident: Incident, now: datetime | None) -> IncidentDetails:
    client_name = session.execute(
        sa.select(Client.name).where(Client.id == incident.client_id)
    ).scalar_one()
    line_name = _name_of(session, ProductLine.name, ProductLine.id, incident.product_line_id)
    domain = _name_of(session, Domain.name, Domain.id, incident.domain_id)
    mailboxes = session.execute(
        sa.select(Mailbox.id, Mailbox.address)
        .join(IncidentMailbox, IncidentMailbox.mailbox_id == Mailbox.id)
        .where(IncidentMailbox.incident_id == incident.id)
        .order_by(Mailbox.address)
    ).all()
    clock = incident_clock(
        _objectives(session),
        incident.received_at,
        incident.restored_at,
        now=as_utc(now or utc_now()),
        equipment_found_at=incident.equipment_found_at,
        equipment_replacement=incident.equipment_replacement,
    )
    return IncidentDetails(
        id=incident.id,
        version=incident.version,
        number=incident.number,
        client_id=incident.client_id,
        client_name=client_name,
        product_line_id=incident.product_line_id,
        product_line_name=line_name,
        domain_id=incident.domain_id,
        domain_name=None if domain is None else display_domain_name(domain),
        mailboxes=tuple((row.id, row.address) for row in mailboxes),
        channel=incident.channel,
        received_at=incident.received_at,
        acknowledged_at=incident.acknowledged_at,
        restored_at=incident.restored_at,
        description=incident.description,
        cause=incident.cause,
        excusable_category=incident.excusable_category,
        equipment_replacement=incident.equipment_replacement,
        equipment_found_at=incident.equipment_found_at,
        status=incident.status,
        clock=clock,
        updated_at=incident.updated_at,
        updated_by=incident.updated_by,
    )


def _name_of(session: Session, name: Any, key: Any, value: int | None) -> str | None:
    if value is None:
        return None
    found: str | None = session.execute(sa.select(name).where(key == value)).scalar_one_or_none()
    return found


def with_clock(row: IncidentRow, goals: Objectives, now: datetime) -> IncidentRow:
    """An open notification's row with its deadline and support time left at ``now``."""
    if row.status is not IncidentStatus.OPEN:
        return row
    clock = incident_clock(goals, row.received_at, None, now=now)
    return dataclasses.replace(
        row,
        deadline=clock.restoration_deadline,
        support_left=clock.support_left,
        breached=clock.breached,
    )


_COMPUTED = ("deadline", "support_left", "breached")

_COLUMNS: dict[str, Column] = {
    "id": Incident.id,
    "number": Incident.number,
    "client_id": Incident.client_id,
    "client_name": Client.name,
    "product_line_name": ProductLine.name,
    "domain_name": Domain.name,  # the stored A-label; shown in its Unicode form
    "channel": Incident.channel,
    "received_at": Incident.received_at,
    "acknowledged_at": Incident.acknowledged_at,
    "restored_at": Incident.restored_at,
    "status": Incident.status,
    "excusable_category": Incident.excusable_category,
    "description": Incident.description,
}


def _make_row(row: sa.Row[Any]) -> IncidentRow:
    values = dict(row._mapping)
    if values["domain_name"] is not None:
        values["domain_name"] = display_domain_name(values["domain_name"])
    return IncidentRow(**values)


# Product line and domain are optional: outer joins keep the incidents without them.
_LIST_SELECT = (
    sa.select(*labelled_columns(IncidentRow, _COLUMNS, computed=_COMPUTED))
    .select_from(Incident)
    .join(Client, Incident.client_id == Client.id)
    .outerjoin(ProductLine, Incident.product_line_id == ProductLine.id)
    .outerjoin(Domain, Incident.domain_id == Domain.id)
)

_LIST_SPEC = ListSpec(
    count_from=Incident.__table__,
    search_columns=(Incident.number, Incident.description),
    search_matchers=(related_contains(Incident.client_id, Client.id, Client.name, Client.code),),
    filters={
        "id": id_filter(Incident.id, "id"),
        "status": enum_filter(Incident.status, IncidentStatus, "status"),
        "client_id": id_filter(Incident.client_id, "client_id"),
        "product_line": related_filter(
            Incident.product_line_id,
            ProductLine.id,
            enum_filter(ProductLine.code, ProductLineCode, "product_line"),
        ),
        "channel": enum_filter(Incident.channel, IncidentChannel, "channel"),
        "received_month": paris_month_filter(Incident.received_at, "received_month"),
    },
    sorts={
        "number": Incident.number,
        "client": lower(Client.name),
        "received_at": Incident.received_at,
        "restored_at": Incident.restored_at,
        "status": enum_order(Incident.status, IncidentStatus),
        "channel": enum_order(Incident.channel, IncidentChannel),
    },
    default_sort="received_at",
    tie_breaker=Incident.id,
)
