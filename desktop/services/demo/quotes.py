"""The demo's quotes (devis), through the services: a few of every status.

Made once the clients, contracts and invoices are written:

- for prospects first (then active clients): drafts, quotes sent and still valid,
  quotes refused with the client's reason, and quotes left to expire (marked by
  :func:`desktop.services.quotes.expire_quotes`);
- accepted quotes of clients whose contract exists: issued a fortnight before the
  order, their lines the contract's accounts by plan at the catalogue's price of
  that day (contracts ordered since the last price change only, so that carrying
  the quote's prices over changes nothing already billed), and linked to it.

Lines take the catalogue's price of the quote's day (typed, so the same seed and
``today`` always give the same quotes), sometimes with a discount, the line's
set-up fee and a migration per account. Numbers follow the days of issue: the
quotes are sent in that order. Deterministic from the seed and ``today``.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import CatalogueOption, Client, Contract, Mailbox, Plan, ProductLine, Quote
from desktop.domain.enums import (
    ClientStatus,
    ContractStatus,
    LifecycleKind,
    MailboxKind,
    PaymentMethod,
    ProductLineCode,
    QuoteStatus,
)
from desktop.domain.invoice_totals import ZERO
from desktop.services.demo.dates import paris_time
from desktop.services.demo.words import STAFF
from desktop.services.events import Subject, log_event
from desktop.services.quotes import (
    QuoteDraft,
    QuoteLineDraft,
    carry_prices,
    catalogue_price,
    create_quote,
    expire_quotes,
    refuse_quote,
    send_quote,
)

COUNTS = {
    QuoteStatus.DRAFT: 3,
    QuoteStatus.SENT: 3,
    QuoteStatus.REFUSED: 2,
    QuoteStatus.EXPIRED: 2,
    QuoteStatus.ACCEPTED: 3,
}
"""How many quotes of each status (fewer accepted when fewer contracts qualify)."""

REFUSALS = (
    "Budget non disponible cette année",
    "Le client reste chez son prestataire actuel",
    "Projet reporté au prochain exercice",
    "Tarif jugé trop élevé face à la concurrence",
)
FEES = {ProductLineCode.HOSTED_EXCHANGE: "FEE-HE", ProductLineCode.OFFICE_365: "FEE-O365"}
MIGRATION = "SRV-MIG"
PAYMENTS = (PaymentMethod.TRANSFER, PaymentMethod.TRANSFER, PaymentMethod.CHEQUE)


@dataclass(frozen=True)
class _Catalogue:
    lines: dict[int, ProductLineCode]
    user_plans: dict[int, list[int]]
    """Per product line, its active plans for users."""
    options: dict[str, int]
    """Option ids by code."""


@dataclass(frozen=True)
class _Planned:
    status: QuoteStatus
    client_id: int
    line_id: int
    issued_on: date | None
    """None: a draft, never sent."""
    lines: tuple[QuoteLineDraft, ...]
    discount: Decimal | None = None
    decided_on: date | None = None
    reason: str = ""
    contract_id: int | None = None
    initial_months: int | None = None
    """The contract's commitment (accepted quotes); None: the product line's."""
    actor: str = STAFF[0]


def demo_quotes(db: Database, *, today: date, seed: int) -> int:
    """Make the demo's quotes; how many were made."""
    rng = random.Random(seed * 53 + 11)
    catalogue = _read_catalogue(db)
    planned = _offers(db, rng, catalogue, today) + _accepted(db, rng, catalogue, today)
    # Sent in the order of their days (their numbers follow), the drafts last.
    for plan in sorted(planned, key=lambda p: (p.issued_on is None, p.issued_on or today)):
        _record(db, plan)
    if any(p.status is QuoteStatus.EXPIRED for p in planned):
        expire_quotes(db, today, actor=STAFF[0])
    return len(planned)


# --- reading ----------------------------------------------------------------------------


def _read_catalogue(db: Database) -> _Catalogue:
    with db.read_session() as session:
        lines = {
            row.id: row.code for row in session.execute(sa.select(ProductLine.id, ProductLine.code))
        }
        plans: dict[int, list[int]] = {line: [] for line in lines}
        for plan_id, line_id in session.execute(
            sa.select(Plan.id, Plan.product_line_id)
            .where(Plan.active, Plan.mailbox_kind == MailboxKind.USER)
            .order_by(Plan.id)
        ):
            plans[line_id].append(plan_id)
        rows = session.execute(sa.select(CatalogueOption.code, CatalogueOption.id))
        options = {row.code: row.id for row in rows}
    return _Catalogue(lines, plans, options)


def _clients(db: Database) -> list[int]:
    """Prospects first, then active clients, by id."""
    with db.read_session() as session:
        rows = session.execute(
            sa.select(Client.id, Client.status)
            .where(Client.status.in_([ClientStatus.PROSPECT, ClientStatus.ACTIVE]))
            .order_by(Client.id)
        ).all()
    return [row.id for row in rows if row.status is ClientStatus.PROSPECT] + [
        row.id for row in rows if row.status is ClientStatus.ACTIVE
    ]


# --- planning ---------------------------------------------------------------------------


def _offers(db: Database, rng: random.Random, catalogue: _Catalogue, today: date) -> list[_Planned]:
    """Drafts, sent, refused and expired quotes, for prospects first."""
    clients = _clients(db)
    if not clients:
        return []
    statuses = [s for s, n in COUNTS.items() if s is not QuoteStatus.ACCEPTED for _ in range(n)]
    planned = []
    for index, status in enumerate(statuses):
        client_id = clients[index % len(clients)]
        line_id = rng.choice(sorted(catalogue.lines))
        issued_on = _issue_day(rng, status, today)
        day = issued_on or today
        planned.append(
            _Planned(
                status=status,
                client_id=client_id,
                line_id=line_id,
                issued_on=issued_on,
                lines=_new_lines(db, rng, catalogue, line_id, day),
                discount=Decimal("5.00") if rng.random() < 0.3 else None,
                decided_on=_refusal_day(rng, issued_on, today) if issued_on else None,
                reason=rng.choice(REFUSALS),
                actor=rng.choice(STAFF),
            )
        )
    return planned


def _issue_day(rng: random.Random, status: QuoteStatus, today: date) -> date | None:
    """When the quote was sent: lately if still valid, long ago if it expired."""
    if status is QuoteStatus.SENT:
        return today - timedelta(days=rng.randint(1, 20))
    if status is QuoteStatus.REFUSED:
        return today - timedelta(days=rng.randint(15, 60))
    if status is QuoteStatus.EXPIRED:
        return today - timedelta(days=rng.randint(45, 120))
    return None


def _refusal_day(rng: random.Random, issued_on: date, today: date) -> date:
    return min(today, issued_on + timedelta(days=rng.randint(2, 12)))


def _new_lines(
    db: Database, rng: random.Random, catalogue: _Catalogue, line_id: int, day: date
) -> tuple[QuoteLineDraft, ...]:
    """One or two plans, the set-up fee, sometimes a migration per account."""
    plans = catalogue.user_plans[line_id]
    chosen = rng.sample(plans, k=min(len(plans), rng.choice((1, 1, 2))))
    lines = [
        _plan_line(db, plan_id, rng.randint(2, 25), day, rng.choice((ZERO, ZERO, Decimal("10"))))
        for plan_id in chosen
    ]
    lines.append(_option_line(db, catalogue.options[FEES[catalogue.lines[line_id]]], 1, day))
    if rng.random() < 0.4:
        accounts = sum(int(line.quantity) for line in lines[:-1])
        lines.append(_option_line(db, catalogue.options[MIGRATION], accounts, day))
    return tuple(lines)


def _plan_line(
    db: Database, plan_id: int, quantity: int, day: date, discount: Decimal = ZERO
) -> QuoteLineDraft:
    return QuoteLineDraft(
        plan_id=plan_id,
        quantity=Decimal(quantity),
        unit_price=catalogue_price(db, plan_id=plan_id, day=day),
        discount_percent=discount,
    )


def _option_line(db: Database, option_id: int, quantity: int, day: date) -> QuoteLineDraft:
    return QuoteLineDraft(
        option_id=option_id,
        quantity=Decimal(quantity),
        unit_price=catalogue_price(db, option_id=option_id, day=day),
    )


def _accepted(
    db: Database, rng: random.Random, catalogue: _Catalogue, today: date
) -> list[_Planned]:
    """Quotes of contracts ordered since the last price change, by active clients."""
    since = date(today.year - 1, 1, 1) + timedelta(days=21)
    with db.read_session() as session:
        contracts = session.execute(
            sa.select(
                Contract.id,
                Contract.client_id,
                Contract.product_line_id,
                Contract.ordered_on,
                Contract.initial_months,
            )
            .join(Client, Client.id == Contract.client_id)
            .where(
                Contract.status == ContractStatus.ACTIVE,
                Contract.quote_id.is_(None),
                Contract.ordered_on >= since,
                Contract.ordered_on <= today,
                Client.status == ClientStatus.ACTIVE,
            )
            .order_by(Contract.id)
        ).all()
        picked = rng.sample(contracts, k=min(len(contracts), COUNTS[QuoteStatus.ACCEPTED]))
        accounts = {
            row.id: Counter(
                session.scalars(sa.select(Mailbox.plan_id).where(Mailbox.contract_id == row.id))
            )
            for row in picked
        }
    planned = []
    for row in picked:
        if not accounts[row.id]:
            continue
        issued_on = row.ordered_on - timedelta(days=rng.randint(5, 20))
        lines = [
            _plan_line(db, plan_id, count, issued_on)
            for plan_id, count in sorted(accounts[row.id].items())
        ]
        fee = catalogue.options[FEES[catalogue.lines[row.product_line_id]]]
        lines.append(_option_line(db, fee, 1, issued_on))
        planned.append(
            _Planned(
                status=QuoteStatus.ACCEPTED,
                client_id=row.client_id,
                line_id=row.product_line_id,
                issued_on=issued_on,
                lines=tuple(lines),
                decided_on=row.ordered_on,
                contract_id=row.id,
                initial_months=row.initial_months,
                actor=rng.choice(STAFF),
            )
        )
    return planned


# --- writing ----------------------------------------------------------------------------


def _record(db: Database, plan: _Planned) -> None:
    draft = QuoteDraft(
        client_id=plan.client_id,
        product_line_id=plan.line_id,
        lines=plan.lines,
        payment_method=PAYMENTS[plan.client_id % len(PAYMENTS)],
        discount_percent=plan.discount,
        initial_months=plan.initial_months,
    )
    quote = create_quote(db, draft, actor=plan.actor)
    if plan.issued_on is None:
        return
    send_quote(db, quote.id, actor=plan.actor, today=plan.issued_on)
    if plan.status is QuoteStatus.REFUSED:
        assert plan.decided_on is not None
        refuse_quote(db, quote.id, reason=plan.reason, actor=plan.actor, today=plan.decided_on)
    elif plan.status is QuoteStatus.ACCEPTED:
        _accept_for_contract(db, quote.id, plan)


def _accept_for_contract(db: Database, quote_id: int, plan: _Planned) -> None:
    """The quote accepted by the order of its existing contract, its prices carried over."""
    assert plan.contract_id is not None and plan.decided_on is not None
    with db.session_scope() as session:
        quote = session.get(Quote, quote_id)
        contract = session.get(Contract, plan.contract_id)
        assert quote is not None and contract is not None
        quote.status = QuoteStatus.ACCEPTED
        quote.decided_at = paris_time(plan.decided_on, 10 * 60)
        quote.updated_by = plan.actor
        contract.quote_id = quote.id
        carry_prices(session, quote, contract, plan.actor)
        log_event(
            session,
            LifecycleKind.STATUS,
            Subject(client_id=quote.client_id, contract_id=contract.id),
            actor=plan.actor,
            reason=f"Devis {quote.number} accepté : contrat {contract.number}",
            change=(None, QuoteStatus.ACCEPTED.value),
        )
