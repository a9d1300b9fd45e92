"""Quotes (devis, business rules §4-5): drafts, sending, acceptance, refusal, expiry, lists.

- A draft is created and changed freely; its lines take the catalogue's price
  of the day unless another price is typed.
- Sending allocates the number from the quote's own continuous series (in the
  sending transaction: no gap), dates it, sets its validity and, when the
  office SMTP settings exist, queues the email with the PDF attached.
- Accepting makes, in one transaction, the contract (its terms and payment
  method taken from the quote, linked to it) and the requested accounts (one
  per unit of each plan line, on the client's primary domain); a prospect
  becomes a client. The quote's prices are carried over to the contract: one
  negotiated unit price per plan and option (see
  :func:`desktop.domain.quotes.negotiated_prices`), which every invoice of the
  contract bills instead of the catalogue's.
- Refusing or expiring changes the quote alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    Domain,
    Mailbox,
    Plan,
    Price,
    ProductLine,
    Provider,
    Quote,
    QuoteLine,
)
from desktop.domain.clock import paris_today, utc_now
from desktop.domain.emails import mailbox_address
from desktop.domain.enums import (
    ClientStatus,
    ContractStatus,
    LifecycleKind,
    MailboxStatus,
    OptionBilling,
    OptionCategory,
    PaymentMethod,
    ProductLineCode,
    QuoteStatus,
)
from desktop.domain.errors import ValidationError
from desktop.domain.invoice_totals import ZERO
from desktop.domain.lifecycle import CLOSED_CLIENTS
from desktop.domain.quotes import (
    LineInput,
    QuoteRefused,
    QuoteTotals,
    check_line,
    check_move,
    default_valid_until,
    is_expired,
    negotiated_prices,
    quote_totals,
)
from desktop.domain.roles import Permission
from desktop.errors import NotFoundError, UserError
from desktop.services.access import requires
from desktop.services.billing_run import default_vat_rate
from desktop.services.conflicts import Noun, Target, load_for_update, not_found, write_scope
from desktop.services.contract_print import (
    ClientIdentity,
    ProviderIdentity,
    client_identity,
    load_provider_identity,
)
from desktop.services.contracts import INITIAL_ORDER_METHODS, next_contract_number
from desktop.services.counters import next_number
from desktop.services.events import Subject, log_event
from desktop.services.listing import (
    Column,
    ListQuery,
    ListSpec,
    Page,
    conditions,
    enum_filter,
    enum_order,
    fetch_page,
    id_filter,
    labelled_columns,
    lower,
    related_contains,
    row_maker,
)
from desktop.services.prices import price_valid_on

QUOTE = Noun("Ce devis")
QUOTE_SERIES = "quote"
DEFAULT_NUMBER_FORMAT = "D{year}-{seq:05d}"
MAX_MONTHS = 60


@dataclass(frozen=True, kw_only=True)
class QuoteLineDraft:
    """A line as typed: a plan, an option (initial fee, service…) or free text.

    ``unit_price``/``vat_rate`` None: the catalogue's price of the day and the
    item's rate (else the provider's); ``description`` empty: the item's name.
    """

    plan_id: int | None = None
    option_id: int | None = None
    description: str = ""
    quantity: Decimal = Decimal("1")
    unit_price: Decimal | None = None
    vat_rate: Decimal | None = None
    discount_percent: Decimal = ZERO
    discount_amount: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class QuoteDraft:
    client_id: int
    product_line_id: int
    lines: tuple[QuoteLineDraft, ...] = ()
    valid_until: date | None = None
    initial_months: int | None = None
    renewal_months: int | None = None
    payment_method: PaymentMethod | None = None
    discount_percent: Decimal | None = None
    notes: str | None = None


@dataclass(frozen=True)
class QuoteLineView:
    position: int
    plan_id: int | None
    option_id: int | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    discount_amount: Decimal | None
    vat_rate: Decimal
    amount: Decimal
    billing: OptionBilling
    category: OptionCategory | None
    """The option's category; None for a plan or a free line."""


@dataclass(frozen=True)
class QuoteDetails:
    id: int
    number: str | None
    client_id: int
    client_code: str
    client_name: str
    client_status: ClientStatus
    product_line_id: int
    product_line_name: str
    status: QuoteStatus
    issued_on: date | None
    valid_until: date | None
    initial_months: int
    renewal_months: int
    payment_method: PaymentMethod | None
    discount_percent: Decimal | None
    notes: str | None
    decision_reason: str | None
    sent_at: datetime | None
    decided_at: datetime | None
    lines: tuple[QuoteLineView, ...]
    totals: QuoteTotals
    contract_id: int | None
    contract_number: str | None
    contract_status: ContractStatus | None
    version: int

    @property
    def label(self) -> str:
        return f"Devis {self.number}" if self.number else "Devis (brouillon)"


@dataclass(frozen=True)
class SendResult:
    quote: QuoteDetails
    queued: bool
    """Whether an email was put in the outbox; False: the PDF is to be sent by hand."""
    message: str


@dataclass(frozen=True)
class Acceptance:
    quote: QuoteDetails
    contract_id: int
    contract_number: str
    mailbox_ids: tuple[int, ...]
    client_converted: bool
    """The prospect became a client."""


@dataclass(frozen=True)
class QuoteRow:
    id: int
    number: str | None
    client_id: int
    client_name: str
    product_line_name: str
    status: QuoteStatus
    issued_on: date | None
    valid_until: date | None
    total_excl_vat: Decimal
    total_incl_vat: Decimal


@dataclass(frozen=True)
class QuoteListTotals:
    count: int
    total_excl_vat: Decimal
    total_incl_vat: Decimal


# --- drafts -----------------------------------------------------------------------------


@requires(Permission.CONTRACTS)
def create_quote(db: Database, draft: QuoteDraft, *, actor: str) -> QuoteDetails:
    """A new draft quote (no number until it is sent)."""
    with write_scope(db) as session:
        values = _validate(session, draft)
        quote = Quote(status=QuoteStatus.DRAFT, updated_by=actor, **values["quote"])
        _set_lines(quote, values["lines"], values["totals"])
        session.add(quote)
        session.flush()
        _log(session, quote, actor, "Devis créé (brouillon)")
        return _details(session, quote.id)


@requires(Permission.CONTRACTS)
def update_quote(
    db: Database, quote_id: int, draft: QuoteDraft, *, expected_version: int, actor: str
) -> QuoteDetails:
    """Change a draft; a sent quote no longer changes (make a new one)."""
    target = Target(QUOTE, Quote, quote_id)
    with write_scope(db, target=target) as session:
        quote = load_for_update(session, target, expected_version)
        if quote.status is not QuoteStatus.DRAFT:
            raise QuoteRefused(
                f"Ce devis est « {quote.status.label} » : seul un brouillon se modifie."
            )
        values = _validate(session, draft)
        for name, value in values["quote"].items():
            setattr(quote, name, value)
        quote.lines.clear()
        session.flush()
        _set_lines(quote, values["lines"], values["totals"])
        quote.updated_by = actor
        quote.updated_at = utc_now()
        session.flush()
        return _details(session, quote.id)


def _set_lines(quote: Quote, lines: list[dict[str, Any]], totals: QuoteTotals) -> None:
    for position, (values, amounts) in enumerate(zip(lines, totals.lines, strict=True), 1):
        quote.lines.append(QuoteLine(position=position, amount_excl_vat=amounts.net, **values))
    quote.total_excl_vat = totals.excl_vat
    quote.total_vat = totals.vat
    quote.total_incl_vat = totals.incl_vat


def _validate(session: Session, draft: QuoteDraft) -> dict[str, Any]:
    errors: dict[str, str] = {}
    client = session.get(Client, draft.client_id)
    line = session.get(ProductLine, draft.product_line_id)
    if client is None:
        errors["client_id"] = "Ce client est introuvable."
    elif client.status in CLOSED_CLIENTS:
        errors["client_id"] = f"Le client {client.name} est {client.status.label.lower()}."
    if line is None:
        errors["product_line_id"] = "Cette gamme est introuvable."
    if draft.payment_method is not None and draft.payment_method not in INITIAL_ORDER_METHODS:
        errors["payment_method"] = (
            "La commande initiale se règle par virement, chèque ou mandat administratif (HE §9.2)."
        )
    initial = draft.initial_months or (line.initial_months if line else 12)
    renewal = draft.renewal_months or (line.renewal_months if line else 12)
    for name, months in (("initial_months", initial), ("renewal_months", renewal)):
        if not 0 < months <= MAX_MONTHS:
            errors[name] = f"Une durée se compte de 1 à {MAX_MONTHS} mois."
    if line is not None and draft.initial_months is not None:
        allowed = {int(m) for m in line.initial_months_choices.split(",") if m.strip()}
        if allowed and draft.initial_months not in allowed:
            choices = ", ".join(str(m) for m in sorted(allowed))
            errors["initial_months"] = f"Engagement initial possible : {choices} mois."
    if not draft.lines:
        errors["lines"] = "Ajoutez au moins une ligne au devis."
    global_percent = draft.discount_percent or ZERO
    if not ZERO <= global_percent <= Decimal("100"):
        errors["discount_percent"] = "La remise globale doit être comprise entre 0 et 100 %."
    today = paris_today()
    default_rate = default_vat_rate(session)
    lines: list[dict[str, Any]] = []
    inputs: list[LineInput] = []
    for index, line_draft in enumerate(draft.lines, 1):
        values, line_input = _line(session, errors, index, line_draft, today, default_rate, line)
        lines.append(values)
        inputs.append(line_input)
    if errors:
        raise ValidationError(errors)
    totals = quote_totals(inputs, global_percent)
    quote_values = {
        "client_id": draft.client_id,
        "product_line_id": draft.product_line_id,
        "valid_until": draft.valid_until,
        "initial_months": initial,
        "renewal_months": renewal,
        "payment_method": draft.payment_method,
        "discount_percent": draft.discount_percent or None,
        "notes": (draft.notes or "").strip() or None,
    }
    return {"quote": quote_values, "lines": lines, "totals": totals}


def _line(
    session: Session,
    errors: dict[str, str],
    index: int,
    draft: QuoteLineDraft,
    today: date,
    default_rate: Decimal,
    product_line: ProductLine | None,
) -> tuple[dict[str, Any], LineInput]:
    """The stored values and the priced input of one line; errors keyed ``lines.N.field``."""
    prefix = f"lines.{index}"
    name, rate, price, billing = draft.description.strip(), draft.vat_rate, draft.unit_price, None
    if draft.plan_id is not None and draft.option_id is not None:
        errors[prefix] = f"Ligne {index} : un forfait ou une option, pas les deux."
    elif draft.plan_id is not None:
        plan = session.get(Plan, draft.plan_id)
        if plan is None or (product_line is not None and plan.product_line_id != product_line.id):
            errors[f"{prefix}.plan_id"] = f"Ligne {index} : forfait introuvable dans cette gamme."
        else:
            name = name or plan.name
            rate = rate if rate is not None else plan.vat_rate
            price = (
                price if price is not None else _catalogue_price(session, "plan", plan.id, today)
            )
            billing = OptionBilling.MONTHLY
    elif draft.option_id is not None:
        option = session.get(CatalogueOption, draft.option_id)
        if option is None:
            errors[f"{prefix}.option_id"] = f"Ligne {index} : option introuvable."
        else:
            name = name or option.name
            rate = rate if rate is not None else option.vat_rate
            price = (
                price
                if price is not None
                else _catalogue_price(session, "option", option.id, today)
            )
            billing = option.billing
    if price is None:
        errors.setdefault(
            f"{prefix}.unit_price", f"Ligne {index} : indiquez le prix unitaire (aucun tarif)."
        )
        price = ZERO
    line_input = LineInput(
        description=name,
        quantity=draft.quantity,
        unit_price=price,
        vat_rate=rate if rate is not None else default_rate,
        billing=billing or OptionBilling.PER_ACT,
        discount_percent=draft.discount_percent,
        discount_amount=draft.discount_amount,
    )
    for key, message in check_line(line_input).items():
        errors[f"{prefix}.{key}"] = f"Ligne {index} : {message}"
    if draft.plan_id is not None and draft.quantity != draft.quantity.to_integral_value():
        errors[f"{prefix}.quantity"] = f"Ligne {index} : un nombre entier de comptes."
    values = {
        "plan_id": draft.plan_id,
        "option_id": draft.option_id,
        "description": name[:500],
        "quantity": draft.quantity,
        "unit_price_excl_vat": price,
        "discount_percent": draft.discount_percent,
        "discount_amount": draft.discount_amount,
        "vat_rate": line_input.vat_rate,
    }
    return values, line_input


def _catalogue_price(session: Session, kind: str, item_id: int, day: date) -> Decimal | None:
    column = Price.plan_id if kind == "plan" else Price.option_id
    found = session.execute(
        sa.select(Price.amount_excl_vat).where(column == item_id, price_valid_on(day))
    ).scalar_one_or_none()
    return None if found is None else Decimal(found)


def catalogue_price(
    db: Database,
    *,
    plan_id: int | None = None,
    option_id: int | None = None,
    day: date | None = None,
) -> Decimal | None:
    """The catalogue's price of a plan or an option on ``day`` (default: today)."""
    when = day or paris_today()
    with db.read_session() as session:
        if plan_id is not None:
            return _catalogue_price(session, "plan", plan_id, when)
        if option_id is not None:
            return _catalogue_price(session, "option", option_id, when)
    return None


# --- sending ----------------------------------------------------------------------------


@requires(Permission.CONTRACTS)
def send_quote(
    db: Database,
    quote_id: int,
    *,
    actor: str,
    today: date | None = None,
    valid_until: date | None = None,
    mailer: Callable[[Session, QuoteDetails], bool] | None = None,
) -> SendResult:
    """Number, date and send a draft.

    ``mailer(session, details)`` queues the email in the same transaction and says
    whether it did (see :func:`desktop.services.quote_mail.queue_quote_mail`); without
    it, or when it did not, the quote is only marked sent: the PDF goes by hand.
    """
    day = today or paris_today()
    with write_scope(db) as session:
        quote = _load(session, quote_id)
        check_move(quote.status, QuoteStatus.SENT, quote.valid_until, day)
        until = valid_until or quote.valid_until or default_valid_until(day)
        if until < day:
            raise ValidationError(
                {"valid_until": "La date de validité ne peut pas précéder la date du devis."}
            )
        quote.number = _next_quote_number(session, day)
        quote.issued_on = day
        quote.valid_until = until
        quote.status = QuoteStatus.SENT
        quote.sent_at = utc_now()
        quote.updated_by = actor
        quote.updated_at = utc_now()
        session.flush()
        details = _details(session, quote.id)
        queued = mailer(session, details) if mailer is not None else False
        how = "envoyé par courriel" if queued else "à envoyer à la main (PDF)"
        _log(session, quote, actor, f"Devis {quote.number} envoyé — {how}")
    if queued:
        message = f"Devis {details.number} envoyé : le courriel est dans la file d'envoi."
    else:
        message = (
            f"Devis {details.number} marqué envoyé. Aucun serveur d'envoi (SMTP) n'est "
            "configuré : imprimez ou enregistrez le PDF et envoyez-le vous-même au client."
        )
    return SendResult(details, queued, message)


def _next_quote_number(session: Session, day: date) -> str:
    number_format = session.execute(
        sa.select(Provider.quote_number_format).where(Provider.id == 1)
    ).scalar_one_or_none()
    return next_number(session, QUOTE_SERIES, number_format or DEFAULT_NUMBER_FORMAT, day)


# --- decisions --------------------------------------------------------------------------


@requires(Permission.CONTRACTS)
def accept_quote(
    db: Database,
    quote_id: int,
    *,
    actor: str,
    today: date | None = None,
    domain_id: int | None = None,
) -> Acceptance:
    """The client's agreement: the contract and its requested accounts, in one transaction.

    The accounts go on ``domain_id`` (default: the client's primary domain) as
    ``compte01``, ``compte02``… to be renamed; a prospect becomes a client.
    Refused, in French, when the quote is not sent or has expired.
    """
    day = today or paris_today()
    with write_scope(db) as session:
        quote = _load(session, quote_id)
        check_move(quote.status, QuoteStatus.ACCEPTED, quote.valid_until, day)
        client = session.get(Client, quote.client_id, with_for_update=True)
        assert client is not None  # the foreign key guarantees it
        if client.status in CLOSED_CLIENTS:
            raise UserError(f"Le client {client.name} est {client.status.label.lower()}.")
        domain = _domain(session, client, domain_id)
        contract = Contract(
            client_id=quote.client_id,
            product_line_id=quote.product_line_id,
            number=next_contract_number(session),
            quote_id=quote.id,
            ordered_on=day,
            signed_on=day,
            initial_months=quote.initial_months,
            renewal_months=quote.renewal_months,
            payment_method=quote.payment_method,
            status=ContractStatus.PENDING,
            updated_by=actor,
        )
        session.add(contract)
        session.flush()
        subject = Subject(client_id=client.id, contract_id=contract.id)
        reason = f"Devis {quote.number} accepté"
        log_event(
            session,
            LifecycleKind.STATUS,
            subject,
            actor=actor,
            reason=reason,
            change=(None, ContractStatus.PENDING.value),
        )
        mailbox_ids = _requested_accounts(session, quote, contract, domain, day, actor)
        carry_prices(session, quote, contract, actor)
        converted = client.status is ClientStatus.PROSPECT
        if converted:
            client.status = ClientStatus.ACTIVE
            client.updated_by = actor
            client.updated_at = utc_now()
            log_event(
                session,
                LifecycleKind.STATUS,
                Subject(client_id=client.id),
                actor=actor,
                reason=f"Prospect devenu client : {reason.lower()}",
                change=(ClientStatus.PROSPECT.value, ClientStatus.ACTIVE.value),
            )
        quote.status = QuoteStatus.ACCEPTED
        quote.decided_at = utc_now()
        quote.updated_by = actor
        quote.updated_at = utc_now()
        _log(session, quote, actor, f"{reason} : contrat {contract.number}")
        session.flush()
        details = _details(session, quote.id)
        return Acceptance(details, contract.id, contract.number, mailbox_ids, converted)


def _domain(session: Session, client: Client, domain_id: int | None) -> Domain:
    stmt = sa.select(Domain).where(Domain.client_id == client.id)
    if domain_id is not None:
        stmt = stmt.where(Domain.id == domain_id)
    found = session.scalars(stmt.order_by(Domain.is_primary.desc(), Domain.id).limit(1)).first()
    if found is None:
        raise UserError(
            f"{client.name} n'a pas encore de domaine : enregistrez son domaine (dont il est "
            "l'administrateur) avant d'accepter le devis, les comptes y seront créés."
        )
    return found


def _requested_accounts(
    session: Session, quote: Quote, contract: Contract, domain: Domain, day: date, actor: str
) -> tuple[int, ...]:
    taken = set(
        session.scalars(sa.select(Mailbox.local_part).where(Mailbox.domain_id == domain.id))
    )
    counter = 0
    made: list[Mailbox] = []
    for line in quote.lines:
        plan = session.get(Plan, line.plan_id) if line.plan_id is not None else None
        if plan is None:
            continue
        for _ in range(int(line.quantity)):
            counter += 1
            while f"compte{counter:02d}" in taken:
                counter += 1
            local = f"compte{counter:02d}"
            box = Mailbox(
                client_id=quote.client_id,
                product_line_id=quote.product_line_id,
                contract_id=contract.id,
                domain_id=domain.id,
                plan_id=plan.id,
                local_part=local,
                address=mailbox_address(local, domain.name),
                display_name=f"À nommer ({plan.name})",
                kind=plan.mailbox_kind,
                quota_gb=plan.quota_gb,
                status=MailboxStatus.REQUESTED,
                requested_on=day,
                updated_by=actor,
            )
            session.add(box)
            made.append(box)
    session.flush()
    for box in made:
        log_event(
            session,
            LifecycleKind.STATUS,
            Subject(client_id=box.client_id, contract_id=contract.id, mailbox_id=box.id),
            actor=actor,
            reason=f"Compte demandé par le devis {quote.number}",
            change=(None, MailboxStatus.REQUESTED.value),
        )
    return tuple(box.id for box in made)


def carry_prices(session: Session, quote: Quote, contract: Contract, actor: str) -> None:
    """Give the contract the quote's negotiated price of each plan and option (in the
    caller's transaction: the acceptance's, or the demo's)."""
    for (kind, item_id), price in item_prices(*quote_amounts(session, quote)).items():
        session.add(
            ContractPrice(
                contract_id=contract.id,
                plan_id=item_id if kind == "plan" else None,
                option_id=item_id if kind == "option" else None,
                unit_price_excl_vat=price,
                updated_by=actor,
            )
        )


@requires(Permission.CONTRACTS)
def refuse_quote(
    db: Database, quote_id: int, *, reason: str = "", actor: str, today: date | None = None
) -> QuoteDetails:
    """The client declined: the quote alone is marked refused."""
    day = today or paris_today()
    with write_scope(db) as session:
        quote = _load(session, quote_id)
        check_move(quote.status, QuoteStatus.REFUSED, quote.valid_until, day)
        quote.status = QuoteStatus.REFUSED
        quote.decided_at = utc_now()
        quote.decision_reason = reason.strip() or None
        quote.updated_by = actor
        quote.updated_at = utc_now()
        why = f" : {reason.strip()}" if reason.strip() else ""
        _log(session, quote, actor, f"Devis {quote.number or '(brouillon)'} refusé{why}")
        session.flush()
        return _details(session, quote.id)


@requires(Permission.CONTRACTS)
def expire_quotes(db: Database, today: date | None = None, *, actor: str = "système") -> list[str]:
    """Mark expired every sent quote whose validity date is before ``today``; their numbers."""
    day = today or paris_today()
    with write_scope(db) as session:
        quotes = session.scalars(
            sa.select(Quote)
            .where(Quote.status == QuoteStatus.SENT, Quote.valid_until < day)
            .order_by(Quote.number)
            .with_for_update()
        ).all()
        for quote in quotes:
            quote.status = QuoteStatus.EXPIRED
            quote.decided_at = utc_now()
            quote.updated_by = actor
            quote.updated_at = utc_now()
            _log(
                session, quote, actor, f"Devis {quote.number} expiré ({quote.valid_until:%d/%m/%Y})"
            )
        return [q.number or "" for q in quotes]


# --- reading ----------------------------------------------------------------------------


def get_quote(db: Database, quote_id: int) -> QuoteDetails:
    with db.read_session() as session:
        return _details(session, quote_id)


def find_quote(db: Database, number: str) -> QuoteDetails:
    """The quote of that number, or a French NotFoundError."""
    with db.read_session() as session:
        found = session.execute(
            sa.select(Quote.id).where(Quote.number == number.strip())
        ).scalar_one_or_none()
        if found is None:
            raise NotFoundError(f"Devis « {number.strip()} » introuvable.")
        return _details(session, found)


def quote_is_expired(details: QuoteDetails, today: date | None = None) -> bool:
    return is_expired(details.status, details.valid_until, today or paris_today())


def _load(session: Session, quote_id: int) -> Quote:
    quote = session.get(Quote, quote_id, with_for_update=True)
    if quote is None:
        raise not_found(QUOTE)
    return quote


def _log(session: Session, quote: Quote, actor: str, reason: str) -> None:
    log_event(
        session,
        LifecycleKind.STATUS,
        Subject(client_id=quote.client_id),
        actor=actor,
        reason=reason,
        change=(None, quote.status.value),
    )


def _details(session: Session, quote_id: int) -> QuoteDetails:
    quote = session.get(Quote, quote_id)
    if quote is None:
        raise not_found(QUOTE)
    client = session.get(Client, quote.client_id)
    line = session.get(ProductLine, quote.product_line_id)
    assert client is not None and line is not None
    contract = session.scalars(
        sa.select(Contract).where(Contract.quote_id == quote.id).order_by(Contract.id).limit(1)
    ).first()
    views, totals = quote_amounts(session, quote)
    return QuoteDetails(
        id=quote.id,
        number=quote.number,
        client_id=client.id,
        client_code=client.code,
        client_name=client.name,
        client_status=client.status,
        product_line_id=line.id,
        product_line_name=line.name,
        status=quote.status,
        issued_on=quote.issued_on,
        valid_until=quote.valid_until,
        initial_months=quote.initial_months,
        renewal_months=quote.renewal_months,
        payment_method=quote.payment_method,
        discount_percent=quote.discount_percent,
        notes=quote.notes,
        decision_reason=quote.decision_reason,
        sent_at=quote.sent_at,
        decided_at=quote.decided_at,
        lines=views,
        totals=totals,
        contract_id=contract.id if contract else None,
        contract_number=contract.number if contract else None,
        contract_status=contract.status if contract else None,
        version=quote.version,
    )


def quote_amounts(session: Session, quote: Quote) -> tuple[tuple[QuoteLineView, ...], QuoteTotals]:
    """The quote's lines and their amounts (their own and the global discounts applied)."""
    views = tuple(line_view(session, row) for row in quote.lines)
    totals = quote_totals([_line_input(view) for view in views], quote.discount_percent or ZERO)
    return views, totals


def item_prices(
    views: Sequence[QuoteLineView], totals: QuoteTotals
) -> dict[tuple[str, int], Decimal]:
    """The negotiated unit price of each ("plan", id) and ("option", id) of a quote."""
    return negotiated_prices(
        (_item(view), view.quantity, amounts)
        for view, amounts in zip(views, totals.lines, strict=True)
    )


def _item(view: QuoteLineView) -> tuple[str, int] | None:
    if view.plan_id is not None:
        return ("plan", view.plan_id)
    if view.option_id is not None:
        return ("option", view.option_id)
    return None


def line_view(session: Session, row: QuoteLine) -> QuoteLineView:
    billing, category = OptionBilling.PER_ACT, None
    if row.plan_id is not None:
        billing = OptionBilling.MONTHLY
    elif row.option_id is not None:
        option = session.get(CatalogueOption, row.option_id)
        assert option is not None
        billing, category = option.billing, option.category
    return QuoteLineView(
        position=row.position,
        plan_id=row.plan_id,
        option_id=row.option_id,
        description=row.description,
        quantity=row.quantity,
        unit_price=row.unit_price_excl_vat,
        discount_percent=row.discount_percent,
        discount_amount=row.discount_amount,
        vat_rate=row.vat_rate,
        amount=row.amount_excl_vat,
        billing=billing,
        category=category,
    )


def _line_input(view: QuoteLineView) -> LineInput:
    return LineInput(
        description=view.description,
        quantity=view.quantity,
        unit_price=view.unit_price,
        vat_rate=view.vat_rate,
        billing=view.billing,
        discount_percent=view.discount_percent,
        discount_amount=view.discount_amount,
    )


_COLUMNS: dict[str, Column] = {
    "id": Quote.id,
    "number": Quote.number,
    "client_id": Quote.client_id,
    "client_name": Client.name,
    "product_line_name": ProductLine.name,
    "status": Quote.status,
    "issued_on": Quote.issued_on,
    "valid_until": Quote.valid_until,
    "total_excl_vat": Quote.total_excl_vat,
    "total_incl_vat": Quote.total_incl_vat,
}

_LIST_SELECT = (
    sa.select(*labelled_columns(QuoteRow, _COLUMNS))
    .select_from(Quote)
    .join(Client, Quote.client_id == Client.id)
    .join(ProductLine, Quote.product_line_id == ProductLine.id)
)

_LIST_SPEC = ListSpec(
    count_from=Quote.__table__,
    search_columns=(Quote.number,),
    search_matchers=(related_contains(Quote.client_id, Client.id, Client.name, Client.code),),
    filters={
        "id": id_filter(Quote.id, "id"),
        "status": enum_filter(Quote.status, QuoteStatus, "status"),
        "client_id": id_filter(Quote.client_id, "client_id"),
    },
    sorts={
        "number": Quote.number,
        "client": lower(Client.name),
        "status": enum_order(Quote.status, QuoteStatus),
        "issued_on": Quote.issued_on,
        "valid_until": Quote.valid_until,
        "total_excl_vat": Quote.total_excl_vat,
    },
    default_sort="number",
    tie_breaker=Quote.id,
)


def list_quotes(db: Database, query: ListQuery) -> Page[QuoteRow]:
    """One page of quotes (search: number, client name or code; filter: status, client)."""
    with db.read_session() as session:
        return fetch_page(session, _LIST_SELECT, query, _LIST_SPEC, row_maker(QuoteRow))


def quote_list_totals(db: Database, query: ListQuery) -> QuoteListTotals:
    """How many quotes match the list's search and filters, and their totals."""
    stmt = sa.select(
        sa.func.count(Quote.id),
        sa.func.coalesce(sa.func.sum(Quote.total_excl_vat), 0),
        sa.func.coalesce(sa.func.sum(Quote.total_incl_vat), 0),
    ).where(*conditions(query, _LIST_SPEC))
    with db.read_session() as session:
        count, excl, incl = session.execute(stmt).one()
    cent = Decimal("0.01")
    return QuoteListTotals(int(count), Decimal(excl).quantize(cent), Decimal(incl).quantize(cent))


# --- printing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotePrint:
    """What a printed quote shows: the quote, the provider (letterhead) and the client."""

    quote: QuoteDetails
    provider: ProviderIdentity
    client: ClientIdentity
    product_line_code: ProductLineCode


def quote_print(db: Database, number: str) -> QuotePrint:
    """The printable quote of that number (a French NotFoundError when unknown)."""
    with db.read_session() as session:
        found = session.execute(
            sa.select(Quote.id).where(Quote.number == number.strip())
        ).scalar_one_or_none()
        if found is None:
            raise NotFoundError(f"Devis « {number.strip()} » introuvable.")
        return _print(session, found)


def quote_print_by_id(db: Database, quote_id: int) -> QuotePrint:
    """The printable quote (a draft prints as « brouillon »)."""
    with db.read_session() as session:
        return _print(session, quote_id)


def printable(session: Session, quote_id: int) -> QuotePrint:
    """The printable quote, read in the caller's session (to mail it as it is sent)."""
    return _print(session, quote_id)


def _print(session: Session, quote_id: int) -> QuotePrint:
    details = _details(session, quote_id)
    client = session.get(Client, details.client_id)
    line = session.get(ProductLine, details.product_line_id)
    assert client is not None and line is not None
    return QuotePrint(details, load_provider_identity(session), client_identity(client), line.code)
