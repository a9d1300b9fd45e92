"""Reading the audit trail: the viewer's list, its Excel export, what changed since a version.

The trail is written by the session hook of :mod:`desktop.db.audit` and never
edited by the application. Reading it is for administrators
(:attr:`Permission.AUDIT`): :func:`list_audit` and :func:`audit_export` are
guarded and take the ``actor`` keyword. :func:`changes_since` serves the
conflict messages of :mod:`desktop.services.conflicts` (no permission needed:
it only names fields and users).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.audit import VERSION_KEY
from desktop.db.engine import Database
from desktop.db.models import AuditLog, Base
from desktop.documents.xlsx import CellType, XlsxColumn, write_table
from desktop.domain.clock import PARIS, as_utc, utc_now
from desktop.domain.enums import AuditAction
from desktop.domain.errors import FIELD_LABELS
from desktop.domain.roles import Permission
from desktop.errors import UserError
from desktop.services.access import requires
from desktop.services.listing import (
    ListQuery,
    ListSpec,
    Page,
    enum_filter,
    fetch_page,
    id_filter,
)

ENTITY_LABELS: dict[str, str] = {
    "billing_run": "Facturation mensuelle",
    "catalogue_option": "Option du catalogue",
    "client": "Client",
    "client_restriction": "Restriction",
    "contact": "Contact",
    "contract": "Contrat",
    "domain": "Domaine",
    "incident": "Notification de panne",
    "invoice": "Facture",
    "mailbox": "Boîte aux lettres",
    "mailbox_import": "Import de boîtes aux lettres",
    "payment": "Paiement",
    "plan": "Formule",
    "price": "Prix",
    "product_line": "Gamme",
    "provider": "Prestataire",
    "quote": "Devis",
    "sepa_batch": "Lot de prélèvements SEPA",
    "sepa_mandate": "Mandat SEPA",
    "sla_credit": "Avoir SLA",
    "staff_user": "Compte utilisateur",
    "subscribed_option": "Option souscrite",
}
"""French name of each kind of record the trail holds (its table)."""

EXTRA_LABELS: dict[str, str] = {
    "active": "Actif",
    "activated_on": "Activée le",
    "address": "Adresse",
    "admin_certified_at": "Administrateur certifié le",
    "admin_certified_by": "Administrateur certifié par",
    "anonymised_at": "Anonymisé le",
    "availability": "Disponibilité",
    "base": "Base",
    "clients": "Clients",
    "contacts": "Contacts",
    "billing_ends_on_override": "Fin de facturation (forcée)",
    "billing_month": "Mois facturé",
    "buyer_name": "Acheteur",
    "credit_note_id": "Avoir",
    "decided_at": "Décidé le",
    "decision_reason": "Motif de la décision",
    "deleted_on": "Supprimée le",
    "discount_percent": "Remise (%)",
    "dns_autodiscover": "Autodiscover (CNAME)",
    "dns_mx": "Serveur MX",
    "dns_mx_priority": "Priorité MX",
    "dns_spf": "SPF (TXT)",
    "dispute_at": "Contesté le",
    "dispute_reason": "Motif de la contestation",
    "dns_status": "État DNS",
    "due_on": "Échéance",
    "ended_at": "Fin",
    "ends_on": "Fin",
    "equipment_replacement": "Remplacement d'équipement",
    "failed_logins": "Échecs de connexion",
    "first_address": "Première adresse",
    "first_number": "Premier numéro",
    "full_name": "Nom complet",
    "invoices": "Factures",
    "issued": "Émises",
    "issued_at": "Émise le",
    "issued_by": "Émise par",
    "issued_on": "Date d'émission",
    "last_collection_on": "Dernier prélèvement",
    "last_address": "Dernière adresse",
    "last_login_at": "Dernière connexion",
    "last_number": "Dernier numéro",
    "locked_until": "Verrouillé jusqu'au",
    "login": "Identifiant",
    "mailboxes": "Boîtes aux lettres",
    "month": "Mois",
    "must_change_password": "Mot de passe à changer",
    "next_sequence_type": "Prochaine séquence",
    "non_renewal_requested_on": "Non-renouvellement demandé le",
    "number": "Numéro",
    "password_changed_at": "Mot de passe changé le",
    "password_hash": "Mot de passe",
    "password_issued_at": "Mot de passe remis le",
    "password_issued_by": "Mot de passe remis par",
    "rate": "Taux",
    "recorded_by": "Enregistré par",
    "rejected_at": "Rejeté le",
    "rejection_reason": "Motif du rejet",
    "renewed_through": "Renouvelé jusqu'au",
    "requested_on": "Demandée le",
    "rum": "RUM",
    "sent_at": "Envoyé le",
    "started_at": "Début",
    "terminated_on": "Résilié le",
    "termination_requested_on": "Résiliation demandée le",
    "total_excl_vat": "Total HT",
    "total_incl_vat": "Total TTC",
    "total_vat": "TVA",
    "valid_until": "Valable jusqu'au",
}
"""Labels of audited columns that no form error names (FIELD_LABELS has the others)."""

DATE_FROM_AFTER_TO = "La date de début est postérieure à la date de fin."


def field_name(field: str) -> str:
    """French label of an audited column."""
    return FIELD_LABELS.get(field) or EXTRA_LABELS.get(field) or field


def entity_name(entity: str) -> str:
    return ENTITY_LABELS.get(entity, entity)


# --- rows for people --------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field of an audit row: its label and its values as shown (empty: « — »)."""

    field: str
    label: str
    before: str
    after: str

    def text(self, action: AuditAction) -> str:
        """« Téléphone : 01… → 06… »; a creation shows the value, a deletion the former."""
        if action is AuditAction.CREATE:
            return f"{self.label} : {self.after}"
        if action is AuditAction.DELETE:
            return f"{self.label} : {self.before}"
        return f"{self.label} : {self.before} → {self.after}"


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    user: str
    entity: str
    entity_id: int
    action: AuditAction
    changes: tuple[FieldChange, ...]
    name: str | None = None
    """What people call the record (a client's name, a mailbox's address), if known."""

    @property
    def element(self) -> str:
        """« Client Acme Industrie », else « Client n° 12 »."""
        if self.name:
            return f"{entity_name(self.entity)} {self.name}"
        return f"{entity_name(self.entity)} n° {self.entity_id}"

    @property
    def summary(self) -> str:
        """Every change on one line: « Téléphone : 01… → 06… ; Ville : Lyon → Paris »."""
        return " ; ".join(change.text(self.action) for change in self.changes)


NAME_COLUMNS: dict[str, str] = {
    "billing_run": "month",
    "catalogue_option": "name",
    "client": "name",
    "contact": "name",
    "contract": "number",
    "domain": "name",
    "incident": "number",
    "invoice": "number",
    "mailbox": "address",
    "plan": "name",
    "product_line": "name",
    "provider": "name",
    "quote": "number",
    "sepa_batch": "message_id",
    "sepa_mandate": "rum",
    "staff_user": "login",
}
"""The column naming a record of each kind, for the « Élément » column."""


def _make_row(row: sa.Row[Any]) -> AuditRow:
    return AuditRow(
        id=row.id,
        at=row.at,
        user=row.user,
        entity=row.entity,
        entity_id=row.entity_id,
        action=row.action,
        changes=field_changes(row.entity, row.before, row.after),
        name=_recorded_name(row),
    )


def _recorded_name(row: sa.Row[Any]) -> str | None:
    """The name the row itself holds (a creation, a deletion, a renaming)."""
    column = NAME_COLUMNS.get(row.entity)
    for values in (row.after, row.before):
        if column and values and isinstance(values.get(column), str):
            return str(values[column])
    return None


def with_names(session: Session, page: Page[AuditRow]) -> Page[AuditRow]:
    """The page with each record's current name: one SELECT per kind of record shown."""
    wanted: dict[str, set[int]] = {}
    for row in page.rows:
        if row.entity in NAME_COLUMNS and row.action is not AuditAction.DELETE:
            wanted.setdefault(row.entity, set()).add(row.entity_id)
    names: dict[tuple[str, int], str] = {}
    for entity, ids in wanted.items():
        table = Base.metadata.tables[entity]
        column = table.c[NAME_COLUMNS[entity]]
        for record_id, name in session.execute(
            sa.select(table.c.id, column).where(table.c.id.in_(ids))
        ):
            names[entity, record_id] = shown_value(entity, column.name, name)
    rows = tuple(
        dataclasses.replace(row, name=names.get((row.entity, row.entity_id), row.name))
        for row in page.rows
    )
    return dataclasses.replace(page, rows=rows)


def field_changes(
    entity: str, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> tuple[FieldChange, ...]:
    """The fields of an audit row in a stable order, « avant → après » for each."""
    old, new = before or {}, after or {}
    names = [name for name in dict.fromkeys([*old, *new]) if name != VERSION_KEY]
    return tuple(
        FieldChange(
            field=name,
            label=field_name(name),
            before=shown_value(entity, name, old.get(name)),
            after=shown_value(entity, name, new.get(name)),
        )
        for name in names
    )


EMPTY = "—"


def shown_value(entity: str, field: str, value: Any) -> str:
    """A stored value as people read it: labels of enums, French dates, Oui/Non."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, list):
        return ", ".join(shown_value(entity, field, item) for item in value) or EMPTY
    column = _column(entity, field)
    if column is not None and isinstance(value, str):
        return _typed_text(column, value)
    return str(value)


def _column(entity: str, field: str) -> sa.Column[Any] | None:
    table = Base.metadata.tables.get(entity)
    if table is None or field not in table.c:
        return None
    return table.c[field]


def _typed_text(column: sa.Column[Any], value: str) -> str:
    enum_class = getattr(column.type, "enum_class", None)
    if enum_class is not None:
        try:
            return str(getattr(enum_class(value), "label", value))
        except ValueError:
            return value
    python_type = _python_type(column)
    try:
        if python_type is datetime:
            local = as_utc(datetime.fromisoformat(value)).astimezone(PARIS)
            return f"{local:%d/%m/%Y %H:%M}"
        if python_type is date:
            return f"{date.fromisoformat(value):%d/%m/%Y}"
    except ValueError:
        return value
    return value


def _python_type(column: sa.Column[Any]) -> type | None:
    kind = column.type
    if isinstance(kind, sa.types.TypeDecorator):
        kind = kind.impl_instance
    try:
        return kind.python_type
    except NotImplementedError:
        return None


# --- the list ---------------------------------------------------------------------------


def _day_start(value: object, name: str) -> datetime:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise UserError(f"Valeur « {value} » non valable pour le filtre « {name} ».")
    return datetime.combine(value, time(), PARIS)


def _since(value: object) -> sa.ColumnElement[bool]:
    return AuditLog.at >= _day_start(value, "since")


def _until(value: object) -> sa.ColumnElement[bool]:
    """Up to the end of that day (Paris time)."""
    start = _day_start(value, "until")
    following = datetime.combine(start.date() + timedelta(days=1), time(), PARIS)
    return AuditLog.at < following


def _text_filter(column: Any) -> Any:
    return lambda value: column.in_([str(v) for v in _listed(value)])


def _listed(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple | set | frozenset) else [value]


_LIST_SELECT = sa.select(
    AuditLog.id,
    AuditLog.at,
    AuditLog.user,
    AuditLog.entity,
    AuditLog.entity_id,
    AuditLog.action,
    AuditLog.before,
    AuditLog.after,
)

_LIST_SPEC = ListSpec(
    count_from=AuditLog.__table__,
    search_columns=[
        AuditLog.user,
        AuditLog.entity,
        sa.cast(AuditLog.before, sa.Text),
        sa.cast(AuditLog.after, sa.Text),
    ],
    sorts={"at": AuditLog.at, "user": AuditLog.user, "entity": AuditLog.entity},
    default_sort="at",
    tie_breaker=AuditLog.id,
    filters={
        "user": _text_filter(AuditLog.user),
        "entity": _text_filter(AuditLog.entity),
        "entity_id": id_filter(AuditLog.entity_id, "entity_id"),
        "action": enum_filter(AuditLog.action, AuditAction, "action"),
        "since": _since,
        "until": _until,
    },
)

FILTERS = tuple(_LIST_SPEC.filters)
"""Filters of :func:`list_audit`: user, entity, entity_id, action, since, until (dates)."""


def newest_first(query: ListQuery) -> ListQuery:
    """The query, sorted by date, newest first, unless it asks for another sort."""
    if query.sort is None:
        return dataclasses.replace(query, sort="at", descending=True)
    return query


def _check_dates(query: ListQuery) -> None:
    since, until = query.filters.get("since"), query.filters.get("until")
    if isinstance(since, date) and isinstance(until, date) and since > until:
        raise UserError(DATE_FROM_AFTER_TO)


@requires(Permission.AUDIT)
def list_audit(db: Database, query: ListQuery, *, actor: str) -> Page[AuditRow]:
    """One page of the trail, newest first by default (see :data:`FILTERS`)."""
    _check_dates(query)
    with db.read_session() as session:
        page = fetch_page(session, _LIST_SELECT, newest_first(query), _LIST_SPEC, _make_row)
        return with_names(session, page)


@requires(Permission.AUDIT)
def audit_users(db: Database, *, actor: str) -> list[str]:
    """Every login found in the trail, for the viewer's user filter."""
    with db.read_session() as session:
        return list(
            session.execute(sa.select(AuditLog.user).distinct().order_by(AuditLog.user)).scalars()
        )


# --- the Excel export -------------------------------------------------------------------

EXPORT_TITLE = "Journal d'audit"
EXPORT_COLUMNS = (
    XlsxColumn("Date", CellType.DATETIME),
    XlsxColumn("Utilisateur", width=16),
    XlsxColumn("Élément", width=28),
    XlsxColumn("Action", width=18),
    XlsxColumn("Modifications", width=90),
)
EXPORT_PAGE = 1000


@requires(Permission.AUDIT)
def audit_export(
    db: Database, path: Path, query: ListQuery, *, actor: str, now: datetime | None = None
) -> int:
    """Write the rows of ``query`` (every page) to the .xlsx ``path``; how many rows."""
    _check_dates(query)
    local = as_utc(now or utc_now()).astimezone(PARIS)
    note = f"Exporté le {local:%d/%m/%Y à %H:%M} — filtre : {describe_filters(query)}"
    return write_table(
        path,
        sheet=EXPORT_TITLE,
        title=EXPORT_TITLE,
        note=note,
        columns=EXPORT_COLUMNS,
        rows=(_cells(row) for row in _every_row(db, newest_first(query))),
    )


def _every_row(db: Database, query: ListQuery) -> Iterator[AuditRow]:
    offset = 0
    while True:
        page_query = dataclasses.replace(query, offset=offset, limit=EXPORT_PAGE, count=False)
        with db.read_session() as session:
            page = with_names(
                session, fetch_page(session, _LIST_SELECT, page_query, _LIST_SPEC, _make_row)
            )
        yield from page.rows
        if len(page.rows) < EXPORT_PAGE:
            return
        offset += EXPORT_PAGE


def _cells(row: AuditRow) -> tuple[object, ...]:
    return (row.at, row.user, row.element, row.action.label, row.summary)


def describe_filters(query: ListQuery) -> str:
    """The query in words: « utilisateur jdupont, Client, depuis le 01/11/2026 »."""
    parts = []
    filters = query.filters
    if filters.get("user"):
        parts.append(f"utilisateur {', '.join(map(str, _listed(filters['user'])))}")
    if filters.get("entity"):
        parts.append(", ".join(entity_name(str(e)) for e in _listed(filters["entity"])))
    if filters.get("entity_id") is not None:
        parts.append(f"n° {filters['entity_id']}")
    if filters.get("action"):
        labels = {action.value: action.label for action in AuditAction}
        parts.append(", ".join(labels.get(str(a), str(a)) for a in _listed(filters["action"])))
    for key, word in (("since", "depuis le"), ("until", "jusqu'au")):
        value = filters.get(key)
        if isinstance(value, date):
            parts.append(f"{word} {value:%d/%m/%Y}")
    if query.search.strip():
        parts.append(f"recherche « {query.search.strip()} »")
    return ", ".join(parts) or "aucun"


# --- what changed since a version -------------------------------------------------------


@dataclass(frozen=True)
class ChangesSince:
    """Who changed a record after a given version, and which fields (labels, in order)."""

    users: tuple[str, ...]
    fields: tuple[str, ...]


CHANGES_LOOKED_AT = 50
"""Most recent audit rows of a record read to explain a conflict."""


def changes_since(session: Session, entity: str, entity_id: int, version: int) -> ChangesSince:
    """The changes the trail holds for a record after ``version`` (the one a user read)."""
    rows = session.execute(
        sa.select(AuditLog.user, AuditLog.before, AuditLog.after)
        .where(AuditLog.entity == entity, AuditLog.entity_id == entity_id)
        .order_by(AuditLog.id.desc())
        .limit(CHANGES_LOOKED_AT)
    ).all()
    users: dict[str, None] = {}
    fields: dict[str, None] = {}
    for row in reversed(rows):
        after = row.after or {}
        produced = after.get(VERSION_KEY)
        if not isinstance(produced, int) or produced <= version:
            continue
        users[row.user] = None
        for name in [*(row.before or {}), *after]:
            if name != VERSION_KEY:
                fields[field_name(name)] = None
    return ChangesSince(tuple(users), tuple(fields))


def lower_first(label: str) -> str:
    """« Téléphone » → « téléphone », but « SIREN » and « N° de TVA » stay."""
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def changed_fields_text(fields: Sequence[str]) -> str:
    """« (téléphone, adresse) », or nothing."""
    return f" ({', '.join(lower_first(label) for label in fields)})" if fields else ""
