"""Earlier months an account or an option missed: invoiced to the client without it.

The run bills a month at its start (business rules §5); an account activated
later in that month, a monthly or yearly option started then, or an option on
a mailbox opened then, is on no invoice for that month. The next run bills
those days (:mod:`desktop.domain.billing`, « missed months »).

A month counts as missed for an account or an option when, looking back
:data:`CATCH_UP_MONTHS` months:

- the client has its invoice of that month (the run has been), and
- no line of an invoice (not cancelled) bills the account or option over days
  of that month (a credit note later does not reopen them),

and it began to be billable before the month being billed. Months the
client was never invoiced for (before the application was used, say) are not
back-billed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

from desktop.db.models import CatalogueOption, Contract, Invoice, InvoiceLine, Mailbox
from desktop.db.models import SubscribedOption as Sub
from desktop.domain.billing import Month
from desktop.domain.enums import InvoiceKind, InvoiceStatus, MailboxStatus, OptionBilling
from desktop.domain.periods import add_months

CATCH_UP_MONTHS = 12
"""How far back a missed month is looked for."""


@dataclass(frozen=True)
class MissedMonths:
    since: date
    """The first day looked at."""
    accounts: dict[int, tuple[Month, ...]]
    """By mailbox id."""
    options: dict[int, tuple[Month, ...]]
    """By subscribed option id (monthly and yearly options)."""


def missed_months(session: Session, month: Month) -> MissedMonths:
    """What each account and option missed before ``month``."""
    since = add_months(month.first, -CATCH_UP_MONTHS)
    invoiced = _invoiced(session, since, month)
    if not invoiced:
        return MissedMonths(since, {}, {})
    accounts = recent_accounts(since, month)
    account_rows = session.execute(
        sa.select(Mailbox.id, Mailbox.client_id, Mailbox.activated_on).where(accounts)
    )
    account_lines = _lined(session, InvoiceLine.mailbox_id, sa.select(Mailbox.id).where(accounts))
    options = recent_options(since, month)
    option_rows = session.execute(
        sa.select(
            Sub.id,
            Contract.client_id,
            sa.func.coalesce(Mailbox.activated_on, Sub.starts_on).label("start"),
            Sub.starts_on,
        )
        .select_from(Sub)
        .outerjoin(Mailbox, Mailbox.id == Sub.mailbox_id)
        .join(Contract, Contract.id == sa.func.coalesce(Sub.contract_id, Mailbox.contract_id))
        .where(Sub.id.in_(_option_ids(options)))
    )
    option_lines = _lined(session, InvoiceLine.subscribed_option_id, _option_ids(options))
    return MissedMonths(
        since,
        _missed(((r.id, r.client_id, r.activated_on) for r in account_rows), account_lines,
                invoiced, since),
        _missed(((r.id, r.client_id, max(r.start, r.starts_on)) for r in option_rows),
                option_lines, invoiced, since),
    )  # fmt: skip


def recent_accounts(since: date, month: Month) -> sa.ColumnElement[bool]:
    """Mailboxes activated in the months looked back at."""
    return sa.and_(
        Mailbox.status != MailboxStatus.REQUESTED,
        Mailbox.activated_on >= since,
        Mailbox.activated_on < month.first,
    )


def recent_options(since: date, month: Month) -> sa.ColumnElement[bool]:
    """Monthly and yearly options that began to be billable in the months looked back at
    (started then, or their mailbox opened then)."""
    on_mailbox = sa.and_(
        Mailbox.status != MailboxStatus.REQUESTED,
        Mailbox.activated_on < month.first,
        sa.or_(Sub.starts_on >= since, Mailbox.activated_on >= since),
    )
    return sa.and_(
        Sub.starts_on < month.first,
        sa.or_(Sub.ends_on.is_(None), Sub.ends_on >= since),
        sa.or_(sa.and_(Sub.mailbox_id.is_(None), Sub.starts_on >= since), on_mailbox),
        CatalogueOption.billing.in_((OptionBilling.MONTHLY, OptionBilling.YEARLY)),
    )


def _option_ids(options: sa.ColumnElement[bool]) -> sa.Select[Any]:
    return (
        sa.select(Sub.id)
        .join(CatalogueOption, CatalogueOption.id == Sub.option_id)
        .outerjoin(Mailbox, Mailbox.id == Sub.mailbox_id)
        .where(options)
    )


def _invoiced(session: Session, since: date, month: Month) -> set[tuple[int, date]]:
    """(client, first day) of every month looked back at that has the client's invoice."""
    rows = session.execute(
        sa.select(Invoice.client_id, Invoice.billing_month).where(
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status != InvoiceStatus.CANCELLED,
            Invoice.billing_month >= since,
            Invoice.billing_month < month.first,
        )
    )
    return {(row.client_id, row.billing_month) for row in rows}


def _lined(
    session: Session, subject: InstrumentedAttribute[int | None], ids: sa.Select[Any]
) -> set[tuple[int, date]]:
    """(subject, first day of the month) of every invoice line billing one of ``ids``."""
    rows = session.execute(
        sa.select(subject, InvoiceLine.period_start)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(
            subject.in_(ids),
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status != InvoiceStatus.CANCELLED,
        )
    )
    return {
        (subject_id, start.replace(day=1))
        for subject_id, start in rows
        if subject_id is not None and start is not None
    }


def _missed(
    rows: Iterable[tuple[int, int, date]],
    lined: set[tuple[int, date]],
    invoiced: set[tuple[int, date]],
    since: date,
) -> dict[int, tuple[Month, ...]]:
    """For each (id, client, first billable day): the months it missed."""
    months: dict[int, list[date]] = defaultdict(list)
    for client_id, first in sorted(invoiced):
        months[client_id].append(first)
    missed: dict[int, tuple[Month, ...]] = {}
    for subject, client_id, start in rows:
        begun = max(start, since).replace(day=1)
        found = tuple(
            Month.of(first)
            for first in months.get(client_id, ())
            if first >= begun and (subject, first) not in lined
        )
        if found:
            missed[subject] = found
    return missed
