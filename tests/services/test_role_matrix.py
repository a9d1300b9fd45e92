"""Every write service × every role: who may do what, enforced by the services themselves.

The matrices below are written out literally: changing what a role may do, or
what a service needs, means changing this file on purpose. A new public
service taking an ``actor`` fails the completeness test until it is guarded
(or listed, with a reason, as read-only or as an internal building block).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

import desktop.services
from desktop.db.engine import Database
from desktop.db.models import Client, Invoice, Mailbox, OutboxMessage, Payment, StaffUser
from desktop.domain.enums import InvoiceKind, MailboxStatus, PaymentMethod, StaffRole
from desktop.domain.roles import ROLE_PERMISSIONS, Permission
from desktop.errors import PermissionDeniedError
from desktop.services.access import GUARDED, Guarded
from desktop.services.clients import create_client
from desktop.services.credit_notes import create_credit_note
from desktop.services.lifecycle import change_mailbox_status
from desktop.services.mailboxes import create_mailbox, get_mailbox
from desktop.services.payments import record_payment
from desktop.ui.invoice_mailing import mail_work
from tests.services.factories import OTHER_SIREN, business_draft, mailbox_draft, world
from tests.services.invoice_helpers import billing_setup, issued_invoice

P = Permission
R = StaffRole
DAY = date(2026, 3, 2)

EXPECTED_ROLE_PERMISSIONS: dict[StaffRole, set[Permission]] = {
    R.ADMIN: {
        P.CUSTOMERS,
        P.INCIDENTS,
        P.CONTRACTS,
        P.BILLING,
        P.PAYMENTS,
        P.CREDIT_NOTES,
        P.SEPA,
        P.DUNNING,
        P.DELETE,
        P.SETTINGS,
        P.USERS,
        P.AUDIT,
        P.PERSONAL_DATA,
    },
    R.BILLING: {P.CONTRACTS, P.BILLING, P.PAYMENTS, P.CREDIT_NOTES, P.SEPA, P.DUNNING},
    R.SUPPORT: {P.CUSTOMERS, P.INCIDENTS},
    R.READ_ONLY: set(),
}

# Every guarded service (module under desktop.services, function) and what it needs.
EXPECTED_SERVICES: dict[str, Permission] = {
    "access_codes.issue_access_code": P.CUSTOMERS,
    "access_codes.replace_lost_code": P.CUSTOMERS,
    "activation.activate_contract": P.CONTRACTS,
    # Reading the audit trail is itself restricted.
    "audit.audit_export": P.AUDIT,
    "audit.audit_users": P.AUDIT,
    "audit.list_audit": P.AUDIT,
    "billing_override.shorten_billing": P.BILLING,
    "billing_run.run_billing": P.BILLING,
    "catalogue.add_price": P.SETTINGS,
    "catalogue.create_option": P.SETTINGS,
    "catalogue.create_plan": P.SETTINGS,
    "catalogue.set_active": P.SETTINGS,
    "catalogue.set_vat_rate": P.SETTINGS,
    "clients.create_client": P.CUSTOMERS,
    "clients.update_client": P.CUSTOMERS,
    # Opening the requested mailboxes of a contract: what support may do box by box.
    "contract_actions.activate_requested_mailboxes": P.CUSTOMERS,
    "contract_actions.attach_signed_scan": P.CONTRACTS,
    "contract_actions.request_contract_termination": P.CONTRACTS,
    "contract_actions.withdraw_contract_termination": P.CONTRACTS,
    "contracts.create_contract": P.CONTRACTS,
    "contracts.update_contract": P.CONTRACTS,
    "credit_notes.create_credit_note": P.CREDIT_NOTES,
    "credit_notes.credit_invoice": P.CREDIT_NOTES,
    "dns_settings.save_dns_settings": P.SETTINGS,
    "domains.certify_admin": P.CUSTOMERS,
    "domains.create_domain": P.CUSTOMERS,
    "domains.set_antispam": P.CUSTOMERS,
    "domains.update_domain": P.CUSTOMERS,
    "dunning.run_dunning": P.DUNNING,
    "importing.import_file": P.CUSTOMERS,  # clients, domains and mailboxes only
    "incidents.close_incident": P.INCIDENTS,
    "incidents.create_incident": P.INCIDENTS,
    "incidents.reopen_incident": P.INCIDENTS,
    "incidents.update_incident": P.INCIDENTS,
    "invoice_mail.queue_invoice_mails": P.BILLING,
    "issuing.issue_drafts": P.BILLING,
    # Suspend, restore, terminate: CUSTOMERS; to « Supprimée » it also checks DELETE.
    "lifecycle.change_mailbox_status": P.CUSTOMERS,
    "mailboxes.create_mailbox": P.CUSTOMERS,
    "mailboxes.update_mailbox": P.CUSTOMERS,
    "mandates.create_mandate": P.SEPA,
    "mandates.lapse_unused_mandates": P.SEPA,
    "mandates.revoke_mandate": P.SEPA,
    "outbox.retry_failed": P.BILLING,  # the outbox holds invoices, quotes and reminders
    "payments.record_dispute": P.PAYMENTS,
    "payments.record_payment": P.PAYMENTS,
    "personal_data.anonymise_client": P.PERSONAL_DATA,
    "personal_data.anonymise_mailbox": P.PERSONAL_DATA,
    "personal_data.run_purge": P.PERSONAL_DATA,
    "personal_data.save_retention_settings": P.PERSONAL_DATA,
    "provider.save_provider": P.SETTINGS,
    "quotes.accept_quote": P.CONTRACTS,
    "quotes.create_quote": P.CONTRACTS,
    "quotes.expire_quotes": P.CONTRACTS,
    "quotes.refuse_quote": P.CONTRACTS,
    "quotes.send_quote": P.CONTRACTS,
    "quotes.update_quote": P.CONTRACTS,
    "renewals.run_renewals": P.CONTRACTS,
    "sepa_batches.import_returns": P.SEPA,
    "sepa_batches.mark_batch_collected": P.SEPA,
    "sepa_export.export_pain008": P.SEPA,
    "sepa_export.mark_collected": P.SEPA,
    "sepa_export.record_rejection": P.SEPA,
    "sla.grant_credit": P.CREDIT_NOTES,
    "sla.save_sla_settings": P.SETTINGS,
    "staff.add_staff": P.USERS,
    "staff.reset_password": P.USERS,
    "staff.set_active": P.USERS,
    "staff.set_role": P.USERS,
    "staff.unlock": P.USERS,
}

# Public functions taking an ``actor`` that need no guard, each with its reason.
UNGUARDED = {
    "termination.simulate_termination",  # computes a fee, writes nothing
    # Calls the guarded expire_quotes and lapse_unused_mandates, skipping what the role
    # may not (tests/services/test_upkeep.py).
    "upkeep.run_upkeep",
}
BUILDING_BLOCKS = {  # take a Session: only called inside a guarded service's transaction
    "access_codes.record_code",
    "events.log_event",
    "importing.apply.add_clients",
    "importing.apply.add_domains",
    "importing.apply.add_mailboxes",
    "issuing.issue_invoices",
    "lifecycle.move_mailbox",
    "payments.settle",
    "personal_data.forget_contacts",
    "quotes.carry_prices",
    "sepa_export.reject_debit",
}

LOGINS = {R.ADMIN: "admin", R.BILLING: "compta", R.SUPPORT: "hotline", R.READ_ONLY: "stagiaire"}
PREFIX = "desktop.services."


def service_modules() -> Iterator[str]:
    """Every module of desktop.services but the demo data generator, imported."""
    for info in pkgutil.walk_packages(desktop.services.__path__, PREFIX):
        if not info.name.startswith(f"{PREFIX}demo"):
            importlib.import_module(info.name)
            yield info.name


def guarded_services() -> dict[str, Guarded]:
    list(service_modules())
    return {name[len(PREFIX) :]: g for name, g in GUARDED.items() if name.startswith(PREFIX)}


def add_account(db: Database, login: str, role: StaffRole, *, active: bool = True) -> None:
    with db.session_scope() as session:
        session.add(
            StaffUser(login=login, full_name=login.title(), role=role, active=active, version=1)
        )


def add_accounts(db: Database) -> None:
    """One active account per role: logins are in use."""
    for role, login in LOGINS.items():
        add_account(db, login, role)


def count(db: Database, query: sa.Select[Any]) -> int:
    with db.read_session() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0)


def denial(call: Callable[[], object]) -> PermissionDeniedError | None:
    """The refusal of ``call``, or None when the guard let it through."""
    try:
        call()
    except PermissionDeniedError as refused:
        return refused
    except Exception:  # past the guard, the service itself rejects the dummy arguments
        return None
    return None


# --- the matrices ------------------------------------------------------------------------


def test_the_role_matrix_is_the_agreed_one() -> None:
    assert {role: set(granted) for role, granted in ROLE_PERMISSIONS.items()} == (
        EXPECTED_ROLE_PERMISSIONS
    )


def test_every_write_service_needs_the_agreed_permission() -> None:
    found = {name: guarded.permission for name, guarded in guarded_services().items()}
    assert found == EXPECTED_SERVICES


def test_every_public_service_with_an_actor_is_guarded_or_listed() -> None:
    with_actor = set()
    for module_name in service_modules():
        if module_name == f"{PREFIX}access":
            continue
        module = importlib.import_module(module_name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            defined_here = function.__module__ == module_name
            if defined_here and not name.startswith("_"):
                if "actor" in inspect.signature(function).parameters:
                    with_actor.add(f"{module_name[len(PREFIX) :]}.{name}")
    assert with_actor - set(guarded_services()) == UNGUARDED | BUILDING_BLOCKS


@pytest.mark.parametrize("role", list(StaffRole), ids=lambda role: role.value)
def test_each_role_passes_exactly_the_guards_of_its_permissions(
    db: Database, role: StaffRole
) -> None:
    """Dummy arguments: a refusal comes before any work, an allowed call fails later."""
    add_accounts(db)
    login = LOGINS[role]
    refused: dict[str, str] = {}
    for name, guarded in guarded_services().items():
        outcome = denial(functools.partial(guarded.function, db, actor=login))
        if outcome is not None:
            refused[name] = str(outcome)
    granted = EXPECTED_ROLE_PERMISSIONS[role]
    assert set(refused) == {
        name for name, needs in EXPECTED_SERVICES.items() if needs not in granted
    }
    for name, message in refused.items():
        assert message.startswith(f"Votre rôle « {role.label} » ne permet pas d")
        assert message.endswith(f"{EXPECTED_SERVICES[name].label}. Rien n'a été enregistré.")


# --- real cases --------------------------------------------------------------------------


def test_support_cannot_issue_a_credit_note(db: Database) -> None:
    invoice_id, _ = issued_invoice(db, billing_setup(db), on=DAY)
    add_accounts(db)

    def credit(login: str) -> str:
        return create_credit_note(
            db, invoice_id, lines=None, reason="Geste commercial", actor=login, today=DAY
        )

    with pytest.raises(PermissionDeniedError) as refused:
        credit("hotline")
    assert str(refused.value) == (
        "Votre rôle « Support » ne permet pas d'établir des avoirs. Rien n'a été enregistré."
    )
    notes = sa.select(Invoice).where(Invoice.kind == InvoiceKind.CREDIT_NOTE)
    assert count(db, notes) == 0
    assert credit("compta") == "AV2026-000001"
    assert count(db, notes) == 1


def test_support_cannot_mail_invoices_and_is_told_before_any_pdf(db: Database) -> None:
    invoice_id, _ = issued_invoice(db, billing_setup(db), on=DAY)
    add_accounts(db)
    steps: list[str] = []
    work = mail_work(db, [invoice_id], "hotline")
    with pytest.raises(PermissionDeniedError, match="« Support » ne permet pas de facturer"):
        work(lambda text, *_counts: steps.append(text))
    assert steps == []
    assert count(db, sa.select(OutboxMessage)) == 0


def test_read_only_cannot_create_a_client(db: Database) -> None:
    add_accounts(db)
    with pytest.raises(PermissionDeniedError, match="« Lecture » ne permet pas de modifier"):
        create_client(db, business_draft(), actor="stagiaire")
    assert count(db, sa.select(Client)) == 0


def test_billing_records_a_payment(db: Database) -> None:
    invoice_id, _ = issued_invoice(db, billing_setup(db), on=DAY)
    add_accounts(db)
    record_payment(
        db,
        invoice_id,
        paid_on=DAY,
        amount=Decimal("110.41"),
        method=PaymentMethod.TRANSFER,
        reference="VIR ACME",
        actor="compta",
    )
    with db.read_session() as session:
        payment = session.scalars(sa.select(Payment)).one()
        assert (payment.invoice_id, payment.amount) == (invoice_id, Decimal("110.41"))


def test_support_creates_and_terminates_a_mailbox_but_cannot_delete_it(db: Database) -> None:
    w = world(db)
    add_accounts(db)
    box = create_mailbox(db, mailbox_draft(w, "jean"), actor="hotline")

    def move(target: MailboxStatus, login: str) -> MailboxStatus:
        version = get_mailbox(db, box.id).version
        return change_mailbox_status(
            db,
            box.id,
            target,
            reason="Départ du salarié",
            expected_version=version,
            actor=login,
            backup_confirmed=True,
        ).status

    assert move(MailboxStatus.TERMINATED, "hotline") is MailboxStatus.TERMINATED
    with pytest.raises(PermissionDeniedError) as refused:
        move(MailboxStatus.DELETED, "hotline")
    assert str(refused.value) == (
        "Votre rôle « Support » ne permet pas de supprimer des enregistrements. "
        "Rien n'a été enregistré."
    )
    with db.read_session() as session:
        row = session.get(Mailbox, box.id)
        assert row is not None and (row.status, row.deleted_on) == (MailboxStatus.TERMINATED, None)
    assert move(MailboxStatus.DELETED, "admin") is MailboxStatus.DELETED


def test_without_an_administrator_account_everything_is_allowed(db: Database) -> None:
    # Fresh database, then only non-administrator or deactivated accounts: not in use yet.
    invoice_id, _ = issued_invoice(db, billing_setup(db), on=DAY)
    add_account(db, "stagiaire", R.READ_ONLY)
    add_account(db, "ancien", R.ADMIN, active=False)
    create_client(db, business_draft(name="Beta", siren=OTHER_SIREN), actor="n'importe qui")
    note = create_credit_note(
        db, invoice_id, lines=None, reason="Erreur", actor="stagiaire", today=DAY
    )
    assert note == "AV2026-000001"
    assert count(db, sa.select(Client)) == 2


@pytest.mark.parametrize("login", ["inconnu", "parti"], ids=["unknown", "deactivated"])
def test_an_unknown_or_deactivated_login_is_refused(db: Database, login: str) -> None:
    add_accounts(db)
    add_account(db, "parti", R.ADMIN, active=False)
    with pytest.raises(PermissionDeniedError) as refused:
        create_client(db, business_draft(), actor=login)
    assert str(refused.value) == (
        f"Le compte « {login} » est inconnu ou désactivé : reconnectez-vous. "
        "Rien n'a été enregistré."
    )
    assert count(db, sa.select(Client)) == 0
