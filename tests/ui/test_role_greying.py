"""What a logged-in role may not do is greyed everywhere it is offered: the lists'
right-click menu, the record buttons, the mandates dialog and the invoice batch actions
(the services refuse it anyway: tests/services/test_role_matrix.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot
from window_helpers import WAIT, make_window, open_view, screenshot

from desktop.db.engine import Database
from desktop.db.models import Invoice, Mailbox
from desktop.domain.enums import InvoiceKind, InvoiceStatus, MailboxStatus, StaffRole
from desktop.domain.roles import Permission
from desktop.services.staff import add_staff, authenticate
from desktop.ui.dialogs import mandates_dialog
from desktop.ui.dialogs.mandates_dialog import MandatesDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.role_gate import RoleGate
from desktop.ui.tabs import invoice_batch
from desktop.ui.tabs.specs import RecordKind
from desktop.ui.views import invoice_actions as ia
from desktop.ui.views.base import RecordView
from desktop.ui.views.billing_override_actions import SHORTEN

pytestmark = pytest.mark.usefixtures("fresh_settings")

ACCOUNTS = {
    "alice": ("Alice Martin", StaffRole.ADMIN),
    "bob": ("Bob Durand", StaffRole.BILLING),
    "carole": ("Carole Petit", StaffRole.SUPPORT),
    "david": ("David Roux", StaffRole.READ_ONLY),
}
REFUSED = "Votre rôle « {} » ne le permet pas."
CLIENT_ID = 3  # Optique Martin, in the demo


def test_the_gate_allows_everything_until_a_role_is_set() -> None:
    gate = RoleGate()
    assert gate.allows(Permission.DELETE) and gate.may_write(RecordKind.CONTRACT)
    gate.role = StaffRole.SUPPORT
    assert gate.allows(Permission.CUSTOMERS) and gate.allows(None)
    assert not gate.allows((Permission.CUSTOMERS, Permission.DELETE))
    assert gate.may_write(RecordKind.MAILBOX) and not gate.may_write(RecordKind.QUOTE)
    assert gate.may_write(RecordKind.INVOICE)  # no edit form: nothing to grey
    assert gate.refusal == REFUSED.format("Support")


def window_as(qtbot: QtBot, db: Database, login: str) -> MainWindow:
    for name, (full_name, role) in ACCOUNTS.items():  # the administrator first
        add_staff(db, name, full_name, role, f"secret-{name}-42", actor="alice")
    window = make_window(qtbot, db)
    window.show_account(authenticate(db, login, f"secret-{login}-42"))
    return window


def menu_entries(window: MainWindow, kind: RecordKind, qtbot: QtBot) -> dict[str, bool]:
    """The right-click menu on the first row of ``kind``'s tab: caption → enabled."""
    panel = window.record_tabs[[t.spec.kind for t in window.record_tabs].index(kind)].panel
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=WAIT)
    menu = panel.context_menu(panel.model.index(0, 0))
    return {action.text(): action.isEnabled() for action in menu.actions() if action.text()}


def buttons(view: RecordView) -> dict[str, tuple[bool, str]]:
    """The record's action buttons: caption → (enabled, tooltip)."""
    found = view.action_bar.findChildren(QAbstractButton)
    return {b.text(): (b.isEnabled(), b.toolTip()) for b in found}


def first_id(db: Database, query: sa.Select[tuple[int]]) -> int:
    with db.read_session() as session:
        found = session.execute(query.limit(1)).scalar_one()
    return int(found)


def test_the_context_menu_follows_the_role(qtbot: QtBot, demo_db: Database) -> None:
    window = window_as(qtbot, demo_db, "carole")
    clients = menu_entries(window, RecordKind.CLIENT, qtbot)
    assert clients["Modifier…"] and clients["Nouveau…"] and clients["Ouvrir la fiche"]
    quotes = menu_entries(window, RecordKind.QUOTE, qtbot)
    assert quotes["Modifier…"] is False and quotes["Nouveau…"] is False
    assert quotes["Ouvrir la fiche"] and quotes["Actualiser"]


def test_the_invoice_buttons_follow_the_role(qtbot: QtBot, demo_db: Database) -> None:
    unpaid = first_id(
        demo_db,
        sa.select(Invoice.id).where(
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status.in_([InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_PAID]),
        ),
    )
    window = window_as(qtbot, demo_db, "carole")
    view = open_view(qtbot, window, RecordKind.INVOICE, unpaid)
    screenshot(qtbot, window, "role_support_invoice")
    shown = buttons(view)
    refused = REFUSED.format("Support")
    for caption in (ia.PAY, ia.CREDIT, ia.DISPUTE, ia.MAIL):
        assert shown[caption] == (False, refused), caption
    for caption in (ia.OPEN_PDF, ia.PRINT, ia.SAVE_PDF):
        assert shown[caption] == (True, ""), caption

    panel = window.invoice_batch.panel
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=WAIT)
    panel.table.selectRow(0)
    batch = window.invoice_batch
    assert not batch.issue_action.isEnabled() and not batch.mail_action.isEnabled()
    assert batch.issue_action.toolTip() == refused
    assert batch.save_action.isEnabled() and batch.print_action.isEnabled()
    assert invoice_batch.ISSUE == batch.issue_action.text()


def test_billing_may_collect_and_credit(qtbot: QtBot, demo_db: Database) -> None:
    unpaid = first_id(
        demo_db,
        sa.select(Invoice.id).where(
            Invoice.kind == InvoiceKind.INVOICE, Invoice.status == InvoiceStatus.ISSUED
        ),
    )
    window = window_as(qtbot, demo_db, "bob")
    shown = buttons(open_view(qtbot, window, RecordKind.INVOICE, unpaid))
    assert shown[ia.PAY] == (True, "") and shown[ia.MAIL] == (True, "")
    panel = window.invoice_batch.panel
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=WAIT)
    panel.table.selectRow(0)
    assert window.invoice_batch.issue_action.isEnabled()


def test_the_client_record_follows_the_role(qtbot: QtBot, demo_db: Database) -> None:
    window = window_as(qtbot, demo_db, "bob")
    view = open_view(qtbot, window, RecordKind.CLIENT, CLIENT_ID)
    refused = REFUSED.format("Facturation")
    assert not view.edit_button.isEnabled() and view.edit_button.toolTip() == refused
    assert not window.edit_action.isEnabled()
    shown = buttons(view)
    assert shown["Nouveau contrat…"] == (True, "")
    assert shown["Nouveau domaine…"] == (False, refused)
    assert shown["Nouvelle boîte aux lettres…"] == (False, refused)
    assert shown["Nouvelle notification de panne…"] == (False, refused)
    assert shown["Mandats SEPA…"] == (True, "")  # to read and print them
    assert shown["Inventaire des boîtes…"] == (True, "")
    codes = view.access_codes  # type: ignore[attr-defined]
    assert not codes.issue_button.isEnabled() and codes.issue_button.toolTip() == refused

    view.button("Mandats SEPA…").click()  # type: ignore[union-attr]
    dialog = view.dialog
    assert isinstance(dialog, MandatesDialog)
    assert dialog.new_button.isEnabled() and dialog.new_button.text() == mandates_dialog.NEW


def test_read_only_may_look_at_mandates_but_not_add_one(qtbot: QtBot, demo_db: Database) -> None:
    window = window_as(qtbot, demo_db, "david")
    view = open_view(qtbot, window, RecordKind.CLIENT, CLIENT_ID)
    assert all(
        not enabled
        for caption, (enabled, _tip) in buttons(view).items()
        if caption.startswith("Nouv")
    )
    view.button("Mandats SEPA…").click()  # type: ignore[union-attr]
    dialog = view.dialog
    assert isinstance(dialog, MandatesDialog)
    refused = REFUSED.format("Lecture")
    assert not dialog.new_button.isEnabled() and dialog.new_button.toolTip() == refused
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=WAIT)
    dialog.table.selectRow(0)
    assert not dialog.revoke_button.isEnabled()
    assert dialog.print_button.isEnabled()


def test_only_the_administrator_may_delete_a_mailbox(qtbot: QtBot, demo_db: Database) -> None:
    terminated = first_id(
        demo_db, sa.select(Mailbox.id).where(Mailbox.status == MailboxStatus.TERMINATED)
    )
    window = window_as(qtbot, demo_db, "carole")
    shown = buttons(open_view(qtbot, window, RecordKind.MAILBOX, terminated))
    refused = REFUSED.format("Support")
    assert shown["Supprimer les données…"] == (False, refused)
    assert shown[SHORTEN] == (False, refused)  # billing's
    assert set(shown) == {"Supprimer les données…", SHORTEN}
    active = first_id(demo_db, sa.select(Mailbox.id).where(Mailbox.status == MailboxStatus.ACTIVE))
    moves = buttons(open_view(qtbot, window, RecordKind.MAILBOX, active))
    assert moves["Suspendre…"] == moves["Résilier…"] == (True, "")  # support's own moves
    assert moves[SHORTEN] == (False, refused)


def test_the_administrator_sees_everything_enabled(qtbot: QtBot, demo_db: Database) -> None:
    terminated = first_id(
        demo_db, sa.select(Mailbox.id).where(Mailbox.status == MailboxStatus.TERMINATED)
    )
    window = window_as(qtbot, demo_db, "alice")
    shown = buttons(open_view(qtbot, window, RecordKind.MAILBOX, terminated))
    assert shown["Supprimer les données…"] == (True, "")
    quotes = menu_entries(window, RecordKind.QUOTE, qtbot)
    assert quotes["Modifier…"] and quotes["Nouveau…"]
