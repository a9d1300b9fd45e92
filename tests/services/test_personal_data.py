"""Personal data: anonymising a terminated client or a deleted mailbox, retention purge.

Each test builds the real rows through the services (a consumer with a contact,
a mailbox, a SEPA mandate, a quote, invoices and e-mails), ends the relationship
and checks the exact values stored afterwards, invoices byte-identical.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from desktop.db.engine import Database
from desktop.db.models import (
    AuditLog,
    Client,
    Contact,
    Contract,
    Invoice,
    InvoiceLine,
    LifecycleEvent,
    Mailbox,
    OutboxMessage,
    Quote,
    SepaMandate,
    StaffUser,
)
from desktop.documents.french import french_money
from desktop.domain.banking import mask_iban
from desktop.domain.enums import (
    ClientKind,
    ClientStatus,
    ContactRole,
    ContractStatus,
    LifecycleKind,
    MailboxStatus,
    OutboxStatus,
    PaymentMethod,
    QuoteStatus,
    StaffRole,
)
from desktop.domain.errors import ValidationError
from desktop.errors import ConflictError, PermissionDeniedError, UserError
from desktop.services.clients import (
    ClientDraft,
    ContactDraft,
    create_client,
    get_client,
    update_client,
)
from desktop.services.events import Subject, log_event
from desktop.services.mailboxes import MailboxDraft, create_mailbox
from desktop.services.mandates import create_mandate
from desktop.services.outbox import queue_email
from desktop.services.payments import record_payment
from desktop.services.personal_data import (
    DEFAULT_RETENTION,
    PurgeKind,
    anonymise_client,
    anonymise_mailbox,
    plan_purge,
    retention_settings,
    run_purge,
    save_retention_settings,
)
from tests.documents.pdf_helpers import store_provider
from tests.services.factories import ACTOR, client, contract, domain, plan, product_line
from tests.services.invoice_helpers import issued_invoice

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ENDED = date(2026, 6, 30)
IBAN = "FR7630006000011234567890189"
PERSONAL = (
    "jeanne",
    "paul",
    "martin@",
    "06 12 34 56 78",
    "06 98 76 54 32",
    "lilas",
    "1234567890189",
    "agrifrpp",
    "soir",
)
"""Fragments of the consumer's personal data (lower case): none may survive."""
AUDITED = ("client", "contact", "mailbox", "sepa_mandate", "quote", "contract")


@dataclass(frozen=True)
class Closed:
    """A consumer whose relationship ended on ENDED, and another client left alone."""

    client_id: int
    code: str
    contact_id: int
    mailbox_id: int
    mandate_id: int
    quote_id: int
    contract_id: int
    line_id: int
    other_id: int


def closed_consumer(db: Database, *, ended: date = ENDED, paid: bool = True) -> Closed:
    """Jeanne Martin, consumer: everything personal the application stores, then ended."""
    store_provider(db)
    other = client(db)
    person = create_client(
        db,
        ClientDraft(
            kind=ClientKind.CONSUMER,
            name="Jeanne Martin",
            address_line1="3 rue des Lilas",
            postcode="56000",
            city="Vannes",
            billing_email="jeanne.martin@orange.fr",
            phone="06 12 34 56 78",
            notes="Préfère être appelée le soir",
            contacts=(
                ContactDraft(
                    role=ContactRole.ADMINISTRATOR,
                    name="Jeanne Martin",
                    email="jeanne.martin@orange.fr",
                    phone="06 12 34 56 78",
                    is_primary=True,
                ),
                ContactDraft(
                    role=ContactRole.TECHNICAL, name="Paul Martin", phone="06 98 76 54 32"
                ),
            ),
        ),
        actor=ACTOR,
    )
    line = product_line(db)
    plan_id = plan(db, line, code="HE-STD", name="Exchange Standard")
    contract_id = contract(db, person.id, line, number="C2026-00001")
    domain_id = domain(db, person.id, "martin-famille.fr").id
    box = create_mailbox(
        db,
        MailboxDraft(
            contract_id=contract_id,
            domain_id=domain_id,
            plan_id=plan_id,
            local_part="jeanne",
            display_name="Jeanne Martin",
        ),
        actor=ACTOR,
    )
    mandate = create_mandate(
        db,
        person.id,
        debtor_name="Jeanne Martin",
        debtor_address="3 rue des Lilas, 56000 Vannes",
        iban=IBAN,
        bic="AGRIFRPP882",
        signed_on=date(2026, 1, 5),
        actor=ACTOR,
    )
    invoice_id, _number = issued_invoice(db, person.id, on=date(2026, 3, 1))
    issued_invoice(db, other.id, on=date(2026, 3, 2))
    if paid:
        record_payment(
            db,
            invoice_id,
            paid_on=date(2026, 3, 10),
            amount=one(db, Invoice, invoice_id).total_incl_vat,
            method=PaymentMethod.TRANSFER,
            reference=None,
            actor=ACTOR,
        )
    with db.session_scope() as session:
        quote = Quote(
            client_id=person.id,
            product_line_id=line,
            status=QuoteStatus.REFUSED,
            notes="Rappeler Jeanne au 06 12 34 56 78",
            decision_reason="Trop cher selon Jeanne",
            updated_by=ACTOR,
        )
        session.add(quote)
        session.delete(session.get(Contact, person.contacts[1].id))  # its audit row stays
        _queue_mails(session)
        _end(session, person.id, contract_id, box.id, ended)
        session.flush()
        quote_id = quote.id
    return Closed(
        client_id=person.id,
        code=person.code,
        contact_id=person.contacts[0].id,
        mailbox_id=box.id,
        mandate_id=mandate.id,
        quote_id=quote_id,
        contract_id=contract_id,
        line_id=line,
        other_id=other.id,
    )


def _queue_mails(session: Any) -> None:
    """One e-mail waiting for Jeanne, one sent to her mailbox with a PDF, one for Acme."""
    queue_email(session, to="jeanne.martin@orange.fr", subject="Facture F1", body="Bonjour Jeanne")
    sent_id = queue_email(
        session,
        to="Jeanne <jeanne@martin-famille.fr>",
        cc="compta@acme.fr",
        subject="Codes d'accès",
        body="Bonjour Jeanne, voici vos codes.",
        attachments=[("codes.pdf", b"%PDF-1.7 Jeanne", "application/pdf")],
    )
    session.get(OutboxMessage, sent_id).status = OutboxStatus.SENT
    queue_email(session, to="compta@acme.fr", subject="Facture F2", body="Bonjour Acme")


def _end(session: Any, client_id: int, contract_id: int, mailbox_id: int, day: date) -> None:
    """The contract terminated, the mailbox deleted and the client terminated on ``day``."""
    row = session.get(Contract, contract_id)
    row.status, row.terminated_on = ContractStatus.TERMINATED, day
    box = session.get(Mailbox, mailbox_id)
    box.status, box.terminated_on, box.deleted_on = MailboxStatus.DELETED, day, day
    person = session.get(Client, client_id)
    person.status = ClientStatus.TERMINATED
    log_event(
        session,
        LifecycleKind.STATUS,
        Subject(client_id=client_id),
        actor=ACTOR,
        reason="Fin de contrat",
        change=("active", "terminated"),
        at=datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
    )


def table_rows(db: Database, *models: Any) -> list[tuple[Any, ...]]:
    """Every row of the tables, in id order: for byte-identical comparisons."""
    with db.read_session() as session:
        return [
            tuple(row)
            for model in models
            for row in session.execute(sa.select(model.__table__).order_by(model.id))
        ]


def audit_text(db: Database) -> str:
    """The audit trail of the anonymised entities, as text, lower case."""
    with db.read_session() as session:
        rows = session.execute(
            sa.select(AuditLog.before, AuditLog.after).where(AuditLog.entity.in_(AUDITED))
        ).all()
    return json.dumps([list(row) for row in rows], ensure_ascii=False).lower()


def one(db: Database, model: Any, row_id: int) -> Any:
    with db.read_session() as session:
        return session.get(model, row_id)


# --- anonymising a client ---------------------------------------------------------------


def test_a_terminated_consumer_loses_every_personal_value(db: Database) -> None:
    closed = closed_consumer(db)
    invoices = table_rows(db, Invoice, InvoiceLine)
    assert [fragment for fragment in PERSONAL if fragment not in audit_text(db)] == []
    rum = one(db, SepaMandate, closed.mandate_id).rum

    done = anonymise_client(db, closed.client_id, actor=ACTOR, now=NOW)

    assert done.summary == (
        f"Client {closed.code} anonymisé : 1 contact(s), 1 boîte(s) aux lettres, 1 mandat(s) "
        "SEPA ; e-mails : 1 en attente supprimé(s), 1 envoyé(s) vidé(s). Factures et avoirs "
        "conservés tels qu'émis."
    )
    person = one(db, Client, closed.client_id)
    anonymous_email = f"anonyme-{closed.client_id}@anonyme.invalid"
    assert (person.name, person.billing_email, person.phone, person.notes) == (
        f"Anonyme {closed.code}",
        anonymous_email,
        None,
        None,
    )
    assert (person.address_line1, person.address_line2, person.postcode, person.city) == (
        None,
        None,
        None,
        None,
    )
    assert (person.status, person.anonymised_at) == (ClientStatus.ANONYMISED, NOW)
    contact = one(db, Contact, closed.contact_id)
    assert (contact.name, contact.email, contact.phone, contact.role) == (
        "Anonyme",
        None,
        None,
        ContactRole.ADMINISTRATOR,
    )
    box = one(db, Mailbox, closed.mailbox_id)
    local = f"anonyme-{closed.mailbox_id}"
    assert (box.local_part, box.address, box.display_name, box.anonymised_at) == (
        local,
        f"{local}@martin-famille.fr",
        None,
        NOW,
    )
    mandate = one(db, SepaMandate, closed.mandate_id)
    assert (mandate.debtor_name, mandate.debtor_address, mandate.iban, mandate.bic) == (
        "Anonyme",
        None,
        "FR*********************0189",
        None,
    )
    assert (mandate.rum, mandate.signed_on) == (rum, date(2026, 1, 5))
    quote = one(db, Quote, closed.quote_id)
    assert (quote.notes, quote.decision_reason, quote.status) == (None, None, QuoteStatus.REFUSED)
    assert table_rows(db, Invoice, InvoiceLine) == invoices
    assert not [fragment for fragment in PERSONAL if fragment in audit_text(db)]


def test_the_outbox_keeps_only_that_a_message_was_sent(db: Database) -> None:
    closed = closed_consumer(db)
    anonymise_client(db, closed.client_id, actor=ACTOR, now=NOW)
    with db.read_session() as session:
        messages = session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id)).scalars()
        kept = [
            (m.to, m.cc, m.subject, m.body, m.status, [a.filename for a in m.attachments])
            for m in messages
        ]
    assert kept == [
        (
            f"anonyme-{closed.client_id}@anonyme.invalid",
            "compta@acme.fr",
            "Codes d'accès",
            "[Contenu supprimé : données personnelles anonymisées le 23/11/2026.]",
            OutboxStatus.SENT,
            [],
        ),
        ("compta@acme.fr", None, "Facture F2", "Bonjour Acme", OutboxStatus.PENDING, []),
    ]


def test_a_business_keeps_its_company_identity(db: Database) -> None:
    closed = closed_consumer(db)
    with db.session_scope() as session:
        person = session.get(Client, closed.client_id)
        person.kind, person.siren = ClientKind.BUSINESS, "732829320"
    anonymise_client(db, closed.client_id, actor=ACTOR, now=NOW)
    company = one(db, Client, closed.client_id)
    assert (company.name, company.siren, company.address_line1, company.city) == (
        "Jeanne Martin",
        "732829320",
        "3 rue des Lilas",
        "Vannes",
    )
    assert (company.billing_email, company.phone, company.notes) == (
        f"anonyme-{closed.client_id}@anonyme.invalid",
        None,
        None,
    )


def test_anonymising_twice_changes_nothing(db: Database) -> None:
    closed = closed_consumer(db)
    anonymise_client(db, closed.client_id, actor=ACTOR, now=NOW)
    models = (Client, Contact, Mailbox, SepaMandate, Quote, OutboxMessage, LifecycleEvent, AuditLog)
    before = table_rows(db, *models)
    again = anonymise_client(db, closed.client_id, actor=ACTOR)
    assert again.changed is False
    assert again.summary == f"Le client {closed.code} était déjà anonymisé : rien n'a changé."
    assert table_rows(db, *models) == before


def test_an_anonymised_client_can_no_longer_be_edited(db: Database) -> None:
    closed = closed_consumer(db)
    anonymise_client(db, closed.client_id, actor=ACTOR, now=NOW)
    details = get_client(db, closed.client_id)
    draft = ClientDraft(
        kind=ClientKind.CONSUMER, name="Jeanne Martin", billing_email="jeanne@exemple.fr"
    )
    with pytest.raises(UserError) as refused:
        update_client(db, closed.client_id, draft, expected_version=details.version, actor=ACTOR)
    assert refused.value.message == (
        "Ce client a été anonymisé : sa fiche ne peut plus être modifiée. Rien n'a été enregistré."
    )
    assert get_client(db, closed.client_id).name == details.name


def test_the_history_says_who_anonymised(db: Database) -> None:
    closed = closed_consumer(db)
    anonymise_client(db, closed.client_id, actor="mdupuis", now=NOW)
    with db.read_session() as session:
        last = session.execute(
            sa.select(LifecycleEvent)
            .where(LifecycleEvent.client_id == closed.client_id)
            .order_by(LifecycleEvent.id.desc())
            .limit(1)
        ).scalar_one()
    assert (last.from_status, last.to_status, last.by, last.at, last.reason) == (
        "terminated",
        "anonymised",
        "mdupuis",
        NOW,
        "Données personnelles anonymisées (factures et avoirs conservés)",
    )


def test_an_active_client_is_refused(db: Database) -> None:
    active = client(db)
    with pytest.raises(UserError) as refused:
        anonymise_client(db, active.id, actor=ACTOR)
    assert refused.value.message == (
        f"Le client {active.code} est « Actif » : seul un client résilié, ou un prospect qui "
        "n'a jamais signé, peut être anonymisé."
    )
    assert one(db, Client, active.id).billing_email == "compta@acme.fr"


def test_a_terminated_client_still_owing_or_in_service_is_refused(db: Database) -> None:
    closed = closed_consumer(db, paid=False)
    with db.session_scope() as session:
        session.get(Contract, closed.contract_id).status = ContractStatus.ACTIVE
    with pytest.raises(UserError) as refused:
        anonymise_client(db, closed.client_id, actor=ACTOR)
    with db.read_session() as session:
        number, total = session.execute(
            sa.select(Invoice.number, Invoice.total_incl_vat).where(
                Invoice.client_id == closed.client_id
            )
        ).one()
    assert refused.value.message == (
        f"Le client {closed.code} ne peut pas être anonymisé : contrat(s) en cours "
        f"(C2026-00001) ; {french_money(total)} restent dus ({number}) : ses coordonnées "
        "servent au recouvrement (anonymisez après règlement ou avoir)."
    )
    assert one(db, Client, closed.client_id).name == "Jeanne Martin"


def test_a_prospect_that_accepted_a_quote_is_refused(db: Database) -> None:
    prospect = client(db, status=ClientStatus.PROSPECT)
    line = product_line(db)
    with db.session_scope() as session:
        session.add(
            Quote(
                client_id=prospect.id,
                product_line_id=line,
                number="D2026-00001",
                status=QuoteStatus.ACCEPTED,
                updated_by=ACTOR,
            )
        )
    with pytest.raises(UserError) as refused:
        anonymise_client(db, prospect.id, actor=ACTOR)
    assert refused.value.message == (
        f"Le client {prospect.code} ne peut pas être anonymisé : le prospect a accepté le "
        "devis D2026-00001."
    )


def test_a_support_account_may_not_anonymise(db: Database) -> None:
    closed = closed_consumer(db)
    with db.session_scope() as session:
        for login, role in (("admin", StaffRole.ADMIN), ("sophie", StaffRole.SUPPORT)):
            session.add(StaffUser(login=login, full_name=login, role=role, updated_by=ACTOR))
    with pytest.raises(PermissionDeniedError) as refused:
        anonymise_client(db, closed.client_id, actor="sophie")
    assert refused.value.message == (
        "Votre rôle « Support » ne permet pas d'anonymiser ou purger des données "
        "personnelles. Rien n'a été enregistré."
    )
    assert anonymise_client(db, closed.client_id, actor="admin").changed


# --- anonymising a mailbox --------------------------------------------------------------


def test_only_a_deleted_mailbox_is_anonymised(db: Database) -> None:
    closed = closed_consumer(db)
    with db.session_scope() as session:
        session.get(Mailbox, closed.mailbox_id).status = MailboxStatus.TERMINATED
    with pytest.raises(UserError) as refused:
        anonymise_mailbox(db, closed.mailbox_id, actor=ACTOR)
    assert refused.value.message == (
        "La boîte jeanne@martin-famille.fr est « Résiliée » : seule une boîte supprimée peut "
        "être anonymisée."
    )
    with db.session_scope() as session:
        session.get(Mailbox, closed.mailbox_id).status = MailboxStatus.DELETED
    done = anonymise_mailbox(db, closed.mailbox_id, actor=ACTOR, now=NOW)
    address = f"anonyme-{closed.mailbox_id}@martin-famille.fr"
    assert done.summary == (
        f"Boîte aux lettres anonymisée : {address} ; e-mails : 0 en attente supprimé(s), "
        "1 envoyé(s) vidé(s). Factures et avoirs conservés tels qu'émis."
    )
    box = one(db, Mailbox, closed.mailbox_id)
    assert (box.address, box.display_name, box.anonymised_at) == (address, None, NOW)
    assert one(db, Client, closed.client_id).name == "Jeanne Martin"  # the client stays
    before = table_rows(db, Mailbox, AuditLog)
    assert not anonymise_mailbox(db, closed.mailbox_id, actor=ACTOR).changed
    assert table_rows(db, Mailbox, AuditLog) == before


def test_mask_iban_keeps_the_country_and_last_four_digits() -> None:
    assert mask_iban(IBAN) == "FR*********************0189"
    assert mask_iban(mask_iban(IBAN)) == mask_iban(IBAN)


# --- retention settings -----------------------------------------------------------------


def test_retention_settings_are_saved_and_checked(db: Database) -> None:
    assert retention_settings(db) == DEFAULT_RETENTION
    store_provider(db)
    current = retention_settings(db)
    assert (current.prospect_months, current.client_months, current.mailbox_months) == (36, 36, 12)
    wanted = replace(current, prospect_months=24, client_months=60, mailbox_months=6)
    saved = save_retention_settings(db, wanted, expected_version=current.version, actor=ACTOR)
    assert (saved.prospect_months, saved.client_months, saved.mailbox_months) == (24, 60, 6)
    assert saved.version == current.version + 1
    with pytest.raises(ValidationError) as invalid:
        save_retention_settings(
            db,
            replace(saved, client_months=0, mailbox_months=241),
            expected_version=saved.version,
            actor=ACTOR,
        )
    assert invalid.value.errors == {
        "client_months": "Une durée de 1 à 240 mois est attendue.",
        "mailbox_months": "Une durée de 1 à 240 mois est attendue.",
    }
    with pytest.raises(ConflictError):
        save_retention_settings(db, wanted, expected_version=current.version, actor=ACTOR)
    assert retention_settings(db) == saved


# --- the purge --------------------------------------------------------------------------


def test_a_terminated_client_is_due_on_the_day_its_period_ends(db: Database) -> None:
    closed = closed_consumer(db, ended=date(2023, 3, 15))
    only_its_mailbox = ((PurgeKind.MAILBOX, closed.mailbox_id),)  # 12 months ran out in 2024
    assert plan_purge(db, date(2026, 3, 14)).keys == only_its_mailbox
    plan = plan_purge(db, date(2026, 3, 15))
    (item,) = plan.items  # the client's mailbox goes with it
    assert (item.kind, item.id, item.label) == (
        PurgeKind.CLIENT,
        closed.client_id,
        f"{closed.code} — Jeanne Martin",
    )
    assert (item.started_on, item.due_on) == (date(2023, 3, 15), date(2026, 3, 15))
    assert item.why == "client résilié le 15/03/2023 (conservation 36 mois)"


def test_the_last_end_of_the_relationship_starts_the_clock(db: Database) -> None:
    closed = closed_consumer(db, ended=date(2023, 3, 15))
    with db.session_scope() as session:
        session.get(Mailbox, closed.mailbox_id).deleted_on = date(2023, 5, 2)
    assert plan_purge(db, date(2026, 5, 1)).keys == ((PurgeKind.MAILBOX, closed.mailbox_id),)
    (item,) = plan_purge(db, date(2026, 5, 2)).items
    assert item.why == "client résilié le 02/05/2023 (conservation 36 mois)"


def test_a_deleted_mailbox_of_a_live_client_is_due_after_its_own_period(db: Database) -> None:
    closed = closed_consumer(db, ended=date(2025, 11, 22))
    with db.session_scope() as session:
        session.get(Client, closed.client_id).status = ClientStatus.ACTIVE
    assert plan_purge(db, date(2026, 11, 21)).items == ()
    (item,) = plan_purge(db, date(2026, 11, 22)).items
    assert (item.kind, item.id, item.label, item.due_on) == (
        PurgeKind.MAILBOX,
        closed.mailbox_id,
        "jeanne@martin-famille.fr",
        date(2026, 11, 22),
    )
    assert item.why == "boîte supprimée le 22/11/2025 (conservation 12 mois)"


def test_a_prospect_without_a_deal_is_due_after_its_last_change(db: Database) -> None:
    store_provider(db)
    idle = client(db, name="Dormant SARL", status=ClientStatus.PROSPECT)
    line = product_line(db)
    signed = client(db, name="Signé SA", status=ClientStatus.PROSPECT, code="CLSIGNE")
    contract(db, signed.id, line, number="C2026-00009", status=ContractStatus.PENDING)
    quoted = client(db, name="Relancé SAS", status=ClientStatus.PROSPECT, code="CLDEVIS")
    long_ago = datetime(2023, 1, 10, 12, tzinfo=UTC)
    with db.session_scope() as session:
        for client_id in (idle.id, signed.id, quoted.id):
            session.get(Client, client_id).updated_at = long_ago
        quote = Quote(client_id=quoted.id, product_line_id=line, status=QuoteStatus.REFUSED)
        session.add(quote)
        session.flush()
        quote.updated_at = datetime(2023, 6, 1, 12, tzinfo=UTC)
    assert plan_purge(db, date(2026, 1, 9)).items == ()
    plan = plan_purge(db, date(2026, 1, 10))
    assert [(i.kind, i.id, i.why) for i in plan.items] == [
        (
            PurgeKind.PROSPECT,
            idle.id,
            "prospect sans suite depuis le 10/01/2023 (conservation 36 mois)",
        )
    ]
    assert plan.held == ()
    assert [i.id for i in plan_purge(db, date(2026, 6, 1)).items] == [idle.id, quoted.id]
    report = run_purge(db, date(2026, 1, 10), actor=ACTOR, expected=plan, now=NOW)
    assert [(done.kind, done.label) for done in report.done] == [(PurgeKind.PROSPECT, idle.code)]
    anonymous = one(db, Client, idle.id)
    assert (anonymous.name, anonymous.billing_email, anonymous.status) == (
        "Dormant SARL",
        f"anonyme-{idle.id}@anonyme.invalid",
        ClientStatus.ANONYMISED,
    )
    assert one(db, Client, signed.id).status is ClientStatus.PROSPECT


def test_a_client_still_owing_is_held_with_why(db: Database) -> None:
    closed = closed_consumer(db, ended=date(2023, 3, 15), paid=False)
    plan = plan_purge(db, date(2026, 4, 1))
    assert plan.keys == ((PurgeKind.MAILBOX, closed.mailbox_id),)
    (held,) = plan.held
    with db.read_session() as session:
        number, total = session.execute(
            sa.select(Invoice.number, Invoice.total_incl_vat).where(
                Invoice.client_id == closed.client_id
            )
        ).one()
    assert (held.id, held.label) == (closed.client_id, f"{closed.code} — Jeanne Martin")
    assert held.why == (
        f"Le client {closed.code} ne peut pas être anonymisé : {french_money(total)} restent "
        f"dus ({number}) : ses coordonnées servent au recouvrement (anonymisez après règlement "
        "ou avoir)."
    )


def test_the_purge_anonymises_exactly_the_plan(db: Database) -> None:
    closed = closed_consumer(db, ended=date(2023, 3, 15))
    at = date(2026, 3, 15)
    plan = plan_purge(db, at)
    stale = replace(plan, items=())
    before = table_rows(db, Client, Mailbox)
    with pytest.raises(UserError) as changed:
        run_purge(db, at, actor=ACTOR, expected=stale)
    assert changed.value.message.startswith("La liste à anonymiser a changé depuis l'aperçu")
    assert table_rows(db, Client, Mailbox) == before
    report = run_purge(db, at, actor=ACTOR, expected=plan, now=NOW)
    assert [(done.kind, done.id, done.changed) for done in report.done] == [
        (PurgeKind.CLIENT, closed.client_id, True)
    ]
    assert one(db, Client, closed.client_id).status is ClientStatus.ANONYMISED
    assert one(db, Client, closed.other_id).status is ClientStatus.ACTIVE
    assert one(db, Mailbox, closed.mailbox_id).anonymised_at == NOW
    assert plan_purge(db, at).items == ()
    assert run_purge(db, at, actor=ACTOR).count == 0
