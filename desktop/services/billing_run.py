"""The monthly billing run (business rules §5): one invoice per client and month, issued.

The month is read in a handful of set-based SELECTs (clients, contracts and
their negotiated prices, billable mailboxes, subscribed options, the catalogue
and its prices, the invoices already made), computed by
:mod:`desktop.domain.billing`, then written in batches of clients: one
transaction per batch inserts the drafts and their lines in bulk and, unless
asked otherwise, issues them (:func:`desktop.services.issuing.issue_invoices`)
before committing.

Idempotent and resumable: a client that already has an invoice for the month
is skipped, and the unique index (client, month) is the last guard against a
run on another desktop (its batch is rolled back, re-read and retried without
the clients taken). An interruption leaves whole batches only: running the
month again completes it; running a finished month again creates nothing.
"""

from __future__ import annotations

import functools
import gc
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.db import audit
from desktop.db.engine import Database
from desktop.db.models import (
    CatalogueOption,
    Client,
    Contract,
    ContractPrice,
    Invoice,
    InvoiceLine,
    Mailbox,
    Plan,
    Price,
    Provider,
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
from desktop.domain.domain_names import display_domain_name
from desktop.domain.emails import mailbox_address
from desktop.domain.enums import (
    AuditAction,
    ClientStatus,
    ContractStatus,
    InvoiceKind,
    InvoiceStatus,
    MailboxStatus,
    OptionBilling,
    PaymentMethod,
)
from desktop.domain.invoice_totals import ZERO
from desktop.domain.periods import add_months
from desktop.domain.roles import Permission
from desktop.errors import UserError
from desktop.services.access import requires
from desktop.services.issuing import issue_invoices
from desktop.services.missed_months import (
    MissedMonths,
    missed_months,
    recent_accounts,
    recent_options,
)

DEFAULT_BATCH_SIZE = 250
DEFAULT_VAT_RATE = Decimal("20.00")
"""Used only when the provider's identity is not saved yet (issuing needs it anyway)."""

_MONTH_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BillingReport:
    month: date
    clients_billed: int
    """Clients holding an invoice for the month once the run is over (before and by it)."""
    invoices_created: int
    already_billed: int
    """Clients skipped: their invoice for the month existed (made by an earlier run)."""
    numbers: tuple[str, ...]
    """Numbers issued, in order; empty when the drafts were not issued."""
    total_excl_vat: Decimal
    total_incl_vat: Decimal
    """Totals of the invoices created by this run."""
    cancelled: bool


@dataclass(frozen=True)
class PreviewLine:
    client_id: int
    client_code: str
    client_name: str
    lines: int
    total_excl_vat: Decimal
    total_incl_vat: Decimal


@dataclass(frozen=True)
class BillingPreview:
    """What running the month would invoice now, client by client (by code)."""

    month: date
    rows: tuple[PreviewLine, ...]
    already_billed: int
    total_excl_vat: Decimal
    total_incl_vat: Decimal

    @property
    def clients(self) -> int:
        return len(self.rows)

    @property
    def lines(self) -> int:
        return sum(row.lines for row in self.rows)


def month_of(text: str) -> date:
    """The first day of the month written ``AAAA-MM``: "2026-03" → 2026-03-01."""
    found = _MONTH_TEXT.fullmatch(text.strip())
    if found is not None:
        year, month = int(found.group(1)), int(found.group(2))
        if year >= 1 and 1 <= month <= 12:
            return date(year, month, 1)
    raise UserError(f"« {text} » n'est pas un mois AAAA-MM (par exemple 2026-11).")


def preview_billing(db: Database, month: date) -> BillingPreview:
    """The invoices a run of ``month`` would make now; reads only."""
    with _no_cycle_collection(), db.read_session() as session:
        plan = _plan_month(session, Month.of(month))
    rows = tuple(
        PreviewLine(
            client_id=draft.client_id,
            client_code=plan.clients[draft.client_id].code,
            client_name=plan.clients[draft.client_id].name,
            lines=len(draft.lines),
            total_excl_vat=draft.totals.excl_vat,
            total_incl_vat=draft.totals.incl_vat,
        )
        for draft in plan.drafts
    )
    return BillingPreview(
        month=plan.month.first,
        rows=rows,
        already_billed=len(plan.already_billed),
        total_excl_vat=sum((row.total_excl_vat for row in rows), ZERO),
        total_incl_vat=sum((row.total_incl_vat for row in rows), ZERO),
    )


@requires(Permission.BILLING)
def run_billing(
    db: Database,
    month: date,
    *,
    actor: str,
    issue: bool = True,
    today: date | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> BillingReport:
    """Invoice every client for ``month`` (any day of it), in batches of ``batch_size`` clients.

    ``progress(done, total)`` follows the clients to invoice; ``cancelled()``
    is asked before each batch: what was committed stays. Refuses a month
    after the one following ``today`` (default: today in Paris).
    """
    day = today if today is not None else paris_today()
    target = Month.of(month)
    _refuse_future(target, day)
    with _no_cycle_collection():
        return _run(db, target, _Issue(issue, actor, day), progress, cancelled, batch_size)


def _run(
    db: Database,
    target: Month,
    how: _Issue,
    progress: Progress | None,
    cancelled: Callable[[], bool] | None,
    batch_size: int,
) -> BillingReport:
    with db.read_session() as session:
        plan = _plan_month(session, target)
    tally = _Tally(already_billed=len(plan.already_billed))
    total, size = len(plan.drafts), max(1, batch_size)
    notify = progress or _silent
    notify(0, total)
    for start in range(0, total, size):
        if cancelled is not None and cancelled():
            return tally.report(target.first, cancelled=True)
        batch = plan.drafts[start : start + size]
        _commit_batch(db, plan, batch, tally, how)
        notify(start + len(batch), total)
    return tally.report(target.first, cancelled=False)


def _silent(_done: int, _total: int) -> None:
    return None


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector (reference counting still frees everything).

    A month is millions of objects that live until the run ends and hold no
    cycles; the collector would rescan them again and again (about a sixth of
    the run for 100 000 mailboxes).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _refuse_future(month: Month, today: date) -> None:
    if month.first > add_months(today.replace(day=1), 1):
        raise UserError("On ne facture pas un mois au-delà du mois prochain.")


# --- writing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Issue:
    issue: bool
    actor: str
    today: date


@dataclass
class _Tally:
    already_billed: int
    created: int = 0
    numbers: list[str] = field(default_factory=list)
    excl_vat: Decimal = ZERO
    incl_vat: Decimal = ZERO

    def add(self, drafts: Sequence[InvoiceDraft], numbers: Sequence[str]) -> None:
        self.created += len(drafts)
        self.numbers.extend(numbers)
        self.excl_vat += sum((d.totals.excl_vat for d in drafts), ZERO)
        self.incl_vat += sum((d.totals.incl_vat for d in drafts), ZERO)

    def report(self, month: date, cancelled: bool) -> BillingReport:
        return BillingReport(
            month=month,
            clients_billed=self.already_billed + self.created,
            invoices_created=self.created,
            already_billed=self.already_billed,
            numbers=tuple(self.numbers),
            total_excl_vat=self.excl_vat,
            total_incl_vat=self.incl_vat,
            cancelled=cancelled,
        )


def _commit_batch(
    db: Database, plan: _MonthPlan, batch: Sequence[InvoiceDraft], tally: _Tally, how: _Issue
) -> None:
    """Write one batch in one transaction; clients another run billed meanwhile are skipped."""
    while batch:
        try:
            with db.session_scope() as session:
                written, numbers = _write_batch(session, plan, batch, how)
        except IntegrityError:
            with db.read_session() as session:
                taken = _billed_clients(session, plan.month, [d.client_id for d in batch])
            if not taken:
                raise
            tally.already_billed += len(taken)
            batch = [d for d in batch if d.client_id not in taken]
        else:
            tally.add(written, numbers)
            return


def _write_batch(
    session: Session, plan: _MonthPlan, batch: Sequence[InvoiceDraft], how: _Issue
) -> tuple[list[InvoiceDraft], list[str]]:
    """Insert the batch's drafts and lines, issue them when asked; what was written."""
    drafts = _without_acts_billed_meanwhile(session, plan, batch)
    if not drafts:
        return [], []
    ids = _insert_invoices(session, drafts, how.actor)
    _insert_lines(session, drafts, ids)
    invoice_ids = [ids[d.client_id] for d in drafts]
    numbers: list[str] = []
    if how.issue:
        numbers = issue_invoices(
            session, invoice_ids, actor=how.actor, today=how.today, audit_each=False
        )
    audit.record(session, [_batch_entry(plan.month, drafts, numbers, how.actor)])
    return drafts, numbers


def _batch_entry(
    month: Month, drafts: Sequence[InvoiceDraft], numbers: Sequence[str], actor: str
) -> dict[str, Any]:
    """One audit row for a batch of invoices (entity ``billing_run``, id ``AAAAMM``)."""
    first = month.first
    return audit.entry(
        "billing_run",
        first.year * 100 + first.month,
        AuditAction.CREATE,
        after={
            "month": f"{first:%Y-%m}",
            "invoices": len(drafts),
            "issued": bool(numbers),
            "first_number": numbers[0] if numbers else None,
            "last_number": numbers[-1] if numbers else None,
            "total_excl_vat": sum((d.totals.excl_vat for d in drafts), ZERO),
            "total_incl_vat": sum((d.totals.incl_vat for d in drafts), ZERO),
        },
        user=actor,
    )


def _insert_invoices(
    session: Session, drafts: Sequence[InvoiceDraft], actor: str
) -> dict[int, int]:
    """Insert the drafts in one statement; their ids by client."""
    now = utc_now()
    table = _table(Invoice)
    statement = sa.insert(table).returning(
        table.c.id, table.c.client_id, sort_by_parameter_order=True
    )
    rows = [_invoice_row(draft, actor, now) for draft in drafts]
    return {row.client_id: row.id for row in session.execute(statement, rows)}


def _invoice_row(draft: InvoiceDraft, actor: str, now: datetime) -> dict[str, Any]:
    totals = draft.totals
    return {
        "client_id": draft.client_id,
        "kind": InvoiceKind.INVOICE,
        "status": InvoiceStatus.DRAFT,
        "period_start": draft.month.first,
        "period_end": draft.month.last,
        "billing_month": draft.month.first,
        "is_renewal": draft.is_renewal,
        "total_excl_vat": totals.excl_vat,
        "total_vat": totals.vat,
        "total_incl_vat": totals.incl_vat,
        "currency": "EUR",
        "payment_method": draft.payment_method,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "updated_by": actor,
    }


_RENAMED = {"unit_price": "unit_price_excl_vat", "amount": "amount_excl_vat"}
_LINE_COLUMNS = ("invoice_id", "position", *(_RENAMED.get(f, f) for f in LineDraft._fields))
"""The invoice_line columns, then one per field of a line draft, in its order."""


def _insert_lines(session: Session, drafts: Sequence[InvoiceDraft], ids: dict[int, int]) -> None:
    rows = [
        (ids[draft.client_id], position, *line)
        for draft in drafts
        for position, line in enumerate(draft.lines, start=1)
    ]
    bulk_insert(session, _table(InvoiceLine), _LINE_COLUMNS, rows)


def bulk_insert(
    session: Session, table: sa.Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """INSERT ``rows`` (tuples in the order of ``columns``) with one driver ``executemany``.

    Each value goes through its column's type (the exact-decimal checks, enum
    values, SQLite dates), as SQLAlchemy would bind it, but without its
    per-row statement machinery: several times faster for 100 000 rows.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    binders = [
        (index, processor)
        for index, name in enumerate(columns)
        if (processor := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    ]
    quote = dialect.identifier_preparer.quote
    mark = _MARKS[dialect.paramstyle]
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    connection.exec_driver_sql(sql, [_bound(row, binders) for row in rows])


_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}
"""Positional placeholders of the drivers used (sqlite3, psycopg)."""


def _bound(
    row: tuple[Any, ...], binders: Sequence[tuple[int, Callable[[Any], Any]]]
) -> tuple[Any, ...]:
    values = list(row)
    for index, processor in binders:
        values[index] = processor(values[index])
    return tuple(values)


def _without_acts_billed_meanwhile(
    session: Session, plan: _MonthPlan, batch: Sequence[InvoiceDraft]
) -> list[InvoiceDraft]:
    """The batch, without the per-act options another run billed since the month was read."""
    acts = [
        line.subscribed_option_id
        for draft in batch
        for line in draft.lines
        if line.option_id is not None
        and line.subscribed_option_id is not None
        and plan.catalogue.options[line.option_id].billing is OptionBilling.PER_ACT
    ]
    billed = _acts_billed(session, acts)
    if not billed:
        return list(batch)
    drafts = []
    for draft in batch:
        if any(line.subscribed_option_id in billed for line in draft.lines):
            client = plan.inputs[draft.client_id]
            kept = tuple(s for s in client.subscriptions if s.id not in billed)
            again = bill_client(replace(client, subscriptions=kept), plan.month, plan.catalogue)
            if again is not None:
                drafts.append(again)
        else:
            drafts.append(draft)
    return drafts


# --- reading the month ------------------------------------------------------------------


@dataclass(frozen=True)
class _ClientInfo:
    code: str
    name: str
    payment_method: PaymentMethod | None


@dataclass(frozen=True)
class _MonthPlan:
    """The month as read: its catalogue, what each client has, the invoices to make."""

    month: Month
    catalogue: Catalogue
    clients: dict[int, _ClientInfo]
    inputs: dict[int, ClientMonth]
    already_billed: frozenset[int]
    drafts: list[InvoiceDraft]
    """In client code order, without the clients already billed."""


def _plan_month(session: Session, month: Month) -> _MonthPlan:
    catalogue = _catalogue(session)
    clients = _clients(session)
    inputs = _client_months(session, month, clients)
    billed = frozenset(_billed_clients(session, month))
    drafts = []
    for client_id in sorted(inputs, key=lambda c: clients[c].code):
        if client_id not in billed:
            draft = bill_client(inputs[client_id], month, catalogue)
            if draft is not None:
                drafts.append(draft)
    return _MonthPlan(month, catalogue, clients, inputs, billed, drafts)


def _catalogue(session: Session) -> Catalogue:
    prices: dict[tuple[str, int], list[PricePoint]] = defaultdict(list)
    for row in session.execute(
        sa.select(
            Price.plan_id, Price.option_id, Price.valid_from, Price.valid_to, Price.amount_excl_vat
        )
    ):
        key = ("plan", row.plan_id) if row.plan_id is not None else ("option", row.option_id)
        prices[key].append(PricePoint(row.valid_from, row.valid_to, row.amount_excl_vat))
    plans = {
        row.id: PlanTerms(row.name, row.vat_rate, tuple(prices[("plan", row.id)]))
        for row in session.execute(sa.select(Plan.id, Plan.name, Plan.vat_rate))
    }
    options = {
        row.id: OptionTerms(
            row.name, row.vat_rate, tuple(prices[("option", row.id)]), row.category, row.billing
        )
        for row in session.execute(
            sa.select(
                CatalogueOption.id,
                CatalogueOption.name,
                CatalogueOption.vat_rate,
                CatalogueOption.category,
                CatalogueOption.billing,
            )
        )
    }
    return Catalogue(plans, options, default_vat_rate(session))


def default_vat_rate(session: Session) -> Decimal:
    """The provider's VAT rate for plans and options without their own (20 % if none)."""
    rate = session.scalar(sa.select(Provider.default_vat_rate).where(Provider.id == 1))
    return DEFAULT_VAT_RATE if rate is None else Decimal(rate)


def _clients(session: Session) -> dict[int, _ClientInfo]:
    """Clients that may be billed: every one but the anonymised."""
    rows = session.execute(
        sa.select(Client.id, Client.code, Client.name, Client.payment_method).where(
            Client.status != ClientStatus.ANONYMISED, Client.anonymised_at.is_(None)
        )
    )
    return {row.id: _ClientInfo(row.code, row.name, row.payment_method) for row in rows}


def _client_months(
    session: Session, month: Month, clients: dict[int, _ClientInfo]
) -> dict[int, ClientMonth]:
    """What each client has that may be billed in ``month`` (clients with something only)."""
    contracts, owner = _contracts(session, clients)
    missed = missed_months(session, month)
    accounts: dict[int, list[Account]] = defaultdict(list)
    for account in _accounts(session, month, missed):
        if account.contract_id in owner:
            accounts[owner[account.contract_id]].append(account)
    subscriptions: dict[int, list[Subscription]] = defaultdict(list)
    for sub in _subscriptions(session, month, missed):
        if sub.contract_id in owner:
            subscriptions[owner[sub.contract_id]].append(sub)
    return {
        client_id: ClientMonth(
            client_id=client_id,
            payment_method=clients[client_id].payment_method,
            contracts=contracts[client_id],
            accounts=accounts.get(client_id, []),
            subscriptions=subscriptions.get(client_id, []),
        )
        for client_id in accounts.keys() | subscriptions.keys()
    }


def _contracts(
    session: Session, clients: dict[int, _ClientInfo]
) -> tuple[dict[int, dict[int, ContractTerms]], dict[int, int]]:
    """The contracts not cancelled of billable clients, by client; and each one's client."""
    by_client: dict[int, dict[int, ContractTerms]] = defaultdict(dict)
    owner: dict[int, int] = {}
    plan_prices, option_prices = negotiated_prices(session)
    rows = session.execute(
        sa.select(
            Contract.id,
            Contract.client_id,
            Contract.number,
            Contract.payment_method,
            Contract.service_start,
            Contract.initial_months,
        ).where(Contract.status != ContractStatus.CANCELLED)
    )
    for row in rows:
        if row.client_id in clients:
            terms = ContractTerms(
                row.id,
                row.number,
                row.payment_method,
                row.service_start,
                row.initial_months,
                plan_prices.get(row.id, {}),
                option_prices.get(row.id, {}),
            )
            by_client[row.client_id][row.id] = terms
            owner[row.id] = row.client_id
    return by_client, owner


def negotiated_prices(
    session: Session, contract_id: int | None = None
) -> tuple[dict[int, dict[int, Decimal]], dict[int, dict[int, Decimal]]]:
    """The negotiated prices of every contract (or of ``contract_id``), in one SELECT:
    by contract, then by plan and by option."""
    plans: dict[int, dict[int, Decimal]] = defaultdict(dict)
    options: dict[int, dict[int, Decimal]] = defaultdict(dict)
    query = sa.select(
        ContractPrice.contract_id,
        ContractPrice.plan_id,
        ContractPrice.option_id,
        ContractPrice.unit_price_excl_vat,
    )
    if contract_id is not None:
        query = query.where(ContractPrice.contract_id == contract_id)
    for row in session.execute(query):
        if row.plan_id is not None:
            plans[row.contract_id][row.plan_id] = row.unit_price_excl_vat
        else:
            options[row.contract_id][row.option_id] = row.unit_price_excl_vat
    return plans, options


_MAILBOX_END = sa.func.coalesce(Mailbox.billing_ends_on_override, Mailbox.ends_on)
"""The last billable day of a mailbox: the shortened period granted, else its end."""


def _accounts(session: Session, month: Month, missed: MissedMonths) -> Iterable[Account]:
    """The mailboxes billable in ``month`` (activated, and not ended before it), and those
    activated in the months looked back at (which may have missed some)."""
    rows = session.execute(
        sa.select(
            Mailbox.id,
            Mailbox.contract_id,
            Mailbox.plan_id,
            Mailbox.address,
            Mailbox.activated_on,
            _MAILBOX_END.label("end"),
        ).where(
            Mailbox.status != MailboxStatus.REQUESTED,
            Mailbox.activated_on.is_not(None),
            Mailbox.activated_on <= month.last,
            sa.or_(
                _MAILBOX_END.is_(None),
                _MAILBOX_END >= month.first,
                recent_accounts(missed.since, month),
            ),
        )
    )
    for row in rows:
        yield Account(
            row.id, row.contract_id, row.plan_id, _display(row.address),
            Interval(row.activated_on, row.end), missed.accounts.get(row.id, ()),
        )  # fmt: skip


def _subscriptions(session: Session, month: Month, missed: MissedMonths) -> Iterable[Subscription]:
    """Subscribed options that may be billed in ``month``: running ones, per-act not billed,
    and monthly or yearly ones begun in the months looked back at (they may have missed
    some)."""
    option = CatalogueOption
    sub = SubscribedOption
    per_act = option.billing == OptionBilling.PER_ACT
    running = sa.or_(
        sub.ends_on.is_(None), sub.ends_on >= month.first, recent_options(missed.since, month)
    )
    rows = session.execute(
        sa.select(
            sub.id,
            sub.option_id,
            sa.func.coalesce(sub.contract_id, Mailbox.contract_id).label("contract_id"),
            sub.mailbox_id,
            sub.quantity,
            sub.starts_on,
            sub.ends_on,
            Mailbox.address,
            Mailbox.status,
            Mailbox.activated_on,
            _MAILBOX_END.label("mailbox_end"),
        )
        .join(option, option.id == sub.option_id)
        .outerjoin(Mailbox, Mailbox.id == sub.mailbox_id)
        .where(
            sub.starts_on <= month.last,
            sa.or_(sa.and_(~per_act, running), sa.and_(per_act, ~_BILLED_ACT)),
        )
    )
    for row in rows:
        yield Subscription(
            id=row.id,
            option_id=row.option_id,
            contract_id=row.contract_id,
            quantity=row.quantity,
            period=Interval(row.starts_on, row.ends_on),
            mailbox_id=row.mailbox_id,
            address=None if row.address is None else _display(row.address),
            mailbox_active=_mailbox_active(row.status, row.activated_on, row.mailbox_end),
            missed=missed.options.get(row.id, ()),
        )


def _mailbox_active(
    status: MailboxStatus | None, activated_on: date | None, end: date | None
) -> Interval | None:
    if status in (None, MailboxStatus.REQUESTED) or activated_on is None:
        return None
    return Interval(activated_on, end)


def _display(address: str) -> str:
    """The address as people read it (an internationalised domain in Unicode)."""
    if "xn--" not in address:
        return address
    local, _, domain = address.partition("@")
    return mailbox_address(local, _display_domain(domain))


@functools.lru_cache(maxsize=4096)
def _display_domain(a_label: str) -> str:
    return display_domain_name(a_label)


_BILLED_ACT = sa.exists().where(
    InvoiceLine.subscribed_option_id == SubscribedOption.id,
    Invoice.id == InvoiceLine.invoice_id,
    Invoice.status != InvoiceStatus.CANCELLED,
)
"""A line of an invoice that is not cancelled already bills the subscribed option."""


def _acts_billed(session: Session, subscription_ids: Sequence[int]) -> set[int]:
    if not subscription_ids:
        return set()
    rows = session.execute(
        sa.select(InvoiceLine.subscribed_option_id)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(
            InvoiceLine.subscribed_option_id.in_(subscription_ids),
            Invoice.status != InvoiceStatus.CANCELLED,
        )
    )
    return {row[0] for row in rows if row[0] is not None}


def _billed_clients(
    session: Session, month: Month, client_ids: Sequence[int] | None = None
) -> set[int]:
    """Clients holding an invoice for ``month`` (among ``client_ids`` when given)."""
    statement = sa.select(Invoice.client_id).where(Invoice.billing_month == month.first)
    if client_ids is not None:
        statement = statement.where(Invoice.client_id.in_(client_ids))
    return set(session.execute(statement).scalars())


def _table(model: type[Any]) -> sa.Table:
    return cast(sa.Table, model.__table__)
