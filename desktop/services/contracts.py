"""Contracts of the clients, one per product line: create, update, read, list (rules §4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import (
    CatalogueOption,
    Client,
    Contract,
    ContractPrice,
    Mailbox,
    Plan,
    ProductLine,
    Provider,
)
from desktop.domain.clock import paris_today, utc_now
from desktop.domain.contracts import Period, running_period
from desktop.domain.enums import (
    ClientKind,
    ContractStatus,
    LifecycleKind,
    MailboxStatus,
    PaymentMethod,
    ProductLineCode,
)
from desktop.domain.lifecycle import CLOSED_CLIENTS, CLOSED_CONTRACTS
from desktop.domain.roles import Permission
from desktop.errors import NotFoundError
from desktop.services.access import requires
from desktop.services.conflicts import CONTRACT, Target, load_for_update, not_found, write_scope
from desktop.services.counters import next_number
from desktop.services.events import Subject, log_event
from desktop.services.fields import raise_if_any, text_field
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
    related_contains,
    related_filter,
    row_maker,
)

CONTRACT_SERIES = "contract"
DEFAULT_NUMBER_FORMAT = "C{year}-{seq:05d}"
MAX_MONTHS = 60


@dataclass(frozen=True)
class ContractRow:
    id: int
    number: str
    client_id: int
    client_name: str
    product_line_id: int
    product_line_name: str
    status: ContractStatus
    signed_on: date | None
    service_start: date | None
    initial_months: int
    renewal_months: int
    payment_method: PaymentMethod | None
    mailbox_count: int  # every status but deleted


@dataclass(frozen=True, kw_only=True)
class ContractDraft:
    """A contract as typed; months None: the product line's default terms."""

    client_id: int
    product_line_id: int
    ordered_on: date | None = None
    signed_on: date | None = None
    service_start: date | None = None
    initial_months: int | None = None
    renewal_months: int | None = None
    payment_method: PaymentMethod | None = None
    consumer_waiver_on: date | None = None
    notes: str | None = None


@dataclass(frozen=True)
class ContractDetails:
    id: int
    number: str
    client_id: int
    client_code: str
    client_name: str
    client_kind: ClientKind
    product_line_id: int
    product_line_code: ProductLineCode
    product_line_name: str
    status: ContractStatus
    ordered_on: date | None
    signed_on: date | None
    service_start: date | None
    initial_months: int
    renewal_months: int
    payment_method: PaymentMethod | None
    consumer_waiver_on: date | None
    termination_requested_on: date | None
    ends_on: date | None
    terminated_on: date | None
    renewed_through: date | None
    signed_scan_name: str | None
    signed_scan_mime: str | None
    notes: str | None
    mailbox_count: int
    version: int
    created_at: datetime
    updated_at: datetime
    updated_by: str | None
    current_period: Period | None
    """The period running today (None before the service starts or after the end)."""
    negotiated_prices: tuple[tuple[str, Decimal], ...] = ()
    """(plan or option name, unit price excl. VAT) carried over from its quote."""


# --- use cases --------------------------------------------------------------------------


@requires(Permission.CONTRACTS)
def create_contract(db: Database, draft: ContractDraft, *, actor: str) -> ContractDetails:
    """A new contract, numbered from its yearly series; active once its service starts."""
    with write_scope(db) as session:
        values = _validate(session, draft, None)
        number = next_contract_number(session)
        status = ContractStatus.ACTIVE if values["service_start"] else ContractStatus.PENDING
        contract = Contract(number=number, status=status, updated_by=actor, **values)
        session.add(contract)
        session.flush()
        subject = Subject(client_id=contract.client_id, contract_id=contract.id)
        log_event(
            session,
            LifecycleKind.STATUS,
            subject,
            actor=actor,
            reason="Contrat enregistré",
            change=(None, status.value),
        )
        return _details(session, contract.id)


@requires(Permission.CONTRACTS)
def update_contract(
    db: Database, contract_id: int, draft: ContractDraft, *, expected_version: int, actor: str
) -> ContractDetails:
    """Change a contract's terms; a pending one becomes active when its service starts."""
    target = Target(CONTRACT, Contract, contract_id)
    with write_scope(db, target=target) as session:
        contract = load_for_update(session, target, expected_version)
        values = _validate(session, draft, contract)
        for name, value in values.items():
            setattr(contract, name, value)
        if contract.status is ContractStatus.PENDING and contract.service_start is not None:
            contract.status = ContractStatus.ACTIVE
            subject = Subject(client_id=contract.client_id, contract_id=contract.id)
            log_event(
                session,
                LifecycleKind.STATUS,
                subject,
                actor=actor,
                reason=f"Service démarré le {contract.service_start:%d/%m/%Y}",
                change=(ContractStatus.PENDING.value, ContractStatus.ACTIVE.value),
            )
        contract.updated_by = actor
        contract.updated_at = utc_now()
        session.flush()
        return _details(session, contract.id)


def next_contract_number(session: Session) -> str:
    """The next number of this year's series; numbers already taken (imported) are skipped."""
    number_format = session.execute(
        sa.select(Provider.contract_number_format).where(Provider.id == 1)
    ).scalar_one_or_none()
    while True:
        number = next_number(
            session, CONTRACT_SERIES, number_format or DEFAULT_NUMBER_FORMAT, paris_today()
        )
        taken = session.execute(sa.select(Contract.id).where(Contract.number == number)).first()
        if taken is None:
            return number


def get_contract(db: Database, contract_id: int) -> ContractDetails:
    with db.read_session() as session:
        return _details(session, contract_id)


def find_contract(db: Database, number: str) -> ContractDetails:
    """The contract of that number (as printed), or a French NotFoundError."""
    with db.read_session() as session:
        found = session.execute(
            sa.select(Contract.id).where(Contract.number == number.strip())
        ).scalar_one_or_none()
        if found is None:
            raise NotFoundError(f"Contrat « {number.strip()} » introuvable.")
        return _details(session, found)


def list_contracts(db: Database, query: ListQuery) -> Page[ContractRow]:
    """One page of contracts: one COUNT and one SELECT."""
    with db.read_session() as session:
        return fetch_page(session, _LIST_SELECT, query, _LIST_SPEC, row_maker(ContractRow))


# --- validation -------------------------------------------------------------------------

INITIAL_ORDER_METHODS = frozenset(
    {PaymentMethod.TRANSFER, PaymentMethod.CHEQUE, PaymentMethod.ADMINISTRATIVE_MANDATE}
)
"""The initial order is paid by transfer, cheque or administrative mandate only (HE §9.2)."""


def _validate(session: Session, draft: ContractDraft, current: Contract | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    client = session.get(Client, draft.client_id)
    line = session.get(ProductLine, draft.product_line_id)
    if client is None:
        errors["client_id"] = "Ce client est introuvable."
    elif current is None and client.status in CLOSED_CLIENTS:
        errors["client_id"] = f"Le client {client.name} est {client.status.label.lower()}."
    if line is None:
        errors["product_line_id"] = "Cette gamme est introuvable."
    initial = _months(errors, "initial_months", draft.initial_months, line, initial=True)
    renewal = _months(errors, "renewal_months", draft.renewal_months, line, initial=False)
    _check_dates(errors, draft)
    if draft.payment_method is not None and draft.payment_method not in INITIAL_ORDER_METHODS:
        errors["payment_method"] = (
            "La commande initiale se règle par virement, chèque ou mandat administratif "
            "(HE §9.2) ; le prélèvement SEPA sert aux renouvellements."
        )
    if client is not None:
        _check_waiver(errors, draft, client)
    if current is not None:
        _check_frozen(session, errors, draft, current, initial, renewal)
    notes = text_field(errors, "notes", draft.notes, Contract.notes)
    raise_if_any(errors)
    return {
        "client_id": draft.client_id,
        "product_line_id": draft.product_line_id,
        "ordered_on": draft.ordered_on,
        "signed_on": draft.signed_on,
        "service_start": draft.service_start,
        "initial_months": initial,
        "renewal_months": renewal,
        "payment_method": draft.payment_method,
        "consumer_waiver_on": draft.consumer_waiver_on,
        "notes": notes,
    }


def _months(
    errors: dict[str, str],
    field: str,
    value: int | None,
    line: ProductLine | None,
    *,
    initial: bool,
) -> int | None:
    if line is None:
        return value
    months = (
        value if value is not None else (line.initial_months if initial else line.renewal_months)
    )
    if initial:
        choices = sorted({int(c) for c in line.initial_months_choices.split(",") if c.strip()})
        if months not in choices:
            allowed = " ou ".join(str(c) for c in choices)
            errors[field] = f"L'engagement initial {line.name} est de {allowed} mois."
    elif not 1 <= months <= MAX_MONTHS:
        errors[field] = f"Entre 1 et {MAX_MONTHS} mois."
    return months


def _check_dates(errors: dict[str, str], draft: ContractDraft) -> None:
    ordered, signed, start = draft.ordered_on, draft.signed_on, draft.service_start
    if ordered and signed and signed < ordered:
        errors["signed_on"] = "La signature ne peut précéder la commande."
    if start and ordered and start < ordered:
        errors["service_start"] = (
            "Le service démarre une fois la commande validée : pas avant la date de commande."
        )


def _check_waiver(errors: dict[str, str], draft: ContractDraft, client: Client) -> None:
    waiver = draft.consumer_waiver_on
    if client.kind is not ClientKind.CONSUMER:
        if waiver is not None:
            errors["consumer_waiver_on"] = "La renonciation ne concerne que les particuliers."
        return
    if draft.service_start is not None and waiver is None:
        errors["consumer_waiver_on"] = (
            "Le service d'un particulier démarre aussitôt : indiquez la date à laquelle il a "
            "renoncé à son droit de rétractation (HE §10)."
        )
    elif waiver and draft.service_start and waiver > draft.service_start:
        errors["consumer_waiver_on"] = "La renonciation précède le début du service."


def _check_frozen(
    session: Session,
    errors: dict[str, str],
    draft: ContractDraft,
    current: Contract,
    initial: int | None,
    renewal: int | None,
) -> None:
    """What a started contract can no longer change."""
    if current.status in CLOSED_CONTRACTS:
        errors["status"] = f"Ce contrat est {current.status.label.lower()} : il ne change plus."
        return
    has_mailboxes = (
        session.execute(
            sa.select(Mailbox.id).where(Mailbox.contract_id == current.id).limit(1)
        ).first()
        is not None
    )
    if has_mailboxes and draft.client_id != current.client_id:
        errors["client_id"] = (
            "Ce contrat porte des boîtes aux lettres : il ne change plus de client."
        )
    if has_mailboxes and draft.product_line_id != current.product_line_id:
        errors["product_line_id"] = "Ce contrat porte des boîtes aux lettres : sa gamme est fixée."
    if current.renewed_through is None:
        return
    why = "une échéance du contrat est déjà passée (renouvellement)"
    if draft.service_start != current.service_start:
        errors["service_start"] = f"Le début du service ne change plus : {why}."
    if initial != current.initial_months:
        errors["initial_months"] = f"L'engagement initial ne change plus : {why}."
    if renewal != current.renewal_months:
        errors["renewal_months"] = f"La durée de renouvellement ne change plus : {why}."


# --- reading ----------------------------------------------------------------------------


def _mailbox_count() -> sa.ScalarSelect[int]:
    """Mailboxes still counting on the contract: every status but deleted."""
    return (
        sa.select(sa.func.count(Mailbox.id))
        .where(Mailbox.contract_id == Contract.id, Mailbox.status != MailboxStatus.DELETED)
        .correlate(Contract)
        .scalar_subquery()
    )


_COLUMNS: dict[str, Column] = {
    "id": Contract.id,
    "number": Contract.number,
    "client_id": Contract.client_id,
    "client_name": Client.name,
    "product_line_id": Contract.product_line_id,
    "product_line_name": ProductLine.name,
    "status": Contract.status,
    "signed_on": Contract.signed_on,
    "service_start": Contract.service_start,
    "initial_months": Contract.initial_months,
    "renewal_months": Contract.renewal_months,
    "payment_method": Contract.payment_method,
    "mailbox_count": _mailbox_count(),
}

_LIST_SELECT = (
    sa.select(*labelled_columns(ContractRow, _COLUMNS))
    .select_from(Contract)
    .join(Client, Contract.client_id == Client.id)
    .join(ProductLine, Contract.product_line_id == ProductLine.id)
)

_LIST_SPEC = ListSpec(
    count_from=Contract.__table__,
    search_columns=(Contract.number,),
    search_matchers=(related_contains(Contract.client_id, Client.id, Client.name, Client.code),),
    filters={
        "id": id_filter(Contract.id, "id"),
        "status": enum_filter(Contract.status, ContractStatus, "status"),
        "client_id": id_filter(Contract.client_id, "client_id"),
        "product_line": related_filter(
            Contract.product_line_id,
            ProductLine.id,
            enum_filter(ProductLine.code, ProductLineCode, "product_line"),
        ),
    },
    sorts={
        "number": Contract.number,
        "client": lower(Client.name),
        "product_line": ProductLine.name,
        "status": enum_order(Contract.status, ContractStatus),
        "service_start": Contract.service_start,
        "signed_on": Contract.signed_on,
    },
    default_sort="number",
    tie_breaker=Contract.id,
)


def _details(session: Session, contract_id: int) -> ContractDetails:
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise not_found(CONTRACT)
    client, line = contract.client, contract.product_line
    count = session.execute(
        sa.select(sa.func.count(Mailbox.id)).where(
            Mailbox.contract_id == contract_id, Mailbox.status != MailboxStatus.DELETED
        )
    ).scalar_one()
    return ContractDetails(
        id=contract.id,
        number=contract.number,
        client_id=client.id,
        client_code=client.code,
        client_name=client.name,
        client_kind=client.kind,
        product_line_id=line.id,
        product_line_code=line.code,
        product_line_name=line.name,
        status=contract.status,
        ordered_on=contract.ordered_on,
        signed_on=contract.signed_on,
        service_start=contract.service_start,
        initial_months=contract.initial_months,
        renewal_months=contract.renewal_months,
        payment_method=contract.payment_method,
        consumer_waiver_on=contract.consumer_waiver_on,
        termination_requested_on=contract.termination_requested_on,
        ends_on=contract.ends_on,
        terminated_on=contract.terminated_on,
        renewed_through=contract.renewed_through,
        signed_scan_name=contract.signed_scan_name,
        signed_scan_mime=contract.signed_scan_mime,
        notes=contract.notes,
        mailbox_count=count,
        version=contract.version,
        created_at=contract.created_at,
        updated_at=contract.updated_at,
        updated_by=contract.updated_by,
        current_period=_current_period(contract),
        negotiated_prices=_negotiated_prices(session, contract_id),
    )


def _negotiated_prices(session: Session, contract_id: int) -> tuple[tuple[str, Decimal], ...]:
    rows = session.execute(
        sa.select(
            sa.func.coalesce(Plan.name, CatalogueOption.name), ContractPrice.unit_price_excl_vat
        )
        .outerjoin(Plan, Plan.id == ContractPrice.plan_id)
        .outerjoin(CatalogueOption, CatalogueOption.id == ContractPrice.option_id)
        .where(ContractPrice.contract_id == contract_id)
        .order_by(ContractPrice.plan_id.is_(None), ContractPrice.id)
    )
    return tuple((name, price) for name, price in rows)


def _current_period(contract: Contract) -> Period | None:
    today = paris_today()
    start = contract.service_start
    if start is None or start > today or contract.status in CLOSED_CONTRACTS:
        return None
    return running_period(start, contract.initial_months, contract.renewal_months, today)
