"""Everything a printed contract says, read in one go (business rules §1, §3-4).

:func:`contract_document` gathers the provider's identity and settings, the
client's identity, the contract's terms, its running accounts with their
prices and its options, as frozen dataclasses for
:mod:`desktop.documents.contract_pdf`. Prices are the contract's negotiated
ones (carried over from its quote), else the catalogue prices valid on the day
of printing (``at``), else the latest known.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

from desktop.db.engine import Database
from desktop.db.models import (
    CatalogueOption,
    Client,
    Contract,
    Mailbox,
    Plan,
    Price,
    ProductLine,
    Provider,
    SubscribedOption,
)
from desktop.domain.addresses import PostalAddress
from desktop.domain.clock import paris_today
from desktop.domain.enums import (
    ClientKind,
    ContactRole,
    ContractStatus,
    MailboxKind,
    MailboxStatus,
    OptionBilling,
    PaymentMethod,
    ProductLineCode,
)
from desktop.domain.money import round_money
from desktop.errors import NotFoundError, UserError
from desktop.services.billing_run import negotiated_prices

PROVIDER_ID = 1
NOT_PRINTED_STATUSES = (MailboxStatus.TERMINATED, MailboxStatus.DELETED)
"""Accounts left out of a contract's annex: they no longer run on it."""
DEFAULT_MAX_MESSAGE_MB = 10
"""HE §7: delivery of larger messages is not guaranteed (plans may say otherwise)."""
_ZERO = Decimal("0.00")


# --- public data ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderIdentity:
    """The provider as its documents show it, with the settings its contracts quote."""

    name: str
    legal_form: str
    share_capital: Decimal
    address: PostalAddress
    siren: str
    rcs_city: str
    vat_number: str
    phone: str | None
    email: str | None
    website: str | None
    logo: bytes | None
    logo_mime: str | None
    dunning_reminder_days: int
    dunning_deletion_hours: int
    renewal_floor_percent: Decimal
    dispute_days: int
    support_opens_at: time
    support_closes_at: time
    restoration_target_hours: int
    equipment_replacement_hours: int
    availability_target_percent: Decimal


@dataclass(frozen=True)
class ClientIdentity:
    code: str
    name: str
    kind: ClientKind
    legal_form: str | None
    siren: str | None
    siret: str | None
    vat_number: str | None
    address: PostalAddress
    billing_email: str
    phone: str | None
    administrator: str | None
    administrator_email: str | None

    @property
    def is_consumer(self) -> bool:
        return self.kind is ClientKind.CONSUMER


@dataclass(frozen=True)
class ContractTerms:
    number: str
    status: ContractStatus
    product_line: ProductLineCode
    product_line_name: str
    sla_applies: bool
    ordered_on: date | None
    signed_on: date | None
    service_start: date | None
    initial_months: int
    renewal_months: int
    payment_method: PaymentMethod | None
    consumer_waiver_on: date | None

    @property
    def payment_method_label(self) -> str | None:
        return None if self.payment_method is None else self.payment_method.label


@dataclass(frozen=True)
class AccountLine:
    """A running account of the contract and its plan's monthly price excl. VAT."""

    address: str
    display_name: str | None
    kind: MailboxKind
    status: MailboxStatus
    plan_name: str
    quota_gb: int
    max_message_mb: int
    monthly_price: Decimal


@dataclass(frozen=True)
class OptionLine:
    """An option of the contract (``account`` None) or of one of its accounts."""

    name: str
    billing: OptionBilling
    account: str | None
    quantity: Decimal
    unit_price: Decimal
    starts_on: date
    ends_on: date | None

    @property
    def billing_label(self) -> str:
        return self.billing.label

    @property
    def amount(self) -> Decimal:
        return round_money(self.quantity * self.unit_price)


@dataclass(frozen=True)
class ContractPrint:
    provider: ProviderIdentity
    client: ClientIdentity
    contract: ContractTerms
    accounts: tuple[AccountLine, ...]
    options: tuple[OptionLine, ...]
    monthly_total: Decimal
    """Excl. VAT: every account's plan plus the monthly options (not yearly, not per act)."""
    at: date
    """The day whose prices are printed."""

    @property
    def accounts_total(self) -> Decimal:
        return sum((a.monthly_price for a in self.accounts), _ZERO)

    @property
    def max_message_mb(self) -> int:
        """The strictest message size limit of the contract's plans."""
        return min((a.max_message_mb for a in self.accounts), default=DEFAULT_MAX_MESSAGE_MB)


# --- use cases --------------------------------------------------------------------------


def contract_document(db: Database, number: str, *, at: date | None = None) -> ContractPrint:
    """The contract ``number`` as printed on ``at`` (default: today in Paris)."""
    day = paris_today() if at is None else at
    with db.read_session() as session:
        contract = session.execute(
            sa.select(Contract).where(Contract.number == number.strip())
        ).scalar_one_or_none()
        if contract is None:
            raise NotFoundError(f"Contrat « {number.strip()} » introuvable.")
        accounts = _printed_mailboxes(session, contract.id)
        plan_prices, option_prices = negotiated_prices(session, contract.id)
        lines = _account_lines(session, accounts, day, plan_prices[contract.id])
        options = _option_lines(session, contract.id, accounts, day, option_prices[contract.id])
        return ContractPrint(
            provider=load_provider_identity(session),
            client=client_identity(contract.client),
            contract=_terms(contract),
            accounts=lines,
            options=options,
            monthly_total=_monthly_total(lines, options),
            at=day,
        )


def provider_identity(db: Database) -> ProviderIdentity:
    """The provider's letterhead and settings, for any document."""
    with db.read_session() as session:
        return load_provider_identity(session)


def load_provider_identity(session: Session) -> ProviderIdentity:
    row = session.get(Provider, PROVIDER_ID)
    if row is None:
        raise UserError(
            "L'identité du prestataire n'est pas encore renseignée "
            "(Fichier → Paramètres…) : aucun document ne peut être imprimé."
        )
    return ProviderIdentity(
        name=row.name,
        legal_form=row.legal_form,
        share_capital=row.share_capital,
        address=PostalAddress(
            row.address_line1, row.address_line2, row.postcode, row.city, row.country
        ),
        siren=row.siren,
        rcs_city=row.rcs_city,
        vat_number=row.vat_number,
        phone=row.phone,
        email=row.email,
        website=row.website,
        logo=row.logo,
        logo_mime=row.logo_mime,
        dunning_reminder_days=row.dunning_reminder_days,
        dunning_deletion_hours=row.dunning_deletion_hours,
        renewal_floor_percent=row.renewal_floor_percent,
        dispute_days=row.dispute_days,
        support_opens_at=row.support_opens_at,
        support_closes_at=row.support_closes_at,
        restoration_target_hours=row.restoration_target_hours,
        equipment_replacement_hours=row.equipment_replacement_hours,
        availability_target_percent=row.availability_target_percent,
    )


# --- reading ----------------------------------------------------------------------------


def client_identity(client: Client) -> ClientIdentity:
    admins = sorted(
        (c for c in client.contacts if c.role is ContactRole.ADMINISTRATOR),
        key=lambda c: (not c.is_primary, c.id),
    )
    admin = admins[0] if admins else None
    return ClientIdentity(
        code=client.code,
        name=client.name,
        kind=client.kind,
        legal_form=client.legal_form,
        siren=client.siren,
        siret=client.siret,
        vat_number=client.vat_number,
        address=PostalAddress(
            client.address_line1, client.address_line2, client.postcode, client.city, client.country
        ),
        billing_email=client.billing_email,
        phone=client.phone,
        administrator=None if admin is None else admin.name,
        administrator_email=None if admin is None else admin.email,
    )


def _terms(contract: Contract) -> ContractTerms:
    line: ProductLine = contract.product_line
    return ContractTerms(
        number=contract.number,
        status=contract.status,
        product_line=line.code,
        product_line_name=line.name,
        sla_applies=line.sla_applies,
        ordered_on=contract.ordered_on,
        signed_on=contract.signed_on,
        service_start=contract.service_start,
        initial_months=contract.initial_months,
        renewal_months=contract.renewal_months,
        payment_method=contract.payment_method,
        consumer_waiver_on=contract.consumer_waiver_on,
    )


def _printed_mailboxes(session: Session, contract_id: int) -> list[Mailbox]:
    return list(
        session.execute(
            sa.select(Mailbox)
            .where(
                Mailbox.contract_id == contract_id,
                Mailbox.status.not_in(NOT_PRINTED_STATUSES),
            )
            .order_by(Mailbox.address)
        ).scalars()
    )


def _account_lines(
    session: Session,
    mailboxes: list[Mailbox],
    at: date,
    negotiated: dict[int, Decimal],
) -> tuple[AccountLine, ...]:
    """The accounts at the contract's price of their plan, else the catalogue's on ``at``."""
    plans = {
        plan.id: plan
        for plan in session.execute(
            sa.select(Plan).where(Plan.id.in_({m.plan_id for m in mailboxes}))
        ).scalars()
    }
    prices = _prices(session, Price.plan_id, plans)
    return tuple(
        AccountLine(
            address=m.address,
            display_name=m.display_name,
            kind=m.kind,
            status=m.status,
            plan_name=plans[m.plan_id].name,
            quota_gb=m.quota_gb,
            max_message_mb=plans[m.plan_id].max_message_mb,
            monthly_price=negotiated.get(m.plan_id, price_at(prices.get(m.plan_id, ()), at)),
        )
        for m in mailboxes
    )


def _option_lines(
    session: Session,
    contract_id: int,
    mailboxes: list[Mailbox],
    at: date,
    negotiated: dict[int, Decimal],
) -> tuple[OptionLine, ...]:
    """Options of the contract and of its running accounts: recurring ones not ended
    before ``at``, and every per-act one (set-up fees, services ordered)."""
    addresses = {m.id: m.address for m in mailboxes}
    rows = session.execute(
        sa.select(SubscribedOption, CatalogueOption)
        .join(CatalogueOption, CatalogueOption.id == SubscribedOption.option_id)
        .where(
            sa.or_(
                SubscribedOption.contract_id == contract_id,
                SubscribedOption.mailbox_id.in_(addresses),
            )
        )
    ).all()
    prices = _prices(session, Price.option_id, {option.id for _, option in rows})
    lines = [
        OptionLine(
            name=option.name,
            billing=option.billing,
            account=None if taken.mailbox_id is None else addresses[taken.mailbox_id],
            quantity=taken.quantity,
            unit_price=negotiated.get(option.id, price_at(prices.get(option.id, ()), at)),
            starts_on=taken.starts_on,
            ends_on=taken.ends_on,
        )
        for taken, option in rows
        if option.billing is OptionBilling.PER_ACT or taken.ends_on is None or taken.ends_on >= at
    ]
    lines.sort(key=lambda o: (o.account is not None, o.account or "", o.name, o.starts_on))
    return tuple(lines)


def _prices(
    session: Session, column: InstrumentedAttribute[int | None], ids: Iterable[int]
) -> dict[int, list[Price]]:
    """Every price of the plans (or options) ``ids``, by id, oldest first."""
    by_id: dict[int, list[Price]] = {}
    stmt = sa.select(Price).where(column.in_(set(ids))).order_by(Price.valid_from)
    for price in session.execute(stmt).scalars():
        owner = price.plan_id if price.plan_id is not None else price.option_id
        by_id.setdefault(owner or 0, []).append(price)
    return by_id


def price_at(prices: Sequence[Price], at: date) -> Decimal:
    """The amount valid on ``at`` (prices oldest first); else the latest; else zero."""
    valid = [p for p in prices if p.valid_from <= at and (p.valid_to is None or p.valid_to > at)]
    chosen = valid[-1] if valid else (prices[-1] if prices else None)
    return _ZERO if chosen is None else chosen.amount_excl_vat


def _monthly_total(accounts: tuple[AccountLine, ...], options: tuple[OptionLine, ...]) -> Decimal:
    monthly = (o.amount for o in options if o.billing is OptionBilling.MONTHLY)
    return sum(monthly, sum((a.monthly_price for a in accounts), _ZERO))
