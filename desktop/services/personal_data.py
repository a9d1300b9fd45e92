"""Personal data: anonymise a terminated client or a deleted mailbox, and the retention purge.

Clients' contacts and mailbox users are personal data (invoicing-fr.md); they
are anonymised on request or once their retention period has run, while
every issued invoice and credit note stays exactly as issued (legal retention:
their frozen buyer data and the hash chain are never touched, so
``backoffice verify`` still finds the chain intact).

What anonymising a client replaces:

- its contacts' names, e-mails and phones;
- its billing e-mail and phone, and its notes; a consumer (a person) also loses
  its name and postal address, while a business or public body keeps its
  company identity (name, SIREN, address are not personal data);
- the debtor data of its SEPA mandates (name, address, IBAN masked, BIC), the
  RUM and dates kept;
- its mailboxes' display names and addresses (``anonyme-<id>@domaine``);
- its quotes' and contracts' free notes (a signed contract's scan is kept: it is
  the contract's evidence, like the invoices);
- the outbox: messages not sent to it are removed, sent ones keep only their
  subject and date;
- the same values in the audit trail, before and after.

Who may be anonymised (decided here): a terminated client, or a prospect that
never signed (no contract in force, no accepted quote), with no contract or
mailbox still in service, no draft invoice (it would be issued to nobody) and
nothing left to pay: collecting a debt needs the debtor's identity (keeping it
for a legal claim is allowed, GDPR art. 17(3)(e)). The purge lists such clients
as held, with why.

The purge anonymises, at a date, every item whose retention period has run
(months, settings of the provider): a terminated client from the end of its
relationship (its termination, the end of its last contract or mailbox), a
prospect from its last change or quote, a deleted mailbox from its deletion.
It runs in one transaction: all the planned items or none.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop.db.audit import scrub_personal_values
from desktop.db.engine import Database
from desktop.db.models import (
    AuditLog,
    Client,
    Contact,
    Contract,
    DunningEvent,
    Invoice,
    LifecycleEvent,
    Mailbox,
    OutboxMessage,
    Provider,
    Quote,
    SepaMandate,
)
from desktop.documents.french import french_date, french_money
from desktop.domain.banking import mask_iban
from desktop.domain.clock import as_utc, paris_today, utc_now
from desktop.domain.enums import (
    ClientKind,
    ClientStatus,
    ContractStatus,
    InvoiceKind,
    InvoiceStatus,
    LabelledEnum,
    LifecycleKind,
    MailboxStatus,
    OutboxStatus,
    QuoteStatus,
)
from desktop.domain.errors import ValidationError
from desktop.domain.periods import add_months
from desktop.domain.roles import Permission
from desktop.errors import NotFoundError, UserError
from desktop.services.access import requires
from desktop.services.conflicts import write_scope
from desktop.services.events import Subject, log_event
from desktop.services.outbox import split_addresses
from desktop.services.payments import invoice_balance
from desktop.services.provider import provider_for_update

ANONYMOUS = "Anonyme"
ANONYMOUS_DOMAIN = "anonyme.invalid"
"""A reserved domain (RFC 2606): nothing can ever be sent to an anonymised address."""
PURGED_BODY = "[Contenu supprimé : données personnelles anonymisées le {day}.]"

MIN_MONTHS = 1
MAX_MONTHS = 240

_OPEN_CONTRACTS = (ContractStatus.PENDING, ContractStatus.ACTIVE, ContractStatus.SUSPENDED)
_ENDED_MAILBOXES = (MailboxStatus.TERMINATED, MailboxStatus.DELETED)
_UNPAID = (InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_PAID)

# The personal fields of each audited entity (the audit trail names entities by table).
_CLIENT_FIELDS = ("billing_email", "phone", "notes")
_CONSUMER_FIELDS = ("name", "address_line1", "address_line2", "postcode", "city")
_AUDITED_FIELDS: dict[str, tuple[str, ...]] = {
    Contact.__tablename__: ("name", "email", "phone"),
    Mailbox.__tablename__: ("local_part", "address", "display_name"),
    SepaMandate.__tablename__: ("debtor_name", "debtor_address", "iban", "bic"),
    Quote.__tablename__: ("notes", "decision_reason"),
    Contract.__tablename__: ("notes",),
}


# --- retention settings -----------------------------------------------------------------


@dataclass(frozen=True)
class RetentionSettings:
    """How many months personal data is kept once its clock has started."""

    prospect_months: int
    client_months: int
    mailbox_months: int
    version: int


DEFAULT_RETENTION = RetentionSettings(
    prospect_months=36, client_months=36, mailbox_months=12, version=0
)
"""What applies while the provider's identity is not recorded (version 0)."""

_RETENTION_COLUMNS = {
    "prospect_months": "retention_prospect_months",
    "client_months": "retention_client_months",
    "mailbox_months": "retention_mailbox_months",
}


def retention_settings(db: Database) -> RetentionSettings:
    with db.read_session() as session:
        return _retention(session)


def _retention(session: Session) -> RetentionSettings:
    provider = session.get(Provider, 1)
    if provider is None:
        return DEFAULT_RETENTION
    return RetentionSettings(
        **{name: getattr(provider, column) for name, column in _RETENTION_COLUMNS.items()},
        version=provider.version,
    )


def check_retention(settings: RetentionSettings) -> None:
    """ValidationError naming every period out of 1–240 months."""
    errors = {
        name: f"Une durée de {MIN_MONTHS} à {MAX_MONTHS} mois est attendue."
        for name in _RETENTION_COLUMNS
        if not MIN_MONTHS <= getattr(settings, name) <= MAX_MONTHS
    }
    if errors:
        raise ValidationError(errors)


@requires(Permission.PERSONAL_DATA)
def save_retention_settings(
    db: Database, settings: RetentionSettings, *, expected_version: int, actor: str
) -> RetentionSettings:
    """Store the three periods; ValidationError per field, ConflictError when stale."""
    check_retention(settings)
    with write_scope(db) as session:
        provider = provider_for_update(session, expected_version)
        for name, column in _RETENTION_COLUMNS.items():
            setattr(provider, column, getattr(settings, name))
        provider.updated_by = actor
        provider.updated_at = utc_now()
        session.flush()
        return _retention(session)


# --- anonymising ------------------------------------------------------------------------


class PurgeKind(LabelledEnum):
    CLIENT = "client", "Client résilié"
    PROSPECT = "prospect", "Prospect"
    MAILBOX = "mailbox", "Boîte supprimée"


@dataclass(frozen=True)
class Anonymised:
    """What one anonymisation did (``changed`` False: it had been done already)."""

    kind: PurgeKind
    id: int
    label: str  # the client's code or the mailbox's new address: nothing personal
    changed: bool
    contacts: int = 0
    mailboxes: int = 0
    mandates: int = 0
    outbox_removed: int = 0
    outbox_purged: int = 0

    @property
    def summary(self) -> str:
        """One French line: « Client CL00012 anonymisé : 2 contact(s), … »."""
        mailbox = self.kind is PurgeKind.MAILBOX
        if not self.changed:
            what = (
                f"La boîte {self.label} était déjà anonymisée"
                if mailbox
                else f"Le client {self.label} était déjà anonymisé"
            )
            return f"{what} : rien n'a changé."
        if mailbox:
            what = f"Boîte aux lettres anonymisée : {self.label}"
        else:
            what = (
                f"Client {self.label} anonymisé : {self.contacts} contact(s), "
                f"{self.mailboxes} boîte(s) aux lettres, {self.mandates} mandat(s) SEPA"
            )
        return (
            f"{what} ; e-mails : {self.outbox_removed} en attente supprimé(s), "
            f"{self.outbox_purged} envoyé(s) vidé(s). Factures et avoirs conservés tels "
            "qu'émis."
        )


@requires(Permission.PERSONAL_DATA)
def anonymise_client(
    db: Database, client_id: int, *, actor: str, now: datetime | None = None
) -> Anonymised:
    """Anonymise a terminated client (or a prospect that never signed); UserError saying
    why when it may not be; nothing changes when it already was."""
    with db.session_scope() as session:
        client = session.get(Client, client_id, with_for_update=True)
        if client is None:
            raise NotFoundError("Ce client est introuvable.")
        return _anonymise_client(session, client, actor, as_utc(now or utc_now()))


@requires(Permission.PERSONAL_DATA)
def anonymise_mailbox(
    db: Database, mailbox_id: int, *, actor: str, now: datetime | None = None
) -> Anonymised:
    """Anonymise a deleted mailbox; UserError for any other; nothing when done already."""
    with db.session_scope() as session:
        box = session.get(Mailbox, mailbox_id, with_for_update=True)
        if box is None:
            raise NotFoundError("Cette boîte aux lettres est introuvable.")
        return _anonymise_lone_mailbox(session, box, actor, as_utc(now or utc_now()))


def client_id_by_code(db: Database, code: str) -> int:
    with db.read_session() as session:
        found = session.execute(
            sa.select(Client.id).where(sa.func.upper(Client.code) == code.strip().upper())
        ).scalar_one_or_none()
    if found is None:
        raise NotFoundError(f"Aucun client n'a le code « {code.strip()} ».")
    return found


def mailbox_id_by_address(db: Database, address: str) -> int:
    with db.read_session() as session:
        found = session.execute(
            sa.select(Mailbox.id).where(Mailbox.address == address.strip().lower())
        ).scalar_one_or_none()
    if found is None:
        raise NotFoundError(f"Aucune boîte aux lettres n'a l'adresse « {address.strip()} ».")
    return found


def _refusal(session: Session, client: Client) -> str | None:
    if client.status is ClientStatus.ANONYMISED:
        return None
    if client.status not in (ClientStatus.TERMINATED, ClientStatus.PROSPECT):
        return (
            f"Le client {client.code} est « {client.status.label} » : seul un client résilié, "
            "ou un prospect qui n'a jamais signé, peut être anonymisé."
        )
    reasons = [
        reason
        for reason in (
            _open_contracts(session, client.id),
            _running_mailboxes(session, client.id),
            _accepted_quote(session, client),
            _drafts(session, client.id),
            _unpaid(session, client.id),
        )
        if reason
    ]
    if not reasons:
        return None
    return f"Le client {client.code} ne peut pas être anonymisé : {' ; '.join(reasons)}."


def _open_contracts(session: Session, client_id: int) -> str | None:
    numbers = session.execute(
        sa.select(Contract.number)
        .where(Contract.client_id == client_id, Contract.status.in_(_OPEN_CONTRACTS))
        .order_by(Contract.number)
    ).scalars()
    found = list(numbers)
    return f"contrat(s) en cours ({', '.join(found)})" if found else None


def _running_mailboxes(session: Session, client_id: int) -> str | None:
    count = session.execute(
        sa.select(sa.func.count(Mailbox.id)).where(
            Mailbox.client_id == client_id, Mailbox.status.not_in(_ENDED_MAILBOXES)
        )
    ).scalar_one()
    return f"{count} boîte(s) aux lettres encore en service" if count else None


def _accepted_quote(session: Session, client: Client) -> str | None:
    if client.status is not ClientStatus.PROSPECT:
        return None
    number = session.execute(
        sa.select(Quote.number)
        .where(Quote.client_id == client.id, Quote.status == QuoteStatus.ACCEPTED)
        .order_by(Quote.id)
        .limit(1)
    ).scalar_one_or_none()
    return f"le prospect a accepté le devis {number}" if number else None


def _drafts(session: Session, client_id: int) -> str | None:
    count = session.execute(
        sa.select(sa.func.count(Invoice.id)).where(
            Invoice.client_id == client_id, Invoice.status == InvoiceStatus.DRAFT
        )
    ).scalar_one()
    return f"{count} facture(s) en brouillon à émettre ou supprimer" if count else None


def _unpaid(session: Session, client_id: int) -> str | None:
    rows = session.execute(
        sa.select(Invoice.id, Invoice.number)
        .where(
            Invoice.client_id == client_id,
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status.in_(_UNPAID),
        )
        .order_by(Invoice.chain_index)
    ).all()
    balances = [(number, invoice_balance(session, invoice_id)) for invoice_id, number in rows]
    owed = [(number, amount) for number, amount in balances if amount > 0]
    if not owed:
        return None
    total = sum((amount for _number, amount in owed), Decimal(0))
    numbers = ", ".join(str(number) for number, _amount in owed)
    return (
        f"{french_money(total)} restent dus ({numbers}) : ses coordonnées servent au "
        "recouvrement (anonymisez après règlement ou avoir)"
    )


def _anonymise_client(session: Session, client: Client, actor: str, now: datetime) -> Anonymised:
    kind = PurgeKind.PROSPECT if client.status is ClientStatus.PROSPECT else PurgeKind.CLIENT
    if client.status is ClientStatus.ANONYMISED:
        return Anonymised(kind, client.id, client.code, changed=False)
    reason = _refusal(session, client)
    if reason is not None:
        raise UserError(reason)
    addresses = _client_addresses(session, client)
    anonymous_email = f"anonyme-{client.id}@{ANONYMOUS_DOMAIN}"
    removed, purged = _purge_outbox(session, addresses, anonymous_email, now)
    contacts = _anonymise_contacts(session, client, actor)
    mandates = _anonymise_mandates(session, client.id, actor)
    mailboxes = _mailboxes_of(session, client.id)
    for box in mailboxes:
        _anonymise_box(session, box, actor, now)
    _clear_notes(session, client.id, actor)
    _anonymise_client_row(session, client, anonymous_email, actor, now)
    return Anonymised(
        kind,
        client.id,
        client.code,
        changed=True,
        contacts=contacts,
        mailboxes=len(mailboxes),
        mandates=mandates,
        outbox_removed=removed,
        outbox_purged=purged,
    )


def _client_addresses(session: Session, client: Client) -> set[str]:
    """Every e-mail address of the client, to find the messages sent to it."""
    found = {client.billing_email, *(c.email for c in client.contacts if c.email)}
    found.update(
        session.execute(sa.select(Mailbox.address).where(Mailbox.client_id == client.id)).scalars()
    )
    return {address.lower() for address in found if address}


def _anonymise_client_row(
    session: Session, client: Client, anonymous_email: str, actor: str, now: datetime
) -> None:
    fields = list(_CLIENT_FIELDS)
    client.billing_email = anonymous_email
    client.phone = None
    client.notes = None
    if client.kind is ClientKind.CONSUMER:
        fields += _CONSUMER_FIELDS
        client.name = f"{ANONYMOUS} {client.code}"
        client.address_line1 = client.address_line2 = None
        client.postcode = client.city = None
    previous = client.status
    client.status = ClientStatus.ANONYMISED
    client.anonymised_at = now
    client.updated_by = actor
    client.updated_at = now
    log_event(
        session,
        LifecycleKind.STATUS,
        Subject(client_id=client.id),
        actor=actor,
        reason="Données personnelles anonymisées (factures et avoirs conservés)",
        change=(previous.value, ClientStatus.ANONYMISED.value),
        at=now,
    )
    session.flush()
    _scrub_history(session, client.id, fields)


def _anonymise_contacts(session: Session, client: Client, actor: str) -> int:
    for contact in client.contacts:
        contact.name = ANONYMOUS
        contact.email = None
        contact.phone = None
        contact.updated_by = actor
    return len(client.contacts)


def forget_contacts(session: Session, client: Client, actor: str) -> int:
    """The client's contacts anonymised, here and in their audit rows; how many.

    The late-payment sequence's deletion step (business rules §6): the people's
    data goes with the service, the debtor's own identity stays on its record
    and invoices to recover the debt (the retention purge takes it later).
    """
    count = _anonymise_contacts(session, client, actor)
    session.flush()
    for contact_id in _audited_ids(session, Contact.__tablename__, client.id):
        scrub_audit(session, Contact.__tablename__, contact_id)
    return count


def _anonymise_mandates(session: Session, client_id: int, actor: str) -> int:
    mandates = list(
        session.execute(
            sa.select(SepaMandate)
            .where(SepaMandate.client_id == client_id)
            .order_by(SepaMandate.id)
        ).scalars()
    )
    for mandate in mandates:
        mandate.debtor_name = ANONYMOUS
        mandate.debtor_address = None
        mandate.iban = mask_iban(mandate.iban)
        mandate.bic = None
        mandate.updated_by = actor
    return len(mandates)


def _mailboxes_of(session: Session, client_id: int) -> list[Mailbox]:
    return list(
        session.execute(
            sa.select(Mailbox).where(Mailbox.client_id == client_id).order_by(Mailbox.id)
        ).scalars()
    )


def _anonymise_lone_mailbox(
    session: Session, box: Mailbox, actor: str, now: datetime
) -> Anonymised:
    if box.anonymised_at is not None:
        return Anonymised(PurgeKind.MAILBOX, box.id, box.address, changed=False)
    if box.status is not MailboxStatus.DELETED:
        raise UserError(
            f"La boîte {box.address} est « {box.status.label} » : seule une boîte supprimée "
            "peut être anonymisée."
        )
    removed, purged = _purge_outbox(session, {box.address.lower()}, _anonymous_address(box), now)
    _anonymise_box(session, box, actor, now)
    return Anonymised(
        PurgeKind.MAILBOX,
        box.id,
        box.address,
        changed=True,
        mailboxes=1,
        outbox_removed=removed,
        outbox_purged=purged,
    )


def _anonymise_box(session: Session, box: Mailbox, actor: str, now: datetime) -> None:
    if box.anonymised_at is not None:
        return
    box.local_part = anonymous_local_part(box.id)
    box.address = _anonymous_address(box)
    box.display_name = None
    box.password_issued_at = None
    box.password_issued_by = None
    box.anonymised_at = now
    box.updated_by = actor
    box.updated_at = now
    session.flush()
    scrub_audit(session, Mailbox.__tablename__, box.id)


def anonymous_local_part(mailbox_id: int) -> str:
    return f"anonyme-{mailbox_id}"


def is_anonymous_mailbox(mailbox_id: int, local_part: str) -> bool:
    """Whether a mailbox's local part is the one its anonymisation gives."""
    return local_part == anonymous_local_part(mailbox_id)


def _anonymous_address(box: Mailbox) -> str:
    """``anonyme-<id>@`` its domain: the domain is the client's, not the person's."""
    return f"{anonymous_local_part(box.id)}@{box.address.rpartition('@')[2]}"


def _clear_notes(session: Session, client_id: int, actor: str) -> None:
    """Quotes' and contracts' free texts: they may name or describe people."""
    quotes = list(session.execute(sa.select(Quote).where(Quote.client_id == client_id)).scalars())
    for quote in quotes:
        quote.notes = quote.decision_reason = None
        quote.updated_by = actor
    contracts = list(
        session.execute(sa.select(Contract).where(Contract.client_id == client_id)).scalars()
    )
    for contract in contracts:
        contract.notes = None
        contract.updated_by = actor


def _purge_outbox(
    session: Session, addresses: set[str], replacement: str, now: datetime
) -> tuple[int, int]:
    """Messages to ``addresses``: unsent ones removed, sent ones emptied; (removed, emptied)."""
    removed = purged = 0
    for message in _messages_to(session, addresses):
        if message.status is OutboxStatus.SENT:
            _empty_sent(message, addresses, replacement, now)
            purged += 1
        else:
            session.execute(
                sa.update(DunningEvent)
                .where(DunningEvent.outbox_id == message.id)
                .values(outbox_id=None)
            )
            session.delete(message)
            removed += 1
    session.flush()
    return removed, purged


def _messages_to(session: Session, addresses: set[str]) -> list[OutboxMessage]:
    if not addresses:
        return []
    text = sa.func.lower(OutboxMessage.to + sa.func.coalesce(OutboxMessage.cc, ""))
    candidates = session.execute(
        sa.select(OutboxMessage)
        .where(sa.or_(*(text.contains(address, autoescape=True) for address in addresses)))
        .order_by(OutboxMessage.id)
    ).scalars()
    return [m for m in candidates if addresses & _recipients(m)]


def _recipients(message: OutboxMessage) -> set[str]:
    return {a.lower() for a in (*split_addresses(message.to), *split_addresses(message.cc))}


def _empty_sent(
    message: OutboxMessage, addresses: set[str], replacement: str, now: datetime
) -> None:
    """Keep that a message was sent (its subject, dates); drop what it said and to whom."""
    day = french_date(paris_today(now))
    message.body = PURGED_BODY.format(day=day)
    message.attachments.clear()
    message.to = _replace_addresses(message.to, addresses, replacement) or replacement
    message.cc = _replace_addresses(message.cc, addresses, replacement)
    message.last_error = None


def _replace_addresses(text: str | None, addresses: set[str], replacement: str) -> str | None:
    kept: list[str] = []
    for address in split_addresses(text):
        shown = replacement if address.lower() in addresses else address
        if shown not in kept:
            kept.append(shown)
    return ", ".join(kept) or None


# --- the audit trail --------------------------------------------------------------------


def scrub_audit(
    session: Session, entity: str, entity_id: int, fields: Iterable[str] | None = None
) -> int:
    """The personal values of one row replaced in its audit rows, before and after
    (``fields`` default to the entity's own); the number of audit rows changed."""
    names = _AUDITED_FIELDS[entity] if fields is None else tuple(fields)
    return scrub_personal_values(session, entity, entity_id, names)


def _scrub_history(session: Session, client_id: int, client_fields: Sequence[str]) -> None:
    """The client's personal values out of its audit rows and those of every contact,
    mandate, quote and contract it ever had, deleted ones included (their rows name
    the client in their recorded values)."""
    scrub_audit(session, Client.__tablename__, client_id, client_fields)
    for model in (Contact, SepaMandate, Quote, Contract):
        for row_id in _audited_ids(session, model.__tablename__, client_id):
            scrub_audit(session, model.__tablename__, row_id)


def _audited_ids(session: Session, entity: str, client_id: int) -> list[int]:
    owner = sa.or_(
        AuditLog.after["client_id"].as_integer() == client_id,
        AuditLog.before["client_id"].as_integer() == client_id,
    )
    return list(
        session.execute(
            sa.select(AuditLog.entity_id)
            .where(AuditLog.entity == entity, owner)
            .distinct()
            .order_by(AuditLog.entity_id)
        ).scalars()
    )


# --- the retention purge ----------------------------------------------------------------


@dataclass(frozen=True)
class PurgeItem:
    """One client or mailbox whose retention period has run at the plan's date."""

    kind: PurgeKind
    id: int
    label: str
    started_on: date  # the day its retention clock started
    due_on: date  # the day it became due for anonymisation
    why: str  # « client résilié le 15/03/2023 (conservation 36 mois) »


@dataclass(frozen=True)
class HeldItem:
    """A client whose period has run but who may not be anonymised yet, and why."""

    id: int
    label: str
    why: str


@dataclass(frozen=True)
class PurgePlan:
    at: date
    settings: RetentionSettings
    items: tuple[PurgeItem, ...]
    held: tuple[HeldItem, ...] = ()

    @property
    def keys(self) -> tuple[tuple[PurgeKind, int], ...]:
        return tuple((item.kind, item.id) for item in self.items)


@dataclass(frozen=True)
class PurgeReport:
    at: date
    done: tuple[Anonymised, ...] = field(default_factory=tuple)

    @property
    def count(self) -> int:
        return len(self.done)


def plan_purge(db: Database, at: date) -> PurgePlan:
    """What the purge would anonymise at ``at`` (a Paris date); changes nothing."""
    with db.read_session() as session:
        return _plan(session, at)


@requires(Permission.PERSONAL_DATA)
def run_purge(
    db: Database,
    at: date,
    *,
    actor: str,
    expected: PurgePlan | None = None,
    now: datetime | None = None,
) -> PurgeReport:
    """Anonymise every item of the plan at ``at``, in one transaction (all or nothing).

    ``expected`` is the plan the user confirmed: when the items differ now (another
    desktop changed something meanwhile), nothing is done and the user is told.
    """
    moment = as_utc(now or utc_now())
    with db.session_scope() as session:
        plan = _plan(session, at)
        if expected is not None and expected.keys != plan.keys:
            raise UserError(
                "La liste à anonymiser a changé depuis l'aperçu : actualisez-la et "
                "vérifiez-la avant de confirmer. Rien n'a été anonymisé."
            )
        done = tuple(_apply(session, item, actor, moment) for item in plan.items)
    return PurgeReport(at, done)


def _apply(session: Session, item: PurgeItem, actor: str, now: datetime) -> Anonymised:
    if item.kind is PurgeKind.MAILBOX:
        box = session.get(Mailbox, item.id, with_for_update=True)
        assert box is not None
        return _anonymise_lone_mailbox(session, box, actor, now)
    client = session.get(Client, item.id, with_for_update=True)
    assert client is not None
    return _anonymise_client(session, client, actor, now)


def _plan(session: Session, at: date) -> PurgePlan:
    settings = _retention(session)
    items: list[PurgeItem] = []
    held: list[HeldItem] = []
    candidates = (
        *_terminated_clients(session, settings.client_months),
        *_prospects(session, settings.prospect_months),
    )
    for client, item in candidates:
        if item.due_on > at:
            continue
        reason = _refusal(session, client)
        if reason is None:
            items.append(item)
        else:
            held.append(HeldItem(client.id, item.label, reason))
    purged_clients = {item.id for item in items}
    items += [
        item
        for client_id, item in _deleted_mailboxes(session, settings.mailbox_months)
        if item.due_on <= at and client_id not in purged_clients
    ]
    items.sort(key=lambda item: (item.due_on, item.kind.value, item.id))
    return PurgePlan(at, settings, tuple(items), tuple(held))


def _item(
    kind: PurgeKind, row_id: int, label: str, started: date, months: int, what: str
) -> PurgeItem:
    why = f"{what} le {french_date(started)} (conservation {months} mois)"
    return PurgeItem(kind, row_id, label, started, add_months(started, months), why)


def _terminated_clients(session: Session, months: int) -> list[tuple[Client, PurgeItem]]:
    """Terminated clients with the day their relationship ended: the latest of their
    termination, their contracts' and mailboxes' ends (their last change if none is
    recorded)."""
    clients = list(
        session.execute(
            sa.select(Client).where(Client.status == ClientStatus.TERMINATED).order_by(Client.id)
        ).scalars()
    )
    if not clients:
        return []
    ends = _relationship_ends(session)
    found = []
    for client in clients:
        started = ends.get(client.id) or paris_today(client.updated_at)
        label = f"{client.code} — {client.name}"
        found.append(
            (client, _item(PurgeKind.CLIENT, client.id, label, started, months, "client résilié"))
        )
    return found


def _relationship_ends(session: Session) -> dict[int, date]:
    """client id → the last day of its relationship recorded anywhere."""
    ends: dict[int, date] = {}

    def keep(client_id: int | None, day: date | None) -> None:
        if client_id is None or day is None:
            return
        if client_id not in ends or day > ends[client_id]:
            ends[client_id] = day

    terminated = session.execute(
        sa.select(LifecycleEvent.client_id, sa.func.max(LifecycleEvent.at))
        .where(
            LifecycleEvent.client_id.is_not(None),
            LifecycleEvent.mailbox_id.is_(None),
            LifecycleEvent.contract_id.is_(None),
            LifecycleEvent.to_status == ClientStatus.TERMINATED.value,
        )
        .group_by(LifecycleEvent.client_id)
    ).all()
    for client_id, at in terminated:
        keep(client_id, paris_today(at))
    dated = (
        (Contract.client_id, Contract.terminated_on),
        (Contract.client_id, Contract.ends_on),
        (Mailbox.client_id, Mailbox.terminated_on),
        (Mailbox.client_id, Mailbox.deleted_on),
    )
    for owner, column in dated:
        for client_id, day in session.execute(
            sa.select(owner, sa.func.max(column)).group_by(owner)
        ).all():
            keep(client_id, day)
    return ends


def _prospects(session: Session, months: int) -> list[tuple[Client, PurgeItem]]:
    """Prospects that never signed (no contract but cancelled ones, no accepted quote),
    with the day of their last sign of life: their own last change, or that of one of
    their quotes or cancelled contracts."""
    signed = sa.or_(
        sa.exists().where(
            Contract.client_id == Client.id, Contract.status != ContractStatus.CANCELLED
        ),
        sa.exists().where(Quote.client_id == Client.id, Quote.status == QuoteStatus.ACCEPTED),
    )
    rows = session.execute(
        sa.select(Client, _last_change(Quote), _last_change(Contract))
        .where(Client.status == ClientStatus.PROSPECT, sa.not_(signed))
        .order_by(Client.id)
    ).all()
    found = []
    for client, *others in rows:
        moments = [client.updated_at, *(moment for moment in others if moment is not None)]
        started = max(paris_today(moment) for moment in moments)
        label = f"{client.code} — {client.name}"
        item = _item(
            PurgeKind.PROSPECT, client.id, label, started, months, "prospect sans suite depuis"
        )
        found.append((client, item))
    return found


def _last_change(model: type[Quote] | type[Contract]) -> sa.ScalarSelect[Any]:
    return (
        sa.select(sa.func.max(model.updated_at))
        .where(model.client_id == Client.id)
        .correlate(Client)
        .scalar_subquery()
    )


def _deleted_mailboxes(session: Session, months: int) -> list[tuple[int, PurgeItem]]:
    rows = session.execute(
        sa.select(
            Mailbox.id, Mailbox.client_id, Mailbox.address, Mailbox.deleted_on, Mailbox.updated_at
        )
        .where(Mailbox.status == MailboxStatus.DELETED, Mailbox.anonymised_at.is_(None))
        .order_by(Mailbox.id)
    ).all()
    found = []
    for box_id, client_id, address, deleted_on, updated_at in rows:
        started = deleted_on or paris_today(updated_at)
        item = _item(PurgeKind.MAILBOX, box_id, address, started, months, "boîte supprimée")
        found.append((client_id, item))
    return found
