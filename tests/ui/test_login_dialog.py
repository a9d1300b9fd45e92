"""Logging in at start-up and changing one's password, as a user types them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot
from window_helpers import make_window

from desktop.db.engine import Database
from desktop.domain.clock import PARIS
from desktop.domain.enums import StaffRole
from desktop.services.staff import (
    REFUSED,
    LoginRefusedError,
    StaffAccount,
    add_staff,
    authenticate,
    list_staff,
    reset_password,
)
from desktop.ui.dialogs.login_dialog import LoginDialog, sign_in
from desktop.ui.dialogs.password_dialog import PasswordDialog
from desktop.ui.widgets.validated_form import ERROR_COLOR

PASSWORD = "motdepasse-alice"
W = TypeVar("W", bound=QWidget)


@pytest.fixture
def accounts(sqlite_db: Database) -> Database:
    add_staff(sqlite_db, "alice", "Alice Martin", StaffRole.ADMIN, PASSWORD, actor="poste")
    add_staff(sqlite_db, "bob", "Bob Durand", StaffRole.BILLING, "motdepasse-bob", actor="alice")
    return sqlite_db


def login_dialog(qtbot: QtBot, db: Database, login: str = "") -> LoginDialog:
    dialog = LoginDialog(
        None,
        authenticate=lambda name, password: authenticate(db, name, password),
        login=login,
        database=db.description,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def attempt(qtbot: QtBot, dialog: LoginDialog, login: str, password: str) -> None:
    dialog.login.setText(login)
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, password)
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)


def shown_error(dialog: LoginDialog) -> str:
    return dialog.error.text() if dialog.error.isVisible() else ""


def test_a_wrong_password_is_shown_in_red_in_the_dialog(qtbot: QtBot, accounts: Database) -> None:
    dialog = login_dialog(qtbot, accounts, "alice")
    assert dialog.password.hasFocus() or dialog.focusWidget() is dialog.password

    attempt(qtbot, dialog, "alice", "not the password")

    assert shown_error(dialog) == REFUSED
    assert ERROR_COLOR in dialog.error.styleSheet()
    assert dialog.password.text() == ""
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
    attempt(qtbot, dialog, "nobody", PASSWORD)
    assert shown_error(dialog) == REFUSED


def test_the_lock_is_told_with_its_end(qtbot: QtBot, accounts: Database) -> None:
    dialog = login_dialog(qtbot, accounts)
    for _ in range(5):
        attempt(qtbot, dialog, "bob", "wrong password")
    until = list_staff(accounts)[1].locked_until
    assert until is not None
    locked = (
        "Compte verrouillé après 5 essais infructueux : "
        f"réessayez après {until.astimezone(PARIS):%H:%M}."
    )
    assert shown_error(dialog) == locked
    attempt(qtbot, dialog, "bob", "motdepasse-bob")
    assert shown_error(dialog) == locked


def test_the_right_password_logs_in(qtbot: QtBot, accounts: Database) -> None:
    dialog = login_dialog(qtbot, accounts)
    assert not dialog.login_button.isEnabled()
    dialog.login.setText("alice")
    assert not dialog.login_button.isEnabled()  # a password is needed too
    attempt(qtbot, dialog, "Alice", PASSWORD)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.account == StaffAccount("alice", "Alice Martin", StaffRole.ADMIN, False)


def test_quit_leaves_without_an_account(qtbot: QtBot, accounts: Database) -> None:
    dialog = login_dialog(qtbot, accounts)
    assert dialog.quit_button.text() == "Quitter"
    qtbot.mouseClick(dialog.quit_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected and dialog.account is None


def test_the_login_dialog_picture(qtbot: QtBot, accounts: Database, tmp_path: Path) -> None:
    dialog = login_dialog(qtbot, accounts, "alice")
    attempt(qtbot, dialog, "alice", "wrong")
    size = dialog.size()
    assert 320 <= size.width() <= 700 and size.height() <= 400
    assert dialog.grab().save(str(tmp_path / "login.png"))


# --- the password dialog ----------------------------------------------------------------


def password_dialog(qtbot: QtBot, db: Database, login: str, **options: Any) -> PasswordDialog:
    from desktop.services.staff import change_password

    dialog = PasswordDialog(
        None, login=login, change=lambda old, new: change_password(db, login, old, new), **options
    )
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def field_message(dialog: PasswordDialog, key: str) -> str:
    label = dialog.form.fields[key].label
    assert label is not None
    return label.text() if label.isVisible() else ""


def test_the_new_password_is_checked_while_typed(qtbot: QtBot, accounts: Database) -> None:
    dialog = password_dialog(qtbot, accounts, "alice")
    assert dialog.current is not None
    qtbot.keyClicks(dialog.current, PASSWORD)
    qtbot.keyClicks(dialog.new, "short")
    assert field_message(dialog, "new_password") == "10 caractères au moins (5 saisis)."
    dialog.new.setText("Alice")
    assert field_message(dialog, "new_password") == "10 caractères au moins (5 saisis)."
    dialog.new.setText("a brand new one")
    assert field_message(dialog, "new_password") == ""
    qtbot.keyClicks(dialog.confirmation, "a brand new")
    assert field_message(dialog, "confirmation") == "Les deux saisies diffèrent."
    assert not dialog.save_button.isEnabled()
    qtbot.keyClicks(dialog.confirmation, " one")
    assert field_message(dialog, "confirmation") == ""
    assert dialog.save_button.isEnabled()


def test_a_wrong_current_password_is_shown_under_its_field(
    qtbot: QtBot, accounts: Database
) -> None:
    dialog = password_dialog(qtbot, accounts, "alice")
    assert dialog.current is not None
    qtbot.keyClicks(dialog.current, "not my password")
    for edit in (dialog.new, dialog.confirmation):
        qtbot.keyClicks(edit, "a brand new one")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert field_message(dialog, "old_password") == "Ce n'est pas votre mot de passe actuel."
    assert dialog.isVisible()

    dialog.current.setText(PASSWORD)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert authenticate(accounts, "alice", "a brand new one").login == "alice"


# --- sign_in: the start-up sequence -----------------------------------------------------


def when_shown(kind: type[W], act: Callable[[W], None]) -> None:
    """Run ``act`` on the next modal dialog of ``kind`` once it is shown."""

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if not isinstance(widget, kind):
            QTimer.singleShot(10, poll)
            return
        act(widget)

    QTimer.singleShot(0, poll)


def log_in_as(login: str, password: str, then: Callable[[], None] = lambda: None) -> None:
    def act(dialog: LoginDialog) -> None:
        dialog.login.setText(login)
        dialog.password.setText(password)
        then()
        dialog.login_button.click()

    when_shown(LoginDialog, act)


def test_sign_in_offers_the_last_login(
    qtbot: QtBot, accounts: Database, fresh_settings: None
) -> None:
    log_in_as("bob", "motdepasse-bob")
    assert sign_in(accounts) == StaffAccount("bob", "Bob Durand", StaffRole.BILLING, False)

    offered: list[str] = []
    when_shown(LoginDialog, lambda dialog: (offered.append(dialog.login.text()), dialog.reject()))
    assert sign_in(accounts) is None
    assert offered == ["bob"]


def test_a_reset_password_is_changed_right_after_login(
    qtbot: QtBot, accounts: Database, fresh_settings: None
) -> None:
    reset_password(accounts, "bob", "provisoire-42", actor="alice")
    seen: list[str] = []

    def change(dialog: PasswordDialog) -> None:
        seen.append(dialog.intro.text())
        seen.append(dialog.cancel_button.text())
        assert dialog.current is not None
        dialog.current.setText("provisoire-42")
        dialog.new.setText("mon nouveau secret")
        dialog.confirmation.setText("mon nouveau secret")
        dialog.save_button.click()

    log_in_as("bob", "provisoire-42", then=lambda: when_shown(PasswordDialog, change))
    account = sign_in(accounts)

    assert account == StaffAccount("bob", "Bob Durand", StaffRole.BILLING, False)
    assert seen == [
        "Votre mot de passe a été réinitialisé par un administrateur : "
        "choisissez-en un nouveau pour continuer.",
        "Quitter",
    ]
    assert authenticate(accounts, "bob", "mon nouveau secret").must_change_password is False
    with pytest.raises(LoginRefusedError):
        authenticate(accounts, "bob", "provisoire-42")


def test_the_forced_change_cannot_be_skipped(
    qtbot: QtBot, accounts: Database, fresh_settings: None
) -> None:
    reset_password(accounts, "bob", "provisoire-42", actor="alice")
    log_in_as(
        "bob",
        "provisoire-42",
        then=lambda: when_shown(PasswordDialog, lambda dialog: dialog.cancel_button.click()),
    )
    assert sign_in(accounts) is None
    assert authenticate(accounts, "bob", "provisoire-42").must_change_password is True


# --- the main window --------------------------------------------------------------------


def test_the_window_shows_who_is_logged_in(
    qtbot: QtBot, accounts: Database, fresh_settings: None
) -> None:
    window = make_window(qtbot, accounts)
    assert not window.password_action.isEnabled()
    assert window.account_label.text() == ""
    window.show_account(authenticate(accounts, "bob", "motdepasse-bob"))
    assert window.account_label.text() == "Connecté : Bob Durand (Facturation)"
    assert window.password_action.isEnabled()
    file_menu = window.menuBar().actions()[0].menu()
    texts = [action.text() for action in file_menu.actions()]  # type: ignore[union-attr]
    assert "Changer de mot de &passe…" in texts and "Comptes du pe&rsonnel…" in texts

    dialog = window.change_password()
    assert isinstance(dialog, PasswordDialog) and dialog.login == "bob"
    assert dialog.current is not None
    dialog.current.setText("motdepasse-bob")
    dialog.new.setText("encore un autre")
    dialog.confirmation.setText("encore un autre")
    dialog.save_button.click()
    assert window.statusBar().currentMessage() == "Mot de passe changé."
    assert authenticate(accounts, "bob", "encore un autre").login == "bob"


def test_the_menus_a_role_may_not_use_are_greyed(
    qtbot: QtBot, accounts: Database, fresh_settings: None
) -> None:
    window = make_window(qtbot, accounts)
    window.show_account(authenticate(accounts, "bob", "motdepasse-bob"))
    greyed = {
        action.text()
        for action in (
            window.staff_action,
            window.audit_action,
            window.personal_data_action,
            window.settings_action,
            window.catalogue_action,
            window.import_action,
            window.billing_action,
            window.sepa_action,
        )
        if not action.isEnabled()
    }
    assert greyed == {
        "Comptes du pe&rsonnel…",
        "&Journal d'audit…",
        "D&onnées personnelles…",
        "&Paramètres…",
        "&Catalogue et tarifs…",
        "&Importer des clients, domaines ou boîtes…",
    }
    assert window.staff_action.toolTip() == "Votre rôle « Facturation » ne le permet pas."
    # « Nouveau » follows the tab: no new client for billing, a new quote yes.
    window.show_tab(0)
    assert not window.new_action.isEnabled()
    window.show_tab(5)
    assert window.new_action.isEnabled()
