"""Mailboxes (accounts): create, update, read, list (business rules §3, HE §3, §5)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from desktop.db.engine import Database
from desktop.db.models import Client, Contract, Domain, Mailbox, Plan, ProductLine
from desktop.domain.clock import paris_today, utc_now
from desktop.domain.domain_names import display_domain_name
from desktop.domain.emails import display_address, mailbox_address, normalize_local_part
from desktop.domain.enums import MailboxKind, MailboxStatus, ProductLineCode
from desktop.domain.errors import collect
from desktop.domain.lifecycle import CLOSED_CONTRACTS
from desktop.domain.roles import Permission
from desktop.errors import UserError
from desktop.services.access import requires
from desktop.services.conflicts import (
    MAILBOX,
    Target,
    UniqueRule,
    load_for_update,
    not_found,
    write_scope,
)
from desktop.services.domains import search_variants
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
    id_filter,
    labelled_columns,
    lower,
    related_contains,
    related_filter,
    row_maker,
)

T = TypeVar("T")

MAX_QUOTA_GB = 1024


@dataclass(frozen=True, kw_only=True)
class MailboxDraft:
    """A mailbox as typed. ``kind``/``quota_gb`` None: the plan's kind and quota."""

    contract_id: int
    domain_id: int
    plan_id: int
    local_part: str
    display_name: str | None = None
    kind: MailboxKind | None = None
    quota_gb: int | None = None


@dataclass(frozen=True)
class MailboxDetails:
    id: int
    address: str  # local@a-label, as stored
    display_address: str  # local@unicode, for people
    local_part: str
    display_name: str | None
    kind: MailboxKind
    status: MailboxStatus
    quota_gb: int
    client_id: int
    client_name: str
    contract_id: int
    contract_number: str
    product_line_id: int
    product_line_code: ProductLineCode
    product_line_name: str
    domain_id: int
    domain_name: str
    plan_id: int
    plan_name: str
    requested_on: date | None
    activated_on: date | None
    non_renewal_requested_on: date | None
    ends_on: date | None
    terminated_on: date | None
    deleted_on: date | None
    billing_ends_on: date | None
    """The last billed day when the provider shortened its billing (HE §9.3), else None."""
    version: int
    created_at: datetime
    updated_at: datetime
    updated_by: str | None


@dataclass(frozen=True)
class MailboxRow:
    id: int
    address: str
    display_address: str
    display_name: str | None
    kind: MailboxKind
    status: MailboxStatus
    quota_gb: int
    plan_name: str
    product_line_name: str
    client_id: int
    client_name: str
    domain_name: str
    contract_number: str
    activated_on: date | None


# --- use cases --------------------------------------------------------------------------


@requires(Permission.CUSTOMERS)
def create_mailbox(db: Database, draft: MailboxDraft, *, actor: str) -> MailboxDetails:
    with write_scope(db, unique=_unique_rules(draft)) as session:
        values = _validate(session, draft, None)
        mailbox = Mailbox(
            **values,
            status=MailboxStatus.REQUESTED,
            requested_on=paris_today(),
            updated_by=actor,
        )
        session.add(mailbox)
        session.flush()
        return _details(session, mailbox.id)


@requires(Permission.CUSTOMERS)
def update_mailbox(
    db: Database, mailbox_id: int, draft: MailboxDraft, *, expected_version: int, actor: str
) -> MailboxDetails:
    target = Target(MAILBOX, Mailbox, mailbox_id)
    with write_scope(db, unique=_unique_rules(draft), target=target) as session:
        mailbox = load_for_update(session, target, expected_version)
        if mailbox.status is MailboxStatus.DELETED:
            raise UserError("Cette boîte aux lettres est supprimée : elle ne peut plus changer.")
        for name, value in _validate(session, draft, mailbox).items():
            setattr(mailbox, name, value)
        mailbox.updated_by = actor
        mailbox.updated_at = utc_now()
        session.flush()
        return _details(session, mailbox.id)


def get_mailbox(db: Database, mailbox_id: int) -> MailboxDetails:
    with db.read_session() as session:
        return _details(session, mailbox_id)


def list_mailboxes(db: Database, query: ListQuery) -> Page[MailboxRow]:
    """One page of mailboxes: one COUNT and one SELECT of columns, whatever the size."""
    with db.read_session() as session:
        return fetch_page(session, _LIST_SELECT, query, _LIST_SPEC, _make(MailboxRow))


# --- validation -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Refs:
    """What the draft points to; None when it does not exist."""

    contract: Contract | None
    domain: Domain | None
    plan: Plan | None


def _load(session: Session, draft: MailboxDraft, errors: dict[str, str]) -> _Refs:
    refs = _Refs(
        contract=session.get(Contract, draft.contract_id),
        domain=session.get(Domain, draft.domain_id),
        plan=session.get(Plan, draft.plan_id),
    )
    if refs.contract is None:
        errors["contract_id"] = "Ce contrat est introuvable."
    if refs.domain is None:
        errors["domain_id"] = "Ce domaine est introuvable."
    if refs.plan is None:
        errors["plan_id"] = "Cette formule est introuvable."
    return refs


def _validate(session: Session, draft: MailboxDraft, current: Mailbox | None) -> dict[str, Any]:
    """Every error of the draft at once, or the column values to store."""
    errors: dict[str, str] = {}
    refs = _load(session, draft, errors)
    local = collect(errors, "local_part", lambda: normalize_local_part(draft.local_part))
    display_name = text_field(errors, "display_name", draft.display_name, Mailbox.display_name)
    if current is not None:
        _check_frozen_address(errors, current, draft, local)
    new_contract = current is None or current.contract_id != draft.contract_id
    _check_contract(errors, refs, changed=new_contract)
    _check_plan(errors, refs, changed=current is None or current.plan_id != draft.plan_id)
    quota = _quota(errors, draft.quota_gb, refs.plan)
    if local is not None and refs.domain is not None:
        _check_address_free(session, errors, local, refs.domain, current)
    raise_if_any(errors)
    assert refs.contract is not None and refs.domain is not None and refs.plan is not None
    return {
        "client_id": refs.contract.client_id,
        "product_line_id": refs.contract.product_line_id,
        "contract_id": refs.contract.id,
        "domain_id": refs.domain.id,
        "plan_id": refs.plan.id,
        "local_part": local,
        "address": mailbox_address(local or "", refs.domain.name),
        "display_name": display_name,
        "kind": draft.kind or refs.plan.mailbox_kind,
        "quota_gb": quota,
    }


def _check_contract(errors: dict[str, str], refs: _Refs, *, changed: bool) -> None:
    contract, domain = refs.contract, refs.domain
    if contract is None:
        return
    if changed and contract.status in CLOSED_CONTRACTS:
        errors.setdefault(
            "contract_id",
            f"Le contrat {contract.number} est {contract.status.label.lower()} : "
            "on ne peut plus y ajouter de boîte aux lettres.",
        )
    if domain is not None and domain.client_id != contract.client_id:
        errors.setdefault(
            "domain_id",
            f"Le domaine {display_domain_name(domain.name)} n'appartient pas au client "
            f"du contrat {contract.number} ({contract.client.name}).",
        )


def _check_plan(errors: dict[str, str], refs: _Refs, *, changed: bool) -> None:
    contract, plan = refs.contract, refs.plan
    if plan is None:
        return
    if contract is not None and plan.product_line_id != contract.product_line_id:
        errors.setdefault(
            "plan_id",
            f"La formule {plan.name} n'appartient pas à la gamme "
            f"{contract.product_line.name} du contrat.",
        )
    if changed and not plan.active:
        errors.setdefault("plan_id", f"La formule {plan.name} n'est plus commercialisée.")


def _quota(errors: dict[str, str], value: int | None, plan: Plan | None) -> int | None:
    quota = value if value is not None else (plan.quota_gb if plan is not None else None)
    if quota is not None and (isinstance(quota, bool) or not 0 < quota <= MAX_QUOTA_GB):
        errors.setdefault("quota_gb", f"Le quota doit être compris entre 1 et {MAX_QUOTA_GB} Go.")
    return quota


def _check_frozen_address(
    errors: dict[str, str], current: Mailbox, draft: MailboxDraft, local: str | None
) -> None:
    """Address and contract are only changed while the mailbox is still requested."""
    if current.status is MailboxStatus.REQUESTED:
        return
    why = f"la boîte aux lettres n'est plus à l'état « {MailboxStatus.REQUESTED.label} »."
    if local is not None and local != current.local_part:
        errors.setdefault("local_part", f"L'adresse ne peut plus être modifiée : {why}")
    if draft.domain_id != current.domain_id:
        errors.setdefault("domain_id", f"Le domaine ne peut plus être modifié : {why}")
    if draft.contract_id != current.contract_id:
        errors.setdefault("contract_id", f"Le contrat ne peut plus être changé : {why}")


def _check_address_free(
    session: Session, errors: dict[str, str], local: str, domain: Domain, current: Mailbox | None
) -> None:
    stmt = sa.select(Mailbox.id).where(Mailbox.domain_id == domain.id, Mailbox.local_part == local)
    if current is not None:
        stmt = stmt.where(Mailbox.id != current.id)
    if session.execute(stmt).first() is not None:
        address = mailbox_address(local, display_domain_name(domain.name))
        errors.setdefault("local_part", f"L'adresse {address} existe déjà.")


def _unique_rules(draft: MailboxDraft) -> tuple[UniqueRule, ...]:
    local = (clean(draft.local_part) or "").lower()
    return (
        UniqueRule(
            "uq_mailbox_domain_id_local_part",
            "local_part",
            f"L'adresse « {local} » vient d'être créée sur ce domaine depuis un autre poste.",
        ),
    )


# --- reading ----------------------------------------------------------------------------


_COLUMNS: dict[str, Column] = {
    "id": Mailbox.id,
    "billing_ends_on": Mailbox.billing_ends_on_override,
    "address": Mailbox.address,
    "local_part": Mailbox.local_part,
    "display_name": Mailbox.display_name,
    "kind": Mailbox.kind,
    "status": Mailbox.status,
    "quota_gb": Mailbox.quota_gb,
    "client_id": Mailbox.client_id,
    "client_name": Client.name,
    "contract_id": Mailbox.contract_id,
    "contract_number": Contract.number,
    "product_line_id": Mailbox.product_line_id,
    "product_line_code": ProductLine.code,
    "product_line_name": ProductLine.name,
    "domain_id": Mailbox.domain_id,
    "domain_name": Domain.name,
    "plan_id": Mailbox.plan_id,
    "plan_name": Plan.name,
    "requested_on": Mailbox.requested_on,
    "activated_on": Mailbox.activated_on,
    "non_renewal_requested_on": Mailbox.non_renewal_requested_on,
    "ends_on": Mailbox.ends_on,
    "terminated_on": Mailbox.terminated_on,
    "deleted_on": Mailbox.deleted_on,
    "version": Mailbox.version,
    "created_at": Mailbox.created_at,
    "updated_at": Mailbox.updated_at,
    "updated_by": Mailbox.updated_by,
}


def _display_address(row: sa.Row[Any]) -> str:
    return display_address(row.address)


def _make(row_cls: Callable[..., T]) -> Callable[[sa.Row[Any]], T]:
    return row_maker(row_cls, {"display_address": _display_address})


def _select(row_cls: type[Any]) -> sa.Select[Any]:
    columns = labelled_columns(row_cls, _COLUMNS, computed=["display_address"])
    return (
        sa.select(*columns)
        .select_from(Mailbox)
        .join(Client, Mailbox.client_id == Client.id)
        .join(Domain, Mailbox.domain_id == Domain.id)
        .join(Plan, Mailbox.plan_id == Plan.id)
        .join(ProductLine, Mailbox.product_line_id == ProductLine.id)
        .join(Contract, Mailbox.contract_id == Contract.id)
    )


def _details(session: Session, mailbox_id: int) -> MailboxDetails:
    row = session.execute(_DETAILS_SELECT.where(Mailbox.id == mailbox_id)).one_or_none()
    if row is None:
        raise not_found(MAILBOX)
    return _make(MailboxDetails)(row)


_DETAILS_SELECT = _select(MailboxDetails)
_LIST_SELECT = _select(MailboxRow)

SEARCH_TABLE = sa.table("mailbox_search", sa.column("rowid"))
"""The FTS5 trigram index of mailbox.address and mailbox.display_name (SQLite, migration 0002)."""
TRIGRAM = 3
"""The trigram index finds terms of at least this many characters."""


class _AddressOrName(FunctionElement[Any]):
    """The term in the address or display name: an FTS5 lookup on SQLite, ILIKE elsewhere.

    Holds both forms (``LIKE`` first); the dialect picks one when compiling.
    PostgreSQL's ILIKE is served by the pg_trgm GIN indexes of migration 0002.
    """

    # Not Boolean: SQLite would then render "x = 1" in a WHERE clause.
    type = sa.types.NullType()
    inherit_cache = True
    name = "address_or_name"


@compiles(_AddressOrName)
def _address_or_name_default(element: _AddressOrName, compiler: SQLCompiler, **kw: Any) -> str:
    like, _ = element.clauses
    return compiler.process(like, **kw)


@compiles(_AddressOrName, "sqlite")
def _address_or_name_sqlite(element: _AddressOrName, compiler: SQLCompiler, **kw: Any) -> str:
    _, fts = element.clauses
    return compiler.process(fts, **kw)


def fts_phrase(term: str) -> str:
    """The term as one FTS5 string: double-quoted, inner double quotes doubled."""
    return '"' + term.replace('"', '""') + '"'


def _address_or_name(term: str) -> ColumnElement[bool]:
    """Case-insensitive "address or display name contains term".

    On SQLite a term of 3 characters or more is looked up in the trigram index
    (substring, case-insensitive match like LIKE) instead of scanning the table;
    shorter terms have no trigram and keep the LIKE.
    """
    like = sa.or_(contains(Mailbox.address, term), contains(Mailbox.display_name, term))
    if len(term) < TRIGRAM:
        return like
    phrase = sa.literal(fts_phrase(term), sa.String())
    matching = sa.select(SEARCH_TABLE.c.rowid).where(
        sa.literal_column("mailbox_search").op("MATCH")(phrase)
    )
    return _AddressOrName(like, Mailbox.id.in_(matching))


_LIST_SPEC = ListSpec(
    count_from=Mailbox.__table__,
    search_columns=(),
    search_matchers=(
        _address_or_name,
        related_contains(Mailbox.client_id, Client.id, Client.name),
    ),
    search_variants=search_variants,
    filters={
        "status": enum_filter(Mailbox.status, MailboxStatus, "status"),
        "product_line": related_filter(
            Mailbox.product_line_id,
            ProductLine.id,
            enum_filter(ProductLine.code, ProductLineCode, "product_line"),
        ),
        "client_id": id_filter(Mailbox.client_id, "client_id"),
        "domain_id": id_filter(Mailbox.domain_id, "domain_id"),
        "contract_id": id_filter(Mailbox.contract_id, "contract_id"),
        "plan_id": id_filter(Mailbox.plan_id, "plan_id"),
    },
    sorts={
        "address": Mailbox.address,
        "display_name": lower(Mailbox.display_name),
        "client": lower(Client.name),
        "status": enum_order(Mailbox.status, MailboxStatus),
        "plan": lower(Plan.name),
        "product_line": ProductLine.name,
        "activated_on": Mailbox.activated_on,
    },
    default_sort="address",
    tie_breaker=Mailbox.id,
)
