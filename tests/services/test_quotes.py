"""Quotes: from a new prospect to an active contract and its first invoice, exact amounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import (
    AccessCodeEvent,
    Client,
    Contract,
    Invoice,
    LifecycleEvent,
    Mailbox,
    SubscribedOption,
)
from desktop.domain.enums import (
    ClientStatus,
    ContractStatus,
    InvoiceStatus,
    MailboxStatus,
    OptionBilling,
    OptionCategory,
    PaymentMethod,
    QuoteStatus,
)
from desktop.domain.errors import ValidationError
from desktop.domain.quotes import QuoteRefused
from desktop.services.activation import activate_contract
from desktop.services.listing import ListQuery
from desktop.services.quotes import (
    QuoteDraft,
    QuoteLineDraft,
    accept_quote,
    create_quote,
    expire_quotes,
    find_quote,
    list_quotes,
    quote_list_totals,
    refuse_quote,
    send_quote,
)
from tests.services import billing_helpers as bh
from tests.services.factories import ACTOR, client, domain

D = Decimal


def _catalogue(db: Database) -> dict[str, int]:
    bh.provider(db)
    line = bh.product_line(db)
    return {
        "line": line,
        "plan": bh.plan(db, line, "Exchange 50 Go", ((bh.LONG_AGO, "12.00"),)),
        "fee": bh.option(
            db,
            "Frais de mise en service",
            OptionBilling.PER_ACT,
            ((bh.LONG_AGO, "150.00"),),
            category=OptionCategory.INITIAL_FEE,
        ),
        "migration": bh.option(
            db,
            "Migration des données",
            OptionBilling.PER_ACT,
            ((bh.LONG_AGO, "80.00"),),
            category=OptionCategory.SERVICE,
        ),
        "archive": bh.option(db, "Archivage", OptionBilling.MONTHLY, ((bh.LONG_AGO, "2.00"),)),
    }


def _prospect(db: Database, name: str = "Librairie Martin", dom: str = "martin.fr") -> int:
    owner = client(db, name=name, status=ClientStatus.PROSPECT)
    domain(db, owner.id, dom)
    return owner.id


def _draft(items: dict[str, int], client_id: int) -> QuoteDraft:
    return QuoteDraft(
        client_id=client_id,
        product_line_id=items["line"],
        payment_method=PaymentMethod.TRANSFER,
        lines=(
            QuoteLineDraft(plan_id=items["plan"], quantity=D("10"), discount_percent=D("10.00")),
            QuoteLineDraft(option_id=items["fee"]),
            QuoteLineDraft(option_id=items["migration"], quantity=D("2")),
            QuoteLineDraft(option_id=items["archive"], quantity=D("10")),
            QuoteLineDraft(description="Formation administrateur", unit_price=D("250.00")),
        ),
    )


def test_from_prospect_to_active_contract_and_first_invoice(db: Database) -> None:
    items = _catalogue(db)
    prospect = _prospect(db)

    quote = create_quote(db, _draft(items, prospect), actor=ACTOR)
    assert quote.status is QuoteStatus.DRAFT and quote.number is None
    assert [line.amount for line in quote.lines] == [
        D("108.00"),
        D("150.00"),
        D("160.00"),
        D("20.00"),
        D("250.00"),
    ]
    assert quote.lines[0].unit_price == D("12.00")  # the catalogue's price
    assert (quote.totals.excl_vat, quote.totals.vat, quote.totals.incl_vat) == (
        D("688.00"),
        D("137.60"),
        D("825.60"),
    )
    assert (quote.totals.monthly, quote.totals.one_off) == (D("128.00"), D("560.00"))

    sent = send_quote(db, quote.id, actor=ACTOR, today=date(2026, 3, 2))
    assert sent.quote.number == "D2026-00001"
    assert sent.quote.valid_until == date(2026, 4, 1)
    assert not sent.queued
    assert "envoyez-le vous-même" in sent.message

    accepted = accept_quote(db, quote.id, actor=ACTOR, today=date(2026, 3, 10))
    assert accepted.client_converted
    assert accepted.quote.status is QuoteStatus.ACCEPTED
    with db.read_session() as session:
        owner = session.get(Client, prospect)
        assert owner is not None and owner.status is ClientStatus.ACTIVE
        contract = session.get(Contract, accepted.contract_id)
        assert contract is not None
        assert contract.status is ContractStatus.PENDING and contract.quote_id == quote.id
        assert contract.payment_method is PaymentMethod.TRANSFER
        boxes = session.scalars(sa.select(Mailbox).where(Mailbox.contract_id == contract.id))
        assert [b.status for b in boxes] == [MailboxStatus.REQUESTED] * 10

    done = activate_contract(
        db,
        accepted.contract_id,
        service_start=date(2026, 3, 16),
        actor=ACTOR,
        today=date(2026, 3, 16),
    )
    assert done.mailboxes_activated == 10 and done.options_subscribed == 3
    assert done.access_code.code and done.access_code.login == "admin@martin.fr"
    assert done.invoice_number is not None
    # 10 accounts at 10.80 (12.00 less 10 %) for 16/31 days: 5.57 each;
    # archiving 10 × 2.00 × 16/31 → 1.03 × 10; fees 150 + 2 × 80 + training 250.
    assert (done.total_excl_vat, done.total_incl_vat) == (D("626.00"), D("751.20"))
    with db.read_session() as session:
        invoice = session.scalars(sa.select(Invoice)).one()
        assert invoice.status is InvoiceStatus.ISSUED
        assert invoice.billing_month == date(2026, 3, 1)
        amounts = sorted(line.amount_excl_vat for line in invoice.lines)
        assert amounts == sorted(
            [D("5.57")] * 10 + [D("10.30"), D("150.00"), D("160.00"), D("250.00")]
        )
        assert (invoice.total_vat, invoice.total_incl_vat) == (D("125.20"), D("751.20"))
        contract = session.get(Contract, accepted.contract_id)
        assert contract is not None
        assert contract.status is ContractStatus.ACTIVE
        assert contract.service_start == date(2026, 3, 16)
        statuses = session.scalars(
            sa.select(Mailbox.status).where(Mailbox.contract_id == contract.id)
        ).all()
        assert set(statuses) == {MailboxStatus.ACTIVE}
        assert session.scalar(sa.select(sa.func.count(SubscribedOption.id))) == 3
        assert session.scalar(sa.select(sa.func.count(AccessCodeEvent.id))) == 1
        reasons = session.scalars(
            sa.select(LifecycleEvent.reason).where(LifecycleEvent.contract_id == contract.id)
        ).all()
    assert any(r and r.startswith("Service démarré le 16/03/2026") for r in reasons)
    assert any(r and r.startswith("Première facture") for r in reasons)
    assert any(r and r.startswith("Code d'accès remis") for r in reasons)

    # The monthly run then skips March for this client (the next months at the quote's
    # prices: test_contract_prices.py).
    report = bh_run(db, date(2026, 3, 1))
    assert report.invoices_created == 0 and report.already_billed == 1


def bh_run(db: Database, month: date):  # type: ignore[no-untyped-def]
    from desktop.services.billing_run import run_billing

    return run_billing(db, month, actor=ACTOR, today=date(2026, 3, 20))


def test_an_expired_quote_cannot_be_accepted(db: Database) -> None:
    items = _catalogue(db)
    quote = create_quote(db, _draft(items, _prospect(db)), actor=ACTOR)
    send_quote(db, quote.id, actor=ACTOR, today=date(2026, 1, 5))
    with pytest.raises(QuoteRefused, match="expiré le 04/02/2026"):
        accept_quote(db, quote.id, actor=ACTOR, today=date(2026, 2, 5))
    assert expire_quotes(db, date(2026, 2, 4)) == []
    assert expire_quotes(db, date(2026, 2, 5)) == ["D2026-00001"]
    with pytest.raises(QuoteRefused, match="expiré"):
        accept_quote(db, quote.id, actor=ACTOR, today=date(2026, 2, 5))
    assert find_quote(db, "D2026-00001").status is QuoteStatus.EXPIRED
    with db.read_session() as session:
        assert session.scalar(sa.select(sa.func.count(Contract.id))) == 0


def test_a_quote_is_valid_on_its_last_day(db: Database) -> None:
    items = _catalogue(db)
    quote = create_quote(db, _draft(items, _prospect(db)), actor=ACTOR)
    send_quote(db, quote.id, actor=ACTOR, today=date(2026, 1, 5), valid_until=date(2026, 1, 20))
    accepted = accept_quote(db, quote.id, actor=ACTOR, today=date(2026, 1, 20))
    assert accepted.quote.status is QuoteStatus.ACCEPTED


def test_a_refused_quote_changes_nothing_else(db: Database) -> None:
    items = _catalogue(db)
    prospect = _prospect(db)
    quote = create_quote(db, _draft(items, prospect), actor=ACTOR)
    send_quote(db, quote.id, actor=ACTOR, today=date(2026, 3, 2))
    refused = refuse_quote(db, quote.id, reason="Trop cher", actor=ACTOR, today=date(2026, 3, 3))
    assert refused.status is QuoteStatus.REFUSED and refused.decision_reason == "Trop cher"
    with db.read_session() as session:
        owner = session.get(Client, prospect)
        assert owner is not None and owner.status is ClientStatus.PROSPECT
        for model in (Contract, Mailbox, Invoice, SubscribedOption):
            assert session.scalar(sa.select(sa.func.count(model.id))) == 0
    with pytest.raises(QuoteRefused):
        accept_quote(db, quote.id, actor=ACTOR, today=date(2026, 3, 4))


def test_numbers_are_allocated_when_sent_without_gap(db: Database) -> None:
    items = _catalogue(db)
    prospect = _prospect(db)
    first, second, third = (
        create_quote(db, _draft(items, prospect), actor=ACTOR) for _ in range(3)
    )
    assert send_quote(db, second.id, actor=ACTOR, today=date(2026, 3, 2)).quote.number == (
        "D2026-00001"
    )
    with pytest.raises(ValidationError):  # refused: its number is given back
        send_quote(db, first.id, actor=ACTOR, today=date(2026, 3, 2), valid_until=date(2026, 3, 1))
    assert send_quote(db, first.id, actor=ACTOR, today=date(2026, 3, 3)).quote.number == (
        "D2026-00002"
    )
    with pytest.raises(QuoteRefused):  # already sent
        send_quote(db, first.id, actor=ACTOR, today=date(2026, 3, 3))
    assert send_quote(db, third.id, actor=ACTOR, today=date(2026, 3, 4)).quote.number == (
        "D2026-00003"
    )


def test_the_list_searches_filters_and_totals(db: Database) -> None:
    items = _catalogue(db)
    martin = _prospect(db)
    other = _prospect(db, "Garage Durand", "durand.fr")
    one = create_quote(db, _draft(items, martin), actor=ACTOR)
    create_quote(db, _draft(items, other), actor=ACTOR)
    send_quote(db, one.id, actor=ACTOR, today=date(2026, 3, 2))
    page = list_quotes(db, ListQuery(search="martin"))
    assert [row.number for row in page.rows] == ["D2026-00001"]
    drafts = ListQuery(filters={"status": [QuoteStatus.DRAFT.value]})
    assert [row.client_name for row in list_quotes(db, drafts).rows] == ["Garage Durand"]
    totals = quote_list_totals(db, ListQuery())
    assert (totals.count, totals.total_excl_vat, totals.total_incl_vat) == (
        2,
        D("1376.00"),
        D("1651.20"),
    )


def test_a_draft_needs_lines_and_prices(db: Database) -> None:
    items = _catalogue(db)
    prospect = _prospect(db)
    with pytest.raises(ValidationError) as caught:
        create_quote(
            db,
            QuoteDraft(
                client_id=prospect,
                product_line_id=items["line"],
                lines=(QuoteLineDraft(description="Audit"),),
            ),
            actor=ACTOR,
        )
    assert "lines.1.unit_price" in caught.value.errors


def test_a_second_contract_is_billed_by_the_monthly_run_not_twice(db: Database) -> None:
    """A client already in service: activating another contract in a month not invoiced
    yet leaves the month to the monthly run (both contracts), and bills only the quote's
    one-off services apart; nothing is billed twice, nothing forgotten."""
    items = _catalogue(db)
    owner = _prospect(db)
    first = create_quote(db, _draft(items, owner), actor=ACTOR)
    send_quote(db, first.id, actor=ACTOR, today=date(2026, 2, 2))
    one = accept_quote(db, first.id, actor=ACTOR, today=date(2026, 2, 3)).contract_id
    activate_contract(
        db, one, service_start=date(2026, 2, 16), actor=ACTOR, today=date(2026, 2, 16)
    )
    training = QuoteDraft(
        client_id=owner,
        product_line_id=items["line"],
        payment_method=PaymentMethod.TRANSFER,
        lines=(
            QuoteLineDraft(plan_id=items["plan"], quantity=D("2")),
            QuoteLineDraft(description="Formation administrateur", unit_price=D("250.00")),
        ),
    )
    second = create_quote(db, training, actor=ACTOR)
    send_quote(db, second.id, actor=ACTOR, today=date(2026, 3, 2))
    two = accept_quote(db, second.id, actor=ACTOR, today=date(2026, 3, 3)).contract_id

    done = activate_contract(
        db, two, service_start=date(2026, 3, 16), actor=ACTOR, today=date(2026, 3, 16)
    )
    # Only the training: the accounts are the monthly run's.
    assert (done.total_excl_vat, done.total_incl_vat) == (D("250.00"), D("300.00"))
    with db.read_session() as session:
        one_off = session.get(Invoice, done.invoice_id)
        assert one_off is not None and one_off.billing_month is None

    report = bh_run(db, date(2026, 3, 1))
    assert report.invoices_created == 1
    with db.read_session() as session:
        march = session.scalars(
            sa.select(Invoice).where(Invoice.billing_month == date(2026, 3, 1))
        ).one()
        by_contract: dict[int | None, list[Decimal]] = {}
        for line in march.lines:
            by_contract.setdefault(line.contract_id, []).append(line.amount_excl_vat)
    # The first contract's ten accounts for the whole of March at its quote's price (12.00
    # less 10 %) and its monthly archiving, its one-off fees billed in February not again...
    assert sorted(by_contract[one]) == sorted([D("10.80")] * 10 + [D("20.00")])
    # ...and the second contract's two accounts from 16 March: 12.00 × 16/31 = 6.19.
    assert sorted(by_contract[two]) == [D("6.19"), D("6.19")]
