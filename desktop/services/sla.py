"""Service level (O365 §3): support settings, monthly availability, service credits.

Choices made here (rules §7 leaves them open):

* **Outages**: every non-excusable notification, from its receipt to its restoration
  (still open: to ``min(now, month end)``); excusable ones are counted apart and left
  out. A notification without product line is given the client's only contracted line
  when it has exactly one, else it is left out of the report (no row to put it in).
* **Fees**: the issued invoices (not drafts, not cancelled) of kind invoice whose
  ``billing_month`` is the month; a line belongs to a product line through its contract,
  else its plan, else its catalogue option. Fixed fees are the line kinds of the
  ``sla_fixed_line_kinds`` setting; usage every other kind but credit. Credit notes
  correcting those invoices reduce nothing here.
* **Previous usage**: the usage of each of the three previous months for which the
  client has an invoice (fewer when fewer).
* **Cap**: the credits already granted for the same client and line whose request
  (``requested_at``, else creation) falls in the 30 days before the month's end,
  the month's own credit excepted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.engine import Database
from desktop.db.models import (
    CatalogueOption,
    Client,
    Contract,
    Incident,
    Invoice,
    InvoiceLine,
    Plan,
    ProductLine,
    Provider,
    SlaCredit,
)
from desktop.domain.clock import as_utc, paris_today, utc_now
from desktop.domain.enums import InvoiceKind, InvoiceLineKind, InvoiceStatus
from desktop.domain.errors import ValidationError
from desktop.domain.money import round_money
from desktop.domain.periods import add_months, month_name
from desktop.domain.roles import Permission
from desktop.domain.sla import (
    AVAILABILITY_TARGET,
    USAGE_AVERAGE_MONTHS,
    credit_amount,
    credit_base,
    credit_percent,
    month_bounds,
    month_downtime,
    monthly_availability,
)
from desktop.errors import UserError
from desktop.services.access import requires
from desktop.services.conflicts import write_scope
from desktop.services.credit_notes import CreditLine, credit_invoice, creditable
from desktop.services.provider import provider_for_update

DEFAULT_FIXED_KINDS = (InvoiceLineKind.SUBSCRIPTION,)
"""Line kinds counted as fixed fees when nothing is set (interpretation, a setting)."""

BILLED_KINDS = tuple(kind for kind in InvoiceLineKind if kind is not InvoiceLineKind.CREDIT)
"""The line kinds that bill something (credit lines only correct)."""

MAX_HOURS = 200
CAP_WINDOW = timedelta(days=30)
_HUNDRED = Decimal(100)
_FRACTION = Decimal("0.000001")
_ZERO = Decimal(0)
_COUNTED_STATUSES = (InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED)
"""Invoice statuses left out of the fees (not issued, or void)."""


# --- settings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaSettings:
    """The support calendar, objectives and credit base of the provider's settings."""

    opens_at: time
    closes_at: time
    alsace_moselle: bool
    restoration_hours: int
    replacement_hours: int
    availability_target: Decimal
    fixed_line_kinds: tuple[InvoiceLineKind, ...]
    version: int


DEFAULT_SETTINGS = SlaSettings(
    opens_at=time(9, 0),
    closes_at=time(18, 0),
    alsace_moselle=False,
    restoration_hours=8,
    replacement_hours=96,
    availability_target=Decimal("99.00"),
    fixed_line_kinds=DEFAULT_FIXED_KINDS,
    version=0,
)
"""What applies while the provider's identity is not recorded (version 0)."""


def sla_settings(db: Database) -> SlaSettings:
    """The provider's SLA settings (the contract's defaults when no provider row)."""
    with db.read_session() as session:
        return _settings(session)


@requires(Permission.SETTINGS)
def save_sla_settings(
    db: Database, settings: SlaSettings, *, expected_version: int, actor: str
) -> SlaSettings:
    """Store the SLA settings; ValidationError per field, ConflictError when stale."""
    check_sla_settings(settings)
    with write_scope(db) as session:
        provider = provider_for_update(session, expected_version)
        provider.support_opens_at = settings.opens_at
        provider.support_closes_at = settings.closes_at
        provider.support_alsace_moselle = settings.alsace_moselle
        provider.restoration_target_hours = settings.restoration_hours
        provider.equipment_replacement_hours = settings.replacement_hours
        provider.availability_target_percent = settings.availability_target
        provider.sla_fixed_line_kinds = ",".join(settings.fixed_line_kinds)
        provider.updated_by = actor
        provider.updated_at = utc_now()
        session.flush()
        return _settings(session)


def check_sla_settings(settings: SlaSettings) -> None:
    """Raise ValidationError with every error of the settings form at once."""
    errors: dict[str, str] = {}
    if settings.opens_at >= settings.closes_at:
        errors["closes_at"] = "La fermeture du support doit suivre son ouverture."
    for name in ("restoration_hours", "replacement_hours"):
        hours = getattr(settings, name)
        if not 1 <= hours <= MAX_HOURS:
            errors[name] = f"Un nombre d'heures de 1 à {MAX_HOURS} est attendu."
    target = settings.availability_target
    if not _ZERO < target <= _HUNDRED or target != target.quantize(Decimal("0.01")):
        errors["availability_target"] = "Un pourcentage de 0,01 à 100 est attendu."
    kinds = settings.fixed_line_kinds
    if not kinds or any(kind not in BILLED_KINDS for kind in kinds):
        errors["fixed_line_kinds"] = (
            "Choisissez au moins un type de ligne facturée (les avoirs n'en sont pas)."
        )
    if errors:
        raise ValidationError(errors)


def _settings(session: Session) -> SlaSettings:
    provider = session.get(Provider, 1)
    if provider is None:
        return DEFAULT_SETTINGS
    return SlaSettings(
        opens_at=provider.support_opens_at.replace(tzinfo=None),
        closes_at=provider.support_closes_at.replace(tzinfo=None),
        alsace_moselle=provider.support_alsace_moselle,
        restoration_hours=provider.restoration_target_hours,
        replacement_hours=provider.equipment_replacement_hours,
        availability_target=provider.availability_target_percent,
        fixed_line_kinds=_kinds(provider.sla_fixed_line_kinds),
        version=provider.version,
    )


def _kinds(text: str) -> tuple[InvoiceLineKind, ...]:
    known = {kind.value: kind for kind in BILLED_KINDS}
    kinds = tuple(known[part.strip()] for part in text.split(",") if part.strip() in known)
    return kinds or DEFAULT_FIXED_KINDS


# --- the monthly report -----------------------------------------------------------------


@dataclass(frozen=True)
class SlaRow:
    """One client's product line over one month: availability, fees and credit."""

    client_id: int
    client_code: str
    client_name: str
    product_line_id: int
    product_line_name: str
    month: date
    availability: Decimal
    downtime: timedelta
    notifications: int
    excusable: int
    credit_percent: Decimal
    fixed_fees: Decimal
    usage_fees: Decimal
    previous_usage: tuple[Decimal, ...]
    already_credited: Decimal
    credit_due: Decimal
    credit_granted: Decimal
    credit_note_number: str | None

    @property
    def base(self) -> Decimal:
        """The credit base: fixed fees plus the mean of the previous months' usage."""
        return credit_base(self.fixed_fees, self.previous_usage)


@dataclass(frozen=True)
class MonthAvailability:
    """The availability of every row of one month, summed up."""

    month: date
    average: Decimal
    lowest: Decimal
    below_target: int
    rows: int


Key = tuple[int, int]
"""(client id, product line id)."""


@dataclass
class _Tally:
    """The notifications of one client's product line touching one month."""

    outages: list[tuple[datetime, datetime]] = field(default_factory=list)
    notifications: int = 0
    excusable: int = 0


@dataclass(frozen=True)
class _Notice:
    client_id: int
    product_line_id: int
    received_at: datetime
    restored_at: datetime | None
    excusable: bool


def sla_report(db: Database, month: date, *, now: datetime | None = None) -> list[SlaRow]:
    """One row per client and product line with a notification touching ``month``.

    Sorted by availability (worst first), then client name.
    """
    first = month.replace(day=1)
    instant = as_utc(now or utc_now())
    with db.read_session() as session:
        return _report(session, first, instant)


def availability_series(
    db: Database,
    *,
    months: int = 12,
    until: date | None = None,
    client_id: int | None = None,
    now: datetime | None = None,
) -> list[MonthAvailability]:
    """The availability of the ``months`` months ending with ``until``'s, oldest first.

    One query reads the notifications of the whole span; a month without any row
    reads 100 %.
    """
    last = (until or paris_today(now)).replace(day=1)
    firsts = [add_months(last, -offset) for offset in range(months - 1, -1, -1)]
    instant = as_utc(now or utc_now())
    with db.read_session() as session:
        target = _settings(session).availability_target
        notices = _notices(session, firsts[0], last, client_id)
    result = []
    for first in firsts:
        tallies = _tallies(notices, first, instant)
        values = [_availability(first, tally) for tally in tallies.values()]
        result.append(_summary(first, values, target))
    return result


def _summary(first: date, values: Sequence[Decimal], target: Decimal) -> MonthAvailability:
    if not values:
        return MonthAvailability(first, _HUNDRED, _HUNDRED, 0, 0)
    average = sum(values, _ZERO) / len(values)
    below = sum(1 for value in values if value < target)
    return MonthAvailability(first, average, min(values), below, len(values))


def _report(session: Session, first: date, now: datetime) -> list[SlaRow]:
    tallies = _tallies(_notices(session, first, first, None), first, now)
    if not tallies:
        return []
    fixed_kinds = _settings(session).fixed_line_kinds
    fees = _fees(session, first, {client for client, _ in tallies}, fixed_kinds)
    credited = _already_credited(session, first, set(tallies))
    granted = _granted(session, first, set(tallies))
    names = _names(session, set(tallies))
    rows = [
        _row(first, key, tally, fees, credited.get(key, _ZERO), granted.get(key), names)
        for key, tally in tallies.items()
    ]
    return sorted(rows, key=lambda r: (r.availability, r.client_name.casefold(), r.client_id))


def _row(
    first: date,
    key: Key,
    tally: _Tally,
    fees: _Fees,
    already: Decimal,
    granted: tuple[Decimal, str | None] | None,
    names: dict[Key, tuple[str, str, str]],
) -> SlaRow:
    availability = _availability(first, tally)
    fixed, usage = fees.month(key, first)
    previous = fees.previous(key, first)
    code, client_name, line_name = names[key]
    return SlaRow(
        client_id=key[0],
        client_code=code,
        client_name=client_name,
        product_line_id=key[1],
        product_line_name=line_name,
        month=first,
        availability=availability,
        downtime=month_downtime(first.year, first.month, tally.outages),
        notifications=tally.notifications,
        excusable=tally.excusable,
        credit_percent=credit_percent(availability),
        fixed_fees=fixed,
        usage_fees=usage,
        previous_usage=previous,
        already_credited=already,
        credit_due=credit_amount(availability, fixed, usage, previous, already),
        credit_granted=granted[0] if granted else _ZERO,
        credit_note_number=granted[1] if granted else None,
    )


def _availability(first: date, tally: _Tally) -> Decimal:
    return monthly_availability(first.year, first.month, tally.outages)


# --- notifications ----------------------------------------------------------------------


def _notices(session: Session, first: date, last: date, client_id: int | None) -> list[_Notice]:
    """The notifications touching the months from ``first`` to ``last``, with a line."""
    start = month_bounds(first.year, first.month)[0]
    end = month_bounds(last.year, last.month)[1]
    stmt = sa.select(
        Incident.client_id,
        Incident.product_line_id,
        Incident.received_at,
        Incident.restored_at,
        Incident.excusable_category,
    ).where(
        Incident.received_at < end,
        sa.or_(
            Incident.restored_at.is_(None),
            Incident.restored_at > start,
            Incident.received_at >= start,
        ),
    )
    if client_id is not None:
        stmt = stmt.where(Incident.client_id == client_id)
    rows = session.execute(stmt).all()
    lines = _only_lines(session, {row.client_id for row in rows if row.product_line_id is None})
    notices = []
    for row in rows:
        line = row.product_line_id if row.product_line_id is not None else lines.get(row.client_id)
        if line is None:
            continue  # no product line to count it against
        excusable = row.excusable_category is not None
        notices.append(_Notice(row.client_id, line, row.received_at, row.restored_at, excusable))
    return notices


def _only_lines(session: Session, client_ids: set[int]) -> dict[int, int]:
    """The product line of each client that has contracts on exactly one line."""
    if not client_ids:
        return {}
    rows = session.execute(
        sa.select(Contract.client_id, Contract.product_line_id)
        .where(Contract.client_id.in_(client_ids))
        .distinct()
    ).all()
    lines: dict[int, set[int]] = defaultdict(set)
    for client_id, line_id in rows:
        lines[client_id].add(line_id)
    return {client: next(iter(found)) for client, found in lines.items() if len(found) == 1}


def _tallies(notices: Iterable[_Notice], first: date, now: datetime) -> dict[Key, _Tally]:
    """The notifications of each client's line touching the month of ``first``."""
    start, end = month_bounds(first.year, first.month)
    tallies: dict[Key, _Tally] = {}
    for notice in notices:
        stop = notice.restored_at
        if stop is None:
            stop = max(notice.received_at, min(now, end))
        touches = notice.received_at < end and (stop > start or notice.received_at >= start)
        if not touches:
            continue
        tally = tallies.setdefault((notice.client_id, notice.product_line_id), _Tally())
        tally.notifications += 1
        if notice.excusable:
            tally.excusable += 1
        else:
            tally.outages.append((notice.received_at, stop))
    return tallies


# --- fees and credits -------------------------------------------------------------------


@dataclass(frozen=True)
class _Fees:
    """Fixed and usage fees per (client, line, month), and each client's billed months."""

    fixed: dict[tuple[int, int, date], Decimal]
    usage: dict[tuple[int, int, date], Decimal]
    billed: dict[int, set[date]]

    def month(self, key: Key, first: date) -> tuple[Decimal, Decimal]:
        at = (*key, first)
        return self.fixed.get(at, _ZERO), self.usage.get(at, _ZERO)

    def previous(self, key: Key, first: date) -> tuple[Decimal, ...]:
        months = [add_months(first, -n) for n in range(1, USAGE_AVERAGE_MONTHS + 1)]
        billed = self.billed.get(key[0], set())
        return tuple(self.usage.get((*key, m), _ZERO) for m in months if m in billed)


def _line_product_line() -> sa.ColumnElement[int | None]:
    """A line's product line: its contract's, else its plan's, else its option's."""
    return sa.func.coalesce(
        Contract.product_line_id, Plan.product_line_id, CatalogueOption.product_line_id
    )


def _fees(
    session: Session, first: date, client_ids: set[int], fixed_kinds: Sequence[InvoiceLineKind]
) -> _Fees:
    since = add_months(first, -USAGE_AVERAGE_MONTHS)
    invoices = _issued_invoices(client_ids, since, first)
    billed: dict[int, set[date]] = defaultdict(set)
    for client_id, month in session.execute(
        sa.select(Invoice.client_id, Invoice.billing_month).where(*invoices)
    ):
        if month is not None:
            billed[client_id].add(month)
    line = _line_product_line().label("line")
    rows = session.execute(
        sa.select(
            Invoice.client_id,
            Invoice.billing_month,
            line,
            InvoiceLine.kind,
            sa.func.sum(InvoiceLine.amount_excl_vat),
        )
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .outerjoin(Contract, Contract.id == InvoiceLine.contract_id)
        .outerjoin(Plan, Plan.id == InvoiceLine.plan_id)
        .outerjoin(CatalogueOption, CatalogueOption.id == InvoiceLine.option_id)
        .where(*invoices, InvoiceLine.kind != InvoiceLineKind.CREDIT)
        .group_by(Invoice.client_id, Invoice.billing_month, line, InvoiceLine.kind)
    ).all()
    fixed: dict[tuple[int, int, date], Decimal] = defaultdict(lambda: _ZERO)
    usage: dict[tuple[int, int, date], Decimal] = defaultdict(lambda: _ZERO)
    for client_id, month, line_id, kind, amount in rows:
        if line_id is None or month is None:
            continue
        target = fixed if kind in fixed_kinds else usage
        target[(client_id, line_id, month)] += round_money(Decimal(amount))
    return _Fees(dict(fixed), dict(usage), dict(billed))


def _issued_invoices(
    client_ids: set[int], since: date, until: date
) -> list[sa.ColumnElement[bool]]:
    return [
        Invoice.client_id.in_(client_ids),
        Invoice.kind == InvoiceKind.INVOICE,
        Invoice.status.not_in(_COUNTED_STATUSES),
        Invoice.billing_month >= since,
        Invoice.billing_month <= until,
    ]


def _already_credited(session: Session, first: date, keys: set[Key]) -> dict[Key, Decimal]:
    end = month_bounds(first.year, first.month)[1]
    granted_at = sa.func.coalesce(SlaCredit.requested_at, SlaCredit.created_at)
    rows = session.execute(
        sa.select(SlaCredit.client_id, SlaCredit.product_line_id, SlaCredit.amount).where(
            SlaCredit.client_id.in_({client for client, _ in keys}),
            SlaCredit.month != first,
            granted_at >= end - CAP_WINDOW,
            granted_at < end,
        )
    ).all()
    result: dict[Key, Decimal] = defaultdict(lambda: _ZERO)
    for client_id, line_id, amount in rows:
        if (client_id, line_id) in keys:
            result[(client_id, line_id)] += amount
    return dict(result)


def _granted(
    session: Session, first: date, keys: set[Key]
) -> dict[Key, tuple[Decimal, str | None]]:
    rows = session.execute(
        sa.select(SlaCredit.client_id, SlaCredit.product_line_id, SlaCredit.amount, Invoice.number)
        .outerjoin(Invoice, Invoice.id == SlaCredit.credit_note_id)
        .where(SlaCredit.month == first, SlaCredit.client_id.in_({client for client, _ in keys}))
    ).all()
    return {(c, line): (amount, number) for c, line, amount, number in rows if (c, line) in keys}


def _names(session: Session, keys: set[Key]) -> dict[Key, tuple[str, str, str]]:
    clients = {
        row.id: (row.code, row.name)
        for row in session.execute(
            sa.select(Client.id, Client.code, Client.name).where(
                Client.id.in_({client for client, _ in keys})
            )
        )
    }
    lines: dict[int, str] = {
        line_id: name
        for line_id, name in session.execute(sa.select(ProductLine.id, ProductLine.name))
    }
    return {key: (*clients[key[0]], lines[key[1]]) for key in keys}


# --- granting a credit ------------------------------------------------------------------


@requires(Permission.CREDIT_NOTES)
def grant_credit(
    db: Database,
    client_id: int,
    product_line_id: int,
    month: date,
    *,
    actor: str,
    requested_at: datetime | None = None,
    today: date | None = None,
) -> str:
    """Grant the credit due for a month on the client's request; the credit note's number.

    One transaction: the SlaCredit and a credit note on the month's invoice, spread over
    that invoice's lines of the product line in proportion to what is left to credit on
    them. UserError when already granted, when the invoice is missing or nothing is due.
    """
    first = month.replace(day=1)
    asked = as_utc(requested_at or utc_now())
    label = month_name(first)
    with write_scope(db) as session:
        if _credit_exists(session, client_id, product_line_id, first):
            raise UserError(f"Un avoir de disponibilité a déjà été accordé pour {label}.")
        invoice_id = _month_invoice(session, client_id, first)
        if invoice_id is None:
            raise UserError(
                f"La facture de {label} de ce client est introuvable : émettez-la d'abord."
            )
        row = _row_of(session, client_id, product_line_id, first, asked)
        if row is None or row.credit_due <= 0:
            raise UserError(f"Aucun avoir de disponibilité n'est dû pour {label}.")
        settings = _settings(session)
        lines = _spread(session, invoice_id, product_line_id, row.credit_due)
        reason = _reason(first, row.availability, settings.availability_target)
        note_id, number = credit_invoice(
            session, invoice_id, lines=lines, reason=reason, actor=actor, today=today
        )
        session.add(_credit_record(row, asked, note_id, actor))
        session.flush()
        return number


def _credit_exists(session: Session, client_id: int, line_id: int, first: date) -> bool:
    found = session.execute(
        sa.select(SlaCredit.id).where(
            SlaCredit.client_id == client_id,
            SlaCredit.product_line_id == line_id,
            SlaCredit.month == first,
        )
    ).first()
    return found is not None


def _month_invoice(session: Session, client_id: int, first: date) -> int | None:
    found: int | None = session.execute(
        sa.select(Invoice.id).where(*_issued_invoices({client_id}, first, first))
    ).scalar()
    return found


def _row_of(
    session: Session, client_id: int, line_id: int, first: date, now: datetime
) -> SlaRow | None:
    rows = _report(session, first, now)
    return next((r for r in rows if (r.client_id, r.product_line_id) == (client_id, line_id)), None)


def _spread(session: Session, invoice_id: int, line_id: int, amount: Decimal) -> list[CreditLine]:
    """``amount`` over the invoice's lines of the product line, in proportion to what is
    left to credit on each, the cents shared by largest remainder."""
    left = creditable(session, invoice_id)
    line = _line_product_line()
    ids = session.execute(
        sa.select(InvoiceLine.id)
        .outerjoin(Contract, Contract.id == InvoiceLine.contract_id)
        .outerjoin(Plan, Plan.id == InvoiceLine.plan_id)
        .outerjoin(CatalogueOption, CatalogueOption.id == InvoiceLine.option_id)
        .where(InvoiceLine.invoice_id == invoice_id, line == line_id)
        .order_by(InvoiceLine.position)
    ).scalars()
    weights = {line_id_: left[line_id_] for line_id_ in ids if left.get(line_id_, _ZERO) > 0}
    if sum(weights.values(), _ZERO) < amount:
        raise UserError("Les lignes de cette gamme sur la facture ne suffisent pas à l'avoir.")
    shares = largest_remainder(amount, weights)
    return [CreditLine(key, share) for key, share in shares.items() if share > 0]


def largest_remainder(amount: Decimal, weights: dict[int, Decimal]) -> dict[int, Decimal]:
    """``amount`` shared in proportion to ``weights`` (amounts to the cent); the shares
    sum exactly. Integer arithmetic in cents; the spare cents go to the largest
    remainders, then to the largest weights, then to the first keys."""
    cents = int((amount * 100).to_integral_value())
    units = {key: int((weight * 100).to_integral_value()) for key, weight in weights.items()}
    total = sum(units.values())
    floors = {key: cents * unit // total for key, unit in units.items()}
    remainders = {key: cents * unit % total for key, unit in units.items()}
    spare = cents - sum(floors.values())
    order = sorted(units, key=lambda key: (-remainders[key], -units[key], key))
    for key in order[:spare]:
        floors[key] += 1
    return {key: Decimal(value) / 100 for key, value in floors.items()}


def _reason(first: date, availability: Decimal, target: Decimal) -> str:
    shown = _french_number(availability.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))
    goal = _french_number(target.normalize())
    return f"Avoir de disponibilité {month_name(first)} : {shown} % (objectif {goal} %)"


def _french_number(value: Decimal) -> str:
    return f"{value:f}".replace(".", ",")


def _credit_record(row: SlaRow, asked: datetime, note_id: int, actor: str) -> SlaCredit:
    fraction = (row.availability / _HUNDRED).quantize(_FRACTION, rounding=ROUND_HALF_UP)
    return SlaCredit(
        client_id=row.client_id,
        product_line_id=row.product_line_id,
        month=row.month,
        availability=fraction,
        rate=row.credit_percent.quantize(Decimal("0.01")),
        base=row.base,
        amount=row.credit_due,
        requested_at=asked,
        credit_note_id=note_id,
        updated_by=actor,
    )


__all__ = [
    "AVAILABILITY_TARGET",
    "DEFAULT_SETTINGS",
    "MonthAvailability",
    "SlaRow",
    "SlaSettings",
    "availability_series",
    "check_sla_settings",
    "credit_base",
    "grant_credit",
    "largest_remainder",
    "save_sla_settings",
    "sla_report",
    "sla_settings",
]
