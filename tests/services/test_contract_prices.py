"""Negotiated prices: a quote's prices carried over to its contract, billed every month.

The rule (desktop.domain.quotes.negotiated_prices): each plan's and option's unit
price is its quote lines' net amount (own discount, then the global one) over
their quantity, rounded half-up to the cent once.
"""

from __future__ import annotations

import doctest
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import ContractPrice
from desktop.domain import quotes as quote_rules
from desktop.domain.enums import ClientStatus, OptionBilling, OptionCategory, PaymentMethod
from desktop.domain.quotes import LineInput, line_amounts, negotiated_prices
from desktop.services.activation import activate_contract
from desktop.services.billing_run import run_billing
from desktop.services.contract_print import contract_document
from desktop.services.contracts import get_contract
from desktop.services.quotes import (
    QuoteDraft,
    QuoteLineDraft,
    accept_quote,
    create_quote,
    send_quote,
)
from tests.services import billing_helpers as bh
from tests.services.factories import ACTOR, client, domain

D = Decimal
MARCH, APRIL, MAY = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)


def test_the_rule_rounds_each_item_once_to_the_cent() -> None:
    assert doctest.testmod(quote_rules).failed == 0
    twenty = D("20.00")
    plan = line_amounts(
        LineInput("Exchange", D("3"), D("11.00"), twenty, discount_percent=D("10")), D("5")
    )
    offered = line_amounts(LineInput("Exchange offert", D("1"), D("0.00"), twenty), D("5"))
    fee = line_amounts(LineInput("Frais", D("1"), D("150.00"), twenty), D("5"))
    free = line_amounts(LineInput("Formation", D("1"), D("200.00"), twenty), D("5"))
    assert (plan.net, offered.net, fee.net) == (D("28.21"), D("0.00"), D("142.50"))
    prices = negotiated_prices(
        [
            (("plan", 1), D("3"), plan),
            (("plan", 1), D("1"), offered),
            (("option", 7), D("1"), fee),
            (None, D("1"), free),
        ]
    )
    # 28.21 / 3 = 9.4033… → 9.40 alone; with the account offered 28.21 / 4 = 7.0525 → 7.05.
    assert prices == {("plan", 1): D("7.05"), ("option", 7): D("142.50")}
    assert negotiated_prices([(("plan", 1), D("3"), plan)]) == {("plan", 1): D("9.40")}


def _catalogue(db: Database) -> dict[str, int]:
    """Plan and archiving dearer from May; the quote types its own prices."""
    bh.provider(db)
    line = bh.product_line(db)
    return {
        "line": line,
        "plan": bh.plan(db, line, "Exchange 50 Go", ((bh.LONG_AGO, "12.00"), (MAY, "13.00"))),
        "archive": bh.option(
            db, "Archivage", OptionBilling.MONTHLY, ((bh.LONG_AGO, "2.00"), (MAY, "2.50"))
        ),
        "fee": bh.option(
            db,
            "Frais de mise en service",
            OptionBilling.PER_ACT,
            ((bh.LONG_AGO, "150.00"),),
            category=OptionCategory.INITIAL_FEE,
        ),
    }


def _accepted(db: Database, items: dict[str, int], lines: tuple[QuoteLineDraft, ...]) -> int:
    """A prospect's quote with a 5 % global discount, sent and accepted: its contract id."""
    owner = client(db, name="Librairie Martin", status=ClientStatus.PROSPECT)
    domain(db, owner.id, "martin.fr")
    draft = QuoteDraft(
        client_id=owner.id,
        product_line_id=items["line"],
        payment_method=PaymentMethod.TRANSFER,
        discount_percent=D("5.00"),
        lines=lines,
    )
    quote = create_quote(db, draft, actor=ACTOR)
    send_quote(db, quote.id, actor=ACTOR, today=date(2026, 3, 2))
    return accept_quote(db, quote.id, actor=ACTOR, today=date(2026, 3, 10)).contract_id


def _contract_prices(db: Database, contract_id: int) -> dict[tuple[str, int], Decimal]:
    with db.read_session() as session:
        rows = session.scalars(
            sa.select(ContractPrice).where(ContractPrice.contract_id == contract_id)
        ).all()
    return {
        ("plan", r.plan_id) if r.plan_id else ("option", r.option_id or 0): r.unit_price_excl_vat
        for r in rows
    }


def _amounts_by_client(db: Database, month: date) -> dict[int, list[Decimal]]:
    return {invoice.client_id: invoice.amounts for invoice in bh.invoices(db, month)}


def test_a_quote_price_is_billed_on_the_first_invoice_and_every_month_after(
    db: Database,
) -> None:
    items = _catalogue(db)
    # A client without a quote, in service since 2025: catalogue prices.
    acme = bh.customer(db, items["line"], domain_name="acme.fr")
    bh.account(db, acme, "paul", items["plan"])
    bh.subscribe(db, items["archive"], date(2025, 6, 1), contract_id=acme.contract_id, quantity="2")

    contract_id = _accepted(
        db,
        items,
        (
            # 3 × 11.00 = 33.00, less 10 % → 29.70, less 5 % (1.49) → 28.21: 9.40 a unit.
            QuoteLineDraft(
                plan_id=items["plan"],
                quantity=D("3"),
                unit_price=D("11.00"),
                discount_percent=D("10.00"),
            ),
            # 3 × 2.00 = 6.00, less 0.50 → 5.50, less 5 % (0.28) → 5.22: 1.74 a unit.
            QuoteLineDraft(
                option_id=items["archive"],
                quantity=D("3"),
                unit_price=D("2.00"),
                discount_amount=D("0.50"),
            ),
            # 150.00 (the catalogue's) less 5 % → 142.50.
            QuoteLineDraft(option_id=items["fee"]),
            # A free line: billed once, not a contract price.
            QuoteLineDraft(description="Formation administrateur", unit_price=D("200.00")),
        ),
    )
    assert _contract_prices(db, contract_id) == {
        ("plan", items["plan"]): D("9.40"),
        ("option", items["archive"]): D("1.74"),
        ("option", items["fee"]): D("142.50"),
    }
    assert get_contract(db, contract_id).negotiated_prices == (
        ("Exchange 50 Go", D("9.40")),
        ("Archivage", D("1.74")),
        ("Frais de mise en service", D("142.50")),
    )

    done = activate_contract(
        db, contract_id, service_start=date(2026, 3, 16), actor=ACTOR, today=date(2026, 3, 16)
    )
    # 16/31 of March: accounts 9.40 → 4.85 each; archiving 1.74 → 0.90 × 3;
    # the fee 142.50 and the training 190.00 (200.00 less 5 %).
    first = bh.only_invoice(db, MARCH)
    assert first.id == done.invoice_id
    assert sorted(first.amounts) == sorted([D("4.85")] * 3 + [D("2.70"), D("142.50"), D("190.00")])
    assert first.totals == (D("349.75"), D("69.95"), D("419.70"))

    run_billing(db, APRIL, actor=ACTOR, today=APRIL)
    run_billing(db, MAY, actor=ACTOR, today=MAY)

    martin = first.client_id
    april, may = _amounts_by_client(db, APRIL), _amounts_by_client(db, MAY)
    # The negotiated prices, whatever the catalogue says (dearer from May).
    assert sorted(april[martin]) == [D("5.22"), D("9.40"), D("9.40"), D("9.40")]
    assert sorted(may[martin]) == [D("5.22"), D("9.40"), D("9.40"), D("9.40")]
    for invoice in bh.invoices(db):
        if invoice.client_id == martin and invoice.billing_month in (APRIL, MAY):
            assert invoice.totals == (D("33.42"), D("6.68"), D("40.10"))
            units = {(line.quantity, line.unit_price) for line in invoice.lines}
            assert units == {(D("1"), D("9.40")), (D("3"), D("1.74"))}
    # The client without a quote pays the catalogue: 12.00 + 2 × 2.00, then 13.00 + 2 × 2.50.
    assert sorted(april[acme.client_id]) == [D("4.00"), D("12.00")]
    assert sorted(may[acme.client_id]) == [D("5.00"), D("13.00")]

    # The printed contracts say the same.
    printed = contract_document(db, done.contract_number, at=MAY)
    assert [a.monthly_price for a in printed.accounts] == [D("9.40")] * 3
    assert {o.name: o.unit_price for o in printed.options} == {
        "Archivage": D("1.74"),
        "Frais de mise en service": D("142.50"),
    }
    assert printed.monthly_total == D("33.42")
    other = contract_document(db, "C2025-00001", at=MAY)
    assert [a.monthly_price for a in other.accounts] == [D("13.00")]
    assert [o.unit_price for o in other.options] == [D("2.50")]


def test_a_plan_on_several_lines_gets_one_price_their_mean(db: Database) -> None:
    """Two accounts at 12.00 and one offered: the contract carries 24.00 × 95 % / 3."""
    items = _catalogue(db)
    contract_id = _accepted(
        db,
        items,
        (
            QuoteLineDraft(plan_id=items["plan"], quantity=D("2"), unit_price=D("12.00")),
            QuoteLineDraft(
                plan_id=items["plan"],
                description="Compte offert",
                quantity=D("1"),
                unit_price=D("0.00"),
            ),
        ),
    )
    # 24.00 less 5 % (1.20) → 22.80 for three accounts: 7.60 each.
    assert _contract_prices(db, contract_id) == {("plan", items["plan"]): D("7.60")}
    activate_contract(
        db, contract_id, service_start=date(2026, 4, 1), actor=ACTOR, today=date(2026, 4, 1)
    )
    assert bh.only_invoice(db, APRIL).amounts == [D("7.60")] * 3
    run_billing(db, MAY, actor=ACTOR, today=MAY)
    assert bh.only_invoice(db, MAY).amounts == [D("7.60")] * 3
