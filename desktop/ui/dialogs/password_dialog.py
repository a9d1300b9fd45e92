"""Choosing a password: one's own (current, new, confirmation) or another's, as administrator.

The new password is checked while it is typed against the service's own
policy (:func:`desktop.domain.staff_accounts.password_problem`), the confirmation
against the new one; a refusal of the service (a wrong current password) goes
under its field. Forced after an administrator's reset, the dialog can only
be left by changing the password or by quitting the application.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.db.engine import Database
from desktop.domain.errors import InvalidValue
from desktop.domain.staff_accounts import password_problem
from desktop.services.staff import change_password
from desktop.ui.widgets.record_dialog import RecordDialog
from desktop.ui.widgets.validated_form import ValidatedForm, Validator, required

Change = Callable[[str, str], object]
"""Writes the change given (current password, new password); raises the service's errors."""

QUIT = "Quitter"


def password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMinimumWidth(260)
    return edit


def new_password_validator(login: Callable[[], str]) -> Validator:
    """The service's password policy, for the login ``login()`` returns."""

    def validate(text: str) -> str:
        if not text:
            raise InvalidValue("Choisissez le nouveau mot de passe.")
        problem = password_problem(login(), text)
        if problem is not None:
            raise InvalidValue(problem)
        return text

    return validate


def confirmation_validator(new_password: QLineEdit) -> Validator:
    def validate(text: str) -> str:
        if text != new_password.text():
            raise InvalidValue("Les deux saisies diffèrent.")
        return text

    return validate


def add_new_password_rows(
    form: ValidatedForm,
    layout: QFormLayout,
    login: Callable[[], str],
    *,
    key: str,
    label: str = "Nouveau mot de passe",
) -> tuple[QLineEdit, QLineEdit]:
    """The new password and its confirmation, as two rows of ``layout``."""
    new = password_edit()
    confirmation = password_edit()
    form.add_row(layout, label, form.add(key, new, new_password_validator(login), title=label))
    form.add_row(
        layout,
        "Confirmation",
        form.add(
            "confirmation",
            confirmation,
            confirmation_validator(new),
            title="Confirmation",
        ),
    )
    return new, confirmation


class PasswordDialog(RecordDialog):
    """A new password for ``login``: with the current one (``ask_current``) or without."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        login: str,
        change: Change,
        ask_current: bool = True,
        forced: bool = False,
        title: str = "Changer de mot de passe",
        intro: str = "",
    ) -> None:
        super().__init__(parent, title=title)
        self.login = login
        self.change = change
        layout = QVBoxLayout(self.body)
        if forced:
            intro = (
                "Votre mot de passe a été réinitialisé par un administrateur : "
                "choisissez-en un nouveau pour continuer."
            )
            self.cancel_button.setText(QUIT)
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.intro.setVisible(bool(intro))
        layout.addWidget(self.intro)
        fields = QFormLayout()
        fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.current: QLineEdit | None = None
        if ask_current:
            self.current = password_edit()
            self.form.add_row(
                fields,
                "Mot de passe actuel",
                self.form.add(
                    "old_password",
                    self.current,
                    required("Indiquez votre mot de passe actuel."),
                    title="Mot de passe actuel",
                ),
            )
        self.new, self.confirmation = add_new_password_rows(
            self.form, fields, lambda: self.login, key="new_password"
        )
        layout.addLayout(fields)
        layout.addStretch(1)
        self.save_button.setText("Changer le mot de passe")
        self.form.reset()
        self.resize(560, 330 if ask_current else 280)
        (self.current or self.new).setFocus()

    def build_draft(self) -> tuple[str, str]:
        current = self.current.text() if self.current is not None else ""
        return current, self.new.text()

    def write(self, draft: tuple[str, str]) -> object:
        return self.change(*draft)


def change_own_password(
    parent: QWidget, db: Database, login: str, notify: Callable[[str], None]
) -> PasswordDialog:
    """« Fichier > Changer de mot de passe… »: modal to ``parent``; ``notify`` once changed."""
    dialog = PasswordDialog(
        parent, login=login, change=lambda old, new: change_password(db, login, old, new)
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.accepted.connect(lambda: notify("Mot de passe changé."))
    dialog.open()
    return dialog
