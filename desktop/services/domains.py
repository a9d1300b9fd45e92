"""Domains of the clients: create, update, read, list (business rules §2, HE §4-5)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import idna
import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import Client, Domain, Mailbox, Provider
from desktop.domain.clock import utc_now
from desktop.domain.domain_names import (
    DEFAULT_REFUSED_TLDS,
    display_domain_name,
    normalize_domain_name,
)
from desktop.domain.enums import DnsStatus, LifecycleKind, MailboxStatus
from desktop.domain.errors import InvalidValue, collect
from desktop.domain.roles import Permission
from desktop.errors import UserError
from desktop.services.access import requires
from desktop.services.conflicts import (
    DOMAIN,
    Target,
    UniqueRule,
    load_for_update,
    not_found,
    write_scope,
)
from desktop.services.events import Subject, log_event
from desktop.services.fields import clean, raise_if_any, required_reason
from desktop.services.listing import (
    Column,
    ListQuery,
    ListSpec,
    Page,
    bool_filter,
    enum_filter,
    fetch_page,
    id_filter,
    labelled_columns,
    lower,
    related_contains,
    row_maker,
)

T = TypeVar("T")

ADMIN_CERTIFICATION_REQUIRED = (
    "Le service ne peut être installé que sur un domaine dont le client est "
    "l'administrateur (il peut en modifier les DNS), pendant toute la durée du contrat "
    "(HE §4) : faites certifier ce point par le client, puis cochez la case."
)


@dataclass(frozen=True, kw_only=True)
class DomainDraft:
    client_id: int
    name: str  # its errors are keyed "domain_name": "Nom de domaine", not a client's "Nom"
    is_primary: bool = False
    antispam_enabled: bool = True
    # The client certifies it administers the domain (HE §4): required to save.
    admin_certified: bool = False


@dataclass(frozen=True)
class DomainDetails:
    id: int
    client_id: int
    client_code: str
    client_name: str
    name: str  # lower-case A-label, as stored
    display_name: str  # Unicode form, for people
    is_primary: bool
    antispam_enabled: bool
    admin_certified_at: datetime | None
    admin_certified_by: str | None
    dns_status: DnsStatus
    mailbox_count: int
    version: int
    created_at: datetime
    updated_at: datetime
    updated_by: str | None


@dataclass(frozen=True)
class DomainRow:
    id: int
    client_id: int
    client_name: str
    name: str
    display_name: str
    is_primary: bool
    antispam_enabled: bool
    admin_certified_at: datetime | None
    dns_status: DnsStatus
    mailbox_count: int


# --- use cases --------------------------------------------------------------------------


@requires(Permission.CUSTOMERS)
def create_domain(db: Database, draft: DomainDraft, *, actor: str) -> DomainDetails:
    with write_scope(db, unique=_unique_rules(draft)) as session:
        errors: dict[str, str] = {}
        _check_client(session, errors, draft.client_id)
        name = _name(session, errors, draft.name, None)
        _check_certified(errors, draft)
        raise_if_any(errors)
        domain = Domain(
            client_id=draft.client_id,
            name=name,
            is_primary=_take_primary(session, draft.client_id, None, draft.is_primary, actor),
            antispam_enabled=draft.antispam_enabled,
            updated_by=actor,
        )
        _certify(domain, actor)
        session.add(domain)
        session.flush()
        _log(session, domain, actor, LifecycleKind.ADMIN_CERTIFICATION, None, "certified")
        return _details(session, domain.id)


@requires(Permission.CUSTOMERS)
def update_domain(
    db: Database, domain_id: int, draft: DomainDraft, *, expected_version: int, actor: str
) -> DomainDetails:
    target = Target(DOMAIN, Domain, domain_id)
    with write_scope(db, unique=_unique_rules(draft), target=target) as session:
        domain = load_for_update(session, target, expected_version)
        moved = draft.client_id != domain.client_id
        name = _validate_update(session, domain, draft, moved)
        # Other rows first (the index allows one primary per client), then one UPDATE.
        primary = _take_primary(session, draft.client_id, domain.id, draft.is_primary, actor)
        switched = domain.antispam_enabled != draft.antispam_enabled
        domain.name = name
        domain.client_id = draft.client_id
        domain.is_primary = primary
        domain.antispam_enabled = draft.antispam_enabled
        domain.updated_by = actor
        domain.updated_at = utc_now()
        if moved:  # the new client certifies in its turn
            _certify(domain, actor)
            _log(session, domain, actor, LifecycleKind.ADMIN_CERTIFICATION, None, "certified")
        if switched:  # on the administrator's request; applies to the whole domain
            before, after = ("off", "on") if draft.antispam_enabled else ("on", "off")
            _log(session, domain, actor, LifecycleKind.ANTISPAM, before, after)
        session.flush()
        return _details(session, domain.id)


@requires(Permission.CUSTOMERS)
def set_antispam(
    db: Database,
    domain_id: int,
    enabled: bool,
    *,
    reason: str,
    expected_version: int,
    actor: str,
) -> DomainDetails:
    """Switch anti-spam filtering of the whole domain, on its administrator's request (O365 §1)."""
    why = required_reason(reason)
    target = Target(DOMAIN, Domain, domain_id)
    with write_scope(db, target=target) as session:
        domain = load_for_update(session, target, expected_version)
        if domain.antispam_enabled == enabled:
            state = "déjà activé" if enabled else "déjà désactivé"
            raise UserError(f"L'antispam de ce domaine est {state}.")
        domain.antispam_enabled = enabled
        domain.updated_by = actor
        domain.updated_at = utc_now()
        before, after = ("off", "on") if enabled else ("on", "off")
        _log(session, domain, actor, LifecycleKind.ANTISPAM, before, after, why)
        session.flush()
        return _details(session, domain.id)


@requires(Permission.CUSTOMERS)
def certify_admin(
    db: Database, domain_id: int, *, reason: str, expected_version: int, actor: str
) -> DomainDetails:
    """Record again that the client administers the domain (HE §4): date and who."""
    why = required_reason(reason)
    target = Target(DOMAIN, Domain, domain_id)
    with write_scope(db, target=target) as session:
        domain = load_for_update(session, target, expected_version)
        _certify(domain, actor)
        domain.updated_by = actor
        domain.updated_at = utc_now()
        _log(session, domain, actor, LifecycleKind.ADMIN_CERTIFICATION, None, "certified", why)
        session.flush()
        return _details(session, domain.id)


def get_domain(db: Database, domain_id: int) -> DomainDetails:
    with db.read_session() as session:
        return _details(session, domain_id)


def list_domains(db: Database, query: ListQuery) -> Page[DomainRow]:
    with db.read_session() as session:
        return fetch_page(session, _LIST_SELECT, query, _LIST_SPEC, _with_display_name(DomainRow))


# --- rules ------------------------------------------------------------------------------


def refused_tlds(session: Session) -> tuple[str, ...]:
    """The provider's refused extensions (setting), or the default before it is set."""
    setting = session.execute(
        sa.select(Provider.refused_tlds).where(Provider.id == 1)
    ).scalar_one_or_none()
    if setting is None:
        return DEFAULT_REFUSED_TLDS
    return tuple(tld.strip() for tld in setting.split(",") if tld.strip())


def _check_client(session: Session, errors: dict[str, str], client_id: int) -> None:
    if session.get(Client, client_id) is None:
        errors.setdefault("client_id", "Ce client est introuvable.")


def _check_certified(errors: dict[str, str], draft: DomainDraft) -> None:
    if not draft.admin_certified:
        errors.setdefault("admin_certified", ADMIN_CERTIFICATION_REQUIRED)


def _name(
    session: Session, errors: dict[str, str], value: str, domain_id: int | None
) -> str | None:
    """The A-label of the name typed, unique across every client."""
    name = collect(
        errors, "domain_name", lambda: normalize_domain_name(value, refused_tlds(session))
    )
    if name is None:
        return None
    stmt = sa.select(Client.name).join(Domain, Domain.client_id == Client.id)
    stmt = stmt.where(Domain.name == name, Domain.id != (domain_id or 0))
    owner = session.execute(stmt).scalar_one_or_none()
    if owner is not None:
        errors.setdefault("domain_name", _taken_message(display_domain_name(name), owner))
    return name


def _taken_message(display_name: str, owner: str) -> str:
    return f"Le domaine « {display_name} » est déjà enregistré pour le client {owner}."


def _validate_update(session: Session, domain: Domain, draft: DomainDraft, moved: bool) -> str:
    """The new name once every rule of an update holds."""
    errors: dict[str, str] = {}
    name = _name(session, errors, draft.name, domain.id)
    has_mailboxes = _mailbox_total(session, domain.id) > 0
    if moved:
        _check_client(session, errors, draft.client_id)
        _check_move(session, errors, domain, has_mailboxes)
    if has_mailboxes and name is not None and name != domain.name:
        errors.setdefault(
            "domain_name",
            "Ce domaine porte des boîtes aux lettres : son nom ne peut plus être changé.",
        )
    if domain.is_primary and not draft.is_primary and not moved:
        errors.setdefault(
            "is_primary",
            "Un client a toujours un domaine principal : pour retirer celui-ci, "
            "désignez-en un autre comme principal.",
        )
    _check_certified(errors, draft)
    raise_if_any(errors)
    assert name is not None  # no error, so the name was valid
    return name


def _check_move(
    session: Session, errors: dict[str, str], domain: Domain, has_mailboxes: bool
) -> None:
    if has_mailboxes:
        errors.setdefault(
            "client_id",
            "Ce domaine porte des boîtes aux lettres : il ne peut plus changer de client.",
        )
    elif domain.is_primary and _other_domains(session, domain) > 0:
        errors.setdefault(
            "client_id",
            f"C'est le domaine principal du client {domain.client.name} : désignez d'abord "
            "un autre de ses domaines comme principal.",
        )


def _mailbox_total(session: Session, domain_id: int) -> int:
    """Every mailbox of the domain, deleted ones included (they keep its address)."""
    stmt = sa.select(sa.func.count(Mailbox.id)).where(Mailbox.domain_id == domain_id)
    return int(session.execute(stmt).scalar_one())


def _other_domains(session: Session, domain: Domain) -> int:
    stmt = sa.select(sa.func.count(Domain.id)).where(
        Domain.client_id == domain.client_id, Domain.id != domain.id
    )
    return int(session.execute(stmt).scalar_one())


# --- writing ----------------------------------------------------------------------------


def _unique_rules(draft: DomainDraft) -> tuple[UniqueRule, ...]:
    typed = clean(draft.name) or ""
    return (
        UniqueRule(
            "uq_domain_name",
            "domain_name",
            f"Le domaine « {typed} » vient d'être enregistré depuis un autre poste.",
        ),
        UniqueRule(
            "uq_domain_primary_per_client",
            "is_primary",
            "Un autre domaine principal vient d'être désigné pour ce client depuis un autre "
            "poste : rechargez et réessayez.",
        ),
    )


def _take_primary(
    session: Session, client_id: int, domain_id: int | None, wanted: bool, actor: str
) -> bool:
    """Whether the domain is to be its client's primary one, un-setting the previous one.

    It is when asked, or when the client has no (other) primary domain yet.
    """
    others = session.scalars(
        sa.select(Domain).where(
            Domain.client_id == client_id, Domain.is_primary, Domain.id != (domain_id or 0)
        )
    ).all()
    if not wanted and others:
        return False
    for other in others:
        other.is_primary = False
        other.updated_by = actor
        other.updated_at = utc_now()
    session.flush()
    return True


def _certify(domain: Domain, actor: str) -> None:
    domain.admin_certified_at = utc_now()
    domain.admin_certified_by = actor


def _log(
    session: Session,
    domain: Domain,
    actor: str,
    kind: LifecycleKind,
    before: str | None,
    after: str,
    reason: str | None = None,
) -> None:
    subject = Subject(client_id=domain.client_id, domain_id=domain.id)
    log_event(session, kind, subject, actor=actor, reason=reason, change=(before, after))


# --- reading ----------------------------------------------------------------------------


def search_variants(term: str) -> tuple[str, ...]:
    """The IDNA form of a Unicode search term: ``café.fr`` → ``xn--caf-dma.fr``.

    Works for a whole name, a single label (``café``) or an address (``jo@café.fr``).
    """
    if term.isascii():
        return ()
    local, at, host = term.rpartition("@")
    try:
        encoded = normalize_domain_name(host, refused_tlds=())
    except InvalidValue:
        try:
            encoded = idna.encode(host, uts46=True).decode("ascii")
        except (UnicodeError, ValueError, IndexError):
            return ()
    return (f"{local}{at}{encoded}",)


def _mailbox_count() -> sa.ScalarSelect[int]:
    return (
        sa.select(sa.func.count(Mailbox.id))
        .where(Mailbox.domain_id == Domain.id, Mailbox.status != MailboxStatus.DELETED)
        .correlate(Domain)
        .scalar_subquery()
    )


_COLUMNS: dict[str, Column] = {
    "id": Domain.id,
    "client_id": Domain.client_id,
    "client_code": Client.code,
    "client_name": Client.name,
    "name": Domain.name,
    "is_primary": Domain.is_primary,
    "antispam_enabled": Domain.antispam_enabled,
    "admin_certified_at": Domain.admin_certified_at,
    "admin_certified_by": Domain.admin_certified_by,
    "dns_status": Domain.dns_status,
    "mailbox_count": _mailbox_count(),
    "version": Domain.version,
    "created_at": Domain.created_at,
    "updated_at": Domain.updated_at,
    "updated_by": Domain.updated_by,
}


def _select(row_cls: type[Any]) -> sa.Select[Any]:
    columns = labelled_columns(row_cls, _COLUMNS, computed=["display_name"])
    return sa.select(*columns).select_from(Domain).join(Client, Domain.client_id == Client.id)


def _with_display_name(row_cls: Callable[..., T]) -> Callable[[sa.Row[Any]], T]:
    return row_maker(row_cls, {"display_name": lambda row: display_domain_name(row.name)})


def _details(session: Session, domain_id: int) -> DomainDetails:
    row = session.execute(_select(DomainDetails).where(Domain.id == domain_id)).one_or_none()
    if row is None:
        raise not_found(DOMAIN)
    return _with_display_name(DomainDetails)(row)


_LIST_SELECT = _select(DomainRow)

_LIST_SPEC = ListSpec(
    count_from=Domain.__table__,
    search_columns=(Domain.name,),
    search_matchers=(related_contains(Domain.client_id, Client.id, Client.name, Client.code),),
    search_variants=search_variants,
    filters={
        "client_id": id_filter(Domain.client_id, "client_id"),
        "dns_status": enum_filter(Domain.dns_status, DnsStatus, "dns_status"),
        "is_primary": bool_filter(Domain.is_primary, "is_primary"),
    },
    sorts={
        "name": Domain.name,
        "client": lower(Client.name),
        "mailbox_count": _mailbox_count(),
        "created_at": Domain.created_at,
    },
    default_sort="name",
    tie_breaker=Domain.id,
)
