"""The office's reports: receivables by age, sales journal, recurring revenue, inventory.

Each report is read in a few grouped SELECTs and returned as plain frozen
dataclasses with exact ``Decimal`` amounts; the workbooks are made by
:mod:`desktop.documents.report_workbooks`. Choices made here:

* **Receivables by age** (at a date ``at``): every issued invoice (not a draft,
  not a credit note) issued on or before ``at`` whose balance at ``at`` is
  positive. The balance is its total incl. VAT less the payments received on or
  before ``at`` (a rejected payment never counts, whenever it was rejected) and
  the credit notes issued on or before ``at``. Days late count from the due date
  (day 0 = the due date itself, in « 0–30 j »); before it, « Non échu ». An
  invoice without due date falls due on its issue date. Negative balances (a
  refund owed) are left out: they are not receivables.
* **Sales journal** (a month): every invoice and credit note issued in the month
  (by issue date), ordered by number; bases and VAT per rate recomputed from the
  lines as on the document (EN 16931: VAT rounded once per rate); credit notes
  negative. The last line is the total (``is_total``).
* **Recurring revenue** (a month): the issued, non-cancelled invoices billed for
  the month (``billing_month``): subscription lines per product line and plan
  (distinct mailboxes billed, amount excl. VAT), then monthly options on lines
  of their own (mailboxes: the distinct mailboxes they were billed on; an option
  taken on a whole contract counts none). Yearly and per-act options, fees,
  usage and credit notes are not recurring monthly revenue: left out. Each product
  line ends with a subtotal (its subscription mailboxes, all its amounts); the
  last line is the grand total.
* **Mailbox inventory** of a client: without a date, every mailbox not deleted;
  at a date, those activated on or before it and neither terminated nor deleted
  on or before it. The status shown is the current one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

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
    Payment,
    Plan,
    ProductLine,
)
from desktop.domain.enums import (
    InvoiceKind,
    InvoiceLineKind,
    InvoiceStatus,
    MailboxStatus,
    OptionBilling,
)
from desktop.domain.invoice_totals import vat_breakdown
from desktop.domain.money import round_money
from desktop.domain.periods import add_months
from desktop.errors import UserError

ZERO = Decimal("0.00")

# --- receivables by age ---------------------------------------------------------------------

BUCKETS: tuple[str, ...] = ("Non échu", "0–30 j", "31–60 j", "61–90 j", "> 90 j")
"""The age buckets, in order: not due yet, then days past the due date."""

_BUCKET_LIMITS = (30, 60, 90)


def age_bucket(days_late: int) -> int:
    """The index in :data:`BUCKETS` of an amount ``days_late`` days past due (0 = due day).

    >>> [age_bucket(d) for d in (-1, 0, 30, 31, 60, 61, 90, 91)]
    [0, 1, 1, 2, 2, 3, 3, 4]
    """
    if days_late < 0:
        return 0
    for index, limit in enumerate(_BUCKET_LIMITS, start=1):
        if days_late <= limit:
            return index
    return len(BUCKETS) - 1


@dataclass(frozen=True)
class AgingItem:
    """One open invoice at the report's date."""

    client_id: int
    number: str
    issued_on: date
    due_on: date
    days_late: int  # negative: not due yet
    balance: Decimal

    @property
    def bucket(self) -> int:
        return age_bucket(self.days_late)


@dataclass(frozen=True)
class AgingRow:
    """One client's open balance, split by age (amounts in :data:`BUCKETS` order)."""

    client_id: int
    client_code: str
    client_name: str
    amounts: tuple[Decimal, ...]
    invoices: int

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, ZERO)


@dataclass(frozen=True)
class AgingReport:
    at: date
    rows: tuple[AgingRow, ...]  # by client code
    items: tuple[AgingItem, ...]  # by client, then due date and number

    @property
    def totals(self) -> tuple[Decimal, ...]:
        """Each bucket's total over the clients."""
        return tuple(
            sum((row.amounts[index] for row in self.rows), ZERO) for index in range(len(BUCKETS))
        )

    @property
    def total(self) -> Decimal:
        return sum(self.totals, ZERO)


def receivables_by_age(db: Database, at: date) -> AgingReport:
    """What each client owes at ``at``, by how late it is (see the module's choices)."""
    with db.read_session() as session:
        items = _open_items(session, at)
        names = _client_names(session, {item.client_id for item in items})
    by_client: dict[int, list[AgingItem]] = defaultdict(list)
    for item in items:
        by_client[item.client_id].append(item)
    rows = [
        _aging_row(client_id, names[client_id], found) for client_id, found in by_client.items()
    ]
    rows.sort(key=lambda row: (row.client_code, row.client_id))
    order = {row.client_id: index for index, row in enumerate(rows)}
    items.sort(key=lambda item: (order[item.client_id], item.due_on, item.number))
    return AgingReport(at, tuple(rows), tuple(items))


def _aging_row(client_id: int, name: tuple[str, str], items: Sequence[AgingItem]) -> AgingRow:
    amounts = [ZERO] * len(BUCKETS)
    for item in items:
        amounts[item.bucket] += item.balance
    return AgingRow(client_id, name[0], name[1], tuple(amounts), len(items))


def _open_items(session: Session, at: date) -> list[AgingItem]:
    invoices = session.execute(
        sa.select(
            Invoice.id,
            Invoice.client_id,
            Invoice.number,
            Invoice.issued_on,
            Invoice.due_on,
            Invoice.total_incl_vat,
        ).where(
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status != InvoiceStatus.DRAFT,
            Invoice.issued_on <= at,
        )
    ).all()
    paid = _sums(session, _payments_at(at))
    credited = _sums(session, _credit_notes_at(at))
    items = []
    for row in invoices:
        balance = row.total_incl_vat - paid.get(row.id, ZERO) - credited.get(row.id, ZERO)
        if balance <= 0:
            continue
        due_on = row.due_on or row.issued_on
        items.append(
            AgingItem(row.client_id, row.number, row.issued_on, due_on, (at - due_on).days, balance)
        )
    return items


def _payments_at(at: date) -> sa.Select[int, Decimal]:
    return (
        sa.select(Payment.invoice_id, sa.func.sum(Payment.amount))
        .where(Payment.paid_on <= at, Payment.rejected_at.is_(None))
        .group_by(Payment.invoice_id)
    )


def _credit_notes_at(at: date) -> sa.Select[int | None, Decimal]:
    return (
        sa.select(Invoice.corrects_id, sa.func.sum(Invoice.total_incl_vat))
        .where(
            Invoice.kind == InvoiceKind.CREDIT_NOTE,
            Invoice.status != InvoiceStatus.DRAFT,
            Invoice.corrects_id.is_not(None),
            Invoice.issued_on <= at,
        )
        .group_by(Invoice.corrects_id)
    )


def _sums(session: Session, query: sa.Select[Any, Any]) -> dict[int, Decimal]:
    return {
        key: round_money(Decimal(total)) for key, total in session.execute(query) if key is not None
    }


def _client_names(session: Session, client_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    ids = list(client_ids)
    if not ids:
        return {}
    rows = session.execute(sa.select(Client.id, Client.code, Client.name).where(Client.id.in_(ids)))
    return {row.id: (row.code, row.name) for row in rows}


# --- sales journal --------------------------------------------------------------------------


@dataclass(frozen=True)
class JournalLine:
    """One document of the month (or the total line, ``is_total``); credit notes negative.

    ``bases`` and ``vat`` map a VAT rate in percent (``Decimal('20.00')``) to the
    amount of that rate; a rate the document does not use is absent.
    """

    issued_on: date | None
    number: str
    kind: str  # « Facture », « Avoir » or « Total »
    client_code: str
    client_name: str
    bases: dict[Decimal, Decimal]
    vat: dict[Decimal, Decimal]
    total_excl_vat: Decimal
    total_vat: Decimal
    total_incl_vat: Decimal
    payment_method: str
    is_total: bool = False


def sales_journal(db: Database, month: date) -> list[JournalLine]:
    """The invoices and credit notes issued in ``month``, by number, then their total."""
    first = month.replace(day=1)
    following = add_months(first, 1)
    with db.read_session() as session:
        documents = session.execute(
            sa.select(
                Invoice.id,
                Invoice.kind,
                Invoice.number,
                Invoice.issued_on,
                Invoice.payment_method,
                Client.code,
                Client.name,
            )
            .join(Client, Client.id == Invoice.client_id)
            .where(
                Invoice.status != InvoiceStatus.DRAFT,
                Invoice.issued_on >= first,
                Invoice.issued_on < following,
            )
            .order_by(Invoice.number)
        ).all()
        rates = _rate_bases(session, [row.id for row in documents])
    lines = [_journal_line(row, rates.get(row.id, {})) for row in documents]
    return [*lines, journal_total(lines)]


def _rate_bases(session: Session, invoice_ids: Sequence[int]) -> dict[int, dict[Decimal, Decimal]]:
    found: dict[int, dict[Decimal, Decimal]] = defaultdict(dict)
    for start in range(0, len(invoice_ids), 500):
        chunk = invoice_ids[start : start + 500]
        rows = session.execute(
            sa.select(
                InvoiceLine.invoice_id,
                InvoiceLine.vat_rate,
                sa.func.sum(InvoiceLine.amount_excl_vat),
            )
            .where(InvoiceLine.invoice_id.in_(chunk))
            .group_by(InvoiceLine.invoice_id, InvoiceLine.vat_rate)
        )
        for invoice_id, rate, amount in rows:
            found[invoice_id][Decimal(rate)] = round_money(Decimal(amount))
    return found


def _journal_line(row: Any, bases: dict[Decimal, Decimal]) -> JournalLine:
    sign = -1 if row.kind is InvoiceKind.CREDIT_NOTE else 1
    breakdown = vat_breakdown((base, rate) for rate, base in bases.items())
    by_base = {total.rate: sign * total.base for total in breakdown}
    by_vat = {total.rate: sign * total.vat for total in breakdown}
    excl = sum(by_base.values(), ZERO)
    vat = sum(by_vat.values(), ZERO)
    return JournalLine(
        issued_on=row.issued_on,
        number=row.number,
        kind=row.kind.label,
        client_code=row.code,
        client_name=row.name,
        bases=by_base,
        vat=by_vat,
        total_excl_vat=excl,
        total_vat=vat,
        total_incl_vat=excl + vat,
        payment_method=row.payment_method.label if row.payment_method is not None else "",
    )


def journal_total(lines: Iterable[JournalLine]) -> JournalLine:
    """The total line of journal lines (documents only; a total line is skipped)."""
    documents = [line for line in lines if not line.is_total]
    return JournalLine(
        issued_on=None,
        number="",
        kind="Total",
        client_code="",
        client_name=f"{len(documents)} document(s)",
        bases=_add_up(line.bases for line in documents),
        vat=_add_up(line.vat for line in documents),
        total_excl_vat=sum((line.total_excl_vat for line in documents), ZERO),
        total_vat=sum((line.total_vat for line in documents), ZERO),
        total_incl_vat=sum((line.total_incl_vat for line in documents), ZERO),
        payment_method="",
        is_total=True,
    )


def _add_up(maps: Iterable[dict[Decimal, Decimal]]) -> dict[Decimal, Decimal]:
    total: dict[Decimal, Decimal] = {}
    for amounts in maps:
        for rate, amount in amounts.items():
            total[rate] = total.get(rate, ZERO) + amount
    return total


def journal_rates(lines: Iterable[JournalLine]) -> list[Decimal]:
    """The VAT rates used in the journal, highest first (one column each)."""
    rates: set[Decimal] = set()
    for line in lines:
        rates.update(line.bases)
    return sorted(rates, reverse=True)


# --- recurring revenue ----------------------------------------------------------------------

SUBSCRIPTION = "Abonnement"
MONTHLY_OPTION = "Option mensuelle"
SUBTOTAL = "Sous-total"
TOTAL = "Total"


@dataclass(frozen=True)
class RevenueLine:
    product_line: str
    item: str  # the plan or option name; empty on a subtotal or the total
    kind: str  # « Abonnement », « Option mensuelle », « Sous-total » or « Total »
    mailboxes: int
    amount_excl_vat: Decimal

    @property
    def is_subtotal(self) -> bool:
        return self.kind == SUBTOTAL

    @property
    def is_total(self) -> bool:
        return self.kind == TOTAL


def recurring_revenue(db: Database, month: date) -> list[RevenueLine]:
    """The monthly recurring revenue billed for ``month`` (see the module's choices)."""
    first = month.replace(day=1)
    with db.read_session() as session:
        plans = _plan_revenue(session, first)
        options = _option_revenue(session, first)
    lines: list[RevenueLine] = []
    total_boxes, total_amount = 0, ZERO
    for line_name in sorted({key[0] for key in (*plans, *options)}):
        own = [
            RevenueLine(line_name, item, SUBSCRIPTION, count, amount)
            for (name, item), (count, amount) in sorted(plans.items())
            if name == line_name
        ] + [
            RevenueLine(line_name, item, MONTHLY_OPTION, count, amount)
            for (name, item), (count, amount) in sorted(options.items())
            if name == line_name
        ]
        boxes = sum(line.mailboxes for line in own if line.kind == SUBSCRIPTION)
        amount = sum((line.amount_excl_vat for line in own), ZERO)
        lines += [*own, RevenueLine(line_name, "", SUBTOTAL, boxes, amount)]
        total_boxes += boxes
        total_amount += amount
    lines.append(RevenueLine("", "", TOTAL, total_boxes, total_amount))
    return lines


def _month_invoices(first: date) -> list[sa.ColumnElement[bool]]:
    return [
        Invoice.kind == InvoiceKind.INVOICE,
        Invoice.status.not_in((InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED)),
        Invoice.billing_month == first,
    ]


RevenueKey = tuple[str, str]


def _plan_revenue(session: Session, first: date) -> dict[RevenueKey, tuple[int, Decimal]]:
    rows = session.execute(
        sa.select(
            ProductLine.name,
            Plan.name,
            sa.func.count(sa.distinct(InvoiceLine.mailbox_id)),
            sa.func.sum(InvoiceLine.amount_excl_vat),
        )
        .select_from(Invoice)
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .join(Plan, Plan.id == InvoiceLine.plan_id)
        .join(ProductLine, ProductLine.id == Plan.product_line_id)
        .where(*_month_invoices(first), InvoiceLine.kind == InvoiceLineKind.SUBSCRIPTION)
        .group_by(ProductLine.name, Plan.name)
    )
    return {
        (line, plan): (int(count), round_money(Decimal(amount)))
        for line, plan, count, amount in rows
    }


def _option_revenue(session: Session, first: date) -> dict[RevenueKey, tuple[int, Decimal]]:
    line_name = sa.func.coalesce(ProductLine.name, "Sans gamme")
    rows = session.execute(
        sa.select(
            line_name,
            CatalogueOption.name,
            sa.func.count(sa.distinct(InvoiceLine.mailbox_id)),
            sa.func.sum(InvoiceLine.amount_excl_vat),
        )
        .select_from(Invoice)
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .join(CatalogueOption, CatalogueOption.id == InvoiceLine.option_id)
        .outerjoin(Contract, Contract.id == InvoiceLine.contract_id)
        .outerjoin(
            ProductLine,
            ProductLine.id
            == sa.func.coalesce(CatalogueOption.product_line_id, Contract.product_line_id),
        )
        .where(
            *_month_invoices(first),
            InvoiceLine.kind == InvoiceLineKind.OPTION,
            CatalogueOption.billing == OptionBilling.MONTHLY,
        )
        .group_by(line_name, CatalogueOption.name)
    )
    return {
        (line, name): (int(count), round_money(Decimal(amount)))
        for line, name, count, amount in rows
    }


# --- mailbox inventory ----------------------------------------------------------------------


@dataclass(frozen=True)
class InventoryRow:
    address: str
    display_name: str
    product_line: str
    plan: str
    quota_gb: int
    status: str
    started_on: date | None  # activation date
    contract_number: str


@dataclass(frozen=True)
class Inventory:
    client_id: int
    client_code: str
    client_name: str
    at: date | None
    rows: tuple[InventoryRow, ...]  # by product line, then address


def client_id_by_code(db: Database, code: str) -> int:
    """The id of the client whose code is ``code`` (any case); a French error if none."""
    wanted = code.strip().upper()
    with db.read_session() as session:
        found = session.execute(
            sa.select(Client.id).where(sa.func.upper(Client.code) == wanted)
        ).scalar_one_or_none()
    if found is None:
        raise UserError(f"Client inconnu : {code.strip()}.")
    return int(found)


def mailbox_inventory(db: Database, client_id: int, at: date | None = None) -> Inventory:
    """The client's mailboxes, to send to the client (see the module's choices)."""
    with db.read_session() as session:
        client = session.get(Client, client_id)
        if client is None:
            raise UserError(f"Client introuvable (n° interne {client_id}).")
        query = (
            sa.select(
                Mailbox.address,
                Mailbox.display_name,
                ProductLine.name.label("line"),
                Plan.name.label("plan"),
                Mailbox.quota_gb,
                Mailbox.status,
                Mailbox.activated_on,
                Contract.number,
            )
            .join(ProductLine, ProductLine.id == Mailbox.product_line_id)
            .join(Plan, Plan.id == Mailbox.plan_id)
            .join(Contract, Contract.id == Mailbox.contract_id)
            .where(Mailbox.client_id == client_id, *_present(at))
            .order_by(ProductLine.name, Mailbox.address)
        )
        rows = tuple(
            InventoryRow(
                address=row.address,
                display_name=row.display_name or "",
                product_line=row.line,
                plan=row.plan,
                quota_gb=row.quota_gb,
                status=row.status.label,
                started_on=row.activated_on,
                contract_number=row.number,
            )
            for row in session.execute(query)
        )
        return Inventory(client.id, client.code, client.name, at, rows)


def _present(at: date | None) -> list[sa.ColumnElement[bool]]:
    if at is None:
        return [Mailbox.status != MailboxStatus.DELETED]
    return [
        Mailbox.activated_on <= at,
        sa.or_(Mailbox.terminated_on.is_(None), Mailbox.terminated_on > at),
        sa.or_(Mailbox.deleted_on.is_(None), Mailbox.deleted_on > at),
    ]
