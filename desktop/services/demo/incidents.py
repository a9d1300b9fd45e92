"""The demo's failure notifications: the billed months' incidents, through the services.

About one notification per three clients with active service per year (capped, so
that a large demo stays fast), each created with :func:`create_incident` (numbers are
gap-free, in order of receipt) and some restored later with :func:`update_incident`.
The set always shows: every channel, each excusable category (i to vi), restorations
within a few support hours, a nine-hour outage (the client's month falls below 99 %),
a breach of the restoration objective, an equipment replacement and one notification
still open. Deterministic from the seed and ``today``.

Nothing is made for fewer than :data:`MIN_MONTHS` billed months: the SLA report
needs the month's invoice and the usage of the three months before it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import Contract, Domain, Mailbox
from desktop.domain.clock import PARIS
from desktop.domain.enums import (
    ContractStatus,
    ExcusableCategory,
    IncidentChannel,
    MailboxStatus,
)
from desktop.domain.periods import add_months
from desktop.domain.support_hours import SupportCalendar
from desktop.services.demo.words import STAFF
from desktop.services.incidents import IncidentDraft, create_incident, update_incident

MIN_MONTHS = 4
"""Fewest billed months for which notifications are made."""

PER_CLIENT_YEAR = 1 / 3
"""Notifications per client with active service and per year."""

MIN_COUNT = 12
"""Enough notifications for every special case below."""

MAX_COUNT = 150
"""Cap: each notification is one transaction."""

DESCRIPTIONS = (
    "Messagerie inaccessible depuis Outlook",
    "Courriels entrants non reçus",
    "Impossible d'envoyer des messages",
    "Calendriers partagés indisponibles",
    "Accès webmail en erreur",
    "Synchronisation mobile interrompue",
    "Lenteurs importantes à l'ouverture des messages",
    "Partage de fichiers inaccessible",
)
CAUSES = (
    "Saturation d'un serveur de boîtes aux lettres",
    "Certificat expiré sur le serveur d'accès",
    "Panne d'un disque du stockage",
    "Erreur de configuration d'un connecteur d'envoi",
    "Redémarrage intempestif d'un nœud du cluster",
    "Mise à jour défectueuse, retour arrière effectué",
)
EXCUSABLE_CAUSES = {
    ExcusableCategory.THIRD_PARTY: "Panne du routeur du client",
    ExcusableCategory.CLIENT_ACT: "Enregistrement MX supprimé par le client",
    ExcusableCategory.PLANNED_MAINTENANCE: "Maintenance planifiée annoncée le 1er du mois",
    ExcusableCategory.EXCESS_TRAFFIC: "Envoi massif dépassant la capacité du service",
    ExcusableCategory.TELECOM_OPERATOR: "Coupure de la fibre chez l'opérateur",
    ExcusableCategory.CLIENT_UNAVAILABLE: "Client injoignable pour l'intervention",
}


@dataclass(frozen=True)
class _Service:
    """A client's active contract, where a notification can be about."""

    client_id: int
    product_line_id: int
    domain_id: int | None
    mailbox_ids: tuple[int, ...]
    since: date


def demo_incidents(db: Database, *, today: date, seed: int, months: int) -> int:
    """Make the notifications of the last ``months`` months; how many were made."""
    if months < MIN_MONTHS:
        return 0
    services = _services(db, today)
    if not services:
        return 0
    rng = random.Random(seed * 31 + 7)
    clients = len({service.client_id for service in services})
    count = round(clients * PER_CLIENT_YEAR * months / 12)
    count = max(MIN_COUNT, min(MAX_COUNT, count))
    first = add_months(today.replace(day=1), -(months - 1))
    now = datetime.combine(today, time(23, 59), PARIS)
    plans = sorted(_plans(rng, services, count, first, today), key=_reception)
    for plan in plans:
        _record(db, rng, plan, now)
    return len(plans)


def _services(db: Database, today: date) -> list[_Service]:
    """Active contracts started at least a week before ``today``, with their boxes."""
    with db.read_session() as session:
        contracts = session.execute(
            sa.select(
                Contract.id, Contract.client_id, Contract.product_line_id, Contract.service_start
            )
            .where(
                Contract.status == ContractStatus.ACTIVE,
                Contract.service_start <= today - timedelta(days=7),
            )
            .order_by(Contract.id)
        ).all()
        primary: dict[int, int] = {
            client_id: domain_id
            for client_id, domain_id in session.execute(
                sa.select(Domain.client_id, Domain.id).where(Domain.is_primary)
            )
        }
        boxes: dict[int, list[tuple[int, int]]] = {}
        for row in session.execute(
            sa.select(Mailbox.contract_id, Mailbox.id, Mailbox.domain_id)
            .where(Mailbox.status == MailboxStatus.ACTIVE)
            .order_by(Mailbox.id)
        ):
            boxes.setdefault(row.contract_id, []).append((row.id, row.domain_id))
    return [_service(row, primary, boxes.get(row.id, [])) for row in contracts]


def _service(row: Any, primary: dict[int, int], boxes: list[tuple[int, int]]) -> _Service:
    domain_id: int | None
    if boxes:
        domain_id = boxes[0][1]
        ids = tuple(box for box, domain in boxes[:3] if domain == domain_id)
    else:
        domain_id, ids = primary.get(row.client_id), ()
    return _Service(row.client_id, row.product_line_id, domain_id, ids, row.service_start)


def _reception(plan: _Plan) -> datetime:
    received = plan.draft.received_at
    assert received is not None
    return received


def _some(rng: random.Random, ids: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(sorted(rng.sample(ids, rng.randint(0, len(ids)))))


@dataclass(frozen=True)
class _Plan:
    draft: IncidentDraft
    restore_later: bool
    actor: str


def _plans(
    rng: random.Random, services: Sequence[_Service], count: int, first: date, today: date
) -> list[_Plan]:
    calendar = SupportCalendar.default()
    channels = list(IncidentChannel)
    specials = [*ExcusableCategory, "nine_hours", "breach", "equipment", "open"]
    plans = []
    for index in range(count):
        service = rng.choice(services)
        received = _received(rng, calendar, max(first, service.since), today, index == count - 1)
        base = IncidentDraft(
            client_id=service.client_id,
            product_line_id=service.product_line_id,
            domain_id=service.domain_id,
            mailbox_ids=_some(rng, service.mailbox_ids),
            channel=channels[index % len(channels)],
            received_at=received,
            description=rng.choice(DESCRIPTIONS),
            acknowledged_at=received + timedelta(minutes=rng.randint(5, 40)),
        )
        special = specials[index] if index < len(specials) - 1 else None
        if index == count - 1:
            special = "open"
        draft = _shaped(rng, calendar, base, special)
        plans.append(_Plan(draft, rng.random() < 0.25, rng.choice(STAFF)))
    return plans


def _received(
    rng: random.Random, calendar: SupportCalendar, start: date, end: date, last: bool
) -> datetime:
    """A reception during support hours, on a workday between ``start`` and ``end``."""
    if last:  # the one still open: these last days
        start = max(start, end - timedelta(days=3))
    else:  # restored by now, even after ten support hours
        end -= timedelta(days=7)
    span = max(0, (end - start).days - 1)
    for _ in range(30):
        day = start + timedelta(days=rng.randint(0, span))
        if calendar.is_workday(day):
            break
    return datetime.combine(day, time(rng.randint(8, 15), rng.choice((0, 15, 30, 45))), PARIS)


def _shaped(
    rng: random.Random,
    calendar: SupportCalendar,
    draft: IncidentDraft,
    special: ExcusableCategory | str | None,
) -> IncidentDraft:
    received = draft.received_at
    assert received is not None
    if isinstance(special, ExcusableCategory):
        hours = rng.randint(1, 6)
        return replace(
            draft,
            excusable_category=special,
            cause=EXCUSABLE_CAUSES[special],
            restored_at=received + timedelta(hours=hours),
        )
    if special == "nine_hours":  # 9 h of a month: below 99 %
        start = received.replace(hour=9, minute=0)
        return replace(
            draft,
            received_at=start,
            acknowledged_at=start + timedelta(minutes=10),
            restored_at=start + timedelta(hours=9),
            cause=CAUSES[2],
        )
    if special == "breach":  # restored after the 8 support hours
        return replace(
            draft, restored_at=calendar.add(received, timedelta(hours=10)), cause=CAUSES[4]
        )
    if special == "open":
        return replace(draft, acknowledged_at=None)
    restored = calendar.add(received, timedelta(minutes=rng.randint(30, 6 * 60)))
    changed = replace(draft, restored_at=restored, cause=rng.choice(CAUSES))
    if special == "equipment":
        found = received + timedelta(hours=1)
        return replace(changed, equipment_replacement=True, equipment_found_at=found)
    return changed


def _record(db: Database, rng: random.Random, plan: _Plan, now: datetime) -> None:
    draft = plan.draft
    if not plan.restore_later or draft.restored_at is None:
        create_incident(db, draft, actor=plan.actor, now=now)
        return
    opened = create_incident(
        db, replace(draft, restored_at=None, cause=None), actor=plan.actor, now=now
    )
    update_incident(
        db, opened.id, draft, expected_version=opened.version, actor=rng.choice(STAFF), now=now
    )
