"""Billing test data: a provider, a catalogue with price history and VAT, clients to bill.

Clients and domains go through their services (``factories``); catalogue
rows, contracts, mailboxes and subscribed options are inserted through the
ORM with exactly the dates a test needs (the lifecycle service would stamp
today's date).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import (
    CatalogueOption,
    Contract,
    Invoice,
    InvoiceLine,
    Mailbox,
    Plan,
    Price,
    ProductLine,
    SubscribedOption,
)
from desktop.domain.enums import (
    ContractStatus,
    MailboxKind,
    MailboxStatus,
    OptionBilling,
    OptionCategory,
    PaymentMethod,
    ProductLineCode,
)
from desktop.services.provider import ProviderDraft, save_provider
from tests.services.factories import ACTOR, SIREN, client, domain

D = Decimal
MARCH = date(2026, 3, 1)
APRIL = date(2026, 4, 1)
LONG_AGO = date(2020, 1, 1)


def provider(db: Database, vat_rate: str = "20.00") -> None:
    """The provider's identity: issuing needs it (seller snapshot, payment days)."""
    draft = ProviderDraft(
        name="Nuage Armor",
        legal_form="SAS",
        share_capital=D("50000.00"),
        address_line1="14 rue du Commerce",
        address_line2=None,
        postcode="56000",
        city="Vannes",
        siren=SIREN,
        rcs_city="Vannes",
        default_vat_rate=D(vat_rate),
    )
    save_provider(db, draft, expected_version=None, actor=ACTOR)


def _insert(db: Database, row: Any) -> int:
    with db.session_scope() as session:
        session.add(row)
        session.flush()
        return int(row.id)


def product_line(db: Database) -> int:
    return _insert(db, ProductLine(code=ProductLineCode.HOSTED_EXCHANGE, name="Hosted Exchange"))


def _prices(db: Database, key: str, owner: int, prices: Sequence[tuple[date, str]]) -> None:
    """A price history: each price valid until the next one starts."""
    ends = [start for start, _ in prices[1:]] + [None]
    with db.session_scope() as session:
        for (start, amount), end in zip(prices, ends, strict=True):
            price = Price(amount_excl_vat=D(amount), valid_from=start, valid_to=end)
            setattr(price, key, owner)
            session.add(price)


def plan(
    db: Database,
    line_id: int,
    name: str = "Exchange 50 Go",
    prices: Sequence[tuple[date, str]] = ((LONG_AGO, "12.00"),),
    *,
    vat_rate: Decimal | None = None,
) -> int:
    code = name.upper().replace(" ", "-")[:40]
    row = Plan(product_line_id=line_id, code=code, name=name, quota_gb=50, vat_rate=vat_rate)
    plan_id = _insert(db, row)
    _prices(db, "plan_id", plan_id, prices)
    return plan_id


def option(
    db: Database,
    name: str,
    billing: OptionBilling,
    prices: Sequence[tuple[date, str]],
    *,
    category: OptionCategory = OptionCategory.OPTION,
    vat_rate: Decimal | None = None,
) -> int:
    code = name.upper().replace(" ", "-")[:40]
    row = CatalogueOption(
        code=code, name=name, category=category, billing=billing, vat_rate=vat_rate
    )
    option_id = _insert(db, row)
    _prices(db, "option_id", option_id, prices)
    return option_id


@dataclass(frozen=True)
class Customer:
    client_id: int
    domain_id: int
    domain: str
    line_id: int
    contract_id: int


def customer(
    db: Database,
    line_id: int,
    name: str = "Acme Industrie",
    *,
    domain_name: str = "exemple.fr",
    number: str = "C2025-00001",
    service_start: date = date(2025, 6, 1),
    payment_method: PaymentMethod | None = None,
    contract_payment_method: PaymentMethod | None = PaymentMethod.TRANSFER,
) -> Customer:
    """A client with a domain and a started contract on ``line_id``."""
    owner = client(db, name=name, payment_method=payment_method)
    domain_id = domain(db, owner.id, domain_name).id
    contract_id = contract(
        db, owner.id, line_id, number, service_start, payment_method=contract_payment_method
    )
    return Customer(owner.id, domain_id, domain_name, line_id, contract_id)


def contract(
    db: Database,
    client_id: int,
    line_id: int,
    number: str,
    service_start: date | None,
    *,
    status: ContractStatus = ContractStatus.ACTIVE,
    payment_method: PaymentMethod | None = None,
    initial_months: int = 12,
) -> int:
    row = Contract(
        client_id=client_id,
        product_line_id=line_id,
        number=number,
        service_start=service_start,
        initial_months=initial_months,
        renewal_months=12,
        status=status,
        payment_method=payment_method,
    )
    return _insert(db, row)


def account(
    db: Database,
    who: Customer,
    local_part: str,
    plan_id: int,
    *,
    activated_on: date | None = date(2025, 6, 1),
    status: MailboxStatus = MailboxStatus.ACTIVE,
    ends_on: date | None = None,
    override: date | None = None,
    contract_id: int | None = None,
) -> int:
    """A mailbox of ``who`` on ``plan_id`` (on its contract unless ``contract_id``)."""
    row = Mailbox(
        client_id=who.client_id,
        product_line_id=who.line_id,
        contract_id=contract_id or who.contract_id,
        domain_id=who.domain_id,
        plan_id=plan_id,
        local_part=local_part,
        address=f"{local_part}@{who.domain}",
        kind=MailboxKind.USER,
        quota_gb=50,
        status=status,
        activated_on=activated_on,
        ends_on=ends_on,
        billing_ends_on_override=override,
    )
    return _insert(db, row)


def subscribe(
    db: Database,
    option_id: int,
    starts_on: date,
    *,
    mailbox_id: int | None = None,
    contract_id: int | None = None,
    ends_on: date | None = None,
    quantity: str = "1",
) -> int:
    row = SubscribedOption(
        option_id=option_id,
        mailbox_id=mailbox_id,
        contract_id=contract_id,
        quantity=D(quantity),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    return _insert(db, row)


# --- reading back -----------------------------------------------------------------------


@dataclass(frozen=True)
class BilledLine:
    position: int
    kind: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    amount: Decimal
    period: tuple[date | None, date | None]
    mailbox_id: int | None
    option_id: int | None
    subscribed_option_id: int | None


@dataclass(frozen=True)
class Billed:
    id: int
    client_id: int
    number: str | None
    status: str
    billing_month: date | None
    period: tuple[date | None, date | None]
    is_renewal: bool
    payment_method: PaymentMethod | None
    totals: tuple[Decimal, Decimal, Decimal]
    lines: tuple[BilledLine, ...]

    @property
    def amounts(self) -> list[Decimal]:
        return [line.amount for line in self.lines]


def invoices(db: Database, month: date | None = None) -> list[Billed]:
    """Every invoice (of ``month`` when given) with its lines, by id."""
    with db.read_session() as session:
        query = sa.select(Invoice).order_by(Invoice.id)
        if month is not None:
            query = query.where(Invoice.billing_month == month)
        return [_billed(invoice) for invoice in session.scalars(query)]


def only_invoice(db: Database, month: date | None = None) -> Billed:
    found = invoices(db, month)
    assert len(found) == 1, found
    return found[0]


def _billed(invoice: Invoice) -> Billed:
    return Billed(
        id=invoice.id,
        client_id=invoice.client_id,
        number=invoice.number,
        status=invoice.status.value,
        billing_month=invoice.billing_month,
        period=(invoice.period_start, invoice.period_end),
        is_renewal=invoice.is_renewal,
        payment_method=invoice.payment_method,
        totals=(invoice.total_excl_vat, invoice.total_vat, invoice.total_incl_vat),
        lines=tuple(_line(line) for line in invoice.lines),
    )


def _line(line: InvoiceLine) -> BilledLine:
    return BilledLine(
        position=line.position,
        kind=line.kind.value,
        description=line.description,
        quantity=line.quantity,
        unit_price=line.unit_price_excl_vat,
        vat_rate=line.vat_rate,
        amount=line.amount_excl_vat,
        period=(line.period_start, line.period_end),
        mailbox_id=line.mailbox_id,
        option_id=line.option_id,
        subscribed_option_id=line.subscribed_option_id,
    )
