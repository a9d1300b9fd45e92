"""Clients and their contacts: create, update, read, list (business rules §1)."""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.audit import annotate
from desktop.db.engine import Database
from desktop.db.models import Client, Contact, Domain, Mailbox
from desktop.domain.clock import as_utc, utc_now
from desktop.domain.emails import normalize_email
from desktop.domain.enums import ClientKind, ClientStatus, ContactRole, MailboxStatus, PaymentMethod
from desktop.domain.errors import collect, quote_char
from desktop.domain.identifiers import (
    normalize_postcode,
    normalize_siren,
    normalize_siret,
    normalize_vat_number,
)
from desktop.domain.roles import Permission
from desktop.errors import UserError
from desktop.services.access import requires
from desktop.services.conflicts import (
    CLIENT,
    Target,
    UniqueRule,
    load_for_update,
    not_found,
    write_scope,
)
from desktop.services.counters import next_value
from desktop.services.fields import clean, raise_if_any, text_field
from desktop.services.listing import (
    Column,
    ListQuery,
    ListSpec,
    Page,
    contains,
    enum_filter,
    enum_order,
    fetch_page,
    labelled_columns,
    lower,
    row_maker,
)

CLIENT_CODE_SERIES = "client"
CLIENT_CODE_FORMAT = "CL{seq:05d}"
"""Automatic client codes: CL00001, CL00002…"""

_CODE_CHARS = frozenset(string.ascii_uppercase + string.digits + "-_")

# --- public data ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ContactDraft:
    """A contact as typed; ``id`` names an existing contact of the client to update."""

    role: ContactRole
    name: str
    email: str | None = None
    phone: str | None = None
    is_primary: bool = False
    id: int | None = None


@dataclass(frozen=True, kw_only=True)
class ClientDraft:
    """A client as typed. ``code=None``: generated at creation, unchanged by an update."""

    code: str | None = None
    kind: ClientKind
    name: str
    legal_form: str | None = None
    siren: str | None = None
    siret: str | None = None
    vat_number: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str = "FR"
    billing_email: str
    phone: str | None = None
    payment_method: PaymentMethod | None = None
    chorus_pro_id: str | None = None
    chorus_pro_service_code: str | None = None
    consumer_waiver_at: datetime | None = None
    status: ClientStatus = ClientStatus.ACTIVE
    notes: str | None = None
    contacts: tuple[ContactDraft, ...] = ()


@dataclass(frozen=True)
class ContactView:
    id: int
    role: ContactRole
    name: str
    email: str | None
    phone: str | None
    is_primary: bool
    version: int


@dataclass(frozen=True)
class ClientDetails:
    id: int
    code: str
    kind: ClientKind
    name: str
    legal_form: str | None
    siren: str | None
    siret: str | None
    vat_number: str | None
    address_line1: str | None
    address_line2: str | None
    postcode: str | None
    city: str | None
    country: str
    billing_email: str
    phone: str | None
    payment_method: PaymentMethod | None
    chorus_pro_id: str | None
    chorus_pro_service_code: str | None
    consumer_waiver_at: datetime | None
    status: ClientStatus
    notes: str | None
    contacts: tuple[ContactView, ...]
    domain_count: int
    mailbox_count: int
    warnings: tuple[str, ...]
    version: int
    created_at: datetime
    updated_at: datetime
    updated_by: str | None


@dataclass(frozen=True)
class ClientRow:
    id: int
    code: str
    name: str
    kind: ClientKind
    status: ClientStatus
    siren: str | None
    city: str | None
    billing_email: str
    mailbox_count: int
    domain_count: int


# Fields copied as they are from the draft once validated (the rest is computed).
_TEXT_FIELDS = (
    "legal_form",
    "address_line1",
    "address_line2",
    "city",
    "phone",
    "chorus_pro_service_code",
    "notes",
)


# --- use cases --------------------------------------------------------------------------


@requires(Permission.CUSTOMERS)
def create_client(db: Database, draft: ClientDraft, *, actor: str) -> ClientDetails:
    with write_scope(db, unique=_unique_rules(draft)) as session:
        values, contacts = validate_client_draft(session, draft, None, set())
        values["code"] = values["code"] or _next_client_code(session)
        client = Client(**values, updated_by=actor)
        session.add(client)
        _replace_contacts(client, contacts, actor)
        session.flush()
        return _details(session, client)


@requires(Permission.CUSTOMERS)
def update_client(
    db: Database, client_id: int, draft: ClientDraft, *, expected_version: int, actor: str
) -> ClientDetails:
    target = Target(CLIENT, Client, client_id)
    with write_scope(db, unique=_unique_rules(draft), target=target) as session:
        client = load_for_update(session, target, expected_version)
        if client.status is ClientStatus.ANONYMISED:
            raise UserError(
                "Ce client a été anonymisé : sa fiche ne peut plus être modifiée. "
                "Rien n'a été enregistré."
            )
        values, contacts = validate_client_draft(
            session, draft, client_id, {c.id for c in client.contacts}
        )
        values["code"] = values["code"] or client.code
        for name, value in values.items():
            setattr(client, name, value)
        changed_contacts = _contact_changes(client.contacts, contacts)
        if changed_contacts:  # on the client's own audit row: a conflict names them
            annotate(session, client, after={"contacts": changed_contacts})
        _replace_contacts(client, contacts, actor)
        # Always stamped, so that the version moves even when only contacts changed.
        client.updated_by = actor
        client.updated_at = utc_now()
        session.flush()
        return _details(session, client)


def get_client(db: Database, client_id: int) -> ClientDetails:
    with db.read_session() as session:
        client = session.get(Client, client_id)
        if client is None:
            raise not_found(CLIENT)
        return _details(session, client)


def list_clients(db: Database, query: ListQuery) -> Page[ClientRow]:
    with db.read_session() as session:
        return fetch_page(session, _LIST_SELECT, query, _LIST_SPEC, row_maker(ClientRow))


# --- reading ----------------------------------------------------------------------------


def _domain_count() -> sa.ScalarSelect[int]:
    return (
        sa.select(sa.func.count(Domain.id))
        .where(Domain.client_id == Client.id)
        .correlate(Client)
        .scalar_subquery()
    )


def _mailbox_count() -> sa.ScalarSelect[int]:
    """Mailboxes still counting for the client: every status but deleted."""
    return (
        sa.select(sa.func.count(Mailbox.id))
        .where(Mailbox.client_id == Client.id, Mailbox.status != MailboxStatus.DELETED)
        .correlate(Client)
        .scalar_subquery()
    )


def _details(session: Session, client: Client) -> ClientDetails:
    counts = session.execute(
        sa.select(_domain_count(), _mailbox_count()).where(Client.id == client.id)
    ).one()
    contacts = tuple(sorted((_contact_view(c) for c in client.contacts), key=lambda c: c.id))
    return ClientDetails(
        **{name: getattr(client, name) for name in _DETAIL_COLUMNS},
        contacts=contacts,
        domain_count=counts[0],
        mailbox_count=counts[1],
        warnings=_warnings(contacts),
    )


_DETAIL_COLUMNS = tuple(
    name
    for name in ClientDetails.__dataclass_fields__
    if name not in {"contacts", "domain_count", "mailbox_count", "warnings"}
)


def _contact_view(contact: Contact) -> ContactView:
    return ContactView(
        id=contact.id,
        role=contact.role,
        name=contact.name,
        email=contact.email,
        phone=contact.phone,
        is_primary=contact.is_primary,
        version=contact.version,
    )


def _warnings(contacts: tuple[ContactView, ...]) -> tuple[str, ...]:
    """Recommended but not required: an administrator and a billing contact."""
    roles = {c.role for c in contacts}
    warnings = []
    if ContactRole.ADMINISTRATOR not in roles:
        warnings.append("Aucun contact administrateur : c'est lui qui reçoit les codes d'accès.")
    if ContactRole.BILLING not in roles:
        warnings.append(
            "Aucun contact de facturation : les factures et relances iront "
            "à l'e-mail de facturation du client."
        )
    return tuple(warnings)


_LIST_COLUMNS: dict[str, Column] = {
    "id": Client.id,
    "code": Client.code,
    "name": Client.name,
    "kind": Client.kind,
    "status": Client.status,
    "siren": Client.siren,
    "city": Client.city,
    "billing_email": Client.billing_email,
    "mailbox_count": _mailbox_count(),
    "domain_count": _domain_count(),
}
_LIST_SELECT = sa.select(*labelled_columns(ClientRow, _LIST_COLUMNS)).select_from(Client)


def _contact_email_matches(term: str) -> sa.ColumnElement[bool]:
    return sa.exists().where(Contact.client_id == Client.id, contains(Contact.email, term))


_LIST_SPEC = ListSpec(
    count_from=Client.__table__,
    search_columns=(
        Client.code,
        Client.name,
        Client.siren,
        Client.siret,
        Client.billing_email,
        Client.city,
    ),
    search_matchers=(_contact_email_matches,),
    filters={
        "status": enum_filter(Client.status, ClientStatus, "status"),
        "kind": enum_filter(Client.kind, ClientKind, "kind"),
    },
    sorts={
        "code": Client.code,
        "name": lower(Client.name),
        "kind": enum_order(Client.kind, ClientKind),
        "status": enum_order(Client.status, ClientStatus),
        "city": lower(Client.city),
        "created_at": Client.created_at,
        "mailbox_count": _mailbox_count(),
    },
    default_sort="name",
    tie_breaker=Client.id,
)


# --- validation -------------------------------------------------------------------------


@dataclass(frozen=True)
class _CleanContact:
    id: int | None
    role: ContactRole
    name: str | None
    email: str | None
    phone: str | None
    is_primary: bool


def validate_client_draft(
    session: Session, draft: ClientDraft, client_id: int | None, contact_ids: set[int]
) -> tuple[dict[str, Any], list[_CleanContact]]:
    """Every error of the draft at once, or the column values to store."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        name: text_field(errors, name, getattr(draft, name), getattr(Client, name))
        for name in _TEXT_FIELDS
    }
    values["name"] = text_field(
        errors, "name", draft.name, Client.name, required="Le nom du client est obligatoire."
    )
    values["billing_email"] = _email(
        errors, "billing_email", draft.billing_email, "L'e-mail de facturation est obligatoire."
    )
    values.update(_identity(errors, draft))
    values.update(_address(errors, draft))
    values["code"] = _code(session, errors, draft.code, client_id)
    values.update(
        kind=draft.kind,
        status=draft.status,
        payment_method=draft.payment_method,
    )
    contacts = _contacts(errors, draft.contacts, contact_ids)
    raise_if_any(errors)
    return values, contacts


def _email(errors: dict[str, str], field: str, value: str | None, required: str | None) -> Any:
    text = clean(value)
    if text is None:
        if required is not None:
            errors.setdefault(field, required)
        return None
    return collect(errors, field, lambda: normalize_email(text))


def _address(errors: dict[str, str], draft: ClientDraft) -> dict[str, Any]:
    country = (clean(draft.country) or "FR").upper()
    if len(country) != 2 or not (country.isascii() and country.isalpha()):
        errors.setdefault("country", "Le pays s'indique par son code à deux lettres (FR, BE, CH…).")
    raw = clean(draft.postcode)
    postcode = None
    if raw is not None:
        postcode = collect(errors, "postcode", lambda: normalize_postcode(raw, country))
    return {"country": country, "postcode": postcode}


def _identity(errors: dict[str, str], draft: ClientDraft) -> dict[str, Any]:
    """SIREN, SIRET, VAT number, Chorus Pro and consumer waiver, by kind of client."""
    if draft.kind is ClientKind.CONSUMER:
        return _consumer_identity(errors, draft)
    return _organisation_identity(errors, draft)


_CONSUMER_REFUSALS = {
    "siren": "Un particulier n'a pas de SIREN.",
    "siret": "Un particulier n'a pas de SIRET.",
    "vat_number": "Un particulier n'a pas de n° de TVA intracommunautaire.",
    "chorus_pro_id": "Un particulier ne reçoit pas ses factures par Chorus Pro.",
}


def _consumer_identity(errors: dict[str, str], draft: ClientDraft) -> dict[str, Any]:
    for field, message in _CONSUMER_REFUSALS.items():
        if clean(getattr(draft, field)) is not None:
            errors.setdefault(field, message)
    waiver = draft.consumer_waiver_at
    return {
        "siren": None,
        "siret": None,
        "vat_number": None,
        "chorus_pro_id": None,
        "consumer_waiver_at": None if waiver is None else as_utc(waiver),
    }


def _organisation_identity(errors: dict[str, str], draft: ClientDraft) -> dict[str, Any]:
    raw_siren, raw_siret, raw_vat = clean(draft.siren), clean(draft.siret), clean(draft.vat_number)
    siren = None
    if raw_siren is None:
        who = "une entreprise" if draft.kind is ClientKind.BUSINESS else "un organisme public"
        errors.setdefault("siren", f"Le SIREN est obligatoire pour {who}.")
    else:
        siren = collect(errors, "siren", lambda: normalize_siren(raw_siren))
    siret = raw_siret and collect(errors, "siret", lambda: normalize_siret(raw_siret, siren))
    vat = raw_vat and collect(errors, "vat_number", lambda: normalize_vat_number(raw_vat, siren))
    if draft.consumer_waiver_at is not None:
        errors.setdefault(
            "consumer_waiver_at",
            "Seul un particulier renonce à son droit de rétractation (HE §10).",
        )
    chorus = text_field(errors, "chorus_pro_id", draft.chorus_pro_id, Client.chorus_pro_id)
    return {
        "siren": siren,
        "siret": siret,
        "vat_number": vat,
        "chorus_pro_id": chorus,
        "consumer_waiver_at": None,
    }


def _code(
    session: Session, errors: dict[str, str], value: str | None, client_id: int | None
) -> str | None:
    """The code typed (upper-case), None to generate or keep it; unique among clients."""
    code = clean(value)
    if code is None:
        return None
    code = code.upper()
    bad = next((c for c in code if c not in _CODE_CHARS), None)
    if bad is not None:
        errors.setdefault(
            "code",
            f"Caractère {quote_char(bad)} non autorisé dans le code client "
            "(lettres sans accent, chiffres, « - » et « _ »).",
        )
        return None
    code = text_field(errors, "code", code, Client.code)
    owner = _code_owner(session, code or "", client_id)
    if owner is not None:
        errors.setdefault("code", f"Le code « {code} » est déjà utilisé par le client {owner}.")
    return code


def _code_owner(session: Session, code: str, client_id: int | None) -> str | None:
    stmt = sa.select(Client.name).where(Client.code == code)
    if client_id is not None:
        stmt = stmt.where(Client.id != client_id)
    return session.execute(stmt).scalar_one_or_none()


def _contacts(
    errors: dict[str, str], drafts: tuple[ContactDraft, ...], contact_ids: set[int]
) -> list[_CleanContact]:
    contacts = []
    primaries: set[ContactRole] = set()
    seen_ids: set[int] = set()
    for index, draft in enumerate(drafts):
        prefix = f"contacts[{index}]"
        if draft.id is not None and (draft.id not in contact_ids or draft.id in seen_ids):
            errors.setdefault(prefix, "Ce contact n'appartient pas à ce client.")
        seen_ids.add(draft.id or 0)
        if draft.is_primary and draft.role in primaries:
            errors.setdefault(
                f"{prefix}.is_primary",
                f"Un seul contact principal par rôle : le rôle « {draft.role.label} » "
                "en a déjà un.",
            )
        if draft.is_primary:
            primaries.add(draft.role)
        contacts.append(_clean_contact(errors, prefix, draft))
    return contacts


def _clean_contact(errors: dict[str, str], prefix: str, draft: ContactDraft) -> _CleanContact:
    return _CleanContact(
        id=draft.id,
        role=draft.role,
        name=text_field(
            errors,
            f"{prefix}.name",
            draft.name,
            Contact.name,
            required="Le nom du contact est obligatoire.",
        ),
        email=_email(errors, f"{prefix}.email", draft.email, None),
        phone=text_field(errors, f"{prefix}.phone", draft.phone, Contact.phone),
        is_primary=draft.is_primary,
    )


# --- writing ----------------------------------------------------------------------------


def _unique_rules(draft: ClientDraft) -> tuple[UniqueRule, ...]:
    code = (clean(draft.code) or "").upper()
    message = f"Le code « {code} » est déjà utilisé par un autre client."
    if not code:
        message = "Le code client généré est déjà utilisé : enregistrez à nouveau."
    return (UniqueRule("uq_client_code", "code", message),)


def _contact_changes(existing: Sequence[Contact], contacts: Sequence[_CleanContact]) -> str:
    """« 1 ajouté, 1 modifié, 1 supprimé » (only what happened; "" if nothing did): what a
    save does to the client's contacts, told without their personal values."""
    by_id = {contact.id: contact for contact in existing}
    added = sum(1 for c in contacts if c.id not in by_id)
    kept = {c.id: c for c in contacts if c.id is not None and c.id in by_id}
    modified = sum(1 for id_, c in kept.items() if _contact_values(by_id[id_]) != _clean_values(c))
    removed = len(by_id) - len(kept)
    parts = [
        f"{count} {word}{'s' if count > 1 else ''}"
        for count, word in ((added, "ajouté"), (modified, "modifié"), (removed, "supprimé"))
        if count
    ]
    return ", ".join(parts)


def _contact_values(contact: Contact) -> tuple[object, ...]:
    return (contact.role, contact.name, contact.email, contact.phone, contact.is_primary)


def _clean_values(contact: _CleanContact) -> tuple[object, ...]:
    return (contact.role, contact.name or "", contact.email, contact.phone, contact.is_primary)


def _replace_contacts(client: Client, contacts: list[_CleanContact], actor: str) -> None:
    """The client's contacts become exactly ``contacts``: updated, inserted, deleted."""
    existing = {c.id: c for c in client.contacts}
    kept = []
    for clean_contact in contacts:
        contact = existing.get(clean_contact.id or 0) or Contact()
        contact.role = clean_contact.role
        contact.name = clean_contact.name or ""
        contact.email = clean_contact.email
        contact.phone = clean_contact.phone
        contact.is_primary = clean_contact.is_primary
        contact.updated_by = actor
        kept.append(contact)
    client.contacts = kept  # delete-orphan removes the others


def _next_client_code(session: Session) -> str:
    """The next free automatic code; codes typed by hand are skipped."""
    while True:
        code = CLIENT_CODE_FORMAT.format(seq=next_value(session, CLIENT_CODE_SERIES))
        if _code_owner(session, code, None) is None:
            return code
