"""Activation of a contract ordered by an accepted quote (business rules §4-5, HE §4).

In one transaction, each step logged:

1. the staff member's service start date starts the contract's initial period;
2. its requested accounts become active on that day;
3. the quote's options, initial fees and services are subscribed from that day;
4. an access code is issued to the client's administrator (returned once, never
   stored: shown and printed as the access sheet);
5. the first invoice is made for the month of the start: the first month's pro
   rata of every account and monthly option, and once the initial fees and
   services (O365 §6), at the quote's prices. Like the billing run it is
   issued unless asked otherwise, and it is the client's invoice for that month
   (the monthly run then skips it), unless that month was already invoiced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import (
    CatalogueOption,
    Client,
    Contract,
    Invoice,
    InvoiceLine,
    Mailbox,
    Plan,
    Quote,
    SubscribedOption,
)
from desktop.domain.billing import (
    Account,
    Catalogue,
    ClientMonth,
    ContractTerms,
    Interval,
    InvoiceDraft,
    LineDraft,
    Month,
    OptionTerms,
    PlanTerms,
    PricePoint,
    Subscription,
    bill_client,
)
from desktop.domain.clock import paris_today, utc_now
from desktop.domain.enums import (
    AccessCodeAction,
    ContractStatus,
    InvoiceKind,
    InvoiceLineKind,
    InvoiceStatus,
    LifecycleKind,
    MailboxStatus,
    QuoteStatus,
)
from desktop.domain.invoice_totals import ZERO, invoice_totals
from desktop.domain.roles import Permission
from desktop.errors import UserError
from desktop.services.access import requires
from desktop.services.access_codes import IssuedCode, record_code
from desktop.services.billing_run import default_vat_rate
from desktop.services.conflicts import CONTRACT, not_found, write_scope
from desktop.services.events import Subject, log_event
from desktop.services.issuing import issue_invoices
from desktop.services.lifecycle import move_mailbox
from desktop.services.quotes import item_prices, quote_amounts

EVER = date(1, 1, 1)


@dataclass(frozen=True)
class Activation:
    contract_id: int
    contract_number: str
    service_start: date
    mailboxes_activated: int
    options_subscribed: int
    access_code: IssuedCode
    """Shown once, printed on the access sheet, never stored."""
    invoice_id: int | None
    invoice_number: str | None
    """None when the first invoice was left as a draft."""
    total_excl_vat: Decimal
    total_incl_vat: Decimal


@dataclass(frozen=True)
class _QuotePrices:
    plans: dict[int, tuple[Decimal, Decimal, str]]
    """plan id → (unit price once discounted, VAT rate, name)."""
    options: dict[int, tuple[Decimal, Decimal, Decimal, str]]
    """option id → (unit price once discounted, VAT rate, quantity, name)."""
    free: tuple[tuple[str, Decimal, Decimal, Decimal], ...]
    """Free lines (description, quantity, unit price once discounted, VAT rate): per act."""


@requires(Permission.CONTRACTS)
def activate_contract(
    db: Database,
    contract_id: int,
    *,
    service_start: date,
    actor: str,
    today: date | None = None,
    issue: bool = True,
) -> Activation:
    """Start the service of a pending contract; see the module's steps."""
    day = today or paris_today()
    with write_scope(db) as session:
        contract = session.get(Contract, contract_id, with_for_update=True)
        if contract is None:
            raise not_found(CONTRACT)
        quote = _accepted_quote(session, contract)
        client = session.get(Client, contract.client_id, with_for_update=True)
        assert client is not None
        _start(session, contract, service_start, actor, quote)
        boxes = _open_accounts(session, contract, service_start, actor)
        prices = _quote_prices(session, quote) if quote is not None else None
        subs = _subscribe(session, contract, prices, service_start, actor)
        code = record_code(
            session,
            client,
            AccessCodeAction.ISSUED,
            f"Activation du contrat {contract.number}",
            actor,
        )
        log_event(
            session,
            LifecycleKind.STATUS,
            Subject(client_id=client.id, contract_id=contract.id),
            actor=actor,
            reason=f"Code d'accès remis à l'administrateur ({code.login})",
        )
        monthly = not _left_to_monthly_run(session, contract, Month.of(service_start))
        if monthly:
            draft = _first_invoice(session, contract, client, boxes, subs, prices, service_start)
        else:
            # The monthly run bills this client's month, these accounts and fees
            # included: billing them here too would bill them twice.
            draft = _one_off_invoice(contract, client, prices, service_start)
        invoice_id, number = _write_invoice(session, draft, contract, actor, day, issue, monthly)
        session.flush()
        return Activation(
            contract_id=contract.id,
            contract_number=contract.number,
            service_start=service_start,
            mailboxes_activated=len(boxes),
            options_subscribed=len(subs),
            access_code=code,
            invoice_id=invoice_id,
            invoice_number=number,
            total_excl_vat=draft.totals.excl_vat if draft else ZERO,
            total_incl_vat=draft.totals.incl_vat if draft else ZERO,
        )


def _accepted_quote(session: Session, contract: Contract) -> Quote | None:
    if contract.status is not ContractStatus.PENDING or contract.service_start is not None:
        raise UserError(
            f"Le contrat {contract.number} est « {contract.status.label} » : "
            "seul un contrat en attente d'activation s'active."
        )
    if contract.quote_id is None:
        return None
    quote = session.get(Quote, contract.quote_id)
    if quote is None or quote.status is not QuoteStatus.ACCEPTED:
        raise UserError("Le devis de ce contrat n'est pas accepté : il ne peut pas être activé.")
    return quote


def _start(
    session: Session, contract: Contract, start: date, actor: str, quote: Quote | None
) -> None:
    if contract.signed_on is not None and start < contract.signed_on:
        raise UserError(
            f"Le service ne peut pas démarrer avant l'accord du client "
            f"({contract.signed_on:%d/%m/%Y})."
        )
    contract.service_start = start
    contract.status = ContractStatus.ACTIVE
    contract.updated_by = actor
    contract.updated_at = utc_now()
    origin = f" (devis {quote.number})" if quote is not None else ""
    log_event(
        session,
        LifecycleKind.STATUS,
        Subject(client_id=contract.client_id, contract_id=contract.id),
        actor=actor,
        reason=f"Service démarré le {start:%d/%m/%Y}{origin} : période initiale de "
        f"{contract.initial_months} mois",
        change=(ContractStatus.PENDING.value, ContractStatus.ACTIVE.value),
    )


def _open_accounts(session: Session, contract: Contract, start: date, actor: str) -> list[Mailbox]:
    boxes = list(
        session.scalars(
            sa.select(Mailbox)
            .where(Mailbox.contract_id == contract.id, Mailbox.status == MailboxStatus.REQUESTED)
            .order_by(Mailbox.address)
            .with_for_update()
        )
    )
    for box in boxes:
        box.activated_on = start
        move_mailbox(session, box, MailboxStatus.ACTIVE, "Activation du service", actor)
    return boxes


def _quote_prices(session: Session, quote: Quote) -> _QuotePrices:
    """The quote's prices: those the acceptance carried over to the contract (same rule),
    and its free lines."""
    views, totals = quote_amounts(session, quote)
    units = item_prices(views, totals)
    plans: dict[int, tuple[Decimal, Decimal, str]] = {}
    options: dict[int, tuple[Decimal, Decimal, Decimal, str]] = {}
    free: list[tuple[str, Decimal, Decimal, Decimal]] = []
    for view, amounts in zip(views, totals.lines, strict=True):
        if view.plan_id is not None:
            unit = units[("plan", view.plan_id)]
            plans.setdefault(view.plan_id, (unit, view.vat_rate, view.description))
        elif view.option_id is not None:
            unit = units[("option", view.option_id)]
            before = options.get(view.option_id)
            quantity = view.quantity + (before[2] if before else ZERO)
            options[view.option_id] = (unit, view.vat_rate, quantity, view.description)
        else:
            unit = amounts.net_unit_price(view.quantity)
            free.append((view.description, view.quantity, unit, view.vat_rate))
    return _QuotePrices(plans, options, tuple(free))


def _subscribe(
    session: Session, contract: Contract, prices: _QuotePrices | None, start: date, actor: str
) -> list[SubscribedOption]:
    if prices is None:
        return []
    subs = [
        SubscribedOption(
            contract_id=contract.id,
            option_id=option_id,
            quantity=quantity,
            starts_on=start,
            updated_by=actor,
        )
        for option_id, (_, _, quantity, _) in prices.options.items()
    ]
    session.add_all(subs)
    session.flush()
    if subs:
        names = ", ".join(name for _, _, _, name in prices.options.values())
        log_event(
            session,
            LifecycleKind.STATUS,
            Subject(client_id=contract.client_id, contract_id=contract.id),
            actor=actor,
            reason=f"Options et prestations souscrites au {start:%d/%m/%Y} : {names}",
        )
    return subs


def _first_invoice(
    session: Session,
    contract: Contract,
    client: Client,
    boxes: list[Mailbox],
    subs: list[SubscribedOption],
    prices: _QuotePrices | None,
    start: date,
) -> InvoiceDraft | None:
    month = Month.of(start)
    default_rate = default_vat_rate(session)
    catalogue = _catalogue(session, boxes, subs, prices, default_rate)
    terms = ContractTerms(
        contract.id, contract.number, contract.payment_method, start, contract.initial_months
    )
    accounts = [
        Account(box.id, contract.id, box.plan_id, box.address, Interval(start)) for box in boxes
    ]
    subscriptions = [
        Subscription(sub.id, sub.option_id, contract.id, sub.quantity, Interval(start))
        for sub in subs
    ]
    inputs = ClientMonth(
        client.id, client.payment_method, {contract.id: terms}, accounts, subscriptions
    )
    draft = bill_client(inputs, month, catalogue)
    free = _free_lines(contract, prices, start)
    if not free:
        return draft
    lines = (draft.lines if draft else ()) + free
    totals = invoice_totals((line.amount, line.vat_rate) for line in lines)
    return InvoiceDraft(
        client.id,
        month,
        lines,
        totals,
        draft.payment_method if draft else client.payment_method or contract.payment_method,
        False,
    )


def _left_to_monthly_run(session: Session, contract: Contract, month: Month) -> bool:
    """The client's month is not invoiced yet and another of its contracts is in service
    during it: the monthly run must bill that month, and bills this contract with it."""
    invoiced = sa.select(Invoice.id).where(
        Invoice.client_id == contract.client_id, Invoice.billing_month == month.first
    )
    if session.execute(invoiced.limit(1)).first() is not None:
        return False
    others = sa.select(Contract.id).where(
        Contract.client_id == contract.client_id,
        Contract.id != contract.id,
        Contract.service_start.is_not(None),
        Contract.service_start <= month.last,
        sa.or_(Contract.terminated_on.is_(None), Contract.terminated_on >= month.first),
    )
    return session.execute(others.limit(1)).first() is not None


def _one_off_invoice(
    contract: Contract, client: Client, prices: _QuotePrices | None, start: date
) -> InvoiceDraft | None:
    """Only the quote's services billed once (migration, training…), outside any month."""
    free = _free_lines(contract, prices, start)
    if not free:
        return None
    totals = invoice_totals((line.amount, line.vat_rate) for line in free)
    method = client.payment_method or contract.payment_method
    return InvoiceDraft(client.id, Month.of(start), free, totals, method, False)


def _catalogue(
    session: Session,
    boxes: list[Mailbox],
    subs: list[SubscribedOption],
    prices: _QuotePrices | None,
    default_rate: Decimal,
) -> Catalogue:
    """The catalogue at the quote's prices (the contract's own prices when no quote)."""
    plans: dict[int, PlanTerms] = {}
    for plan_id in {box.plan_id for box in boxes}:
        plan = session.get(Plan, plan_id)
        assert plan is not None
        quoted = prices.plans.get(plan_id) if prices else None
        if quoted is not None:
            plans[plan_id] = PlanTerms(plan.name, quoted[1], (PricePoint(EVER, None, quoted[0]),))
        else:
            history = tuple(
                PricePoint(p.valid_from, p.valid_to, p.amount_excl_vat) for p in plan.prices
            )
            plans[plan_id] = PlanTerms(plan.name, plan.vat_rate, history)
    options: dict[int, OptionTerms] = {}
    for sub in subs:
        option = session.get(CatalogueOption, sub.option_id)
        assert option is not None and prices is not None
        unit, rate, _, _ = prices.options[sub.option_id]
        options[sub.option_id] = OptionTerms(
            option.name, rate, (PricePoint(EVER, None, unit),), option.category, option.billing
        )
    return Catalogue(plans, options, default_rate)


def _free_lines(
    contract: Contract, prices: _QuotePrices | None, start: date
) -> tuple[LineDraft, ...]:
    """The quote's lines outside the catalogue: services billed once, on the first invoice."""
    if prices is None:
        return ()
    return tuple(
        LineDraft(
            kind=InvoiceLineKind.SERVICE,
            description=f"{description} — contrat {contract.number} — {start:%d/%m/%Y}",
            quantity=quantity,
            unit_price=unit,
            vat_rate=rate,
            amount=(unit * quantity).quantize(Decimal("0.01")),
            period_start=start,
            period_end=start,
            contract_id=contract.id,
        )
        for description, quantity, unit, rate in prices.free
    )


def _write_invoice(
    session: Session,
    draft: InvoiceDraft | None,
    contract: Contract,
    actor: str,
    today: date,
    issue: bool,
    monthly: bool = True,
) -> tuple[int | None, str | None]:
    """``monthly``: the invoice is the client's invoice of the month, unless it has one."""
    if draft is None:
        return None, None
    taken = session.execute(
        sa.select(Invoice.id).where(
            Invoice.client_id == draft.client_id, Invoice.billing_month == draft.month.first
        )
    ).first()
    invoice = Invoice(
        client_id=draft.client_id,
        kind=InvoiceKind.INVOICE,
        status=InvoiceStatus.DRAFT,
        period_start=draft.month.first,
        period_end=draft.month.last,
        billing_month=draft.month.first if monthly and not taken else None,
        is_renewal=False,
        total_excl_vat=draft.totals.excl_vat,
        total_vat=draft.totals.vat,
        total_incl_vat=draft.totals.incl_vat,
        currency="EUR",
        payment_method=draft.payment_method,
        updated_by=actor,
    )
    for position, line in enumerate(draft.lines, 1):
        invoice.lines.append(
            InvoiceLine(
                position=position,
                kind=line.kind,
                description=line.description[:500],
                quantity=line.quantity,
                unit_price_excl_vat=line.unit_price,
                vat_rate=line.vat_rate,
                amount_excl_vat=line.amount,
                period_start=line.period_start,
                period_end=line.period_end,
                mailbox_id=line.mailbox_id,
                contract_id=line.contract_id,
                plan_id=line.plan_id,
                option_id=line.option_id,
                subscribed_option_id=line.subscribed_option_id,
            )
        )
    session.add(invoice)
    session.flush()
    number = None
    if issue:
        number = issue_invoices(session, [invoice.id], actor=actor, today=today)[0]
    what = f"facture {number}" if number else "facture en brouillon"
    log_event(
        session,
        LifecycleKind.STATUS,
        Subject(client_id=contract.client_id, contract_id=contract.id),
        actor=actor,
        reason=f"Première {what} : frais de mise en service et prorata du premier mois "
        f"({draft.totals.incl_vat} € TTC)",
    )
    return invoice.id, number
