"""The dashboard: a few figures over the whole database, read with aggregate queries.

- **Recurring revenue** of a month: the sum, excl. VAT, of the *subscription* lines
  and of the *monthly option* lines (an option line whose catalogue option is billed
  monthly) of the invoices a monthly billing run made for that month
  (``billing_month``), once issued — drafts left out; credit notes are not taken
  off (this is what was billed as recurring, not what was collected). One-off
  fees, per-act and yearly options, usage lines are not recurring.
- **Active mailboxes** by product line and plan: mailboxes in the « Active » state.
- **Overdue balances** by age: what is still due (incl. VAT) on issued invoices past
  their due date, net of the payments not rejected and of the issued credit notes
  (as :mod:`desktop.services.payments` settles them), grouped by days past due.
- **Incidents** received each month (Paris months) and the **availability** of each
  month (:func:`desktop.services.sla.availability_series`).

Everything but the availability is read in one read session, with one aggregate
query per figure: no loop over clients or invoices, whatever the database's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from desktop.db.engine import Database
from desktop.db.models import (
    CatalogueOption,
    Incident,
    Invoice,
    InvoiceLine,
    Mailbox,
    Payment,
    Plan,
    ProductLine,
)
from desktop.db.types import Money
from desktop.domain.clock import paris_today
from desktop.domain.enums import (
    InvoiceKind,
    InvoiceLineKind,
    InvoiceStatus,
    MailboxStatus,
    OptionBilling,
    ProductLineCode,
)
from desktop.domain.periods import add_months
from desktop.domain.sla import month_bounds
from desktop.services.sla import MonthAvailability, availability_series, sla_settings

MONTHS = 12
ZERO = Decimal("0.00")
UNPAID_STATUSES = (InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_PAID)
"""The statuses of an invoice with something left to pay."""


@dataclass(frozen=True)
class AgeBucket:
    """Days past due, from ``first`` to ``last`` (None: no upper bound)."""

    label: str
    first: int
    last: int | None


AGE_BUCKETS = (
    AgeBucket("0–30 j", 1, 30),
    AgeBucket("31–60 j", 31, 60),
    AgeBucket("61–90 j", 61, 90),
    AgeBucket("> 90 j", 91, None),
)


@dataclass(frozen=True)
class MonthRevenue:
    month: date  # the first day
    amount: Decimal  # excl. VAT


@dataclass(frozen=True)
class PlanCount:
    product_line: ProductLineCode
    product_line_name: str
    plan_id: int
    plan_name: str
    mailboxes: int


@dataclass(frozen=True)
class OverdueBucket:
    bucket: AgeBucket
    amount: Decimal  # incl. VAT, still due
    invoices: int


@dataclass(frozen=True)
class MonthIncidents:
    month: date  # the first day
    incidents: int


@dataclass(frozen=True)
class Dashboard:
    today: date
    revenue: tuple[MonthRevenue, ...]  # oldest first, the current month last
    mailboxes: tuple[PlanCount, ...]  # by product line, then plan name
    overdue: tuple[OverdueBucket, ...]  # in AGE_BUCKETS order
    incidents: tuple[MonthIncidents, ...]  # oldest first
    availability: tuple[MonthAvailability, ...]  # oldest first
    availability_target: Decimal


def dashboard(db: Database, *, today: date | None = None, now: datetime | None = None) -> Dashboard:
    """The dashboard's figures on ``today`` (default: the Paris date at ``now``)."""
    day = today or paris_today(now)
    months = last_months(day)
    with db.read_session() as session:
        revenue = recurring_revenue(session, months)
        mailboxes = active_mailboxes(session)
        overdue = overdue_balances(session, day)
        incidents = incidents_per_month(session, months)
    availability = availability_series(db, months=MONTHS, until=day, now=now)
    return Dashboard(
        today=day,
        revenue=revenue,
        mailboxes=mailboxes,
        overdue=overdue,
        incidents=incidents,
        availability=tuple(availability),
        availability_target=sla_settings(db).availability_target,
    )


def last_months(day: date, count: int = MONTHS) -> list[date]:
    """The first days of the ``count`` months ending with ``day``'s, oldest first."""
    last = day.replace(day=1)
    return [add_months(last, -offset) for offset in range(count - 1, -1, -1)]


def recurring_revenue(session: Session, months: list[date]) -> tuple[MonthRevenue, ...]:
    """Subscription and monthly option lines of issued invoices, per billing month."""
    option = aliased(CatalogueOption)
    recurring = sa.or_(
        InvoiceLine.kind == InvoiceLineKind.SUBSCRIPTION,
        sa.and_(
            InvoiceLine.kind == InvoiceLineKind.OPTION, option.billing == OptionBilling.MONTHLY
        ),
    )
    rows = session.execute(
        sa.select(Invoice.billing_month, sa.func.sum(InvoiceLine.amount_excl_vat))
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .outerjoin(option, option.id == InvoiceLine.option_id)
        .where(
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status != InvoiceStatus.DRAFT,
            Invoice.billing_month >= months[0],
            Invoice.billing_month <= months[-1],
            recurring,
        )
        .group_by(Invoice.billing_month)
    ).all()
    amounts: dict[date, Decimal] = {month: amount for month, amount in rows if month is not None}
    return tuple(MonthRevenue(month, amounts.get(month) or ZERO) for month in months)


def active_mailboxes(session: Session) -> tuple[PlanCount, ...]:
    """Active mailboxes counted by product line and plan."""
    rows = session.execute(
        sa.select(ProductLine.code, ProductLine.name, Plan.id, Plan.name, sa.func.count(Mailbox.id))
        .select_from(Mailbox)
        .join(Plan, Plan.id == Mailbox.plan_id)
        .join(ProductLine, ProductLine.id == Mailbox.product_line_id)
        .where(Mailbox.status == MailboxStatus.ACTIVE)
        .group_by(ProductLine.code, ProductLine.name, Plan.id, Plan.name)
        .order_by(ProductLine.name, Plan.name)
    ).all()
    return tuple(
        PlanCount(code, line, plan_id, name, count) for code, line, plan_id, name, count in rows
    )


def overdue_balances(session: Session, day: date) -> tuple[OverdueBucket, ...]:
    """What is still due on invoices past due on ``day``, by days past due.

    One statement: each issued invoice's balance (total − valid payments − issued
    credit notes) in a subquery, then summed by age bucket where positive.
    """
    credit_note = aliased(Invoice)
    paid = (
        sa.select(sa.func.coalesce(sa.func.sum(Payment.amount), 0))
        .where(Payment.invoice_id == Invoice.id, Payment.rejected_at.is_(None))
        .scalar_subquery()
    )
    credited = (
        sa.select(sa.func.coalesce(sa.func.sum(credit_note.total_incl_vat), 0))
        .where(credit_note.corrects_id == Invoice.id, credit_note.status != InvoiceStatus.DRAFT)
        .scalar_subquery()
    )
    bucket = sa.case(
        *(
            (Invoice.due_on >= day - timedelta(days=age.last), index)
            for index, age in enumerate(AGE_BUCKETS)
            if age.last is not None
        ),
        else_=len(AGE_BUCKETS) - 1,
    )
    balances = (
        sa.select(
            bucket.label("bucket"),
            sa.type_coerce(Invoice.total_incl_vat - paid - credited, Money()).label("balance"),
        )
        .where(
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status.in_(UNPAID_STATUSES),
            Invoice.due_on < day,
        )
        .subquery()
    )
    rows = session.execute(
        sa.select(
            balances.c.bucket,
            sa.type_coerce(sa.func.sum(balances.c.balance), Money()),
            sa.func.count(),
        )
        .where(balances.c.balance > 0)
        .group_by(balances.c.bucket)
    ).all()
    found = {index: (amount, count) for index, amount, count in rows}
    return tuple(
        OverdueBucket(age, *found.get(index, (ZERO, 0))) for index, age in enumerate(AGE_BUCKETS)
    )


def incidents_per_month(session: Session, months: list[date]) -> tuple[MonthIncidents, ...]:
    """Incidents received in each (Paris) month: one row of counts."""
    bounds = [month_bounds(month.year, month.month) for month in months]
    counts = [
        sa.func.coalesce(
            sa.func.sum(
                sa.case(
                    (sa.and_(Incident.received_at >= start, Incident.received_at < end), 1),
                    else_=0,
                )
            ),
            0,
        )
        for start, end in bounds
    ]
    row = session.execute(
        sa.select(*counts).where(
            Incident.received_at >= bounds[0][0], Incident.received_at < bounds[-1][1]
        )
    ).one()
    return tuple(
        MonthIncidents(month, int(count)) for month, count in zip(months, row, strict=True)
    )
