"""Contract rows: dates and terms, termination or suspension, access codes handed over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from desktop.domain.enums import (
    AccessCodeAction,
    ClientKind,
    ContractStatus,
    PaymentMethod,
    ProductLineCode,
)
from desktop.domain.periods import add_months, anniversaries
from desktop.services.demo.builder import DemoBuilder
from desktop.services.demo.catalogue import HE
from desktop.services.demo.contacts import administrator
from desktop.services.demo.events import access_code, status_change
from desktop.services.demo.options import contract_options
from desktop.services.demo.planning import PlannedContract
from desktop.services.demo.tables import Row

RENEWAL_MONTHS = 12
STOP_REASONS = {
    ContractStatus.TERMINATED: "Résiliation à l'échéance à la demande du client",
    ContractStatus.SUSPENDED: "Suspension pour impayé (relance restée sans réponse sous 8 jours)",
}


@dataclass(frozen=True)
class ContractLife:
    """A contract as its mailboxes see it: the dates they must agree with."""

    row: Row
    line: ProductLineCode
    limit: date
    """Mailboxes stop opening after this day (termination asked, suspension, today)."""
    termination_asked: date | None
    suspended_on: date | None
    past_ends: list[date]
    """Anniversaries already reached (ends of past periods)."""
    current_end: date | None
    """The end of the period running today (``None`` before the service starts)."""

    def period_start(self, end: date) -> date:
        """The start of the period that ends at the anniversary ``end``."""
        periods: list[date] = [self.row["service_start"], *self.past_ends]
        if self.current_end:
            periods.append(self.current_end)
        return periods[periods.index(end) - 1]


def build_contract(
    b: DemoBuilder, client: Row, planned: PlannedContract, domains: int, mailboxes: int
) -> ContractLife:
    """The contract row with its options and events; what its ``mailboxes`` need to know."""
    row = _contract_row(b, client, planned)
    created = b.office_time(planned.ordered_on)
    life = _life(b, row, planned.line, _termination(b, row), _suspension(b, row))
    if life.past_ends and row["status"] is not ContractStatus.TERMINATED:
        row["renewed_through"] = life.past_ends[-1]  # the renewal run has kept up
    start: date | None = row["service_start"]
    if start is not None:
        issued = b.office_time(start)
        _hand_over_codes(b, client, start, life.limit, issued)
        contract_options(b, row, planned.line, mailboxes, domains, issued)
    row |= b.stamps(created, _log_stop(b, row, life.suspended_on) or created)
    b.add("contract", row)
    return life


def _contract_row(b: DemoBuilder, client: Row, planned: PlannedContract) -> Row:
    rng, today = b.rng, b.today
    signed = min(today, planned.ordered_on + timedelta(days=rng.randint(0, 6)))
    pending = planned.status is ContractStatus.PENDING
    start = None if pending else min(today, signed + timedelta(days=rng.randint(1, 10)))
    initial = _initial_months(b, planned, start)
    payment = (
        PaymentMethod.ADMINISTRATIVE_MANDATE
        if client["kind"] is ClientKind.PUBLIC_BODY
        else rng.choice((PaymentMethod.TRANSFER, PaymentMethod.TRANSFER, PaymentMethod.CHEQUE))
    )
    return {
        "id": planned.id,
        "client_id": client["id"],
        "product_line_id": b.line_ids[planned.line],
        "number": planned.number,
        "quote_id": None,
        "ordered_on": planned.ordered_on,
        "signed_on": None if pending and rng.random() < 0.5 else signed,
        "service_start": start,
        "initial_months": initial,
        "renewal_months": RENEWAL_MONTHS,
        "payment_method": payment,
        "status": planned.status,
        "termination_requested_on": None,
        "terminated_on": None,
        "signed_scan": None,
        "signed_scan_name": None,
        "signed_scan_mime": None,
        "consumer_waiver_on": signed if client["kind"] is ClientKind.CONSUMER and start else None,
        "ends_on": None,
        "renewed_through": None,
        "notes": None,
    }


def _initial_months(b: DemoBuilder, planned: PlannedContract, start: date | None) -> int:
    """12 months for Hosted Exchange; Office 365 offers 24 and 36 too."""
    choices = [12] if planned.line is HE else [12, 12, 24, 36]
    if planned.status is ContractStatus.TERMINATED and start is not None:
        # A terminated contract ended at an anniversary already past.
        choices = [m for m in choices if add_months(start, m) <= b.today] or [12]
    return b.rng.choice(choices)


def _anniversaries(b: DemoBuilder, row: Row) -> list[date]:
    start: date | None = row["service_start"]
    if start is None:
        return []
    return anniversaries(start, row["initial_months"], RENEWAL_MONTHS, b.today)


def _termination(b: DemoBuilder, row: Row) -> date | None:
    """A terminated contract stopped at one of its last two anniversaries, asked during the
    period before; one that never reached one is active after all. Returns when asked."""
    if row["status"] is not ContractStatus.TERMINATED or row["service_start"] is None:
        return None
    ends = [end for end in _anniversaries(b, row) if end <= b.today]
    if not ends:
        row["status"] = ContractStatus.ACTIVE
        return None
    terminated_on = b.rng.choice(ends[-2:])
    previous = add_months(terminated_on, -RENEWAL_MONTHS)
    last_day = terminated_on - timedelta(days=1)
    asked = b.random_day(max(previous, row["service_start"]), last_day)
    row["termination_requested_on"] = asked
    row["terminated_on"] = terminated_on
    row["ends_on"] = last_day
    return asked


def _suspension(b: DemoBuilder, row: Row) -> date | None:
    """A suspended contract was suspended in the last few weeks: when."""
    if row["status"] is not ContractStatus.SUSPENDED:
        return None
    return b.today - timedelta(days=b.rng.randint(1, 25))


def _hand_over_codes(
    b: DemoBuilder, client: Row, start: date, limit: date, issued: datetime
) -> None:
    """Codes given to the administrator at the start; a few lost and replaced later."""
    rng = b.rng
    who = administrator(b, client)
    issued_reason = f"Codes d'accès remis à l'administrateur : {who}"
    access_code(b, client["id"], AccessCodeAction.ISSUED, issued, issued_reason)
    if rng.random() < 0.03:
        at = b.office_time(b.random_day(start, limit))
        lost_reason = "Perte des codes signalée par téléphone"
        access_code(b, client["id"], AccessCodeAction.DEACTIVATED, at, lost_reason)
        at += timedelta(minutes=rng.randint(5, 90))
        new_reason = "Nouveaux codes remis à l'administrateur"
        access_code(b, client["id"], AccessCodeAction.REPLACED, at, new_reason)


def _log_stop(b: DemoBuilder, row: Row, suspended_on: date | None) -> datetime | None:
    """Log the termination or the suspension of the contract: when it happened, if it did."""
    stops = (
        (row["terminated_on"], ContractStatus.TERMINATED),
        (suspended_on, ContractStatus.SUSPENDED),
    )
    last: datetime | None = None
    for day, status in stops:
        if day is not None:
            last = b.office_time(day)
            about = {"client_id": row["client_id"], "contract_id": row["id"]}
            status_change(b, about, last, ContractStatus.ACTIVE, status, STOP_REASONS[status])
    return last


def _life(
    b: DemoBuilder,
    row: Row,
    line: ProductLineCode,
    termination_asked: date | None,
    suspended_on: date | None,
) -> ContractLife:
    anniversaries = _anniversaries(b, row)
    return ContractLife(
        row=row,
        line=line,
        limit=suspended_on or termination_asked or b.today,
        termination_asked=termination_asked,
        suspended_on=suspended_on,
        past_ends=[end for end in anniversaries if end <= b.today],
        current_end=anniversaries[-1] if anniversaries else None,
    )
