"""What a printed contract says: parties, terms, running accounts at the day's prices, options."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import (
    CatalogueOption,
    Client,
    Contact,
    Contract,
    Mailbox,
    Price,
    SubscribedOption,
)
from desktop.domain.enums import (
    ClientKind,
    ContactRole,
    MailboxStatus,
    OptionBilling,
    OptionCategory,
    PaymentMethod,
    ProductLineCode,
)
from desktop.errors import NotFoundError, UserError
from desktop.services.contract_print import contract_document, price_at
from tests.conftest import DEMO_TODAY
from tests.documents.pdf_helpers import store_provider
from tests.services.factories import ACTOR, SIREN, World, mailbox, world

AT = date(2026, 11, 22)


def _price(plan_id: int | None, amount: str, start: date, end: date | None = None) -> Price:
    return Price(
        plan_id=plan_id,
        amount_excl_vat=Decimal(amount),
        valid_from=start,
        valid_to=end,
        updated_by=ACTOR,
    )


def _option(code: str, billing: OptionBilling, amount: str) -> CatalogueOption:
    option = CatalogueOption(
        code=code,
        name=f"Option {code}",
        category=OptionCategory.OPTION,
        billing=billing,
        updated_by=ACTOR,
    )
    option.prices = [_price(None, amount, date(2020, 1, 1))]
    return option


def _set_status(db: Database, mailbox_id: int, status: MailboxStatus) -> None:
    with db.session_scope() as session:
        row = session.get(Mailbox, mailbox_id)
        assert row is not None
        row.status = status


def _scenario(db: Database) -> tuple[World, dict[str, int]]:
    """The world's HE contract with 4 mailboxes (2 running), prices, options, contacts."""
    store_provider(db)
    w = world(db)
    boxes = {name: mailbox(db, w, name).id for name in ("zoe", "anne", "gone", "old")}
    big = mailbox(db, w, "bob", plan_id=w.he_big_plan_id).id
    boxes["bob"] = big
    _set_status(db, boxes["gone"], MailboxStatus.TERMINATED)
    _set_status(db, boxes["old"], MailboxStatus.DELETED)
    _set_status(db, boxes["anne"], MailboxStatus.ACTIVE)
    with db.session_scope() as session:
        session.add_all(
            [
                _price(w.he_plan_id, "3.50", date(2025, 1, 1), date(2026, 1, 1)),
                _price(w.he_plan_id, "3.90", date(2026, 1, 1)),
                _price(w.he_big_plan_id, "9.90", date(2027, 1, 1)),  # only a future price
            ]
        )
        monthly = _option("ARCH", OptionBilling.MONTHLY, "2.00")
        yearly = _option("DOM", OptionBilling.YEARLY, "15.00")
        fee = _option("FEE", OptionBilling.PER_ACT, "49.00")
        session.add_all([monthly, yearly, fee])
        session.flush()
        session.add_all(
            [
                _taken(monthly.id, mailbox_id=boxes["zoe"]),
                _taken(monthly.id, mailbox_id=boxes["gone"]),  # not running: left out
                _taken(monthly.id, contract_id=w.he_contract_id, ends=date(2026, 6, 30)),  # ended
                _taken(yearly.id, contract_id=w.he_contract_id, quantity="2"),
                _taken(fee.id, contract_id=w.he_contract_id, ends=date(2025, 3, 1)),  # one-off
            ]
        )
        session.add_all(
            [
                Contact(client_id=w.client_id, role=ContactRole.ADMINISTRATOR, name="Bruno Roux"),
                Contact(
                    client_id=w.client_id,
                    role=ContactRole.ADMINISTRATOR,
                    name="Alice Durand",
                    email="alice@acme.fr",
                    is_primary=True,
                ),
            ]
        )
        contract = session.get(Contract, w.he_contract_id)
        assert contract is not None
        contract.service_start = date(2025, 3, 1)
        contract.payment_method = PaymentMethod.CHEQUE
    return w, boxes


def _taken(
    option_id: int,
    *,
    mailbox_id: int | None = None,
    contract_id: int | None = None,
    ends: date | None = None,
    quantity: str = "1",
) -> SubscribedOption:
    return SubscribedOption(
        option_id=option_id,
        mailbox_id=mailbox_id,
        contract_id=contract_id,
        quantity=Decimal(quantity),
        starts_on=date(2025, 3, 1),
        ends_on=ends,
        updated_by=ACTOR,
    )


def test_contract_gathers_parties_terms_accounts_and_options(db: Database) -> None:
    _scenario(db)
    doc = contract_document(db, " C2026-00001 ", at=AT)
    assert doc.at == AT
    assert (doc.provider.name, doc.provider.siren, doc.provider.rcs_city) == (
        "Nuage Armor",
        "552081317",
        "Vannes",
    )
    assert (doc.provider.dunning_reminder_days, doc.provider.dunning_deletion_hours) == (8, 48)
    assert (doc.client.name, doc.client.kind, doc.client.siren) == (
        "Acme Industrie",
        ClientKind.BUSINESS,
        SIREN,
    )
    assert not doc.client.is_consumer
    assert (doc.client.administrator, doc.client.administrator_email) == (
        "Alice Durand",
        "alice@acme.fr",
    )
    terms = doc.contract
    assert (terms.number, terms.product_line, terms.product_line_name) == (
        "C2026-00001",
        ProductLineCode.HOSTED_EXCHANGE,
        "Hosted Exchange",
    )
    assert (terms.service_start, terms.initial_months, terms.renewal_months) == (
        date(2025, 3, 1),
        12,
        12,
    )
    assert terms.payment_method_label == "Chèque"
    assert terms.consumer_waiver_on is None
    assert [(a.address, a.plan_name, a.monthly_price) for a in doc.accounts] == [
        ("anne@acme.fr", "Exchange Standard", Decimal("3.90")),
        ("bob@acme.fr", "Exchange Plus", Decimal("9.90")),  # latest price, none valid yet
        ("zoe@acme.fr", "Exchange Standard", Decimal("3.90")),
    ]
    assert [(o.name, o.account, o.billing, o.amount) for o in doc.options] == [
        ("Option DOM", None, OptionBilling.YEARLY, Decimal("30.00")),
        ("Option FEE", None, OptionBilling.PER_ACT, Decimal("49.00")),
        ("Option ARCH", "zoe@acme.fr", OptionBilling.MONTHLY, Decimal("2.00")),
    ]
    assert doc.accounts_total == Decimal("17.70")
    assert doc.monthly_total == Decimal("19.70")  # accounts + monthly options only


def test_prices_follow_the_day_printed(db: Database) -> None:
    _scenario(db)
    doc = contract_document(db, "C2026-00001", at=date(2025, 6, 1))
    assert [a.monthly_price for a in doc.accounts] == [
        Decimal("3.50"),
        Decimal("9.90"),
        Decimal("3.50"),
    ]
    # The monthly option on the contract ran until 30 June 2026: printed before that.
    assert [o.name for o in doc.options].count("Option ARCH") == 2


def test_price_at_picks_the_valid_one_else_the_latest() -> None:
    prices = [
        _price(1, "1.00", date(2024, 1, 1), date(2025, 1, 1)),
        _price(1, "2.00", date(2025, 1, 1), date(2026, 1, 1)),
    ]
    assert price_at(prices, date(2024, 12, 31)) == Decimal("1.00")
    assert price_at(prices, date(2025, 1, 1)) == Decimal("2.00")
    assert price_at(prices, date(2027, 1, 1)) == Decimal("2.00")
    assert price_at([], date(2027, 1, 1)) == Decimal("0.00")


def test_unknown_number_is_not_found(db: Database) -> None:
    store_provider(db)
    with pytest.raises(NotFoundError) as caught:
        contract_document(db, "C2099-99999")
    assert caught.value.message == "Contrat « C2099-99999 » introuvable."


def test_without_the_providers_identity_nothing_prints(db: Database) -> None:
    world(db)
    with pytest.raises(UserError, match="identité du prestataire"):
        contract_document(db, "C2026-00001")


def test_demo_consumer_contract(demo_db: Database) -> None:
    with demo_db.read_session() as session:
        number, waiver = session.execute(
            sa.select(Contract.number, Contract.consumer_waiver_on)
            .join(Client, Client.id == Contract.client_id)
            .where(Client.kind == ClientKind.CONSUMER, Contract.consumer_waiver_on.is_not(None))
            .order_by(Contract.number)
        ).first() or (None, None)
        assert number is not None
        addresses = session.execute(
            sa.select(Mailbox.address)
            .join(Contract, Contract.id == Mailbox.contract_id)
            .where(
                Contract.number == number,
                Mailbox.status.not_in((MailboxStatus.TERMINATED, MailboxStatus.DELETED)),
            )
            .order_by(Mailbox.address)
        ).scalars()
        expected = list(addresses)
    doc = contract_document(demo_db, number, at=DEMO_TODAY)
    assert doc.client.is_consumer
    assert doc.contract.consumer_waiver_on == waiver
    assert (doc.client.siren, doc.client.vat_number) == (None, None)
    assert [a.address for a in doc.accounts] == expected
    assert all(a.monthly_price > 0 for a in doc.accounts)
