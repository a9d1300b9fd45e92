"""« Fichier > Comptes du personnel… »: the staff accounts, managed by an administrator.

The table shows each account's role, state (active, disabled, locked until
when, password to change) and last login. An administrator adds an account,
changes a role, resets a password, disables or enables an account and lifts a
lock; a refusal of the service (the last administrator, a stale list) is shown
in red under the table. While the database has no account yet, anyone may
create the first one — an administrator — from here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.db.engine import Database
from desktop.domain.clock import PARIS
from desktop.domain.emails import normalize_email
from desktop.domain.enums import StaffRole
from desktop.domain.errors import InvalidValue, ValidationError
from desktop.domain.roles import Permission, allows
from desktop.domain.staff_accounts import LOCK_AFTER, LOCK_DURATION, normalize_login
from desktop.errors import UserError
from desktop.services.access import role_of
from desktop.services.staff import (
    StaffRow,
    add_staff,
    list_staff,
    reset_password,
    set_active,
    set_role,
    staff_account,
    staff_accounts_in_use,
    unlock,
)
from desktop.ui.dialogs.password_dialog import PasswordDialog, add_new_password_rows
from desktop.ui.formatting import GREEN, ORANGE, RED, french_datetime
from desktop.ui.models.rows_model import RowColumn, RowsModel, rows_table
from desktop.ui.widgets.confirm import confirm
from desktop.ui.widgets.enum_combo import EnumCombo
from desktop.ui.widgets.record_dialog import RecordDialog
from desktop.ui.widgets.validated_form import ErrorLabel, optional, required

GREY = "#777777"


def state_text(row: StaffRow) -> str:
    if not row.active:
        return "Désactivé"
    if row.locked_until is not None:
        return f"Verrouillé jusqu'à {row.locked_until.astimezone(PARIS):%H:%M}"
    if row.must_change_password:
        return "Actif — mot de passe à changer"
    return "Actif"


def state_colour(row: StaffRow) -> str:
    if not row.active:
        return GREY
    if row.locked_until is not None:
        return RED
    return ORANGE if row.must_change_password else GREEN


COLUMNS = (
    RowColumn("Identifiant", lambda r: r.login, 105),
    RowColumn("Nom", lambda r: r.full_name, 165, tooltip=lambda r: r.email),
    RowColumn("Rôle", lambda r: r.role.label, 110),
    RowColumn("État", state_text, 205, colour=state_colour),
    RowColumn("Dernière connexion", lambda r: french_datetime(r.last_login_at) or "Jamais", 130),
)


def open_staff(parent: QWidget, db: Database, actor: str) -> StaffDialog:
    """The accounts window, modal to ``parent``, deleted once closed."""
    dialog = StaffDialog(parent, db=db, actor=actor)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


class StaffDialog(QDialog):
    def __init__(self, parent: QWidget | None, *, db: Database, actor: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Comptes du personnel")
        self.db = db
        self.actor = actor
        self.in_use = staff_accounts_in_use(db)
        role = role_of(db, actor)
        self.can_manage = not self.in_use or (role is not None and allows(role, Permission.USERS))

        intro = QLabel(self._intro())
        intro.setWordWrap(True)
        self.model = RowsModel(COLUMNS, self)
        self.table = rows_table(self.model)
        self.table.setMinimumHeight(220)
        self.table.doubleClicked.connect(lambda _index: self.open_role())

        self.add_button = self._button("&Nouveau compte…", self.open_new_account)
        self.role_button = self._button("Changer le &rôle…", self.open_role)
        self.reset_button = self._button("Réinitialiser le &mot de passe…", self.open_reset)
        self.active_button = self._button("&Désactiver", self.toggle_active)
        self.unlock_button = self._button("Déverro&uiller", self.unlock_selected)
        actions = QVBoxLayout()
        for button in (
            self.add_button,
            self.role_button,
            self.reset_button,
            self.active_button,
            self.unlock_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)

        self.error = ErrorLabel(self)
        self.notice = QLabel(self)
        self.notice.setWordWrap(True)
        self.notice.hide()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.button(QDialogButtonBox.StandardButton.Close).setText("Fermer")
        close.rejected.connect(self.reject)

        middle = QHBoxLayout()
        middle.addWidget(self.table, 1)
        middle.addLayout(actions)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addLayout(middle, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.notice)
        layout.addWidget(close)
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._update())
        self.resize(1000, 420)
        self.load()

    def _intro(self) -> str:
        minutes = int(LOCK_DURATION.total_seconds() // 60)
        lock = f"Après {LOCK_AFTER} essais infructueux, un compte est verrouillé {minutes} minutes."
        if not self.in_use:
            return (
                "Aucun compte n'est encore en service : l'application s'ouvre sans connexion. "
                "Créez d'abord un administrateur ; elle demandera ensuite l'identifiant et le "
                f"mot de passe à chaque démarrage. {lock}"
            )
        if not self.can_manage:
            return f"Seul un administrateur peut modifier les comptes. {lock}"
        return lock

    def _button(self, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    # --- the list -----------------------------------------------------------------------

    def load(self, select: str | None = None) -> None:
        """Read the accounts again, keeping (or moving to) the selected one."""
        current = select or (row.login if (row := self.selected()) else None)
        rows = list_staff(self.db)
        self.model.set_rows(rows)
        logins = [row.login for row in rows]
        if current in logins:
            self.table.selectRow(logins.index(current))
        self._update()

    def selected(self) -> StaffRow | None:
        indexes = self.table.selectionModel().selectedRows()
        return self.model.row(indexes[0].row()) if indexes else None

    def select(self, login: str) -> None:
        logins = [row.login for row in self.model.rows()]
        self.table.selectRow(logins.index(login))

    def _update(self) -> None:
        row = self.selected()
        self.add_button.setEnabled(self.can_manage)
        for button in (self.role_button, self.reset_button, self.active_button):
            button.setEnabled(self.can_manage and row is not None)
        self.unlock_button.setEnabled(
            self.can_manage and row is not None and row.locked_until is not None
        )
        self.active_button.setText("&Réactiver" if row and not row.active else "&Désactiver")

    # --- actions ------------------------------------------------------------------------

    def open_new_account(self) -> NewAccountDialog:
        dialog = NewAccountDialog(self, db=self.db, actor=self.actor, first=not self.in_use)
        dialog.accepted.connect(lambda: self._created(dialog.saved))
        dialog.open()
        return dialog

    def open_role(self) -> RoleDialog | None:
        row = self.selected()
        if row is None or not self.can_manage:
            return None
        dialog = RoleDialog(self, db=self.db, actor=self.actor, row=row)
        dialog.accepted.connect(
            lambda: self._done(
                dialog.saved, f"Rôle de « {row.login} » : {dialog.saved.role.label}."
            )
        )
        dialog.open()
        return dialog

    def open_reset(self) -> PasswordDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = PasswordDialog(
            self,
            login=row.login,
            change=lambda _current, new: reset_password(
                self.db, row.login, new, expected_version=row.version, actor=self.actor
            ),
            ask_current=False,
            title=f"Réinitialiser le mot de passe de « {row.login} »",
            intro=f"Mot de passe provisoire de {row.full_name} : communiquez-le-lui, "
            "il devra en choisir un autre à sa prochaine connexion. Le compte est déverrouillé.",
        )
        dialog.save_button.setText("Réinitialiser")
        dialog.accepted.connect(
            lambda: self._done(dialog.saved, f"Mot de passe de « {row.login} » réinitialisé.")
        )
        dialog.open()
        return dialog

    def toggle_active(self) -> None:
        row = self.selected()
        if row is None:
            return
        verb = "Désactiver" if row.active else "Réactiver"
        detail = (
            "Il ne pourra plus se connecter ; ses enregistrements et l'historique sont conservés."
            if row.active
            else "Il pourra de nouveau se connecter avec son mot de passe."
        )
        if not confirm(
            self,
            f"{verb} un compte",
            f"{verb} le compte « {row.login} » ({row.full_name}) ?",
            yes=verb,
            detail=detail,
        ):
            return
        done = "désactivé" if row.active else "réactivé"
        self._run(
            lambda: set_active(
                self.db, row.login, not row.active, expected_version=row.version, actor=self.actor
            ),
            f"Compte « {row.login} » {done}.",
        )

    def unlock_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        self._run(
            lambda: unlock(self.db, row.login, expected_version=row.version, actor=self.actor),
            f"Compte « {row.login} » déverrouillé.",
        )

    # --- outcomes -----------------------------------------------------------------------

    def _run(self, action: Callable[[], StaffRow], done: str) -> None:
        try:
            saved = action()
        except UserError as exc:
            self._refused(exc.message)
            return
        self._done(saved, done)

    def _refused(self, message: str) -> None:
        self.notice.hide()
        self.error.set_message(message)
        self.load()

    def _done(self, saved: StaffRow, message: str) -> None:
        self.error.set_message("")
        self.notice.setText(message)
        self.notice.setStyleSheet(f"color: {GREEN};")
        self.notice.show()
        self.load(select=saved.login)

    def _created(self, saved: StaffRow) -> None:
        message = f"Compte « {saved.login} » créé ({saved.role.label})."
        if not self.in_use and staff_accounts_in_use(self.db):
            message += (
                " Les comptes du personnel sont désormais en service : redémarrez "
                f"l'application et connectez-vous en tant que « {saved.login} » "
                "(d'ici là, les modifications sont refusées)."
            )
        self._done(saved, message)


# --- the account dialogs ----------------------------------------------------------------


def _login_value(text: str) -> str:
    try:
        return normalize_login(text)
    except ValidationError as exc:
        raise InvalidValue(exc.errors["login"]) from None


class NewAccountDialog(RecordDialog):
    """A new account: identifier, name, e-mail, role and its first password."""

    def __init__(
        self, parent: QWidget | None, *, db: Database, actor: str, first: bool = False
    ) -> None:
        super().__init__(parent, title="Nouveau compte du personnel")
        self.db = db
        self.actor = actor
        layout = QVBoxLayout(self.body)
        if first:
            note = QLabel(
                "Premier compte de cette base : un administrateur, qui créera ensuite les autres."
            )
            note.setWordWrap(True)
            layout.addWidget(note)
        fields = QFormLayout()
        fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form = self.form
        self.login = QLineEdit()
        self.login.setMaxLength(64)
        self.login.setPlaceholderText("j.dupont")
        self.full_name = QLineEdit()
        self.email = QLineEdit()
        self.role = EnumCombo([StaffRole.ADMIN] if first else StaffRole)
        if not first:
            self.role.set_value(StaffRole.READ_ONLY)
        form.add_row(fields, "Identifiant", form.add("login", self.login, _login_value))
        form.add_row(
            fields,
            "Nom complet",
            form.add("full_name", self.full_name, required("Indiquez le nom complet.")),
        )
        form.add_row(fields, "E-mail", form.add("email", self.email, optional(normalize_email)))
        form.add_row(fields, "Rôle", form.add("role", self.role))
        self.password, self.confirmation = add_new_password_rows(
            form, fields, self.login.text, key="password", label="Mot de passe"
        )
        layout.addLayout(fields)
        layout.addStretch(1)
        self.save_button.setText("Créer le compte")
        form.reset()
        self.resize(580, 400)
        self.login.setFocus()

    def build_draft(self) -> dict[str, Any]:
        return {
            "login": self.login.text(),
            "full_name": self.full_name.text(),
            "role": self.role.value(),
            "password": self.password.text(),
            "email": self.email.text().strip() or None,
        }

    def write(self, draft: dict[str, Any]) -> StaffRow:
        return add_staff(self.db, **draft, actor=self.actor)


class RoleDialog(RecordDialog):
    """Another role for one account (what it may change in the database)."""

    def __init__(self, parent: QWidget | None, *, db: Database, actor: str, row: StaffRow) -> None:
        super().__init__(parent, title=f"Rôle de « {row.login} »")
        self.db = db
        self.actor = actor
        self.account = row
        layout = QVBoxLayout(self.body)
        layout.addWidget(QLabel(f"{row.full_name} ({row.login})"))
        fields = QFormLayout()
        self.role = EnumCombo(StaffRole)
        self.form.add_row(fields, "Rôle", self.form.add("role", self.role))
        layout.addLayout(fields)
        layout.addStretch(1)
        self.load(row)
        self.resize(440, 170)

    def fill(self, details: StaffRow) -> None:
        self.account = details
        self.role.set_value(details.role)

    def reload(self) -> StaffRow:
        return staff_account(self.db, self.account.login)

    def build_draft(self) -> StaffRole:
        role: StaffRole = self.role.value()
        return role

    def write(self, draft: StaffRole) -> StaffRow:
        return set_role(
            self.db,
            self.account.login,
            draft,
            expected_version=self.account.version,
            actor=self.actor,
        )
