"""The demo's quotes: every status, believable dates, numbers in order, accepted ones on
their existing contract at prices that change nothing already billed."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Client, Contract, ContractPrice, Mailbox, Quote
from desktop.domain.enums import ClientStatus, QuoteStatus
from desktop.services.demo import generate_demo
from desktop.services.demo.quotes import COUNTS
from desktop.services.quotes import catalogue_price, get_quote

TODAY = date(2026, 3, 15)


@pytest.fixture
def demo(db: Database) -> Database:
    generate_demo(db, clients=40, seed=2026, today=TODAY, billing_months=0)
    return db


def _quotes(db: Database) -> list[Quote]:
    with db.read_session() as session:
        return list(session.scalars(sa.select(Quote).order_by(Quote.id)))


def test_every_status_with_its_dates(demo: Database) -> None:
    quotes = _quotes(demo)
    assert Counter(q.status for q in quotes) == COUNTS
    for quote in quotes:
        if quote.status is QuoteStatus.DRAFT:
            assert quote.number is None and quote.issued_on is None
            continue
        assert quote.number is not None and quote.issued_on is not None
        assert quote.valid_until is not None and quote.issued_on <= TODAY
        if quote.status is QuoteStatus.SENT:
            assert quote.valid_until >= TODAY  # still open
        if quote.status is QuoteStatus.EXPIRED:
            assert quote.valid_until < TODAY and quote.decided_at is not None
        if quote.status is QuoteStatus.REFUSED:
            assert quote.decision_reason and quote.decided_at is not None


def test_prospects_are_offered_quotes_first(db: Database) -> None:
    generate_demo(db, clients=150, seed=2026, today=TODAY, billing_months=0)
    with db.read_session() as session:
        prospects = set(
            session.scalars(sa.select(Client.id).where(Client.status == ClientStatus.PROSPECT))
        )
    offers = [q.client_id for q in _quotes(db) if q.status is not QuoteStatus.ACCEPTED]
    assert prospects
    assert len(prospects & set(offers)) == min(len(prospects), len(offers))


def test_numbers_follow_the_days_of_issue(demo: Database) -> None:
    sent = sorted((q for q in _quotes(demo) if q.number), key=lambda q: q.number or "")
    years = {q.issued_on.year for q in sent if q.issued_on}
    for year in years:
        numbers = [q.number for q in sent if q.issued_on and q.issued_on.year == year]
        assert numbers == [f"D{year}-{n:05d}" for n in range(1, len(numbers) + 1)]
    days = [q.issued_on or date.min for q in sent]
    assert days == sorted(days)


def test_lines_are_at_the_catalogue_price_of_their_day(demo: Database) -> None:
    for quote in _quotes(demo):
        details = get_quote(demo, quote.id)
        day = details.issued_on or TODAY
        for line in details.lines:
            price = catalogue_price(demo, plan_id=line.plan_id, option_id=line.option_id, day=day)
            assert line.unit_price == price, (details.number, line.description)
        assert details.totals.incl_vat == quote.total_incl_vat > 0


def test_accepted_quotes_order_their_existing_contract(demo: Database) -> None:
    accepted = [q for q in _quotes(demo) if q.status is QuoteStatus.ACCEPTED]
    assert accepted
    with demo.read_session() as session:
        for listed in accepted:
            quote = session.get_one(Quote, listed.id)
            contract = session.scalars(
                sa.select(Contract).where(Contract.quote_id == quote.id)
            ).one()
            assert contract.client_id == quote.client_id
            assert quote.decided_at is not None and contract.ordered_on is not None
            assert quote.issued_on is not None
            assert contract.ordered_on - timedelta(days=20) <= quote.issued_on
            assert quote.issued_on < contract.ordered_on
            plans = Counter(
                session.scalars(
                    sa.select(Mailbox.plan_id).where(Mailbox.contract_id == contract.id)
                )
            )
            quoted = {line.plan_id: line.quantity for line in quote.lines if line.plan_id}
            assert quoted == {plan: count for plan, count in plans.items()}
            # Carried over at today's catalogue price: the billing does not change.
            for price in session.scalars(
                sa.select(ContractPrice).where(ContractPrice.contract_id == contract.id)
            ):
                today = catalogue_price(
                    demo, plan_id=price.plan_id, option_id=price.option_id, day=TODAY
                )
                assert price.unit_price_excl_vat == today
