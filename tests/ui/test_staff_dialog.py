"""« Comptes du personnel… » as an administrator drives it: the list, each action, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from dialog_helpers import answer_message_box
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel
from pytestqt.qtbot import QtBot

from desktop.db.engine import Database
from desktop.domain.clock import PARIS
from desktop.domain.enums import StaffRole
from desktop.services.staff import (
    LoginRefusedError,
    add_staff,
    authenticate,
    list_staff,
    set_role,
    staff_account,
)
from desktop.ui.dialogs.staff_dialog import StaffDialog
from desktop.ui.widgets.record_dialog import RecordDialog

PASSWORD = "motdepasse-solide"


@pytest.fixture
def accounts(sqlite_db: Database) -> Database:
    add_staff(sqlite_db, "alice", "Alice Martin", StaffRole.ADMIN, PASSWORD, actor="poste")
    add_staff(sqlite_db, "bob", "Bob Durand", StaffRole.BILLING, PASSWORD, actor="alice")
    return sqlite_db


def staff_dialog(qtbot: QtBot, db: Database, actor: str = "alice") -> StaffDialog:
    dialog = StaffDialog(None, db=db, actor=actor)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def table(dialog: StaffDialog) -> list[list[str]]:
    model = dialog.model
    return [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    assert button.isEnabled(), f"« {button.text()} » is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def shown(label: QLabel) -> str:
    return label.text() if label.isVisible() else ""


def save(qtbot: QtBot, dialog: RecordDialog) -> None:
    click(qtbot, dialog.save_button)


def test_the_accounts_with_their_state(qtbot: QtBot, accounts: Database) -> None:
    for _ in range(5):
        with pytest.raises(LoginRefusedError):
            authenticate(accounts, "bob", "wrong")
    authenticate(accounts, "alice", PASSWORD)
    dialog = staff_dialog(qtbot, accounts)

    rows = table(dialog)
    until = list_staff(accounts)[1].locked_until
    assert until is not None
    assert [row[:4] for row in rows] == [
        ["alice", "Alice Martin", "Administrateur", "Actif"],
        ["bob", "Bob Durand", "Facturation", f"Verrouillé jusqu'à {until.astimezone(PARIS):%H:%M}"],
    ]
    assert rows[1][4] == "Jamais" and rows[0][4] != "Jamais"
    assert not dialog.role_button.isEnabled()  # nothing selected yet
    dialog.select("alice")
    assert not dialog.unlock_button.isEnabled()
    dialog.select("bob")
    click(qtbot, dialog.unlock_button)
    assert table(dialog)[1][3] == "Actif"
    assert shown(dialog.notice) == "Compte « bob » déverrouillé."
    assert authenticate(accounts, "bob", PASSWORD).login == "bob"


def test_an_administrator_adds_an_account(qtbot: QtBot, accounts: Database) -> None:
    dialog = staff_dialog(qtbot, accounts)
    new = dialog.open_new_account()
    assert new.role.value() is StaffRole.READ_ONLY
    qtbot.keyClicks(new.login, "c.leroy")
    qtbot.keyClicks(new.full_name, "Claire Leroy")
    new.role.set_value(StaffRole.SUPPORT)
    qtbot.keyClicks(new.password, "court")
    label = new.form.fields["password"].label
    assert label is not None and shown(label) == "10 caractères au moins (5 saisis)."
    new.password.setText("un mot de passe solide")
    new.confirmation.setText("un mot de passe solide")
    save(qtbot, new)

    assert table(dialog)[2][:4] == ["c.leroy", "Claire Leroy", "Support", "Actif"]
    assert shown(dialog.notice) == "Compte « c.leroy » créé (Support)."
    assert authenticate(accounts, "c.leroy", "un mot de passe solide").role is StaffRole.SUPPORT


def test_a_taken_login_is_shown_under_its_field(qtbot: QtBot, accounts: Database) -> None:
    new = staff_dialog(qtbot, accounts).open_new_account()
    new.login.setText("BOB")
    new.full_name.setText("Un autre Bob")
    new.password.setText(PASSWORD)
    new.confirmation.setText(PASSWORD)
    save(qtbot, new)
    label = new.form.fields["login"].label
    assert label is not None and label.isVisible()
    assert label.text() == "Cet identifiant est déjà utilisé par un autre compte."
    assert new.isVisible()


def test_disabling_asks_first_and_the_last_administrator_stays(
    qtbot: QtBot, accounts: Database
) -> None:
    dialog = staff_dialog(qtbot, accounts)
    dialog.select("bob")
    seen = answer_message_box("Annuler")
    click(qtbot, dialog.active_button)
    assert seen == ["Désactiver le compte « bob » (Bob Durand) ?"]
    assert table(dialog)[1][3] == "Actif"

    answer_message_box("Désactiver")
    click(qtbot, dialog.active_button)
    assert table(dialog)[1][3] == "Désactivé"
    assert dialog.active_button.text() == "&Réactiver"
    assert shown(dialog.notice) == "Compte « bob » désactivé."

    dialog.select("alice")
    answer_message_box("Désactiver")
    click(qtbot, dialog.active_button)
    assert shown(dialog.error) == (
        "« alice » est le dernier administrateur actif : nommez d'abord un autre "
        "administrateur. Rien n'a été enregistré."
    )
    assert shown(dialog.notice) == ""
    assert staff_account(accounts, "alice").active is True


def test_a_stale_list_is_refused_and_reloaded(qtbot: QtBot, accounts: Database) -> None:
    dialog = staff_dialog(qtbot, accounts)
    dialog.select("bob")
    set_role(accounts, "bob", StaffRole.SUPPORT, actor="alice")  # from another desktop
    answer_message_box("Désactiver")
    click(qtbot, dialog.active_button)
    assert shown(dialog.error).startswith("Ce compte a été modifié par alice le ")
    assert table(dialog)[1][2] == "Support"  # the list shows what is stored now
    assert staff_account(accounts, "bob").active is True


def test_role_and_password_reset(qtbot: QtBot, accounts: Database) -> None:
    dialog = staff_dialog(qtbot, accounts)
    dialog.select("bob")
    role = dialog.open_role()
    assert role is not None and role.role.value() is StaffRole.BILLING
    role.role.set_value(StaffRole.ADMIN)
    save(qtbot, role)
    assert table(dialog)[1][2] == "Administrateur"
    assert shown(dialog.notice) == "Rôle de « bob » : Administrateur."

    reset = dialog.open_reset()
    assert reset is not None and reset.current is None
    assert reset.windowTitle() == "Réinitialiser le mot de passe de « bob »"
    reset.new.setText("provisoire-42")
    reset.confirmation.setText("provisoire-42")
    save(qtbot, reset)
    assert table(dialog)[1][3] == "Actif — mot de passe à changer"
    assert authenticate(accounts, "bob", "provisoire-42").must_change_password is True


def test_other_roles_only_read(qtbot: QtBot, accounts: Database) -> None:
    dialog = staff_dialog(qtbot, accounts, actor="bob")
    dialog.select("alice")
    buttons = (
        dialog.add_button,
        dialog.role_button,
        dialog.reset_button,
        dialog.active_button,
        dialog.unlock_button,
    )
    assert [button.isEnabled() for button in buttons] == [False] * 5
    assert len(table(dialog)) == 2


def test_the_first_administrator_from_the_window(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path
) -> None:
    dialog = staff_dialog(qtbot, sqlite_db, actor="poste")
    assert table(dialog) == []
    new = dialog.open_new_account()
    assert [new.role.itemText(i) for i in range(new.role.count())] == ["Administrateur"]
    new.login.setText("alice")
    new.full_name.setText("Alice Martin")
    new.password.setText(PASSWORD)
    new.confirmation.setText(PASSWORD)
    save(qtbot, new)
    assert shown(dialog.notice) == (
        "Compte « alice » créé (Administrateur). Les comptes du personnel sont désormais en "
        "service : redémarrez l'application et connectez-vous en tant que « alice » "
        "(d'ici là, les modifications sont refusées)."
    )
    assert dialog.grab().save(str(tmp_path / "staff.png"))
