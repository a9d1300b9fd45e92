"""Logging in at start-up, once the database holds staff accounts.

:func:`sign_in` shows :class:`LoginDialog` (identifier and password; a refusal
or a lock in red in the dialog), then, when an administrator reset the
password, the forced :class:`PasswordDialog`. The identifier last used on this
desktop is offered again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.db.engine import Database
from desktop.errors import UserError
from desktop.services.staff import StaffAccount, authenticate, change_password
from desktop.settings import staff_name
from desktop.ui.dialogs.password_dialog import QUIT, PasswordDialog, password_edit
from desktop.ui.main_window import APP_TITLE
from desktop.ui.widgets.validated_form import ErrorLabel

Authenticate = Callable[[str, str], StaffAccount]
LAST_LOGIN_KEY = "login/last"


class LoginDialog(QDialog):
    """Identifier and password; :attr:`account` once accepted."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        authenticate: Authenticate,
        login: str = "",
        database: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Connexion — {APP_TITLE}")
        self.authenticate = authenticate
        self.account: StaffAccount | None = None

        title = QLabel(APP_TITLE)
        title.setStyleSheet("font-size: 17px; font-weight: 600;")
        hint = QLabel("Connectez-vous avec votre compte du personnel.")
        hint.setWordWrap(True)
        self.database = QLabel(f"Base de données : {database}")
        self.database.setWordWrap(True)
        self.database.setStyleSheet("color: palette(placeholder-text);")
        self.database.setVisible(bool(database))

        self.login = QLineEdit(login)
        self.login.setMaxLength(64)
        self.login.setMinimumWidth(280)
        self.password = password_edit()
        fields = QFormLayout()
        fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        fields.addRow("&Identifiant", self.login)
        fields.addRow("&Mot de passe", self.password)
        self.error = ErrorLabel(self)

        buttons = QDialogButtonBox(self)
        self.login_button = buttons.addButton(
            "Se connecter", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.quit_button = buttons.addButton(QUIT, QDialogButtonBox.ButtonRole.RejectRole)
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(self.try_login)
        self.quit_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.setContentsMargins(20, 18, 20, 14)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addLayout(fields)
        layout.addWidget(self.error)
        layout.addWidget(self.database)
        layout.addStretch(1)
        layout.addWidget(buttons)

        for edit in (self.login, self.password):
            edit.textChanged.connect(self._typed)
        self._typed()
        (self.password if login else self.login).setFocus(Qt.FocusReason.OtherFocusReason)

    def try_login(self) -> None:
        if not self.login_button.isEnabled():
            return
        try:
            self.account = self.authenticate(self.login.text(), self.password.text())
        except UserError as exc:
            self.error.set_message(exc.message)
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()

    def _typed(self) -> None:
        self.login_button.setEnabled(bool(self.login.text().strip() and self.password.text()))


def sign_in(db: Database, parent: QWidget | None = None) -> StaffAccount | None:
    """The account logged in; None when the user quit (the application then stops)."""
    settings = QSettings()
    last = settings.value(LAST_LOGIN_KEY, "")
    dialog = LoginDialog(
        parent,
        authenticate=lambda login, password: authenticate(db, login, password),
        login=last if isinstance(last, str) and last else staff_name(),
        database=db.description,
    )
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.account is None:
        return None
    account = dialog.account
    settings.setValue(LAST_LOGIN_KEY, account.login)
    if not account.must_change_password:
        return account
    forced = PasswordDialog(
        parent,
        login=account.login,
        change=lambda old, new: change_password(db, account.login, old, new),
        forced=True,
    )
    if forced.exec() != QDialog.DialogCode.Accepted:
        return None
    return replace(account, must_change_password=False)
